"""Case rows for reports and 督办, as stored: the cases of a period, the cases overdue at a moment,
the case types (categories) of the cases made from warnings, the cases of a warning, and the
period's 工单质检 figures per branch.

No permission check here: the callers check their actor (reports: managers, monitors, admins;
rectification: managers).
"""

from __future__ import annotations

import json
from typing import Any

from cases.schema import SCHEMA
from core.db import StateDB

QUALITY_KEYS = ("closed", "invalid", "sampled", "passed", "returned", "duplicates")


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
    """The categories (工单类型) of the cases made from warnings, by alert id — a warning folded
    into an open case as a duplicate (cases.duplicates) has that case's."""
    db.ensure(SCHEMA)
    return {r["alert_id"]: json.loads(r["categories"]) for r in db.query(
        "SELECT alert_id, categories FROM cases WHERE alert_id IS NOT NULL UNION ALL "
        "SELECT d.alert_id, c.categories FROM case_duplicates d JOIN cases c ON c.case_id = d.case_id "
        "WHERE d.alert_id IS NOT NULL")}


def of_alert(db: StateDB, alert_id: int, post_ids: list[str]) -> list[dict[str, Any]]:
    """Cases opened from the alert or about one of its posts, oldest first."""
    db.ensure(SCHEMA)
    return db.query("SELECT * FROM cases WHERE alert_id = ? OR post_id IN (SELECT value FROM "
                    "json_each(?)) ORDER BY case_id", (int(alert_id), json.dumps(post_ids)))


def quality_between(db: StateDB, since: str, until: str) -> dict[str, dict[str, int]]:
    """工单质检 per branch from `since` up to `until`: cases closed (办结) and closed as 无效工单,
    closures sampled into 质检, checks decided (passed, returned) and 重复派单 folded."""
    db.ensure(SCHEMA)
    per: dict[str, dict[str, int]] = {}

    def add(branch: str, key: str, n: int) -> None:
        counts = per.setdefault(branch, dict.fromkeys(QUALITY_KEYS, 0))
        counts[key] += n

    for row in db.query("SELECT branch, invalid_reason IS NOT NULL AS invalid, count(*) AS n FROM cases "
                        "WHERE status = '已办结' AND closed_at >= ? AND closed_at < ? "
                        "GROUP BY branch, invalid", (since, until)):
        add(row["branch"], "invalid" if row["invalid"] else "closed", row["n"])
    for row in db.query("SELECT branch, count(*) AS n FROM case_checks WHERE sampled_at >= ? AND "
                        "sampled_at < ? GROUP BY branch", (since, until)):
        add(row["branch"], "sampled", row["n"])
    for row in db.query("SELECT branch, result, count(*) AS n FROM case_checks WHERE result IS NOT NULL "
                        "AND checked_at >= ? AND checked_at < ? GROUP BY branch, result", (since, until)):
        add(row["branch"], row["result"], row["n"])
    for row in db.query("SELECT branch, count(*) AS n FROM case_duplicates WHERE at >= ? AND at < ? "
                        "GROUP BY branch", (since, until)):
        add(row["branch"], "duplicates", row["n"])
    return per

