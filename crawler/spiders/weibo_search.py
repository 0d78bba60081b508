"""`type: weibo_search` — 微博 desktop search (s.weibo.com): the result cards of a keyword over a
time range. Weibo shows at most 50 pages of any search, so the range is cut into windows: the
first page's pager says how many pages a window has, and a window with more than fit
(`max_pages`, or the site's cap) is not read but split in halves, down to `min_window`
(crawler/windows.py). A window still full at `min_window` is read as far as it goes and named as
a page_cap blind spot. A repost carries its original, which becomes a post too."""

from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import quote

import scrapy
from parsel import Selector

from core.post import now_cst
from crawler.extract import extract_first, select
from crawler.items import RawPost
from crawler.spiders.base import PresetSpider
from crawler.windows import Window, covered, hours


class WeiboSearchSpider(PresetSpider):
    """Crawls Weibo's desktop search for each query, window by window."""

    PRESET = "weibo_search"

    def __init__(self, source: Any, **kwargs: Any):
        super().__init__(source, **kwargs)
        self.min_hours = hours(source.min_window)

    def search_url(self, query: str, window: Window, page: int) -> str:
        time = self.preset["time"]
        return self.url("search", query=quote(query), start=time.format(t=window.start),
                        end=time.format(t=window.end), page=page)

    def search(self, query: str, window: Window, page: int = 1, **meta: Any) -> scrapy.Request:
        return self.request(self.search_url(query, window, page), self.parse_results,
                            tousu_page=page, tousu_query=query, tousu_window=window, **meta)

    def initial_requests(self) -> Iterator[scrapy.Request]:
        window = covered(self.source, now_cst())
        for query in [self.source.query] if self.source.query else self.search_terms():
            yield self.search(query, window)

    def full(self, pages: int) -> bool:
        """A window whose pager lists this many pages holds more than one crawl of it reads."""
        return pages > self.source.max_pages or pages >= self.preset["full_at_pages"]

    def parse_results(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        meta = response.meta
        window: Window = meta["tousu_window"]
        page = meta["tousu_page"]
        cards = select(response, self.preset["card"])
        if not cards:
            if page == 1 and not select(response, self.preset["no_result"]):
                self.parse_error(response.url, "no result cards and no 'no result' notice (layout "
                                 "changed, or a login page: set WEIBO_COOKIE)")
            return
        full = meta.get("tousu_full")
        if page == 1:
            full = self.full(len(select(response, self.preset["pages"])))
            if full and window.hours > self.min_hours:
                self.crawler.stats.inc_value("tousu/windows_split")
                for half in window.halves():
                    yield self.search(meta["tousu_query"], half)
                return
        for card in cards:
            yield from self.from_card(card)
        if extract_first(response, self.preset["next"]) and page < self.source.max_pages:
            yield self.search(meta["tousu_query"], window, page + 1, tousu_full=full,
                              tousu_next=True)
        elif full:
            self.capped(response, self.source.max_pages,
                        f"时间窗 {window.label()} 已是最小窗口（min_window={self.source.min_window}）"
                        "仍然满页，",
                        "" if page >= self.source.max_pages else "微博搜索显示的页数上限")

    def from_card(self, card: Selector) -> Iterator[RawPost]:
        """The card's post, after the original it reposts (when that is readable)."""
        post = self.raw_post(card, self.preset["post"], extract_first(card, self.preset["mid"]))
        spec = self.preset["original"]
        root = select(card, spec["root"])
        if root:
            mid = re.search(spec["mid_pattern"], extract_first(root[0], spec["mid"]) or "")
            original = self.raw_post(root[0], spec, mid.group(1) if mid else None)
            if original.url:
                post.reply_to = original.url
            if original.url and original.author:  # a deleted original has no author
                yield original
        if post.url:
            yield post

    def raw_post(self, node: Selector, spec: dict[str, Any], mid: str | None) -> RawPost:
        values = {key: extract_first(node, spec[key]) for key in
                  ("author", "created_at", "reposts", "replies", "likes")}
        location = extract_first(node, spec["location"]) if "location" in spec else None
        verified = extract_first(node, spec["verified"]) if "verified" in spec else None
        for selector in self.preset["drop"]:
            for match in select(node, selector):
                match.drop()
        text = extract_first(node, spec["full_text"]) or extract_first(node, spec["text"])
        engagement: dict[str, Any] = {k: values[k] for k in ("reposts", "replies", "likes")
                                      if values[k] is not None}
        if "verified" in spec:
            engagement["verified"] = bool(verified)
        return RawPost(source=self.source.name,
                       url=self.preset["status"].format(mid=mid) if mid else "",
                       content=text, author=values["author"], published_at=values["created_at"],
                       location=location, engagement=engagement)
