"""The reply-script library: drafts, review, approval (never by the author), retirement, use.

Every call takes the acting `accounts.User`. Anyone signed in may read and draft; reviewers and
admins review, approve and retire; nobody approves a version they wrote.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Iterable

from accounts.models import PermissionDenied, User
from core.db import StateDB
from core.post import CST, iso, now_cst
from core.vocab import CATEGORIES
from reply_scripts.models import (APPROVED, DRAFT, IN_REVIEW, RETIRED, STATUS_LABELS, Script, ScriptError,
                                  ScriptVersion)
from reply_scripts.schema import SCHEMA

REVIEWERS = ("reviewer", "admin")
# The workflow actions on a script, by the names the console and `available_actions` use.
ACTIONS = {"edit": "修改", "submit": "提交审核", "approve": "批准", "reject": "退回", "retire": "停用"}
REVIEWER_ACTIONS = ("approve", "reject", "retire")
# The starter library is a vetted package shipped with the product: it is loaded as approved,
# with this name as approver, so the approval rule (author ≠ approver) still holds in the data.
STARTER_APPROVER = "starter-library"
EDITABLE = ("title", "categories", "scenario", "body", "risk_note", "tiers")


class ScriptService:
    """Scripts in the state DB."""

    def __init__(self, db: StateDB):
        self.db = db
        db.ensure(SCHEMA)

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _reader(actor: User) -> None:
        if not actor.active:
            raise PermissionDenied(f"账号 {actor.username} 已停用")

    def _versions(self, script_id: int) -> list[ScriptVersion]:
        rows = self.db.query("SELECT * FROM script_versions WHERE script_id = ? ORDER BY version",
                             (script_id,))
        return [ScriptVersion.from_row(r) for r in rows]

    def _script(self, script_id: int) -> Script:
        rows = self.db.query("SELECT * FROM scripts WHERE script_id = ?", (int(script_id),))
        if not rows:
            raise ScriptError(f"口径 {script_id} 不存在")
        versions = self._versions(int(script_id))
        approved = [v for v in versions if v.status == APPROVED]
        return Script(**rows[0], official=approved[-1] if approved else None, latest=versions[-1],
                      history=versions)

    @staticmethod
    def _clean(fields: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in fields.items() if k in EDITABLE and v is not None}
        if "categories" in out:
            cats = [c.strip() for c in (out["categories"] if not isinstance(out["categories"], str)
                                        else out["categories"].replace("，", ",").split(","))
                    if c.strip()]
            unknown = [c for c in cats if c not in CATEGORIES]
            if unknown:
                raise ScriptError(f"未知分类：{'、'.join(unknown)}；可选：{'、'.join(CATEGORIES)}")
            out["categories"] = cats
        if "tiers" in out:
            raw = out["tiers"]
            if isinstance(raw, (int, str)):
                raw = str(raw).replace("，", ",").replace("、", ",").split(",")
            try:
                tiers = sorted({int(str(t).strip().rstrip("级")) for t in raw if str(t).strip()})
            except ValueError:
                raise ScriptError(f"适用等级须为 0–4 的整数：{out['tiers']!r}") from None
            if any(t < 0 or t > 4 for t in tiers):
                raise ScriptError(f"适用等级须为 0–4 的整数：{out['tiers']!r}")
            out["tiers"] = tiers
        for key in ("title", "scenario", "body"):
            if key in out and not str(out[key]).strip():
                raise ScriptError(f"口径的{ {'title': '标题', 'scenario': '适用场景', 'body': '正文'}[key] }不能为空")
        return out

    def _insert_version(self, script_id: int, version: int, fields: dict[str, Any], status: str,
                        author: str, now: str, **extra: Any) -> None:
        self.db.execute(
            "INSERT INTO script_versions (script_id, version, title, categories, scenario, body, "
            "risk_note, status, author, created_at, submitted_at, approver, approved_at, tiers) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (script_id, version, fields["title"].strip(),
             json.dumps(fields.get("categories", []), ensure_ascii=False), fields["scenario"].strip(),
             fields["body"].strip(), (fields.get("risk_note") or "").strip(), status, author, now,
             extra.get("submitted_at"), extra.get("approver"), extra.get("approved_at"),
             json.dumps(fields.get("tiers", []))))

    def _set(self, script_id: int, version: int, **values: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(f"UPDATE script_versions SET {sets} WHERE script_id = ? AND version = ?",
                        (*values.values(), script_id, version))

    # --- writing ---------------------------------------------------------------------------
    def create(self, actor: User, title: str, categories: Iterable[str] | str, scenario: str,
               body: str, risk_note: str = "", code: str | None = None,
               now: datetime | None = None, tiers: Iterable[int] | str = ()) -> Script:
        """A new script as a draft (version 1) written by the actor."""
        self._reader(actor)
        fields = self._clean({"title": title, "categories": categories, "scenario": scenario,
                              "body": body, "risk_note": risk_note, "tiers": list(tiers)
                              if not isinstance(tiers, str) else tiers})
        for key in ("title", "scenario", "body"):
            fields.setdefault(key, "")
            if not fields[key].strip():
                raise ScriptError("口径的标题、适用场景和正文都不能为空")
        with self.db.atomic():
            return self._create(actor, fields, code, iso(now or now_cst()))

    def _create(self, actor: User, fields: dict[str, Any], code: str | None, stamp: str) -> Script:
        if code and self.db.query("SELECT 1 FROM scripts WHERE code = ?", (code,)):
            raise ScriptError(f"口径编号 {code} 已存在")
        script_id = self._new_script(code, actor, stamp)
        self._insert_version(script_id, 1, fields, DRAFT, actor.username, stamp)
        return self._script(script_id)

    def _new_script(self, code: str | None, actor: User, stamp: str) -> int:
        """A script row; without a code it is numbered KJ-0001… after its id."""
        cur = self.db.execute("INSERT INTO scripts (code, created_by, created_at) VALUES (?, ?, ?)",
                              (code or f"tmp-{stamp}-{uuid.uuid4().hex}", actor.username, stamp))
        script_id = int(cur.lastrowid)
        if not code:
            self.db.execute("UPDATE scripts SET code = ? WHERE script_id = ?",
                            (f"KJ-{script_id:04d}", script_id))
        return script_id

    # --- the workflow --------------------------------------------------------------------
    @staticmethod
    def _refusal(actor: User, script: Script, action: str) -> Exception | None:
        """Why `actor` may not take `action` on `script` now (the error to raise), or None.

        One place for the library's rules: each workflow call raises what this returns, and
        `available_actions` offers exactly the actions it allows."""
        latest = script.latest
        if action in REVIEWER_ACTIONS:
            try:
                actor.require(*REVIEWERS, action=ACTIONS[action] + "口径")
            except PermissionDenied as exc:
                return exc
        elif not actor.active:
            return PermissionDenied(f"账号 {actor.username} 已停用")
        own = latest.author == actor.username
        if action == "edit":
            if latest.status == DRAFT and not own and actor.role not in REVIEWERS:
                return PermissionDenied("只能修改自己起草的口径草稿")
            if latest.status == IN_REVIEW:
                return ScriptError("口径正在审核中，请等待审核结果或由审核人退回后再修改")
        elif action == "submit":
            if latest.status != DRAFT:
                return ScriptError(f"只有草稿可以提交审核（当前：{latest.status_label}）")
            if not own and actor.role not in REVIEWERS:
                return PermissionDenied("只能提交自己起草的口径")
        elif action in ("approve", "reject"):
            if latest.status != IN_REVIEW:
                return ScriptError(f"只有待审核的口径可以{ACTIONS[action]}"
                                   f"（当前：{latest.status_label}）")
            if action == "approve" and own:
                return PermissionDenied("不能审批自己起草的口径，请由其他审核人审批")
        elif action == "retire" and script.official is None:
            return ScriptError("该口径没有已批准的版本，无需停用")
        return None

    def _allowed(self, actor: User, script_id: int, action: str) -> Script:
        script = self._script(script_id)
        refusal = self._refusal(actor, script, action)
        if refusal is not None:
            raise refusal
        return script

    def available_actions(self, actor: User, script_id: int) -> list[str]:
        """The workflow actions (ACTIONS' keys) the actor may take on the script now, so a page
        offers only what the library will accept."""
        script = self._script(script_id)
        return [a for a in ACTIONS if self._refusal(actor, script, a) is None]

    def why_not(self, actor: User, script_id: int, action: str) -> str | None:
        """Why the actor may not take `action` on the script now (Chinese), or None if they may."""
        refusal = self._refusal(actor, self._script(script_id), action)
        return None if refusal is None else str(refusal)

    def edit(self, actor: User, script_id: int, now: datetime | None = None, **fields: Any) -> Script:
        """Change the newest version while it is a draft; an approved script gets a new draft version."""
        self._reader(actor)
        latest = self._script(script_id).latest
        changes = self._clean(fields)
        self._allowed(actor, script_id, "edit")
        if latest.status == DRAFT:
            if changes:
                self._set(script_id, latest.version, **{k: json.dumps(v, ensure_ascii=False)
                                                        if isinstance(v, list) else v
                                                        for k, v in changes.items()})
            return self._script(script_id)
        base = {k: getattr(latest, k) for k in EDITABLE}
        base.update(changes)
        self._insert_version(script_id, latest.version + 1, base, DRAFT, actor.username,
                             iso(now or now_cst()))
        return self._script(script_id)

    def submit(self, actor: User, script_id: int, now: datetime | None = None) -> Script:
        """Send the newest draft for review (its author, or a reviewer/admin)."""
        latest = self._allowed(actor, script_id, "submit").latest
        self._set(script_id, latest.version, status=IN_REVIEW, submitted_at=iso(now or now_cst()))
        return self._script(script_id)

    def approve(self, actor: User, script_id: int, note: str = "", now: datetime | None = None) -> Script:
        """Approve the version in review; the previous approved version is retired (superseded)."""
        latest = self._allowed(actor, script_id, "approve").latest
        stamp = iso(now or now_cst())
        with self.db.atomic():
            self._supersede(script_id, latest, stamp, note, actor)
        return self._script(script_id)

    def _supersede(self, script_id: int, latest: ScriptVersion, stamp: str, note: str,
                   actor: User) -> None:
        for version in self._versions(script_id):
            if version.status == APPROVED:
                self._set(script_id, version.version, status=RETIRED, retired_at=stamp,
                          review_note=(version.review_note + f"；被第 {latest.version} 版取代").lstrip("；"))
        self._set(script_id, latest.version, status=APPROVED, approver=actor.username,
                  approved_at=stamp, review_note=note)

    def reject(self, actor: User, script_id: int, note: str, now: datetime | None = None) -> Script:
        """Send the version in review back to draft with the reviewer's note."""
        latest = self._allowed(actor, script_id, "reject").latest
        if not note.strip():
            raise ScriptError("退回口径需要填写审核意见")
        self._set(script_id, latest.version, status=DRAFT, submitted_at=None, review_note=note.strip())
        return self._script(script_id)

    def retire(self, actor: User, script_id: int, reason: str = "", now: datetime | None = None) -> Script:
        """Stop offering a script: its approved version becomes retired."""
        official = self._allowed(actor, script_id, "retire").official
        assert official is not None  # _refusal refuses a script without one
        self._set(script_id, official.version, status=RETIRED,
                  retired_at=iso(now or now_cst()), review_note=reason)
        return self._script(script_id)

    # --- reading ---------------------------------------------------------------------------
    def get(self, actor: User, script_id: int) -> Script:
        """One script with its official version, newest version and full history."""
        self._reader(actor)
        return self._script(script_id)

    def list_scripts(self, actor: User, status: str | None = None, category: str | None = None,
                     query: str = "") -> list[Script]:
        """Scripts whose newest version has `status` (any when None), in `category`, matching `query`."""
        self._reader(actor)
        if status and status not in STATUS_LABELS:
            reverse = {v: k for k, v in STATUS_LABELS.items()}
            if status not in reverse:
                raise ScriptError(f"未知状态 {status!r}；可选：{', '.join(STATUS_LABELS)}")
            status = reverse[status]
        out = []
        for row in self.db.query("SELECT script_id FROM scripts ORDER BY code"):
            script = self._script(row["script_id"])
            shown = script.official if status == APPROVED else script.latest
            if status == APPROVED and shown is None:
                continue
            if status and status != APPROVED and script.latest.status != status:
                continue
            shown = shown or script.latest
            if category and category not in shown.categories:
                continue
            if query and not any(query in t for t in (shown.title, shown.scenario, shown.body)):
                continue
            out.append(script)
        return out

    def official_versions(self) -> list[tuple[Script, ScriptVersion]]:
        """Every script's approved version (what may be offered as an official reply)."""
        out = []
        for row in self.db.query("SELECT DISTINCT script_id FROM script_versions WHERE status = ?",
                                 (APPROVED,)):
            script = self._script(row["script_id"])
            assert script.official is not None
            out.append((script, script.official))
        return out

    def record_use(self, actor: User, script_id: int, case_id: int | None = None,
                   now: datetime | None = None) -> int:
        """Count one use of a script's approved version in a reply; returns that version."""
        self._reader(actor)
        script = self._script(script_id)
        if script.official is None:
            raise ScriptError(f"口径 {script.code} 没有已批准的版本，不能作为官方回复使用")
        with self.db.atomic():
            self.db.execute("INSERT INTO script_uses (script_id, version, case_id, username, at) "
                            "VALUES (?, ?, ?, ?, ?)", (script.script_id, script.official.version,
                                                       case_id, actor.username,
                                                       iso((now or now_cst()).astimezone(CST))))
            self.db.execute("UPDATE scripts SET use_count = use_count + 1 WHERE script_id = ?",
                            (script.script_id,))
        return script.official.version

    # --- bulk ------------------------------------------------------------------------------
    def import_records(self, actor: User, records: Iterable[dict[str, Any]],
                       as_approved_by: str | None = None) -> dict[str, int]:
        """Add scripts from dicts, all or none (see `_import`)."""
        with self.db.atomic():
            return self._import(actor, records, as_approved_by)

    def _import(self, actor: User, records: Iterable[dict[str, Any]],
                as_approved_by: str | None = None) -> dict[str, int]:
        """Add scripts from dicts (title, categories, scenario, body, risk_note, code).

        A record whose code exists and differs becomes a new draft version of that script.
        Records land as drafts; only `load_starter` passes `as_approved_by`.
        """
        if as_approved_by is None:
            self._reader(actor)
        counts = {"created": 0, "new_versions": 0, "unchanged": 0}
        for number, record in enumerate(records, 1):
            try:
                fields = self._clean(record)
                missing = [k for k in ("title", "scenario", "body") if not fields.get(k)]
                if missing:
                    raise ScriptError(f"缺少字段 {', '.join(missing)}")
            except ScriptError as exc:
                raise ScriptError(f"第 {number} 条：{exc}") from None
            code = str(record.get("code") or "").strip() or None
            existing = self.db.query("SELECT script_id FROM scripts WHERE code = ?", (code,)) if code else []
            if existing:
                script = self._script(existing[0]["script_id"])
                latest = script.latest
                if all(getattr(latest, k) == fields.get(k, getattr(latest, k)) for k in EDITABLE):
                    counts["unchanged"] += 1
                    continue
                self.edit(actor, script.script_id, **fields)
                counts["new_versions"] += 1
                continue
            stamp = iso(now_cst())
            if as_approved_by:
                script_id = self._new_script(code, actor, stamp)
                self._insert_version(script_id, 1, fields, APPROVED, actor.username, stamp,
                                     submitted_at=stamp, approver=as_approved_by, approved_at=stamp)
            else:
                self.create(actor, code=code, **fields)
            counts["created"] += 1
        return counts

    def export_records(self, actor: User, official_only: bool = False) -> list[dict[str, Any]]:
        """Each script's official version (or newest when none / not official_only) as a dict."""
        self._reader(actor)
        out = []
        for script in self.list_scripts(actor):
            version = script.official or (None if official_only else script.latest)
            if version is None:
                continue
            out.append({"code": script.code, "title": version.title, "categories": version.categories,
                        "scenario": version.scenario, "body": version.body,
                        "risk_note": version.risk_note, "tiers": version.tiers, "status": version.status,
                        "version": version.version, "author": version.author,
                        "approver": version.approver or "", "use_count": script.use_count})
        return out

    def count(self) -> int:
        return self.db.query("SELECT count(*) AS n FROM scripts")[0]["n"]
