"""DeltaFetch: known detail pages skipped, paging stops when a page brings nothing new."""

import scrapy

from core.db import StateDB
from core.post import Post
from crawler.items import RawPost
from crawler.middlewares import DeltaFetchMiddleware, mark_fetched
from tests.conftest import write_config
from tests.crawler.replay import make_spider
from tousu.config import load


def setup(tmp_path):
    config = load(write_config(tmp_path, sources=[{
        "name": "api", "type": "json", "url": "https://x/api?page={page}", "items": "d",
        "fields": {"title": "t"}, "revisit_hours": 0}]))
    spider = make_spider(config.sources[0].model_dump(), config)
    state = StateDB(config.state_path)
    return DeltaFetchMiddleware(spider.crawler, state, {"api": 0}), state


def run(middleware, output):
    return list(middleware.process_spider_output(None, output))


def test_known_detail_requests_are_dropped_and_paging_stops(tmp_path):
    middleware, state = setup(tmp_path)
    mark_fetched(state, [Post(source="api", url="https://x/p/1", content="x")])
    out = run(middleware, [scrapy.Request("https://x/p/1", meta={"tousu_detail": True}),
                           scrapy.Request("https://x/list?page=2", meta={"tousu_next": True})])
    assert out == []


def test_detail_key_can_differ_from_the_request_url(tmp_path):
    middleware, state = setup(tmp_path)
    mark_fetched(state, [Post(source="api", url="https://x/status/9", content="x")])
    request = scrapy.Request("https://x/statuses/extend?id=9",
                             meta={"tousu_detail": True, "tousu_key": "https://x/status/9"})
    assert run(middleware, [request]) == []


def test_items_from_a_list_count_towards_paging(tmp_path):
    middleware, state = setup(tmp_path)
    mark_fetched(state, [Post(source="api", url="https://x/p/1", content="x")])
    known = RawPost(source="api", url="https://x/p/1")
    fresh = RawPost(source="api", url="https://x/p/2")
    nxt = scrapy.Request("https://x/api?page=2", meta={"tousu_next": True})
    assert run(middleware, [known, nxt]) == [known]            # all known: stop paging
    assert run(middleware, [known, fresh, nxt]) == [known, fresh, nxt]
