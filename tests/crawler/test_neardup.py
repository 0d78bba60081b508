"""Near-duplicates: a light repost is linked to the first post with dup_of."""

import hashlib
import itertools
import json

import pytest

from core.db import StateDB
from core.post import Post
from core.textsim import band_keys, similarity
from crawler.neardup import ROWS, NearDupIndex, NearDupPipeline, signature
from tests.conftest import ROOT

ORIGINAL = "湖南移动宽带晚上经常断网，打了10086好几次都没人上门处理，太坑了！这个月还多扣了我二十块钱，要求退费。"
REPOST = "转发：湖南移动宽带晚上经常断网，打了10086好几次都没人上门处理，太坑了！这个月还多扣了我20块钱，要求退费"
EDITED = "湖南移动宽带晚上经常断网，打了10086好几次都没有人上门处理，太坑了！这个月还多扣了我二十块钱，要求退费。大家评评理"
OTHER = "长沙天心区营业厅的服务态度非常差，办理携号转网被拒绝了三次，每次都说系统问题让我改天再来。"


@pytest.fixture
def pipeline(tmp_path):
    p = NearDupPipeline(NearDupIndex(StateDB(tmp_path / "state.db")))
    yield p
    p.close_spider()


@pytest.mark.parametrize("text", [REPOST, EDITED])
def test_reposts_are_similar(text):
    assert similarity(signature(ORIGINAL), signature(text)) >= 0.7


def test_distinct_demo_posts_are_not():
    posts = [json.loads(line) for line in (ROOT / "demo" / "posts.jsonl").open(encoding="utf-8")]
    sigs = [s for s in (signature(p["content"]) for p in posts) if s is not None]
    assert max(similarity(a, b) for a, b in itertools.combinations(sigs, 2)) < 0.45


def test_short_texts_are_not_compared():
    assert signature("信号太差了") is None


def test_pipeline_links_repost_to_first_post(pipeline):
    first = pipeline.process_item(Post(source="a", url="http://a/1", content=ORIGINAL))
    other = pipeline.process_item(Post(source="a", url="http://a/2", content=OTHER))
    repost = pipeline.process_item(Post(source="b", url="http://b/9", content=REPOST))
    assert first.dup_of is None and other.dup_of is None
    assert repost.dup_of == first.id


def test_match_across_batches_and_runs(tmp_path):
    index = NearDupIndex(StateDB(tmp_path / "state.db"))
    NearDupPipeline(index).process_item(Post(source="a", url="http://a/1", content=ORIGINAL))
    index.flush()
    later = NearDupPipeline(NearDupIndex(StateDB(tmp_path / "state.db")))
    assert later.process_item(Post(source="b", url="http://b/2", content=EDITED)).dup_of


def test_same_post_crawled_again_is_not_its_own_duplicate(pipeline):
    assert pipeline.process_item(Post(source="a", url="http://a/1", content=ORIGINAL)).dup_of is None
    pipeline.index.flush()
    assert pipeline.process_item(Post(source="a", url="http://a/1", content=ORIGINAL)).dup_of is None


def test_signatures_stored_by_earlier_runs_stay_valid():
    # the state DB keeps signatures and band keys of the last WINDOW_DAYS: they may not change
    sig = signature(REPOST)
    assert hashlib.sha1(sig.tobytes()).hexdigest()[:16] == "15c55245034bc7f8"
    assert band_keys(sig, ROWS)[:2] == [-3202525876198768375, -412741099094176755]
