"""Login attempts in the state DB, shared by every browser session, reload and process.

Per user name (as typed, whether it exists or not) and per client address, each wrong password
past a threshold makes the next try wait twice as long (1 s, 2 s, 4 s … up to `max_wait`); the
try is refused, not slowed, so no server thread sleeps. A user name wrong `lock_after` times in a
row is locked for `lock_for`, doubling with each further lock in a row up to `max_lock_for`, and
is refused even with the right password until then or until an admin unlocks it. Names that do
not exist are counted and locked the same way, so the answers tell nothing about which exist.

An attempt is counted as failed *before* the password is checked and forgiven when it was right,
so parallel sessions cannot slip several guesses through the same gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.config import LoginConfig
from accounts.schema import SCHEMA
from core.db import StateDB
from core.post import iso

THROTTLED = "尝试过于频繁，请 {n} 秒后再试"
LOCKED = "登录失败次数过多，该用户名已被暂时锁定，请 {n} 分钟后再试，或联系管理员解锁"
_UPSERT = ("INSERT OR REPLACE INTO login_attempts (kind, key, failures, locks, last_failure_at, "
           "wait_until, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?)")


class LoginRefusedError(Exception):
    """A login refused before its password was looked at; `reason` is 'locked' or 'throttled'."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Attempt:
    """A login attempt let through, already counted as failed."""

    name: str
    address: str
    locked_until: datetime | None  # when this attempt, if wrong, locked the name


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def locked_message(until: datetime, now: datetime) -> str:
    """「…请 N 分钟后再试…」 for a lock ending at `until`."""
    return LOCKED.format(n=max(1, math.ceil((until - now).total_seconds() / 60)))


class LoginAttempts:
    """The `login_attempts` table under a LoginConfig policy."""

    def __init__(self, db: StateDB, policy: LoginConfig):
        self.db = db
        self.policy = policy
        db.ensure(SCHEMA)

    def begin(self, name: str, address: str, now: datetime) -> Attempt:
        """Refuse a locked name or a try that comes too soon (LoginRefusedError), else count it."""
        with self.db.atomic():
            self._forget(now)
            named = self._row("name", name)
            addressed = self._row("address", address)
            locked_until = _time(named and named["locked_until"])
            if locked_until and locked_until > now:
                raise LoginRefusedError(locked_message(locked_until, now), "locked")
            waits = [until - now for row in (named, addressed)
                     if (until := _time(row and row["wait_until"])) and until > now]
            if waits:
                seconds = math.ceil(max(waits).total_seconds())
                raise LoginRefusedError(THROTTLED.format(n=seconds), "throttled")
            locks_now = self._count_name(named, name, now)
            self._count_address(addressed, address, now)
        return Attempt(name, address, locks_now)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the name starts afresh; the address is forgiven this try only.

        An address's other failures stay, so a valid account cannot launder guesses at others.
        """
        with self.db.atomic():
            self.db.execute("DELETE FROM login_attempts WHERE kind = 'name' AND key = ?",
                            (attempt.name,))
            self.db.execute(
                "UPDATE login_attempts SET failures = max(failures - 1, 0), wait_until = CASE "
                "WHEN failures - 1 >= ? THEN wait_until END WHERE kind = 'address' AND key = ?",
                (self.policy.address_throttle_after, attempt.address))

    def unlock(self, name: str, now: datetime) -> str | None:
        """Forget a name's failures and locks: 'locked' or 'failures', what there was, else None."""
        with self.db.atomic():
            named = self._row("name", name)
            self.db.execute("DELETE FROM login_attempts WHERE kind = 'name' AND key = ?", (name,))
        locked_until = _time(named and named["locked_until"])
        if locked_until and locked_until > now:
            return "locked"
        return "failures" if named and named["failures"] else None

    def names(self, now: datetime) -> list[dict]:
        """User names with failures in a row or a lock in force, locked ones first."""
        rows = self.db.query("SELECT key AS name, failures, locks, last_failure_at, locked_until "
                             "FROM login_attempts WHERE kind = 'name' ORDER BY last_failure_at DESC")
        for row in rows:
            until = _time(row["locked_until"])
            row["locked_until"] = row["locked_until"] if until and until > now else None
        rows = [r for r in rows if r["locked_until"] or r["failures"]]
        return sorted(rows, key=lambda r: r["locked_until"] is None)

    # --- counting ---------------------------------------------------------------------------
    def _row(self, kind: str, key: str) -> dict | None:
        rows = self.db.query("SELECT * FROM login_attempts WHERE kind = ? AND key = ?", (kind, key))
        return rows[0] if rows else None

    def _wait(self, failures: int, threshold: int, now: datetime) -> str | None:
        if failures < threshold:
            return None
        seconds = min(2 ** min(failures - threshold, 30), self.policy.seconds("max_wait"))
        return iso(now + timedelta(seconds=seconds))

    def _count_name(self, named: dict | None, name: str, now: datetime) -> datetime | None:
        failures = (named["failures"] if named else 0) + 1
        locks = named["locks"] if named else 0
        locked_until = None
        if failures >= self.policy.lock_after:
            seconds = min(self.policy.seconds("lock_for") * 2 ** min(locks, 30),
                          self.policy.seconds("max_lock_for"))
            locked_until = now + timedelta(seconds=seconds)
            failures, locks = 0, locks + 1
        self.db.execute(_UPSERT, ("name", name, failures, locks, iso(now),
                                  self._wait(failures, self.policy.throttle_after, now),
                                  iso(locked_until) if locked_until else None))
        return locked_until

    def _count_address(self, addressed: dict | None, address: str, now: datetime) -> None:
        failures = (addressed["failures"] if addressed else 0) + 1
        self.db.execute(_UPSERT, ("address", address, failures, 0, iso(now),
                                  self._wait(failures, self.policy.address_throttle_after, now),
                                  None))

    def _forget(self, now: datetime) -> None:
        """Drop addresses quiet for `forget_after`, and names quiet and unlocked for `max_lock_for`.

        Known and unknown names are forgotten alike: treating them differently would tell which exist.
        """
        quiet_address = iso(now - timedelta(seconds=self.policy.seconds("forget_after")))
        quiet_name = iso(now - timedelta(seconds=self.policy.seconds("max_lock_for")))
        self.db.execute("DELETE FROM login_attempts WHERE kind = 'address' AND last_failure_at < ?",
                        (quiet_address,))
        self.db.execute("DELETE FROM login_attempts WHERE kind = 'name' AND last_failure_at < ? "
                        "AND (locked_until IS NULL OR locked_until < ?)", (quiet_name, iso(now)))
