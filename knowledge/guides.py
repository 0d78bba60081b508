"""Troubleshooting guides (排障指引): per category and problem, the steps a handler follows, the
checks before closing, and who to hand over to. Reviewed like reply scripts (reply_scripts.review):
only an approved version is shown beside a case.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from accounts.models import SYSTEM, User
from core.post import iso, now_cst
from core.yamlio import load_yaml_file
from knowledge.models import Guide, GuideVersion, KnowledgeError
from knowledge.schema import SCHEMA
from reply_scripts.models import APPROVED, DRAFT
from reply_scripts.review import ReviewedLibrary

SEED_GUIDES = Path(__file__).resolve().parent / "seed_guides.yaml"
# The shipped guides are loaded as approved under this name, as the starter scripts are, so the
# rule that nobody approves what they wrote still holds in the data.
SEED_APPROVER = "seed-guides"
EDITABLE = ("title", "categories", "topic", "symptoms", "steps", "checks", "handover")
REQUIRED = {"title": "标题", "symptoms": "问题现象", "steps": "排查步骤"}


def _lines(value: Any) -> list[str]:
    """A list of non-empty lines from a list or a text with one item per line."""
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [str(i).strip() for i in items if str(i).strip()]


class GuideService(ReviewedLibrary):
    """Guides in the state DB."""

    ENTRIES, VERSIONS, KEY, NOUN, CODE_PREFIX = "guides", "guide_versions", "guide_id", "指引", "ZY"
    EDITABLE, LISTS = EDITABLE, ("categories", "steps", "checks")
    TEXT_FIELDS = ("title", "topic", "symptoms", "steps", "checks", "handover")
    ENTRY, VERSION, ERROR = Guide, GuideVersion, KnowledgeError
    SCHEMA = SCHEMA

    def _clean(self, fields: dict[str, Any]) -> dict[str, Any]:
        out = super()._clean(fields)
        for key in ("steps", "checks"):
            if key in out:
                out[key] = _lines(out[key])
        for key in ("title", "topic", "symptoms", "handover"):
            if key in out:
                out[key] = str(out[key]).strip()
        for key, label in REQUIRED.items():
            if key in out and not out[key]:
                raise KnowledgeError(f"指引的{label}不能为空")
        return out

    def _complete(self, record: dict[str, Any]) -> dict[str, Any]:
        fields = self._clean(record)
        missing = [label for key, label in REQUIRED.items() if not fields.get(key)]
        if missing:
            raise KnowledgeError(f"指引缺少{'、'.join(missing)}")
        return fields

    def create(self, actor: User, title: str, categories: Iterable[str] | str, symptoms: str,
               steps: Iterable[str] | str, checks: Iterable[str] | str = (), handover: str = "",
               topic: str = "", code: str | None = None, now: datetime | None = None) -> Guide:
        """A new guide as a draft (version 1) written by the actor."""
        self._reader(actor)
        fields = self._complete({"title": title, "categories": categories, "symptoms": symptoms,
                                 "steps": steps, "checks": checks, "handover": handover,
                                 "topic": topic})
        stamp = iso(now or now_cst())
        with self.db.atomic():
            guide_id = self._new_entry(code, actor, stamp)
            self._insert_version(guide_id, 1, fields, DRAFT, actor.username, stamp)
            return self._entry(guide_id)

    def list_guides(self, actor: User, status: str | None = None, category: str | None = None,
                    query: str = "", topic: str | None = None) -> list[Guide]:
        """Guides whose newest version has `status` (the approved one for 'approved'), in
        `category` and `topic`, with `query` in their text."""
        found = self._listing(actor, status, category, query)
        return [g for g in found if not topic or (g.official or g.latest).topic == topic]

    def topics(self) -> list[str]:
        """The problem families the guides name (VoLTE …), sorted."""
        return sorted({r["topic"] for r in self.db.query(
            "SELECT DISTINCT topic FROM guide_versions WHERE topic != ''")})

    def load_seed(self, path: Path = SEED_GUIDES) -> int:
        """Add the shipped guides whose code is not in the library yet, as approved; returns how
        many. Running it again adds nothing, and a guide edited here is never overwritten."""
        records = read_guides(path)
        stamp = iso(now_cst())
        added = 0
        with self.db.atomic():
            for number, record in enumerate(records, 1):
                code = str(record.get("code") or "").strip()
                if not code:
                    raise KnowledgeError(f"{path}: 第 {number} 条指引没有 code")
                if self.db.query("SELECT 1 FROM guides WHERE code = ?", (code,)):
                    continue
                try:
                    fields = self._complete(record)
                except KnowledgeError as exc:
                    raise KnowledgeError(f"{path}: {code}: {exc}") from None
                guide_id = self._new_entry(code, SYSTEM, stamp)
                self._insert_version(guide_id, 1, fields, APPROVED, SYSTEM.username, stamp,
                                     submitted_at=stamp, approver=SEED_APPROVER, approved_at=stamp)
                added += 1
        return added


def read_guides(path: Path) -> list[dict[str, Any]]:
    """Guide records from a YAML file with a `guides:` list."""
    data = load_yaml_file(path, KnowledgeError)
    records = data.get("guides") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise KnowledgeError(f"{path}: 需要 guides: 指引列表")
    return records
