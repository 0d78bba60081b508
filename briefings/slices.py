"""Posts fetched by a store query, and the claims about them: every figure of a briefing comes
from a `Slice`, so its claim carries both the posts and the query that finds them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from briefings.model import Claim, PostRef, change, most_common, rate, values_of
from core.post import Post
from indexer.base import Filters, Store

FIELD_FILTER = {"city": "cities", "category": "categories", "source": "sources"}


@dataclass
class Slice:
    """The posts a query finds (oldest first) and the query as Filters fields."""

    posts: list[Post]
    filters: Filters

    @property
    def query(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self.filters).items() if v is not None}

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.posts)

    def __len__(self) -> int:
        return len(self.posts)

    def where(self, name: str, value: str) -> "Slice":
        """The posts whose `name` (city, category, source) is `value`, and the narrowed query."""
        return Slice([p for p in self.posts if value in values_of(p, name)],
                     replace(self.filters, **{FIELD_FILTER[name]: [value]}))

    def above(self, severity_min: int) -> "Slice":
        """The posts of at least this tier, and the narrowed query."""
        return Slice([p for p in self.posts if (p.severity or 0) >= severity_min],
                     replace(self.filters, severity_min=severity_min))

    def count(self) -> Claim:
        return Claim("count", len(self.posts), self.ids, self.query)

    def daily_mean(self, days: int) -> Claim:
        return Claim("daily_mean", round(len(self.posts) / days, 1), self.ids, self.query,
                     {"days": days})

    def most(self, name: str) -> Claim | None:
        """The most frequent city, category or source, or None when no post has one."""
        top = most_common(self.posts, name)
        return Claim("most", top[0], self.ids, self.query, {"field": name}) if top else None


def share(part: Claim, whole: Claim) -> Claim:
    return Claim("share", rate(part.value, whole.value), parts=(part, whole))


def changed(current: Claim, base: Claim) -> Claim:
    return Claim("change", change(current.value, base.value), parts=(current, base))


def direction(claim: Claim) -> str:
    """上升 / 下降 / 持平 of a change claim (its value's sign; the sentence shows its size)."""
    return "持平" if not claim.value else "上升" if claim.value > 0 else "下降"


@dataclass
class Fetcher:
    """Runs a briefing's queries and keeps what its renderings show of every post it fetched."""

    store: Store
    refs: dict[str, PostRef] = field(default_factory=dict)

    def slice(self, filters: Filters) -> Slice:
        posts = sorted(self.store.iter_posts(filters), key=lambda p: (p.published_at or "", p.id))
        return Slice(self.keep(posts), filters)

    def keep(self, posts: list[Post]) -> list[Post]:
        for p in posts:
            self.refs.setdefault(p.id, PostRef(p.url, p.title or p.content[:30], p.source,
                                               p.published_at or ""))
        return posts
