"""`type: html`: rows of a list page or links to detail pages, next-page links up to max_pages,
a detail page matching nothing named."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request

from crawler.items import RawPost
from tests.crawler.replay import make_spider

LIST = """<html><body><ul>
<li><a href="/t/1">宽带断网三天</a><span class="n">12</span></li>
<li><a href="/t/2">信号差</a></li>
</ul><a class="next" href="/list?p=2">下一页</a></body></html>"""


def _response(url, body, **meta):
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url, meta=meta))


def test_rows_become_posts_and_the_next_page_is_followed():
    spider = make_spider({"name": "bbs", "type": "html", "start_urls": ["https://bbs.example/list"],
                          "list": {"rows": "li", "next": "a.next::attr(href)", "max_pages": 2,
                                   "fields": {"title": "a::text", "url": "a::attr(href)",
                                              "replies": "span.n::text"}}})
    out = list(spider.parse_list(_response("https://bbs.example/list", LIST, tousu_page=1)))
    posts = [o for o in out if isinstance(o, RawPost)]
    assert [(p.title, p.url) for p in posts] == [("宽带断网三天", "https://bbs.example/t/1"),
                                                 ("信号差", "https://bbs.example/t/2")]
    assert posts[0].engagement == {"replies": "12"}
    [following] = [o for o in out if not isinstance(o, RawPost)]
    assert following.url == "https://bbs.example/list?p=2" and following.meta["tousu_page"] == 2
    last = list(spider.parse_list(_response("https://bbs.example/list?p=2", LIST, tousu_page=2)))
    assert all(isinstance(o, RawPost) for o in last)                # max_pages reached


def test_links_lead_to_detail_pages_and_an_empty_one_is_named():
    spider = make_spider({"name": "bbs", "type": "html", "start_urls": ["https://bbs.example/list"],
                          "list": {"links": "li a::attr(href)"},
                          "detail": {"title": "h1::text", "content": "div.post"}})
    requests = list(spider.parse_list(_response("https://bbs.example/list", LIST)))
    assert [r.url for r in requests] == ["https://bbs.example/t/1", "https://bbs.example/t/2"]
    [post] = spider.parse_detail(_response("https://bbs.example/t/1",
                                           "<h1>宽带断网</h1><div class='post'><p>三天没网</p></div>"))
    assert (post.title, post.content, post.url) == ("宽带断网", "三天没网", "https://bbs.example/t/1")
    assert list(spider.parse_detail(_response("https://bbs.example/t/2", "<p>登录后查看</p>"))) == []
    assert "no title or content matched" in spider.crawler.stats.get_value("tousu/last_error")


def _quoting_forum():
    return make_spider({"name": "bbs", "type": "html", "start_urls": ["https://bbs.example/list"],
                        "list": {"links": "li a::attr(href)"},
                        "detail": {"title": "h1::text", "content": "div.post",
                                   "reply_to": "div.quote a::attr(href)"}})


def test_a_reply_to_selector_links_the_post_to_the_one_it_reposts():
    """The link to the post this one quotes or reposts, joined to the page's URL."""
    spider = _quoting_forum()
    page = ("<h1>转发：宽带断网</h1><div class='post'><div class='quote'><a href='/t/1'>原帖</a>"
            "</div><p>扩散</p></div>")
    [repost] = spider.parse_detail(_response("https://bbs.example/t/3", page))
    assert repost.reply_to == "https://bbs.example/t/1"
    [original] = spider.parse_detail(_response("https://bbs.example/t/1",
                                               "<h1>宽带断网</h1><div class='post'>三天没网</div>"))
    assert original.reply_to is None


def test_a_broken_quote_link_loses_the_relation_not_the_post():
    """A link urljoin refuses (an unclosed IPv6 host) is not a parent; the post is still kept."""
    spider = _quoting_forum()
    page = ("<h1>转发：宽带断网</h1><div class='post'><div class='quote'><a href='http://[::1'>"
            "原帖</a></div><p>扩散</p></div>")
    [post] = spider.parse_detail(_response("https://bbs.example/t/3", page))
    assert post.title == "转发：宽带断网" and post.reply_to is None


def test_a_broken_link_in_a_list_skips_that_link_only():
    spider = make_spider({"name": "bbs", "type": "html", "start_urls": ["https://bbs.example/list"],
                          "list": {"links": "li a::attr(href)", "next": "a.next::attr(href)",
                                   "max_pages": 3},
                          "detail": {"title": "h1::text"}})
    page = LIST.replace("<li><a href=\"/t/2\">", "<li><a href=\"http://[::1\">x</a></li>"
                                                 "<li><a href=\"/t/2\">")
    requests = list(spider.parse_list(_response("https://bbs.example/list", page, tousu_page=1)))
    assert [r.url for r in requests] == ["https://bbs.example/t/1", "https://bbs.example/t/2",
                                         "https://bbs.example/list?p=2"]
