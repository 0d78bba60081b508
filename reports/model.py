"""What a report is made of: sections (a table each, one Excel sheet each) grouped into parts.

A daily or weekly report is one part without a title. The monthly report has the four parts of
the operator's monthly service-quality report, filled by reports/monthly.py; a part may open with
points (sentences: findings, next steps) before its sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.db import StateDB
from indexer.base import Store
from reports.config import AppConfig
from reports.period import Period


@dataclass
class Section:
    """One table of the report (one Excel sheet) with an optional chart."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] | None = None
    note: str = ""


@dataclass
class Part:
    """A part of a report: its points (sentences, in order), then its sections."""

    key: str
    title: str          # '' for the one part of a daily or weekly report
    sections: list[Section] = field(default_factory=list)
    points: list[str] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    title: str
    period: Period
    generated_at: str
    headline: list[dict[str, Any]] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        """Every section, in the order of the parts."""
        return [s for part in self.parts for s in part.sections]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)


@dataclass
class Month:
    """What a contributor to the monthly report reads: the config, the data, the month, the
    moment its figures are taken (the month's end, or now while it runs) and the sections every
    report has, by key (e.g. 'category', 'handling', 'overdue')."""

    config: AppConfig
    db: StateDB
    store: Store
    period: Period
    end: datetime
    sections: dict[str, Section]


@dataclass
class Contribution:
    """Sections and points a contributor adds to one part of the monthly report."""

    part: str           # a key of reports.monthly.PARTS
    sections: list[Section] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
