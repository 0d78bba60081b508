"""The `demo:` section: off by default on 127.0.0.1, a port in range."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from demo.config import DemoConfig


def test_defaults():
    demo = DemoConfig()
    assert not demo.enabled and demo.host == "127.0.0.1" and demo.port == 8600


@pytest.mark.parametrize("bad", [{"port": 70000}, {"initial": -1}, {"enable": True}])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValidationError):
        DemoConfig(**bad)
