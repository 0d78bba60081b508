"""`tousu ingest` and `tousu analyze` validate each line into a Post (crawler/post_input.py): the
error names the line and the field, computed fields are never read from the file, a post's text
is capped, and what was stored before a bad line is said and kept."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, write_config
from crawler.post_input import InputError, post_from_input


@pytest.mark.parametrize("line, message", [
    ({"text": "移动宽带断网", "engagement": "many"}, "engagement: Input should be a valid dictionary"),
    ({"text": "移动宽带断网", "engagement": {"views": "lots"}}, "engagement.views: Input should be a valid integer"),
    ({"title": 12345, "content": "移动宽带"}, "title: Input should be a valid string"),
    ({"text": ["移动"]}, "text: Input should be a valid string"),
    ({"text": "移动", "published_at": "下辈子"}, "published_at: not a date"),
    ({"text": "移动", "engagement": {"views": -3}}, "engagement: counts cannot be negative"),
    ({"nothing": 1}, "a line needs `text`"),
    ([1, 2], "a line must be a JSON object"),
])
def test_a_bad_field_is_named(line, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        post_from_input(line)


def test_computed_fields_are_ignored_and_dates_normalised():
    post = post_from_input({"text": "移动宽带断网", "url": "http://crm/1", "id": ["x"],
                            "dup_of": "abc", "fingerprint": "f", "severity": 4,
                            "published_at": 1764547200, "title": None})
    assert post.id != ["x"] and post.dup_of is None and post.fingerprint != "f"
    assert post.severity is None and post.published_at == "2025-12-01T08:00:00+08:00"


def test_text_is_capped():
    with pytest.raises(InputError, match="more than store.max_post_chars"):
        post_from_input({"text": "移" * 2001}, max_chars=2000)
    assert post_from_input({"text": "移" * 2000}, max_chars=2000).content == "移" * 2000


def _ingest(config, infile):
    return subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), "ingest",
                           str(infile)], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("bad, message", [
    (b'{"text": "\xe7\xa7\xbb\xff\xfe", "url": "http://crm/x"}', "not valid UTF-8"),
    (b'{"text": "ok", "engagement": "many"}', "engagement: Input should be a valid dictionary"),
    (b'{"id": ["x"], "title": 12345}', "title: Input should be a valid string"),
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
