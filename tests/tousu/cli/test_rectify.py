"""`tousu rectify …` end to end on a real config and state DB, as different users."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.rectification.conftest import cfg, rect_data, world  # noqa: F401 (fixtures)
from tousu.cli.main import app


def _run(cfg, *args):
    return CliRunner().invoke(app, ["rectify", *args, "--config", str(cfg.file)])


def test_candidate_to_closed_item(world, cfg):
    for n in range(1, 7):
        world.case(n)
    world.close()
    found = _run(cfg, "candidates", "--min", "5", "--days", "3650")
    assert found.exit_code == 0, found.output
    assert "衡阳 珠晖区「网络覆盖/信号」5 张工单" in found.output

    listed = json.loads(_run(cfg, "candidates", "--min", "5", "--days", "3650", "--json").output)
    case_nos = next(c for c in listed if c["district"] == "珠晖区")["case_nos"]
    args = [arg for no in case_nos for arg in ("--case", no)]
    opened = _run(cfg, "open", *args, "--measure", "新建基站", "--deadline", "2099-12-31",
                  "--district", "珠晖区", "--as", "boss")
    assert opened.exit_code == 0, opened.output
    item_no = opened.output.split()[0]
    assert item_no.startswith("DB") and "衡阳 珠晖区 网络部 时限 2099-12-31" in opened.output

    refused = _run(cfg, "progress", item_no, "进展", "--as", "cs")
    assert refused.exit_code == 1 and "不存在或不在您的管辖范围内" in refused.output
    done = _run(cfg, "progress", item_no, "基站已选址", "--percent", "40", "--as", "hy")
    assert done.exit_code == 0 and "进度 40%" in done.output
    worst = _run(cfg, "worst", item_no, "--month", "2099-12", "--as", "boss")
    assert "一月一事 2099-12" in worst.output
    assert _run(cfg, "close", item_no, "", "--as", "boss").exit_code == 1
    closed = _run(cfg, "close", item_no, "已开通", "--attachment", "报告.pdf", "--as", "boss")
    assert closed.exit_code == 0 and "[已办结]" in closed.output

    shown = _run(cfg, "show", item_no, "--as", "mon")
    assert shown.exit_code == 0, shown.output
    assert "[整改进展 40%]" in shown.output and "办结证据 已开通（附件 报告.pdf）" in shown.output
    detail = json.loads(_run(cfg, "show", item_no, "--json").output)
    assert sorted(detail["cases"]) == sorted(case_nos) and len(detail["posts"]) == 5
    assert [a["action"] for a in detail["audit"]] == ["open", "progress", "mark_worst", "close"]
    assert item_no in _run(cfg, "--status", "已办结").output
    assert _run(cfg, "--as", "cs").output.strip() == "没有符合条件的督办事项"
    assert _run(cfg, "--as", "rev").exit_code == 1


def test_open_by_hand_update_and_cycle(cfg):
    opened = _run(cfg, "open", "--problem", "长沙宽带装机慢", "--department", "家庭业务部",
                  "--measure", "增派装维", "--city", "长沙", "--deadline", "2099-01-31")
    assert opened.exit_code == 0, opened.output
    item_no = opened.output.split()[0]
    bad = _run(cfg, "open", "--problem", "x", "--department", "y", "--measure", "z",
               "--case", "TS000")
    assert bad.exit_code == 1 and "工单 TS000 不存在" in bad.output
    moved = _run(cfg, "update", item_no, "--deadline", "2099-03-31", "--reason", "施工许可延后")
    assert "时限 2099-03-31" in moved.output
    assert _run(cfg, "update", item_no, "--deadline", "2000-01-01", "--reason", "x").exit_code == 1
    cycle = _run(cfg, "cycle", "--json")
    assert cycle.exit_code == 0 and json.loads(cycle.output)["escalations"] == 0
