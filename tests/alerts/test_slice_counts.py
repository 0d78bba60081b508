"""Store.slice_counts, the aggregation warning rules are built on (SQLite backend)."""

from core.post import iso
from indexer.base import Filters
from tests.alerts.conftest import NOW, make_post


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
