"""Re-analysis and retention over both backends, and their commands."""


from core.post import iso, now_cst
from indexer.base import Filters
from indexer.reanalyse import reanalyse, retention_cutoff
from tests.indexer.test_base import seed


class EscalateEverything:
    """A stand-in for a new model: every post about 宽带 becomes tier 4."""

    def analyse_many(self, posts, source_weight=1.0, default_city=None, about_operator=False):
        for post in posts:
            if "宽带" in post.content:
                post.severity = 4
        return posts


def test_reanalyse_regrades_and_keeps_case_fields(store):
    posts, _ = seed(store)
    store.set_case_status(posts[0].id, "已派单")
    result = reanalyse(store, EscalateEverything(), batch=2)
    assert (result.seen, result.changed, result.failed) == (5, 2, {})
    assert store.count(Filters(severity_min=4)) == 3
    assert store.get(posts[0].id).case_status == "已派单"
    assert store.count() == 5


def test_reanalyse_keeps_a_grade_a_person_set(store):
    """A monitor corrected post 1 (宽带) to 0: the new model's 4 does not overwrite it, while the
    post's other fields are re-graded; the other 宽带 post is re-graded as before."""
    posts, _ = seed(store)
    reason = "人工修正：0级 无关/正面（monitor）"
    store.set_grade(posts[0].id, severity=0, relevant=False, categories=[], city="长沙",
                    reasons=[reason, "抱怨吐槽词「断网」"])
    result = reanalyse(store, EscalateEverything())
    assert result.failed == {}
    kept = store.get(posts[0].id)
    assert (kept.severity, kept.relevant, kept.categories, kept.reasons[0]) == (0, False, [], reason)
    assert store.get(posts[3].id).severity == 4
    assert store.count(Filters(severity_min=4)) == 2


def test_reanalyse_only_the_filtered_slice(store):
    seed(store)
    result = reanalyse(store, EscalateEverything(), Filters(cities=["株洲"]))
    assert (result.seen, result.changed) == (1, 1)
    assert store.search("宽带", Filters(severity_min=4)).hits[0].post.city == "株洲"


def test_retention_cutoff_is_days_before_now_in_china_time():
    cutoff = retention_cutoff(30)
    assert cutoff.endswith("+08:00") and cutoff < iso(now_cst())
