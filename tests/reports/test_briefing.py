"""The report's 舆情简报 section: one row per sentence of the period's briefing, with its cited
posts' count, the first post's link and the queries."""

from __future__ import annotations

from datetime import date

from tests.reports.conftest import DAY, NOW


def test_the_daily_report_carries_the_days_briefing(report_world):   # noqa: F811
    from briefings.daily import build_daily
    from reports.data import build_report

    cfg, store, db, _ = report_world
    report = build_report(cfg, "daily", DAY, store=store, db=db, now=NOW)
    section = report.section("brief")
    briefing = build_daily(cfg, DAY, store=store, now=NOW)
    sentences = [s for sec in briefing.sections for s in sec.sentences]
    assert [r[1] for r in section.rows] == [s.text for s in sentences]
    first = section.rows[0]
    assert first[:3] == ["概况", "本期相关帖子 7 条，其中2级及以上投诉 6 条，占 85.7%。", 7]
    assert first[3].startswith("http://forum.example/thread-") and "相关帖子" in first[4]
    # 2 posts the day before: below min_posts (5), so no comparison is written
    assert [r[1] for r in section.rows if r[0] == "较上期简报的变化"] == [
        "数据不足：本段依据的帖子 2 条，少于 5 条，不作概括。"]
    assert date.fromisoformat(briefing.since[:10]) == DAY
