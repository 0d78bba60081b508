"""`type: json`: JMESPath to the items, a field path per value, {page} paging while pages bring
items, a body that is not JSON named."""

from __future__ import annotations

import json

from scrapy.http import Request, TextResponse

from tests.crawler.replay import make_spider

API = {"name": "api", "type": "json", "url": "https://x.example/api?page={page}", "items": "data.list[]",
       "max_pages": 2, "fields": {"title": "t", "content": "body", "url": "link", "replies": "stats.n"}}


def _page(spider, url, body, page):
    request = Request(url, meta={"tousu_page": page, "tousu_template": API["url"]})
    return list(spider.parse_page(TextResponse(url, body=body.encode(), request=request, encoding="utf-8")))


def test_items_fields_and_paging_up_to_max_pages():
    spider = make_spider(API)
    [first] = list(spider.initial_requests())
    assert first.url == "https://x.example/api?page=1"
    body = json.dumps({"data": {"list": [{"t": "宽带断网", "body": "三天了", "link": "/t/1", "stats": {"n": 7}},
                                          {"t": "信号差", "body": "一格"}]}}, ensure_ascii=False)
    *posts, following = _page(spider, first.url, body, 1)
    assert [(p.title, p.content, p.url) for p in posts] == [("宽带断网", "三天了", "https://x.example/t/1"),
                                                             ("信号差", "一格", "")]
    assert posts[0].engagement == {"replies": 7} and posts[1].engagement == {}
    assert following.url == "https://x.example/api?page=2" and following.meta["tousu_next"]
    assert len(_page(spider, following.url, body, 2)) == 2          # max_pages: no third request
    assert _page(spider, first.url, json.dumps({"data": {"list": []}}), 1) == []


def test_a_body_that_is_not_json_is_named():
    spider = make_spider(API)
    assert _page(spider, "https://x.example/api?page=1", "<html>登录</html>", 1) == []
    assert "not JSON" in spider.crawler.stats.get_value("tousu/last_error")


def test_an_item_with_a_broken_url_keeps_the_page():
    spider = make_spider(API)
    body = json.dumps({"data": {"list": [{"t": "坏链接", "link": "http://[::1"},
                                          {"t": "宽带断网", "link": "/t/2"}]}}, ensure_ascii=False)
    *posts, following = _page(spider, "https://x.example/api?page=1", body, 1)
    assert [(p.title, p.url) for p in posts] == [("坏链接", ""), ("宽带断网", "https://x.example/t/2")]
    assert following.url == "https://x.example/api?page=2"
