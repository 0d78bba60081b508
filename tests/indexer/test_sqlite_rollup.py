"""The daily_counts roll-up answers as counting the posts does."""

from __future__ import annotations

from tests.indexer.conftest import aggregations, spread_posts


def test_daily_counts_answer_as_the_posts_do(sqlite_store, monkeypatch):
    """Time-and-relevance aggregations read daily_counts (and the posts for partial days);
    the answers are those of the posts alone, also after updates and retention."""
    import indexer.sqlite_store as sqlite_module

    posts = spread_posts()
    sqlite_store.upsert_many(posts)
    for post in posts[::4]:  # re-graded: the old counts go, the new ones come
        post.severity, post.city, post.relevant = 4, "株洲", True
        post.categories, post.keywords = ["资费计费/乱扣费"], ["扣费"]
    sqlite_store.upsert_many(posts[::4])
    sqlite_store.delete_older_than("2026-11-11T06:00:00+08:00")
    from_counts = aggregations(sqlite_store)
    monkeypatch.setattr(sqlite_module, "rollup_span", lambda filters, one_value=False: None)
    assert from_counts == aggregations(sqlite_store)
    assert sqlite_store._conn().execute("SELECT count(*) FROM daily_counts WHERE n < 0").fetchone()[0] == 0
