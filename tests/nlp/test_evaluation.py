"""Scoring an analyzer against labeled rows: each block only when its labels are there, and the
terminal report."""

from __future__ import annotations

from nlp.analyzer import Analyzer
from nlp.evaluation import evaluate, format_report, target
from tests.conftest import ROOT

ROWS = [
    {"text": "移动乱扣费，我要去工信部投诉", "severity": 4, "intent": 4, "operators": ["中国移动"],
     "relevant": True, "categories": ["资费计费/乱扣费"], "city": None},
    {"text": "请问移动怎么查话费", "severity": 1, "intent": 1, "operators": ["中国移动"],
     "relevant": True, "categories": ["资费计费/乱扣费"], "city": None},
    {"text": "这个移动硬盘很好用", "severity": 0, "intent": 0, "operators": [], "relevant": False},
]


def test_target_of_operators():
    assert target([]) == "other" and target(["中国移动"]) == "cmcc"
    assert target(["中国移动", "中国联通"]) == "multi" and target(["某某电信"]) == "other"


def test_every_labeled_block_is_scored_and_reported():
    report = evaluate(Analyzer(ROOT / "keywords"), ROWS)
    assert report["n"] == 3 and report["mode"] == "lexicon"
    assert report["severity"]["n"] == 3 and len(report["severity"]["confusion"]) == 5
    assert report["intent"]["n"] == 2                       # only posts about an operator
    assert report["relevance"]["n"] == 3 and report["operators"]["n"] == 3
    assert report["categories"]["n"] == 2 and report["city"]["n"] == 2
    text = format_report(report, lexicon=report)
    assert text.startswith("3 posts, graded by lexicon") and "lexicon only" in text
    assert "分类 categories" in text and "地市 city: accuracy" in text


def test_blocks_without_labels_are_left_out():
    report = evaluate(Analyzer(ROOT / "keywords"), [{"text": "移动信号差"}])
    assert set(report) == {"n", "mode"}
    assert format_report(report) == "1 posts, graded by lexicon"
