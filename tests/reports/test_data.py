"""A daily report from a known data set: every number checked, HTML escaped, Excel read back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.post import CST
from tests.cases.helpers import T0
from tests.reports.conftest import DAY, NOW


def _rows(section):
    return {row[0]: row[1:] for row in section.rows}


def test_daily_numbers(report_world):
    from reports.data import build_report

    cfg, store, db, made = report_world
    report = build_report(cfg, "daily", DAY, store=store, db=db, now=NOW)
    assert report.period.label == "2026年11月20日"
    overview = _rows(report.section("overview"))
    assert overview["采集帖子"] == [8, 2, 300.0]
    assert overview["相关帖子"] == [7, 2, 250.0]
    assert overview["有效投诉（2级及以上）"] == [6, 2, 200.0]
    assert overview["明确投诉（3级及以上）"] == [4, 2, 100.0]
    assert overview["曝光/升级（4级）"][:2] == [1, 0]
    assert overview["预警"][:2] == [1, 0]
    assert overview["新建工单"][:2] == [3, 0]
    # 及时率: a in time, c late, b not yet due at midnight (24 h) → 1 of 2 measured
    assert overview["及时率%（首次响应在时限内）"][0] == 50.0
    assert overview["解决率%（办结/新建）"][0] == pytest.approx(33.3)
    city = _rows(report.section("city"))
    assert city["长沙"] == [4, 2, 100.0, 400, 0.01, 0.005]               # override: 400 万户
    assert city["株洲"] == [2, 0, None, 250.0, 0.008, 0.0]
    assert city["湘潭"][0] == 0                                           # tier 1 is not a complaint
    assert _rows(report.section("source")) == {"demo-forum": [6, 2, 200.0], "weibo": [1, 0, None]}
    assert _rows(report.section("category"))["宽带/家宽"] == [3, 2, 50.0]
    tiers = _rows(report.section("tier"))
    assert tiers["4级 曝光/升级"][0] == 1 and tiers["1级 咨询求助"][0] == 1
    assert report.section("events").rows[0][1].startswith("<script>")    # most influential first
    handling = _rows(report.section("handling"))
    assert handling["长沙分公司"] == [2, 2, 1, 50.0, 1, 50.0, 100.0, 0]
    assert handling["株洲分公司"] == [1, 0, 0, None, 0, 0.0, None, 0]
    assert handling["全省合计"][0] == 3
    stages = _rows(report.section("stages"))
    # a: 已派单 09:00–10:30, 已回复 10:30–14:30; c: 已派单 09:00–14:30, 已回复 14:30–24:00; b: 已派单 all day
    # (处理中 lasted 0 h in both: accepted and answered at once, so it has no column)
    assert report.section("stages").columns == ["责任单位", "工单数", "已派单", "已回复"]
    assert stages["长沙分公司"] == [2, 3.5, 6.75]
    assert stages["株洲分公司"] == [1, 15.0, 0.0]
    trend = report.section("trend")
    assert trend.columns[0] == "时间" and sum(sum(r[1:]) for r in trend.rows) == 7


def test_overdue_list_per_branch(report_world):
    from reports.data import build_report

    cfg, store, db, made = report_world
    later = datetime(2026, 11, 23, 8, 0, tzinfo=CST)
    report = build_report(cfg, "daily", date(2026, 11, 22), store=store, db=db, now=later)
    overdue = report.section("overdue").rows
    # b (株洲): first response due 11-21 09:00 passed (closure not till 11-23 09:00);
    # c (长沙): replied, but closure was due 11-21 09:00
    assert sorted((r[0], r[1], r[6]) for r in overdue) == [
        ("株洲分公司", made["b"].case_no, "首次响应"), ("长沙分公司", made["c"].case_no, "办结")]
    assert _rows(report.section("handling"))["全省合计"][-1] == 2


def test_rivals_beside_ours(report_world):
    """竞品对比: competitors' posts count by their authors' intent; a post about two counts in both."""
    from reports.data import build_report
    from tests.cases.helpers import post

    cfg, store, db, _ = report_world
    store.upsert_many([
        post(21, severity=0, relevant=False, operators=("联通",), intent=3),
        post(22, severity=0, relevant=False, operators=("联通",), intent=1),
        post(23, severity=0, relevant=False, operators=("电信",), intent=4),
        post(24, severity=2, operators=("移动", "电信"), intent=2),
        post(25, severity=0, relevant=False, operators=("联通",), intent=2, published=T0 - timedelta(days=1)),
    ])
    report = build_report(cfg, "daily", DAY, store=store, db=db, now=NOW)
    section = report.section("rivals")
    assert [r[0] for r in section.rows] == ["移动", "联通", "电信", "广电"]   # ours first
    rivals = _rows(section)
    # posts, complaints (2级+), previous day, change, share, then tiers 4..0
    assert rivals["联通"] == [2, 1, 1, 0.0, 50.0, 0, 1, 0, 1, 0]
    assert rivals["电信"] == [2, 2, 0, None, 100.0, 1, 0, 1, 0, 0]
    assert rivals["移动"][:3] == [8, 7, 2] and rivals["移动"][5:] == [1, 3, 3, 1, 0]
    assert rivals["广电"] == [0, 0, 0, None, None, 0, 0, 0, 0, 0]


def test_handlers_cannot_build_reports(report_world):
    from accounts import AccountService, PermissionDenied
    from reports.data import build_report

    cfg, store, db, _ = report_world
    with pytest.raises(PermissionDenied):
        build_report(cfg, "daily", DAY, actor=AccountService(db).load_user("cs"), store=store, db=db)
