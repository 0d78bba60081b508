"""SQLite backend: WAL, FTS5 over jieba tokens, side tables for categories and keywords."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from indexer.base import (TERM_FIELDS, Filters, Hit, Interval, SearchResult, Sort, Store,
                          StoreError, UpsertResult, make_snippet)
from indexer.documents import index_tokens, parse_ts, post_ts
from indexer.query import Query, Term, parse_query
from tousu.post import Post

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
CREATE TABLE IF NOT EXISTS post_keywords (
    keyword TEXT NOT NULL, post_rowid INTEGER NOT NULL, published_ts INTEGER NOT NULL,
    PRIMARY KEY (published_ts, post_rowid, keyword)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_keywords_post ON post_keywords (post_rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
    words, subwords, tokenize = 'unicode61 remove_diacritics 0'
);
"""
_COLUMNS = ("id", "source", "url", "title", "content", "author", "published_at", "published_ts",
            "crawled_at", "engagement", "location", "severity", "negative", "relevant", "city",
            "categories", "keywords", "influence", "reasons", "fingerprint", "dup_of")
_JSON = {"engagement", "categories", "keywords", "reasons"}
_CHUNK = 500
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


def _json(value: Any) -> str:
    return _encode(value) if value else ("{}" if isinstance(value, dict) else "[]")


def _row_values(post: Post, ts: int, dup_of: str | None) -> list[Any]:
    """The post's values in _COLUMNS order (without dataclasses.asdict: it deep-copies)."""
    return [post.id, post.source, post.url, post.title, post.content, post.author,
            post.published_at, ts, post.crawled_at, _json(post.engagement or {}), post.location,
            post.severity, post.negative, None if post.relevant is None else int(post.relevant),
            post.city, _json(list(post.categories)), _json(list(post.keywords)), post.influence,
            _json(list(post.reasons)), post.fingerprint, dup_of]


def _order(key: Any) -> tuple[bool, Any]:
    """Sort key putting None first, as SQLite's ORDER BY does with NULL."""
    return (key is not None, key if key is not None else 0)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _match_any(tokens: Iterable[str]) -> str:
    return " OR ".join("{words subwords} : " + _fts_string(t) for t in tokens)


def _term_sql(term: Term) -> tuple[str, list[Any]]:
    """SQL for one term. A single token is an index lookup. A phrase, or a word that jieba splits,
    is a substring match: the index narrows candidates by its tokens (any of them, because jieba
    may cut the same characters differently in context) and instr() confirms the exact text."""
    if len(term.tokens) == 1 and not term.phrase:
        return ("p.rowid IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)",
                ["{words subwords} : " + _fts_string(term.tokens[0])])
    long_tokens = [t for t in term.tokens if len(t) > 1] or list(term.tokens)
    return ("(p.rowid IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?) AND "
            "instr(lower(coalesce(p.title, '') || char(10) || coalesce(p.content, '')), ?) > 0)",
            [_match_any(long_tokens), term.text.lower()])


def _single(term: Term) -> bool:
    return len(term.tokens) == 1 and not term.phrase


def _query_sql(query: Query) -> tuple[list[str], list[Any]]:
    """WHERE clauses for a parsed query. Index lookups are merged into one FTS5 expression
    (AND of the groups, NOT of the exclusions), which FTS5 evaluates over its doclists far faster
    than one `rowid IN (...)` set per term; only the substring checks stay in SQL."""
    fts: list[str] = []
    clauses: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        if all(_single(t) for t in group):
            fts.append("(" + _match_any(t.tokens[0] for t in group) + ")")
        elif len(group) == 1:
            term = group[0]
            fts.append("(" + _match_any([t for t in term.tokens if len(t) > 1] or term.tokens) + ")")
            clauses.append("instr(lower(coalesce(p.title, '') || char(10) || "
                           "coalesce(p.content, '')), ?) > 0")
            params.append(term.text.lower())
        else:
            parts = [_term_sql(term) for term in group]
            clauses.append("(" + " OR ".join(sql for sql, _ in parts) + ")")
            params.extend(p for _, ps in parts for p in ps)
    expression = " AND ".join(fts)
    for term in query.excluded:
        if fts and _single(term):
            expression += " NOT (" + _match_any(term.tokens) + ")"
        else:
            sql, ps = _term_sql(term)
            clauses.append(f"NOT {sql}")
            params.extend(ps)
    if expression:
        clauses.insert(0, "p.rowid IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)")
        params.insert(0, expression)
    return clauses, params


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
        with self._conn() as conn:
            conn.executescript(SCHEMA)

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
        conn.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(posts), _CHUNK):
                self._upsert_chunk(conn, posts[start:start + _CHUNK], result)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result

    def _upsert_chunk(self, conn: sqlite3.Connection, posts: list[Post],
                      result: UpsertResult) -> None:
        """One chunk inside the caller's transaction: lookups by set, inserts by executemany."""
        unique = list({p.id: p for p in posts}.values())  # the last version of a post wins
        ids = [p.id for p in unique]
        existing = {r[0]: (r[1], r[2]) for r in conn.execute(
            f"SELECT id, rowid, dup_of FROM posts WHERE id IN ({', '.join('?' * len(ids))})", ids)}
        fingerprints = list({p.fingerprint for p in unique if len(p.content or p.title) >= 10})
        originals: dict[str, list[tuple[int, int, str]]] = {}
        if fingerprints:
            for fp, ts, rowid, pid in conn.execute(
                    "SELECT fingerprint, published_ts, rowid, id FROM posts WHERE fingerprint IN "
                    f"({', '.join('?' * len(fingerprints))})", fingerprints):
                originals.setdefault(fp, []).append((ts, rowid, pid))
        next_rowid = (conn.execute("SELECT max(rowid) FROM posts").fetchone()[0] or 0) + 1
        new_rows, fts_rows, cat_rows, kw_rows = [], [], [], []
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
            except (ValueError, TypeError) as exc:
                result.failed[post.id] = str(exc)
                continue
            if old is None:
                rowid, next_rowid = next_rowid, next_rowid + 1
                new_rows.append((rowid, *values))
                result.inserted.append(post.id)
            else:
                rowid = old[0]
                conn.execute(f"UPDATE posts SET {', '.join(c + ' = ?' for c in _COLUMNS[1:])} "
                             "WHERE rowid = ?", [*values[1:], rowid])
                for table, column in (("posts_fts", "rowid"), ("post_categories", "post_rowid"),
                                      ("post_keywords", "post_rowid")):
                    conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (rowid,))
                result.updated.append(post.id)
            originals.setdefault(post.fingerprint, []).append((ts, rowid, post.id))
            fts_rows.append((rowid, " ".join(words), " ".join(subwords)))
            cat_rows.extend((c, rowid, ts) for c in dict.fromkeys(post.categories))
            kw_rows.extend((k, rowid, ts) for k in dict.fromkeys(post.keywords))
        conn.executemany(f"INSERT INTO posts (rowid, {', '.join(_COLUMNS)}) "
                         f"VALUES (?, {', '.join('?' * len(_COLUMNS))})", new_rows)
        conn.executemany("INSERT INTO posts_fts (rowid, words, subwords) VALUES (?, ?, ?)",
                         fts_rows)
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
            rows = [r[0] for r in conn.execute("SELECT rowid FROM posts WHERE published_ts < ?", (ts,))]
            for table, column in (("posts_fts", "rowid"), ("post_categories", "post_rowid"),
                                  ("post_keywords", "post_rowid"), ("posts", "rowid")):
                conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(r,) for r in rows])
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
    def _where(filters: Filters | None, query: Query | None) -> tuple[str, list[Any]]:
        f = filters or Filters()
        clauses: list[str] = []
        params: list[Any] = []
        if f.since and _ts(f.since) is not None:
            clauses.append("p.published_ts >= ?")
            params.append(_ts(f.since))
        if f.until and _ts(f.until) is not None:
            clauses.append("p.published_ts < ?")
            params.append(_ts(f.until))
        for column, values in (("source", f.sources), ("city", f.cities),
                               ("case_status", f.case_status)):
            if values:
                clauses.append(f"p.{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if f.categories:
            clauses.append("p.rowid IN (SELECT post_rowid FROM post_categories WHERE category IN "
                           f"({', '.join('?' * len(f.categories))}))")
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
        if query is not None:
            sql, ps = _query_sql(query)
            clauses.extend(sql)
            params.extend(ps)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _execute(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"sqlite {self.path}: {exc}") from None

    def search(self, query: str = "", filters: Filters | None = None, sort: Sort = "time",
               page: int = 1, size: int = 20, highlight: bool = True) -> SearchResult:
        parsed = parse_query(query) if query else None
        if parsed is not None and parsed.empty:
            parsed = None
        where, params = self._where(filters, parsed)
        total = self._execute(f"SELECT count(*) FROM posts p{where}", params)[0][0]
        offset = max(page - 1, 0) * size
        positive = rank_expression(parsed) if parsed else None
        if sort == "relevance" and positive:
            sql = (f"SELECT p.*, f.rank AS score FROM posts p JOIN (SELECT rowid, bm25(posts_fts) "
                   f"AS rank FROM posts_fts WHERE posts_fts MATCH ?) f ON f.rowid = p.rowid{where} "
                   "ORDER BY f.rank, p.published_ts DESC LIMIT ? OFFSET ?")
            rows = self._execute(sql, [positive, *params, size, offset])
        else:
            order = _SORT.get(sort, _SORT["time"])
            rows = self._execute(f"SELECT p.*, NULL AS score FROM posts p{where} ORDER BY {order} "
                                 "LIMIT ? OFFSET ?", [*params, size, offset])
        terms = parsed.highlight_terms() if parsed else []
        hits = []
        for row in rows:
            post = self._row_to_post(row)
            text = f"{post.title} {post.content}" if post.title else post.content
            snippet = make_snippet(text, terms) if highlight else ""
            score = -row["score"] if row["score"] is not None else None
            hits.append(Hit(post, snippet, score))
        return SearchResult(total=total, hits=hits)

    def count(self, filters: Filters | None = None, query: str = "") -> int:
        parsed = parse_query(query) if query else None
        where, params = self._where(filters, parsed if parsed and not parsed.empty else None)
        return self._execute(f"SELECT count(*) FROM posts p{where}", params)[0][0]

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
        key, join = self._split_column(split_by)
        where, params = self._where(filters, None)
        rows = self._execute(
            f"SELECT {_BUCKET[interval]} AS bucket, {key} AS key, count(*) AS n "
            f"FROM posts p{join}{where} GROUP BY bucket, key", params)
        counts: dict[tuple[str, Any], int] = {}
        for r in rows:
            k = (_bucket_label(interval, r["bucket"]), r["key"])
            counts[k] = counts.get(k, 0) + r["n"]
        return [{"bucket": b, "key": k, "count": n}
                for (b, k), n in sorted(counts.items(), key=lambda i: (i[0][0], _order(i[0][1])))]

    def slice_counts(self, group_by: Sequence[str], filters: Filters | None = None,
                     interval: Interval | None = None) -> list[dict[str, Any]]:
        fields = list(dict.fromkeys(group_by))
        columns, joins = [], []
        for name in fields:
            if name == "category":
                columns.append("c.category")
                joins.append(" JOIN post_categories c ON c.post_rowid = p.rowid")
            elif name in TERM_FIELDS:
                columns.append(f"p.{name}")
            else:
                raise StoreError(f"sqlite: cannot group by {name!r}; use one of {TERM_FIELDS}")
        if interval is not None:
            if interval not in _BUCKET:
                raise StoreError(f"sqlite: unknown interval {interval!r}")
            columns.append(_BUCKET[interval])
        where, params = self._where(filters, None)
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
        key, join = self._split_column(field)
        where, params = self._where(filters, None)
        rows = self._execute(f"SELECT {key} AS key, count(*) AS n FROM posts p{join}{where} "
                             "GROUP BY key ORDER BY n DESC, key LIMIT ?", [*params, size])
        return [(r["key"], r["n"]) for r in rows]

    def hot_words(self, filters: Filters | None = None, size: int = 30,
                  exclude: Iterable[str] = ()) -> list[tuple[str, int]]:
        where, params = self._where(filters, None)
        excluded = list(exclude)
        extra = (f" AND k.keyword NOT IN ({', '.join('?' * len(excluded))})" if excluded else "")
        sql = (f"SELECT k.keyword AS key, count(*) AS n FROM post_keywords k JOIN posts p "
               f"ON p.rowid = k.post_rowid{where or ' WHERE 1'}{extra} GROUP BY k.keyword "
               "ORDER BY n DESC, key LIMIT ?")
        rows = self._execute(sql, [*params, *excluded, size])
        return [(r["key"], r["n"]) for r in rows]

    def iter_posts(self, filters: Filters | None = None, batch: int = 1000) -> Iterator[Post]:
        where, params = self._where(filters, None)
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
