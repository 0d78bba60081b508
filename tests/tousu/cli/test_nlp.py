"""`tousu train` and `tousu eval`: a model trained from labeled rows, evaluated beside the lexicon."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from tests.conftest import write_config
from tests.nlp.conftest import model_dir, small_data  # noqa: F401 (fixtures)
from tousu.cli.main import app


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
    graded = json.loads(out.output)
    assert graded["severity"] == 4 and graded["intent"] == 4 and graded["operators"] == ["移动"]


def test_eval_reports_intent_operators_and_the_lexicon_beside(tmp_path, model_dir):
    """A file labeled under docs/labeling.md: severity, intent over operator posts, tier ≥ 3
    recall, operators; --split keeps one split's rows."""
    config = write_config(tmp_path)
    shutil.copytree(model_dir, tmp_path / "models")
    rows = [("联通宽带断了三天，打10010投诉了，要求退费", ["unicom"], 3, "test"),
            ("移动乱扣费，我要去工信部投诉", ["cmcc"], 4, "test"),
            ("请问移动怎么查话费", ["cmcc"], 1, "test"),
            ("这个移动硬盘很好用", [], 0, "test"),
            ("移动信号太差了", ["cmcc"], 2, "dev")]
    path = tmp_path / "real.jsonl"
    path.write_text("".join(json.dumps({"text": t, "operators": o, "tier": k, "split": s},
                                       ensure_ascii=False) + "\n" for t, o, k, s in rows),
                    encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["--config", str(config), "eval", str(path), "--split", "test",
                                 "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 4 and report["severity"]["n"] == 4
    assert report["intent"]["n"] == 3 and report["severity"]["n_high"] == 1
    assert report["operators"]["n"] == 4 and "relevance" in report
    assert report["lexicon"]["mode"] == "lexicon" and "intent" in report["lexicon"]
    text = runner.invoke(app, ["--config", str(config), "eval", str(path)]).output
    assert "意图 intent" in text and "lexicon only" in text and "tier ≥ 3 recall" in text
    missing = runner.invoke(app, ["--config", str(config), "eval", str(path), "--split", "x"])
    assert missing.exit_code == 2 and "no rows with split 'x'" in missing.output


def test_eval_names_a_bad_file(tmp_path):
    config = write_config(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "eval", str(bad)])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output
