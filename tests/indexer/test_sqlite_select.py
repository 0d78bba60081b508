"""The SELECT pieces of the SQLite store's reads (indexer/sqlite_select.py), run on a real file."""

import pytest

from indexer.base import Filters, StoreError
from indexer.query import parse_query
from indexer.sqlite_select import match_sql, slice_select, split_column, where_sql
from tests.indexer.test_sqlite_store import spread_posts


@pytest.fixture
def conn(tmp_path):
    from indexer.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "posts.db")
    store.upsert_many(spread_posts())
    yield store._conn()
    store.close()


def _count(conn, sql, params):
    return conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0]


def test_no_filters_no_where():
    assert where_sql(None) == ("", [])
    assert where_sql(Filters(include_duplicates=True)) == ("", [])


def test_where_takes_every_filter(conn):
    f = Filters(since="2026-11-12T00:00:00+08:00", until="2026-11-18T00:00:00+08:00",
                cities=["衡阳"], categories=["宽带/家宽"], severity_min=1, relevant=True,
                include_duplicates=False)
    sql, params = where_sql(f)
    by_hand = [p for p in spread_posts() if "2026-11-12" <= p.published_at < "2026-11-18"
               and p.city == "衡阳" and "宽带/家宽" in p.categories and p.severity >= 1
               and p.relevant is True]
    assert by_hand and _count(conn, f"FROM posts p{sql}", params) == len(by_hand)


def test_a_query_with_a_word_walks_the_grams_index_and_one_without_does_not(conn):
    f = Filters(since="2026-11-15T00:00:00+08:00", cities=["长沙"])
    found = match_sql(f, parse_query("信号"))
    assert found.walks_fts and "posts_grams" in found.sql
    expected = sum(1 for p in spread_posts()
                   if p.published_at >= "2026-11-15" and p.city == "长沙")
    assert _count(conn, found.sql, found.params) == expected
    assert _count(conn, found.counting, found.params) == expected
    everything = match_sql(None, parse_query("信号"))
    assert everything.counting == "FROM posts_grams g WHERE posts_grams MATCH ?"  # FTS5 alone
    excluded = match_sql(f, parse_query("-信号"))
    assert not excluded.walks_fts and _count(conn, excluded.sql, excluded.params) == 0


def test_grouping_by_an_unknown_field_or_interval_is_a_store_error():
    assert split_column("category")[0] == "c.category"
    with pytest.raises(StoreError, match="cannot split by 'author'"):
        split_column("author")
    with pytest.raises(StoreError, match="cannot group by 'author'"):
        slice_select(["author"], None, None)
    with pytest.raises(StoreError, match="unknown interval 'year'"):
        slice_select(["city"], None, "year")


def test_slice_select_groups_by_the_fields_then_the_bucket(conn):
    rows = conn.execute(*slice_select(["city", "category"], None, "day")).fetchall()
    assert sum(r["n"] for r in rows) == sum(len(p.categories) for p in spread_posts())
    assert {tuple(r.keys()) for r in rows} == {("k0", "k1", "k2", "n")}
