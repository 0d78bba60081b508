"""Claims recomputed from their cited posts: each kind, and what makes each one fail."""

from __future__ import annotations

import pytest

from briefings.model import Claim, recompute
from tests.briefings.conftest import wave


@pytest.fixture
def posts():
    made = wave(6)
    made[5].city = "长沙"
    return {p.id: p for p in made}


def test_each_kind_is_recomputed_and_a_wrong_citation_changes_it(posts):
    ids = tuple(posts)
    count = Claim("count", 6, ids)
    base = Claim("count", 3, ids[:3])
    cases = [
        (count, ids[:5]),
        (Claim("daily_mean", 0.9, ids, params={"days": 7}), ids[:2]),
        (Claim("most", "株洲", ids, params={"field": "city"}), ids[5:]),
        (Claim("quote", "株洲移动宽带又断网了", ids[:1]), ids[1:2]),
        (Claim("first", posts[ids[0]].published_at, ids), ids[1:]),
        (Claim("last", posts[ids[-1]].published_at, ids), ids[:-1]),
        (Claim("group", 6, ids, params={"similarity": 0.4}), ids),
        (Claim("largest_group", 6, ids, params={"similarity": 0.4}), ids[:4]),
    ]
    for claim, wrong in cases:
        assert recompute(claim, posts) == claim.value, claim.kind
        if claim.kind == "group":   # a group is one only when the cited posts are similar
            continue
        tampered = Claim(claim.kind, claim.value, wrong, claim.query, claim.params)
        assert recompute(tampered, posts) != claim.value, claim.kind
    assert recompute(Claim("share", 50.0, parts=(base, count)), posts) == 50.0
    assert recompute(Claim("change", 100.0, parts=(count, base)), posts) == 100.0
    assert recompute(Claim("change", None, parts=(count, Claim("count", 0, ()))), posts) is None


def test_unrelated_posts_are_not_one_group(posts):
    other = wave(1)[0]
    other.id, other.content = "other", "营业厅工作人员态度很差，办个销户推三阻四"
    mixed = {**posts, "other": other}
    claim = Claim("group", 7, (*posts, "other"), params={"similarity": 0.4})
    assert recompute(claim, mixed) is None


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown claim kind"):
        Claim("guess", 1)


def test_shown_is_what_the_sentence_writes():
    assert Claim("change", -26.4).shown == "26.4"     # the sentence says 下降
    assert Claim("share", 100.0).shown == "100"
    assert Claim("first", "2026-12-02T12:00:00+08:00").shown == "12-02 12:00"
