"""The monthly report's four parts with 督办 as part two and the month's 一月一事, read back from
the report, its HTML and its Excel workbook."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.post import CST
from tests.cases.helpers import Clock, make_config, post, users
from tests.rectification.conftest import world_posts

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CST)
PARTS = ["一、整体情况", "二、督办问题整改落实情况", "三、存在的主要问题", "四、下一步重点工作"]


@pytest.fixture
def month_world(tmp_path):
    """November 2026: an overdue item, the month's 一月一事, one closed in time, next month's
    一月一事, and one from October that is not November's; recurring 乱扣费 in 岳阳."""
    from cases.service import CaseService
    from core.db import StateDB
    from indexer import open_store
    from rectification import RectificationService

    cfg = make_config(tmp_path)
    posts = world_posts() + [post(n, city="岳阳", categories=("资费计费/乱扣费",),
                                  title=f"岳阳乱扣费{n}") for n in (10, 11, 12)]
    store = open_store(cfg)
    store.upsert_many(posts)
    ids = {int(p.url.rsplit("-", 1)[1].split(".")[0]): p.id for p in posts}
    db = StateDB(cfg.state_path)
    db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
    people = users(db)
    boss, root, mon = people["boss"], people["root"], people["mon"]
    clock = Clock(datetime(2026, 10, 20, 9, 0, tzinfo=CST))
    cases = CaseService(cfg, db, store, clock=clock)
    svc = RectificationService(cfg, db, cases, clock=clock)
    old = svc.open(boss, problem="十月的问题", owner_department="市场部", measure="整改", city="长沙",
                   deadline="2026-10-30")
    clock.advance(days=2)
    svc.close_item(boss, old.item_id, "已整改")
    clock.now = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
    made = {n: cases.create_from_post(mon, ids[n]) for n in ids}
    zhuhui = next(c for c in svc.candidates(boss) if c.district == "珠晖区")
    a = svc.open_from_candidate(boss, zhuhui, measure="新建基站", deadline="2026-11-25")
    b = svc.open_from_cases(boss, [made[7].case_id, made[8].case_id], problem="长沙宽带<b>装机</b>慢",
                            measure="增派装维人员", deadline="2026-12-15")
    c = svc.open_from_cases(boss, [made[9].case_id], measure="调整天线", deadline="2026-11-30")
    svc.mark_worst(boss, b.item_id)
    clock.advance(days=2)
    svc.progress(root, a.item_id, "完成选址", percent=40)
    clock.advance(days=2)
    svc.progress(root, b.item_id, "新增装维人员 6 名", percent=50)
    clock.advance(days=2)
    svc.close_item(boss, c.item_id, "基站已开通", attachment="复测报告.pdf")
    clock.advance(days=2)
    d = svc.open(boss, problem="携号转网办理不畅", owner_department="渠道管理部",
                 measure="统一受理口径", deadline="2026-12-31")
    svc.mark_worst(boss, d.item_id, "2026-12")
    yield cfg, store, db, {"a": a, "b": b, "c": c, "d": d}
    store.close()
    db.close()


@pytest.fixture
def report(month_world):
    from reports.data import build_report

    cfg, store, db, _ = month_world
    return build_report(cfg, "monthly", date(2026, 11, 15), store=store, db=db, now=NOW)


def test_four_parts_with_supervision_second(report, month_world):
    items = month_world[3]
    a, b, c, d = (items[k].item_no for k in "abcd")
    assert [p.title for p in report.parts] == PARTS
    assert [s.key for s in report.part("overall").sections][:3] == ["overview", "brief", "trend"]
    assert [s.key for s in report.part("supervision").sections] == ["supervision", "worst"]
    assert [s.key for s in report.part("problems").sections] == ["overdue", "recurring"]

    two = report.part("supervision")
    assert two.points == [
        "本月督办事项 4 项，其中新增 4 项；已办结 1 项（按期 1 项），整改中 2 项，逾期未办结 1 项；按期办结率 50.0%。",
        f"一月一事：长沙宽带<b>装机</b>慢（{b}，家庭业务部，整改中）。"]
    rows = {r[0]: r for r in report.section("supervision").rows}
    assert list(rows) == [a, c, b, d]                                      # by deadline
    assert rows[a][2:] == ["衡阳 珠晖区", "网络部", "2026-11-25", "逾期未办结", 40, "11-22 完成选址", 5, ""]
    assert rows[c][5:8] == ["按期办结", 100, "11-26 基站已开通"]            # the evidence
    assert rows[b][5:] == ["整改中", 50, "11-24 新增装维人员 6 名", 2, "是"]
    assert rows[d][5:8] == ["整改中", None, "尚未填报"]
    worst = dict((k, v) for k, v in report.section("worst").rows)
    assert report.section("worst").title == "一月一事（2026-11）"
    assert worst["编号"] == b and worst["状态"] == "整改中"
    assert worst["整改进展 2026-11-24（50%）"] == "新增装维人员 6 名"

    problems = report.part("problems").points
    assert f"督办事项 {a}「衡阳 珠晖区「网络覆盖/信号」问题反复出现（5 张工单）」逾期未办结" \
           f"（整改时限 2026-11-25，责任部门 网络部）。" in problems
    assert "岳阳「资费计费/乱扣费」3 张工单，问题反复出现，尚未立项督办。" in problems
    assert any(p.startswith("月末超期未办结工单 ") for p in problems)
    assert [r[:4] for r in report.section("recurring").rows] == [["岳阳", "—", "资费计费/乱扣费", 3]]

    steps = report.part("next").points
    assert steps[0] == "一月一事（2026-12）：携号转网办理不畅，由渠道管理部于 2026-12-31 前完成统一受理口径。"
    assert f"{b}「长沙宽带<b>装机</b>慢」：家庭业务部于 2026-12-15 前完成增派装维人员。" in steps
    assert "建议将岳阳「资费计费/乱扣费」（本月 3 张工单）列为督办事项。" in steps


def test_html_and_excel_read_back(report, month_world, tmp_path):
    from openpyxl import load_workbook

    from reports.render import write

    b = month_world[3]["b"].item_no
    html = write(report, tmp_path / "m.html").read_text(encoding="utf-8")
    where = [html.index(f'<h2 class="part">{title}</h2>') for title in PARTS]
    assert where == sorted(where)
    assert html.index("<h3>督办事项整改进展</h3>") > where[1]
    assert "<b>装机" not in html and "长沙宽带&lt;b&gt;装机&lt;/b&gt;慢" in html

    book = load_workbook(write(report, tmp_path / "m.xlsx"))
    names = book.sheetnames
    assert names[:3] == ["封面", "一、整体情况", "总体情况"]
    assert names[names.index("二、督办问题整改落实情况"):] == [
        "二、督办问题整改落实情况", "督办事项整改进展", "一月一事（2026-11）", "三、存在的主要问题",
        "超期工单清单（按责任单位）", "重复问题（同类工单集中，尚未督办）", "四、下一步重点工作"]
    part_two = [r[0] for r in book["二、督办问题整改落实情况"].iter_rows(values_only=True)]
    assert part_two[0] == "二、督办问题整改落实情况" and part_two[1].startswith("1. 本月督办事项 4 项")
    assert part_two[-1] == "本部分明细见工作表：督办事项整改进展、一月一事（2026-11）"
    items = {r[0]: r for r in book["督办事项整改进展"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert items[b][1] == "长沙宽带<b>装机</b>慢" and items[b][5:] == (
        "整改中", 50, "11-24 新增装维人员 6 名", 2, "是")
    worst = {r[0]: r[1] for r in book["一月一事（2026-11）"].iter_rows(min_row=2, values_only=True)}
    assert worst["编号"] == b
    steps = [r[0] for r in book["四、下一步重点工作"].iter_rows(min_row=2, values_only=True)]
    assert steps[0].startswith("1. 一月一事（2026-12）：携号转网办理不畅")


def test_daily_and_weekly_reports_stay_one_part(month_world):
    from reports.data import build_report

    cfg, store, db, _ = month_world
    for kind in ("daily", "weekly"):
        report = build_report(cfg, kind, date(2026, 11, 20), store=store, db=db, now=NOW)
        assert [(p.key, p.title) for p in report.parts] == [("main", "")]
        assert "supervision" not in [s.key for s in report.sections]
