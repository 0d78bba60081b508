"""`type: weibo` — 微博 via m.weibo.cn: search results or a user's timeline (cards of card_type 9
holding an mblog, also nested in card_group), full text of long posts, hot comments. A repost
carries its original (the root of its `//@` chain) whole: the original is a post too, and the
repost and each comment point at their status with `reply_to`."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import quote

import jmespath
import scrapy

from crawler.items import RawPost
from crawler.spiders.base import PresetSpider


def mblogs(data: dict[str, Any], preset: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every mblog in a getIndex answer, in order, including those nested in card groups."""
    def walk(cards: list[Any]) -> Iterator[dict[str, Any]]:
        for card in cards or []:
            if not isinstance(card, dict):
                continue
            if card.get("card_type") == preset["post_card_type"] and card.get("mblog"):
                yield card["mblog"]
            yield from walk(card.get(preset["group_key"]) or [])
    yield from walk(jmespath.search(preset["cards"], data) or [])


def fields(obj: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
    """Each configured JMESPath applied to obj."""
    return {key: jmespath.search(path, obj) for key, path in paths.items()}


class WeiboSpider(PresetSpider):
    """Crawls a Weibo search (`query`) or timeline (`uid`) through the mobile web API."""

    PRESET = "weibo"

    def list_url(self, page: int, cursor: Any = None) -> str:
        if self.source.query:
            return self.url("search", query=quote(self.source.query), page=page)
        url = self.url("user", uid=self.source.uid)
        return f"{url}&since_id={cursor}" if cursor else url

    def initial_requests(self) -> Iterator[scrapy.Request]:
        yield self.request(self.list_url(1), self.parse_cards, tousu_page=1)

    def parse_cards(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        data = self.json(response)
        if data is None:
            return
        if data.get("ok") != 1:  # ok 0: no (more) results, or a login wall without a cookie
            if response.meta["tousu_page"] == 1:
                self.parse_error(response.url, f"ok={data.get('ok')}: {data.get('msg', '')}")
            return
        found = 0
        for mblog in mblogs(data, self.preset):
            found += 1
            yield from self.from_mblog(mblog)
        page = response.meta["tousu_page"]
        cursor = jmespath.search(self.preset["next_cursor"], data)
        if found and (self.source.query or cursor) and page >= self.source.max_pages:
            self.capped(response, self.source.max_pages)
        elif found and (self.source.query or cursor):
            yield self.request(self.list_url(page + 1, cursor), self.parse_cards,
                               tousu_page=page + 1, tousu_next=True)

    def from_mblog(self, mblog: dict[str, Any]) -> Iterator[Any]:
        values = fields(mblog, self.preset["mblog"])
        status_url = self.url("status", id=values["id"])
        post = self.raw_post(status_url, values)
        original = values.get("retweeted")
        if isinstance(original, dict) and original.get("id"):
            post.reply_to = self.url("status", id=original["id"])
            if original.get("user"):  # a deleted or hidden original comes without its author
                yield from self.from_mblog(original)
        if values.get("long_text") and self.source.long_text:
            yield self.request(self.url("extend", id=values["id"]), self.parse_extend,
                               tousu_detail=True, tousu_key=status_url, tousu_post=post)
        else:
            yield post
        if self.source.comments and (values.get("replies") or 0):
            yield self.request(self.url("comments", id=values["id"], mid=values.get("mid")
                                        or values["id"]), self.parse_comments,
                               tousu_detail=True, tousu_key=status_url,
                               tousu_status=status_url)

    def raw_post(self, url: str, values: dict[str, Any]) -> RawPost:
        engagement = {k: values.get(k) for k in ("reposts", "replies", "likes", "followers")
                      if values.get(k) is not None}
        if values.get("verified") is not None:
            engagement["verified"] = bool(values["verified"])
        return RawPost(source=self.source.name, url=url, content=values.get("text"),
                       content_is_html=True, author=values.get("author"),
                       published_at=values.get("created_at"), location=values.get("location"),
                       engagement=engagement)

    def parse_extend(self, response: scrapy.http.Response) -> Iterator[RawPost]:
        self.crawler.stats.inc_value("tousu/pages")
        post: RawPost = response.meta["tousu_post"]
        data = self.json(response)
        if data is not None:
            values = fields(data, self.preset["extend"])
            if values.get("text"):
                post.content = values["text"]
            post.engagement.update({k: v for k, v in values.items() if k != "text" and v is not None})
        yield post  # the short text is better than nothing when the extend call fails

    def parse_comments(self, response: scrapy.http.Response) -> Iterator[RawPost]:
        self.crawler.stats.inc_value("tousu/pages")
        data = self.json(response)
        if data is None or data.get("ok") != 1:
            return
        spec = self.preset["comments"]
        status_url = response.meta["tousu_status"]
        for comment in jmespath.search(spec["list"], data) or []:
            values = fields(comment, spec["fields"])
            post = self.raw_post(f"{status_url}?cid={values['id']}", values)
            post.reply_to = status_url
            yield post

    def json(self, response: scrapy.http.Response) -> dict[str, Any] | None:
        data = self.json_body(response, " (a login or verification page?)")
        return data if isinstance(data, dict) else None
