"""The warnings' audit log: holds, review requests and escalations, approvals and rejections with
what the reviewer changed, warnings published by hand, recoveries, recipient group changes.

Append-only (SQLite triggers refuse UPDATE and DELETE); written in the transaction of the change
it records, so the log and the change never disagree.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from alerts.schema import SCHEMA
from core.db import StateDB

ACTION_LABELS = {
    "hold": "待审核", "request": "提请审核", "escalate": "审核超时升级", "approve": "审核通过",
    "reject": "审核不通过", "publish": "人工发布", "recover": "预警恢复",
    "group_save": "保存收件组", "group_delete": "删除收件组",
}


def record(conn: sqlite3.Connection, at: str, actor: str, action: str,
           alert_id: int | None = None, **detail: Any) -> None:
    """Append one entry inside the caller's transaction."""
    conn.execute("INSERT INTO warning_audit (at, actor, action, alert_id, detail) "
                 "VALUES (?, ?, ?, ?, ?)",
                 (at, actor, action, alert_id, json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def entries(state: StateDB, alert_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The newest entries first (of one warning when `alert_id` is given); `detail` decoded."""
    state.ensure(SCHEMA)
    if alert_id is None:
        rows = state.query("SELECT * FROM warning_audit ORDER BY audit_id DESC LIMIT ?", (limit,))
    else:
        rows = state.query("SELECT * FROM warning_audit WHERE alert_id = ? "
                           "ORDER BY audit_id DESC LIMIT ?", (alert_id, limit))
    for row in rows:
        row["detail"] = json.loads(row["detail"])
        row["label"] = ACTION_LABELS.get(row["action"], row["action"])
    return rows
