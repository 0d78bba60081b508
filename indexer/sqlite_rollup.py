"""The daily_counts roll-up: the keys a post counts in and the span of days a query reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Iterable, Sequence

from indexer.base import Filters
from indexer.documents import iso_cst, parse_ts

_NULL = b""  # how daily_counts stores NULL


class DailyCounts:
    """Changes to daily_counts collected over a write: a post counts once per day in '' and in
    each of its field values. Per post only one key of its fixed fields and one per category and
    keyword are counted; they are spread into daily_counts keys once, in `rows`."""

    def __init__(self) -> None:
        self._posts: Counter[tuple[Any, ...]] = Counter()
        self._values: Counter[tuple[Any, ...]] = Counter()

    def add(self, ts: int, relevant: Any, severity: Any, city: Any, source: Any,
            categories: Iterable[str], keywords: Iterable[str], sign: int = 1) -> None:
        """Count a post with these values in (sign 1) or out (sign -1)."""
        day = (ts + 28800) // 86400
        rel = -1 if relevant is None else int(relevant)
        self._posts[(day, rel, severity, city, source)] += sign
        values = self._values
        for c in dict.fromkeys(categories):
            values[("category", day, rel, c)] += sign
        for k in dict.fromkeys(keywords):
            values[("keyword", day, rel, k)] += sign

    def rows(self) -> list[tuple[Any, ...]]:
        """(field, day, relevant, value, change) of every daily_counts key that changes."""
        totals: Counter[tuple[Any, ...]] = Counter()
        for (day, rel, severity, city, source), n in self._posts.items():
            totals[("", day, rel, 0)] += n
            totals[("severity", day, rel, _NULL if severity is None else severity)] += n
            totals[("city", day, rel, _NULL if city is None else city)] += n
            totals[("source", day, rel, source)] += n
        totals.update(self._values)
        return [(*key, n) for key, n in totals.items() if n]


def decode_value(value: Any) -> Any:
    """A value of daily_counts as the posts hold it (X'' is NULL)."""
    return None if value == _NULL else value


def _day_start(day: int) -> int:
    return day * 86400 - 28800


@dataclass
class Span:
    """Whole China-time days [first, end) that daily_counts answers (None: unbounded), and the
    filters of the partial days at either end, which the posts answer."""

    first: int | None
    end: int | None
    edges: list[Filters]
    value: tuple[str, Any] | None = None  # one (field, value) that every post counted has


def rollup_span(filters: Filters | None, one_value: bool = False) -> Span | None:
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
            or f.severity_min is not None or f.severity_max is not None or f.operators
            or f.intent_min is not None or f.intent_max is not None):
        return None
    since = parse_ts(f.since) if f.since else None
    until = parse_ts(f.until) if f.until else None
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
    return Span(first, end, edges, value)


_FILTER_LIST = {"source": "sources", "city": "cities", "category": "categories"}


# What daily_counts holds for each split: (field, SQL of the key).
ROLLUP_SPLITS = {None: ("", "NULL"), "relevant": ("", "relevant"), "severity": ("severity", "value"),
                 "city": ("city", "value"), "source": ("source", "value"),
                 "category": ("category", "value"), "keyword": ("keyword", "value")}


def rollup_select(split: str | None, span: Span, relevant: bool | None,
                  by_day: bool) -> tuple[str, list[Any]]:
    """The query of (day or NULL, key, count) rows from daily_counts over the span's whole days."""
    field, key = ROLLUP_SPLITS[split]
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
    return (f"SELECT {'day' if by_day else 'NULL'}, {key} AS k, sum(n) FROM daily_counts "
            f"WHERE {' AND '.join(clauses)} GROUP BY {group}", params)


def rollup_counts(split: str | None,
                  rows: Iterable[Sequence[Any]]) -> list[tuple[int | None, Any, int]]:
    """(day or None, key as the posts hold it, count) from rollup_select's rows, summed over
    relevance; keys with no post left out."""
    counts: Counter[tuple[int | None, Any]] = Counter()
    for day, k, n in rows:
        counts[(day, k)] += n
    decode = (lambda k: None if k == -1 else k) if split == "relevant" else decode_value
    return [(day, decode(k), n) for (day, k), n in counts.items() if n > 0]
