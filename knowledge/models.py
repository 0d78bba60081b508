"""Troubleshooting guides (排障指引) and typical cases (典型案例), each an entry with versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reply_scripts.models import Reviewed, Versioned


class KnowledgeError(ValueError):
    """A guide or typical-case operation that cannot be done as asked (Chinese message)."""


@dataclass
class _Version(Reviewed):
    """What every reviewed version carries (reply_scripts.review): status, author, approval."""

    status: str
    author: str
    created_at: str
    submitted_at: str | None
    approver: str | None
    approved_at: str | None
    retired_at: str | None
    review_note: str


@dataclass
class GuideVersion(_Version):
    """One version of a troubleshooting guide."""

    guide_id: int = 0
    version: int = 0
    title: str = ""
    categories: list[str] = field(default_factory=list)
    topic: str = ""                                   # a problem family across categories: VoLTE …
    symptoms: str = ""                                # what the customer reports: matched to posts
    steps: list[str] = field(default_factory=list)    # 排查步骤, in order
    checks: list[str] = field(default_factory=list)   # 核查要点: what must be true before closing
    handover: str = ""                                # 转交: to whom, and when

    JSON_COLUMNS = ("categories", "steps", "checks")


@dataclass
class TypicalVersion(_Version):
    """One version of a typical case: the case's story with personal data removed."""

    typical_id: int = 0
    version: int = 0
    title: str = ""
    categories: list[str] = field(default_factory=list)
    problem: str = ""     # what the customer complained of
    reply: str = ""       # the online reply (线上回复)
    fix: str = ""         # the offline fix (线下处理)
    outcome: str = ""     # how it ended: timeliness, the customer's response
    lesson: str = ""      # what to learn from it (经验要点)


@dataclass
class Guide(Versioned):
    """A guide: its code, the official (approved) version, the newest and the history."""

    guide_id: int
    code: str
    created_by: str
    created_at: str
    official: GuideVersion | None
    latest: GuideVersion
    history: list[GuideVersion] = field(default_factory=list)


@dataclass
class TypicalCase(Versioned):
    """A typical case: the case it was made from, the official version, the newest, the history."""

    typical_id: int
    code: str
    case_id: int
    case_no: str
    city: str
    tier: int
    created_by: str
    created_at: str
    official: TypicalVersion | None
    latest: TypicalVersion
    history: list[TypicalVersion] = field(default_factory=list)
