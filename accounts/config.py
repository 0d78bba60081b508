"""The `accounts:` section: how the logins resist guessing (throttle and lockout, accounts.attempts)."""

from __future__ import annotations

from pydantic import Field

from core.config import Duration, Strict, interval_seconds


class LoginConfig(Strict):
    """Wrong passwords make the next try wait, per user name and per client address; a name that
    keeps failing is locked, even for the right password, until the lock ends or an admin unlocks it."""

    throttle_after: int = Field(3, ge=1)            # wrong tries in a row for one user name before
    #                                                 each further try must wait (1 s, 2 s, 4 s …)
    address_throttle_after: int = Field(10, ge=1)   # the same for one client address, any names
    max_wait: Duration = "1m"                       # the wait doubles up to this
    forget_after: Duration = "15m"                  # an address's failures older than this are forgotten
    lock_after: int = Field(10, ge=1)               # wrong tries in a row for one user name → locked
    lock_for: Duration = "15m"                      # the first lock; each further lock in a row
    max_lock_for: Duration = "24h"                  # doubles, up to this

    def seconds(self, name: str) -> float:
        """One of the durations above in seconds ('lock_for' → 900.0)."""
        value = interval_seconds(getattr(self, name))
        assert value is not None  # Duration accepts lengths only
        return value


class AccountsConfig(Strict):
    login: LoginConfig = LoginConfig()
