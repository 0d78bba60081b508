"""The SELECT pieces of the SQLite store's reads over posts `p`: the WHERE of Filters, the
FROM … WHERE of a search (walking posts_grams or not), the column a field groups by, and the
slice_counts query."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple, Sequence

from indexer.base import TERM_FIELDS, Filters, Interval, StoreError
from indexer.documents import parse_ts
from indexer.query import Query
from indexer.sqlite_buckets import BUCKET
from indexer.sqlite_fts import FROM_GRAMS, fts_key, query_sql


def where_sql(filters: Filters | None,
              time_column: str = "p.published_ts") -> tuple[str, list[Any]]:
    """WHERE over posts `p`; the time range on `time_column` (a side table's copy of it)."""
    f = filters or Filters()
    clauses: list[str] = []
    params: list[Any] = []
    if f.since and parse_ts(f.since) is not None:
        clauses.append(f"{time_column} >= ?")
        params.append(parse_ts(f.since))
    if f.until and parse_ts(f.until) is not None:
        clauses.append(f"{time_column} < ?")
        params.append(parse_ts(f.until))
    for column, values in (("source", f.sources), ("city", f.cities),
                           ("case_status", f.case_status)):
        if values:
            clauses.append(f"p.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if f.categories:
        clauses.append("EXISTS (SELECT 1 FROM post_categories c WHERE c.post_rowid = p.rowid "
                       f"AND c.category IN ({', '.join('?' * len(f.categories))}))")
        params.extend(f.categories)
    for sql, value in (("p.severity >= ?", f.severity_min), ("p.severity <= ?", f.severity_max),
                       ("p.intent >= ?", f.intent_min), ("p.intent <= ?", f.intent_max)):
        if value is not None:
            clauses.append(sql)
            params.append(value)
    if f.relevant is not None:
        clauses.append("p.relevant = ?")
        params.append(int(f.relevant))
    if f.operators:
        clauses.append("EXISTS (SELECT 1 FROM json_each(p.operators) o WHERE o.value "
                       f"IN ({', '.join('?' * len(f.operators))}))")
        params.extend(f.operators)
    if not f.include_duplicates:
        clauses.append("p.dup_of IS NULL")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class Match(NamedTuple):
    """The posts a search matches, as SQL."""

    sql: str  # FROM … WHERE …
    params: list[Any]
    walks_fts: bool  # whether it walks posts_grams rows `g`
    counting: str  # the same for counting: posts_grams alone when nothing else is tested


def match_sql(filters: Filters | None, query: Query | None) -> Match:
    """FROM … WHERE … of the posts matching the filters and the parsed query."""
    expression, clauses, params = query_sql(query) if query else (None, [], [])
    if expression is None:
        sql, where_params = where_sql(filters)
        if clauses:
            sql += (" AND " if sql else " WHERE ") + " AND ".join(clauses)
        sql = f"FROM posts p{sql}"
        return Match(sql, [*where_params, *params], False, sql)
    f = filters or Filters()
    post_where, where_params = where_sql(replace(f, since=None, until=None))
    fts = " WHERE posts_grams MATCH ?"
    time_params = []
    for value, op in ((f.since, ">="), (f.until, "<")):  # a time range is a key range
        ts = parse_ts(value) if value else None
        if ts is not None:
            fts += f" AND g.rowid {op} ?"
            time_params.append(fts_key(ts, 0))
    post_clauses = ([post_where[len(" WHERE "):]] if post_where else []) + clauses
    sql = FROM_GRAMS + fts + "".join(f" AND {c}" for c in post_clauses)
    counting = sql if post_clauses else "FROM posts_grams g" + fts
    return Match(sql, [expression, *time_params, *where_params, *params], True, counting)


def split_column(field: str | None) -> tuple[str, str]:
    """(SQL of the value a post counts under, the JOIN it needs) when grouping by `field`."""
    if field is None:
        return "NULL", ""
    if field == "category":
        return "c.category", " JOIN post_categories c ON c.post_rowid = p.rowid"
    if field == "operator":
        return "o.value", " JOIN json_each(p.operators) o"
    if field not in TERM_FIELDS:
        raise StoreError(f"sqlite: cannot split by {field!r}; use one of {TERM_FIELDS}")
    return f"p.{field}", ""


def slice_select(fields: Sequence[str], filters: Filters | None,
                 interval: Interval | None) -> tuple[str, list[Any]]:
    """The slice_counts query: columns k0… (the fields, then the bucket) and n, the posts."""
    columns, joins = [], []
    for name in fields:
        if name in ("category", "operator"):
            column, join = split_column(name)
            columns.append(column)
            joins.append(join)
        elif name in TERM_FIELDS:
            # `+`: grouping by the column must not make SQLite walk its whole index in
            # order instead of reading the time range.
            columns.append(f"+p.{name}")
        else:
            raise StoreError(f"sqlite: cannot group by {name!r}; use one of {TERM_FIELDS}")
    if interval is not None:
        if interval not in BUCKET:
            raise StoreError(f"sqlite: unknown interval {interval!r}")
        columns.append(BUCKET[interval])
    sql, params = where_sql(filters)
    select = ", ".join([*(f"{c} AS k{i}" for i, c in enumerate(columns)), "count(*) AS n"])
    group = f" GROUP BY {', '.join(f'k{i}' for i in range(len(columns)))}" if columns else ""
    return f"SELECT {select} FROM posts p{''.join(joins)}{sql}{group}", params
