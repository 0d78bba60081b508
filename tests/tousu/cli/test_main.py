"""`tousu check` (tousu/cli/main.py)."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from tests.conftest import ROOT, write_config
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


def test_check_names_the_bad_line_of_the_hot_words_stop_list(tmp_path):
    shutil.copytree(ROOT / "keywords", tmp_path / "keywords")
    (tmp_path / "keywords" / "hot_words_stop.txt").write_text("请问\n请门\n", encoding="utf-8")
    config = write_config(tmp_path, nlp={"keywords_dir": str(tmp_path / "keywords")})
    result = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "hot_words_stop.txt:2: 「请门」不是关键词" in result.output
