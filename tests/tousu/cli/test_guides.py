"""`tousu guides …` end to end on a real config and state DB."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.knowledge.conftest import knowledge_data, world  # noqa: F401 (fixtures)
from tousu.cli.main import app


def _run(world, *args):
    return CliRunner().invoke(app, [*args, "--config", str(world.cfg.file)])


def test_guides_from_the_seed_to_a_suggestion(world):
    loaded = _run(world, "guides", "load-seed")
    assert loaded.exit_code == 0 and "已载入入门排障指引 20 条" in loaded.output
    assert "均已在库中" in _run(world, "guides", "load-seed").output
    volte = _run(world, "guides", "list", "--topic", "VoLTE", "--status", "approved")
    assert volte.output.count("ZY-VOLTE-") == 5
    listed = json.loads(_run(world, "guides", "list", "-q", "光猫", "--json").output)
    guide_id = next(g["guide_id"] for g in listed if g["code"] == "ZY-BB-01")
    shown = _run(world, "guides", "show", str(guide_id))
    assert "排查步骤：\n  1. 核实宽带账号状态" in shown.output and "转交：上门维修转地市装维中心" in shown.output
    found = _run(world, "guides", "suggest", "--text", "VoLTE 通话中老是掉话")
    assert found.exit_code == 0 and found.output.startswith("#") and "ZY-VOLTE-03" in found.output.splitlines()[0]


def test_a_guide_drafted_and_approved_by_another_user(world):
    made = _run(world, "guides", "create", "--title", "宽带频繁掉线", "--symptoms", "每天掉线几次",
                "--step", "查光功率", "--step", "查拨号日志", "--categories", "宽带/家宽", "--as", "cs")
    assert made.exit_code == 0, made.output
    guide_id = made.output.split()[0].lstrip("#")
    assert "待审核" in _run(world, "guides", "submit", guide_id, "--as", "cs").output
    refused = _run(world, "guides", "approve", guide_id, "--as", "cs")
    assert refused.exit_code == 1 and "无权批准指引" in refused.output
    assert "已批准" in _run(world, "guides", "approve", guide_id, "--as", "rev").output
    bad = _run(world, "guides", "create", "--title", "x", "--symptoms", "y", "--step", "z",
               "--categories", "宽带")
    assert bad.exit_code == 2 and "未知分类" in bad.output
