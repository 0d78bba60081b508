"""`tousu scripts`: the starter library loaded once, listed, shown, suggested, retired, exported
and imported back, on a real config and state DB."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import write_config
from tousu.cli.main import app


def test_starter_library_listed_shown_suggested_retired_exported_and_imported(tmp_path):
    config = write_config(tmp_path)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, ["--config", str(config), "scripts", *args])

    loaded = run("load-starter")
    assert loaded.exit_code == 0 and "已载入入门口径" in loaded.output
    assert "口径库非空，未载入" in run("load-starter").output
    listed = json.loads(run("list", "--json").output)
    assert listed and all(s["official"]["status"] == "approved" for s in listed)
    first = min(listed, key=lambda s: s["script_id"])
    shown = run("show", str(first["script_id"]))
    assert shown.exit_code == 0 and first["code"] in shown.output and "风险提示：" in shown.output
    missing = run("show", "999")
    assert missing.exit_code == 1 and "口径 999 不存在" in missing.output

    suggested = json.loads(run("suggest", "--text", "宽带断网三天了", "-n", "1", "--json").output)
    assert len(suggested) == 1 and "宽带/家宽" in next(
        s["official"]["categories"] for s in listed if s["script_id"] == suggested[0]["script_id"])
    nothing = run("suggest")
    assert nothing.exit_code == 2 and "需要 --post、--case 或 --text 之一" in nothing.output

    retired = run("retire", str(first["script_id"]), "--note", "过时")
    assert retired.exit_code == 0 and "已停用" in retired.output
    assert [f"#{first['script_id']} "] == [line[:len(f"#{first['script_id']} ")]
                                           for line in run("list", "--status", "retired").output.splitlines()]

    exported = tmp_path / "library.yaml"
    assert f"已导出 {len(listed) - 1} 条口径" in run("export", str(exported), "--official").output
    assert f"未变 {len(listed) - 1}" in run("import", str(exported)).output
