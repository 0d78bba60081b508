"""Re-analysis and retention: re-grade stored posts after a model or dictionary update without
re-crawling, and delete posts older than the retention period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Mapping

from indexer.base import Filters, Store
from core.post import Post, iso, now_cst
from nlp.labels import held_grade, keep_human_grades


@dataclass
class ReanalyseResult:
    """How many posts were read, how many changed grade, and which failed to store."""

    seen: int = 0
    changed: int = 0
    failed: dict[str, str] = field(default_factory=dict)


_GRADED = ("severity", "negative", "relevant", "categories", "city", "keywords", "reasons",
           "influence")


def _grade(post: Post) -> tuple[Any, ...]:
    return tuple(getattr(post, name) for name in _GRADED)


def reanalyse(store: Store, analyzer: Any, filters: Filters | None = None,
              sources: Mapping[str, Any] | None = None, batch: int = 500,
              progress: Callable[[ReanalyseResult], None] | None = None) -> ReanalyseResult:
    """Re-grade every post matching `filters` with `analyzer` and store the changed ones.

    `sources` maps a source name to its config (weight, city, about_operator), as the crawl used.
    Posts whose grade is unchanged are not written again. Case fields are kept by the store, and
    a grade a person set (nlp.labels) is kept here: the analyser refreshes the rest of the post.
    """
    result = ReanalyseResult()
    pending: list[Post] = []

    def flush() -> None:
        graded: list[Post] = []
        by_source: dict[str, list[Post]] = {}
        for post in pending:
            by_source.setdefault(post.source, []).append(post)
        for name, posts in by_source.items():
            spec = (sources or {}).get(name)
            before = [_grade(p) for p in posts]
            held = {p.id: kept for p in posts if (kept := held_grade(p)) is not None}
            analyzer.analyse_many(posts, source_weight=getattr(spec, "weight", 1.0),
                                  default_city=getattr(spec, "city", None),
                                  about_operator=getattr(spec, "about_operator", False))
            keep_human_grades(posts, held)
            graded.extend(p for p, old in zip(posts, before) if _grade(p) != old)
        if graded:
            stored = store.upsert_many(graded)
            result.failed.update(stored.failed)
            result.changed += len(graded) - len(stored.failed)
        pending.clear()
        if progress:
            progress(result)

    # Writing while paging is safe: both backends page by a key an update does not change
    # (SQLite rowid, Elasticsearch id), so no post is skipped or graded twice.
    for post in store.iter_posts(filters, batch=batch):
        result.seen += 1
        pending.append(post)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return result


def retention_cutoff(days: int) -> str:
    """ISO time (+08:00) `days` days before now: posts published before it are deleted."""
    return iso(now_cst() - timedelta(days=days))
