"""Whole crawls of the site adapters against recorded responses served by a real local HTTP
server under the platforms' own paths; then a second, incremental run; then back-off on 429."""

import pytest

from tests.conftest import write_config
from tests.crawler.replay import ReplayServer, Route, crawl

KW = "湖南移动"
WEIBO_SEARCH = "100103type=1&q=" + KW


def routes():
    return [
        Route("/f", "tieba/forum_pn0.html", {"kw": KW, "pn": "0"}),
        Route("/f", "tieba/forum_end.html", {"kw": KW, "pn": "50"}),
        Route("/p/9001234561", "tieba/thread_9001234561.html"),
        Route("/p/9001234562", "tieba/thread_9001234562_pn2.html", {"pn": "2"}),
        Route("/p/9001234562", "tieba/thread_9001234562_pn3.html", {"pn": "3"}),
        Route("/p/9001234562", "tieba/thread_9001234562.html"),
        Route("/p/totalComment", "tieba/totalComment_9001234561.json", {"tid": "9001234561"}),
        Route("/p/totalComment", "tieba/totalComment_9001234562_pn2.json",
              {"tid": "9001234562", "pn": "2"}),
        Route("/api/container/getIndex", "weibo/search_p1.json",
              {"containerid": WEIBO_SEARCH, "page": "1"}),
        Route("/api/container/getIndex", "weibo/search_p2.json",
              {"containerid": WEIBO_SEARCH, "page": "2"}),
        Route("/statuses/extend", "weibo/extend_5231234567890123.json", {"id": "5231234567890123"}),
        Route("/comments/hotflow", "weibo/hotflow_5231234567890123.json", {"id": "5231234567890123"}),
        Route("/comments/hotflow", "weibo/hotflow_5231234567890456.json", {"id": "5231234567890456"}),
        Route("/api/index/s", "heimao/search_p1.json", {"keywords": KW, "page": "1"}),
        Route("/api/index/s", "heimao/search_p2.json", {"keywords": KW, "page": "2"}),
        Route("/forum-12-1.html", "discuz/forum-12-1.html", content_type="text/html"),
        Route("/thread-3456-1-1.html", "discuz/thread-3456-1-1.html", content_type="text/html"),
    ]


def backoff_routes():
    """/api/list refuses once (Retry-After: 1) then answers; /api/blocked always refuses."""
    return [Route("/api/list", "heimao/search_p2.json", status=429, headers={"Retry-After": "1"},
                  then=[Route("/api/list", "heimao/search_p2.json")]),
            Route("/api/blocked", None, status=429, headers={"Retry-After": "1"})]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One crawl of every adapter plus two back-off sources (one process start is ~10 s)."""
    tmp = tmp_path_factory.mktemp("replay")
    with ReplayServer(routes() + backoff_routes()) as server:
        common = {"base_url": server.url, "delay": 0, "about_operator": True}
        fields = {"title": "main.title", "content": "main.summary", "url": "main.url"}
        sources = [
            {"name": "tieba-hn", "type": "tieba", "forum": KW, "max_pages": 3, **common},
            {"name": "weibo-hn", "type": "weibo", "query": KW, "max_pages": 3, **common},
            {"name": "heimao-hn", "type": "heimao", "keyword": KW, "max_pages": 3, **common},
            {"name": "discuz-zz", "type": "discuz", "forum_url": f"{server.url}/forum-12-1.html",
             "max_pages": 1, "delay": 0},
            {"name": "slow", "type": "json", "url": f"{server.url}/api/list?page={{page}}",
             "items": "result.data.lists", "fields": fields, "delay": 0},
            {"name": "blocked", "type": "json", "url": f"{server.url}/api/blocked?page={{page}}",
             "items": "result.data.lists", "fields": fields, "delay": 0},
        ]
        config = write_config(tmp, sources=sources)
        rows = crawl(config)
        yield server, config, rows


ADAPTERS = ("tieba-hn", "weibo-hn", "heimao-hn", "discuz-zz")


def test_adapters_crawl_recorded_sites(first_run):
    server, config, first = first_run
    assert {name: (first[name]["last_status"], first[name]["last_new"]) for name in ADAPTERS} == {
        "tieba-hn": ("ok", 12),     # 2 threads: 3 + 2+2+1 floors (3 pages), 3+1 replies-to-replies
        "weibo-hn": ("ok", 6),      # 3 posts (one long), 3 hot comments
        "heimao-hn": ("ok", 3),     # 2 pages
        "discuz-zz": ("ok", 1),
    }
    from indexer import open_store
    from tousu.config import load

    with open_store(load(config)) as store:
        posts = {p.url.removeprefix(server.url): p for p in store.iter_posts()}
    long_post = posts["/status/5231234567890123"]
    assert "住在蒸湘区" in long_post.content and long_post.engagement["followers"] == 860
    assert posts["/p/9001234561"].location == "IP属地:湖南"
    assert posts["/p/9001234561"].published_at == "2026-11-20T14:32:00+08:00"
    assert "【投诉进度】已完成" in posts["/complaint/view/17381234501/"].content
    assert posts["/thread-3456-1-1.html"].author == "株洲老街坊"  # GBK page


def test_429_backs_off_that_source_and_others_go_on(first_run):
    server, _, rows = first_run
    times = [t for t, path in server.times if path == "/api/list"]
    assert rows["slow"]["last_status"] == "ok" and rows["slow"]["last_new"] == 1
    assert len(times) == 2 and times[1] - times[0] >= 0.9   # waited as Retry-After said
    assert rows["blocked"]["last_status"] == "failed"
    assert "HTTP 429 (still refused after 3 back-offs)" in rows["blocked"]["last_error"]
    assert server.routes[-1].hits == 4    # first try + TOUSU_BACKOFF_RETRIES, then given up


def test_second_run_fetches_only_what_is_new(first_run):
    server, config, _ = first_run
    hits_before = len(server.requests)
    second = crawl(config)
    assert {name: second[name]["last_new"] for name in ADAPTERS} == dict.fromkeys(ADAPTERS, 0)
    assert all(second[name]["last_status"] == "ok" for name in ADAPTERS), second
    again = server.requests[hits_before:]
    # known threads, long texts and comment pages are not fetched again; paging stops early
    assert not [p for p in again if p.startswith(("/p/", "/statuses/", "/comments/", "/thread-"))]
    assert not [p for p in again if "page=2" in p and p.startswith("/api/index/s")]
