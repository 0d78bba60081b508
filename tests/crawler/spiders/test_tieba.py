"""贴吧 adapter: forum list inside the <code> comment, thread floors, 楼中楼, search."""

import scrapy

from crawler.items import RawPost
from tests.crawler.replay import make_spider, saved_response

BASE = "https://tieba.baidu.com"


def forum_spider(**extra):
    return make_spider({"name": "tb", "type": "tieba", "forum": "湖南移动", **extra})


def test_first_request_is_the_forum_list_under_base_url():
    spider = make_spider({"name": "tb", "type": "tieba", "forum": "湖南移动",
                          "base_url": "http://127.0.0.1:9999/"})
    [request] = list(spider.initial_requests())
    assert request.url == ("http://127.0.0.1:9999/f?kw=%E6%B9%96%E5%8D%97%E7%A7%BB%E5%8A%A8"
                           "&ie=utf-8&pn=0")


def test_forum_list_is_read_from_the_html_comment():
    spider = forum_spider(max_pages=2)
    out = list(spider.parse_forum(saved_response("tieba", "forum_pn0.html", f"{BASE}/f?kw=x&pn=0",
                                                 tousu_page=1)))
    threads = [r for r in out if r.meta.get("tousu_detail")]
    assert [r.url for r in threads] == [f"{BASE}/p/9001234561", f"{BASE}/p/9001234562"]
    [next_page] = [r for r in out if r.meta.get("tousu_next")]
    assert next_page.url.endswith("&pn=50") and next_page.meta["tousu_page"] == 2


def test_a_page_without_the_thread_list_is_an_error_on_page_one():
    spider = forum_spider()
    response = saved_response("tieba", "thread_9001234562.html", f"{BASE}/f?kw=x&pn=0", tousu_page=1)
    assert list(spider.parse_forum(response)) == []
    assert spider.crawler.stats.get_value("tousu/errors") == 1
    assert "no thread list" in spider.crawler.stats.get_value("tousu/last_error")


def test_thread_floors_with_author_time_ip_and_comment_request():
    spider = forum_spider()
    url = f"{BASE}/p/9001234561"
    out = list(spider.parse_thread(saved_response("tieba", "thread_9001234561.html", url)))
    posts = [p for p in out if isinstance(p, RawPost)]
    assert len(posts) == 3
    first = posts[0]
    assert first.url == url and first.title == "长沙移动宽带天天晚上断网，报修三次没人来"
    assert first.author == "潇湘夜雨" and first.published_at == "2026-11-20 14:32"
    assert first.location == "IP属地:湖南"
    assert first.content.startswith("家住长沙岳麓区") and "\n打10086报修" in first.content
    assert posts[1].url == f"{url}?pid=148512349902" and posts[1].title.startswith("回复：")
    assert posts[2].author == "湖南移动客服"
    assert [p.reply_to for p in posts] == [None, url, url]  # each floor answers the thread
    [comments] = [r for r in out if isinstance(r, scrapy.Request)]
    assert comments.url == f"{BASE}/p/totalComment?tid=9001234561&fid=2863451&pn=1&see_lz=0"
    assert comments.meta["tousu_first_pid"] == 148512345601


def test_replies_to_replies():
    spider = forum_spider()
    response = saved_response("tieba", "totalComment_9001234561.json", f"{BASE}/p/totalComment",
                              tousu_thread=f"{BASE}/p/9001234561", tousu_title="标题",
                              tousu_first_pid=148512345601)
    posts = list(spider.parse_comments(response))
    assert [p.author for p in posts] == ["米粉要加码", "潇湘夜雨", "不想起床"]
    assert posts[0].url == f"{BASE}/p/9001234561?pid=148512345601&cid=148512351101"
    assert posts[0].published_at == 1763623980 and posts[1].content_is_html
    # a 楼中楼 answers its floor; the first floor's URL is the thread's
    assert [p.reply_to for p in posts] == [f"{BASE}/p/9001234561"] * 2 + [
        f"{BASE}/p/9001234561?pid=148512349902"]


def test_keyword_search_leads_to_threads_once():
    spider = make_spider({"name": "tb", "type": "tieba", "keyword": "湖南移动 扣费", "max_pages": 1})
    [first] = spider.initial_requests()
    assert "/f/search/res?ie=utf-8&qw=%E6%B9%96%E5%8D%97%E7%A7%BB%E5%8A%A8%20%E6%89%A3%E8%B4%B9" in first.url
    out = list(spider.parse_search(saved_response("tieba", "search_p1.html", first.url, tousu_page=1)))
    assert [r.url for r in out] == [f"{BASE}/p/9001234562"]


def thread_page(spider, name, url, page):
    return list(spider.parse_thread(saved_response("tieba", name, url, tousu_thread_page=page)))


def test_later_thread_pages_are_followed_for_their_floors_and_replies():
    spider = forum_spider(max_pages=3)
    url = f"{BASE}/p/9001234562"
    [to_page2] = [r for r in thread_page(spider, "thread_9001234562.html", url, 1)
                  if isinstance(r, scrapy.Request)]
    assert to_page2.url == f"{url}?pn=2" and to_page2.meta["tousu_thread_page"] == 2
    assert not to_page2.meta.get("tousu_next")  # a revisit must reach the last page
    out = thread_page(spider, "thread_9001234562_pn2.html", to_page2.url, 2)
    posts = [p for p in out if isinstance(p, RawPost)]
    assert [p.url for p in posts] == [f"{url}?pid=148512412303", f"{url}?pid=148512420904"]
    assert {p.reply_to for p in posts} == {url}
    assert all(p.title == "回复：被莫名其妙开通了视频会员，每月扣15块" for p in posts)
    assert posts[1].published_at == "2026-11-21 10:30" and posts[1].location == "IP属地:湖南"
    comments, to_page3 = [r for r in out if isinstance(r, scrapy.Request)]
    assert comments.url == f"{BASE}/p/totalComment?tid=9001234562&fid=2863451&pn=2&see_lz=0"
    assert to_page3.url == f"{url}?pn=3"
    last = thread_page(spider, "thread_9001234562_pn3.html", to_page3.url, 3)
    assert [type(r) for r in last] == [RawPost]


def test_thread_pages_stop_at_the_page_cap():
    spider = forum_spider(max_pages=2)
    out = thread_page(spider, "thread_9001234562_pn2.html", f"{BASE}/p/9001234562?pn=2", 2)
    assert not [r for r in out if isinstance(r, scrapy.Request) and "totalComment" not in r.url]
