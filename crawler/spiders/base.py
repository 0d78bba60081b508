"""Common spider plumbing: one configured source per spider instance."""

from __future__ import annotations

from typing import Any

import scrapy

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
        settings = {"DOWNLOAD_DELAY": source.delay, "DOWNLOAD_TIMEOUT": source.timeout,
                    "ROBOTSTXT_OBEY": source.robots}
        return type(f"{cls.__name__}_{source.name}", (cls,), {"custom_settings": settings})

    async def start(self) -> Any:
        for request in self.initial_requests():
            yield request

    def initial_requests(self) -> Any:
        """The first requests of a crawl."""
        raise NotImplementedError

    def request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        """A request whose failures are counted for the source's health."""
        return scrapy.Request(url, callback=callback, meta=meta, errback=self.on_error)

    def on_error(self, failure: Any) -> None:
        """Count and remember a failed request; the crawl of other pages goes on."""
        self.crawler.stats.inc_value("tousu/errors")
        self.crawler.stats.set_value(
            "tousu/last_error", f"{failure.request.url}: {failure.getErrorMessage()}"[:500])
        self.logger.warning("%s: %s failed: %s", self.source.name, failure.request.url,
                            failure.getErrorMessage())
