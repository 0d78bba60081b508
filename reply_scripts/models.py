"""Reply scripts (回复口径) and their versions."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

DRAFT, IN_REVIEW, APPROVED, RETIRED = "draft", "in_review", "approved", "retired"
STATUS_LABELS = {DRAFT: "草稿", IN_REVIEW: "待审核", APPROVED: "已批准", RETIRED: "已停用"}
PLACEHOLDERS = {"昵称": "发帖人昵称", "城市": "地市", "热线": "客服热线", "工单号": "工单编号"}
_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,12})\}")


class ScriptError(ValueError):
    """A script operation that cannot be done as asked (Chinese message)."""


def placeholders_in(text: str) -> list[str]:
    """Placeholder names used in a body, in order of first use."""
    seen: list[str] = []
    for name in _PLACEHOLDER.findall(text):
        if name not in seen:
            seen.append(name)
    return seen


def fill_placeholders(body: str, values: dict[str, str]) -> tuple[str, list[str]]:
    """(text with known placeholders filled, names that had no value and were left as written)."""
    missing: list[str] = []

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return _PLACEHOLDER.sub(repl, body), missing


class Reviewed:
    """What every reviewed version (reply_scripts.review) shows beside its fields: its status's
    label; and how it is read from its versions row, whose JSON_COLUMNS hold JSON lists."""

    JSON_COLUMNS: ClassVar[tuple[str, ...]] = ("categories",)
    status: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Any:
        data = dict(row)
        for key in cls.JSON_COLUMNS:
            data[key] = json.loads(data[key])
        return cls(**data)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status_label": self.status_label}


class Versioned:
    """An entry of a reviewed library: its own fields, then the official (approved) version, the
    newest and the history; it goes by the title of the version shown."""

    official: Any
    latest: Any
    history: list[Any]

    @property
    def title(self) -> str:
        return (self.official or self.latest).title

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(official=self.official.to_dict() if self.official else None,
                   latest=self.latest.to_dict(), history=[v.to_dict() for v in self.history])
        return out


@dataclass
class ScriptVersion(Reviewed):
    """One version of a script; only an approved version is ever offered as official."""

    script_id: int
    version: int
    title: str
    categories: list[str]
    scenario: str
    body: str
    risk_note: str
    status: str
    author: str
    created_at: str
    submitted_at: str | None = None
    approver: str | None = None
    approved_at: str | None = None
    retired_at: str | None = None
    review_note: str = ""
    tiers: list[int] = field(default_factory=list)   # severity tiers it is written for; [] = any

    JSON_COLUMNS = ("categories", "tiers")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "ScriptVersion":
        # A row written before scripts had tiers holds NULL there.
        return super().from_row({**row, "tiers": row.get("tiers") or "[]"})


@dataclass
class Script(Versioned):
    """A script: its code, use count, the official (approved) version and the newest version."""

    script_id: int
    code: str
    use_count: int
    created_by: str
    created_at: str
    official: ScriptVersion | None
    latest: ScriptVersion
    history: list[ScriptVersion] = field(default_factory=list)
