"""The 质检 checks of closed cases (`case_checks`): one row per closure sampled, pending until a
reviewer passes or returns it. A closure is (case, closed_at): a case returned by 质检 and closed
again is a new closure, and comes back to 质检 by itself (复检).

Sampling is deterministic: a case's place in the sample order is SHA-256 of the configured seed,
its number and the time it was closed, so anyone with the data and the config gets the same
sample, and closing more cases later does not reshuffle the earlier ones.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from cases.states import CLOSED
from core.db import StateDB
from core.post import iso

BASIS_LABELS = {"tier4": "4级必检", "share": "比例抽检", "recheck": "退回复检"}
RESULT_LABELS = {"passed": "合格", "returned": "退回"}


def sample_key(seed: str, case_no: str, closed_at: str) -> str:
    """The case's place in the sample order (smallest first)."""
    return hashlib.sha256(f"{seed}\n{case_no}\n{closed_at}".encode()).hexdigest()


def closed_by(db: StateDB, case_id: int) -> str:
    """Who closed the case last (办结 or 标记无效)."""
    rows = db.query("SELECT actor FROM case_audit WHERE case_id = ? AND to_status = ? "
                    "ORDER BY audit_id DESC LIMIT 1", (case_id, CLOSED))
    return rows[0]["actor"] if rows else ""


def queue(db: StateDB, case: dict[str, Any], basis: str, by: str, now: datetime) -> bool:
    """Put a closed case's current closure into 质检; False when it is there already."""
    cur = db.execute(
        "INSERT OR IGNORE INTO case_checks (case_id, closed_at, closed_by, branch, tier, basis, "
        "sampled_at, sampled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (case["case_id"], case["closed_at"], closed_by(db, case["case_id"]), case["branch"],
         case["tier"], basis, iso(now), by))
    return cur.rowcount == 1


def requeue_returned(db: StateDB, case_id: int, now: datetime) -> bool:
    """A case whose last check returned it is checked again once it is closed again."""
    last = db.query("SELECT result FROM case_checks WHERE case_id = ? ORDER BY check_id DESC LIMIT 1",
                    (case_id,))
    if not last or last[0]["result"] != "returned":
        return False
    case = db.query("SELECT * FROM cases WHERE case_id = ?", (case_id,))[0]
    return queue(db, case, "recheck", "system", now)


def pending_of(db: StateDB, case_id: int, closed_at: str | None) -> dict[str, Any] | None:
    """The undecided check of the case's current closure, if it is in 质检."""
    rows = db.query("SELECT * FROM case_checks WHERE case_id = ? AND closed_at = ? AND result IS NULL",
                    (case_id, closed_at or ""))
    return rows[0] if rows else None


def pending(db: StateDB) -> list[dict[str, Any]]:
    """Undecided checks of cases still closed as sampled, oldest closure first, with the case."""
    return db.query(
        "SELECT k.check_id, k.basis, k.closed_by, k.sampled_at, c.* FROM case_checks k "
        "JOIN cases c ON c.case_id = k.case_id AND c.closed_at = k.closed_at "
        "WHERE k.result IS NULL AND c.status = ? ORDER BY k.closed_at, k.check_id", (CLOSED,))


def of_case(db: StateDB, case_id: int) -> list[dict[str, Any]]:
    """Every check of a case, oldest first."""
    return db.query("SELECT * FROM case_checks WHERE case_id = ? ORDER BY check_id", (case_id,))
