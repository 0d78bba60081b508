"""The `accounts:` section: durations in seconds, bad values refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from accounts.config import AccountsConfig, LoginConfig


def test_durations_read_in_seconds():
    login = LoginConfig(lock_for="1h", max_wait="30s")
    assert login.seconds("lock_for") == 3600.0 and login.seconds("max_wait") == 30.0
    assert LoginConfig().seconds("forget_after") == 900.0


@pytest.mark.parametrize("bad", [{"lock_after": 0}, {"lock_for": "soon"}, {"lockout": 3}])
def test_bad_values_and_unknown_keys_are_refused(bad):
    with pytest.raises(ValidationError):
        AccountsConfig(login=bad)
