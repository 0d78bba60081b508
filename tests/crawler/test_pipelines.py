"""Analysis in batches: posts wait for a batch (or a short timer), a bad post costs only itself;
the store writes a part batch after a short wait too."""

import asyncio

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from core.post import Post
from crawler.pipelines import AnalysePipeline, StorePipeline
from nlp.analyzer import Analyzer
from tests.conftest import ROOT
from tousu.config import parse

TEXT = "衡阳移动宽带又断网了，打10086也没人管，我要投诉，要求赔偿"
GUARD = 30  # seconds before a hung test fails instead of waiting forever


class CountingAnalyzer(Analyzer):
    """The real analyser, remembering the size of each batch it was given."""

    def __init__(self) -> None:
        super().__init__(ROOT / "keywords")
        self.batches: list[int] = []

    def analyse_many(self, posts, *args, **kwargs):
        posts = list(posts)
        self.batches.append(len(posts))
        return super().analyse_many(posts, *args, **kwargs)


@pytest.fixture
def crawler(tmp_path):
    config = parse({"data_dir": str(tmp_path), "store": {"path": str(tmp_path / "tousu.db")},
                    "nlp": {"keywords_dir": str(ROOT / "keywords"),
                            "model_dir": str(tmp_path / "models")}}, tmp_path / "config.yaml")
    return get_crawler(settings_dict={"TOUSU_CONFIG": config})


def post(n: int, content: str | None = TEXT) -> Post:
    return Post(source="forum", url=f"http://bbs.example.com/thread-{n}.html", title=f"帖子{n}",
                content=content)


def analyse_all(pipeline: AnalysePipeline, posts: list[Post]) -> list:
    async def run():
        return await asyncio.wait_for(asyncio.gather(
            *(pipeline.process_item(p) for p in posts), return_exceptions=True), GUARD)
    return asyncio.run(run())


def test_posts_are_analysed_in_batches():
    analyzer = CountingAnalyzer()
    pipeline = AnalysePipeline(analyzer, {})
    pipeline.batch_size = 4
    posts = [post(n) for n in range(10)]
    out = analyse_all(pipeline, posts)
    assert analyzer.batches == [4, 4, 2]  # the last two released by the timer
    assert out == posts
    assert all(p.severity is not None and p.severity >= 3 for p in out)


def test_a_bad_post_is_dropped_and_reported_the_others_go_on(crawler):
    analyzer = CountingAnalyzer()
    pipeline = AnalysePipeline(analyzer, {}, crawler)
    posts = [post(1), post(2, content=None), post(3)]  # no content: its text cannot be built
    out = analyse_all(pipeline, posts)
    assert out[0] is posts[0] and out[2] is posts[2]
    assert posts[0].severity is not None and posts[2].severity is not None
    assert isinstance(out[1], DropItem)
    assert "forum: http://bbs.example.com/thread-2.html" in str(out[1])
    assert crawler.stats.get_value("tousu/errors") == 1
    assert "thread-2.html" in crawler.stats.get_value("tousu/last_error")


def test_a_post_a_monitor_graded_keeps_that_grade_when_crawled_again(tmp_path):
    from core.db import StateDB
    from nlp.labels import add_label

    state = StateDB(tmp_path / "state.db")
    corrected, other = post(1), post(2)
    add_label(state, corrected.id, corrected.text, severity=0, categories=[], city="衡阳",
              relevant=False, user="monitor")
    pipeline = AnalysePipeline(CountingAnalyzer(), {}, state=state)
    out = analyse_all(pipeline, [corrected, other])
    assert (out[0].severity, out[0].relevant, out[0].categories) == (0, False, [])
    assert out[0].reasons[0] == "人工修正：0级 无关/正面（monitor）"
    assert out[1].severity >= 3 and not out[1].reasons[0].startswith("人工")
    pipeline.close_spider()


def test_close_releases_the_waiting_posts():
    pipeline = AnalysePipeline(CountingAnalyzer(), {})
    pipeline.max_wait = GUARD * 2  # only close_spider can release them

    async def run():
        waiting = [asyncio.ensure_future(pipeline.process_item(post(n))) for n in range(3)]
        await asyncio.sleep(0)
        pipeline.close_spider()
        return await asyncio.wait_for(asyncio.gather(*waiting), GUARD)
    assert [p.severity is not None for p in asyncio.run(run())] == [True] * 3


def test_store_writes_a_part_batch_without_waiting_for_more(crawler):
    pipeline = StorePipeline(crawler.settings["TOUSU_CONFIG"], crawler)
    pipeline.max_wait = 0.05

    async def run():
        pipeline.process_item(post(1))
        while pipeline.store.get(post(1).id) is None:
            await asyncio.sleep(0.05)
    try:
        asyncio.run(asyncio.wait_for(run(), GUARD))
        assert crawler.stats.get_value("tousu/items") == 1
    finally:
        pipeline.close_spider()


def test_a_failed_timed_write_is_reported_in_the_source_health(crawler):
    pipeline = StorePipeline(crawler.settings["TOUSU_CONFIG"], crawler)
    pipeline.max_wait = 0.05
    pipeline.state.conn.execute("DROP TABLE crawl_seen")  # marking posts fetched now fails

    async def run():
        pipeline.process_item(post(1))
        while not crawler.stats.get_value("tousu/errors"):
            await asyncio.sleep(0.05)
    asyncio.run(asyncio.wait_for(run(), GUARD))
    assert "no such table: crawl_seen" in crawler.stats.get_value("tousu/last_error")
    pipeline.store.close()
    pipeline.state.close()


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "data:text/html,<b>x</b>",
                                  "file:///etc/passwd", "JaVaScRiPt:alert(1)"])
def test_a_link_that_is_not_http_is_dropped_at_crawl_time(crawler, link):
    """The post keeps its text; the link goes, and the source's health says so."""
    from crawler.items import RawPost
    from crawler.pipelines import NormalisePipeline

    pipeline = NormalisePipeline.from_crawler(crawler)
    post = pipeline.process_item(RawPost(source="feed", url=link, title="移动宽带断网", content="三天了"))
    assert post.url == "" and post.title == "移动宽带断网"
    assert crawler.stats.get_value("tousu/errors") == 1
    assert "非 http(s) 链接已丢弃" in crawler.stats.get_value("tousu/last_error")
    reply = pipeline.process_item(RawPost(source="feed", url="https://bbs.example.com/t-2.html",
                                          title="回复", content="我也是", reply_to=link))
    assert reply.reply_to is None
    kept = pipeline.process_item(RawPost(source="feed", url="https://bbs.example.com/t-1.html",
                                         title="正常帖子", content="内容",
                                         reply_to="HTTPS://BBS.example.com/t-0.html?utm_source=x"))
    assert kept.url == "https://bbs.example.com/t-1.html"
    assert kept.reply_to == "https://bbs.example.com/t-0.html"
    assert crawler.stats.get_value("tousu/errors") == 1
