"""`tousu cases typical …` end to end on a real config and state DB."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.knowledge.conftest import knowledge_data, world  # noqa: F401 (fixtures)
from tousu.cli.main import app


def _run(world, *args):
    return CliRunner().invoke(app, [*args, "--config", str(world.cfg.file)])


def test_a_closed_case_proposed_reviewed_and_suggested(world):
    from tests.cases.helpers import post

    case = world.closed_case(1)
    proposed = _run(world, "cases", "typical", "propose", case.case_no, "--lesson", "先查尾纤",
                    "--as", "cs")
    assert proposed.exit_code == 0, proposed.output
    typical_id = proposed.output.split()[0].lstrip("#")
    assert "草稿" in proposed.output and case.case_no in proposed.output
    hidden = _run(world, "cases", "typical", "show", typical_id, "--as", "zz")
    assert hidden.exit_code == 1 and "不存在" in hidden.output
    _run(world, "cases", "typical", "submit", typical_id, "--as", "cs")
    assert "已批准" in _run(world, "cases", "typical", "approve", typical_id, "--as", "rev").output
    shown = _run(world, "cases", "typical", "show", typical_id, "--as", "zz")
    assert "线下处理：装维上门发现入户尾纤弯折" in shown.output and "13812345678" not in shown.output
    listed = _run(world, "cases", "typical", "list", "-q", "尾纤", "--as", "boss")
    assert case.case_no in listed.output
    new = world.cases.create_from_post(world.people["mon"], post(3).id)
    found = json.loads(_run(world, "cases", "typical", "suggest", str(new.case_id), "--json").output)
    assert [m["entry_id"] for m in found] == [int(typical_id)]
    again = _run(world, "cases", "typical", "propose", case.case_no, "--as", "mon")
    assert again.exit_code == 1 and "已推荐为典型案例" in again.output
