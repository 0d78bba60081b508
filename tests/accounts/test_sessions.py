"""Login sessions: hashed random tokens, idle and absolute expiry, revoked when rights change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts import SYSTEM, SessionStore


@pytest.fixture
def handler(accounts):
    return accounts.add_user(SYSTEM, "cs01", "Changsha#2026", "handler", ["长沙"], "张三")


@pytest.fixture
def sessions(accounts):
    return SessionStore(accounts)


def test_token_resolves_to_the_user_and_only_its_hash_is_stored(sessions, handler):
    token = sessions.create(handler)
    assert len(token) >= 40 and sessions.resolve(token) == handler
    stored = sessions.db.query("SELECT token_hash FROM sessions")
    assert len(stored) == 1 and token not in stored[0]["token_hash"]
    assert sessions.resolve(token + "x") is None and sessions.resolve("") is None
    assert sessions.create(handler) != token


def test_logout_revokes_only_that_session(sessions, handler):
    first, second = sessions.create(handler), sessions.create(handler)
    sessions.revoke(first)
    assert sessions.resolve(first) is None and sessions.resolve(second) == handler


def _age(sessions, **fields: str) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)
    sessions.db.execute(f"UPDATE sessions SET {sets}", tuple(fields.values()))


def test_idle_session_expires(sessions, handler):
    from core.post import iso, now_cst

    token = sessions.create(handler)
    _age(sessions, last_seen_at=iso(now_cst() - sessions.idle - timedelta(seconds=1)))
    assert sessions.resolve(token) is None
    assert not sessions.db.query("SELECT * FROM sessions")  # and it is gone


def test_use_keeps_a_session_alive(sessions, handler):
    from core.post import iso, now_cst

    token = sessions.create(handler)
    _age(sessions, last_seen_at=iso(now_cst() - sessions.idle + timedelta(minutes=5)))
    assert sessions.resolve(token) == handler
    _age(sessions, last_seen_at=iso(now_cst() - timedelta(minutes=1)))  # as if touched now
    assert sessions.resolve(token) == handler


def test_session_ends_at_its_lifetime(sessions, handler):
    from core.post import iso, now_cst

    token = sessions.create(handler)
    _age(sessions, expires_at=iso(now_cst() - timedelta(seconds=1)))
    assert sessions.resolve(token) is None


@pytest.mark.parametrize("change", [
    lambda a: a.set_password(SYSTEM, "cs01", "New-pass-2026"),
    lambda a: a.update_user(SYSTEM, "cs01", role="monitor"),
    lambda a: a.update_user(SYSTEM, "cs01", cities=["株洲"]),
    lambda a: a.set_active(SYSTEM, "cs01", False),
])
def test_rights_or_password_change_ends_every_session(accounts, sessions, handler, change):
    tokens = [sessions.create(handler), sessions.create(handler)]
    other = accounts.add_user(SYSTEM, "zz01", "Zhuzhou#2026", "handler", ["株洲"])
    kept = sessions.create(other)
    change(accounts)
    assert [sessions.resolve(t) for t in tokens] == [None, None]
    assert sessions.resolve(kept) == other


def test_display_name_change_keeps_the_session(accounts, sessions, handler):
    token = sessions.create(handler)
    accounts.update_user(SYSTEM, "cs01", display_name="张三丰")
    assert sessions.resolve(token).display_name == "张三丰"  # re-read, not the login snapshot
