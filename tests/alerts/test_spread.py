"""An event's spread: reconstructed from recorded Weibo and Tieba pages run through the spiders,
the pipeline and a real SQLite store; the first-post and growth rules on constructed events with
a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from alerts.spread import build, event_spread
from core.post import CST, Post, iso
from crawler.items import RawPost
from crawler.pipelines import NormalisePipeline
from indexer.sqlite_store import SqliteStore
from tests.crawler.replay import make_spider, saved_response

WEIBO = "https://m.weibo.cn"
TIEBA = "https://tieba.baidu.com"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=CST)


def crawled(outputs) -> list[Post]:
    """What the pipeline makes of a spider's posts (the same post twice: once)."""
    normalise = NormalisePipeline()
    posts = {}
    for item in outputs:
        if isinstance(item, RawPost):
            post = normalise.process_item(item)
            posts.setdefault(post.id, post)
    return list(posts.values())


@pytest.fixture
def store(tmp_path):
    with SqliteStore(tmp_path / "posts.db") as s:
        yield s


def weibo_posts() -> dict[str, Post]:
    spider = make_spider({"name": "wb", "type": "weibo", "query": "耒阳 信号", "comments": False})
    posts = crawled(spider.parse_cards(saved_response("weibo", "search_reposts.json",
                                                      f"{WEIBO}/api", tousu_page=1)))
    return {p.author: p for p in posts}


def test_a_weibo_repost_chain_is_who_spread_from_whom(store):
    posts = weibo_posts()
    store.upsert_many(posts.values())
    # the event: the two reposts whose words are alike (the chain repeats the earlier words)
    event = [posts["耒阳小吃货"].id, posts["湘南观察"].id]
    spread = event_spread(store, event, T0 + timedelta(hours=2, minutes=30))
    ids = {p.id: p.author for p in spread.posts}
    # the original and its other reposts joined the event; the repost of a deleted post did not
    assert sorted(ids.values()) == ["湘南观察", "耒阳小吃货", "耒阳阿强", "蒸湘区居民", "衡阳本地通"]
    assert spread.origin.author == "耒阳阿强" and spread.members == frozenset(event)
    edges = {(ids[e.parent], ids[e.child], e.basis) for e in spread.edges}
    assert edges == {("耒阳阿强", "衡阳本地通", "site"), ("衡阳本地通", "耒阳小吃货", "chain"),
                     ("耒阳小吃货", "湘南观察", "chain"), ("耒阳阿强", "蒸湘区居民", "site")}
    assert spread.depth(posts["湘南观察"].id) == 3
    # the verified account with 320,000 followers amplified it most; two posts spread from it
    top = spread.amplifiers[0]
    assert (top.author, top.reach, top.followers) == ("衡阳本地通", 2, 320000)
    assert {a.author: a.reach for a in spread.amplifiers}["耒阳阿强"] == 4
    assert [r.source for r in spread.timeline] == ["wb"] and spread.timeline[0].posts == 5
    assert spread.speed == [("2026-11-22T09:00:00+08:00", 2), ("2026-11-22T10:00:00+08:00", 2),
                            ("2026-11-22T11:00:00+08:00", 1)]
    # 11:30: one post in the last hour (11:00), four in the three hours before
    assert (spread.growth.trend, spread.growth.recent, spread.growth.before) == ("steady", 1, 4)


def test_tieba_floors_and_replies_to_replies_are_a_tree_under_the_thread(store):
    spider = make_spider({"name": "tb", "type": "tieba", "forum": "湖南移动"})
    url = f"{TIEBA}/p/9001234561"
    out = list(spider.parse_thread(saved_response("tieba", "thread_9001234561.html", url)))
    [comments] = [r for r in out if not isinstance(r, RawPost)]
    out += list(spider.parse_comments(saved_response("tieba", "totalComment_9001234561.json",
                                                     comments.url, **comments.meta)))
    posts = crawled(out)
    store.upsert_many(posts)
    thread = next(p for p in posts if p.url == url)
    spread = event_spread(store, [thread.id], datetime(2026, 11, 22, 12, 0, tzinfo=CST))
    assert len(spread.posts) == 6 and spread.origin.id == thread.id
    ids = {p.id: p.author for p in spread.posts}
    edges = {(ids[e.parent], ids[e.child], e.basis) for e in spread.edges}
    assert edges == {
        ("潇湘夜雨", "吃瓜的老表", "site"), ("潇湘夜雨", "湖南移动客服", "site"),  # floors 2, 3
        ("潇湘夜雨", "米粉要加码", "site"),            # a 楼中楼 under floor 1
        ("米粉要加码", "潇湘夜雨", "chain"),            # 「回复 米粉要加码 :」 in that 楼中楼
        ("吃瓜的老表", "不想起床", "site"),             # a 楼中楼 under floor 2
    }
    assert spread.growth.trend == "quiet"


def post(n: int, minutes: float | None, *, source: str = "weibo", author: str | None = None,
         text: str = "", reply_to: str | None = None, influence: float = 0.1,
         crawled: datetime | None = None) -> Post:
    return Post(source=source, url=f"http://site.test/{n}", content=text or f"第{n}帖：信号差",
                author=author or f"网友{n}", reply_to=reply_to, influence=influence,
                published_at=None if minutes is None else iso(T0 + timedelta(minutes=minutes)),
                crawled_at=iso(crawled or T0 + timedelta(hours=5)))


def test_the_first_post_is_the_earliest_root_not_the_earliest_post():
    original = post(1, 30)
    # crawled first and dated earlier (the site's clock, or a wrong time zone), yet a repost
    skewed = post(2, 10, reply_to=original.url)
    undated = post(3, None, crawled=T0 - timedelta(hours=3))  # seen before anything: not 源头
    later_root = post(4, 45)
    spread = build([skewed, undated, later_root, original], [skewed.id], T0 + timedelta(hours=1))
    assert spread.origin is original
    assert [p.id for p in spread.posts][-1] == undated.id


def test_roots_of_the_same_minute_go_to_the_smaller_id():
    a, b = post(5, 20), post(6, 20)
    assert build([a, b], [a.id, b.id], T0).origin.id == min(a.id, b.id)
    assert build([], [], T0).origin is None


def test_a_named_parent_is_the_latest_earlier_post_of_that_account_in_the_thread():
    root = post(1, 0, author="甲")
    elsewhere = post(2, 5, author="乙", reply_to="http://other.test/9")
    in_thread = post(3, 10, author="乙", reply_to=root.url)
    after = post(4, 30, author="乙", reply_to=root.url)  # later than the repost: not its parent
    repost = post(5, 20, text="顶//@乙:信号差", reply_to=root.url)
    unknown = post(6, 25, text="//@丙:没有这个账号的帖子", reply_to=root.url)
    spread = build([root, elsewhere, in_thread, after, repost, unknown], [repost.id], T0)
    parent = {e.child: (e.parent, e.basis) for e in spread.edges}
    assert parent[repost.id] == (in_thread.id, "chain")
    assert parent[unknown.id] == (root.id, "site")  # the named account is not here: the site's word
    assert elsewhere.id not in parent


def test_a_loop_of_replies_keeps_one_edge():
    a = post(1, 0, reply_to="http://site.test/2")
    b = post(2, 5, reply_to=a.url)
    spread = build([a, b], [a.id], T0)
    assert len(spread.edges) == 1 and spread.origin is not None


@pytest.mark.parametrize("minutes,trend,recent,before", [
    ([100, 200, 230, 235], "growing", 3, 1),        # 3 in the last hour vs 1 in the 3 before
    ([30, 60, 90, 120, 200, 230], "steady", 2, 4),   # 2 is not above 1.5 × 4/3
    ([230], "steady", 1, 0),                         # one new post is not growth
    ([-30, -10], "quiet", 0, 0),                     # nothing in the last four hours
    ([100, 150, 230, 235], "growing", 2, 2),         # 2 > 1.5 × 2/3
])
def test_growth_compares_the_last_hour_with_the_three_before(minutes, trend, recent, before):
    now = T0 + timedelta(hours=4)
    posts = [post(i, m) for i, m in enumerate(minutes)]
    growth = build(posts, [posts[0].id], now).growth
    assert (growth.trend, growth.recent, growth.before) == (trend, recent, before)
    assert growth.growing == (trend == "growing")


def test_posts_after_now_are_not_counted_and_hours_without_posts_are_zero():
    posts = [post(1, 5), post(2, 130), post(3, 300)]
    spread = build(posts, [posts[0].id], T0 + timedelta(hours=3))
    assert spread.speed == [(iso(T0), 1), (iso(T0 + timedelta(hours=1)), 0),
                            (iso(T0 + timedelta(hours=2)), 1), (iso(T0 + timedelta(hours=3)), 0)]


def test_the_timeline_follows_the_event_across_sources_and_the_summary_cites_its_posts():
    root = post(1, 0, source="tieba-hn", author="楼主")
    floor = post(2, 20, source="tieba-hn", reply_to=root.url)
    weibo = post(3, 50, source="weibo-hn", author="大V", influence=0.9)
    repost = post(4, 70, source="weibo-hn", text="扩散//@大V:信号差", reply_to=weibo.url)
    news = post(5, 90, source="news")
    spread = build([news, repost, weibo, floor, root], [root.id, weibo.id, news.id],
                   T0 + timedelta(hours=2))
    assert [(r.source, r.first_id, r.posts) for r in spread.timeline] == [
        ("tieba-hn", root.id, 2), ("weibo-hn", weibo.id, 2), ("news", news.id, 1)]
    assert spread.amplifiers[0].author == "大V"
    sentences = dict(spread.sentences())
    assert sentences["源头：楼主（tieba-hn，11-22 09:00）首发。"] == (root.id,)
    path = next(t for t in sentences if t.startswith("传播路径"))
    assert path == ("传播路径：tieba-hn（11-22 09:00，2 帖）→weibo-hn（11-22 09:50，2 帖）"
                    "→news（11-22 10:30，1 帖）。")
    assert sentences[path] == (root.id, weibo.id, news.id)
    amplified = next(t for t in sentences if t.startswith("主要扩散账号"))
    assert amplified.startswith("主要扩散账号：大V（weibo-hn，带动 1 帖）") and sentences[amplified][0] == weibo.id
    growth = next(t for t in sentences if t.startswith("近 1 小时"))
    assert growth == "近 1 小时新增 2 帖，此前 3 小时 3 帖：增长中。"
    assert sentences[growth] == (repost.id, news.id)
