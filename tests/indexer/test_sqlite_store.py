"""What only the SQLite backend promises (the shared contract is in test_store_contract.py)."""

import sqlite3

import pytest

from tests.indexer.test_store_contract import seed


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

    from tests.indexer.test_store_contract import make

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
    from tests.indexer.test_store_contract import make

    post = make(1, "宽带断网")
    store.upsert_many([post])
    post.content = "信号很差"
    store.upsert_many([post])
    assert store.search("宽带").total == 0 and store.search("信号").total == 1
    assert store.hot_words() == [("宽带", 1)]


# The schema of files written before daily counts (PRAGMA user_version 0), verbatim.
SCHEMA_V1 = """
CREATE TABLE posts (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    url TEXT, title TEXT, content TEXT, author TEXT,
    published_at TEXT, published_ts INTEGER NOT NULL, crawled_at TEXT,
    engagement TEXT, location TEXT,
    severity INTEGER, negative REAL, relevant INTEGER, city TEXT,
    categories TEXT, keywords TEXT, influence REAL, reasons TEXT,
    fingerprint TEXT, dup_of TEXT, case_status TEXT
);
CREATE INDEX posts_time_cover ON posts (published_ts, relevant, severity, city, source);
CREATE INDEX posts_city_time ON posts (city, published_ts);
CREATE INDEX posts_source_time ON posts (source, published_ts);
CREATE INDEX posts_severity_time ON posts (severity, published_ts);
CREATE INDEX posts_fingerprint ON posts (fingerprint);
CREATE TABLE post_categories (
    category TEXT NOT NULL, post_rowid INTEGER NOT NULL, published_ts INTEGER NOT NULL,
    PRIMARY KEY (category, published_ts, post_rowid)
) WITHOUT ROWID;
CREATE INDEX post_categories_post ON post_categories (post_rowid);
CREATE TABLE post_keywords (
    keyword TEXT NOT NULL, post_rowid INTEGER NOT NULL, published_ts INTEGER NOT NULL,
    PRIMARY KEY (published_ts, post_rowid, keyword)
) WITHOUT ROWID;
CREATE INDEX post_keywords_post ON post_keywords (post_rowid);
CREATE VIRTUAL TABLE posts_fts USING fts5(
    words, subwords, tokenize = 'unicode61 remove_diacritics 0'
);
"""


def spread_posts(n=60):
    """Posts over ten days at uneven hours, with varied fields (none a duplicate of another)."""
    from tests.indexer.test_store_contract import make

    cities, categories = ["长沙", "衡阳", None], [["宽带/家宽"], ["网络覆盖/信号", "宽带/家宽"], []]
    posts = []
    for i in range(n):
        day, hour = 10 + i % 10, (i * 7) % 24
        post = make(i, f"第{i}号帖子：宽带断网{i}次，信号也差", city=cities[i % 3],
                     severity=i % 5, categories=categories[i % 3], relevant=(None, True, False)[i % 3],
                     published=f"2026-11-{day:02d}T{hour:02d}:{i % 60:02d}:00+08:00")
        post.keywords = ["宽带", "断网", "信号"][: 1 + i % 3]
        posts.append(post)
    return posts


def aggregations(store):
    from dataclasses import replace

    from indexer.base import Filters

    out = []
    for f in (Filters(), Filters(relevant=True), Filters(since="2026-11-12T05:30:00+08:00"),
              Filters(since="2026-11-11T00:00:00+08:00", until="2026-11-17T13:00:00+08:00",
                      relevant=False), Filters(since="2026-11-13T03:00:00+08:00",
                                               until="2026-11-13T20:00:00+08:00")):
        one = [replace(f, cities=["衡阳"]), replace(f, categories=["宽带/家宽"]),
               replace(f, sources=["forum"]), replace(f, cities=["衡阳", "长沙"])]
        out.append((store.count(f), [store.count(g) for g in one],
                    [store.search("", g).total for g in one],
                    store.terms("city", f), store.terms("category", f),
                    store.terms("relevant", f), store.hot_words(f, exclude=["信号"]),
                    *(store.date_histogram(i, f, split_by=s) for i in ("day", "week", "month")
                      for s in (None, "severity", "category", "relevant", "source"))))
    return out


def test_daily_counts_answer_as_the_posts_do(store, monkeypatch):
    """Time-and-relevance aggregations read daily_counts (and the posts for partial days);
    the answers are those of the posts alone, also after updates and retention."""
    import indexer.sqlite_store as sqlite_store

    posts = spread_posts()
    store.upsert_many(posts)
    for post in posts[::4]:  # re-graded: the old counts go, the new ones come
        post.severity, post.city, post.relevant = 4, "株洲", True
        post.categories, post.keywords = ["资费计费/乱扣费"], ["扣费"]
    store.upsert_many(posts[::4])
    store.delete_older_than("2026-11-11T06:00:00+08:00")
    from_counts = aggregations(store)
    monkeypatch.setattr(sqlite_store, "rollup_span", lambda filters, one_value=False: None)
    assert from_counts == aggregations(store)
    assert store._conn().execute("SELECT count(*) FROM daily_counts WHERE n < 0").fetchone()[0] == 0


def test_a_file_of_the_previous_schema_is_migrated_in_place(tmp_path):
    from indexer.sqlite_schema import SCHEMA_VERSION
    from indexer.sqlite_store import SqliteStore

    with SqliteStore(tmp_path / "new.db") as fresh:
        fresh.upsert_many(spread_posts())
        expected = aggregations(fresh), [h.post.id for h in fresh.search("宽带", size=100).hits]
        counts = fresh._conn().execute("SELECT * FROM daily_counts ORDER BY 1, 2, 3, 4").fetchall()
    old = sqlite3.connect(tmp_path / "old.db")
    old.executescript(SCHEMA_V1)
    old.execute("ATTACH ? AS new", (str(tmp_path / "new.db"),))
    v1_columns = ", ".join(r[1] for r in old.execute("PRAGMA table_info(posts)"))
    old.execute(f"INSERT INTO posts SELECT {v1_columns} FROM new.posts")
    old.execute("INSERT INTO post_categories SELECT * FROM new.post_categories")
    old.execute("INSERT INTO post_keywords SELECT k.value, p.rowid, p.published_ts "
                "FROM posts p, json_each(p.keywords) k")
    old.execute("INSERT INTO posts_fts (rowid, words, subwords) "  # keyed by post, as it was
                "SELECT rowid & 2147483647, words, subwords FROM new.posts_fts")
    old.commit()
    old.close()

    with SqliteStore(tmp_path / "old.db") as migrated:
        conn = migrated._conn()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT * FROM daily_counts ORDER BY 1, 2, 3, 4").fetchall() == counts
        assert (aggregations(migrated),
                [h.post.id for h in migrated.search("宽带", size=100).hits]) == expected
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "post_keywords_post" not in indexes and "posts_fingerprint" not in indexes
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'post_keywords'").fetchone() is None
        assert "posts_originals" in indexes
        migrated.upsert_many(spread_posts(3))  # writes keep working on the migrated file
        assert migrated.count() == 60
    assert SqliteStore(tmp_path / "old.db").count() == 60  # and it opens again as it is


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
    from tests.indexer.test_store_contract import make

    store.upsert_many(spread_posts(30))
    store.upsert_many([make(99, "宽带宽带宽带，宽带又断了", title="宽带宽带")])
    monkeypatch.setattr(sqlite_store, "TOTAL_CAP", 5)
    monkeypatch.setattr(sqlite_store, "RANK_CANDIDATES", 8)
    ranked = store.search("宽带", sort="relevance", size=20)
    assert ranked.total_is_lower_bound and len(ranked.hits) == 8
    assert ranked.hits[0].post.url.endswith("thread-99")
    scores = [h.score for h in ranked.hits]
    assert scores == sorted(scores, reverse=True)


def test_a_version_3_file_loses_its_keyword_table_and_keeps_its_hot_words(tmp_path):
    """Version 4 counts hot words from posts.keywords; version 3 kept a row per keyword too."""
    from indexer.base import Filters
    from indexer.sqlite_schema import SCHEMA_VERSION
    from indexer.sqlite_store import SqliteStore

    with SqliteStore(tmp_path / "v3.db") as store:
        store.upsert_many(spread_posts())
        sliced = Filters(cities=["长沙"], since="2026-11-12T00:00:00+08:00")
        expected = store.hot_words(sliced), store.hot_words()
        conn = store._conn()
        conn.execute("CREATE TABLE post_keywords (keyword TEXT NOT NULL, post_rowid INTEGER NOT NULL, "
                     "published_ts INTEGER NOT NULL, PRIMARY KEY (published_ts, post_rowid, keyword)"
                     ") WITHOUT ROWID")
        conn.execute("INSERT INTO post_keywords SELECT k.value, p.rowid, p.published_ts "
                     "FROM posts p, json_each(p.keywords) k")
        conn.execute("PRAGMA user_version = 3")
    with SqliteStore(tmp_path / "v3.db") as migrated:
        conn = migrated._conn()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'post_keywords'").fetchone() is None
        assert (migrated.hot_words(sliced), migrated.hot_words()) == expected
        assert expected[0] and dict(expected[0])["宽带"] > 0


def test_a_version_4_file_gains_intent_and_operators(tmp_path):
    """Posts stored before version 5 read back without the new fields; new writes carry them."""
    from indexer.base import Filters
    from indexer.sqlite_schema import SCHEMA_VERSION
    from indexer.sqlite_store import SqliteStore
    from tests.indexer.test_store_contract import make

    path = tmp_path / "v4.db"
    with SqliteStore(path) as store:
        store.upsert_many(spread_posts())
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE posts DROP COLUMN intent")
    conn.execute("ALTER TABLE posts DROP COLUMN operators")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    with SqliteStore(path) as migrated:
        conn = migrated._conn()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        before = migrated.count()
        old = next(migrated.iter_posts())
        assert old.intent is None and old.operators == []
        new = make(999, "联通宽带又断了，投诉", severity=0, relevant=False)
        new.intent, new.operators = 3, ["联通"]
        migrated.upsert_many([new])
        assert migrated.count() == before + 1
        assert migrated.get(new.id).operators == ["联通"]
        assert migrated.count(Filters(operators=["联通"], intent_min=3)) == 1


def test_one_call_over_many_chunks_links_reposts_across_them_and_updates_in_place(store, monkeypatch):
    """A repost in a later chunk of one call links to its original in an earlier chunk, or in
    the store already; a post sent again is updated in place."""
    import indexer.sqlite_store as sqlite_store
    from tests.indexer.test_store_contract import make

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
    from tests.indexer.test_store_contract import make

    good = [make(i, f"第{i}条：宽带又断了") for i in range(5)]
    bad = make(9, "宽带又断了，第九条")
    bad.severity = 2**70  # SQLite refuses the integer when it is bound
    with pytest.raises(OverflowError):
        store.upsert_many([*good, bad])
    assert store.count() == 0 and store.search("宽带").total == 0
    assert store.upsert_many(good).inserted == [p.id for p in good]  # the store is still usable


def test_a_version_5_file_gets_its_characters_indexed_and_then_writes_keep_them(tmp_path):
    """Version 6 finds any part of a text in posts_grams. A file of version 5 (the previous
    schema: the same without posts_grams) is indexed on open; updates and retention then remove
    the grams of the text they replace or delete (the table keeps no copy to check against)."""
    from indexer.sqlite_schema import SCHEMA_VERSION
    from indexer.sqlite_store import SqliteStore

    path = tmp_path / "v5.db"
    posts = spread_posts()
    with SqliteStore(path) as store:
        store.upsert_many(posts)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE posts_grams")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()

    def containing(part):
        return sum(part in f"{p.title}\n{p.content}" for p in posts)

    parts = ["号", "帖子", "号帖", "7次", "断网1", "信号也差", "第1", "差", "9"]
    with SqliteStore(path) as migrated:
        assert migrated._conn().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [migrated.count(query=part) for part in parts] == [containing(p) for p in parts]
        for post in posts[::3]:
            post.content = f"已修好，{post.content[:4]}"
        migrated.upsert_many(posts[::3])
        assert migrated.delete_older_than("2026-11-12T00:00:00+08:00") > 0
        posts = [p for p in posts if p.published_at >= "2026-11-12"]
        for part in [*parts, "修好", "已"]:
            assert migrated.count(query=part) == migrated.search(part).total == containing(part)


def test_a_version_6_file_gains_reply_to_and_finds_replies(tmp_path):
    """Posts stored before version 7 read back without a parent; new writes carry it."""
    from indexer.sqlite_schema import SCHEMA_VERSION
    from indexer.sqlite_store import SqliteStore
    from tests.indexer.test_store_contract import make

    path = tmp_path / "v6.db"
    with SqliteStore(path) as store:
        store.upsert_many(spread_posts())
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX posts_reply_to")
    conn.execute("ALTER TABLE posts DROP COLUMN reply_to")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    with SqliteStore(path) as migrated:
        assert migrated._conn().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        old = next(migrated.iter_posts())
        assert old.reply_to is None
        reply = make(999, "我也是，宽带天天断")
        reply.reply_to = old.url
        migrated.upsert_many([reply])
        assert [p.id for p in migrated.replies([old.url])] == [reply.id]
