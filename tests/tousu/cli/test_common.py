"""Every command takes --config after its name, as the README says (tousu/cli/common.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import write_config
from tousu.cli.main import app


@pytest.mark.parametrize("args", [["check"], ["users", "list"], ["cases"], ["sources"],
                                  ["warnings", "-n", "1"], ["scripts", "list"], ["rectify"]])
def test_config_is_taken_after_the_command(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # no ./config.yaml here: only the option can name the file
    (tmp_path / "elsewhere").mkdir()
    config = write_config(tmp_path / "elsewhere")
    result = CliRunner().invoke(app, [*args, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "config file not found" not in result.output


def test_a_missing_file_named_after_the_command_is_the_error(tmp_path):
    result = CliRunner().invoke(app, ["check", "-c", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: config file not found" in result.output


@pytest.mark.parametrize("args", [["report", "daily", "--date", "2026-13-01"],
                                  ["brief", "daily", "--date", "yesterday"]])
def test_a_date_that_is_not_one_is_refused_with_the_format(tmp_path, args):
    result = CliRunner().invoke(app, ["-c", str(write_config(tmp_path)), *args])
    assert result.exit_code == 2
    assert f"--date: 无法识别日期 {args[-1]!r}（格式 2026-11-21）" in result.output
