"""What every backend indexes for a post: its time, its search text and its jieba tokens.

Tokenising dominates the cost of storing a post, and the analysis stage has usually tokenised the
same text already. It can hand its tokens over with `attach_tokens`; the store then indexes them
as given instead of tokenising again. They are a transient attribute, not a Post field: they are
never stored as such, serialised or compared.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from nlp.tokenizer import search_tokens
from core.post import Post

CST = timezone(timedelta(hours=8))
_TOKENS_ATTR = "_index_tokens"


def parse_ts(value: str | None) -> int | None:
    """Epoch seconds of an ISO 8601 string (a naive one is read in China time), or None."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CST)
    return int(dt.timestamp())


def post_ts(post: Post) -> int:
    """The time a post is filed under: published, else crawled; ValueError when neither is a date."""
    ts = parse_ts(post.published_at) or parse_ts(post.crawled_at)
    if ts is None:
        raise ValueError("neither published_at nor crawled_at is a date")
    return ts


def iso_cst(ts: int) -> str:
    """Epoch seconds as ISO 8601 in +08:00."""
    return datetime.fromtimestamp(ts, CST).isoformat()


def index_text(post: Post) -> str:
    """The text that is tokenised and matched: title and content, on separate lines."""
    return f"{post.title}\n{post.content}"


def attach_tokens(post: Post, words: list[str], subwords: list[str]) -> Post:
    """Hand the store `search_tokens(index_text(post))` computed elsewhere; returns the post."""
    setattr(post, _TOKENS_ATTR, (list(words), list(subwords)))
    return post


def index_tokens(post: Post) -> tuple[list[str], list[str]]:
    """(precise tokens, sub-word tokens) of the post's text: attached ones, else computed now."""
    attached = getattr(post, _TOKENS_ATTR, None)
    if attached is not None:
        return attached
    return search_tokens(index_text(post))
