"""Slices: posts found by a store query, narrowed together with the query, and the claims made
from them (count, mean per day, most frequent, share and change)."""

from __future__ import annotations

from briefings.model import recompute
from briefings.slices import Fetcher, Slice, changed, direction, share
from indexer import Filters
from indexer.sqlite_store import SqliteStore
from tests.briefings.conftest import wave


def test_narrowing_keeps_posts_and_query_together(tmp_path):
    store = SqliteStore(tmp_path / "posts.db")
    posts = wave(4)
    posts[3].city = "长沙"
    store.upsert_many(posts)
    fetched = Fetcher(store).slice(Filters(sources=["weibo"]))
    assert [p.id for p in fetched.posts] == [p.id for p in posts]  # oldest first
    zhuzhou = fetched.where("city", "株洲")
    assert len(zhuzhou) == 3
    assert (zhuzhou.query["sources"], zhuzhou.query["cities"]) == (["weibo"], ["株洲"])
    again = {p.id for p in store.iter_posts(zhuzhou.filters)}
    assert again == set(zhuzhou.ids)  # the query finds exactly the slice's posts
    severe = fetched.above(4)
    assert severe.ids == (posts[2].id,) and severe.query["severity_min"] == 4
    store.close()


def test_claims_recompute_from_their_posts():
    posts = wave(4)
    whole = Slice(posts, Filters())
    part = whole.where("city", "株洲")
    by_id = {p.id: p for p in posts}
    for claim in (whole.count(), whole.daily_mean(2), whole.most("city"),
                  share(part.count(), whole.count()), changed(part.count(), whole.count())):
        assert recompute(claim, by_id) == claim.value, claim.kind
    assert Slice([], Filters()).most("city") is None


def test_direction_reads_the_sign():
    posts = wave(2)
    one, two = Slice(posts[:1], Filters()).count(), Slice(posts, Filters()).count()
    assert [direction(changed(two, one)), direction(changed(one, two)),
            direction(changed(one, one))] == ["上升", "下降", "持平"]
