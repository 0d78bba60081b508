"""SQLite backend: WAL, FTS5 over jieba tokens, side tables for categories and keywords, and
daily counts that answer the console's trend views without reading every post."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from indexer.base import (TERM_FIELDS, TOTAL_CAP, Filters, Hit, Interval, SearchResult, Sort,
                          Store, StoreError, UpsertResult, make_snippet)
from indexer.documents import index_tokens, iso_cst, parse_ts, post_ts
from indexer.query import Query, Term, parse_query
from tousu.post import Post

SCHEMA_VERSION = 2
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
    fingerprint TEXT, dup_of TEXT, case_status TEXT
);
-- Time-range aggregations with the usual filters read this index alone (no table lookups).
CREATE INDEX IF NOT EXISTS posts_time_cover ON posts (published_ts, relevant, severity, city, source);
CREATE INDEX IF NOT EXISTS posts_city_time ON posts (city, published_ts);
CREATE INDEX IF NOT EXISTS posts_source_time ON posts (source, published_ts);
CREATE INDEX IF NOT EXISTS posts_severity_time ON posts (severity, published_ts);
CREATE INDEX IF NOT EXISTS posts_fingerprint ON posts (fingerprint);
CREATE TABLE IF NOT EXISTS post_categories (
    category TEXT NOT NULL, post_rowid INTEGER NOT NULL, published_ts INTEGER NOT NULL,
    PRIMARY KEY (category, published_ts, post_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_categories_post ON post_categories (post_rowid);
-- A post's keyword rows are found (and deleted) by the leading (published_ts, post_rowid).
CREATE TABLE IF NOT EXISTS post_keywords (
    keyword TEXT NOT NULL, post_rowid INTEGER NOT NULL, published_ts INTEGER NOT NULL,
    PRIMARY KEY (published_ts, post_rowid, keyword)
) WITHOUT ROWID;
-- rowid = published_ts * 2^31 + posts.rowid (_fts_key): FTS5 walks a word's matches newest
-- first and a time range is a rowid range, so the latest page of a common word is read without
-- touching its older matches.
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
    words, subwords, tokenize = 'unicode61 remove_diacritics 0'
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
_DAY = "(p.published_ts + 28800) / 86400"
_REL = "coalesce(p.relevant, -1)"
# Version 1 -> 2: indexes the covering index and primary keys made redundant go; the full-text
# index is re-keyed by time; daily counts are filled from the posts (then kept by writes, as
# _rollup_keys counts them).
_MIGRATE_1 = (
    "DROP INDEX IF EXISTS posts_time",
    "DROP INDEX IF EXISTS post_keywords_post",
    "CREATE VIRTUAL TABLE posts_fts_by_time USING fts5("
    "words, subwords, tokenize = 'unicode61 remove_diacritics 0')",
    "INSERT INTO posts_fts_by_time (rowid, words, subwords) SELECT p.published_ts * 2147483648 "
    "+ p.rowid, f.words, f.subwords FROM posts_fts f JOIN posts p ON p.rowid = f.rowid ORDER BY 1",
    "DROP TABLE posts_fts",
    "ALTER TABLE posts_fts_by_time RENAME TO posts_fts",
    f"INSERT INTO daily_counts SELECT '', {_DAY}, {_REL}, 0, count(*) FROM posts p GROUP BY 2, 3",
    *(f"INSERT INTO daily_counts SELECT '{c}', {_DAY}, {_REL}, coalesce(p.{c}, X''), count(*) "
      "FROM posts p GROUP BY 2, 3, 4" for c in ("severity", "city", "source")),
    *(f"INSERT INTO daily_counts SELECT '{name}', {_DAY}, {_REL}, s.{name}, count(*) FROM {table} s "
      "JOIN posts p ON p.rowid = s.post_rowid GROUP BY 2, 3, 4"
      for name, table in (("category", "post_categories"), ("keyword", "post_keywords"))),
)
_NULL = b""  # how daily_counts stores NULL
_COLUMNS = ("id", "source", "url", "title", "content", "author", "published_at", "published_ts",
            "crawled_at", "engagement", "location", "severity", "negative", "relevant", "city",
            "categories", "keywords", "influence", "reasons", "fingerprint", "dup_of")
_JSON = {"engagement", "categories", "keywords", "reasons"}
_CHUNK = 500
RANK_CANDIDATES = 1000
# Buckets are grouped as integers (hours or days since the epoch, China time) and labelled in
# Python: strftime() per row costs more than the rest of a 30-day histogram. Weeks and months
# are days folded after grouping.
_BUCKET = {
    "hour": "(p.published_ts + 28800) / 3600",
    "day": "(p.published_ts + 28800) / 86400",
    "week": "(p.published_ts + 28800) / 86400",
    "month": "(p.published_ts + 28800) / 86400",
}
_EPOCH = datetime(1970, 1, 1)


@lru_cache(maxsize=65536)
def _bucket_label(interval: str, n: int) -> str:
    """ISO start (+08:00) of bucket `n` as grouped by _BUCKET[interval]."""
    if interval == "hour":
        start = _EPOCH + timedelta(hours=n)
    else:
        start = _EPOCH + timedelta(days=n)
        if interval == "week":
            start -= timedelta(days=start.weekday())
        elif interval == "month":
            start = start.replace(day=1)
    return start.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
_SORT = {
    "time": "p.published_ts DESC, p.rowid DESC",
    "severity": "p.severity DESC, p.published_ts DESC",
    "influence": "p.influence DESC, p.published_ts DESC",
}


_ts = parse_ts


_encode = json.JSONEncoder(ensure_ascii=False).encode


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _json(value: Any) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, list):  # lists of plain strings are most of them: skip the encoder
        try:
            text = '", "'.join(value)
        except TypeError:
            return _encode(value)
        if not _NEEDS_ESCAPE.search(text):
            return f'["{text}"]'
    return _encode(value)


def _row_values(post: Post, ts: int, dup_of: str | None) -> list[Any]:
    """The post's values in _COLUMNS order (without dataclasses.asdict: it deep-copies)."""
    return [post.id, post.source, post.url, post.title, post.content, post.author,
            post.published_at, ts, post.crawled_at, _json(post.engagement or {}), post.location,
            post.severity, post.negative, None if post.relevant is None else int(post.relevant),
            post.city, _json(list(post.categories)), _json(list(post.keywords)), post.influence,
            _json(list(post.reasons)), post.fingerprint, dup_of]


def _rollup_keys(ts: int, relevant: Any, severity: Any, city: Any, source: Any,
                 categories: Iterable[str], keywords: Iterable[str]) -> list[tuple[Any, ...]]:
    """The daily_counts keys a post with these values counts in."""
    day = (ts + 28800) // 86400
    rel = -1 if relevant is None else int(relevant)
    return [("", day, rel, 0),
            ("severity", day, rel, _NULL if severity is None else severity),
            ("city", day, rel, _NULL if city is None else city),
            ("source", day, rel, source),
            *(("category", day, rel, c) for c in dict.fromkeys(categories)),
            *(("keyword", day, rel, k) for k in dict.fromkeys(keywords))]


def _decode(value: Any) -> Any:
    return None if value == _NULL else value


def _day_start(day: int) -> int:
    return day * 86400 - 28800


@dataclass
class _Span:
    """Whole China-time days [first, end) that daily_counts answers (None: unbounded), and the
    filters of the partial days at either end, which the posts answer."""

    first: int | None
    end: int | None
    edges: list[Filters]
    value: tuple[str, Any] | None = None  # one (field, value) that every post counted has


def _rollup_span(filters: Filters | None, one_value: bool = False) -> _Span | None:
    """The span of daily_counts to read, when the filters are only time and relevance (and,
    with `one_value`, one city, source or category: enough for a count)."""
    f = filters or Filters()
    lists = {"source": f.sources, "city": f.cities, "category": f.categories}
    value = None
    given = [(name, values) for name, values in lists.items() if values]
    if one_value and len(given) == 1 and len(given[0][1]) == 1:
        value = (given[0][0], given[0][1][0])
        f = replace(f, sources=None, cities=None, categories=None)
    if (f.sources or f.cities or f.categories or f.case_status or not f.include_duplicates
            or f.severity_min is not None or f.severity_max is not None):
        return None
    since = _ts(f.since) if f.since else None
    until = _ts(f.until) if f.until else None
    first = None if since is None else -(-(since + 28800) // 86400)
    end = None if until is None else (until + 28800) // 86400
    if first is not None and end is not None and first >= end:
        return None
    edges = []
    if first is not None and _day_start(first) != since:
        edges.append(replace(f, since=iso_cst(since), until=iso_cst(_day_start(first))))
    if end is not None and _day_start(end) != until:
        edges.append(replace(f, since=iso_cst(_day_start(end)), until=iso_cst(until)))
    if value is not None:
        edges = [replace(e, **{_FILTER_LIST[value[0]]: [value[1]]}) for e in edges]
    return _Span(first, end, edges, value)


_FILTER_LIST = {"source": "sources", "city": "cities", "category": "categories"}


# What daily_counts holds for each split: (field, SQL of the key).
_ROLLUP_SPLITS = {None: ("", "NULL"), "relevant": ("", "relevant"), "severity": ("severity", "value"),
                  "city": ("city", "value"), "source": ("source", "value"),
                  "category": ("category", "value"), "keyword": ("keyword", "value")}


def _order(key: Any) -> tuple[bool, Any]:
    """Sort key putting None first, as SQLite's ORDER BY does with NULL."""
    return (key is not None, key if key is not None else 0)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _match_any(tokens: Iterable[str]) -> str:
    return " OR ".join("{words subwords} : " + _fts_string(t) for t in tokens)


_TEXT = "lower(coalesce(p.title, '') || char(10) || coalesce(p.content, ''))"
_KEY = 2147483648  # 2^31: posts_fts rowid = published_ts * _KEY + posts.rowid
# A post is found from its key through the covering index: the usual filters are checked there,
# and only posts that pass are read from the (much larger) table.
_FROM_FTS = ("FROM posts_fts f CROSS JOIN posts p INDEXED BY posts_time_cover "
             "ON p.published_ts = (f.rowid >> 31) AND p.rowid = (f.rowid & 2147483647)")


def _fts_key(ts: int, rowid: int) -> int:
    if not -2**32 < ts < 2**32 or not 0 <= rowid < _KEY:
        raise ValueError(f"published time {ts} or row {rowid} is out of range")
    return ts * _KEY + rowid


def _candidates(term: Term) -> list[str]:
    """The tokens of a phrase (or split word) that narrow its candidates: any of them must occur,
    because jieba may cut the same characters differently in context; instr() confirms."""
    return [t for t in term.tokens if len(t) > 1] or list(term.tokens)


def _single(term: Term) -> bool:
    return len(term.tokens) == 1 and not term.phrase


def _term_sql(term: Term) -> tuple[str, list[Any]]:
    """SQL for one term over posts `p` alone (a query with no positive word to walk FTS5 by)."""
    if _single(term):
        return ("p.rowid IN (SELECT rowid & 2147483647 FROM posts_fts WHERE posts_fts MATCH ?)",
                ["{words subwords} : " + _fts_string(term.tokens[0])])
    return ("(p.rowid IN (SELECT rowid & 2147483647 FROM posts_fts WHERE posts_fts MATCH ?) AND "
            f"instr({_TEXT}, ?) > 0)", [_match_any(_candidates(term)), term.text.lower()])


def _row_term_sql(term: Term) -> tuple[str, list[Any]]:
    """SQL for one term over the FTS5 row `f` being walked and its post `p`: a token is looked up
    in the row's own token lists (one FTS5 query per row would cost far more)."""
    checks = ["instr(' ' || f.words || ' ' || f.subwords || ' ', ?) > 0"] * (
        1 if _single(term) else len(_candidates(term)))
    tokens = [f" {t} " for t in (term.tokens[:1] if _single(term) else _candidates(term))]
    if _single(term):
        return checks[0], tokens
    return (f"(instr({_TEXT}, ?) > 0 AND ({' OR '.join(checks)}))",
            [term.text.lower(), *tokens])


def _query_sql(query: Query) -> tuple[str | None, list[str], list[Any]]:
    """(FTS5 expression to walk, WHERE clauses, their parameters) for a parsed query.

    Index lookups are merged into one FTS5 expression (AND of the groups, NOT of the
    exclusions) that drives the query; what it cannot decide — substrings, and which term of a
    group of words and phrases matched — is checked per row. With no positive word there is
    nothing to walk (expression None) and the clauses test posts `p` alone."""
    fts: list[str] = []
    clauses: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        tokens = [t for term in group
                  for t in (term.tokens[:1] if _single(term) else _candidates(term))]
        fts.append("(" + _match_any(dict.fromkeys(tokens)) + ")")
        if all(_single(t) for t in group):
            continue
        parts = ([(f"instr({_TEXT}, ?) > 0", [group[0].text.lower()])] if len(group) == 1
                 else [_row_term_sql(term) for term in group])
        clauses.append("(" + " OR ".join(sql for sql, _ in parts) + ")")
        params.extend(p for _, ps in parts for p in ps)
    expression = " AND ".join(fts)
    for term in query.excluded:
        if expression and _single(term):
            expression += " NOT (" + _match_any(term.tokens) + ")"
            continue
        sql, ps = _row_term_sql(term) if expression else _term_sql(term)
        clauses.append(f"NOT {sql}")
        params.extend(ps)
    return expression or None, clauses, params


def _disjoint_parts(query: Query) -> list[Query]:
    """The query as queries matching disjoint sets of posts, for counting without reading FTS5
    rows: a group of words and one phrase, `"P" OR W`, is (W) plus ("P" -W)."""
    mixed = [i for i, group in enumerate(query.groups)
             if len(group) > 1 and not all(_single(t) for t in group)]
    if len(mixed) != 1:
        return [query]
    i = mixed[0]
    words = [t for t in query.groups[i] if _single(t)]
    others = [t for t in query.groups[i] if not _single(t)]
    if not words or len(others) != 1:
        return [query]
    before, after = query.groups[:i], query.groups[i + 1:]
    return [Query([*before, words, *after], query.excluded),
            Query([*before, others, *after], [*query.excluded, *words])]


def rank_expression(query: Query) -> str | None:
    """An FTS5 expression over every positive token, for bm25 ranking."""
    tokens = [t for group in query.groups for term in group for t in term.tokens]
    return _match_any(dict.fromkeys(tokens)) if tokens else None


class SqliteStore(Store):
    """The embedded default store in one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate(self._conn())

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Create the schema, or bring an older file up to SCHEMA_VERSION in place."""
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another may have won
            if version > SCHEMA_VERSION:
                raise StoreError(f"sqlite {self.path}: schema version {version} is newer than "
                                 f"this code's {SCHEMA_VERSION}")
            old = version == 0 and conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'posts'").fetchone() is not None
            for statement in filter(str.strip, SCHEMA.split(";\n")):
                conn.execute(statement)
            if old:
                for statement in _MIGRATE_1:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"sqlite {self.path}: cannot bring the schema to version "
                                 f"{SCHEMA_VERSION}: {exc}") from None
            raise

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite {self.path}: cannot open: {exc}") from None
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            # Index pages of a big store are touched all over on insert and by aggregations;
            # SQLite's 2 MB default cache makes both disk-bound long before 1M posts.
            conn.execute("PRAGMA cache_size=-131072")
            conn.execute("PRAGMA mmap_size=1073741824")
            conn.execute("PRAGMA temp_store=MEMORY")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- writes ---------------------------------------------------------------------------
    def upsert_many(self, posts: Iterable[Post]) -> UpsertResult:
        result = UpsertResult()
        conn = self._conn()
        posts = list(posts)
        if not posts:
            return result
        counts: Counter[tuple[Any, ...]] = Counter()
        fts_rows: dict[int, tuple[int, str, str]] = {}
        conn.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(posts), _CHUNK):
                self._upsert_chunk(conn, posts[start:start + _CHUNK], result, counts, fts_rows)
            # FTS5 buffers rows in rowid order; one out of order writes the buffer out first.
            conn.executemany("INSERT INTO posts_fts (rowid, words, subwords) VALUES (?, ?, ?)",
                             sorted(fts_rows.values()))
            self._add_counts(conn, counts)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result

    @staticmethod
    def _add_counts(conn: sqlite3.Connection, counts: Counter[tuple[Any, ...]]) -> None:
        conn.executemany("INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT DO UPDATE SET n = n + excluded.n",
                         [(*key, n) for key, n in counts.items() if n])

    def _upsert_chunk(self, conn: sqlite3.Connection, posts: list[Post], result: UpsertResult,
                      counts: Counter[tuple[Any, ...]],
                      fts_rows: dict[int, tuple[int, str, str]]) -> None:
        """One chunk inside the caller's transaction: lookups by set, inserts by executemany;
        `counts` collects the changes to daily_counts and `fts_rows` the full-text rows (by
        post rowid: a later version in the same call replaces an earlier one)."""
        unique = list({p.id: p for p in posts}.values())  # the last version of a post wins
        ids = [p.id for p in unique]
        existing = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, rowid, dup_of, published_ts, relevant, severity, city, source, categories, "
            f"keywords FROM posts WHERE id IN ({', '.join('?' * len(ids))})", ids)}
        fingerprints = list({p.fingerprint for p in unique if len(p.content or p.title) >= 10})
        originals: dict[str, list[tuple[int, int, str]]] = {}
        if fingerprints:
            for fp, ts, rowid, pid in conn.execute(
                    "SELECT fingerprint, published_ts, rowid, id FROM posts WHERE fingerprint IN "
                    f"({', '.join('?' * len(fingerprints))})", fingerprints):
                originals.setdefault(fp, []).append((ts, rowid, pid))
        next_rowid = (conn.execute("SELECT max(rowid) FROM posts").fetchone()[0] or 0) + 1
        new_rows, cat_rows, kw_rows = [], [], []
        for post in unique:
            old = existing.get(post.id)
            try:
                ts = post_ts(post)
                dup_of = post.dup_of or (old[1] if old else None)
                if dup_of is None and len(post.content or post.title) >= 10:
                    others = [c for c in originals.get(post.fingerprint, ()) if c[2] != post.id]
                    dup_of = min(others)[2] if others else None
                values = _row_values(post, ts, dup_of)
                words, subwords = index_tokens(post)
                key = _fts_key(ts, old[0] if old else next_rowid)
            except (ValueError, TypeError) as exc:
                result.failed[post.id] = str(exc)
                continue
            if old is None:
                rowid, next_rowid = next_rowid, next_rowid + 1
                new_rows.append((rowid, *values))
                result.inserted.append(post.id)
            else:
                rowid, _, old_ts, *old_fields, old_categories, old_keywords = old
                old_categories, old_keywords = json.loads(old_categories), json.loads(old_keywords)
                counts.subtract(_rollup_keys(old_ts, *old_fields, old_categories, old_keywords))
                conn.execute(f"UPDATE posts SET {', '.join(c + ' = ?' for c in _COLUMNS[1:])} "
                             "WHERE rowid = ?", [*values[1:], rowid])
                conn.execute("DELETE FROM posts_fts WHERE rowid = ?", (_fts_key(old_ts, rowid),))
                conn.execute("DELETE FROM post_categories WHERE post_rowid = ?", (rowid,))
                conn.execute("DELETE FROM post_keywords WHERE published_ts = ? AND post_rowid = ?",
                             (old_ts, rowid))
                result.updated.append(post.id)
            originals.setdefault(post.fingerprint, []).append((ts, rowid, post.id))
            fts_rows[rowid] = (key, " ".join(words), " ".join(subwords))
            cat_rows.extend((c, rowid, ts) for c in dict.fromkeys(post.categories))
            kw_rows.extend((k, rowid, ts) for k in dict.fromkeys(post.keywords))
            counts.update(_rollup_keys(ts, post.relevant, post.severity, post.city, post.source,
                                       post.categories, post.keywords))
        conn.executemany(f"INSERT INTO posts (rowid, {', '.join(_COLUMNS)}) "
                         f"VALUES (?, {', '.join('?' * len(_COLUMNS))})", new_rows)
        conn.executemany("INSERT OR IGNORE INTO post_categories VALUES (?, ?, ?)", cat_rows)
        conn.executemany("INSERT OR IGNORE INTO post_keywords VALUES (?, ?, ?)", kw_rows)

    def set_case_status(self, post_id: str, status: str | None) -> None:
        self._conn().execute("UPDATE posts SET case_status = ? WHERE id = ?", (status, post_id))

    def delete_older_than(self, cutoff: str) -> int:
        ts = _ts(cutoff)
        if ts is None:
            raise StoreError(f"sqlite: retention cutoff {cutoff!r} is not an ISO date")
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute("SELECT rowid, published_ts, relevant, severity, city, source, "
                                "categories, keywords FROM posts WHERE published_ts < ?",
                                (ts,)).fetchall()
            counts: Counter[tuple[Any, ...]] = Counter()
            for _, old_ts, *fields, categories, keywords in rows:
                counts.subtract(_rollup_keys(old_ts, *fields, json.loads(categories),
                                             json.loads(keywords)))
            rowids = [(r[0],) for r in rows]
            conn.execute("DELETE FROM posts_fts WHERE rowid < ?", (_fts_key(ts, 0),))
            conn.executemany("DELETE FROM post_categories WHERE post_rowid = ?", rowids)
            conn.execute("DELETE FROM post_keywords WHERE published_ts < ?", (ts,))
            conn.execute("DELETE FROM posts WHERE published_ts < ?", (ts,))
            self._add_counts(conn, counts)
            conn.execute("DELETE FROM daily_counts WHERE day <= ? AND n = 0",
                         ((ts + 28800) // 86400,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(rows)

    # -- reads ----------------------------------------------------------------------------
    @staticmethod
    def _row_to_post(row: sqlite3.Row) -> Post:
        data = {c: row[c] for c in _COLUMNS if c != "published_ts"}
        for c in _JSON:
            data[c] = json.loads(data[c]) if data[c] else ([] if c != "engagement" else {})
        data["relevant"] = None if row["relevant"] is None else bool(row["relevant"])
        data["case_status"] = row["case_status"]
        return Post(**data)

    def get(self, post_id: str) -> Post | None:
        row = self._conn().execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
        return self._row_to_post(row) if row else None

    @staticmethod
    def _where(filters: Filters | None, time_column: str = "p.published_ts") -> tuple[str, list[Any]]:
        """WHERE over posts `p`; the time range on `time_column` (a side table's copy of it)."""
        f = filters or Filters()
        clauses: list[str] = []
        params: list[Any] = []
        if f.since and _ts(f.since) is not None:
            clauses.append(f"{time_column} >= ?")
            params.append(_ts(f.since))
        if f.until and _ts(f.until) is not None:
            clauses.append(f"{time_column} < ?")
            params.append(_ts(f.until))
        for column, values in (("source", f.sources), ("city", f.cities),
                               ("case_status", f.case_status)):
            if values:
                clauses.append(f"p.{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if f.categories:
            clauses.append("EXISTS (SELECT 1 FROM post_categories c WHERE c.post_rowid = p.rowid "
                           f"AND c.category IN ({', '.join('?' * len(f.categories))}))")
            params.extend(f.categories)
        if f.severity_min is not None:
            clauses.append("p.severity >= ?")
            params.append(f.severity_min)
        if f.severity_max is not None:
            clauses.append("p.severity <= ?")
            params.append(f.severity_max)
        if f.relevant is not None:
            clauses.append("p.relevant = ?")
            params.append(int(f.relevant))
        if not f.include_duplicates:
            clauses.append("p.dup_of IS NULL")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction: the statements of one answer (daily counts and the posts of
        partial days, a count and its page) see the same state while a writer commits."""
        conn = self._conn()
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("COMMIT")

    def _execute(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"sqlite {self.path}: {exc}") from None

    def _match(self, filters: Filters | None,
               query: Query | None) -> tuple[str, list[Any], bool, str]:
        """(FROM … WHERE … of the posts matching, its parameters, whether it walks FTS5 `f`,
        the same for counting: FTS5 alone when nothing else is tested)."""
        expression, clauses, params = _query_sql(query) if query else (None, [], [])
        if expression is None:
            where, where_params = self._where(filters)
            if clauses:
                where += (" AND " if where else " WHERE ") + " AND ".join(clauses)
            match = f"FROM posts p{where}"
            return match, [*where_params, *params], False, match
        f = filters or Filters()
        where, where_params = self._where(replace(f, since=None, until=None))
        fts = " WHERE posts_fts MATCH ?"
        time_params = []
        for value, op in ((f.since, ">="), (f.until, "<")):  # a time range is a key range
            if value and _ts(value) is not None:
                fts += f" AND f.rowid {op} ?"
                time_params.append(_fts_key(_ts(value), 0))  # type: ignore[arg-type]
        post_clauses = ([where[len(" WHERE "):]] if where else []) + clauses
        match = _FROM_FTS + fts + "".join(f" AND {c}" for c in post_clauses)
        counting = match if post_clauses else "FROM posts_fts f" + fts
        return match, [expression, *time_params, *where_params, *params], True, counting

    def _count_matches(self, filters: Filters | None, query: Query, limit: int | None) -> int:
        """Posts matching, exactly or (with `limit`) up to `limit`."""
        total = 0
        for part in _disjoint_parts(query):
            _, params, _, counting = self._match(filters, part)
            if limit is None:
                total += self._execute(f"SELECT count(*) {counting}", params)[0][0]
            else:
                total += self._execute(f"SELECT count(*) FROM (SELECT 1 {counting} LIMIT ?)",
                                       [*params, limit - total])[0][0]
                if total >= limit:
                    break
        return total

    def search(self, query: str = "", filters: Filters | None = None, sort: Sort = "time",
               page: int = 1, size: int = 20, highlight: bool = True) -> SearchResult:
        parsed = parse_query(query) if query else None
        if parsed is not None and parsed.empty:
            parsed = None
        with self._snapshot():
            total, lower_bound, rows = self._search(filters, parsed, sort, page, size)
        terms = parsed.highlight_terms() if parsed else []
        hits = []
        for row in rows:
            post = self._row_to_post(row)
            text = f"{post.title} {post.content}" if post.title else post.content
            snippet = make_snippet(text, terms) if highlight else ""
            score = -row["score"] if row["score"] is not None else None
            hits.append(Hit(post, snippet, score))
        return SearchResult(total=total, hits=hits, total_is_lower_bound=lower_bound)

    def _search(self, filters: Filters | None, parsed: Query | None, sort: Sort, page: int,
                size: int) -> tuple[int, bool, list[sqlite3.Row]]:
        """(total, whether it is only a lower bound, the page's rows)."""
        match, params, walks_fts, counting = self._match(filters, parsed)
        offset = max(page - 1, 0) * size
        # Exact up to TOTAL_CAP (and always past the requested page, so "more?" stays answerable).
        cap = max(TOTAL_CAP, offset + size + 1)
        if parsed is not None:
            total = self._count_matches(filters, parsed, cap)
        elif _rollup_span(filters, one_value=True) is not None:
            total = self._count(filters)
            cap = total + 1  # exact, however many
        else:
            total = self._execute(f"SELECT count(*) FROM (SELECT 1 {counting} LIMIT ?)",
                                  [*params, cap])[0][0]
        common = total >= cap
        if walks_fts and sort == "relevance":
            # bm25 over every match of a common word costs as much as the matches: rank the
            # latest RANK_CANDIDATES of them instead.
            latest = f" ORDER BY f.rowid DESC LIMIT {RANK_CANDIDATES}" if common else ""
            rows = self._execute(f"SELECT * FROM (SELECT p.*, bm25(posts_fts) AS score {match}"
                                 f"{latest}) ORDER BY score, published_ts DESC LIMIT ? OFFSET ?",
                                 [*params, size, offset])
        else:
            # FTS5 rowids run in time order: a time-sorted page is read newest first, and stops.
            order = ("f.rowid DESC" if walks_fts and sort in ("time", "relevance")
                     else _SORT.get(sort, _SORT["time"]))
            rows = self._execute(f"SELECT p.*, NULL AS score {match} ORDER BY {order} "
                                 "LIMIT ? OFFSET ?", [*params, size, offset])
        return total, common, rows

    def count(self, filters: Filters | None = None, query: str = "") -> int:
        parsed = parse_query(query) if query else None
        with self._snapshot():
            if parsed is not None and not parsed.empty:
                return self._count_matches(filters, parsed, None)
            return self._count(filters)

    def _count(self, filters: Filters | None) -> int:
        span = _rollup_span(filters, one_value=True)
        if span is None:
            where, params = self._where(filters)
            return self._execute(f"SELECT count(*) FROM posts p{where}", params)[0][0]
        split = span.value[0] if span.value else None
        return (sum(n for _, _, n in self._rollup(split, span, filters, by_day=False))
                + sum(self._count(edge) for edge in span.edges))

    def _rollup(self, split: str | None, span: _Span, filters: Filters | None,
                by_day: bool) -> list[tuple[int | None, Any, int]]:
        """(day or None, key, count) from daily_counts over the span's whole days."""
        field, key = _ROLLUP_SPLITS[split]
        relevant = (filters or Filters()).relevant
        clauses = ["field = ?", "relevant IN (-1, 0, 1)" if relevant is None else "relevant = ?"]
        params: list[Any] = [field, *([] if relevant is None else [int(relevant)])]
        if span.value is not None:
            clauses.append("value = ?")
            params.append(span.value[1])
        for sql, value in (("day >= ?", span.first), ("day < ?", span.end)):
            if value is not None:
                clauses.append(sql)
                params.append(value)
        # Grouped in primary-key order (relevant, value): no sorting of the rows read.
        group = "relevant, day, k" if by_day else "relevant, k"
        counts: Counter[tuple[int | None, Any]] = Counter()
        for day, k, n in self._execute(
                f"SELECT {'day' if by_day else 'NULL'}, {key} AS k, sum(n) FROM daily_counts "
                f"WHERE {' AND '.join(clauses)} GROUP BY {group}", params):
            counts[(day, k)] += n
        decode = (lambda k: None if k == -1 else k) if split == "relevant" else _decode
        return [(day, decode(k), n) for (day, k), n in counts.items() if n > 0]

    def _split_column(self, split_by: str | None) -> tuple[str, str]:
        if split_by is None:
            return "NULL", ""
        if split_by == "category":
            return "c.category", " JOIN post_categories c ON c.post_rowid = p.rowid"
        if split_by not in TERM_FIELDS:
            raise StoreError(f"sqlite: cannot split by {split_by!r}; use one of {TERM_FIELDS}")
        return f"p.{split_by}", ""

    def date_histogram(self, interval: Interval, filters: Filters | None = None,
                       split_by: str | None = None) -> list[dict[str, Any]]:
        if interval not in _BUCKET:
            raise StoreError(f"sqlite: unknown interval {interval!r}")
        with self._snapshot():
            counts = self._histogram(interval, filters, split_by)
        return [{"bucket": b, "key": k, "count": n}
                for (b, k), n in sorted(counts.items(), key=lambda i: (i[0][0], _order(i[0][1])))]

    def _histogram(self, interval: Interval, filters: Filters | None,
                   split_by: str | None) -> Counter[tuple[str, Any]]:
        counts: Counter[tuple[str, Any]] = Counter()
        span = (_rollup_span(filters) if interval != "hour" and split_by in _ROLLUP_SPLITS
                else None)
        if span is not None:
            for day, key, n in self._rollup(split_by, span, filters, by_day=True):
                counts[(_bucket_label(interval, day), key)] += n
            for edge in span.edges:
                counts.update(self._histogram(interval, edge, split_by))
            return counts
        key, join = self._split_column(split_by)
        where, params = self._where(filters)
        for r in self._execute(f"SELECT {_BUCKET[interval]} AS bucket, {key} AS key, count(*) "
                               f"AS n FROM posts p{join}{where} GROUP BY bucket, key", params):
            counts[(_bucket_label(interval, r["bucket"]), r["key"])] += r["n"]
        return counts

    def slice_counts(self, group_by: Sequence[str], filters: Filters | None = None,
                     interval: Interval | None = None) -> list[dict[str, Any]]:
        fields = list(dict.fromkeys(group_by))
        columns, joins = [], []
        for name in fields:
            if name == "category":
                columns.append("c.category")
                joins.append(" JOIN post_categories c ON c.post_rowid = p.rowid")
            elif name in TERM_FIELDS:
                # `+`: grouping by the column must not make SQLite walk its whole index in
                # order instead of reading the time range.
                columns.append(f"+p.{name}")
            else:
                raise StoreError(f"sqlite: cannot group by {name!r}; use one of {TERM_FIELDS}")
        if interval is not None:
            if interval not in _BUCKET:
                raise StoreError(f"sqlite: unknown interval {interval!r}")
            columns.append(_BUCKET[interval])
        where, params = self._where(filters)
        select = ", ".join([*(f"{c} AS k{i}" for i, c in enumerate(columns)), "count(*) AS n"])
        group = f" GROUP BY {', '.join(f'k{i}' for i in range(len(columns)))}" if columns else ""
        rows = self._execute(f"SELECT {select} FROM posts p{''.join(joins)}{where}{group}", params)
        counts: dict[tuple[Any, ...], int] = {}
        for row in rows:
            if not row["n"]:
                continue
            key = tuple(row[f"k{i}"] for i in range(len(fields)))
            bucket = _bucket_label(interval, row[f"k{len(fields)}"]) if interval else None
            counts[(*key, bucket)] = counts.get((*key, bucket), 0) + row["n"]
        return [{"slice": dict(zip(fields, k[:-1])), "bucket": k[-1], "count": n}
                for k, n in counts.items()]

    def terms(self, field: str, filters: Filters | None = None, size: int = 20) -> list[tuple[Any, int]]:
        with self._snapshot():
            counts = self._terms(field, filters)
        return sorted(counts.items(), key=lambda i: (-i[1], _order(i[0])))[:size]

    def _terms(self, field: str, filters: Filters | None) -> Counter[Any]:
        key, join = self._split_column(field)  # validates the field
        span = _rollup_span(filters) if field in _ROLLUP_SPLITS else None
        if span is not None:
            counts = Counter({k: n for _, k, n in self._rollup(field, span, filters, by_day=False)})
            for edge in span.edges:
                counts.update(self._terms(field, edge))
            return counts
        where, params = self._where(filters)
        return Counter({r["key"]: r["n"] for r in self._execute(
            f"SELECT {key} AS key, count(*) AS n FROM posts p{join}{where} GROUP BY key", params)})

    def hot_words(self, filters: Filters | None = None, size: int = 30,
                  exclude: Iterable[str] = ()) -> list[tuple[str, int]]:
        excluded = set(exclude)
        with self._snapshot():
            counts = self._hot_words(filters)
        return sorted(((w, n) for w, n in counts.items() if w not in excluded),
                      key=lambda i: (-i[1], i[0]))[:size]

    def _hot_words(self, filters: Filters | None) -> Counter[str]:
        span = _rollup_span(filters)
        if span is not None:
            counts = Counter({k: n for _, k, n in self._rollup("keyword", span, filters,
                                                                 by_day=False)})
            for edge in span.edges:
                counts.update(self._hot_words(edge))
            return counts
        f = filters or Filters()
        # The time range is on post_keywords' own copy (its primary key's leading column);
        # posts are joined only for the other filters.
        where, params = self._where(replace(f, since=None, until=None))
        time_where, time_params = self._where(Filters(since=f.since, until=f.until),
                                              "k.published_ts")
        join = (" JOIN posts p ON p.rowid = k.post_rowid AND p.published_ts = k.published_ts"
                if where else "")  # both: the planner may walk posts and seek post_keywords
        if where and time_where:
            where = time_where + " AND " + where[len(" WHERE "):]
        else:
            where = where or time_where
        rows = self._execute(f"SELECT k.keyword, count(*) FROM post_keywords k{join}{where} "
                             "GROUP BY k.keyword", [*time_params, *params])
        return Counter(dict(rows))

    def iter_posts(self, filters: Filters | None = None, batch: int = 1000) -> Iterator[Post]:
        where, params = self._where(filters)
        last = 0
        joiner = " AND " if where else " WHERE "
        while True:
            rows = self._execute(f"SELECT * FROM posts p{where}{joiner}p.rowid > ? ORDER BY p.rowid "
                                 "LIMIT ?", [*params, last, batch])
            if not rows:
                return
            for row in rows:
                yield self._row_to_post(row)
            last = rows[-1]["rowid"]
