"""Briefing fixtures: the demo forum's posts in a store, a planted wave of similar complaints,
and the citation check every briefing test applies."""

from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from briefings.model import Briefing, Claim, recompute
from core.post import CST, Post, iso
from indexer.base import Filters, Store
from tests.conftest import write_config

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=CST)
DAY = NOW.date() - timedelta(days=1)          # the day the daily briefing is about
NOON = datetime.combine(DAY, time(12), CST)

WAVE = [  # one grievance retold: the event rule's clustering makes them one event
    "株洲移动宽带又断网了，打10086也没人管，要求赔偿损失",
    "株洲移动宽带断网三天，打10086没人管，我们要求赔偿",
    "株洲这边移动宽带又断网了，10086打了没人管，要求赔偿",
    "株洲移动宽带断网了，打了好几次10086没人管，强烈要求赔偿",
    "芦淞区移动宽带又断网了，打10086也没人管，要求赔偿！",
    "株洲移动宽带又双叒断网了，打10086也没人管，要求赔偿损失",
]


def wave(n: int = 6, start: datetime = NOON, title: str = "") -> list[Post]:
    """`n` similar complaints from 株洲, ten minutes apart."""
    return [Post(source="weibo", url=f"https://weibo.example/wave/{i}",
                 title=title if i == 0 and title else "",
                 content=f"{WAVE[i % len(WAVE)]}（{i}楼）", author=f"株洲网友{i}",
                 published_at=iso(start + timedelta(minutes=10 * i)), severity=3 + (i == 2),
                 intent=3, relevant=True, operators=["移动"], city="株洲",
                 categories=["宽带/家宽"], influence=0.1 * i) for i in range(n)]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A store file with the demo forum's posts, published relative to NOW."""
    from indexer.sqlite_store import SqliteStore
    from tests.dashboard.conftest import demo_posts

    path = tmp_path_factory.mktemp("briefings") / "posts.db"
    # The tests plant their own broadband wave; the demo's 衡阳 broadband outage would join it.
    posts = demo_posts(outage=False)
    shift = NOW - datetime.fromisoformat(max(p.published_at for p in posts))
    for p in posts:   # demo_posts() is relative to the wall clock; these tests fix the clock
        p.published_at = iso(datetime.fromisoformat(p.published_at) + shift)
    with SqliteStore(path) as store:
        store.upsert_many(posts)
    return path


@pytest.fixture
def demo_config(tmp_path, demo_db):
    """A config whose store is a copy of the demo posts (tests may add posts to it)."""
    from tousu.config import load

    (tmp_path / "data").mkdir()
    shutil.copy(demo_db, tmp_path / "data" / "tousu.db")
    notifiers = [{"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}]
    return load(write_config(tmp_path, warnings={"notifiers": notifiers}))


def fetch_cited(store: Store, briefing: Briefing) -> dict[str, Post]:
    ids = {i for section in briefing.sections for s in section.sentences for c in s.claims
           for i in c.cited()}
    posts = {i: store.get(i) for i in ids}
    assert None not in posts.values(), "a claim cites a post the store does not have"
    return posts


def _claims(claim: Claim):
    yield claim
    for part in claim.parts:
        yield from _claims(part)


def check_citations(store: Store, briefing: Briefing) -> int:
    """Every sentence rests on claims; every claim's value is recomputed from its cited posts;
    every query finds exactly the cited posts; every shown figure is in its sentence. Returns
    how many claims were checked."""
    posts = fetch_cited(store, briefing)
    checked = 0
    for section in briefing.sections:
        assert section.sentences, f"section {section.key} says nothing"
        for sentence in section.sentences:
            assert sentence.claims, f"a sentence without citations: {sentence.text}"
            for claim in sentence.claims:
                assert claim.shown in sentence.text, (claim.kind, claim.shown, sentence.text)
                for c in _claims(claim):
                    assert recompute(c, posts) == c.value, (sentence.text, c.kind, c.value)
                    if c.query is not None:
                        found = {p.id for p in store.iter_posts(Filters(**c.query))}
                        assert found == set(c.post_ids), (sentence.text, c.query)
                    assert set(c.post_ids) <= set(briefing.posts)
                    checked += 1
    return checked
