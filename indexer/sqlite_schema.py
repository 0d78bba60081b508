"""The SQLite store's schema, its version, and the in-place migration of older files."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from core.batches import batched
from indexer.base import StoreError
from indexer.sqlite_fts import fts_key, post_grams

log = logging.getLogger("tousu.indexer")
SCHEMA_VERSION = 7
SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    url TEXT, title TEXT, content TEXT, author TEXT,
    published_at TEXT, published_ts INTEGER NOT NULL, crawled_at TEXT,
    engagement TEXT, location TEXT,
    severity INTEGER, negative REAL, relevant INTEGER, city TEXT,
    categories TEXT, keywords TEXT, influence REAL, reasons TEXT,
    fingerprint TEXT, dup_of TEXT, case_status TEXT, intent INTEGER, operators TEXT, reply_to TEXT
);
-- Time-range aggregations with the usual filters read this index alone (no table lookups).
CREATE INDEX IF NOT EXISTS posts_time_cover ON posts (published_ts, relevant, severity, city, source);
CREATE INDEX IF NOT EXISTS posts_city_time ON posts (city, published_ts);
CREATE INDEX IF NOT EXISTS posts_source_time ON posts (source, published_ts);
CREATE INDEX IF NOT EXISTS posts_severity_time ON posts (severity, published_ts);
-- A repost links to the earliest post of its text that is no one's duplicate.
CREATE INDEX IF NOT EXISTS posts_originals ON posts (fingerprint, published_ts) WHERE dup_of IS NULL;
CREATE TABLE IF NOT EXISTS post_categories (
    category TEXT NOT NULL, post_rowid INTEGER NOT NULL, published_ts INTEGER NOT NULL,
    PRIMARY KEY (category, published_ts, post_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_categories_post ON post_categories (post_rowid);
-- jieba's words and sub-words of each post, for ranking (bm25) alone. The FTS5 tables' rowid is
-- published_ts * 2^31 + posts.rowid (sqlite_fts.fts_key): FTS5 walks a text's matches newest
-- first and a time range is a rowid range, so the latest page of a common word is read without
-- touching its older matches.
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
    words, subwords, tokenize = 'unicode61 remove_diacritics 0'
);
-- Which posts contain a text: each post's distinct letters and digits and pairs of adjacent ones
-- (sqlite_fts.post_grams). Contentless (the text is in posts; a row is deleted by sending its
-- grams again), no positions, no sizes: it only finds. The ascii tokenizer keeps every
-- non-ASCII character, so each gram is one token.
CREATE VIRTUAL TABLE IF NOT EXISTS posts_grams USING fts5(
    grams, content = '', columnsize = 0, detail = none, tokenize = 'ascii'
);
-- Posts per China-time day, relevance (-1 = unknown) and value of one field (field '' counts
-- every post, value 0), kept by every write. A year of trends reads thousands of these rows
-- instead of a million posts. NULL is stored as X'' (a WITHOUT ROWID key cannot be NULL).
CREATE TABLE IF NOT EXISTS daily_counts (
    field TEXT NOT NULL, day INTEGER NOT NULL, relevant INTEGER NOT NULL, value NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (field, relevant, value, day)
) WITHOUT ROWID;
"""
# An event's spread reads the replies and reposts of its posts. Made after the columns are
# added: a file older than version 7 has no reply_to when SCHEMA runs.
_REPLY_INDEX = "CREATE INDEX IF NOT EXISTS posts_reply_to ON posts (reply_to) WHERE reply_to IS NOT NULL"
_DAY = "(p.published_ts + 28800) / 86400"
_REL = "coalesce(p.relevant, -1)"
# Daily counts from the posts, for a store that was filled without them (then kept by writes,
# as sqlite_rollup.DailyCounts counts them).
FILL_DAILY_COUNTS = (
    f"INSERT INTO daily_counts SELECT '', {_DAY}, {_REL}, 0, count(*) FROM posts p GROUP BY 2, 3",
    *(f"INSERT INTO daily_counts SELECT '{c}', {_DAY}, {_REL}, coalesce(p.{c}, X''), count(*) "
      "FROM posts p GROUP BY 2, 3, 4" for c in ("severity", "city", "source")),
    f"INSERT INTO daily_counts SELECT 'category', {_DAY}, {_REL}, s.category, count(*) "
    "FROM post_categories s JOIN posts p ON p.rowid = s.post_rowid GROUP BY 2, 3, 4",
    "INSERT INTO daily_counts SELECT 'keyword', day, rel, keyword, count(*) FROM ("
    f"SELECT DISTINCT p.rowid, {_DAY} AS day, {_REL} AS rel, k.value AS keyword "
    "FROM posts p, json_each(p.keywords) k) GROUP BY 2, 3, 4",
)
# Version 1 -> 2: indexes the covering index and primary keys made redundant go; the full-text
# index is re-keyed by time; daily counts are filled.
_MIGRATE_1 = (
    "DROP INDEX IF EXISTS posts_time",
    "CREATE VIRTUAL TABLE posts_fts_by_time USING fts5("
    "words, subwords, tokenize = 'unicode61 remove_diacritics 0')",
    "INSERT INTO posts_fts_by_time (rowid, words, subwords) SELECT p.published_ts * 2147483648 "
    "+ p.rowid, f.words, f.subwords FROM posts_fts f JOIN posts p ON p.rowid = f.rowid ORDER BY 1",
    "DROP TABLE posts_fts",
    "ALTER TABLE posts_fts_by_time RENAME TO posts_fts",
    *FILL_DAILY_COUNTS,
)


def _fill_grams(conn: sqlite3.Connection, path: Path) -> None:
    """Index the grams of every stored post (the posts in time order, as FTS5 takes keys best)."""
    total = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    if total:
        log.warning("sqlite %s: indexing the characters of %d posts (schema version %d)", path,
                    total, SCHEMA_VERSION)
    rows = conn.execute("SELECT published_ts, rowid, title, content FROM posts "
                        "INDEXED BY posts_time_cover ORDER BY published_ts")
    for chunk in batched(rows, 5000):
        conn.executemany("INSERT INTO posts_grams (rowid, grams) VALUES (?, ?)",
                         [(fts_key(ts, rowid), post_grams(title, content))
                          for ts, rowid, title, content in chunk])


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Create the schema, or bring an older file up to SCHEMA_VERSION in place."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another may have won
        if version > SCHEMA_VERSION:
            raise StoreError(f"sqlite {path}: schema version {version} is newer than "
                             f"this code's {SCHEMA_VERSION}")
        old = version == 0 and conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'posts'").fetchone() is not None
        for statement in filter(str.strip, SCHEMA.split(";\n")):
            conn.execute(statement)
        if old:
            for statement in _MIGRATE_1:
                conn.execute(statement)
        if old or version == 2:  # version 3 finds originals in posts_originals
            conn.execute("DROP INDEX IF EXISTS posts_fingerprint")
        if old or version in (2, 3):  # version 4 reads hot words from posts.keywords
            conn.execute("DROP TABLE IF EXISTS post_keywords")
        # Version 5 adds intent and operators (`tousu reanalyse` fills them for older posts),
        # version 7 reply_to (known for posts crawled since).
        columns = {row[1] for row in conn.execute("PRAGMA table_info(posts)")}
        for column, kind in (("intent", "INTEGER"), ("operators", "TEXT"), ("reply_to", "TEXT")):
            if column not in columns:
                conn.execute(f"ALTER TABLE posts ADD COLUMN {column} {kind}")
        conn.execute(_REPLY_INDEX)
        if old or 0 < version < 6:  # version 6 finds substrings in posts_grams
            _fill_grams(conn, path)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException as exc:
        conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"sqlite {path}: cannot bring the schema to version "
                             f"{SCHEMA_VERSION}: {exc}") from None
        raise
