"""Incremental crawling: skip detail pages already fetched (re-visit recent ones), stop paging
when a list page brings nothing new — a small fingerprint store after scrapy-deltafetch.

A detail request is one with meta `tousu_detail`; its key is meta `tousu_key` (the post URL it
leads to, e.g. a Weibo status behind a statuses/extend call) or else its own URL. Posts yielded
straight from a list page (JSON APIs, list-only html) count towards "nothing new" too."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Iterable, Iterator

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.blind_spots import note
from crawler.items import RawPost
from crawler.schema import SCHEMA
from core.post import Post, canonical_url
from core.db import StateDB

REVISIT_EVERY = 1800  # seconds between two fetches of the same recent thread


def url_key(url: str) -> str:
    return canonical_url(url)


def mark_fetched(state: StateDB, posts: Iterable[Post]) -> None:
    """Remember that these posts' pages were fetched now."""
    now = int(time.time())
    rows = []
    for post in posts:
        if not post.url:
            continue
        published = None
        if post.published_at:
            published = int(datetime.fromisoformat(post.published_at).timestamp())
        rows.append((url_key(post.url), post.source, now, now, published))
    state.ensure(SCHEMA)
    with state.atomic() as conn:  # one transaction per batch: autocommit would sync every row
        conn.executemany(
            "INSERT INTO crawl_seen (url_key, source, first_seen, last_fetch, published_ts) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url_key) DO UPDATE SET "
            "last_fetch = excluded.last_fetch, "
            "published_ts = coalesce(excluded.published_ts, crawl_seen.published_ts)", rows)


class DeltaFetchMiddleware:
    """Spider middleware dropping detail requests for pages already fetched."""

    def __init__(self, crawler: Crawler, state: StateDB, revisit_hours: dict[str, float]):
        self.crawler = crawler
        self.state = state
        self.revisit_hours = revisit_hours
        state.ensure(SCHEMA)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DeltaFetchMiddleware":
        config = crawler.settings.get("TOUSU_CONFIG")
        if config is None or not crawler.settings.getbool("TOUSU_DELTAFETCH_ENABLED", True):
            raise NotConfigured("deltafetch off")
        return cls(crawler, StateDB(config.state_path), {s.name: s.revisit_hours for s in config.sources})

    def _wanted(self, url: str, source: str) -> bool:
        row = self.state.conn.execute(
            "SELECT last_fetch, published_ts, first_seen FROM crawl_seen WHERE url_key = ?",
            (url_key(url),)).fetchone()
        if row is None:
            return True
        now = time.time()
        window = self.revisit_hours.get(source, 0) * 3600
        born = row["published_ts"] or row["first_seen"]
        return now - born < window and now - row["last_fetch"] >= REVISIT_EVERY

    def process_spider_output(self, response: Any, result: Iterable[Any]) -> Iterator[Any]:
        spider = self.crawler.spider
        held_next: list[Request] = []
        details = new_details = 0
        for item in result:
            if isinstance(item, Request) and item.meta.get("tousu_detail"):
                details += 1
                if not self._wanted(item.meta.get("tousu_key") or item.url, spider.name):
                    spider.crawler.stats.inc_value("tousu/skipped_known")
                    continue
                new_details += 1
            elif isinstance(item, RawPost) and item.url:
                details += 1
                new_details += self._wanted(item.url, spider.name)
            elif isinstance(item, Request) and item.meta.get("tousu_next"):
                held_next.append(item)
                continue
            yield item
        if details == 0 or new_details > 0:
            yield from held_next
            capped = response is not None and response.meta.get("tousu_capped")
            if capped:
                note(spider.crawler.stats, "page_cap", response.url, capped)
        else:
            spider.crawler.stats.inc_value("tousu/paging_stopped")

    async def process_spider_output_async(self, response: Any, result: Any) -> Any:
        items = [item async for item in result]
        for item in self.process_spider_output(response, items):
            yield item
