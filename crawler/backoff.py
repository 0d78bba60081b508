"""Back off a source that says "too many requests": 403/429 (and 503) slow its download slot
down and retry the request later, honouring Retry-After; successes bring the delay back down."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: '120' or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


class BackoffMiddleware:
    """Downloader middleware: on a back-off status, raise the slot's delay and retry later.

    Each crawl holds one source, so a download slot (one per host) is that source: backing it
    off never slows the other sources, which run in their own crawlers.
    """

    def __init__(self, crawler: Crawler, codes: set[int], retries: int, start: float,
                 maximum: float):
        self.crawler = crawler
        self.codes = codes
        self.retries = retries
        self.start = start
        self.maximum = maximum
        self.base_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.autothrottle = crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
        self.raised: dict[str, float] = {}  # slot key → its jitter before backing off

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffMiddleware":
        settings = crawler.settings
        if not settings.getbool("TOUSU_BACKOFF_ENABLED", True):
            raise NotConfigured("TOUSU_BACKOFF_ENABLED is off")
        return cls(crawler, {int(c) for c in settings.getlist("TOUSU_BACKOFF_HTTP_CODES")},
                   settings.getint("TOUSU_BACKOFF_RETRIES"),
                   settings.getfloat("TOUSU_BACKOFF_START"), settings.getfloat("TOUSU_BACKOFF_MAX"))

    def _slot(self, request: Request) -> tuple[str, Any]:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        stats = self.crawler.stats
        if response.status not in self.codes or request.meta.get("dont_backoff"):
            if 200 <= response.status < 300 and self.raised:
                self._recover(request)
            return response
        tries = request.meta.get("tousu_backoff", 0) + 1
        key, slot = self._slot(request)
        # The server's own Retry-After is the polite answer; else double from TOUSU_BACKOFF_START.
        retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
        wait = min(self.maximum, retry_after if retry_after is not None
                   else self.start * 2 ** (tries - 1))
        stats.inc_value("tousu/backoff")
        stats.inc_value(f"tousu/backoff/{response.status}")
        if slot is not None:
            self.raised.setdefault(key, slot.jitter)
            slot.delay = max(slot.delay, wait)
            slot.jitter = 0.0                 # no random shortening of a server-requested wait
            slot.lastseen = time.monotonic()  # count the wait from the refusal
        stats.max_value("tousu/backoff_delay", wait)
        if tries > self.retries:
            stats.inc_value("tousu/backoff_gave_up")
            return response  # HttpErrorMiddleware turns it into an error the spider counts
        self.crawler.spider.logger.warning(
            "%s answered %s: backing off %.1fs (try %d of %d)", key, response.status, wait, tries,
            self.retries)
        retry = request.replace(dont_filter=True)
        retry.meta["tousu_backoff"] = tries
        retry.priority = request.priority - 1
        return retry

    def _recover(self, request: Request) -> None:
        key, slot = self._slot(request)
        if key not in self.raised or slot is None:
            return
        if not self.autothrottle:  # (AutoThrottle lowers the delay itself from the latencies)
            slot.delay = max(self.base_delay, slot.delay / 2)
            if slot.delay > self.base_delay:
                return
        slot.jitter = self.raised.pop(key)
