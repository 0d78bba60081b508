"""What rules share: slice keys and labels, narrowed filters, and a slice's worst posts first."""

from __future__ import annotations

from alerts.model import post_summary, seconds, slice_filters, slice_key, slice_label, top_posts
from indexer.base import Filters
from tests.alerts.conftest import make_post


def test_slice_key_label_and_filters():
    values = {"city": "衡阳", "category": "宽带/家宽"}
    assert slice_key(values) == "city=衡阳,category=宽带/家宽" and slice_key({}) == "all"
    assert slice_label(values) == "衡阳 宽带/家宽" and slice_label({}) == "全省"
    base = Filters(sources=["forum"])
    narrowed = slice_filters(base, {**values, "source": "tieba"})
    assert (narrowed.cities, narrowed.categories, narrowed.sources) == (["衡阳"], ["宽带/家宽"], ["tieba"])
    assert base.sources == ["forum"] and base.cities is None  # the base is left as it was
    assert seconds("10m") == 600.0


def test_top_posts_worst_first_within_the_category(store):
    mild = make_post(5, severity=2, influence=0.9, categories=("宽带/家宽",), title="宽带慢")
    worst = make_post(6, severity=4, influence=0.1, categories=("宽带/家宽",), title="宽带断网曝光")
    loud = make_post(7, severity=2, influence=0.95, categories=("宽带/家宽",), title="宽带又慢")
    other = make_post(8, severity=4, categories=("10086热线",), title="热线打不通")
    store.upsert_many([mild, worst, loud, other])
    best = top_posts(store, Filters(categories=["宽带/家宽"]), size=2)
    assert [p["title"] for p in best] == ["宽带断网曝光", "宽带又慢"]
    assert best[0] == post_summary(worst) and best[0]["excerpt"] == worst.content[:120]
