"""Spreadsheet cells never run crawled text as a formula (core/sheets.py)."""

import pytest

from core.sheets import safe_row, sheet_safe, sheet_text


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("正常文本", "正常文本"), (3, 3), (-2, -2), (None, None),
])
def test_sheet_safe_blocks_formulas(value, expected):
    assert sheet_safe(value) == expected


def test_sheet_text_undoes_sheet_safe():
    for value in ("=1+1", "-联通", "'quoted", "正常", 7):
        assert sheet_text(sheet_safe(value)) == value


def test_safe_row_makes_every_cell_safe():
    assert safe_row(["=1+1", 5, "ok"]) == ["'=1+1", 5, "ok"]
