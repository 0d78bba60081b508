"""工单质检 in the reports: per branch closed and invalid cases, the sample, passed and returned
checks with the 质检合格率, and 重复派单 — in 整体情况, named under 存在的主要问题 and 下一步重点工作
of the monthly report, read back from the report, its HTML and its Excel workbook."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.post import CST
from tests.cases.helpers import CLOSING, Clock, add_alert, make_config, post, users

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CST)
CS_ROW = ["长沙分公司", 3, 1, 3, 2, 1, 66.7, 1]
ZZ_ROW = ["株洲分公司", 1, 0, 1, 1, 0, 100.0, 0]
TOTAL_ROW = ["全省合计", 4, 1, 4, 3, 1, 75.0, 1]


@pytest.fixture
def report(tmp_path):
    """November 2026: 长沙 closes four cases and marks one invalid, 株洲 closes a tier-4 case; half
    the rest and every tier-4 case are sampled; one 长沙 case is returned, the others pass; a
    warning about an open 长沙 case's post is folded into it."""
    from cases.automation import cases_from_alerts
    from cases.quality import CaseQuality
    from cases.service import CaseService
    from core.db import StateDB
    from indexer import open_store
    from reports.data import build_report

    cfg = make_config(tmp_path, cases={"quality": {"sample_share": 0.5}})
    posts = [post(n) for n in range(1, 6)] + [post(6, city="株洲", severity=4), post(7), post(8)]
    store = open_store(cfg)
    store.upsert_many(posts)
    db = StateDB(cfg.state_path)
    people = users(db)
    clock = Clock()
    cases = CaseService(cfg, db, store, clock=clock)
    for p in posts[:6]:
        case = cases.create_from_post(people["mon"], p.id)
        handler = people["zz" if p.city == "株洲" else "cs"]
        clock.advance(minutes=10)
        if p is posts[4]:
            cases.act(handler, case.case_id, "invalidate", "广告帖，非投诉")
            continue
        cases.act(handler, case.case_id, "accept")
        cases.act(handler, case.case_id, "reply", "您好，已登记")
        cases.act(handler, case.case_id, "close", "已上门处理", **CLOSING)
    cases.create_from_post(people["mon"], posts[6].id)                      # stays open
    add_alert(db, cfg, "event:dup", 1, [posts[7].id, posts[6].id])
    assert cases_from_alerts(cfg, service=cases) == []                      # folded: 重复派单
    quality = CaseQuality(cases)
    clock.advance(days=1)
    assert quality.sample(people["mon"], date(2026, 11, 20), date(2026, 11, 20))["sampled"] == 4
    pending = quality.pending(people["mon"])
    back = next(r for r in pending if r["city"] == "长沙" and r["invalid_reason"] is None)
    quality.return_case(people["mon"], back["case_id"], "处理场景未写明测试结果")
    for row in pending:
        if row is not back:
            quality.pass_case(people["mon"], row["case_id"])
    yield build_report(cfg, "monthly", date(2026, 11, 15), store=store, db=db, now=NOW)
    store.close()
    db.close()


def test_quality_figures_in_the_monthly_report(report):
    section = report.section("quality")
    assert section in report.part("overall").sections
    assert section.rows == [ZZ_ROW, CS_ROW, TOTAL_ROW]
    assert section.chart["series"] == {"质检合格率%": [100.0, 66.7]}
    problems = report.part("problems").points
    assert "质检退回工单 1 张：长沙分公司 1 张（合格率 66.7%）。" in problems
    assert "重复派单 1 次：长沙分公司 1 次。" in problems and "无效工单 1 张：长沙分公司 1 张。" in problems
    steps = report.part("next").points
    assert "督促长沙分公司按质检规范填写根本原因、处理场景和计划解决时间，退回工单限期整改后重新办结。" in steps
    assert "派单前核对同一帖子、同一事件的在办工单，避免重复派单。" in steps


def test_quality_figures_read_back_from_html_and_excel(report, tmp_path):
    from openpyxl import load_workbook

    from reports.render import write

    html = write(report, tmp_path / "m.html").read_text(encoding="utf-8")
    title = html.index("<h3>工单质检（按责任单位）</h3>")
    assert html.index('<h2 class="part">一、整体情况</h2>') < title < html.index(
        '<h2 class="part">二、督办问题整改落实情况</h2>')
    assert "质检退回工单 1 张：长沙分公司 1 张（合格率 66.7%）。" in html
    book = load_workbook(write(report, tmp_path / "m.xlsx"))
    sheet = list(book["工单质检（按责任单位）"].iter_rows(values_only=True))
    assert list(sheet[0]) == ["责任单位", "办结工单", "无效工单", "抽检", "质检合格", "质检退回",
                              "质检合格率%", "重复派单"]
    assert [list(r) for r in sheet[1:4]] == [ZZ_ROW, CS_ROW, TOTAL_ROW]
    problems = [r[0] for r in book["三、存在的主要问题"].iter_rows(values_only=True)]
    assert any(p.endswith("重复派单 1 次：长沙分公司 1 次。") for p in problems if p)


def test_a_period_without_closed_cases_has_only_the_total(tmp_path):
    from reports.data import build_report

    report = build_report(make_config(tmp_path), "daily", date(2026, 11, 20), now=NOW)
    assert report.section("quality").rows == [["全省合计", 0, 0, 0, 0, 0, None, 0]]
