"""`tousu analyze / ingest / search / reanalyse / retention`: posts in and out on a real config
and store."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest
from typer.testing import CliRunner

from core.post import CST, iso, now_cst
from tests.conftest import ROOT, write_config
from tests.indexer.test_base import make
from tousu.cli.main import app


def _ingest(config, infile):
    return subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), "ingest",
                           str(infile)], capture_output=True, text=True, cwd=ROOT)


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


@pytest.mark.parametrize("bad, message", [
    (b'{"text": "\xe7\xa7\xbb\xff\xfe", "url": "http://crm/x"}', "not valid UTF-8"),
    (b'{"text": "ok", "engagement": "many"}', "engagement: Input should be a valid dictionary"),
    (b'{"id": ["x"], "title": 12345}', "title: Input should be a valid string"),
    ('{"text": "转发", "reply_to": "javascript:alert(1)"}'.encode(),
     "reply_to: not an http(s) link (got 'javascript:alert(1)')"),
])
def test_ingest_names_line_and_field_and_keeps_what_was_stored(tmp_path, bad, message):
    from indexer import open_store
    from tousu.config import load

    good = [json.dumps({"text": f"移动宽带第{i}次断网", "url": f"http://crm/{i}"},
                       ensure_ascii=False).encode() for i in range(3)]
    infile = tmp_path / "crm.jsonl"
    infile.write_bytes(b"\n".join(good + [bad]) + b"\n")
    config = write_config(tmp_path, store={"path": str(tmp_path / "t.db"), "max_post_chars": 5000})
    result = _ingest(config, infile)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"crm.jsonl:4: {message}" in result.stderr
    assert "before that line: 3 inserted" in result.stderr
    with open_store(load(config)) as store:
        assert store.count() == 3


def test_ingest_keeps_reply_to_so_an_imported_events_spread_is_rebuilt(tmp_path):
    from alerts.spread import event_spread
    from indexer import open_store
    from tousu.config import load

    rows = [
        {"url": "http://weibo.test/1?utm_source=app", "author": "源头号", "text": "长沙移动宽带断网三天",
         "published_at": "2026-11-30T08:00:00+08:00"},
        {"url": "http://weibo.test/2", "author": "大V", "text": "转发微博",
         "reply_to": "HTTP://weibo.test/1?utm_source=share", "published_at": "2026-11-30T08:10:00+08:00"},
        {"url": "http://weibo.test/3", "author": "路人", "text": "扩散//@大V:转发微博",
         "reply_to": "http://weibo.test/1", "published_at": "2026-11-30T08:20:00+08:00"},
        {"url": "http://weibo.test/1?cid=9", "author": "网友", "text": "我家也断了",
         "reply_to": "http://weibo.test/1", "published_at": "2026-11-30T08:30:00+08:00"},
    ]
    infile = tmp_path / "export.jsonl"
    infile.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                      encoding="utf-8")
    config = write_config(tmp_path, store={"path": str(tmp_path / "t.db")})
    result = _ingest(config, infile)
    assert result.returncode == 0, result.stderr
    origin = "http://weibo.test/1?utm_source=app"  # stored as given; its replies still find it
    with open_store(load(config)) as store:
        posts = {p.url: p for p in store.iter_posts()}
        assert posts["http://weibo.test/2"].reply_to == "http://weibo.test/1"
        assert posts[origin].reply_to is None
        spread = event_spread(store, [posts[origin].id], datetime(2026, 11, 30, 9, tzinfo=CST))
    ids = {p.id: p.url for p in spread.posts}
    assert len(spread.posts) == 4 and spread.origin.url == origin
    assert {(ids[e.parent], ids[e.child], e.basis) for e in spread.edges} == {
        (origin, "http://weibo.test/2", "site"),
        ("http://weibo.test/2", "http://weibo.test/3", "chain"),  # the //@ names 大V
        (origin, "http://weibo.test/1?cid=9", "site")}


def test_ingest_refuses_a_huge_post_by_config(tmp_path):
    infile = tmp_path / "big.jsonl"
    infile.write_text(json.dumps({"text": "移" * 6000}, ensure_ascii=False) + "\n", encoding="utf-8")
    config = write_config(tmp_path, store={"path": str(tmp_path / "t.db"), "max_post_chars": 5000})
    result = _ingest(config, infile)
    assert result.returncode == 2
    assert "big.jsonl:1: text: 6,000 characters, more than store.max_post_chars (5,000)" in result.stderr


def test_search_prints_no_terminal_escapes_from_crawled_text(tmp_path):
    """A title carrying ESC sequences (recolour, retitle the window, clear the screen) is printed
    with the control characters neutralised."""
    infile = tmp_path / "evil.jsonl"
    infile.write_text(json.dumps({"title": "移动宽带断网\x1b[2J\x1b]0;pwned\x07", "url": "http://crm/e",
                                  "content": "三天了\x1b[31m 要求退费"}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    config = write_config(tmp_path)
    assert _ingest(config, infile).returncode == 0
    result = subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), "search",
                             "宽带"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "移动宽带断网" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_reanalyse_and_retention_commands(tmp_path):
    from indexer.sqlite_store import SqliteStore
    from tests.conftest import write_config
    from tousu.cli.main import app

    config = write_config(tmp_path)
    old = make(1, "家里宽带又断网了", severity=0, published="2020-01-01T10:00:00+08:00")
    recent = make(2, "中国移动乱扣费，要求退费，不然去工信部投诉", severity=0, published=iso(now_cst()))
    with SqliteStore(tmp_path / "data" / "tousu.db") as store:
        store.upsert_many([old, recent])
    runner = CliRunner()
    out = runner.invoke(app, ["--config", str(config), "reanalyse", "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert summary["seen"] == 2 and summary["changed"] >= 1
    out = runner.invoke(app, ["--config", str(config), "retention", "--days", "365", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["deleted"] == 1
    with SqliteStore(tmp_path / "data" / "tousu.db") as store:
        assert [p.id for p in store.iter_posts()] == [recent.id]
        assert store.get(recent.id).severity >= 3
