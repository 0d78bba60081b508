"""How a post is written as a row of the posts table and read back."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from core.post import Post

COLUMNS = ("id", "source", "url", "title", "content", "author", "published_at", "published_ts",
           "crawled_at", "engagement", "location", "severity", "negative", "relevant", "city",
           "categories", "keywords", "influence", "reasons", "fingerprint", "dup_of", "intent",
           "operators", "reply_to")
_JSON = {"engagement", "categories", "keywords", "reasons", "operators"}


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def row_values(post: Post, ts: int, dup_of: str | None) -> list[Any]:
    """The post's values in COLUMNS order (without dataclasses.asdict: it deep-copies); each
    keyword once, as hot words count posts."""
    return [post.id, post.source, post.url, post.title, post.content, post.author,
            post.published_at, ts, post.crawled_at, _json(post.engagement or {}), post.location,
            post.severity, post.negative, None if post.relevant is None else int(post.relevant),
            post.city, _json(post.categories), _json(list(dict.fromkeys(post.keywords))),
            post.influence, _json(post.reasons), post.fingerprint, dup_of, post.intent,
            _json(post.operators), post.reply_to]


def row_to_post(row: sqlite3.Row) -> Post:
    """The post a posts row holds."""
    data = {c: row[c] for c in COLUMNS if c != "published_ts"}
    for c in _JSON:
        data[c] = orjson.loads(data[c]) if data[c] else ([] if c != "engagement" else {})
    data["relevant"] = None if row["relevant"] is None else bool(row["relevant"])
    data["case_status"] = row["case_status"]
    return Post(**data)
