"""The case record as the services return it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from cases.states import CLOSED


class CaseError(ValueError):
    """A case operation that cannot be done as asked (Chinese message, safe to show)."""


class CaseNotFoundError(CaseError):
    """No case with that id (also what a handler of another branch is told)."""


CaseNotFound = CaseNotFoundError


@dataclass
class Case:
    """One case (工单). Times are ISO 8601 strings in +08:00."""

    case_id: int
    case_no: str
    title: str
    summary: str
    post_id: str | None
    url: str
    source: str
    author: str
    city: str | None
    branch: str
    department: str
    categories: list[str]
    tier: int
    level: int | None
    alert_id: int | None
    origin: str
    status: str
    created_by: str
    created_at: str
    updated_at: str
    status_since: str
    first_response_due: str
    closure_due: str
    first_response_at: str | None = None
    closed_at: str | None = None
    reply_text: str | None = None
    reply_script_id: int | None = None
    offline_result: str | None = None
    root_cause_group: str | None = None    # 可控 / 不可控 / 其他 (cases.config.QualityConfig)
    root_cause: str | None = None
    root_cause_note: str | None = None
    scenario: str | None = None            # 处理场景
    resolved: int | None = None            # 1 solved at closing; 0 not yet: see planned_fix_date
    planned_fix_date: str | None = None    # 计划解决时间, YYYY-MM-DD
    invalid_reason: str | None = None      # set: closed as 无效工单
    flags: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any], now: datetime | None = None) -> "Case":
        data = dict(row)
        data["categories"] = json.loads(data["categories"])
        case = cls(**data)
        if now is not None:
            case.flags = case.sla_flags(now)
        return case

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED

    def sla_flags(self, now: datetime) -> dict[str, bool]:
        """first_response_overdue / closure_overdue / responded_in_time / closed_in_time."""
        fr_due = datetime.fromisoformat(self.first_response_due)
        cl_due = datetime.fromisoformat(self.closure_due)
        fr_at = datetime.fromisoformat(self.first_response_at) if self.first_response_at else None
        cl_at = datetime.fromisoformat(self.closed_at) if self.closed_at else None
        return {
            "first_response_overdue": (fr_at or now) > fr_due,
            "closure_overdue": (cl_at or now) > cl_due,
            "responded_in_time": fr_at is not None and fr_at <= fr_due,
            "closed_in_time": cl_at is not None and cl_at <= cl_due,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
