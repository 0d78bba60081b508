"""What only the SQLite backend promises (the shared contract is in test_base.py): concurrent
readers and writers, in-place updates, common words, chunked writes, counts per slice."""

from __future__ import annotations

import sqlite3

import pytest

from core.post import iso
from indexer.base import Filters
from tests.alerts.conftest import NOW, make_post
from tests.indexer.conftest import spread_posts
from tests.indexer.test_base import seed


@pytest.fixture
def store(tmp_path):
    from indexer.sqlite_store import SqliteStore

    s = SqliteStore(tmp_path / "posts.db")
    yield s
    s.close()


def test_wal_mode_and_concurrent_reader(store, tmp_path):
    seed(store)
    other = sqlite3.connect(store.path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT count(*) FROM posts").fetchone()[0] == 5


def test_a_writer_and_readers_at_once(store):
    """The scheduler writes while the console reads: neither waits for nor breaks the other."""
    import threading

    from tests.indexer.test_base import make

    errors = []

    def write():
        try:
            for batch in range(10):
                store.upsert_many([make(batch * 50 + i, f"宽带断网第{batch}批{i}号")
                                   for i in range(50)])
        except Exception as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    def read():
        try:
            for _ in range(30):
                store.search("宽带")
                store.date_histogram("day")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count() == 500 == store.search("断网").total


def test_an_update_replaces_the_indexed_text(store):
    from tests.indexer.test_base import make

    post = make(1, "宽带断网")
    store.upsert_many([post])
    post.content = "信号很差"
    store.upsert_many([post])
    assert store.search("宽带").total == 0 and store.search("信号").total == 1
    assert store.hot_words() == [("宽带", 1)]


def test_a_common_word_counts_up_to_the_cap_and_pages_as_before(store, monkeypatch):
    import indexer.sqlite_store as sqlite_store

    posts = spread_posts(30)
    store.upsert_many(posts)
    exact = [h.post.id for page in (1, 2, 3) for h in store.search("宽带", size=10, page=page).hits]
    monkeypatch.setattr(sqlite_store, "TOTAL_CAP", 12)
    first = store.search("宽带", size=10)
    assert (first.total, first.total_is_lower_bound) == (12, True)
    assert store.search("宽带", size=10, page=2).total == 21  # always past the page asked for
    last = store.search("宽带", size=10, page=3)
    assert (last.total, last.total_is_lower_bound) == (30, False)
    capped = [h.post.id for page in (1, 2, 3) for h in store.search("宽带", size=10, page=page).hits]
    assert capped == exact and len(set(capped)) == 30
    assert store.search("第7号帖子").total_is_lower_bound is False


def test_relevance_of_a_common_word_ranks_the_latest_matches(store, monkeypatch):
    import indexer.sqlite_store as sqlite_store
    from tests.indexer.test_base import make

    store.upsert_many(spread_posts(30))
    store.upsert_many([make(99, "宽带宽带宽带，宽带又断了", title="宽带宽带")])
    monkeypatch.setattr(sqlite_store, "TOTAL_CAP", 5)
    monkeypatch.setattr(sqlite_store, "RANK_CANDIDATES", 8)
    ranked = store.search("宽带", sort="relevance", size=20)
    assert ranked.total_is_lower_bound and len(ranked.hits) == 8
    assert ranked.hits[0].post.url.endswith("thread-99")
    scores = [h.score for h in ranked.hits]
    assert scores == sorted(scores, reverse=True)


def test_one_call_over_many_chunks_links_reposts_across_them_and_updates_in_place(store, monkeypatch):
    """A repost in a later chunk of one call links to its original in an earlier chunk, or in
    the store already; a post sent again is updated in place."""
    import indexer.sqlite_store as sqlite_store
    from tests.indexer.test_base import make

    monkeypatch.setattr(sqlite_store, "_CHUNK", 3)
    stored = make(0, "宽带断网一周了，客服一直推脱不给修", published="2026-11-10T08:00:00+08:00")
    store.upsert_many([stored])
    posts = [make(i, f"第{i}条：信号太差，打10086没用", published=f"2026-11-11T{i:02d}:00:00+08:00")
             for i in range(1, 9)]
    posts.append(make(20, "第1条：信号太差，打10086没用！", published="2026-11-12T00:00:00+08:00"))
    posts.append(make(21, "宽带断网一周了！客服一直推脱不给修", published="2026-11-12T01:00:00+08:00"))
    stored.severity = 4
    result = store.upsert_many([*posts, stored])
    assert len(result.inserted) == 10 and result.updated == [stored.id] and not result.failed
    assert store.get(posts[-2].id).dup_of == posts[0].id
    assert store.get(posts[-1].id).dup_of == stored.id
    assert store.get(stored.id).severity == 4 and store.count() == 11
    assert store.search("10086").total == 9


def test_a_call_that_fails_midway_stores_nothing_of_it(store):
    from tests.indexer.test_base import make

    good = [make(i, f"第{i}条：宽带又断了") for i in range(5)]
    bad = make(9, "宽带又断了，第九条")
    bad.severity = 2**70  # SQLite refuses the integer when it is bound
    with pytest.raises(OverflowError):
        store.upsert_many([*good, bad])
    assert store.count() == 0 and store.search("宽带").total == 0
    assert store.upsert_many(good).inserted == [p.id for p in good]  # the store is still usable


def test_counts_per_slice_total_and_per_bucket(store):
    store.upsert_many([
        make_post(10, city="衡阳", categories=("宽带/家宽", "10086热线")),
        make_post(20, city="衡阳", categories=("宽带/家宽",)),
        make_post(90, city="长沙", categories=("宽带/家宽",), source="tieba"),
        make_post(30, city=None, severity=0),
    ])
    by_city = {tuple(r["slice"].values()): r["count"] for r in store.slice_counts(["city"])}
    assert by_city == {("衡阳",): 2, ("长沙",): 1, (None,): 1}
    two = store.slice_counts(["city", "category"], Filters(relevant=True))
    assert {(r["slice"]["city"], r["slice"]["category"]): r["count"] for r in two} == {
        ("衡阳", "宽带/家宽"): 2, ("衡阳", "10086热线"): 1, ("长沙", "宽带/家宽"): 1}
    assert store.slice_counts([]) == [{"slice": {}, "bucket": None, "count": 4}]
    recent = store.slice_counts(["source"], Filters(since=iso(NOW)))
    assert recent == []  # NOW is 10:00; every post is older
    hourly = store.slice_counts(["city"], Filters(cities=["衡阳", "长沙"]), interval="hour")
    assert {(r["slice"]["city"], r["bucket"]): r["count"] for r in hourly} == {
        ("衡阳", "2026-11-20T09:00:00+08:00"): 2, ("长沙", "2026-11-20T08:00:00+08:00"): 1}


def test_unknown_field_is_a_store_error(store):
    import pytest

    from indexer.base import StoreError

    with pytest.raises(StoreError, match="cannot group by 'author'"):
        store.slice_counts(["author"])
