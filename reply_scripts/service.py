"""The reply-script library: drafts, review, approval (never by the author), retirement, use.

Every call takes the acting `accounts.User`. Anyone signed in may read and draft; reviewers and
admins review, approve and retire; nobody approves a version they wrote (reply_scripts.review).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from accounts.models import User
from core.post import CST, iso, now_cst
from reply_scripts.models import APPROVED, DRAFT, Script, ScriptError, ScriptVersion
from reply_scripts.review import ReviewedLibrary
from reply_scripts.schema import SCHEMA

# The starter library is a vetted package shipped with the product: it is loaded as approved,
# with this name as approver, so the approval rule (author ≠ approver) still holds in the data.
STARTER_APPROVER = "starter-library"
EDITABLE = ("title", "categories", "scenario", "body", "risk_note", "tiers")


class ScriptService(ReviewedLibrary):
    """Scripts in the state DB."""

    ENTRIES, VERSIONS, KEY, NOUN, CODE_PREFIX = "scripts", "script_versions", "script_id", "口径", "KJ"
    EDITABLE, LISTS = EDITABLE, ("categories", "tiers")
    TEXT_FIELDS = ("title", "scenario", "body")
    ENTRY, VERSION = Script, ScriptVersion
    SCHEMA = SCHEMA

    def _clean(self, fields: dict[str, Any]) -> dict[str, Any]:
        out = super()._clean(fields)
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
            stamp = iso(now or now_cst())
            script_id = self._new_entry(code, actor, stamp)
            self._insert_version(script_id, 1, fields, DRAFT, actor.username, stamp)
            return self._entry(script_id)

    def list_scripts(self, actor: User, status: str | None = None, category: str | None = None,
                     query: str = "") -> list[Script]:
        """Scripts whose newest version has `status` (any when None), in `category`, matching `query`."""
        return self._listing(actor, status, category, query)

    def record_use(self, actor: User, script_id: int, case_id: int | None = None,
                   now: datetime | None = None) -> int:
        """Count one use of a script's approved version in a reply; returns that version."""
        self._reader(actor)
        script = self._entry(script_id)
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
                script = self._entry(existing[0]["script_id"])
                latest = script.latest
                if all(getattr(latest, k) == fields.get(k, getattr(latest, k)) for k in EDITABLE):
                    counts["unchanged"] += 1
                    continue
                self.edit(actor, script.script_id, **fields)
                counts["new_versions"] += 1
                continue
            stamp = iso(now_cst())
            if as_approved_by:
                script_id = self._new_entry(code, actor, stamp)
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
