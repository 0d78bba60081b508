"""Renderings keep crawled text inert and link only http(s) URLs."""

from __future__ import annotations

import json

import pytest

from briefings.config import BriefingsConfig
from briefings.daily import compose
from briefings.render import describe_query, to_html, to_json, to_markdown, to_text
from core.post import CST
from indexer.sqlite_store import SqliteStore
from tests.briefings.conftest import NOON, NOW, wave
from datetime import datetime, time, timedelta

EVIL = "点击[官方客服](http://phish.example/login)<script>alert(1)</script>**速看**"


@pytest.fixture
def briefing(tmp_path):
    posts = wave(6, title=EVIL)
    posts[1].url = "javascript:alert(1)"
    with SqliteStore(tmp_path / "p.db") as store:
        store.upsert_many(posts)
        start = datetime.combine(NOON.date(), time(0), CST)
        yield compose(store, BriefingsConfig(similarity=0.2), start, start + timedelta(days=1), "舆情简报", NOW), posts


def test_markdown_for_chat_robots_is_inert(briefing):
    made, posts = briefing
    text = to_markdown(made)
    assert "phish.example/login)" not in text.replace("（http", "")
    assert "[官方客服]" not in text and "［官方客服］" in text
    assert "<script>" not in text and "＜script＞" in text
    assert "**速看**" not in text
    assert "javascript:" not in text
    assert f"[1]({posts[0].url})" in text                 # the real post is linked
    assert "查询：" in text and "相关帖子" in text


def test_html_is_escaped_and_links_only_http(briefing):
    made, posts = briefing
    page = to_html(made)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert f'href="{posts[0].url}"' in page
    assert page.count("<h2>") == len(made.sections)


def test_text_and_json(briefing):
    made, posts = briefing
    assert "\x1b" not in to_text(made) and posts[0].url in to_text(made)
    data = json.loads(to_json(made))
    claims = [c for s in data["sections"] for sen in s["sentences"] for c in sen["claims"]]
    assert any(c["kind"] == "group" and len(c["post_ids"]) == 6 for c in claims)


def test_a_query_is_described_in_chinese():
    assert describe_query({"since": "2026-12-02T00:00:00+08:00", "until": "2026-12-03T00:00:00+08:00",
                           "relevant": True, "severity_min": 2, "cities": ["株洲"],
                           "include_duplicates": False}) == \
        "2026-12-02 00:00 至 2026-12-03 00:00｜相关帖子｜2级及以上｜地市=株洲｜重复帖只计一次"
