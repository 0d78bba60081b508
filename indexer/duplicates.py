"""The duplicate-linking rule every backend applies when it stores posts.

A post whose text (content, else title) has at least MIN_CHARS characters is a repost when a
post with the same fingerprint is stored: it is linked (`dup_of`) to the earliest stored post of
that text that is itself no one's duplicate, other than itself — the one searches show. A link is
kept once made: a post that carries `dup_of`, or was stored with one, keeps it.

Backends differ only in how they fetch the candidates (the originals of the fingerprints a write
needs, plus the originals the write itself stores); which one a post links to is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.post import Post

MIN_CHARS = 10


@dataclass(frozen=True, order=True, slots=True)
class Original:
    """A stored post that is no one's duplicate, ordered as the rule picks: earliest first,
    ties broken by the backend's `tie` (SQLite: its row, i.e. storage order; Elasticsearch: the
    post id, as its look-up sorts)."""

    ts: int
    tie: Any
    id: str


def _kept_link(post: Post, stored_dup_of: str | None) -> str | None:
    return post.dup_of or stored_dup_of


def needs_original(post: Post, stored_dup_of: str | None) -> bool:
    """Whether the rule looks for an original of this post's text: it has no link yet and
    enough text. Backends fetch candidates for these posts' fingerprints only."""
    return (_kept_link(post, stored_dup_of) is None
            and len(post.content or post.title) >= MIN_CHARS)


class Originals:
    """Per fingerprint, the originals a post of one write may link to: those the backend
    fetched (`add`) and those the write has stored so far (`stored`)."""

    def __init__(self) -> None:
        self._by_text: dict[str, list[Original]] = {}

    def add(self, fingerprint: str, original: Original) -> None:
        """A candidate the backend fetched."""
        self._by_text.setdefault(fingerprint, []).append(original)

    def link(self, post: Post, stored_dup_of: str | None) -> str | None:
        """The id `post` is a duplicate of; None makes it an original."""
        if not needs_original(post, stored_dup_of):
            return _kept_link(post, stored_dup_of)
        others = [o for o in self._by_text.get(post.fingerprint, ()) if o.id != post.id]
        return min(others).id if others else None

    def stored(self, post: Post, ts: int, tie: Any, dup_of: str | None) -> None:
        """What a write records once a post is ready to store with `dup_of` (from `link`): an
        original becomes a candidate for the posts after it in the same write, which the
        backend's fetch, made before, cannot see."""
        if dup_of is None:
            self.add(post.fingerprint, Original(ts, tie, post.id))
