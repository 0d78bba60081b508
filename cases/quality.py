"""工单质检 over the case service: sample closed cases, pass or return them; fold a duplicate
case into the case it repeats; list the open cases that share a post.

Who: the roles of `cases.states.QUALITY_CHECKING` (监控员, 管理者, 管理员) — never on a case they
closed themselves. A returned case reopens to 处理中 at its branch with the reason as a 质检意见
note; closed again, it is checked again (cases.checks). Every step is in the case's audit log.

The sample of a window of closures (`sample`): every tier-4 case, and of the others the
`cases.quality.sample_share` (rounded up) that come first in the deterministic order of
cases.checks.sample_key — the same window and config always give the same cases.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from accounts.models import User
from cases import checks, duplicates
from cases.models import CaseError
from cases.service import CaseService
from cases.states import CLOSED, DISPATCHING, QUALITY_CHECKING
from core.post import CST, iso


def day_range(since: date, until: date) -> tuple[str, str]:
    """ISO bounds of the China days `since` to `until`, both included."""
    if until < since:
        raise CaseError(f"结束日期 {until} 早于开始日期 {since}")
    start = datetime.combine(since, time(), CST)
    return iso(start), iso(datetime.combine(until + timedelta(days=1), time(), CST))


class CaseQuality:
    """质检, 无效工单 and 重复派单 on the data, clock and permission checks of a CaseService."""

    def __init__(self, cases: CaseService):
        self.cases = cases
        self.db = cases.db

    def sample(self, actor: User, since: date, until: date, now: datetime | None = None) -> dict[str, Any]:
        """Put the sample of the cases closed from `since` to `until` (China days) into 质检.

        Returns {'closed', 'tier4', 'sampled', 'added', 'case_nos'}: added counts those not
        already in 质检 (sampling a window again adds nothing)."""
        actor.require(*QUALITY_CHECKING, action="抽取质检工单")
        now = self.cases._now(now)
        start, end = day_range(since, until)
        rows = self.db.query("SELECT * FROM cases WHERE status = ? AND closed_at >= ? AND closed_at < ? "
                             "ORDER BY case_id", (CLOSED, start, end))
        quality = self.cases.config.cases.quality
        must = [r for r in rows if r["tier"] >= 4]
        others = sorted((r for r in rows if r["tier"] < 4),
                        key=lambda r: checks.sample_key(quality.sample_seed, r["case_no"], r["closed_at"]))
        chosen = [(r, "tier4") for r in must] + \
                 [(r, "share") for r in others[:math.ceil(quality.sample_share * len(others))]]
        added = 0
        with self.db.atomic():
            for row, basis in chosen:
                if checks.queue(self.db, row, basis, actor.username, now):
                    added += 1
                    self.cases._audit(row["case_id"], actor, "qc_sample", CLOSED, CLOSED,
                                      f"抽入质检（{checks.BASIS_LABELS[basis]}）", now)
        return {"closed": len(rows), "tier4": len(must), "sampled": len(chosen), "added": added,
                "case_nos": [r["case_no"] for r, _ in chosen]}

    def pending(self, actor: User) -> list[dict[str, Any]]:
        """The cases waiting for 质检, oldest closure first (with basis and who closed them)."""
        actor.require(*QUALITY_CHECKING, action="查看质检工单")
        rows = checks.pending(self.db)
        for row in rows:
            row["basis_label"] = checks.BASIS_LABELS[row["basis"]]
        return rows

    def history(self, actor: User, case_id: int) -> list[dict[str, Any]]:
        """Every check of a case the actor may read, oldest first."""
        case = self.cases.get(actor, case_id)
        rows = checks.of_case(self.db, case.case_id)
        for row in rows:
            row["basis_label"] = checks.BASIS_LABELS[row["basis"]]
            row["result_label"] = checks.RESULT_LABELS.get(row["result"], "待质检")
        return rows

    def _pending_check(self, actor: User, case_id: int, label: str) -> tuple[Any, dict[str, Any]]:
        actor.require(*QUALITY_CHECKING, action=label)
        case = self.cases.get(actor, case_id)
        check = checks.pending_of(self.db, case.case_id, case.closed_at) if not case.is_open else None
        if check is None:
            raise CaseError(f"工单 {case.case_no} 不在待质检工单中（须为已抽检、仍办结的工单）")
        if check["closed_by"] == actor.username:
            raise CaseError(f"工单 {case.case_no} 由您办结，不能由您质检")
        return case, check

    def _decide(self, check: dict[str, Any], actor: User, result: str, comment: str, now: datetime) -> None:
        cur = self.db.execute("UPDATE case_checks SET result = ?, comment = ?, checked_at = ?, "
                              "checked_by = ? WHERE check_id = ? AND result IS NULL",
                              (result, comment, iso(now), actor.username, check["check_id"]))
        if cur.rowcount != 1:
            raise CaseError("该工单已被他人质检，请刷新后重试")

    def pass_case(self, actor: User, case_id: int, comment: str = "", now: datetime | None = None) -> Any:
        """质检合格: the case stays closed."""
        now = self.cases._now(now)
        case, check = self._pending_check(actor, case_id, "质检工单")
        comment = (comment or "").strip()
        with self.db.atomic():
            self._decide(check, actor, "passed", comment, now)
            self.cases._audit(case.case_id, actor, "qc_pass", CLOSED, CLOSED,
                              "质检合格" + (f"：{comment}" if comment else ""), now)
            if comment:
                self.cases._note(case.case_id, actor, "qc", comment, now)
        return self.cases.get(actor, case.case_id, now)

    def return_case(self, actor: User, case_id: int, reason: str, now: datetime | None = None) -> Any:
        """质检退回: the case reopens to 处理中 at its branch, the reason noted."""
        now = self.cases._now(now)
        case, check = self._pending_check(actor, case_id, "质检工单")
        reason = (reason or "").strip()
        if not reason:
            raise CaseError("质检退回需要填写退回原因")
        with self.db.atomic():
            self._decide(check, actor, "returned", reason, now)
            self.cases._move(actor, case.case_id, "qc_return", reason, now)
            self.cases._note(case.case_id, actor, "qc", reason, now)
        return self.cases.get(actor, case.case_id, now)

    def merge(self, actor: User, case_id: int, into_case_id: int, now: datetime | None = None) -> Any:
        """Fold the open case `case_id` into the open case it repeats: its posts join that case,
        it is closed as 无效工单 (重复派单), and one 重复派单 is counted on the kept case."""
        actor.require(*DISPATCHING, action="合并重复工单")
        now = self.cases._now(now)
        dup, kept = self.cases.get(actor, case_id, now), self.cases.get(actor, into_case_id, now)
        if dup.case_id == kept.case_id or not dup.is_open or not kept.is_open:
            raise CaseError("合并需要两张不同的未办结工单")
        posts = [r["post_id"] for r in self.db.query(
            "SELECT post_id FROM case_posts WHERE case_id = ? AND relation IN ('main', 'event')",
            (dup.case_id,))]
        with self.db.atomic():
            self.cases.act(actor, dup.case_id, "invalidate", f"重复派单，已并入 {kept.case_no}", now)
            self.cases._fold(actor, {"case_id": kept.case_id, "branch": kept.branch,
                                     "status": kept.status}, f"工单 {dup.case_no} 并入", posts, now,
                             duplicate_case_id=dup.case_id)
        return self.cases.get(actor, kept.case_id, now)

    def open_duplicates(self, actor: User) -> list[dict[str, Any]]:
        """Posts that are in more than one open case ({'post_id', 'cases': [case_no …]}): a
        duplicate made before the check at creation, for a monitor to merge."""
        actor.require(*DISPATCHING, action="查看重复派单")
        rows = self.db.query(
            "SELECT cp.post_id, group_concat(c.case_id) AS ids FROM case_posts cp JOIN cases c "
            "ON c.case_id = cp.case_id WHERE cp.relation IN ('main', 'event') AND c.status != ? "
            "GROUP BY cp.post_id HAVING count(DISTINCT c.case_id) > 1 ORDER BY min(c.case_id)", (CLOSED,))
        return [{"post_id": r["post_id"], "case_ids": sorted(int(i) for i in r["ids"].split(","))}
                for r in rows]

    def duplicates_of(self, actor: User, case_id: int) -> list[dict[str, Any]]:
        """The duplicate dispatches folded into a case the actor may read."""
        case = self.cases.get(actor, case_id)
        return duplicates.of_case(self.db, case.case_id)
