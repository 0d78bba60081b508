"""Time windows of a keyword search: the range a source covers, and halving a window whose result
list fills the site's page cap until each part fits under it (or is as small as allowed).

A site whose search takes a time range shows at most so many pages of any one query (Weibo: 50);
a busy keyword over a day has more. Asking for each half of the day, then each half of a half that
is still full, reads them all with a few extra first pages; only a window that is full at the
smallest allowed length really loses posts, and the spider names that one as a blind spot.

Windows are whole hours in China time: Weibo's time filter has hour precision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.config import interval_seconds
from core.post import CST

HOUR = timedelta(hours=1)


def hours(duration: str) -> int:
    """'6h' / '1d' → 6 / 24 (config validation has made sure it is whole hours)."""
    return int((interval_seconds(duration) or 0) // 3600)


def to_hour(moment: datetime) -> datetime:
    """The start of the hour `moment` falls in, in China time."""
    return moment.astimezone(CST).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Window:
    """[start, end): whole hours in China time."""

    start: datetime
    end: datetime

    @property
    def hours(self) -> int:
        return int((self.end - self.start) / HOUR)

    def halves(self) -> tuple["Window", "Window"]:
        """The two halves, split at an hour boundary (the earlier one the shorter when odd)."""
        middle = self.start + HOUR * (self.hours // 2)
        return Window(self.start, middle), Window(middle, self.end)

    def label(self) -> str:
        """'2026-11-20 12:00–2026-11-21 00:00' (China time), for blind spots and logs."""
        return f"{self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"


def covered(source: Any, now: datetime) -> Window:
    """The window a crawl of `source` covers: `since`–`until` (until defaults to the end of the
    current hour), else the last `window` up to the end of the current hour."""
    end = to_hour(source.until) if source.until else to_hour(now) + HOUR
    if source.since:
        return Window(to_hour(source.since), end)
    return Window(end - HOUR * hours(source.window), end)
