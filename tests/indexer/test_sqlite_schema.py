"""The SQLite store's schema: files of every earlier version are migrated in place and keep their
posts searchable."""

from __future__ import annotations

import sqlite3

from tests.indexer.conftest import aggregations, spread_posts

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
    from tests.indexer.test_base import make

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
    from tests.indexer.test_base import make

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
