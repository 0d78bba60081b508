"""Common spider plumbing: one configured source per spider instance."""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar, Iterator
from urllib.parse import quote

import scrapy

from core.secrets import remember
from crawler.extensions import record_error
from crawler.failures import describe_failure
from crawler.presets import load_preset
from nlp.dictionary import get_dictionary

ENGAGEMENT_FIELDS = ("replies", "reposts", "likes", "views", "followers", "verified")


class SourceSpider(scrapy.Spider):
    """A spider bound to one `sources:` entry of config.yaml."""

    name = "source"

    def __init__(self, source: Any, **kwargs: Any):
        super().__init__(name=source.name, **kwargs)
        self.source = source

    @classmethod
    def for_source(cls, source: Any) -> type["SourceSpider"]:
        """A subclass carrying the source's own download settings (Scrapy reads them per class)."""
        # AutoThrottle starts from the configured delay (and never goes below it)
        settings = {"DOWNLOAD_DELAY": source.delay, "AUTOTHROTTLE_START_DELAY": source.delay,
                    "DOWNLOAD_TIMEOUT": source.timeout,
                    "ROBOTSTXT_OBEY": source.robots,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency,
                    "DOWNLOAD_MAXSIZE": source.max_page_kb * 1024}
        return type(f"{cls.__name__}_{source.name}", (cls,), {"custom_settings": settings})

    async def start(self) -> Any:
        for request in self.initial_requests():
            yield request

    def initial_requests(self) -> Any:
        """The first requests of a crawl."""
        raise NotImplementedError

    def search_terms(self) -> list[str]:
        """Terms for {keyword} URLs: the source's `keywords`, else the dictionary's operator names."""
        if self.source.keywords:
            return list(self.source.keywords)[: self.source.max_keywords]
        config = self.crawler.settings.get("TOUSU_CONFIG") if hasattr(self, "crawler") else None
        if config is None:
            return []
        terms = get_dictionary(config.keywords_dir).brand.operator
        return [t for t in terms if len(t) >= 3][: self.source.max_keywords]

    def expand(self, template: str) -> Iterator[tuple[str, str | None]]:
        """(url, keyword) for each search term when the template has {keyword}, else once."""
        if "{keyword}" not in template:
            yield template, None
            return
        for term in self.search_terms():
            yield template.replace("{keyword}", quote(term)), term

    def headers(self) -> dict[str, str]:
        """Extra request headers: the Cookie from the source's environment variable, if set (a
        secret like any ${VAR}: never shown, core.secrets)."""
        name = getattr(self.source, "cookie_env", None)
        cookie = os.environ.get(name) if name else None
        if not cookie:
            return {}
        remember(name, cookie)
        return {"Cookie": cookie}

    def request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        """A request whose failures are counted for the source's health."""
        if self.source.proxy:
            meta.setdefault("proxy", self.source.proxy)
        return scrapy.Request(url, callback=callback, meta=meta, errback=self.on_error,
                              headers=self.headers() or None)

    def json_body(self, response: Any, hint: str = "") -> Any:
        """The response parsed as JSON, or None after recording why it could not be."""
        try:
            return json.loads(response.text)
        except ValueError as exc:
            self.parse_error(response.url, f"not JSON{hint}: {exc}")
            return None

    def parse_error(self, url: str, message: str) -> None:
        """Count a page that could not be understood (the crawl goes on)."""
        record_error(self.crawler.stats, f"{url}: {message}")
        self.logger.warning("%s: %s: %s", self.source.name, url, message)

    def capped(self, response: Any, max_pages: int, scope: str = "", limit: str = "") -> None:
        """The list goes on past `max_pages`, or past the site's own `limit` when that cut it
        first (`scope`: which part of a search the list is). DeltaFetchMiddleware counts it as a
        blind spot when the page still brought new posts, that is when paging would have gone on."""
        response.meta["tousu_capped"] = (
            f"{scope}已到{limit or f' max_pages={max_pages}'}，之后仍有新帖未采集")

    def on_error(self, failure: Any) -> None:
        """Count and remember a failed request; the crawl of other pages goes on."""
        message = describe_failure(failure)
        record_error(self.crawler.stats, message)
        self.logger.warning("%s: failed: %s", self.source.name, message)


class PresetSpider(SourceSpider):
    """A spider for one site whose paths and fields live in crawler/presets/<PRESET>.yaml."""

    PRESET: ClassVar[str]

    def __init__(self, source: Any, **kwargs: Any):
        super().__init__(source, **kwargs)
        self.preset = load_preset(self.PRESET)

    def url(self, path: str, **values: Any) -> str:
        """The source's base URL followed by the preset's `paths[path]` filled with `values`."""
        return self.source.base_url + self.preset["paths"][path].format(**values)
