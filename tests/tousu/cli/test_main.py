"""`tousu check` (tousu/cli/main.py)."""

from __future__ import annotations

from typer.testing import CliRunner

from tousu.cli.main import app


def test_check_without_a_config_file_checks_the_built_in_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOUSU_CONFIG", raising=False)
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "built-in defaults" in result.output and "14 cities" in result.output


def test_check_names_a_bad_file(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text("store:\n  pathh: x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(bad)])
    assert result.exit_code == 2
    assert "store.pathh" in result.output and "did you mean 'path'" in result.output
