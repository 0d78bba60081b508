"""`type: rss` — RSS/Atom feeds through feedparser."""

from __future__ import annotations

from typing import Iterator

import feedparser
import scrapy

from crawler.extensions import record_error
from crawler.items import RawPost
from crawler.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    """Reads one feed; each entry is a post."""

    def initial_requests(self) -> Iterator[scrapy.Request]:
        yield self.request(self.source.url, self.parse_feed)

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[RawPost]:
        self.crawler.stats.inc_value("tousu/pages")
        feed = feedparser.parse(response.body)
        if feed.bozo and not feed.entries:
            record_error(self.crawler.stats, f"{response.url}: not a feed: {feed.bozo_exception}")
            return
        for entry in feed.entries:
            content = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
            yield RawPost(source=self.source.name, url=entry.get("link", ""),
                          title=entry.get("title"), content=content, content_is_html=True,
                          author=entry.get("author"),
                          published_at=entry.get("published") or entry.get("updated"))
