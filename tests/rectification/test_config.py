"""The `rectification:` section: escalation stages must grow, be durations, and exist."""

from __future__ import annotations

import pytest

from tests.cases.helpers import make_config


@pytest.mark.parametrize("stages, message", [
    ([{"after": "7d", "level": 1}, {"after": "0h", "level": 2}], "increasing"),
    ([{"after": "soon", "level": 1}], "duration"),
    ([], "at least 1"),
])
def test_escalation_stages_are_checked(tmp_path, stages, message):
    from core.config import ConfigInvalid

    with pytest.raises(ConfigInvalid, match=message):
        make_config(tmp_path, rectification={"escalation": stages})
