"""`type: tieba` — 百度贴吧: a forum's thread list or keyword search → thread pages (the first
`max_pages` of each thread) with floors, author, time, IP属地, and the replies-to-replies (楼中楼)
of each floor. A floor replies to the thread (`reply_to` its first floor), a 楼中楼 to its floor."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator
from urllib.parse import quote

import jmespath
import scrapy
from parsel import Selector

from crawler.extract import extract_all, extract_first, select
from crawler.items import RawPost
from crawler.spiders.base import PresetSpider

_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2})?$")
_TID = re.compile(r"/p/(\d+)")


def thread_list(response: scrapy.http.Response, preset: dict[str, Any]) -> Selector:
    """The forum's thread list, parsed out of the HTML comment it is delivered in."""
    spec = preset["list"]
    comments = select(response, spec["pagelet"])
    markup = "".join(c.get().removeprefix("<!--").removesuffix("-->") for c in comments)
    return Selector(text=markup or "<html></html>")


def _thread_id(node: Selector, spec: dict[str, Any]) -> str | None:
    """A listed thread's id: its data attribute, else the number in its /p/<tid> link."""
    tid = extract_first(node, spec["tid"])
    if not tid:
        match = _TID.search(extract_first(node, spec["href"]) or "")
        tid = match.group(1) if match else None
    return tid


class TiebaSpider(PresetSpider):
    """Crawls one 贴吧 (forum) or one keyword search on Tieba."""

    PRESET = "tieba"

    def initial_requests(self) -> Iterator[scrapy.Request]:
        if self.source.forum:
            yield self.request(self.url("forum", forum=quote(self.source.forum), pn=0),
                               self.parse_forum, tousu_page=1)
        else:
            yield self.request(self.url("search", keyword=quote(self.source.keyword), page=1),
                               self.parse_search, tousu_page=1)

    def thread_request(self, tid: str) -> scrapy.Request:
        url = self.url("thread", tid=tid)
        return self.request(url, self.parse_thread, tousu_detail=True, tousu_key=url)

    def parse_forum(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        spec = self.preset["list"]
        threads = select(thread_list(response, self.preset), spec["thread"])
        if not threads:
            if response.meta["tousu_page"] == 1:  # later pages may simply be past the end
                self.parse_error(response.url, "no thread list in the page (layout changed, or a "
                                 "verification page: set TIEBA_COOKIE)")
            return
        for thread in threads:
            tid = _thread_id(thread, spec)
            if tid:
                yield self.thread_request(tid)
        page = response.meta["tousu_page"]
        if page >= self.source.max_pages:
            self.capped(response, self.source.max_pages)
        else:
            pn = page * self.preset["threads_per_page"]
            yield self.request(self.url("forum", forum=quote(self.source.forum), pn=pn),
                               self.parse_forum, tousu_page=page + 1, tousu_next=True)

    def parse_search(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        spec = self.preset["search"]
        hits = select(response, spec["hit"])
        tids = []
        for hit in hits:
            tid = _thread_id(hit, spec)
            if tid:
                tids.append(tid)
        for tid in dict.fromkeys(tids):
            yield self.thread_request(tid)
        page = response.meta["tousu_page"]
        if hits and page >= self.source.max_pages:
            self.capped(response, self.source.max_pages)
        elif hits:
            yield self.request(self.url("search", keyword=quote(self.source.keyword), page=page + 1),
                               self.parse_search, tousu_page=page + 1, tousu_next=True)

    def parse_thread(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.crawler.stats.inc_value("tousu/pages")
        spec = self.preset["thread"]
        page = response.meta.get("tousu_thread_page", 1)
        title = extract_first(response, spec["title"])
        floors = select(response, spec["floor"])
        if not floors:
            self.parse_error(response.url, "no floors matched the thread selectors")
            return
        tid = _TID.search(response.url)
        tid = tid.group(1) if tid else ""
        thread_url = self.url("thread", tid=tid)
        forum_id = None
        first_pid = response.meta.get("tousu_first_pid")
        for floor in floors:
            data = _json(extract_first(floor, spec["floor_data"]))
            content = jmespath.search("content", data) or {}
            post_id = content.get("post_id")
            number = content.get("post_no")
            forum_id = forum_id or content.get("forum_id")
            tail = extract_all(floor, spec["tail"])
            ip = next((t for t in extract_all(floor, spec["ip"]) if t.startswith("IP属地")), None)
            first = number in (1, "1") or (number is None and page == 1 and floor is floors[0])
            if first:
                first_pid = post_id
            yield RawPost(
                source=self.source.name,
                url=thread_url if first else f"{thread_url}?pid={post_id}",
                title=title if first else f"回复：{title}",
                content=extract_first(floor, spec["content"]),
                author=extract_first(floor, spec["author"]) or jmespath.search("author.user_name",
                                                                               data),
                published_at=next((t for t in reversed(tail) if _DATE.match(t)), None),
                location=ip, reply_to=None if first else thread_url,
                engagement={"replies": content.get("comment_num")} if content.get("comment_num")
                else {})
        if self.source.comments and forum_id and any(
                (_json(extract_first(f, spec["floor_data"])).get("content") or {}).get("comment_num")
                for f in floors):
            yield self.request(self.url("comments", tid=tid, fid=forum_id, pn=page),
                               self.parse_comments, tousu_thread=thread_url, tousu_title=title,
                               tousu_first_pid=first_pid)
        # Not a `tousu_next` request: a revisit must reach the last page, where new replies land.
        next_page = extract_first(response, spec["next"]) or ""
        same_thread = _TID.search(next_page)
        if same_thread and same_thread.group(1) == tid and page < self.source.max_pages:
            yield self.request(response.urljoin(next_page), self.parse_thread,
                               tousu_thread_page=page + 1, tousu_first_pid=first_pid)

    def parse_comments(self, response: scrapy.http.Response) -> Iterator[RawPost]:
        self.crawler.stats.inc_value("tousu/pages")
        spec = self.preset["comments"]
        data = self.json_body(response)
        if data is None:
            return
        thread_url, title = response.meta["tousu_thread"], response.meta["tousu_title"]
        first_pid = str(response.meta.get("tousu_first_pid"))
        for post_id, entry in (jmespath.search(spec["list"], data) or {}).items():
            floor_url = thread_url if post_id == first_pid else f"{thread_url}?pid={post_id}"
            for comment in entry.get(spec["info"]) or []:
                cid = comment.get("comment_id")
                yield RawPost(source=self.source.name, url=f"{thread_url}?pid={post_id}&cid={cid}",
                              title=f"回复：{title}", content=comment.get("content"),
                              content_is_html=True, author=comment.get("username"),
                              published_at=comment.get("now_time"), reply_to=floor_url)


def _json(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
