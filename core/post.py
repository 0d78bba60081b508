"""The post record shared by every stage: crawler → nlp → indexer → warnings → console."""

from __future__ import annotations

import hashlib
import re
import time
from copy import copy
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.textsim import normalise

CST = timezone(timedelta(hours=8), "CST")

# Query parameters that only track where a click came from; two URLs differing in them are one post.
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|spm|from|source|share_\w+|shareid|fbclid|gclid|wfr|fr|tpl|isshare|"
    r"sudaref|luicode|lfid|oid|_t|timestamp|ref|refer|scene|clicktime|enterid)$",
    re.IGNORECASE,
)
ENGAGEMENT_KEYS = ("replies", "reposts", "likes", "views")
# Already canonical: lower-case http(s) scheme and host, no port, query or fragment.
_CANONICAL = re.compile(r"https?://[a-z0-9.-]+/[^?#\s]*")
# Broken \uD8xx escapes in JSON decode to lone surrogates, which UTF-8 (hashing, SQLite,
# Elasticsearch) cannot encode.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def now_cst() -> datetime:
    """Current time, tz-aware, in China Standard Time."""
    return datetime.now(CST).replace(microsecond=0)


def iso(dt: datetime) -> str:
    """ISO 8601 in +08:00 with seconds precision."""
    return dt.astimezone(CST).replace(microsecond=0).isoformat()


_stamp = (0, "")


def now_iso() -> str:
    """iso(now_cst()), made once a second: a batch stamps thousands of posts a second, and
    building the string each time cost as much as hashing the post's id."""
    global _stamp
    second = int(time.time())
    if _stamp[0] != second:
        _stamp = (second, iso(now_cst()))
    return _stamp[1]


def canonical_url(url: str) -> str:
    """Scheme/host lower-cased, fragment and tracking parameters dropped, query sorted."""
    if not url:
        return ""
    if _CANONICAL.fullmatch(url):
        return url
    parts = urlsplit(url.strip())
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    )
    netloc = parts.netloc.lower()
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def post_id(url: str, source: str = "", title: str = "", content: str = "") -> str:
    """Stable id: the canonical URL when there is one, else the source and text."""
    if url:
        key = "url:" + canonical_url(url)
    else:
        key = f"text:{source}\n{title}\n{content}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def content_fingerprint(title: str, content: str) -> str:
    """Exact-duplicate fingerprint of the text, blind to spacing and punctuation."""
    return hashlib.sha1(normalise(content or title).encode("utf-8")).hexdigest()[:20]


@dataclass
class Post:
    """One post as stored; JSON field names are a public contract (see README)."""

    source: str
    url: str
    title: str = ""
    content: str = ""
    author: str = ""
    published_at: str | None = None
    crawled_at: str | None = None
    engagement: dict[str, int] = field(default_factory=dict)
    location: str | None = None
    # the canonical URL of the post this one reposts or replies to, as its site says (a Weibo
    # repost's original, a comment's status, a Tieba floor's thread or 楼中楼's floor)
    reply_to: str | None = None
    id: str = ""
    # analysis
    severity: int | None = None  # intent when about our operator, else 0
    intent: int | None = None  # the author's complaint intent 0-4, whoever the target
    operators: list[str] = field(default_factory=list)  # 移动 / 联通 / 电信 / 广电
    negative: float | None = None
    relevant: bool | None = None
    categories: list[str] = field(default_factory=list)
    city: str | None = None
    keywords: list[str] = field(default_factory=list)
    influence: float | None = None
    reasons: list[str] = field(default_factory=list)
    # storage
    fingerprint: str = ""
    dup_of: str | None = None
    case_status: str | None = None

    def __post_init__(self) -> None:
        for name in ("title", "content", "author"):
            value = getattr(self, name)
            if value and _LONE_SURROGATE.search(value):
                setattr(self, name, _LONE_SURROGATE.sub("\ufffd", value))
        if not self.id:
            self.id = post_id(self.url, self.source, self.title, self.content)
        if not self.fingerprint:
            self.fingerprint = content_fingerprint(self.title, self.content)
        if self.crawled_at is None:
            self.crawled_at = now_iso()

    @property
    def text(self) -> str:
        """Title and content as one text for analysis."""
        if self.title and not self.content.startswith(self.title):
            return f"{self.title}\n{self.content}" if self.content else self.title
        return self.content or self.title

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the public field names (containers copied, not shared)."""
        data = dict(self.__dict__)
        for name in ("engagement", "categories", "keywords", "reasons", "operators"):
            data[name] = copy(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Post":
        """Build from a dict, ignoring unknown keys; `text` stands in for content."""
        values = {k: v for k, v in data.items() if k in _FIELD_NAMES}
        if not values.get("content") and data.get("text"):
            values["content"] = data["text"]
        values.setdefault("source", data.get("source") or "import")
        values.setdefault("url", data.get("url") or "")
        return cls(**values)


_FIELD_NAMES = frozenset(f.name for f in fields(Post))
