"""微博 adapter: getIndex cards (nested card_group), long text, hot comments, timelines."""

import scrapy

from crawler.items import RawPost
from tests.crawler.replay import make_spider, saved_response

BASE = "https://m.weibo.cn"


def spider(**extra):
    return make_spider({"name": "wb", "type": "weibo", "query": "湖南移动", **extra})


def test_search_request_uses_the_real_container_path():
    [request] = spider(base_url="http://127.0.0.1:1").initial_requests()
    assert request.url == ("http://127.0.0.1:1/api/container/getIndex?containerid=100103type%3D1"
                           "%26q%3D%E6%B9%96%E5%8D%97%E7%A7%BB%E5%8A%A8&page_type=searchall&page=1")


def test_cards_nested_and_plain_become_posts_or_follow_ups():
    s = spider(max_pages=2)
    out = list(s.parse_cards(saved_response("weibo", "search_p1.json", f"{BASE}/api", tousu_page=1)))
    posts = [o for o in out if isinstance(o, RawPost)]
    requests = [o for o in out if isinstance(o, scrapy.Request)]
    # the long post waits for its full text; the two short ones are posts at once
    assert [p.url for p in posts] == [f"{BASE}/status/5231234567890456", f"{BASE}/status/5231234567890789"]
    swap = posts[0]
    assert swap.author == "星城打工人" and swap.published_at == "Thu Nov 19 10:02:11 +0800 2026"
    assert swap.engagement == {"reposts": 231, "replies": 2, "likes": 1024, "followers": 25300,
                               "verified": True}
    assert swap.location == "发布于 湖南"
    urls = [r.url for r in requests]
    assert f"{BASE}/statuses/extend?id=5231234567890123" in urls
    assert f"{BASE}/comments/hotflow?id=5231234567890123&mid=5231234567890123&max_id_type=0" in urls
    assert all(r.meta["tousu_key"].startswith(f"{BASE}/status/") for r in requests
               if r.meta.get("tousu_detail"))
    assert requests[-1].meta.get("tousu_next") and requests[-1].url.endswith("&page=2")


def test_long_text_replaces_the_cut_text():
    s = spider()
    out = list(s.parse_cards(saved_response("weibo", "search_p1.json", f"{BASE}/api", tousu_page=1)))
    extend = next(r for r in out if "statuses/extend" in r.url)
    [post] = s.parse_extend(saved_response("weibo", "extend_5231234567890123.json", extend.url,
                                           **extend.meta))
    assert "住在蒸湘区" in post.content and post.engagement["reposts"] == 13
    assert post.engagement["followers"] == 860 and post.engagement["verified"] is False


def test_hot_comments_are_posts_under_the_status():
    s = spider()
    response = saved_response("weibo", "hotflow_5231234567890123.json", f"{BASE}/comments/hotflow",
                              tousu_status=f"{BASE}/status/5231234567890123")
    posts = list(s.parse_comments(response))
    assert [p.author for p in posts] == ["蒸湘区居民", "湖南移动客服"]
    assert posts[0].url == f"{BASE}/status/5231234567890123?cid=5231234599990001"
    assert posts[0].location == "来自湖南" and posts[1].engagement["verified"] is True


def test_no_more_results_ends_paging_quietly():
    s = spider()
    out = list(s.parse_cards(saved_response("weibo", "search_p2.json", f"{BASE}/api", tousu_page=2)))
    assert out == [] and not s.crawler.stats.get_value("tousu/errors")


def test_user_timeline_pages_by_since_id():
    s = make_spider({"name": "wb", "type": "weibo", "uid": "5098765432", "comments": False})
    [first] = s.initial_requests()
    assert first.url.endswith("/api/container/getIndex?type=uid&value=5098765432"
                              "&containerid=1076035098765432")
    out = list(s.parse_cards(saved_response("weibo", "user_p1.json", first.url, tousu_page=1)))
    assert isinstance(out[0], RawPost)
    assert out[-1].url.endswith("&since_id=5231234567000001")


def test_login_page_instead_of_json_is_an_error():
    s = spider()
    response = saved_response("tieba", "search_p1.html", f"{BASE}/api", tousu_page=1)
    assert list(s.parse_cards(response)) == []
    assert "not JSON" in s.crawler.stats.get_value("tousu/last_error")


def test_cookie_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEIBO_COOKIE", "SUB=abc; SUBP=def")
    [request] = spider().initial_requests()
    assert request.headers.get("Cookie") == b"SUB=abc; SUBP=def"
    monkeypatch.delenv("WEIBO_COOKIE")
    [request] = spider().initial_requests()
    assert request.headers.get("Cookie") is None


def test_a_repost_points_at_its_original_which_is_a_post_too():
    s = spider(comments=False)
    out = list(s.parse_cards(saved_response("weibo", "search_reposts.json", f"{BASE}/api",
                                            tousu_page=1)))
    posts = {p.url.rsplit("/", 1)[1]: p for p in out if isinstance(p, RawPost)}
    root = f"{BASE}/status/5232000000000001"
    # each repost carries the original, yielded before the repost (once per repost: the
    # pipeline's dedup keeps one)
    assert [p.url for p in out if isinstance(p, RawPost)][:2] == [root, f"{BASE}/status/5232000000000004"]
    assert posts["5232000000000001"].author == "耒阳阿强" and posts["5232000000000001"].reply_to is None
    assert {k: p.reply_to for k, p in posts.items() if k != "5232000000000001"} == {
        "5232000000000002": root, "5232000000000003": root, "5232000000000004": root,
        "5232000000000005": root, "5232000000000006": f"{BASE}/status/5231999999999999"}
    # a deleted original has no author: it is not a post, the repost still points at it
    assert "5231999999999999" not in posts
    assert "//<a href='/n/耒阳小吃货'>@耒阳小吃货</a> :" in posts["5232000000000004"].content


def test_a_comment_replies_to_its_status():
    s = spider()
    status = f"{BASE}/status/5231234567890123"
    response = saved_response("weibo", "hotflow_5231234567890123.json", f"{BASE}/comments/hotflow",
                              tousu_status=status)
    assert {p.reply_to for p in s.parse_comments(response)} == {status}
