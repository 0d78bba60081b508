"""Keyword-search sources: {keyword} in a URL is filled from the source's terms or the dictionary."""

from tests.conftest import write_config
from tests.crawler.replay import make_spider
from tousu.config import load

JSON = {"name": "api", "type": "json", "url": "https://x.example/api?q={keyword}&page={page}",
        "items": "data[]", "fields": {"title": "t"}}


def test_json_source_searches_each_keyword():
    spider = make_spider({**JSON, "keywords": ["湖南移动", "长沙移动"]})
    urls = [r.url for r in spider.initial_requests()]
    assert urls == ["https://x.example/api?q=%E6%B9%96%E5%8D%97%E7%A7%BB%E5%8A%A8&page=1",
                    "https://x.example/api?q=%E9%95%BF%E6%B2%99%E7%A7%BB%E5%8A%A8&page=1"]


def test_html_source_default_terms_come_from_the_dictionary(tmp_path):
    config = load(write_config(tmp_path))
    spider = make_spider({"name": "s", "type": "html", "max_keywords": 2,
                          "start_urls": ["https://bbs.example/search?kw={keyword}"],
                          "list": {"rows": "li", "fields": {"title": "a::text"}}}, config)
    urls = [r.url for r in spider.initial_requests()]
    assert len(urls) == 2 and all("kw=%" in u for u in urls)


def test_url_without_keyword_is_requested_once():
    spider = make_spider({**JSON, "url": "https://x.example/api?page={page}", "keywords": ["a", "b"]})
    assert len(list(spider.initial_requests())) == 1


def test_a_preset_spider_builds_urls_from_its_sites_preset():
    spider = make_spider({"name": "hm", "type": "heimao", "keyword": "湖南移动",
                          "base_url": "http://127.0.0.1:9"})
    assert spider.url("search", keyword="x", page_size=5, page=2) == \
        "http://127.0.0.1:9/api/index/s?keywords=x&page_size=5&page=2"
    assert spider.search_url("长沙", 1) == \
        "http://127.0.0.1:9/api/index/s?keywords=%E9%95%BF%E6%B2%99&page_size=" \
        f"{spider.source.page_size}&page=1"
