import pytest

from core.db import StateDB
from core.post import Post
from nlp.labels import (CONFIRMED, CORRECTED, add_label, apply_labels, held_grade, human_graded, iter_labels,
                        keep_human_grades, newest_labels)
from nlp.training import LABEL_WEIGHT, gather


@pytest.fixture
def state(tmp_path):
    return StateDB(tmp_path / "state.db")


def test_newest_label_of_a_post_wins(state):
    add_label(state, "p1", "移动乱扣费", severity=2, user="a")
    add_label(state, "p1", "移动乱扣费", severity=3, categories=["资费计费/乱扣费"], user="b")
    add_label(state, "p2", "这个移动硬盘不错", relevant=False)
    rows = list(iter_labels(state))
    assert [(r["post_id"], r["severity"], r["user"]) for r in rows] == [("p1", 3, "b"), ("p2", None, None)]
    assert rows[0]["categories"] == ["资费计费/乱扣费"] and rows[1]["relevant"] is False


@pytest.mark.parametrize("kwargs", [{"severity": 7}, {"text": "  "}])
def test_bad_labels_are_refused(state, kwargs):
    with pytest.raises(ValueError):
        add_label(state, "p", **{"text": "移动", **kwargs})


def test_training_includes_console_labels(state, small_data):
    add_label(state, "p1", "移动的信号差得要命，我要去工信部投诉", severity=4, city="长沙")
    train, _ = gather([small_data], state, corpus=False)
    mine = [r for r in train if r.get("source") == "labels"]
    assert len(mine) == LABEL_WEIGHT
    assert mine[0]["relevant"] is True and mine[0]["negative"] is True


def _graded(n, severity=3):
    return Post(source="forum", url=f"http://bbs.test/{n}", content="移动乱扣费，我要投诉",
                severity=severity, relevant=True, categories=["资费计费/乱扣费"], city="长沙",
                reasons=["投诉词「投诉」"])


def test_newest_labels_of_some_posts(state):
    add_label(state, "p1", "移动", severity=2)
    add_label(state, "p1", "移动", severity=1)
    add_label(state, "p2", "移动", severity=4)
    assert {k: v["severity"] for k, v in newest_labels(state, ["p1", "p3"]).items()} == {"p1": 1}
    assert newest_labels(state, []) == {}


def test_a_label_is_the_grade_of_record_of_a_freshly_analysed_post(state):
    corrected, confirmed, partial, unlabelled = (_graded(n) for n in range(4))
    add_label(state, corrected.id, corrected.text, severity=0, categories=[], city=None,
              relevant=False, user="monitor")
    add_label(state, confirmed.id, confirmed.text, severity=3, categories=["资费计费/乱扣费"],
              city="长沙", relevant=True, user="admin")
    add_label(state, partial.id, partial.text, relevant=False)  # no tier: training data only
    assert apply_labels(state, [corrected, confirmed, partial, unlabelled]) == 2
    assert (corrected.severity, corrected.relevant, corrected.categories, corrected.city) == (
        0, False, [], None)
    assert corrected.reasons == ["人工修正：0级 无关/正面（monitor）", "投诉词「投诉」"]
    assert human_graded(corrected) == CORRECTED
    assert confirmed.reasons[0] == "人工确认：3级 投诉（admin）"
    assert human_graded(confirmed) == CONFIRMED
    assert partial.severity == 3 and human_graded(partial) is None
    assert human_graded(unlabelled) is None


def test_a_held_grade_survives_a_re_grade_and_replaces_an_older_human_reason():
    post = _graded(1, severity=0)
    post.reasons = ["人工修正：0级 无关/正面（monitor）", "old model reason"]
    held = {post.id: held_grade(post)}
    assert held_grade(_graded(2)) is None
    post.severity, post.categories, post.reasons = 4, ["其他"], ["模型：曝光/升级（0.90）"]
    keep_human_grades([post], held)
    assert (post.severity, post.categories) == (0, ["资费计费/乱扣费"])
    assert post.reasons == ["人工修正：0级 无关/正面（monitor）", "模型：曝光/升级（0.90）"]
