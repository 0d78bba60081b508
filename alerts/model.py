"""What rules hand to the engine, and the small helpers rules share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from alerts.config import AppConfig
from alerts.schema import SCHEMA
from core.config import interval_seconds
from core.db import StateDB
from core.post import Post
from indexer.base import Filters, Store


class AlertsError(Exception):
    """A warning rule or channel failed; the message names the rule or notifier."""


@dataclass
class Match:
    """A condition that holds now. Its key is what the alert is about (one open alert per key)."""

    key: str
    level: int
    subject: str              # the title without the level tag, e.g. '衡阳 宽带/家宽 投诉量超出预警线'
    body: str                 # reason and figures, Chinese, a few lines
    city: str | None = None
    categories: list[str] = field(default_factory=list)
    source: str | None = None
    post_ids: list[str] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)  # summaries for messages, best first
    data: dict[str, Any] = field(default_factory=dict)
    size: int = 0             # events: how many posts; growth is notified again
    explanation: dict[str, Any] | None = None  # volume, spike: why (alerts.explanation)


@dataclass
class Context:
    """What one evaluation sees: the store, the state, the clock and the config."""

    store: Store
    state: StateDB
    now: datetime
    config: AppConfig

    def __post_init__(self) -> None:
        self.state.ensure(SCHEMA)  # rules read and keep their own tables (open alerts, day counts)


def seconds(duration: str) -> float:
    """'10m' → 600.0 (durations are validated in config)."""
    value = interval_seconds(duration)
    assert value is not None, duration
    return value


def post_summary(post: Post) -> dict[str, Any]:
    """The fields of a post a message shows."""
    return {"id": post.id, "title": post.title or (post.content or "")[:40], "url": post.url,
            "source": post.source, "author": post.author, "city": post.city,
            "severity": post.severity, "influence": post.influence,
            "published_at": post.published_at, "categories": post.categories,
            "excerpt": (post.content or post.title or "")[:120]}


def slice_key(values: dict[str, Any]) -> str:
    """{'city': '衡阳', 'category': '宽带/家宽'} → 'city=衡阳,category=宽带/家宽'."""
    return ",".join(f"{k}={v}" for k, v in values.items()) or "all"


def slice_label(values: dict[str, Any]) -> str:
    """Chinese label of a slice: '衡阳 宽带/家宽'; '全省' for the whole."""
    return " ".join(str(v) for v in values.values()) or "全省"


def slice_filters(base: Filters, values: dict[str, Any]) -> Filters:
    """Narrow filters to one slice."""
    narrowed = replace(base)
    if "city" in values:
        narrowed.cities = [values["city"]]
    if "category" in values:
        narrowed.categories = [values["category"]]
    if "source" in values:
        narrowed.sources = [values["source"]]
    return narrowed


def top_posts(store: Store, filters: Filters, size: int = 5, scan: int = 300) -> list[dict[str, Any]]:
    """The most severe, then most influential, of the latest `scan` posts of a slice.

    Categories are checked here rather than in the store: a category filter makes the SQLite
    backend gather every post of the category ever stored before it applies the time range."""
    wanted = set(filters.categories or [])
    hits = store.search("", replace(filters, categories=None), sort="time", size=scan,
                        highlight=False).hits
    if wanted:
        hits = [h for h in hits if wanted & set(h.post.categories)]
    best = sorted(hits, key=lambda h: (-(h.post.severity or 0), -(h.post.influence or 0)))[:size]
    return [post_summary(h.post) for h in best]
