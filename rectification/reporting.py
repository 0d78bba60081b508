"""督办 rows for reports, as of a moment: the items of a period with their latest progress then,
the month's 一月一事 and its notes.

No permission check here: reports check their actor (managers, monitors, admins see every item).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.db import StateDB
from core.post import iso
from rectification.models import CLOSED, due_at
from rectification.schema import NOTE_KINDS, SCHEMA

ON_TIME, LATE, IN_WORK, OVERDUE = "按期办结", "逾期办结", "整改中", "逾期未办结"


def state_at(item: dict[str, Any], at: datetime) -> str:
    """What an item was at `at`: 按期办结 / 逾期办结 / 整改中 / 逾期未办结."""
    due = due_at(item["deadline"])
    if item["status"] == CLOSED and item["closed_at"] and datetime.fromisoformat(item["closed_at"]) < at:
        return ON_TIME if datetime.fromisoformat(item["closed_at"]) < due else LATE
    return OVERDUE if at >= due else IN_WORK


def items_between(db: StateDB, since: str, until: str, at: datetime) -> list[dict[str, Any]]:
    """Items open at some time in [since, until) — opened before its end, not closed before its
    start — each with `state` at `at`, its latest progress note before `at` and its link counts;
    by deadline."""
    db.ensure(SCHEMA)
    rows = db.query(
        "SELECT i.*, (SELECT count(*) FROM rectify_links l WHERE l.item_id = i.item_id AND "
        "l.kind = 'case') AS cases, (SELECT count(*) FROM rectify_links l WHERE "
        "l.item_id = i.item_id AND l.kind = 'post') AS posts FROM rectify_items i "
        "WHERE i.created_at < ? AND (i.closed_at IS NULL OR i.closed_at >= ?) "
        "ORDER BY i.deadline, i.item_id", (until, since))
    for row in rows:
        row["owners"] = json.loads(row["owners"])
        row["state"] = state_at(row, at)
        notes = notes_before(db, row["item_id"], at, kinds=("progress", "evidence"))
        row["last_note"] = notes[-1] if notes else None
        row["percent"] = next((n["percent"] for n in reversed(notes) if n["percent"] is not None),
                              None)
    return rows


def notes_before(db: StateDB, item_id: int, at: datetime,
                 kinds: tuple[str, ...] = tuple(NOTE_KINDS)) -> list[dict[str, Any]]:
    """An item's notes of `kinds` written before `at`, oldest first, with their kind's label."""
    db.ensure(SCHEMA)
    rows = db.query("SELECT * FROM rectify_notes WHERE item_id = ? AND at < ? AND kind IN "
                    "(SELECT value FROM json_each(?)) ORDER BY note_id",
                    (item_id, iso(at), json.dumps(list(kinds))))
    for row in rows:
        row["kind_label"] = NOTE_KINDS[row["kind"]]
    return rows


def worst_of_month(db: StateDB, month: str) -> dict[str, Any] | None:
    """The item marked as `month`'s 一月一事 ('YYYY-MM'), or None."""
    db.ensure(SCHEMA)
    rows = db.query("SELECT i.*, w.marked_by, w.marked_at FROM rectify_worst w "
                    "JOIN rectify_items i USING (item_id) WHERE w.month = ?", (month,))
    if not rows:
        return None
    rows[0]["owners"] = json.loads(rows[0]["owners"])
    return rows[0]


def still_open(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of `items_between`'s rows, those not closed at its moment."""
    return [r for r in rows if r["state"] in (IN_WORK, OVERDUE)]
