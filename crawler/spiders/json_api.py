"""`type: json` — JSON APIs: JMESPath to the item list, field paths per item, {page} paging."""

from __future__ import annotations

from typing import Any, Iterator

import jmespath
import scrapy

from crawler.extract import join_url
from crawler.items import RawPost
from crawler.spiders.base import ENGAGEMENT_FIELDS, SourceSpider

_TEXT_FIELDS = ("title", "content", "author", "published_at", "location", "url")


class JsonApiSpider(SourceSpider):
    """Reads pages of a JSON API."""

    def initial_requests(self) -> Iterator[scrapy.Request]:
        for template, _ in self.expand(self.source.url):
            yield self.request(template.replace("{page}", "1"), self.parse_page, tousu_page=1,
                               tousu_template=template)

    def parse_page(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        data = self.json_body(response)
        if data is None:
            return
        items = jmespath.search(self.source.items, data) or []
        for item in items:
            values = {k: jmespath.search(path, item) for k, path in self.source.fields.items()}
            yield RawPost(
                source=self.source.name,
                url=join_url(response, str(values["url"])) if values.get("url") else "",
                content_is_html=True,
                engagement={k: values[k] for k in ENGAGEMENT_FIELDS if values.get(k) is not None},
                **{k: values.get(k) for k in _TEXT_FIELDS if k != "url"})
        page = response.meta["tousu_page"]
        template = response.meta["tousu_template"]
        if items and "{page}" in template and page >= self.source.max_pages:
            self.capped(response, self.source.max_pages)
        elif items and "{page}" in template:
            yield self.request(template.replace("{page}", str(page + 1)), self.parse_page,
                               tousu_page=page + 1, tousu_template=template, tousu_next=True)
