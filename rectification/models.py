"""The 督办 item as the service returns it, its statuses and where it came from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from core.post import CST

OPEN, CLOSED = "整改中", "已办结"
STATUSES = (OPEN, CLOSED)
ORIGINS = {"event": "事件预警", "volume": "量预警", "cases": "工单", "candidate": "重复问题",
           "manual": "手工立项"}
# The warnings an item may be opened from, by their rule type, and the origin they give it.
ALERT_ORIGINS = {"event": "event", "volume": "volume", "spike": "volume"}


class RectificationError(ValueError):
    """A 督办 operation that cannot be done as asked (Chinese message, safe to show)."""


class ItemNotFoundError(RectificationError):
    """No item with that id (also what a handler who is not its owner is told)."""


def due_at(deadline: str) -> datetime:
    """The moment an item is overdue: the end of its deadline day, China time."""
    return datetime.combine(date.fromisoformat(deadline) + timedelta(days=1), time(0), CST)


@dataclass
class Item:
    """One 督办事项. Times are ISO 8601 in +08:00; `deadline` is a date."""

    item_id: int
    item_no: str
    problem: str
    category: str | None
    city: str | None
    district: str
    owner_department: str
    owners: list[str]
    deadline: str
    measure: str
    origin: str
    alert_id: int | None
    status: str
    created_by: str
    created_at: str
    updated_at: str
    progress: int | None = None
    last_progress_at: str | None = None
    closed_at: str | None = None
    closed_by: str | None = None
    evidence: str | None = None
    evidence_ref: str | None = None
    worst_months: list[str] = field(default_factory=list)
    overdue: bool = False
    days_left: float | None = None   # days to the end of the deadline day; negative when late

    @classmethod
    def from_row(cls, row: dict[str, Any], now: datetime, worst_months: list[str]) -> "Item":
        data = dict(row)
        data["owners"] = json.loads(data["owners"])
        item = cls(**data, worst_months=worst_months)
        left = (due_at(item.deadline) - now).total_seconds() / 86400
        item.days_left = round(left, 1)
        item.overdue = item.status == OPEN and left <= 0
        return item

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def place(self) -> str:
        """'衡阳 珠晖区', '长沙', '全省'."""
        return " ".join(p for p in (self.city, self.district) if p) or "全省"

    @property
    def origin_label(self) -> str:
        return ORIGINS.get(self.origin, self.origin)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
