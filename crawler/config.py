"""The `sources:` section: one model per source type, told apart by `type`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, Union

import jmespath
from pydantic import (AfterValidator, BaseModel, BeforeValidator, Field, field_validator,
                      model_validator)
from pydantic_core import PydanticCustomError

from core.config import Strict, check_interval, check_selector, interval_seconds
from core.post import CST, now_cst
from indexer.config import StoreConfig

Selector = Annotated[str, Field(min_length=1)]


class ListSpec(Strict):
    """List pages: links to detail pages, or rows whose fields are read in place."""

    links: str | None = None
    rows: str | None = None
    fields: dict[str, str] = {}
    next: str | None = None
    max_pages: int = Field(5, ge=1, le=1000)

    @field_validator("links", "rows", "next")
    @classmethod
    def _selector(cls, v: str | None) -> str | None:
        return None if v is None else check_selector(v)

    @field_validator("fields")
    @classmethod
    def _field_selectors(cls, v: dict[str, str]) -> dict[str, str]:
        for selector in v.values():
            check_selector(selector)
        return v


POST_FIELDS = {"title", "content", "author", "published_at", "url", "location", "reply_to",
               "replies", "reposts", "likes", "views"}


def check_detail(v: dict[str, str]) -> dict[str, str]:
    """Detail selectors: known post fields, each a valid selector."""
    for key, selector in v.items():
        if key not in POST_FIELDS:
            raise ValueError(f"unknown field {key!r}; known: {', '.join(sorted(POST_FIELDS))}")
        check_selector(selector)
    return v


class SourceBase(Strict):
    name: str = Field(min_length=1, pattern=r"^[\w\-\.]+$")
    enabled: bool = True
    interval: str = "10m"
    weight: float = Field(1.0, ge=0, le=10)
    city: str | None = None
    about_operator: bool = False
    robots: bool = True
    delay: float = Field(1.0, ge=0)
    timeout: float = Field(30, gt=0)
    revisit_hours: float = Field(6, ge=0)
    # politeness and robustness (see docs/crawler.md)
    concurrency: int = Field(2, ge=1, le=64)        # parallel requests to the source's host
    max_page_kb: int = Field(5120, ge=16)           # larger responses are dropped
    proxy: str | None = None                        # http://user:pass@host:port, may be ${ENV}
    # keyword search: {keyword} in a URL is filled from these terms (default: the dictionary's
    # operator names, at most max_keywords of them)
    keywords: list[str] = []
    max_keywords: int = Field(5, ge=1, le=100)

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)


class HtmlSource(SourceBase):
    type: Literal["html"]
    start_urls: list[str] = Field(min_length=1)
    list: ListSpec
    detail: dict[str, str] = {}

    @field_validator("detail")
    @classmethod
    def _detail(cls, v: dict[str, str]) -> dict[str, str]:
        return check_detail(v)

    @model_validator(mode="after")
    def _mode(self) -> "HtmlSource":
        if self.list.links and not self.detail:
            raise ValueError("list.links needs a detail: section with field selectors")
        if not self.list.links and not (self.list.rows and self.list.fields):
            raise ValueError("list needs either links (with detail) or rows and fields (list-only)")
        return self


class RssSource(SourceBase):
    type: Literal["rss"]
    url: str


class JsonSource(SourceBase):
    type: Literal["json"]
    url: str
    items: str
    fields: dict[str, str]
    max_pages: int = Field(1, ge=1, le=1000)

    @field_validator("items")
    @classmethod
    def _jmespath(cls, v: str) -> str:
        try:
            jmespath.compile(v)
        except jmespath.exceptions.ParseError as exc:
            raise ValueError(f"invalid JMESPath {v!r}: {exc}") from None
        return v


class _AdapterSource(SourceBase):
    """A site adapter: the platform's real paths requested under `base_url`."""

    base_url: str
    max_pages: int = Field(3, ge=1, le=100)
    cookie_env: str | None = None       # name of the environment variable holding a Cookie header

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {v!r}")
        return v.rstrip("/")


def _one_of(source: BaseModel, *names: str) -> None:
    given = [n for n in names if getattr(source, n)]
    if len(given) != 1:
        raise ValueError(f"set exactly one of {', '.join(names)}")


class TiebaSource(_AdapterSource):
    """百度贴吧: a forum's thread list (`forum`) or keyword search results (`keyword`)."""

    type: Literal["tieba"]
    base_url: str = "https://tieba.baidu.com"
    forum: str | None = None
    keyword: str | None = None
    comments: bool = True               # fetch replies-to-replies (楼中楼)
    cookie_env: str | None = "TIEBA_COOKIE"

    @model_validator(mode="after")
    def _target(self) -> "TiebaSource":
        _one_of(self, "forum", "keyword")
        return self


class WeiboSource(_AdapterSource):
    """微博 (m.weibo.cn): search results (`query`) or one user's timeline (`uid`)."""

    type: Literal["weibo"]
    base_url: str = "https://m.weibo.cn"
    query: str | None = None
    uid: str | None = None
    long_text: bool = True              # fetch the full text of long posts (statuses/extend)
    comments: bool = True               # fetch hot comments (comments/hotflow)
    cookie_env: str | None = "WEIBO_COOKIE"

    @model_validator(mode="after")
    def _target(self) -> "WeiboSource":
        _one_of(self, "query", "uid")
        return self


def _whole_hours(value: str) -> str:
    """A duration of whole hours ('1h', '6h', '2d'): Weibo's time filter has hour precision."""
    seconds = interval_seconds(value)
    if seconds is None or seconds < 3600 or seconds % 3600:
        raise PydanticCustomError("whole_hours", "'{value}' is not a whole number of hours like "
                                  "1h, 6h or 2d", {"value": value})
    return value


def _time_point(raw: Any) -> Any:
    """2026-11-20 or '2026-11-20 08:00' (China time, on the hour) → an aware datetime."""
    value = raw
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime) or value.minute or value.second or value.microsecond:
        raise PydanticCustomError("time_point", "'{value}' is not a time on the hour like "
                                  "2026-11-20 or 2026-11-20 08:00", {"value": str(raw)})
    return value if value.tzinfo else value.replace(tzinfo=CST)


Hours = Annotated[str, AfterValidator(_whole_hours)]
TimePoint = Annotated[datetime, BeforeValidator(_time_point)]


class WeiboSearchSource(_AdapterSource):
    """微博搜索 (s.weibo.com): keyword search over a time range; a window whose results fill the
    page cap is split in halves down to `min_window` (crawler/windows.py)."""

    type: Literal["weibo_search"]
    base_url: str = "https://s.weibo.com"
    query: str | None = None            # default: each of `keywords` (or the dictionary's terms)
    window: Hours = "1d"                # the last `window`, up to the end of the current hour …
    since: TimePoint | None = None      # … or a fixed range since … until (default: now)
    until: TimePoint | None = None
    min_window: Hours = "1h"            # a window still full at this length is a blind spot
    max_pages: int = Field(10, ge=1, le=50)   # per window; the site shows at most 50
    cookie_env: str | None = "WEIBO_COOKIE"

    @model_validator(mode="after")
    def _range(self) -> "WeiboSearchSource":
        if self.since and "window" in self.model_fields_set:
            raise PydanticCustomError("window_or_range", "set window or since/until, not both")
        if self.until and not self.since:
            raise PydanticCustomError("until_without_since", "until needs since")
        if self.since and self.until and self.until <= self.since:
            raise PydanticCustomError("range_order", "until must be later than since")
        if self.since and self.since > now_cst():  # a mistyped year: every crawl finds nothing
            raise PydanticCustomError("since_future", "since {since} is in the future",
                                      {"since": f"{self.since:%Y-%m-%d %H:%M}"})
        if self.since:  # until may be left open: the range then grows with the clock
            length = (self.until - self.since).total_seconds() if self.until else None
        else:
            length = interval_seconds(self.window)
        if length is not None and interval_seconds(self.min_window) > length:
            raise PydanticCustomError("min_window_too_long",
                                      "min_window {min_window} is longer than the range",
                                      {"min_window": self.min_window})
        return self


class HeimaoSource(_AdapterSource):
    """黑猫投诉 (tousu.sina.com.cn): complaint search by `keyword`."""

    type: Literal["heimao"]
    base_url: str = "https://tousu.sina.com.cn"
    keyword: str | None = None          # default: each of `keywords` (or the dictionary's terms)
    page_size: int = Field(10, ge=1, le=50)
    cookie_env: str | None = "HEIMAO_COOKIE"
    about_operator: bool = True


class DiscuzSource(_AdapterSource):
    """A Discuz! X forum board: the html type with the standard Discuz! selectors preset."""

    type: Literal["discuz"]
    forum_url: str                      # the board's first list page, e.g. …/forum-12-1.html
    base_url: str = ""                  # unused: forum_url is absolute
    list: dict[str, Any] = {}           # overrides of the preset's list selectors
    detail: dict[str, str] = {}         # overrides of the preset's detail selectors

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        return v.rstrip("/")

    @field_validator("detail")
    @classmethod
    def _detail(cls, v: dict[str, str]) -> dict[str, str]:
        return check_detail(v)


Source = Annotated[Union[HtmlSource, RssSource, JsonSource, TiebaSource, WeiboSource,
                         WeiboSearchSource, HeimaoSource, DiscuzSource],
                   Field(discriminator="type")]


class AppConfig(Protocol):
    """What crawler/ reads of the whole config (tousu.config.Config is one)."""

    sources: list[Any]
    store: StoreConfig

    @property
    def state_path(self) -> Path: ...

    @property
    def store_path(self) -> Path: ...

    @property
    def keywords_dir(self) -> Path: ...

    @property
    def model_dir(self) -> Path: ...

    def source(self, name: str) -> Any: ...
