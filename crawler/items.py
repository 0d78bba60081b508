"""What spiders yield: raw extracted values, normalised later by the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawPost:
    """A post as extracted from a page or API, before normalising."""

    source: str
    url: str
    title: Any = None
    content: Any = None  # plain text, or HTML when content_is_html
    author: Any = None
    published_at: Any = None
    location: Any = None
    reply_to: str | None = None  # the URL of the post this one reposts or replies to
    engagement: dict[str, Any] = field(default_factory=dict)
    content_is_html: bool = False
