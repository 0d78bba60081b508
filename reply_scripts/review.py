"""The reviewed, versioned library every official text goes through: draft → in review →
approved → retired, a new draft version for each change of an approved entry, nobody
approving a version they wrote, only reviewers and admins approving, rejecting and retiring.

`ReviewedLibrary` holds that workflow once. A library (reply scripts here; troubleshooting
guides and typical cases in knowledge/) names its two tables, its id column, its records'
classes and the noun its messages use, and checks its own fields (`_clean`, after the shared part).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, ClassVar, Iterable

from accounts.models import PermissionDenied, User
from core.db import Schema, StateDB
from core.post import iso, now_cst
from core.vocab import CATEGORIES
from reply_scripts.models import APPROVED, DRAFT, IN_REVIEW, RETIRED, STATUS_LABELS, ScriptError

REVIEWERS = ("reviewer", "admin")
# The workflow actions on an entry, by the names the console and `available_actions` use.
ACTIONS = {"edit": "修改", "submit": "提交审核", "approve": "批准", "reject": "退回", "retire": "停用"}
REVIEWER_ACTIONS = ("approve", "reject", "retire")


def clean_categories(value: Iterable[str] | str, error: type[ValueError] = ScriptError) -> list[str]:
    """Category names from a list or a comma-separated text, each one of core.vocab's."""
    cats = [c.strip() for c in (value if not isinstance(value, str)
                                else value.replace("，", ",").replace("、", ",").split(","))
            if c.strip()]
    unknown = [c for c in cats if c not in CATEGORIES]
    if unknown:
        raise error(f"未知分类：{'、'.join(unknown)}；可选：{'、'.join(CATEGORIES)}")
    return cats


class ReviewedLibrary:
    """Versioned entries in two state.db tables, moved through review by the acting user."""

    ENTRIES: ClassVar[str]        # the table of entries: KEY, code, created_by, created_at …
    VERSIONS: ClassVar[str]       # the table of versions: KEY, version, status, author … fields
    KEY: ClassVar[str]            # the id column of both
    NOUN: ClassVar[str]           # what the messages call an entry (口径, 指引 …)
    CODE_PREFIX: ClassVar[str]    # the code of an entry created without one: PREFIX-0001
    EDITABLE: ClassVar[tuple[str, ...]]     # the version's own columns
    LISTS: ClassVar[tuple[str, ...]]        # those of EDITABLE holding a list (JSON in the table)
    TEXT_FIELDS: ClassVar[tuple[str, ...]]   # the fields a listing's query searches
    ENTRY: ClassVar[Any]          # a class taking an entries row + official, latest, history
    VERSION: ClassVar[Any]        # a class with from_row(versions row)
    ERROR: ClassVar[type[ValueError]] = ScriptError
    SCHEMA: ClassVar[Schema]      # the owning package's tables, both of the library's among them

    def __init__(self, db: StateDB):
        self.db = db
        db.ensure(self.SCHEMA)

    # --- the fields: each library adds its own checks to `_clean` ---------------------------
    def _clean(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The editable fields given in `fields`, categories checked (raises ERROR)."""
        out = {k: v for k, v in fields.items() if k in self.EDITABLE and v is not None}
        if "categories" in out:
            out["categories"] = clean_categories(out["categories"], self.ERROR)
        return out

    def _insert_version(self, entry_id: int, version: int, fields: dict[str, Any], status: str,
                        author: str, now: str, **extra: Any) -> None:
        """A version row: the editable fields (text stripped, a missing one empty), then the
        review columns; `extra` gives submitted_at, approver and approved_at."""
        values = [json.dumps(fields.get(k) or [], ensure_ascii=False) if k in self.LISTS
                  else str(fields.get(k) or "").strip() for k in self.EDITABLE]
        columns = (self.KEY, "version", *self.EDITABLE, "status", "author", "created_at",
                   "submitted_at", "approver", "approved_at")
        self.db.execute(f"INSERT INTO {self.VERSIONS} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})",
                        (entry_id, version, *values, status, author, now,
                         extra.get("submitted_at"), extra.get("approver"), extra.get("approved_at")))

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _reader(actor: User) -> None:
        if not actor.active:
            raise PermissionDenied(f"账号 {actor.username} 已停用")

    def _versions(self, entry_id: int) -> list[Any]:
        rows = self.db.query(f"SELECT * FROM {self.VERSIONS} WHERE {self.KEY} = ? ORDER BY version",
                             (entry_id,))
        return [self.VERSION.from_row(r) for r in rows]

    def _entry(self, entry_id: int) -> Any:
        rows = self.db.query(f"SELECT * FROM {self.ENTRIES} WHERE {self.KEY} = ?", (int(entry_id),))
        if not rows:
            raise self.ERROR(f"{self.NOUN} {entry_id} 不存在")
        versions = self._versions(int(entry_id))
        approved = [v for v in versions if v.status == APPROVED]
        return self.ENTRY(**rows[0], official=approved[-1] if approved else None,
                          latest=versions[-1], history=versions)

    def _set(self, entry_id: int, version: int, **values: Any) -> None:
        values = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                  for k, v in values.items()}
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(f"UPDATE {self.VERSIONS} SET {sets} WHERE {self.KEY} = ? AND version = ?",
                        (*values.values(), entry_id, version))

    def _new_entry(self, code: str | None, actor: User, stamp: str) -> int:
        """An entries row; without a code it is numbered PREFIX-0001… after its id."""
        if code and self.db.query(f"SELECT 1 FROM {self.ENTRIES} WHERE code = ?", (code,)):
            raise self.ERROR(f"{self.NOUN}编号 {code} 已存在")
        cur = self.db.execute(f"INSERT INTO {self.ENTRIES} (code, created_by, created_at) "
                              "VALUES (?, ?, ?)",
                              (code or f"tmp-{stamp}-{uuid.uuid4().hex}", actor.username, stamp))
        entry_id = int(cur.lastrowid)
        if not code:
            self.db.execute(f"UPDATE {self.ENTRIES} SET code = ? WHERE {self.KEY} = ?",
                            (f"{self.CODE_PREFIX}-{entry_id:04d}", entry_id))
        return entry_id

    # --- the workflow ----------------------------------------------------------------------
    def _refusal(self, actor: User, entry: Any, action: str) -> Exception | None:
        """Why `actor` may not take `action` on `entry` now (the error to raise), or None.

        One place for the rules: each workflow call raises what this returns, and
        `available_actions` offers exactly the actions it allows."""
        latest, noun = entry.latest, self.NOUN
        if action in REVIEWER_ACTIONS:
            try:
                actor.require(*REVIEWERS, action=ACTIONS[action] + noun)
            except PermissionDenied as exc:
                return exc
        elif not actor.active:
            return PermissionDenied(f"账号 {actor.username} 已停用")
        own = latest.author == actor.username
        if action == "edit":
            if latest.status == DRAFT and not own and actor.role not in REVIEWERS:
                return PermissionDenied(f"只能修改自己起草的{noun}草稿")
            if latest.status == IN_REVIEW:
                return self.ERROR(f"{noun}正在审核中，请等待审核结果或由审核人退回后再修改")
        elif action == "submit":
            if latest.status != DRAFT:
                return self.ERROR(f"只有草稿可以提交审核（当前：{latest.status_label}）")
            if not own and actor.role not in REVIEWERS:
                return PermissionDenied(f"只能提交自己起草的{noun}")
        elif action in ("approve", "reject"):
            if latest.status != IN_REVIEW:
                return self.ERROR(f"只有待审核的{noun}可以{ACTIONS[action]}"
                                  f"（当前：{latest.status_label}）")
            if action == "approve" and own:
                return PermissionDenied(f"不能审批自己起草的{noun}，请由其他审核人审批")
        elif action == "retire" and entry.official is None:
            return self.ERROR(f"该{noun}没有已批准的版本，无需停用")
        return None

    def _allowed(self, actor: User, entry_id: int, action: str) -> Any:
        entry = self._entry(entry_id)
        refusal = self._refusal(actor, entry, action)
        if refusal is not None:
            raise refusal
        return entry

    def available_actions(self, actor: User, entry_id: int) -> list[str]:
        """The workflow actions (ACTIONS' keys) the actor may take on the entry now, so a page
        offers only what the library will accept."""
        entry = self._entry(entry_id)
        return [a for a in ACTIONS if self._refusal(actor, entry, a) is None]

    def why_not(self, actor: User, entry_id: int, action: str) -> str | None:
        """Why the actor may not take `action` on the entry now (Chinese), or None if they may."""
        refusal = self._refusal(actor, self._entry(entry_id), action)
        return None if refusal is None else str(refusal)

    def edit(self, actor: User, entry_id: int, now: datetime | None = None, **fields: Any) -> Any:
        """Change the newest version while it is a draft; an approved entry gets a new draft version."""
        self._reader(actor)
        latest = self._entry(entry_id).latest
        changes = self._clean(fields)
        self._allowed(actor, entry_id, "edit")
        if latest.status == DRAFT:
            if changes:
                self._set(entry_id, latest.version, **changes)
            return self._entry(entry_id)
        base = {k: getattr(latest, k) for k in self.EDITABLE}
        base.update(changes)
        self._insert_version(entry_id, latest.version + 1, base, DRAFT, actor.username,
                             iso(now or now_cst()))
        return self._entry(entry_id)

    def submit(self, actor: User, entry_id: int, now: datetime | None = None) -> Any:
        """Send the newest draft for review (its author, or a reviewer/admin)."""
        latest = self._allowed(actor, entry_id, "submit").latest
        self._set(entry_id, latest.version, status=IN_REVIEW, submitted_at=iso(now or now_cst()))
        return self._entry(entry_id)

    def approve(self, actor: User, entry_id: int, note: str = "", now: datetime | None = None) -> Any:
        """Approve the version in review; the previous approved version is retired (superseded)."""
        latest = self._allowed(actor, entry_id, "approve").latest
        stamp = iso(now or now_cst())
        with self.db.atomic():
            for version in self._versions(entry_id):
                if version.status == APPROVED:
                    self._set(entry_id, version.version, status=RETIRED, retired_at=stamp,
                              review_note=(version.review_note
                                           + f"；被第 {latest.version} 版取代").lstrip("；"))
            self._set(entry_id, latest.version, status=APPROVED, approver=actor.username,
                      approved_at=stamp, review_note=note)
        return self._entry(entry_id)

    def reject(self, actor: User, entry_id: int, note: str, now: datetime | None = None) -> Any:
        """Send the version in review back to draft with the reviewer's note."""
        latest = self._allowed(actor, entry_id, "reject").latest
        if not note.strip():
            raise self.ERROR(f"退回{self.NOUN}需要填写审核意见")
        self._set(entry_id, latest.version, status=DRAFT, submitted_at=None,
                  review_note=note.strip())
        return self._entry(entry_id)

    def retire(self, actor: User, entry_id: int, reason: str = "", now: datetime | None = None) -> Any:
        """Stop offering an entry: its approved version becomes retired."""
        official = self._allowed(actor, entry_id, "retire").official
        assert official is not None  # _refusal refuses an entry without one
        self._set(entry_id, official.version, status=RETIRED,
                  retired_at=iso(now or now_cst()), review_note=reason)
        return self._entry(entry_id)

    # --- reading ---------------------------------------------------------------------------
    def get(self, actor: User, entry_id: int) -> Any:
        """One entry with its official version, newest version and full history."""
        self._reader(actor)
        return self._entry(entry_id)

    def _listing(self, actor: User, status: str | None, category: str | None,
                 query: str) -> list[Any]:
        """Entries whose newest version has `status` (any when None; the approved version when
        'approved'), in `category`, with `query` in one of TEXT_FIELDS."""
        self._reader(actor)
        if status and status not in STATUS_LABELS:
            reverse = {v: k for k, v in STATUS_LABELS.items()}
            if status not in reverse:
                raise self.ERROR(f"未知状态 {status!r}；可选：{', '.join(STATUS_LABELS)}")
            status = reverse[status]
        out = []
        for row in self.db.query(f"SELECT {self.KEY} FROM {self.ENTRIES} ORDER BY code"):
            entry = self._entry(row[self.KEY])
            shown = entry.official if status == APPROVED else entry.latest
            if status == APPROVED and shown is None:
                continue
            if status and status != APPROVED and entry.latest.status != status:
                continue
            shown = shown or entry.latest
            if category and category not in shown.categories:
                continue
            if query and not any(query in str(getattr(shown, f)) for f in self.TEXT_FIELDS):
                continue
            out.append(entry)
        return out

    def official_versions(self) -> list[tuple[Any, Any]]:
        """Every entry's approved version (what may be offered as official)."""
        out = []
        for row in self.db.query(f"SELECT DISTINCT {self.KEY} FROM {self.VERSIONS} "
                                 "WHERE status = ?", (APPROVED,)):
            entry = self._entry(row[self.KEY])
            assert entry.official is not None
            out.append((entry, entry.official))
        return out

    def count(self) -> int:
        return self.db.query(f"SELECT count(*) AS n FROM {self.ENTRIES}")[0]["n"]
