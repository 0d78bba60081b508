"""`tousu cases`: list, show and act as different users on the cases fixtures' world."""

from __future__ import annotations

from typer.testing import CliRunner

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
