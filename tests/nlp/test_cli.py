import json
import shutil

from typer.testing import CliRunner

from tests.conftest import ROOT, write_config
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
    import shutil

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


def test_analyze_streams_batches_in_order_and_mends_broken_escapes(tmp_path, monkeypatch):
    from tousu.cli import posts as posts_cli

    monkeypatch.setattr(posts_cli, "ANALYZE_BATCH", 2)
    config = write_config(tmp_path)
    texts = [f"第{i}条：湖南移动宽带又断网了" for i in range(5)]
    lines = [json.dumps({"url": f"http://x/{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    lines.append('{"url": "http://x/broken", "text": "\\ud83d 移动信号差"}')  # half of an emoji pair
    posts = tmp_path / "in.jsonl"
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["--config", str(config), "analyze", str(posts)])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [r["content"] for r in rows[:5]] == texts
    assert rows[5]["content"] == "\ufffd 移动信号差"
    assert all(r["relevant"] is True and r["severity"] is not None for r in rows)


def test_analyze_without_a_config_file_uses_the_defaults_and_a_broken_one_is_an_error(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOUSU_CONFIG", raising=False)
    posts = tmp_path / "in.jsonl"
    posts.write_text('{"text": "移动乱扣费，我要去工信部投诉"}\n', encoding="utf-8")
    out = CliRunner().invoke(app, ["analyze", str(posts)])
    assert out.exit_code == 0, out.output
    graded = json.loads(out.output)
    assert graded["severity"] == 4 and graded["operators"] == ["移动"]
    (tmp_path / "config.yaml").write_text("nlp: [\n", encoding="utf-8")
    broken = CliRunner().invoke(app, ["analyze", str(posts)])
    assert broken.exit_code == 2 and "config.yaml" in broken.output


def test_check_names_the_bad_line_of_the_hot_words_stop_list(tmp_path):
    shutil.copytree(ROOT / "keywords", tmp_path / "keywords")
    (tmp_path / "keywords" / "hot_words_stop.txt").write_text("请问\n请门\n", encoding="utf-8")
    config = write_config(tmp_path, nlp={"keywords_dir": str(tmp_path / "keywords")})
    result = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "hot_words_stop.txt:2: 「请门」不是关键词" in result.output
