"""The Store contract every backend fulfils (SQLite embedded, Elasticsearch for scale)."""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Literal, Sequence

from core.post import Post

Sort = Literal["time", "relevance", "severity", "influence"]
Interval = Literal["hour", "day", "week", "month"]
TERM_FIELDS = ("source", "city", "category", "severity", "relevant", "case_status", "operator",
               "intent")


class StoreError(Exception):
    """A store failed; the message names the backend and what failed."""


@dataclass
class Filters:
    """Filters shared by search and aggregations; None means 'any'."""

    since: str | None = None  # ISO 8601, inclusive
    until: str | None = None  # exclusive
    sources: list[str] | None = None
    cities: list[str] | None = None
    categories: list[str] | None = None
    severity_min: int | None = None
    severity_max: int | None = None
    relevant: bool | None = None
    operators: list[str] | None = None  # any of them (移动 / 联通 / 电信 / 广电)
    intent_min: int | None = None
    intent_max: int | None = None
    case_status: list[str] | None = None
    include_duplicates: bool = True


@dataclass
class UpsertResult:
    """What an upsert did, per post id."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass
class Hit:
    """A search hit: the post and its highlighted snippet (escaped HTML with <mark>)."""

    post: Post
    highlight: str = ""
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.post.to_dict(), "highlight": self.highlight, "score": self.score}


# Like Elasticsearch's default track_total_hits: matches are counted exactly up to here; past it
# `total` is a lower bound ("10,000+"), which is what a common word's count needs to say.
TOTAL_CAP = 10_000


@dataclass
class SearchResult:
    """One page of hits; `total` counts every match, or at least TOTAL_CAP of them when
    `total_is_lower_bound` (always past the page asked for)."""

    total: int
    hits: list[Hit]
    total_is_lower_bound: bool = False


def make_snippet(text: str, terms: Iterable[str], width: int = 120) -> str:
    """Escaped snippet around the first match with every term wrapped in <mark>."""
    text = re.sub(r"\s+", " ", text or "").strip()
    terms = [t for t in terms if t]
    start = 0
    if terms:
        pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
        first = pattern.search(text)
        if first:
            start = max(0, first.start() - width // 4)
    piece = text[start:start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    if not terms:
        return prefix + html.escape(piece) + suffix
    out, last = [], 0
    for match in pattern.finditer(piece):
        out.append(html.escape(piece[last:match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(piece[last:]))
    return prefix + "".join(out) + suffix


class Store(ABC):
    """Posts storage, search and aggregations."""

    @abstractmethod
    def upsert_many(self, posts: Iterable[Post]) -> UpsertResult:
        """Insert or update by post id; analysis fields overwrite, case fields are kept."""

    @abstractmethod
    def get(self, post_id: str) -> Post | None:
        """One post by id."""

    @abstractmethod
    def get_many(self, post_ids: Sequence[str]) -> dict[str, Post]:
        """The posts of these ids that are stored, by id, in one request."""

    @abstractmethod
    def replies(self, urls: Sequence[str], limit: int = 1000) -> list[Post]:
        """The posts that repost or reply to one of `urls` (their `reply_to`), oldest first, at
        most `limit`."""

    @abstractmethod
    def search(self, query: str = "", filters: Filters | None = None, sort: Sort = "time",
               page: int = 1, size: int = 20, highlight: bool = True) -> SearchResult:
        """Full-text search with the `tousu search` syntax, filters, sort and paging."""

    @abstractmethod
    def count(self, filters: Filters | None = None, query: str = "") -> int:
        """Number of posts matching."""

    @abstractmethod
    def date_histogram(self, interval: Interval, filters: Filters | None = None,
                       split_by: str | None = None) -> list[dict[str, Any]]:
        """[{'bucket': ISO start (+08:00), 'key': split value or None, 'count': n}]."""

    @abstractmethod
    def slice_counts(self, group_by: Sequence[str], filters: Filters | None = None,
                     interval: Interval | None = None) -> list[dict[str, Any]]:
        """Post counts per slice, for warning rules (volume, spike, flatline).

        A slice is one combination of values of the `group_by` fields (any of TERM_FIELDS; a post
        with several categories counts once in each). Returns
        [{'slice': {field: value, ...}, 'bucket': ISO start (+08:00) or None, 'count': n}],
        only for slices with at least one post. With `interval` None there is one row per slice
        over the whole filtered period (bucket None); otherwise one row per slice per calendar
        bucket, as in date_histogram. An empty `group_by` gives the total ({'slice': {}}).
        Backends should answer from an index: rules call this every cycle over large stores.
        """

    @abstractmethod
    def terms(self, field: str, filters: Filters | None = None, size: int = 20) -> list[tuple[Any, int]]:
        """Counts per value of one of TERM_FIELDS, largest first."""

    @abstractmethod
    def hot_words(self, filters: Filters | None = None, size: int = 30,
                  exclude: Iterable[str] = ()) -> list[tuple[str, int]]:
        """Most frequent dictionary keywords in the slice, leaving out `exclude`."""

    @abstractmethod
    def delete_older_than(self, cutoff: str) -> int:
        """Retention: delete posts published before `cutoff`; returns how many."""

    @abstractmethod
    def iter_posts(self, filters: Filters | None = None, batch: int = 1000) -> Iterator[Post]:
        """Every post matching, for re-analysis and export."""

    @abstractmethod
    def set_case_status(self, post_id: str, status: str | None) -> None:
        """Mark a post with the status of its case."""

    def set_grade(self, post_id: str, *, severity: int | None, relevant: bool | None,
                  categories: Sequence[str], city: str | None,
                  reasons: Sequence[str]) -> Post | None:
        """Overwrite one post's grade (a monitor's correction) and return the post as stored, or
        None when there is no such post. Search, filters, counts and aggregations see the new
        grade as soon as this returns; every other field, and the case fields, are kept.

        The post goes through upsert_many, the one write path that keeps each backend's derived
        data (SQLite's daily counts and category rows, both backends' full-text entries) in step.
        """
        post = self.get(post_id)
        if post is None:
            return None
        graded = replace(post, severity=severity, relevant=relevant, categories=list(categories),
                         city=city, reasons=list(reasons))
        failed = self.upsert_many([graded]).failed
        if failed:
            raise StoreError(f"cannot set the grade of {post_id}: {failed[post_id]}")
        return graded

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
