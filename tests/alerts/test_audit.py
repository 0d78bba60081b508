"""The warnings' audit log read back: newest first, per warning, details decoded and labelled."""

from __future__ import annotations

from alerts import audit
from alerts.schema import SCHEMA
from core.db import StateDB


def test_entries_newest_first_per_warning_with_details_and_labels(tmp_path):
    state = StateDB(tmp_path / "state.db")
    state.ensure(SCHEMA)
    with state.atomic() as conn:
        audit.record(conn, "2026-11-20T09:00:00+08:00", "system", "hold", 7, level=1)
        audit.record(conn, "2026-11-20T09:05:00+08:00", "mgr", "approve", 7, level=2, note="降为二级")
        audit.record(conn, "2026-11-20T09:06:00+08:00", "mgr", "group_save", name="衡阳分公司")
    assert [e["action"] for e in audit.entries(state)] == ["group_save", "approve", "hold"]
    mine = audit.entries(state, alert_id=7)
    assert [(e["label"], e["actor"], e["detail"]) for e in mine] == [
        ("审核通过", "mgr", {"level": 2, "note": "降为二级"}), ("待审核", "system", {"level": 1})]
    assert len(audit.entries(state, limit=1)) == 1 and audit.entries(state, alert_id=8) == []
    state.close()
