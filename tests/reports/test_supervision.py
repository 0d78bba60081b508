"""督办 in the monthly report when the month has no items: the part says so."""

from __future__ import annotations

from datetime import date

from tests.cases.helpers import make_config
from tests.reports.test_monthly import NOW, PARTS


def test_a_month_without_items_says_so(tmp_path):
    from reports.data import build_report

    report = build_report(make_config(tmp_path), "monthly", date(2026, 11, 15), now=NOW)
    assert [p.title for p in report.parts] == PARTS
    assert report.part("supervision").points == [
        "本月督办事项 0 项，其中新增 0 项；已办结 0 项（按期 0 项），整改中 0 项，逾期未办结 0 项；按期办结率 —。",
        "本月尚未设定一月一事。"]
    assert report.part("problems").points == ["本月未发现需要特别说明的问题。"]
    assert report.section("worst").rows == [] and "尚未设定" in report.section("worst").note
