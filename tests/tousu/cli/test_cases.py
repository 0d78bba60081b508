"""`tousu cases`: list, show and act as different users; `close | invalid | merge | duplicates | qc …`
against a real state DB and store."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from core.post import now_cst
from tests.cases.conftest import cfg, world, world_data  # noqa: F401 (fixtures)
from tests.cases.helpers import post_id
from tousu.cli.main import app


def test_cli_lists_and_acts(world, cfg):
    service, users, _, store = world
    case = service.create_from_post(users["mon"], post_id(store, 1))
    service.create_from_post(users["mon"], post_id(store, 4))
    run = CliRunner().invoke
    base = ["--config", str(cfg.file), "cases"]
    listed = run(app, [*base, "--json", "--city", "长沙"])
    assert listed.exit_code == 0 and case.case_no in listed.output and "株洲" not in listed.output
    assert run(app, [*base, "--status", "bogus"]).exit_code == 2
    assert run(app, [*base, "act", case.case_no, "accept", "--as", "cs"]).exit_code == 0
    assert run(app, [*base, "act", case.case_no, "attach_result", "已预约", "--as", "cs"]).exit_code == 0
    denied = run(app, [*base, "show", "2", "--as", "cs"])
    assert denied.exit_code == 1 and "不存在或不在您的管辖范围内" in denied.output
    shown = run(app, [*base, "show", str(case.case_id), "--json"])
    assert '"status": "处理中"' in shown.output and '"线下处理结果"' in shown.output


def _run(cfg, *args):  # noqa: F811
    return CliRunner().invoke(app, ["--config", str(cfg.file), "cases", *args])


def test_close_needs_cause_scenario_and_a_date_then_qc(world, cfg):  # noqa: F811
    service, users, _, store = world
    case = service.create_from_post(users["mon"], post_id(store, 1))
    service.act(users["cs"], case.case_id, "accept")
    service.act(users["cs"], case.case_id, "reply", "您好，已登记")
    no = case.case_no
    plan = str((now_cst() + timedelta(days=30)).date())   # the command line runs on the real clock
    vague = _run(cfg, "close", no, "已测试", "--cause", "弱覆盖", "--scenario", "近期新建基站解决",
                 "--unresolved", "--plan-date", plan, "--as", "cs")
    assert vague.exit_code == 1 and "「处理场景」含模糊表述「近期」" in vague.output
    undated = _run(cfg, "close", no, "已测试", "--cause", "弱覆盖", "--scenario", "麓谷新建宏站一座",
                   "--unresolved", "--plan-date", "下月", "--as", "cs")
    assert undated.exit_code == 1 and "「计划解决时间」须为具体日期" in undated.output
    assert _run(cfg, "act", no, "close", "已测试", "--as", "cs").exit_code == 1   # no root cause
    closed = _run(cfg, "close", no, "已测试", "--cause", "弱覆盖", "--scenario", "麓谷新建宏站一座",
                  "--unresolved", "--plan-date", "2099-01-01", "--as", "cs")
    assert closed.exit_code == 1 and "晚于" in closed.output
    closed = _run(cfg, "close", no, "已现场测试", "--cause", "弱覆盖", "--scenario", "麓谷新建宏站一座，站址已获批",
                  "--unresolved", "--plan-date", plan, "--as", "cs")
    assert closed.exit_code == 0 and f"{no} [已办结]" in closed.output
    shown = _run(cfg, "show", no)
    assert f"根本原因 可控/弱覆盖　处理场景 麓谷新建宏站一座，站址已获批　未解决，计划解决时间 {plan}" in shown.output
    assert "弱覆盖" in _run(cfg, "causes").output

    today = service.get(users["mon"], case.case_id).closed_at[:10]
    sampled = _run(cfg, "qc", "sample", "--since", today, "--until", today, "--json")
    assert json.loads(sampled.output)["case_nos"] == [no]          # ⌈10% × 1⌉
    assert _run(cfg, "qc", "sample", "--since", "2026/11/20").exit_code == 2
    assert no in _run(cfg, "qc", "--as", "mon").output
    assert _run(cfg, "qc", "--as", "cs").exit_code == 1                        # handlers do not check
    returned = _run(cfg, "qc", "return", no, "计划解决时间无依据", "--as", "boss")
    assert returned.exit_code == 0 and f"{no} [处理中]" in returned.output
    assert "没有待质检的工单" in _run(cfg, "qc").output
    assert _run(cfg, "qc", "pass", no).exit_code == 1


def test_invalid_merge_and_duplicates(world, cfg):  # noqa: F811
    service, users, _, store = world
    first = service.create_from_post(users["mon"], post_id(store, 1))
    second = service.create_from_post(users["mon"], post_id(store, 2))
    third = service.create_from_post(users["mon"], post_id(store, 4))
    service.db.execute("INSERT INTO case_posts VALUES (?, ?, 'event')", (second.case_id, post_id(store, 1)))
    listed = _run(cfg, "duplicates")
    assert f"帖子 {post_id(store, 1)}：工单 {first.case_id}、{second.case_id}" in listed.output
    assert _run(cfg, "merge", second.case_no, "--into", first.case_no, "--as", "cs").exit_code == 1
    merged = _run(cfg, "merge", second.case_no, "--into", first.case_no, "--as", "mon")
    assert merged.exit_code == 0 and f"{first.case_no} [已派单]" in merged.output
    assert "没有重复派单" in _run(cfg, "duplicates").output
    assert _run(cfg, "invalid", third.case_no, "", "--as", "zz").exit_code == 1
    marked = _run(cfg, "invalid", third.case_no, "用户为联通号码", "--as", "zz")
    assert marked.exit_code == 0 and f"{third.case_no} [已办结]" in marked.output
    assert "无效工单：用户为联通号码" in _run(cfg, "show", third.case_no).output
