"""What a backend indexes for a post: its time (China time when naive), its text, its tokens."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.post import CST
from indexer.documents import attach_tokens, index_text, index_tokens, iso_cst, parse_ts, post_ts
from tests.indexer.test_base import make

TS = int(datetime(2026, 11, 20, 10, 0, tzinfo=CST).timestamp())  # 2026-11-20T10:00:00+08:00


def test_times_are_read_in_china_time_when_naive():
    assert parse_ts("2026-11-20T10:00:00+08:00") == parse_ts("2026-11-20T10:00:00") == TS
    assert parse_ts("2026-11-20T02:00:00+00:00") == TS
    assert parse_ts("下周") is None and parse_ts(None) is None
    assert iso_cst(TS) == "2026-11-20T10:00:00+08:00"


def test_a_post_is_filed_under_published_else_crawled():
    post = make(1, "宽带断网", published="2026-11-20T10:00:00+08:00")
    assert post_ts(post) == TS
    post.published_at, post.crawled_at = "不详", "2026-11-21T10:00:00+08:00"
    assert post_ts(post) == TS + 86400
    post.crawled_at = None
    with pytest.raises(ValueError, match="neither published_at nor crawled_at"):
        post_ts(post)


def test_tokens_attached_elsewhere_are_used_else_computed():
    post = make(2, "家里宽带又断网了", title="宽带故障")
    assert index_text(post) == "宽带故障\n家里宽带又断网了"
    words, _ = index_tokens(post)
    assert "宽带" in words
    assert index_tokens(attach_tokens(post, ["甲"], ["乙"])) == (["甲"], ["乙"])
