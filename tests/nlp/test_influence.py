"""Influence: grows with engagement and the source's weight, stays in [0, 1], ignores bad counts."""

from __future__ import annotations

from nlp.influence import influence


def test_influence_grows_with_engagement_and_source_weight():
    low = influence({"views": 10})
    high = influence({"views": 50000, "replies": 300, "reposts": 800})
    assert 0 <= low < high <= 1
    assert influence({"views": 1000}, 2.0) > influence({"views": 1000}, 1.0)
    assert influence({"views": "oops"}) == 0
