"""Guessing passwords: login loops against the real service on a real state.db — throttle per
user name and per client address shared by every session, lockout, admin unlock, the audit log."""

from __future__ import annotations

import threading

import pytest

from accounts import SYSTEM, AccountService, LoginConfig, LoginRefusedError, PermissionDenied
from core.db import StateDB
from tests.cases.helpers import Clock

RIGHT = "Changsha#2026"
POLICY = LoginConfig()  # the shipped defaults: wait after 3 in a row, lock after 10


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def state_path(tmp_path):
    return tmp_path / "state.db"


@pytest.fixture
def session(state_path, clock):
    """Open one more 'console session': its own connection and service on the same state.db."""
    opened = []

    def open_session(policy: LoginConfig = POLICY) -> AccountService:
        db = StateDB(state_path)
        opened.append(db)
        return AccountService(db, login=policy, clock=clock)

    yield open_session
    for db in opened:
        db.close()


@pytest.fixture
def svc(session):
    service = session()
    service.add_user(SYSTEM, "cs01", RIGHT, "handler", ["长沙"], "张三")
    service.add_user(SYSTEM, "root", "Admin-pass-1", "admin")
    return service


def _try(svc: AccountService, name: str, password: str, client: str = "10.0.0.5"):
    """One login: the user, None (wrong), or the refusal's message."""
    try:
        return svc.authenticate(name, password, client)
    except LoginRefusedError as exc:
        return str(exc)


def _wrong_in_a_row(svc, clock, name: str, times: int, client: str = "10.0.0.5") -> list:
    """`times` wrong passwords, each after any wait has passed."""
    out = []
    for _ in range(times):
        out.append(_try(svc, name, "guess-1234", client))
        clock.advance(seconds=61)
    return out


def test_lockout_after_n_even_with_the_right_password(svc, clock):
    answers = _wrong_in_a_row(svc, clock, "cs01", POLICY.lock_after)
    assert answers[:-1] == [None] * (POLICY.lock_after - 1)
    assert "已被暂时锁定" in answers[-1] and "15 分钟" in answers[-1]
    assert "已被暂时锁定" in _try(svc, "cs01", RIGHT)  # the right password does not help
    clock.advance(minutes=15)
    assert _try(svc, "cs01", RIGHT).username == "cs01"  # the lock ends by itself


def test_32_guesses_then_the_right_one_does_not_log_in(svc, clock):
    """The probe of issue #16: 32 wrong passwords, then the right one."""
    for _ in range(32):
        assert not hasattr(_try(svc, "cs01", "guess-1234"), "username")
        clock.advance(seconds=30)
    assert "已被暂时锁定" in _try(svc, "cs01", RIGHT)


def test_each_further_lock_lasts_twice_as_long(svc, clock):
    _wrong_in_a_row(svc, clock, "cs01", POLICY.lock_after)
    clock.advance(minutes=15)
    answers = _wrong_in_a_row(svc, clock, "cs01", POLICY.lock_after)
    assert "30 分钟" in answers[-1] or "29 分钟" in answers[-1]
    clock.advance(minutes=20)
    assert "已被暂时锁定" in _try(svc, "cs01", RIGHT)
    clock.advance(minutes=10)
    assert _try(svc, "cs01", RIGHT).username == "cs01"  # and a success starts afresh
    assert svc.login_restrictions(SYSTEM) == []


def test_unknown_names_are_locked_with_the_same_words(svc, clock):
    answers = {"cs01": [], "cs99": []}
    for _ in range(POLICY.lock_after):
        for name in answers:  # side by side, so the two locks end at the same time
            answers[name].append(_try(svc, name, "guess-1234", client=f"10.0.1.{name[-2:]}"))
        clock.advance(seconds=61)
    assert answers["cs01"] == answers["cs99"]
    clock.advance(minutes=5)
    assert _try(svc, "cs01", RIGHT) == _try(svc, "cs99", RIGHT)


def test_throttle_holds_across_sessions(svc, session, clock):
    """Three wrong passwords in one console session; a fresh one (a reload, another tab or
    process) must wait too, even with the right password and from another address."""
    for _ in range(POLICY.throttle_after):
        assert _try(svc, "cs01", "guess-1234") is None
    other = session()
    assert _try(other, "cs01", RIGHT, client="10.0.0.77") == "尝试过于频繁，请 1 秒后再试"
    clock.advance(seconds=1)
    assert _try(other, "cs01", "guess-1234", client="10.0.0.77") is None
    assert _try(svc, "cs01", RIGHT) == "尝试过于频繁，请 2 秒后再试"  # the wait doubles
    clock.advance(seconds=2)
    assert _try(svc, "cs01", RIGHT).username == "cs01"


def test_one_address_guessing_many_names_is_throttled(svc, session, clock):
    names = [f"user{i:02d}" for i in range(POLICY.address_throttle_after)]
    for name in names:
        assert _try(svc, name, "guess-1234", client="203.0.113.9") is None
    other = session()
    assert "尝试过于频繁" in _try(other, "cs01", RIGHT, client="203.0.113.9")
    assert _try(other, "cs01", RIGHT, client="10.0.0.5").username == "cs01"  # others are not
    clock.advance(minutes=16)  # an address's failures are forgotten after forget_after
    assert _try(other, "root", "Admin-pass-1", client="203.0.113.9").username == "root"


def test_parallel_sessions_get_no_extra_guesses(svc, session, state_path, clock):
    """Six sessions guessing at the same moment: only the first three passwords are checked."""
    sessions = [session() for _ in range(6)]
    answers: list = []
    start = threading.Barrier(len(sessions))

    def guess(service: AccountService) -> None:
        start.wait()
        answers.append(_try(service, "cs01", "guess-1234"))

    threads = [threading.Thread(target=guess, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count(None) == POLICY.throttle_after
    assert all("尝试过于频繁" in a for a in answers if a is not None)


def test_admin_unlocks(svc, clock):
    _wrong_in_a_row(svc, clock, "cs01", POLICY.lock_after)
    [restriction] = svc.login_restrictions(SYSTEM)
    assert restriction["name"] == "cs01" and restriction["exists"] and restriction["locked_until"]
    manager = svc.add_user(SYSTEM, "boss", "Boss-pass-1", "manager")
    for look in (svc.login_restrictions, svc.audit_log, lambda u: svc.unlock(u, "cs01")):
        with pytest.raises(PermissionDenied):
            look(manager)
    admin = svc.load_user("root")
    assert svc.unlock(admin, "cs01") is True
    assert _try(svc, "cs01", RIGHT).username == "cs01"
    assert svc.unlock(admin, "cs01") is False  # nothing left to unlock
    [entry] = svc.audit_log(admin, ["unlock"])
    assert (entry["username"], entry["actor"], entry["detail"]) == ("cs01", "root", "解除锁定")


def test_failures_and_lockouts_are_audited_without_the_password(svc, clock, state_path):
    _try(svc, "cs01", "Secret-guess-1", client="198.51.100.7")
    _try(svc, "nobody", "Secret-guess-1", client="198.51.100.7")
    svc.set_active(SYSTEM, "cs01", False)
    _try(svc, "cs01", RIGHT, client="198.51.100.7")
    svc.set_active(SYSTEM, "cs01", True)
    _try(svc, "cs01", "Secret-guess-1", client="198.51.100.7")  # three in a row: must wait now
    _try(svc, "cs01", RIGHT, client="198.51.100.7")
    clock.advance(minutes=1)
    _wrong_in_a_row(svc, clock, "cs01", POLICY.lock_after - 3, client="198.51.100.8")
    events = [(e["action"], e["username"], e["client"], e["detail"])
              for e in reversed(svc.audit_log(SYSTEM, ["login_failed", "locked"]))]
    assert events[:5] == [
        ("login_failed", "cs01", "198.51.100.7", "wrong_password"),
        ("login_failed", "nobody", "198.51.100.7", "unknown_user"),
        ("login_failed", "cs01", "198.51.100.7", "disabled"),
        ("login_failed", "cs01", "198.51.100.7", "wrong_password"),
        ("login_failed", "cs01", "198.51.100.7", "throttled"),
    ]
    assert events[-1][:3] == ("locked", "cs01", "198.51.100.8")
    # the admin's own actions are there too
    actions = {(e["action"], e["actor"]) for e in svc.audit_log(SYSTEM)}
    assert {("add", "system"), ("disable", "system"), ("enable", "system")} <= actions
    # no table of the state DB holds a password typed at the login
    db = StateDB(state_path)
    for table in [r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")]:
        for row in db.query(f"SELECT * FROM {table}"):
            assert not any("Secret-guess" in str(v) or "Changsha#" in str(v) for v in row.values())
    db.close()


def test_audit_log_is_append_only(svc):
    import sqlite3

    _try(svc, "cs01", "guess-1234")
    for sql in ("UPDATE account_audit SET username = 'x'", "DELETE FROM account_audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            svc.db.execute(sql)


def test_the_policy_comes_from_config(session, clock):
    strict = session(LoginConfig(throttle_after=5, lock_after=2, lock_for="1h"))
    strict.add_user(SYSTEM, "cs01", RIGHT, "handler", ["长沙"])
    assert _try(strict, "cs01", "guess-1234") is None
    assert "60 分钟" in _try(strict, "cs01", "guess-1234")
