"""微博 desktop search adapter: result cards (long text, reposts with their original, counts,
verified, location), the pager deciding whether a window is read or split, the empty notice."""

from datetime import datetime

import scrapy

from core.post import CST
from crawler.items import RawPost
from crawler.pipelines import NormalisePipeline
from crawler.windows import Window
from tests.crawler.replay import make_spider, saved_response

BASE = "https://s.weibo.com"
STATUS = "https://m.weibo.cn/status/"
DAY = Window(datetime(2026, 11, 20, tzinfo=CST), datetime(2026, 11, 21, tzinfo=CST))


def spider(**extra):
    return make_spider({"name": "ws", "type": "weibo_search", "query": "湖南移动",
                        "since": "2026-11-20", "until": "2026-11-21", "max_pages": 2, **extra})


def parse(s, name, window=DAY, page=1, **meta):
    response = saved_response("weibo_search", name, s.search_url("湖南移动", window, page),
                              tousu_window=window, tousu_page=page, tousu_query="湖南移动", **meta)
    return list(s.parse_results(response))


def test_the_request_asks_for_the_configured_window_with_unpadded_hours():
    [request] = spider(base_url="http://127.0.0.1:1", since="2026-11-20 08:00",
                       until="2026-11-21 09:00").initial_requests()
    assert request.url == ("http://127.0.0.1:1/weibo?q=%E6%B9%96%E5%8D%97%E7%A7%BB%E5%8A%A8"
                           "&typeall=1&suball=1&timescope=custom:2026-11-20-8:2026-11-21-9&page=1")


def test_without_a_query_each_keyword_is_searched():
    requests = list(make_spider({"name": "ws", "type": "weibo_search",
                                 "keywords": ["湖南移动", "长沙移动"]}).initial_requests())
    assert [r.meta["tousu_query"] for r in requests] == ["湖南移动", "长沙移动"]


def test_a_full_window_is_split_in_halves_and_its_page_not_read():
    s = spider()
    out = parse(s, "w00-24_p1.html")  # the pager lists 4 pages: more than max_pages 2
    assert all(isinstance(o, scrapy.Request) for o in out)
    assert [o.meta["tousu_window"].label() for o in out] == [
        "2026-11-20 00:00–2026-11-20 12:00", "2026-11-20 12:00–2026-11-21 00:00"]
    assert [o.meta["tousu_page"] for o in out] == [1, 1]
    assert not any(o.meta.get("tousu_next") for o in out)  # incremental paging must not hold them
    assert s.crawler.stats.get_value("tousu/windows_split") == 1


def test_a_window_that_fits_is_read_page_by_page():
    s = spider()
    window = DAY.halves()[0]
    out = parse(s, "w00-12_p1.html", window)
    posts = [o for o in out if isinstance(o, RawPost)]
    [next_page] = [o for o in out if isinstance(o, scrapy.Request)]
    assert next_page.meta["tousu_next"] and next_page.url.endswith(
        "timescope=custom:2026-11-20-0:2026-11-20-12&page=2")
    assert [p.url.removeprefix(STATUS) for p in posts] == [
        "5233400000000001", "5233300000000001", "5233400000000002", "5233400000000003"]
    assert parse(s, "w00-12_p2.html", window, page=2, tousu_full=False)[-1].author == "常德老周"


def test_a_card_becomes_a_post_with_full_text_counts_and_place():
    s = spider()
    [long_post] = [o for o in parse(s, "w00-12_p1.html", DAY.halves()[0])
                   if isinstance(o, RawPost) and o.url.endswith("5233400000000001")]
    post = NormalisePipeline().process_item(long_post)
    assert post.content.startswith("湖南移动的5G套餐降速") and "已经向工信部投诉了" in post.content
    assert "展开" not in post.content and "收起" not in post.content and "2长沙" not in post.content
    assert post.author == "星城打工人" and post.location == "长沙·岳麓区"
    assert post.published_at.endswith("-11-20T11:48:00+08:00")
    assert post.engagement == {"reposts": 12, "replies": 34, "likes": 56, "verified": True}


def test_a_repost_points_at_its_original_which_is_a_post_too():
    s = spider()
    posts = {p.url.removeprefix(STATUS): p for p in parse(s, "w00-12_p1.html", DAY.halves()[0])
             if isinstance(p, RawPost)}
    original, repost = posts["5233300000000001"], posts["5233400000000002"]
    assert repost.reply_to == f"{STATUS}5233300000000001" and original.reply_to is None
    assert original.author == "湘潭宽带维权群" and original.published_at == "11月19日 20:15"
    assert NormalisePipeline().process_item(original).engagement == {
        "reposts": 86, "replies": 41, "likes": 203}
    assert "//@湘潭宽带维权群:报修没人管" in repost.content
    assert "湘潭岳塘区" not in repost.content  # the original's text is not the repost's


def test_a_window_full_at_the_minimum_is_read_to_max_pages_and_named():
    s = spider(min_window="12h")
    window = DAY.halves()[1]
    first = parse(s, "w12-24_p1.html", window)  # 3 pages listed, but 12h cannot be split
    [next_page] = [o for o in first if isinstance(o, scrapy.Request)]
    assert next_page.meta["tousu_full"] is True
    response = saved_response("weibo_search", "w12-24_p2.html", next_page.url, **next_page.meta)
    assert len([o for o in s.parse_results(response) if isinstance(o, RawPost)]) == 3
    assert response.meta["tousu_capped"] == (
        "时间窗 2026-11-20 12:00–2026-11-21 00:00 已是最小窗口（min_window=12h）仍然满页，"
        "已到 max_pages=2，之后仍有新帖未采集")


def test_a_full_window_the_site_cuts_before_max_pages_names_the_sites_cap():
    s = spider(min_window="6h", max_pages=50)
    response = saved_response("weibo_search", "w12-18_p2.html", BASE,
                              tousu_window=DAY.halves()[1].halves()[0], tousu_page=2,
                              tousu_query="湖南移动", tousu_full=True)
    list(s.parse_results(response))
    assert response.meta["tousu_capped"] == (
        "时间窗 2026-11-20 12:00–2026-11-20 18:00 已是最小窗口（min_window=6h）仍然满页，"
        "已到微博搜索显示的页数上限，之后仍有新帖未采集")


def test_a_window_that_fits_is_never_named_capped():
    s = spider()
    response = saved_response("weibo_search", "w12-18_p2.html", BASE, tousu_window=DAY,
                              tousu_page=2, tousu_query="湖南移动", tousu_full=False)
    assert len(list(s.parse_results(response))) == 1 and "tousu_capped" not in response.meta


def test_the_no_result_notice_is_an_empty_window_not_an_error():
    s = spider()
    assert parse(s, "no_result.html") == [] and not s.crawler.stats.get_value("tousu/errors")


def test_a_page_without_cards_or_notice_is_an_error():
    s = spider()
    response = saved_response("tieba", "search_p1.html", BASE, tousu_window=DAY, tousu_page=1,
                              tousu_query="湖南移动")
    assert list(s.parse_results(response)) == []
    assert "no result cards" in s.crawler.stats.get_value("tousu/last_error")
