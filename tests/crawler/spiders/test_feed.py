"""`type: rss`: each feed entry is a post; a page that is not a feed is an error for the source."""

from __future__ import annotations

from scrapy.http import Request, TextResponse

from crawler.items import RawPost
from tests.crawler.replay import make_spider, saved_response

FEED = {"name": "news", "type": "rss", "url": "https://news.example.com/telecom/rss.xml"}


def test_each_entry_is_a_post_with_its_link_title_and_date():
    spider = make_spider(FEED)
    [request] = list(spider.initial_requests())
    assert request.url == FEED["url"]
    posts = list(spider.parse_feed(saved_response("feed", "telecom.xml", FEED["url"])))
    assert all(isinstance(p, RawPost) and p.source == "news" and p.content_is_html for p in posts)
    assert [(p.url, p.title) for p in posts] == [
        ("https://news.example.com/telecom/1.html", "湖南移动宽带提速降费新举措"),
        ("https://news.example.com/telecom/2.html", "用户投诉套餐变更难")]
    assert posts[0].content == "<p>长沙地区千兆宽带用户本月起免费提速。</p>"
    assert posts[1].published_at == "Sat, 21 Nov 2026 10:00:00 +0800"
    assert spider.crawler.stats.get_value("tousu/pages") == 1


def test_a_page_that_is_not_a_feed_is_an_error():
    spider = make_spider(FEED)
    page = TextResponse(FEED["url"], body="<<<not xml".encode(), request=Request(FEED["url"]))
    assert list(spider.parse_feed(page)) == []
    assert "not a feed" in spider.crawler.stats.get_value("tousu/last_error")
