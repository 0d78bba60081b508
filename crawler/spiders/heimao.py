"""`type: heimao` — 黑猫投诉 complaint search: each complaint with its company, issue, appeal and
handling status (a formal complaint site: the status says whether the operator answered)."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote, urlsplit

import jmespath
import scrapy

from crawler.items import RawPost
from crawler.spiders.base import PresetSpider

# How the structured complaint fields are written into the post's text (searchable, readable).
LABELS = (("cotitle", "投诉对象"), ("issue", "投诉问题"), ("appeal", "投诉要求"), ("status", "投诉进度"))


def status_label(code: Any, labels: dict[Any, str]) -> str | None:
    """The site's name for a status code ('4' → 已完成); unknown codes stay visible."""
    if code in (None, ""):
        return None
    try:
        return labels.get(int(code)) or f"状态 {code}"
    except (TypeError, ValueError):
        return str(code)


class HeimaoSpider(PresetSpider):
    """Pages through 黑猫投诉 search results for each keyword."""

    PRESET = "heimao"

    def search_url(self, keyword: str, page: int) -> str:
        return self.url("search", keyword=quote(keyword), page_size=self.source.page_size, page=page)

    def initial_requests(self) -> Iterator[scrapy.Request]:
        keywords = [self.source.keyword] if self.source.keyword else self.search_terms()
        for keyword in keywords:
            yield self.request(self.search_url(keyword, 1), self.parse_page, tousu_page=1,
                               tousu_keyword=keyword)

    def parse_page(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        data = self.json_body(response)
        if data is None:
            return
        code = jmespath.search(self.preset["ok"], data)
        if code not in (0, "0"):
            self.parse_error(response.url, f"status code {code} (signature or cookie refused?)")
            return
        entries = jmespath.search(self.preset["items"], data) or []
        for entry in entries:
            yield self.complaint(entry)
        page = response.meta["tousu_page"]
        pages = jmespath.search(self.preset["page_amount"], data) or 0
        if entries and self.source.max_pages <= page < int(pages or page + 1):
            self.capped(response, self.source.max_pages)
        elif entries and page < min(self.source.max_pages, int(pages or page + 1)):
            keyword = response.meta["tousu_keyword"]
            yield self.request(self.search_url(keyword, page + 1), self.parse_page,
                               tousu_page=page + 1, tousu_keyword=keyword, tousu_next=True)

    def complaint(self, entry: dict[str, Any]) -> RawPost:
        """One list entry ({"main": …, "author": …}) as a post."""
        main = {k: jmespath.search(p, entry.get("main") or {})
                for k, p in self.preset["main"].items()}
        main["status"] = status_label(main.get("status"), self.preset["status"])
        # The API gives a protocol-relative URL on the site; keep its path under base_url so a
        # replayed crawl links to the replay server.
        path = urlsplit(str(main.get("url") or "")).path
        url = self.source.base_url + path if path else ""
        lines = [main.get("summary") or ""]
        lines += [f"【{label}】{main[key]}" for key, label in LABELS if main.get(key)]
        return RawPost(source=self.source.name, url=url, title=main.get("title"),
                       content="<br>".join(lines), content_is_html=True,
                       author=jmespath.search(self.preset["author"], entry),
                       published_at=main.get("timestamp"),
                       engagement={k: main[k] for k in ("replies", "likes", "reposts")
                                   if main.get(k) is not None})
