"""Records each source's crawl run (pages, items, new, errors, last error, blind spots) for
`tousu sources`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from core.db import StateDB
from core.secrets import redact
from crawler import blind_spots
from crawler.failures import redirect_loop
from crawler.health import finish_run, start_run


def record_error(stats: Any, message: str, count: int = 1) -> None:
    """Count errors of this run and keep the latest message, redacted, for `tousu sources`."""
    stats.inc_value("tousu/errors", count)
    # redacted before it is cut: a secret cut in half would no longer be recognised
    stats.set_value("tousu/last_error", redact(message)[:500])


class SourceHealth:
    """Opens a run row when a spider opens and closes it with the spider's stats."""

    def __init__(self, crawler: Crawler, state: StateDB):
        self.crawler = crawler
        self.state = state
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SourceHealth":
        config = crawler.settings.get("TOUSU_CONFIG")
        if config is None:
            raise NotConfigured("TOUSU_CONFIG is not set")
        ext = cls(crawler, StateDB(config.state_path))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.run_id = start_run(self.state, spider.name)

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        record_error(self.crawler.stats, f"{response.url}: {failure.getErrorMessage()}")

    def request_dropped(self, request: Any, spider: Any) -> None:
        # A redirect back to a URL already crawled is dropped by the duplicate filter without
        # an error: when it closes a loop, that is why the page never came.
        loop = redirect_loop(request)
        if loop:
            record_error(self.crawler.stats, loop)

    def response_received(self, response: Any, request: Any, spider: Any) -> None:
        if urlparse(response.url).path == "/robots.txt":
            return
        kind = blind_spots.classify(response.status, response.url, response.body)
        if kind is None:
            return
        detail = f"HTTP {response.status}"
        cookie = getattr(getattr(spider, "source", None), "cookie_env", None)
        if kind == "login_wall" and cookie:
            detail += f"；Cookie（{cookie}）可能已失效"
        blind_spots.note(self.crawler.stats, kind, response.url, detail)

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        errors = int(stats.get_value("tousu/errors", 0))
        last_error = stats.get_value("tousu/last_error")
        pages = int(stats.get_value("tousu/pages", 0))
        if pages == 0 and not last_error:
            status_codes = {k: v for k, v in stats.get_stats().items()
                            if k.startswith("downloader/response_status_count/")}
            exc = stats.get_value("downloader/exception_type_count")
            last_error = f"no page parsed ({status_codes or exc or reason})"
            errors = max(errors, 1)
        status = "ok" if errors == 0 else ("failed" if pages == 0 else "partial")
        if self.run_id is not None:
            finish_run(self.state, self.run_id, pages=pages,
                       items=int(stats.get_value("tousu/items", 0)),
                       new=int(stats.get_value("tousu/new", 0)), errors=errors,
                       last_error=last_error, status=status)
            blind_spots.record(self.state, self.run_id, spider.name, stats.get_stats())
        self.state.close()
