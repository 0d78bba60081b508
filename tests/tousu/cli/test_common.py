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
