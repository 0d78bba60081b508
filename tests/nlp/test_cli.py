import json

from typer.testing import CliRunner

from tests.conftest import write_config
from tousu.cli import app


def test_train_then_eval_and_analyze(tmp_path, small_data):
    config = write_config(tmp_path)
    runner = CliRunner()
    trained = runner.invoke(app, ["--config", str(config), "train", "--data", str(small_data),
                                  "--no-corpus", "--json"])
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.output)
    assert summary["replaced"] and summary["metrics"]["severity"]["n"] > 0
    assert (tmp_path / "models" / "tousu-nlp.json").exists()

    evaluated = runner.invoke(app, ["--config", str(config), "eval", str(small_data), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.output)
    assert report["mode"] == "model"
    assert set(report["severity"]) >= {"macro_f1", "per_class", "confusion"}
    assert len(report["severity"]["confusion"]) == 5

    text = runner.invoke(app, ["--config", str(config), "eval", str(small_data), "--lexicon"])
    assert "macro-F1" in text.output and "confusion" in text.output

    posts = tmp_path / "in.jsonl"
    posts.write_text('{"text": "移动乱扣费，我要去工信部投诉"}\n', encoding="utf-8")
    out = runner.invoke(app, ["--config", str(config), "analyze", str(posts)])
    assert json.loads(out.output)["severity"] == 4


def test_eval_names_a_bad_file(tmp_path):
    config = write_config(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "eval", str(bad)])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output
