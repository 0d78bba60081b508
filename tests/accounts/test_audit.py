"""The accounts audit log read back: newest first, filtered by action, limited; what the login
loop records is tested in test_attempts.py."""

from __future__ import annotations

from accounts import audit
from accounts.schema import SCHEMA
from core.db import StateDB


def test_entries_newest_first_filtered_and_limited(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(SCHEMA)
    audit.record(db, "2026-11-20T09:00:00+08:00", "login_failed", "cs01", client="10.0.0.5",
                 detail="wrong_password")
    audit.record(db, "2026-11-20T09:01:00+08:00", "add", "zz01", actor="root")
    audit.record(db, "2026-11-20T09:02:00+08:00", "locked", "cs01", client="10.0.0.5")
    assert [e["action"] for e in audit.entries(db)] == ["locked", "add", "login_failed"]
    logins = audit.entries(db, audit.LOGIN_ACTIONS)
    assert [(e["action"], e["client"]) for e in logins] == [("locked", "10.0.0.5"), ("login_failed", "10.0.0.5")]
    assert [e["username"] for e in audit.entries(db, ["add"])] == ["zz01"]
    assert [e["action"] for e in audit.entries(db, limit=1)] == ["locked"]
    assert audit.entries(db, ["unlock"]) == []
    db.close()


def test_every_action_and_reason_has_a_chinese_label():
    assert set(audit.LOGIN_ACTIONS) <= set(audit.ACTION_LABELS)
    assert audit.REASON_LABELS["wrong_password"] == "密码错误"
