"""`type: html` — list pages (with paging) to detail pages, or list-only rows."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterator

import scrapy

from crawler.extensions import record_error
from crawler.extract import extract_all, extract_first, join_url, select
from crawler.items import RawPost
from crawler.spiders.base import ENGAGEMENT_FIELDS, SourceSpider

_TEXT_FIELDS = ("title", "content", "author", "published_at", "location")


def _fields(node: Any, selectors: dict[str, str], join: Callable[[str], str]) -> dict[str, Any]:
    """A post's fields by the selectors; `reply_to` (a link, often relative) joined to the page."""
    values = {key: extract_first(node, sel) for key, sel in selectors.items()}
    parent = values.get("reply_to")
    return {
        **{k: values.get(k) for k in _TEXT_FIELDS},
        "reply_to": (join(parent) or None) if parent else None,
        "engagement": {k: values[k] for k in ENGAGEMENT_FIELDS if values.get(k) is not None},
    }


class HtmlSpider(SourceSpider):
    """Crawls an HTML source described by selectors in config."""

    def initial_requests(self) -> Iterator[scrapy.Request]:
        for template in self.source.start_urls:
            for url, _ in self.expand(template):
                yield self.request(url, self.parse_list, tousu_page=1)

    def parse_list(self, response: scrapy.http.Response) -> Iterator[Any]:
        spec = self.source.list
        self.crawler.stats.inc_value("tousu/pages")
        if spec.links:
            for href in dict.fromkeys(extract_all(response, spec.links)):
                url = join_url(response, href)
                if url:
                    yield self.request(url, self.parse_detail, tousu_detail=True)
        else:
            for row in select(response, spec.rows):
                values = _fields(row, spec.fields, partial(join_url, response))
                href = extract_first(row, spec.fields["url"]) if "url" in spec.fields else None
                yield RawPost(source=self.source.name,
                              url=join_url(response, href) if href else "", **values)
        page = response.meta.get("tousu_page", 1)
        href = extract_first(response, spec.next) if spec.next else None
        if href and page >= spec.max_pages:
            self.capped(response, spec.max_pages)
        elif href and (url := join_url(response, href)):
            yield self.request(url, self.parse_list, tousu_page=page + 1, tousu_next=True)

    def parse_detail(self, response: scrapy.http.Response) -> Iterator[RawPost]:
        self.crawler.stats.inc_value("tousu/pages")
        values = _fields(response, self.source.detail, partial(join_url, response))
        if not (values["title"] or values["content"]):
            record_error(self.crawler.stats,
                         f"{response.url}: no title or content matched the selectors")
            return
        yield RawPost(source=self.source.name, url=response.url, **values)
