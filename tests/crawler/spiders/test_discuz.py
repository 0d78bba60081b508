"""Discuz! preset: standard forumdisplay/viewthread selectors on a GBK board."""

from crawler.items import RawPost
from crawler.pipelines import NormalisePipeline
from tests.crawler.replay import make_spider, saved_response

BASE = "https://bbs.example.com"


def spider(**extra):
    return make_spider({"name": "dz", "type": "discuz", "forum_url": f"{BASE}/forum-12-1.html",
                        **extra})


def test_list_skips_sticky_threads_and_pages():
    s = spider(max_pages=2)
    [start] = s.initial_requests()
    assert start.url == f"{BASE}/forum-12-1.html"
    out = list(s.parse_list(saved_response("discuz", "forum-12-1.html", start.url, tousu_page=1)))
    assert [r.url for r in out] == [f"{BASE}/thread-3456-1-1.html", f"{BASE}/forum-12-2.html"]
    assert out[0].meta["tousu_detail"] and out[1].meta["tousu_next"]


def test_thread_first_floor_with_plain_date_and_counts():
    s = spider()
    [raw] = s.parse_detail(saved_response("discuz", "thread-3456-1-1.html",
                                          f"{BASE}/thread-3456-1-1.html"))
    assert isinstance(raw, RawPost)
    post = NormalisePipeline().process_item(raw)
    assert post.title == "芦淞区移动营业厅办卡被强制捆绑合约"
    assert post.author == "株洲老街坊" and post.published_at == "2026-11-20T09:41:00+08:00"
    assert post.content.startswith("去芦淞区一个移动营业厅补办卡") and "可以打12300" not in post.content
    assert post.engagement == {"views": 233, "replies": 6}


def test_overrides_replace_preset_selectors():
    s = spider(detail={"title": "title::text"})
    [raw] = s.parse_detail(saved_response("discuz", "thread-3456-1-1.html", f"{BASE}/t.html"))
    assert raw.title.endswith("株洲论坛") and raw.author == "株洲老街坊"
