"""The report model: sections in the order of their parts, found by key."""

from __future__ import annotations

from datetime import date

import pytest

from reports.model import Part, Report, Section
from reports.period import period_for


def test_sections_follow_the_parts_and_are_found_by_key():
    trend, cities, worst = (Section(k, k, ["c"], [[1]]) for k in ("trend", "cities", "worst"))
    report = Report("monthly", "月报", period_for("monthly", date(2026, 11, 15)), "2026-12-01T09:00:00+08:00",
                    parts=[Part("overall", "一、整体情况", [trend, cities]), Part("supervision", "二", [worst])])
    assert [s.key for s in report.sections] == ["trend", "cities", "worst"]
    assert report.section("worst") is worst and report.part("supervision").sections == [worst]
    with pytest.raises(StopIteration):
        report.section("nowhere")
