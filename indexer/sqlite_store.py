"""The SQLite store: connections, writes and the reads behind searches and aggregations."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import orjson

from indexer.base import (TOTAL_CAP, Filters, Hit, Interval, SearchResult, Sort, Store,
                          StoreError, UpsertResult, make_snippet)
from indexer.documents import index_text, index_tokens, parse_ts, post_ts
from indexer.duplicates import Original, Originals, needs_original
from indexer.query import Query, parse_query
from indexer.sqlite_buckets import BUCKET, bucket_label
from indexer.sqlite_fts import (LOWER_FUNCTION, disjoint_parts, fts_key, post_grams,
                                rank_expression)
from indexer.sqlite_rollup import (ROLLUP_SPLITS, DailyCounts, Span, rollup_counts,
                                   rollup_select, rollup_span)
from indexer.sqlite_rows import COLUMNS, row_to_post, row_values
from indexer.sqlite_schema import migrate
from indexer.sqlite_select import match_sql, slice_select, split_column, where_sql
from core.batches import batched
from core.post import Post

_CHUNK = 500
_DELETE_GRAMS = "INSERT INTO posts_grams (posts_grams, rowid, grams) VALUES ('delete', ?, ?)"
RANK_CANDIDATES = 1000
_SORT = {
    "time": "p.published_ts DESC, p.rowid DESC",
    "severity": "p.severity DESC, p.published_ts DESC",
    "influence": "p.influence DESC, p.published_ts DESC",
}


def _order(key: Any) -> tuple[bool, Any]:
    """Sort key putting None first, as SQLite's ORDER BY does with NULL."""
    return (key is not None, key if key is not None else 0)


@dataclass
class _Known:
    """What an upsert read of the store before writing: rows by post id, originals by text."""

    next_rowid: int
    existing: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    originals: Originals = field(default_factory=Originals)


@dataclass
class _Writes:
    """One chunk's rows to write."""

    inserts: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    replaced: list[tuple[int, int, str]] = field(default_factory=list)  # (old key, rowid, grams)
    categories: list[tuple[str, int, int]] = field(default_factory=list)


class SqliteStore(Store):
    """The embedded default store in one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        migrate(self._conn(), self.path)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite {self.path}: cannot open: {exc}") from None
            conn.row_factory = sqlite3.Row
            conn.create_function(LOWER_FUNCTION, 1, str.lower, deterministic=True)
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
        posts = list({p.id: p for p in posts}.values())  # the last version of a post wins
        if not posts:
            return result
        conn = self._conn()
        counts = DailyCounts()
        fts_rows: list[tuple[int, str, str, str]] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            known = self._known(conn, posts)
            for chunk in batched(posts, _CHUNK):
                self._write(conn, self._rows(chunk, known, result, counts, fts_rows))
            # FTS5 buffers rows in rowid order; one out of order writes the buffer out first.
            fts_rows.sort()
            conn.executemany("INSERT INTO posts_fts (rowid, words, subwords) VALUES (?, ?, ?)",
                             [row[:3] for row in fts_rows])
            conn.executemany("INSERT INTO posts_grams (rowid, grams) VALUES (?, ?)",
                             [(row[0], row[3]) for row in fts_rows])
            self._add_counts(conn, counts.rows())
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return result

    @staticmethod
    def _known(conn: sqlite3.Connection, posts: list[Post]) -> _Known:
        """What the store holds of these posts, read by set before any write: their rows (with the
        text, whose grams an update deletes), and the two earliest originals (no one's duplicate)
        of their texts — one may be the post itself; a text reposted thousands of times must not
        load all its copies."""
        known = _Known(next_rowid=(conn.execute("SELECT max(rowid) FROM posts").fetchone()[0]
                                   or 0) + 1)
        for ids in batched([p.id for p in posts], _CHUNK):
            known.existing.update((r[0], r[1:]) for r in conn.execute(
                "SELECT id, rowid, dup_of, published_ts, relevant, severity, city, source, "
                "categories, keywords, title, content FROM posts "
                f"WHERE id IN ({', '.join('?' * len(ids))})", ids))
        fingerprints = sorted({p.fingerprint for p in posts if needs_original(
            p, known.existing[p.id][1] if p.id in known.existing else None)})
        for part in batched(fingerprints, _CHUNK):
            for fp, ts, rowid, post_id in conn.execute(
                    "SELECT fingerprint, published_ts, rowid, id FROM ("
                    "SELECT fingerprint, published_ts, rowid, id, row_number() OVER ("
                    "PARTITION BY fingerprint ORDER BY published_ts, rowid) AS n FROM posts "
                    "INDEXED BY posts_originals WHERE dup_of IS NULL AND fingerprint "
                    f"IN ({', '.join('?' * len(part))})) WHERE n <= 2", part):
                known.originals.add(fp, Original(ts, rowid, post_id))
        return known

    @staticmethod
    def _rows(posts: list[Post], known: _Known, result: UpsertResult, counts: DailyCounts,
              fts_rows: list[tuple[int, str, str, str]]) -> _Writes:
        """The writes of one chunk of distinct posts (`known` has what they need and learns the
        new originals); `counts` collects the changes to daily_counts and `fts_rows` the
        full-text rows (key, words, sub-words, grams)."""
        writes = _Writes()
        for post in posts:
            old = known.existing.get(post.id)
            try:
                ts = post_ts(post)
                dup_of = known.originals.link(post, old[1] if old else None)
                values = row_values(post, ts, dup_of)
                words, subwords = index_tokens(post)
                key = fts_key(ts, old[0] if old else known.next_rowid)
            except (ValueError, TypeError) as exc:
                result.failed[post.id] = str(exc)
                continue
            if old is None:
                rowid = known.next_rowid
                known.next_rowid += 1
                writes.inserts.append((rowid, *values))
                result.inserted.append(post.id)
            else:
                rowid, _, old_ts, *old_fields, old_categories, old_keywords, title, content = old
                counts.add(old_ts, *old_fields, orjson.loads(old_categories),
                           orjson.loads(old_keywords), sign=-1)
                writes.updates.append((*values[1:], rowid))
                writes.replaced.append((fts_key(old_ts, rowid), rowid, post_grams(title, content)))
                result.updated.append(post.id)
            known.originals.stored(post, ts, rowid, dup_of)
            fts_rows.append((key, " ".join(words), " ".join(subwords),
                             post_grams(post.title, post.content)))
            writes.categories.extend((c, rowid, ts) for c in dict.fromkeys(post.categories))
            counts.add(ts, post.relevant, post.severity, post.city, post.source, post.categories,
                       post.keywords)
        return writes

    @staticmethod
    def _write(conn: sqlite3.Connection, writes: _Writes) -> None:
        if writes.replaced:
            conn.executemany(f"UPDATE posts SET {', '.join(c + ' = ?' for c in COLUMNS[1:])} "
                             "WHERE rowid = ?", writes.updates)
            conn.executemany("DELETE FROM posts_fts WHERE rowid = ?",
                             [(key,) for key, _, _ in writes.replaced])
            conn.executemany(_DELETE_GRAMS, [(key, grams) for key, _, grams in writes.replaced])
            conn.executemany("DELETE FROM post_categories WHERE post_rowid = ?",
                             [(rowid,) for _, rowid, _ in writes.replaced])
        conn.executemany(f"INSERT INTO posts (rowid, {', '.join(COLUMNS)}) "
                         f"VALUES (?, {', '.join('?' * len(COLUMNS))})", writes.inserts)
        conn.executemany("INSERT OR IGNORE INTO post_categories VALUES (?, ?, ?)",
                         writes.categories)

    @staticmethod
    def _add_counts(conn: sqlite3.Connection, count_rows: list[tuple[Any, ...]]) -> None:
        conn.executemany("INSERT INTO daily_counts VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT DO UPDATE SET n = n + excluded.n", count_rows)

    def set_case_status(self, post_id: str, status: str | None) -> None:
        self._conn().execute("UPDATE posts SET case_status = ? WHERE id = ?", (status, post_id))

    def delete_older_than(self, cutoff: str) -> int:
        ts = parse_ts(cutoff)
        if ts is None:
            raise StoreError(f"sqlite: retention cutoff {cutoff!r} is not an ISO date")
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute("SELECT rowid, published_ts, relevant, severity, city, source, "
                                "categories, keywords FROM posts WHERE published_ts < ?",
                                (ts,)).fetchall()
            counts = DailyCounts()
            for _, old_ts, *fields, categories, keywords in rows:
                counts.add(old_ts, *fields, orjson.loads(categories), orjson.loads(keywords), sign=-1)
            rowids = [(r[0],) for r in rows]
            conn.execute("DELETE FROM posts_fts WHERE rowid < ?", (fts_key(ts, 0),))
            # read in chunks: the texts of a year of posts need not fit in memory
            texts = conn.execute("SELECT published_ts, rowid, title, content FROM posts "
                                 "WHERE published_ts < ?", (ts,))
            for chunk in batched(texts, _CHUNK):
                conn.executemany(_DELETE_GRAMS, [(fts_key(t, rowid), post_grams(title, content))
                                                 for t, rowid, title, content in chunk])
            conn.executemany("DELETE FROM post_categories WHERE post_rowid = ?", rowids)
            conn.execute("DELETE FROM posts WHERE published_ts < ?", (ts,))
            self._add_counts(conn, counts.rows())
            conn.execute("DELETE FROM daily_counts WHERE day <= ? AND n = 0",
                         ((ts + 28800) // 86400,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(rows)

    # -- reads ----------------------------------------------------------------------------
    def get(self, post_id: str) -> Post | None:
        row = self._conn().execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
        return row_to_post(row) if row else None

    def get_many(self, post_ids: Sequence[str]) -> dict[str, Post]:
        rows = self._conn().execute("SELECT * FROM posts WHERE id IN (SELECT value FROM json_each(?))",
                                    (orjson.dumps(list(post_ids)).decode(),)).fetchall()
        return {row["id"]: row_to_post(row) for row in rows}

    def replies(self, urls: Sequence[str], limit: int = 1000) -> list[Post]:
        rows = self._conn().execute(
            "SELECT * FROM posts INDEXED BY posts_reply_to WHERE reply_to IN "
            "(SELECT value FROM json_each(?)) "
            "ORDER BY published_ts, id LIMIT ?", (orjson.dumps(list(urls)).decode(), limit)).fetchall()
        return [row_to_post(row) for row in rows]

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

    @contextmanager
    def _sql_errors(self) -> Iterator[None]:
        """SQLite's errors in a read (a locked or damaged file) as StoreError naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise StoreError(f"sqlite {self.path}: {exc}") from None

    def _execute(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        with self._sql_errors():
            return self._conn().execute(sql, params).fetchall()

    def _count_matches(self, filters: Filters | None, query: Query, limit: int | None) -> int:
        """Posts matching, exactly or (with `limit`) up to `limit`."""
        total = 0
        for part in disjoint_parts(query):
            _, params, _, counting = match_sql(filters, part)
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
            post = row_to_post(row)
            snippet = make_snippet(index_text(post), terms) if highlight else ""
            score = 0.0 - row["score"] if row["score"] is not None else None  # not -0.0
            hits.append(Hit(post, snippet, score))
        return SearchResult(total=total, hits=hits, total_is_lower_bound=lower_bound)

    def _search(self, filters: Filters | None, parsed: Query | None, sort: Sort, page: int,
                size: int) -> tuple[int, bool, list[sqlite3.Row]]:
        """(total, whether it is only a lower bound, the page's rows)."""
        found, params, walks_fts, counting = match_sql(filters, parsed)
        offset = max(page - 1, 0) * size
        # Exact up to TOTAL_CAP (and always past the requested page, so "more?" stays answerable).
        cap = max(TOTAL_CAP, offset + size + 1)
        if parsed is not None:
            total = self._count_matches(filters, parsed, cap)
        elif rollup_span(filters, one_value=True) is not None:
            total = self._count(filters)
            cap = total + 1  # exact, however many
        else:
            total = self._execute(f"SELECT count(*) FROM (SELECT 1 {counting} LIMIT ?)",
                                  [*params, cap])[0][0]
        common = total >= cap
        rank = rank_expression(parsed) if parsed is not None else None
        if walks_fts and sort == "relevance" and rank is not None:
            # bm25 over every match of a common word costs as much as the matches: rank the
            # latest RANK_CANDIDATES of them instead. Matches where no term is a word (bm25
            # scores words negative) come last, with score 0. Only the page's posts are read.
            latest = f" ORDER BY g.rowid DESC LIMIT {RANK_CANDIDATES}" if common else ""
            rows = self._execute(
                f"WITH hits AS MATERIALIZED (SELECT g.rowid AS k, p.rowid AS r {found}{latest}), "
                "scores AS MATERIALIZED (SELECT rowid AS k, bm25(posts_fts) AS s FROM posts_fts "
                "WHERE posts_fts MATCH ? AND rowid BETWEEN (SELECT min(k) FROM hits) "
                "AND (SELECT max(k) FROM hits) AND +rowid IN (SELECT k FROM hits)) "
                "SELECT p.*, page.score FROM (SELECT hits.r, hits.k, coalesce(scores.s, 0.0) AS score "
                "FROM hits LEFT JOIN scores ON scores.k = hits.k ORDER BY score, hits.k DESC "
                "LIMIT ? OFFSET ?) page JOIN posts p ON p.rowid = page.r "
                "ORDER BY page.score, page.k DESC",
                [*params, rank, size, offset])
        else:
            # FTS5 rowids run in time order: a time-sorted page is read newest first, and stops.
            order = ("g.rowid DESC" if walks_fts and sort in ("time", "relevance")
                     else _SORT.get(sort, _SORT["time"]))
            rows = self._execute(f"SELECT p.*, NULL AS score {found} ORDER BY {order} "
                                 "LIMIT ? OFFSET ?", [*params, size, offset])
        return total, common, rows

    def count(self, filters: Filters | None = None, query: str = "") -> int:
        parsed = parse_query(query) if query else None
        with self._snapshot():
            if parsed is not None and not parsed.empty:
                return self._count_matches(filters, parsed, None)
            return self._count(filters)

    def _count(self, filters: Filters | None) -> int:
        span = rollup_span(filters, one_value=True)
        if span is None:
            sql, params = where_sql(filters)
            return self._execute(f"SELECT count(*) FROM posts p{sql}", params)[0][0]
        split = span.value[0] if span.value else None
        return (sum(n for _, _, n in self._rollup(split, span, filters, by_day=False))
                + sum(self._count(edge) for edge in span.edges))

    def _rollup(self, split: str | None, span: Span, filters: Filters | None,
                by_day: bool) -> list[tuple[int | None, Any, int]]:
        """(day or None, key, count) from daily_counts over the span's whole days."""
        sql, params = rollup_select(split, span, (filters or Filters()).relevant, by_day)
        return rollup_counts(split, self._execute(sql, params))

    def date_histogram(self, interval: Interval, filters: Filters | None = None,
                       split_by: str | None = None) -> list[dict[str, Any]]:
        if interval not in BUCKET:
            raise StoreError(f"sqlite: unknown interval {interval!r}")
        with self._snapshot():
            counts = self._histogram(interval, filters, split_by)
        return [{"bucket": b, "key": k, "count": n}
                for (b, k), n in sorted(counts.items(), key=lambda i: (i[0][0], _order(i[0][1])))]

    def _histogram(self, interval: Interval, filters: Filters | None,
                   split_by: str | None) -> Counter[tuple[str, Any]]:
        counts: Counter[tuple[str, Any]] = Counter()
        span = (rollup_span(filters) if interval != "hour" and split_by in ROLLUP_SPLITS
                else None)
        if span is not None:
            for day, key, n in self._rollup(split_by, span, filters, by_day=True):
                counts[(bucket_label(interval, day), key)] += n
            for edge in span.edges:
                counts.update(self._histogram(interval, edge, split_by))
            return counts
        key, join = split_column(split_by)
        sql, params = where_sql(filters)
        # `k`, not `key`: json_each (the operator split) has a column named key.
        for r in self._execute(f"SELECT {BUCKET[interval]} AS bucket, {key} AS k, count(*) "
                               f"AS n FROM posts p{join}{sql} GROUP BY bucket, k", params):
            counts[(bucket_label(interval, r["bucket"]), r["k"])] += r["n"]
        return counts

    def slice_counts(self, group_by: Sequence[str], filters: Filters | None = None,
                     interval: Interval | None = None) -> list[dict[str, Any]]:
        fields = list(dict.fromkeys(group_by))
        rows = self._execute(*slice_select(fields, filters, interval))
        counts: dict[tuple[Any, ...], int] = {}
        for row in rows:
            if not row["n"]:
                continue
            key = tuple(row[f"k{i}"] for i in range(len(fields)))
            bucket = bucket_label(interval, row[f"k{len(fields)}"]) if interval else None
            counts[(*key, bucket)] = counts.get((*key, bucket), 0) + row["n"]
        return [{"slice": dict(zip(fields, k[:-1])), "bucket": k[-1], "count": n}
                for k, n in counts.items()]

    def terms(self, field: str, filters: Filters | None = None, size: int = 20) -> list[tuple[Any, int]]:
        with self._snapshot():
            counts = self._terms(field, filters)
        return sorted(counts.items(), key=lambda i: (-i[1], _order(i[0])))[:size]

    def _terms(self, field: str, filters: Filters | None) -> Counter[Any]:
        key, join = split_column(field)  # validates the field
        span = rollup_span(filters) if field in ROLLUP_SPLITS else None
        if span is not None:
            counts = Counter({k: n for _, k, n in self._rollup(field, span, filters, by_day=False)})
            for edge in span.edges:
                counts.update(self._terms(field, edge))
            return counts
        sql, params = where_sql(filters)
        return Counter({r["k"]: r["n"] for r in self._execute(
            f"SELECT {key} AS k, count(*) AS n FROM posts p{join}{sql} GROUP BY k", params)})

    def hot_words(self, filters: Filters | None = None, size: int = 30,
                  exclude: Iterable[str] = ()) -> list[tuple[str, int]]:
        excluded = set(exclude)
        with self._snapshot():
            counts = self._hot_words(filters)
        return sorted(((w, n) for w, n in counts.items() if w not in excluded),
                      key=lambda i: (-i[1], i[0]))[:size]

    def _hot_words(self, filters: Filters | None) -> Counter[str]:
        span = rollup_span(filters)
        if span is not None:
            counts = Counter({k: n for _, k, n in self._rollup("keyword", span, filters,
                                                                 by_day=False)})
            for edge in span.edges:
                counts.update(self._hot_words(edge))
            return counts
        # Each post's keyword list (stored once per keyword) is counted here: several times
        # faster than json_each() in SQL, and no per-keyword table to keep on every write.
        sql, params = where_sql(filters)
        cursor = self._conn().cursor()
        cursor.row_factory = None
        counts: Counter[str] = Counter()
        with self._sql_errors():
            cursor.execute(f"SELECT p.keywords FROM posts p{sql}", params)
            while rows := cursor.fetchmany(5000):
                counts.update(chain.from_iterable(orjson.loads(k) for k, in rows if k))
        return counts

    def iter_posts(self, filters: Filters | None = None, batch: int = 1000) -> Iterator[Post]:
        sql, params = where_sql(filters)
        last = 0
        joiner = " AND " if sql else " WHERE "
        while True:
            rows = self._execute(f"SELECT * FROM posts p{sql}{joiner}p.rowid > ? ORDER BY p.rowid "
                                 "LIMIT ?", [*params, last, batch])
            if not rows:
                return
            for row in rows:
                yield row_to_post(row)
            last = rows[-1]["rowid"]
