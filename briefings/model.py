"""What a briefing is made of: sections of sentences, each sentence resting on claims.

A claim is one figure or fact with what it rests on: the posts it is about (`post_ids`) and the
store query that finds exactly those posts (`query`: `indexer.base.Filters` fields), or, for a
derived figure (a share, a change), the claims it is computed from (`parts`). `recompute` derives
a claim's value again from the cited posts alone; tests/briefings/ checks every sentence of a
briefing that way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping

from alerts.similarity import cluster
from core.post import Post

INSUFFICIENT = "数据不足"
KINDS = ("count", "daily_mean", "share", "change", "most", "quote", "first", "last", "group",
         "largest_group")


@dataclass
class Claim:
    """One figure or fact of a sentence. `value` is what the sentence says (`shown` is how)."""

    kind: str
    value: Any
    post_ids: tuple[str, ...] = ()
    query: dict[str, Any] | None = None    # Filters fields that find post_ids; None: see parts
    params: dict[str, Any] = field(default_factory=dict)   # days (daily_mean), field (most)
    parts: tuple["Claim", ...] = ()         # a share's or a change's two figures

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown claim kind {self.kind!r}")

    @property
    def shown(self) -> str:
        """The value as the sentence writes it."""
        if self.kind in ("daily_mean", "share", "change"):
            return "—" if self.value is None else f"{abs(self.value):g}"
        if self.kind in ("first", "last"):
            return str(self.value)[5:16].replace("T", " ")
        return str(self.value)

    def cited(self) -> set[str]:
        """Every post this claim and its parts rest on."""
        return set(self.post_ids).union(*(p.cited() for p in self.parts))


@dataclass
class Sentence:
    text: str
    claims: list[Claim]

    def cited(self) -> list[str]:
        """The posts the sentence rests on, in the order its claims cite them."""
        seen: dict[str, None] = {}
        for claim in self.claims:
            for post_id in (*claim.post_ids, *(i for p in claim.parts for i in p.post_ids)):
                seen.setdefault(post_id)
        return list(seen)


@dataclass
class Section:
    key: str
    title: str
    sentences: list[Sentence] = field(default_factory=list)
    insufficient: bool = False      # below briefings.min_posts: one 「数据不足」 sentence


@dataclass
class PostRef:
    """What a rendering shows of a cited post: a link and a label."""

    url: str
    title: str
    source: str
    published_at: str


@dataclass
class Briefing:
    kind: str                 # daily | event
    title: str
    since: str
    until: str
    generated_at: str
    sections: list[Section] = field(default_factory=list)
    posts: dict[str, PostRef] = field(default_factory=dict)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def change(current: float, base: float) -> float | None:
    """Relative change in percent, None when the base is 0."""
    return round((current - base) / base * 100, 1) if base else None


def rate(part: float, whole: float) -> float | None:
    """A percentage with one decimal, None when the whole is 0."""
    return round(part / whole * 100, 1) if whole else None


def values_of(post: Post, name: str) -> list[str]:
    """The values of a post's field a `most` claim counts (a post has several categories)."""
    if name == "category":
        return list(post.categories)
    value = getattr(post, name)
    return [value] if value else []


def most_common(posts: list[Post], name: str) -> tuple[str, int] | None:
    """The most frequent value of `name` among posts and its count; ties go to the smaller name."""
    counts = Counter(v for p in posts for v in values_of(p, name))
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def groups(posts: list[Post], threshold: float) -> list[list[Post]]:
    """Similar posts (alerts.similarity, the event rule's clustering), largest group first."""
    found = cluster([p.text for p in posts], threshold)
    return sorted(([posts[i] for i in g] for g in found), key=lambda g: (-len(g), g[0].id))


def recompute(claim: Claim, posts: Mapping[str, Post]) -> Any:
    """The claim's value derived again from its cited posts (and its parts) alone."""
    cited = [posts[i] for i in claim.post_ids]
    if claim.kind == "count":
        return len(cited)
    if claim.kind == "daily_mean":
        return round(len(cited) / claim.params["days"], 1)
    if claim.kind in ("share", "change"):
        a, b = (recompute(p, posts) for p in claim.parts)
        return rate(a, b) if claim.kind == "share" else change(a, b)
    if claim.kind == "most":
        top = most_common(cited, claim.params["field"])
        return top[0] if top else None
    if claim.kind == "quote":
        return claim.value if any(claim.value in p.text for p in cited) else None
    times = sorted(p.published_at or "" for p in cited)
    if claim.kind == "first":
        return times[0] if times else None
    if claim.kind == "last":
        return times[-1] if times else None
    found = groups(cited, claim.params["similarity"])
    if claim.kind == "group":   # the cited posts form one group of similar posts
        return len(cited) if len(found) == 1 else None
    return len(found[0]) if found else 0     # largest_group
