"""The daily briefing over the demo forum and over edge cases: every sentence's claims are
recomputed from the posts it cites (tests/briefings/conftest.py: check_citations)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from accounts.models import PermissionDenied, User
from briefings.daily import build_daily
from briefings.model import INSUFFICIENT, recompute
from core.post import CST
from indexer import open_store
from tests.briefings.conftest import DAY, NOW, check_citations, fetch_cited, wave


@pytest.mark.parametrize("days_back", range(0, 7))
def test_every_sentence_of_a_demo_day_recomputes_from_its_posts(demo_config, days_back):
    with open_store(demo_config) as store:
        briefing = build_daily(demo_config, DAY - timedelta(days=days_back), store=store, now=NOW)
        assert check_citations(store, briefing) >= 10
    assert [s.key for s in briefing.sections] == ["overview", "places", "trend", "events", "changes"]
    # The demo forum's first day has no day before it: no baseline, no previous briefing.
    first_day = {"trend", "changes"} if days_back == 6 else set()
    assert {s.key for s in briefing.sections if s.insufficient} == first_day


def test_a_wave_of_similar_complaints_is_the_top_event_with_quotes(demo_config):
    posts = wave(6)
    with open_store(demo_config) as store:
        store.upsert_many(posts)
        briefing = build_daily(demo_config, DAY, store=store, now=NOW)
        check_citations(store, briefing)
    events = briefing.section("events").sentences
    head = events[0]
    assert head.text.startswith("事件1：「株洲移动宽带又断网了")
    group = next(c for c in head.claims if c.kind == "group")
    assert group.value == 6 and set(group.post_ids) == {p.id for p in posts}
    assert "主要涉及株洲（6 条）" in events[1].text
    quotes = [s for s in events if s.text.startswith("代表性原话")]
    assert len(quotes) == demo_config.briefings.quotes
    assert posts[2].id in quotes[0].cited()       # the 4级 one comes first after the source post
    assert "株洲" in briefing.section("places").sentences[0].text


def test_a_tampered_claim_fails_its_recomputation(demo_config):
    with open_store(demo_config) as store:
        briefing = build_daily(demo_config, DAY, store=store, now=NOW)
        posts = fetch_cited(store, briefing)
    claim = briefing.section("overview").sentences[0].claims[0]
    assert recompute(claim, posts) == claim.value
    assert recompute(replace(claim, post_ids=claim.post_ids[1:]), posts) != claim.value
    share = briefing.section("overview").sentences[0].claims[2]
    assert share.kind == "share"
    shrunk = replace(share, parts=(replace(share.parts[0], post_ids=share.parts[0].post_ids[:1]),
                                   share.parts[1]))
    assert recompute(shrunk, posts) != share.value


def test_an_empty_day_says_insufficient_in_every_section(demo_config):
    far = DAY - timedelta(days=400)
    with open_store(demo_config) as store:
        briefing = build_daily(demo_config, far, store=store, now=NOW)
        check_citations(store, briefing)
    for section in briefing.sections:
        assert section.insufficient
        assert section.sentences[0].text.startswith(INSUFFICIENT)
        assert section.sentences[0].claims[0].value == 0


def test_one_post_is_insufficient_below_min_posts_and_written_at_one(demo_config):
    far = DAY - timedelta(days=400)
    [post] = wave(1, start=datetime.combine(far, time(12), CST))
    with open_store(demo_config) as store:
        store.upsert_many([post])
        briefing = build_daily(demo_config, far, store=store, now=NOW)
        check_citations(store, briefing)
        overview = briefing.section("overview")
        assert overview.insufficient and "帖子 1 条，少于 5 条" in overview.sentences[0].text
        assert overview.sentences[0].cited() == [post.id]
        lenient = demo_config.model_copy(update={"briefings": demo_config.briefings.model_copy(
            update={"min_posts": 1})})
        briefing = build_daily(lenient, far, store=store, now=NOW)
        check_citations(store, briefing)
    overview = briefing.section("overview")
    assert not overview.insufficient
    assert overview.sentences[0].text == "本期相关帖子 1 条，其中2级及以上投诉 1 条，占 100%。"
    assert "只有 1 条" in briefing.section("events").sentences[0].text
    assert briefing.section("trend").insufficient        # nothing in the 7 days before


def test_a_handler_may_not_build_the_province_briefing(demo_config):
    handler = User("cs", "handler", ("长沙",))
    with pytest.raises(PermissionDenied):
        build_daily(demo_config, DAY, actor=handler, now=NOW)
