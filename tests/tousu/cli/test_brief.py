"""`tousu brief daily|event` (tousu/cli/brief.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.briefings.conftest import DAY, demo_db  # noqa: F401  (the fixture)
from tests.conftest import write_config
from tousu.cli.main import app


def _config(tmp_path, demo_db):   # noqa: F811
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tousu.db").write_bytes(demo_db.read_bytes())
    return str(write_config(tmp_path))


def test_daily_as_markdown_json_and_into_a_file(tmp_path, demo_db):   # noqa: F811
    config = _config(tmp_path, demo_db)
    runner = CliRunner()
    result = runner.invoke(app, ["brief", "daily", "--date", DAY.isoformat(), "-f", "md",
                                 "--config", config])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"### 舆情简报（{DAY:%Y年%m月%d日}）")
    assert "**概况**" in result.output and "](http://127.0.0.1:8600/thread-" in result.output
    result = runner.invoke(app, ["brief", "daily", "--date", DAY.isoformat(), "-f", "json",
                                 "--config", config])
    data = json.loads(result.output)
    assert [s["key"] for s in data["sections"]] == ["overview", "places", "trend", "events", "changes"]
    out = tmp_path / "b.html"
    result = runner.invoke(app, ["brief", "daily", "--date", DAY.isoformat(), "-f", "html",
                                 "-o", str(out), "--config", config])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_input_and_an_unknown_event_exit_with_chinese_messages(tmp_path, demo_db):   # noqa: F811
    config = _config(tmp_path, demo_db)
    runner = CliRunner()
    result = runner.invoke(app, ["brief", "daily", "-f", "pdf", "--config", config])
    assert result.exit_code == 2 and "--format 须为" in result.output
    result = runner.invoke(app, ["brief", "daily", "--date", "昨天", "--config", config])
    assert result.exit_code == 2 and "无法识别日期" in result.output
    result = runner.invoke(app, ["brief", "event", "42", "--config", config])
    assert result.exit_code == 1 and "没有编号为 42 的预警" in result.output
