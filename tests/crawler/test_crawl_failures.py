"""Crawl failures that used to pass unnoticed — a GBK page labelled UTF-8 (or bytes no encoding
decodes), a body shorter than its Content-Length, a redirect loop — each named in the source's
health, while the good post of the same crawl is stored. Each source has its own real local HTTP
server; one `tousu crawl` runs them all."""

from contextlib import ExitStack

import pytest

from indexer import open_store
from tests.conftest import write_config
from tests.crawler.replay import ReplayServer, Route, crawl
from tousu.config import load

UTF8 = "text/html; charset=utf-8"
BAD = "/thread/bad.html"


def forum(*bad: Route) -> list[Route]:
    """A list page linking to a good thread and to the bad one answered by `bad`."""
    return [Route("/forum.html", "crawlfail/list.html", content_type=UTF8),
            Route("/thread/good.html", "crawlfail/good.html", content_type=UTF8), *bad]


SERVERS = {
    "gbk-as-utf8": forum(Route(BAD, "encoding/gbk_labelled_utf8.html", content_type=UTF8)),
    "undecodable": forum(Route(BAD, "encoding/undecodable.html", content_type=UTF8)),
    "cut-short": forum(Route(BAD, "crawlfail/cut_short.html", content_type=UTF8, missing=4000)),
    "redirect-loop": forum(
        Route(BAD, status=302, headers={"Location": "/thread/moved.html"}),
        Route("/thread/moved.html", status=302, headers={"Location": BAD})),
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sources crawled once (one process start is ~10 s); their health and posts."""
    tmp = tmp_path_factory.mktemp("crawlfail")
    with ExitStack() as stack:
        servers = {name: stack.enter_context(ReplayServer(routes))
                   for name, routes in SERVERS.items()}
        sources = [{"name": name, "type": "html", "start_urls": [f"{server.url}/forum.html"],
                    "list": {"links": "a.t::attr(href)"},
                    "detail": {"title": "h1::text", "content": "div.post"}, "delay": 0}
                   for name, server in servers.items()]
        config = write_config(tmp, sources=sources)
        health = crawl(config)
    for name, row in health.items():    # messages name URLs; the tests compare paths
        row["last_error"] = (row["last_error"] or "").replace(servers[name].url, "")
    with open_store(load(config)) as store:
        posts = {(p.source, p.url.removeprefix(servers[p.source].url)): p
                 for p in store.iter_posts()}
    return health, posts


def good_post_stored(posts, source):
    return "捆绑了两年的合约套餐" in posts[(source, "/thread/good.html")].content


def test_gbk_page_labelled_utf8_is_decoded_and_named(crawled):
    health, posts = crawled
    assert good_post_stored(posts, "gbk-as-utf8")
    post = posts[("gbk-as-utf8", BAD)]
    assert post.title == "益阳移动宽带反复断网"
    assert "益阳赫山区的移动宽带这个月已经断了五次了" in post.content
    assert "\ufffd" not in post.title + post.content
    row = health["gbk-as-utf8"]
    assert row["errors_total"] == 1
    assert f"{BAD}: 编码声明与内容不符：声明 utf-8，实为 gb18030" in row["last_error"]


def test_page_no_encoding_decodes_is_refused_and_named(crawled):
    health, posts = crawled
    assert good_post_stored(posts, "undecodable")
    assert ("undecodable", BAD) not in posts   # never stored as U+FFFD garbage
    row = health["undecodable"]
    assert row["last_status"] == "partial" and row["errors_total"] == 1
    assert f"{BAD}: 页面编码无法识别：按声明的 utf-8 解码为乱码" in row["last_error"]


def test_body_shorter_than_content_length_is_named(crawled):
    health, posts = crawled
    assert good_post_stored(posts, "cut-short")
    assert ("cut-short", BAD) not in posts     # a cut page would store a cut post
    assert SERVERS["cut-short"][2].hits == 3    # tried again (RETRY_TIMES) before giving up
    row = health["cut-short"]
    assert row["last_status"] == "partial" and row["errors_total"] == 1
    assert f"{BAD}: 响应不完整：正文短于 Content-Length" in row["last_error"]


def test_redirect_loop_is_named(crawled):
    health, posts = crawled
    assert good_post_stored(posts, "redirect-loop")
    assert ("redirect-loop", BAD) not in posts
    row = health["redirect-loop"]
    assert row["last_status"] == "partial" and row["errors_total"] == 1
    assert f"{BAD}: 重定向循环：{BAD} → /thread/moved.html → {BAD}" in row["last_error"]
