"""One table of a report, the unit every part of the report is made of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Section:
    """One table of the report (one Excel sheet) with an optional chart."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] | None = None
    note: str = ""
