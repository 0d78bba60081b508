"""典型案例: closed cases worth learning from, proposed by whoever may read the case, approved by
a reviewer (reply_scripts.review's workflow), with personal data removed before anyone else reads
them. Approved, they are a library every role may search and the console suggests for new cases.

The case is read through the case service with the proposer's own permissions (a handler only
their cities' cases); the typical case keeps a scrubbed copy, so the library never reads the case
tables and a reviewer — who may not open cases — reviews only text already cleaned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from cases.service import CaseService
from cases.states import CLOSED
from core.post import iso, now_cst
from knowledge.models import KnowledgeError, TypicalCase, TypicalVersion
from knowledge.schema import SCHEMA
from knowledge.scrub import scrub, scrub_all
from reply_scripts.models import DRAFT
from reply_scripts.review import REVIEWERS, ReviewedLibrary

EDITABLE = ("title", "categories", "problem", "reply", "fix", "outcome", "lesson")
TEXTS = ("title", "problem", "reply", "fix", "outcome", "lesson")
PROPOSERS = ("handler", "monitor", "manager", "admin")


def _outcome(case: Any) -> str:
    """How the case ended, from its SLA record."""
    flags = case.flags
    first = "按时" if flags.get("responded_in_time") else "超时"
    closed = "按时" if flags.get("closed_in_time") else "超时"
    hours = (datetime.fromisoformat(case.closed_at)
             - datetime.fromisoformat(case.created_at)).total_seconds() / 3600
    return f"首次响应{first}，{closed}办结（建单至办结 {hours:.1f} 小时）"


class TypicalCaseService(ReviewedLibrary):
    """Typical cases in the state DB."""

    ENTRIES, VERSIONS, KEY, NOUN, CODE_PREFIX = ("typical_cases", "typical_versions", "typical_id",
                                                 "典型案例", "AL")
    EDITABLE, LISTS = EDITABLE, ("categories",)
    TEXT_FIELDS = TEXTS
    ENTRY, VERSION, ERROR = TypicalCase, TypicalVersion, KnowledgeError
    SCHEMA = SCHEMA

    def _clean(self, fields: dict[str, Any]) -> dict[str, Any]:
        out = super()._clean(fields)
        for key in TEXTS:
            if key in out:
                # An edit is scrubbed too: a reviewer's correction must not bring data back in.
                out[key] = scrub(str(out[key]).strip())
        for key, label in (("title", "标题"), ("problem", "问题描述")):
            if key in out and not out[key]:
                raise KnowledgeError(f"典型案例的{label}不能为空")
        return out

    # --- proposing -------------------------------------------------------------------------
    def propose(self, actor: User, cases: CaseService, case_id: int, lesson: str = "",
                now: datetime | None = None) -> TypicalCase:
        """A draft typical case from a closed case the actor may read: its complaint, online
        reply, offline fix and outcome, scrubbed of personal data."""
        actor.require(*PROPOSERS, action="推荐典型案例")
        case = cases.get(actor, case_id)
        if case.status != CLOSED:
            raise KnowledgeError(f"工单 {case.case_no} 尚未办结，办结后才能推荐为典型案例")
        taken = self.db.query("SELECT code FROM typical_cases WHERE case_id = ?", (case.case_id,))
        if taken:
            raise KnowledgeError(f"工单 {case.case_no} 已推荐为典型案例 {taken[0]['code']}")
        notes = cases.notes(actor, case.case_id)
        replies = [n["body"] for n in notes if n["kind"] == "online_reply"]
        fixes = [n["body"] for n in notes if n["kind"] == "offline_result"]
        fields: dict[str, Any] = scrub_all({
            "title": case.title, "problem": case.summary or case.title,
            "reply": "\n".join(replies) or case.reply_text or "",
            "fix": "\n".join(fixes) or case.offline_result or "", "lesson": lesson.strip()},
            names=[case.author])
        fields.update(categories=case.categories, outcome=_outcome(case))
        stamp = iso(now or now_cst())
        with self.db.atomic():
            cur = self.db.execute("INSERT INTO typical_cases (code, case_id, case_no, city, tier, "
                                  "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  (f"tmp-{case.case_id}", case.case_id, case.case_no,
                                   case.city or "", case.tier, actor.username, stamp))
            typical_id = int(cur.lastrowid)
            self.db.execute("UPDATE typical_cases SET code = ? WHERE typical_id = ?",
                            (f"{self.CODE_PREFIX}-{typical_id:04d}", typical_id))
            self._insert_version(typical_id, 1, fields, DRAFT, actor.username, stamp)
        return self._entry(typical_id)

    # --- reading: the approved library for everyone, drafts for their author and reviewers ---
    @staticmethod
    def _may_see_draft(actor: User, entry: TypicalCase) -> bool:
        return actor.role in REVIEWERS or any(v.author == actor.username for v in entry.history)

    def get(self, actor: User, typical_id: int) -> TypicalCase:
        """One typical case: approved ones for every user, unapproved ones for their authors and
        reviewers (the same "not found" for others)."""
        entry = super().get(actor, typical_id)
        if entry.official is None and not self._may_see_draft(actor, entry):
            raise KnowledgeError(f"典型案例 {typical_id} 不存在")
        return entry

    def list_typical(self, actor: User, status: str | None = None, category: str | None = None,
                     query: str = "") -> list[TypicalCase]:
        """Typical cases by status, category and text; without an approved version only the
        ones the actor wrote, or all for reviewers."""
        return [e for e in self._listing(actor, status, category, query)
                if e.official is not None or self._may_see_draft(actor, e)]

    def of_case(self, case_id: int) -> TypicalCase | None:
        """The typical case made from a case, if any."""
        rows = self.db.query("SELECT typical_id FROM typical_cases WHERE case_id = ?", (case_id,))
        return self._entry(rows[0]["typical_id"]) if rows else None
