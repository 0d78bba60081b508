"""The Elasticsearch documents and query DSL, built without a node: a post round-trips through its
document, query groups score while filters and exclusions do not."""

from __future__ import annotations

from datetime import datetime

from core.post import CST
from indexer.base import Filters
from indexer.documents import parse_ts, post_ts
from indexer.es_dsl import MAPPING_VERSION, build_query, contains_query, template_body, to_document, to_post
from indexer.query import parse_query
from tests.indexer.test_base import make

TS = int(datetime(2026, 11, 20, 10, 0, tzinfo=CST).timestamp())  # 2026-11-20T10:00:00+08:00


def test_a_post_round_trips_through_its_document():
    post = make(1, "家里宽带 又断网", title="宽带")
    doc = to_document(post, post_ts(post), "dup1", "处理中")
    assert doc["time"] == "2026-11-20T10:00:00+08:00" and doc["dup_of"] == "dup1"
    assert "宽" in doc["chars"].split() and "宽带" in doc["pairs"].split() and "带▁" in doc["pairs"].split()
    back = to_post(doc)
    assert (back.id, back.content, back.city, back.case_status) == (post.id, post.content, "长沙", "处理中")


def test_contains_uses_chars_pairs_or_a_phrase_of_pairs():
    [[one]], [[two]], [[three]] = (parse_query(q).groups for q in ("宽", "宽带", "宽带断"))
    assert contains_query(one) == {"term": {"chars": "宽"}}
    assert contains_query(two) == {"term": {"pairs": "宽带"}}
    assert contains_query(three) == {"match_phrase": {"pairs": "宽带 带断"}}


def test_groups_score_filters_and_exclusions_do_not():
    assert build_query(Filters(), None, parse_ts) == {"match_all": {}}
    body = build_query(Filters(cities=["衡阳"], severity_min=3, relevant=True, include_duplicates=False,
                               since="2026-11-20T00:00:00+08:00"), parse_query("宽带 OR 信号 -扣费"),
                       parse_ts)["bool"]
    assert len(body["must"]) == 1 and len(body["must"][0]["bool"]["should"]) == 2
    assert {"terms": {"city": ["衡阳"]}} in body["filter"]
    assert {"range": {"severity": {"gte": 3}}} in body["filter"]
    assert {"range": {"time": {"gte": TS - 10 * 3600, "format": "epoch_second"}}} in body["filter"]
    assert {"exists": {"field": "dup_of"}} in body["must_not"]
    assert {"term": {"pairs": "扣费"}} in body["must_not"]


def test_the_template_carries_the_mapping_version():
    body = template_body("tousu-posts-v*", 2, 1)
    assert body["index_patterns"] == ["tousu-posts-v*"] and body["_meta"]["mapping_version"] == MAPPING_VERSION
    assert body["template"]["settings"]["number_of_shards"] == 2
