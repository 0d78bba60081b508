"""The sentences about one event (a group of similar posts): what it is about in its first
post's words, its size and span, where, and representative quotes — each quote a piece of a
post's own text, cited by that post."""

from __future__ import annotations

from briefings.config import BriefingsConfig
from briefings.model import Claim, Sentence, most_common
from core.post import Post


def excerpt(post: Post, chars: int) -> str:
    """The first line of the post's text, cut to `chars`: always a piece of `post.text`."""
    line = next((s.strip() for s in post.text.splitlines() if s.strip()), "")
    return line[:chars]


def representative(members: list[Post], n: int) -> list[Post]:
    """The first post (源头), then the most severe and influential others."""
    rest = sorted(members[1:], key=lambda p: (-(p.severity or 0), -(p.influence or 0),
                                              p.published_at or "", p.id))
    return [members[0], *rest][:n]


def event_sentences(cfg: BriefingsConfig, members: list[Post], label: str) -> list[Sentence]:
    """Sentences about one event; `members` oldest first."""
    ids = tuple(p.id for p in members)
    first = members[0]
    about = Claim("quote", excerpt(first, cfg.quote_chars), (first.id,))
    size = Claim("group", len(members), ids, params={"similarity": cfg.similarity})
    begun = Claim("first", min(p.published_at or "" for p in members), ids)
    latest = Claim("last", max(p.published_at or "" for p in members), ids)
    out = [Sentence(f"{label}：「{about.shown}」，相似投诉 {size.shown} 条，首发于 {begun.shown}，"
                    f"最近一条 {latest.shown}。", [about, size, begun, latest])]
    top = most_common(members, "city")
    if top:
        city = Claim("most", top[0], ids, params={"field": "city"})
        there = Claim("count", top[1], tuple(p.id for p in members if p.city == top[0]))
        out.append(Sentence(f"主要涉及{city.shown}（{there.shown} 条）。", [city, there]))
    for post in representative(members, cfg.quotes + 1)[1:]:
        quote = Claim("quote", excerpt(post, cfg.quote_chars), (post.id,))
        out.append(Sentence(f"代表性原话：「{quote.shown}」", [quote]))
    return out
