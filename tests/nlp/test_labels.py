import pytest

from nlp.labels import add_label, iter_labels
from nlp.training import LABEL_WEIGHT, gather
from core.db import StateDB


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
