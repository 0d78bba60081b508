"""Report periods: a day, an ISO week (Mon–Sun) or a calendar month, in China Standard Time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from core.post import CST, iso

Kind = Literal["daily", "weekly", "monthly"]
KIND_LABELS = {"daily": "日报", "weekly": "周报", "monthly": "月报"}


@dataclass(frozen=True)
class Period:
    """[start, end) of a report and the same-length period just before it (for 环比)."""

    kind: str
    start: datetime
    end: datetime
    previous_start: datetime

    @property
    def previous_end(self) -> datetime:
        return self.start

    @property
    def label(self) -> str:
        if self.kind == "daily":
            return f"{self.start:%Y年%m月%d日}"
        if self.kind == "weekly":
            last = self.end - timedelta(days=1)
            return f"{self.start:%Y年%m月%d日}–{last:%m月%d日}（第{self.start.isocalendar().week}周）"
        return f"{self.start:%Y年%m月}"

    @property
    def slug(self) -> str:
        if self.kind == "weekly":
            return f"weekly-{self.start:%G-W%V}"
        return f"{self.kind}-{self.start:%Y-%m-%d}" if self.kind == "daily" else f"monthly-{self.start:%Y-%m}"

    @property
    def bucket(self) -> str:
        """Histogram interval for the trend chart."""
        return "hour" if self.kind == "daily" else "day"

    def iso_range(self) -> tuple[str, str]:
        return iso(self.start), iso(self.end)

    def iso_previous(self) -> tuple[str, str]:
        return iso(self.previous_start), iso(self.previous_end)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), CST)


def period_for(kind: str, day: date | None = None, today: date | None = None) -> Period:
    """The period of `kind` containing `day` (default: yesterday, the last complete day)."""
    if kind not in KIND_LABELS:
        raise ValueError(f"未知报告类型 {kind!r}；可选：daily、weekly、monthly")
    if day is None:
        day = (today or datetime.now(CST).date()) - timedelta(days=1)
    if kind == "daily":
        start = _midnight(day)
        return Period(kind, start, start + timedelta(days=1), start - timedelta(days=1))
    if kind == "weekly":
        start = _midnight(day - timedelta(days=day.weekday()))
        return Period(kind, start, start + timedelta(days=7), start - timedelta(days=7))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Period(kind, _midnight(first), _midnight(following), _midnight(previous))
