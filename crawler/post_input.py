"""Posts read from a file (`tousu ingest`, `tousu analyze`): each line validated into a Post,
with an error naming the field; what the system computes (id, fingerprint, dup_of, the analysis,
case status) is never taken from the file; a post's text is capped."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator, Literal

import orjson
from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

from core.markup import http_url
from core.post import Post, canonical_url
from crawler.normalise import parse_date

MAX_POST_CHARS = 100_000  # store.max_post_chars: a 90 MB line once held 2.8 GB of memory

_TEXT_KEYS = frozenset(("source", "url", "title", "content", "text", "author", "location",
                        "reply_to"))
Count = Literal["replies", "reposts", "likes", "views"]


class PostInput(BaseModel):
    """What a line may give; other keys are ignored."""

    model_config = ConfigDict(extra="ignore", strict=True)

    source: StrictStr = "import"
    url: StrictStr = ""
    title: StrictStr = ""
    content: StrictStr = ""
    text: StrictStr = ""
    author: StrictStr = ""
    published_at: StrictStr | StrictInt | StrictFloat | None = None
    engagement: dict[Count, StrictInt] = {}
    location: StrictStr | None = None
    reply_to: Any = None  # checked by _parent


class InputError(ValueError):
    """A line that is not a post; the message names the field."""


def post_from_input(data: Any, max_chars: int = MAX_POST_CHARS) -> Post:
    """The Post a line describes; InputError says which field is wrong."""
    if not isinstance(data, dict):
        raise InputError("a line must be a JSON object")
    data = {k: v for k, v in data.items() if v is not None or k not in _TEXT_KEYS}  # null: not given
    try:
        given = PostInput.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InputError(f"{field}: {err['msg']} (got {_short(err.get('input'))})") from None
    content = given.content or given.text
    if not (given.title or content):
        raise InputError("a line needs `text`, or `title` and/or `content`")
    size = len(given.title) + len(content)
    if size > max_chars:
        raise InputError(f"text: {size:,} characters, more than store.max_post_chars "
                         f"({max_chars:,})")
    published = None
    if given.published_at is not None:
        published = parse_date(given.published_at)
        if published is None:
            raise InputError(f"published_at: not a date (got {_short(given.published_at)})")
    if any(n < 0 for n in given.engagement.values()):
        raise InputError("engagement: counts cannot be negative")
    own = _canonical("url", given.url)  # the post's id hashes it
    return Post(source=given.source, url=given.url, title=given.title, content=content,
                author=given.author, published_at=published, engagement=dict(given.engagement),
                location=given.location, reply_to=_parent(given.reply_to, own))


def _parent(value: Any, own: str) -> str | None:
    """`reply_to` as the crawler stores it (the parent's canonical http(s) URL, so that the
    spread finds the parent by its id and the replies by their reply_to); "" is not given."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError("reply_to: must be the link (a string) of the post replied to or "
                         f"reposted (got {_short(value)})")
    parent = _canonical("reply_to", value.strip())
    if not http_url(parent):
        raise InputError(f"reply_to: not an http(s) link (got {_short(value)})")
    if own and parent == own:
        raise InputError(f"reply_to: points at the post itself (same as url) (got {_short(value)})")
    return parent


def _canonical(name: str, url: str) -> str:
    try:
        return canonical_url(url)
    except ValueError:  # urlsplit refuses e.g. an unclosed IPv6 host
        raise InputError(f"{name}: not a valid link (got {_short(url)})") from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _loads(line: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        # orjson refuses \uD8xx escapes without their pair; json reads them and Post mends them.
        return json.loads(line)


class BadLine(Exception):
    """A line of an input file that is not a post; the message names file, line and field."""


def _read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON) of each non-blank line; bytes are decoded line by line so that
    invalid UTF-8 is reported with its line."""
    stream = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    with stream:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadLine(f"{path}:{number}: not valid UTF-8 (byte {exc.start + 1})") from None
            if not line.strip():
                continue
            try:
                data = _loads(line)
            except ValueError as exc:
                raise BadLine(f"{path}:{number}: not valid JSON: {exc}") from None
            yield number, data


def iter_posts(path: Path, max_chars: int = MAX_POST_CHARS) -> Iterator[Any]:
    """The posts of a JSON-lines file ('-' = stdin); a bad line raises BadLine naming line and
    field."""
    if str(path) != "-" and not path.exists():
        raise BadLine(f"{path}: file not found")
    for number, data in _read_jsonl(path):
        try:
            yield post_from_input(data, max_chars)
        except InputError as exc:
            raise BadLine(f"{path}:{number}: {exc}") from None
