"""Cells that spreadsheets will not run: every CSV and Excel file the project writes goes through
`sheet_safe`, because crawled text is attacker-controlled (a title `=HYPERLINK(…)` or
`=cmd|' /C calc'!A0` would otherwise become a live formula)."""

from __future__ import annotations

from typing import Any, Iterable

# Spreadsheet apps run a cell starting with these as a formula (CSV/Excel injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_safe(value: object) -> object:
    """A cell value that a spreadsheet will not run as a formula: text that could start one gets
    a leading apostrophe, Excel's own mark for "this is text"."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def sheet_text(value: object) -> object:
    """A cell read back from a file we wrote: the apostrophe `sheet_safe` added comes off."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each made safe."""
    return [sheet_safe(v) for v in values]
