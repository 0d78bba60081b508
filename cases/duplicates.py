"""重复派单: the same post or event in two open cases is one complaint dispatched twice.

Decision: a duplicate is **merged**, not refused. A new case whose post (or one of whose event
posts) is already the main or an event post of an open case is not created: its posts join that
case as event posts, and the fold is recorded (`case_duplicates`) and audited on the kept case.
Refusing would leave a warning with no case and nobody to tell — most cases come from warnings,
with no person to read the refusal — while merging keeps its posts in front of the one handler
already working on the complaint. A monitor asking for a case of a post that is that open case's
own main post just gets the case (the same click twice is no duplicate). A duplicate opened
before this check (or the same complaint under another post) is folded by hand: `merge` closes
it as 无效工单 pointing to the kept case. Each fold counts as one 重复派单 of the kept case's branch.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from cases.states import CLOSED
from core.db import StateDB
from core.post import iso

CASE_RELATIONS = ("main", "event")   # the posts a case is about (same-author posts are context)


def open_case_of(db: StateDB, post_ids: Iterable[str], exclude: int | None = None) -> dict[str, Any] | None:
    """The oldest open case that has one of `post_ids` as its main or an event post, with the
    posts it shares (`shared`) and whether its main post is among them (`main_shared`)."""
    ids = json.dumps(list(post_ids))
    rows = db.query(
        "SELECT c.case_id, c.case_no, c.branch, c.status, cp.post_id, cp.relation FROM case_posts cp "
        "JOIN cases c ON c.case_id = cp.case_id WHERE cp.post_id IN (SELECT value FROM json_each(?)) "
        "AND cp.relation IN ('main', 'event') AND c.status != ? AND c.case_id != ? "
        "ORDER BY c.case_id", (ids, CLOSED, exclude if exclude is not None else -1))
    if not rows:
        return None
    first = [r for r in rows if r["case_id"] == rows[0]["case_id"]]
    return {**{k: rows[0][k] for k in ("case_id", "case_no", "branch", "status")},
            "shared": [r["post_id"] for r in first],
            "main_shared": any(r["relation"] == "main" for r in first)}


def attach_posts(db: StateDB, case_id: int, post_ids: Iterable[str]) -> None:
    """Add posts to a case as event posts (a post it has already keeps its relation)."""
    db.conn.executemany("INSERT OR IGNORE INTO case_posts VALUES (?, ?, 'event')",
                        [(case_id, pid) for pid in post_ids])


def record(db: StateDB, kept: dict[str, Any], actor: str, origin: str, post_ids: Iterable[str],
           now: datetime, alert_id: int | None = None, duplicate_case_id: int | None = None) -> None:
    """One 重复派单 folded into the open case `kept`."""
    db.execute("INSERT INTO case_duplicates (case_id, branch, at, actor, origin, post_ids, alert_id, "
               "duplicate_case_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (kept["case_id"], kept["branch"], iso(now), actor, origin,
                json.dumps(list(post_ids)), alert_id, duplicate_case_id))


def merged_alert_ids(db: StateDB) -> list[int]:
    """Warnings whose case was folded into another (they get no case of their own)."""
    return [r["alert_id"] for r in db.query(
        "SELECT alert_id FROM case_duplicates WHERE alert_id IS NOT NULL")]


def of_case(db: StateDB, case_id: int) -> list[dict[str, Any]]:
    """The duplicates folded into a case, oldest first."""
    return db.query("SELECT * FROM case_duplicates WHERE case_id = ? ORDER BY dup_id", (case_id,))
