"""Whose words: the author's own text apart from the repost chain it carries.

A Weibo repost reads 「我的话 //@某人: 原文 //@另一人: …」. The author's intent is in their own words;
the chain is context (it may say who the post is about, not what the author does about it). A reply
that opens with 「回复@某人:」 (Weibo) or 「回复 某人 :」 (a Tieba 楼中楼) addresses someone; what
follows is still the author's. The chain's first name and the addressee are also whom the post
spread from (alerts.spread).
"""

from __future__ import annotations

import re

# `//@name:` (full- or half-width colon) starts the chain; a name has no spaces or colons.
_CHAIN = re.compile(r"//\s?@([^\s:：/]{1,30})\s?[:：]")
_REPLY = re.compile(r"^\s*回复(?:\s?@|\s)([^\s:：@]{1,30})\s?[:：]")
_BARE_REPOST = ("转发微博", "轉發微博", "Repost")


def chain_start(text: str) -> int:
    """Where the repost chain starts in `text` (its length when there is none)."""
    match = _CHAIN.search(text)
    return match.start() if match else len(text)


def own_words(text: str) -> str:
    """The author's own words: before the chain, without a reply's address or a bare 转发微博."""
    own = _REPLY.sub("", text[:chain_start(text)], count=1).strip()
    return "" if own in _BARE_REPOST else own


def passed_on_from(text: str) -> str | None:
    """The account whose words `text` passes on or answers: the first name of its repost chain
    (the post it reposted), else the name its reply addresses; None when it names neither."""
    match = _CHAIN.search(text) or _REPLY.match(text)
    return match.group(1) if match else None
