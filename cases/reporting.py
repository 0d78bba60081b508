"""Case rows for reports and 督办, as stored: the cases of a period, the cases overdue at a moment,
the case types (categories) of the cases made from warnings, the cases of a warning.

No permission check here: the callers check their actor (reports: managers, monitors, admins;
rectification: managers).
"""

from __future__ import annotations

import json
from typing import Any

from cases.schema import SCHEMA
from core.db import StateDB


def created_between(db: StateDB, since: str, until: str) -> list[dict[str, Any]]:
    """Cases created from `since` up to `until` (ISO times)."""
    db.ensure(SCHEMA)
    return db.query("SELECT * FROM cases WHERE created_at >= ? AND created_at < ?", (since, until))


def overdue_at(db: StateDB, at: str) -> list[dict[str, Any]]:
    """Cases open at `at` whose first response or closure was due before it, by branch and due time."""
    db.ensure(SCHEMA)
    return db.query(
        "SELECT * FROM cases WHERE created_at < ? AND (closed_at IS NULL OR closed_at >= ?) AND "
        "((first_response_due < ? AND (first_response_at IS NULL OR first_response_at >= ?)) "
        "OR closure_due < ?) ORDER BY branch, closure_due", (at, at, at, at, at))


def categories_by_alert(db: StateDB) -> dict[int, list[str]]:
    """The categories (工单类型) of the cases made from warnings, by alert id."""
    db.ensure(SCHEMA)
    return {r["alert_id"]: json.loads(r["categories"]) for r in db.query(
        "SELECT alert_id, categories FROM cases WHERE alert_id IS NOT NULL")}


def of_alert(db: StateDB, alert_id: int, post_ids: list[str]) -> list[dict[str, Any]]:
    """Cases opened from the alert or about one of its posts, oldest first."""
    db.ensure(SCHEMA)
    return db.query("SELECT * FROM cases WHERE alert_id = ? OR post_id IN (SELECT value FROM "
                    "json_each(?)) ORDER BY case_id", (int(alert_id), json.dumps(post_ids)))
