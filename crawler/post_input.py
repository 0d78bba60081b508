"""Posts read from a file (`tousu ingest`, `tousu analyze`): each line validated into a Post,
with an error naming the field; what the system computes (id, fingerprint, dup_of, the analysis,
case status) is never taken from the file; a post's text is capped."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

from crawler.normalise import parse_date
from core.post import Post

MAX_POST_CHARS = 100_000  # store.max_post_chars: a 90 MB line once held 2.8 GB of memory

_TEXT_KEYS = frozenset(("source", "url", "title", "content", "text", "author", "location"))
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
    return Post(source=given.source, url=given.url, title=given.title, content=content,
                author=given.author, published_at=published, engagement=dict(given.engagement),
                location=given.location)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
