"""Guide and typical-case records: JSON columns decoded, the official version named first, status
labels as the reply scripts say them."""

from __future__ import annotations

import json

from knowledge.models import Guide, GuideVersion, KnowledgeError, TypicalVersion

REVIEW = {"status": "draft", "author": "cs01", "created_at": "2026-12-01T10:00:00+08:00",
          "submitted_at": None, "approver": None, "approved_at": None, "retired_at": None,
          "review_note": ""}


def _guide_row(version: int, title: str, status: str = "draft") -> dict:
    return {**REVIEW, "status": status, "guide_id": 1, "version": version, "title": title,
            "categories": json.dumps(["宽带/家宽"], ensure_ascii=False), "topic": "",
            "symptoms": "每天掉线", "steps": json.dumps(["查光功率", "换尾纤"], ensure_ascii=False),
            "checks": "[]", "handover": "装维中心"}


def test_rows_decode_their_lists():
    v = GuideVersion.from_row(_guide_row(1, "宽带掉线"))
    assert v.categories == ["宽带/家宽"] and v.steps == ["查光功率", "换尾纤"] and v.checks == []
    t = TypicalVersion.from_row({**REVIEW, "typical_id": 3, "version": 1, "title": "t",
                                 "categories": '["其他"]', "problem": "p", "reply": "", "fix": "",
                                 "outcome": "", "lesson": ""})
    assert t.categories == ["其他"] and t.typical_id == 3


def test_the_official_version_names_the_guide_until_a_draft_is_approved():
    official = GuideVersion.from_row(_guide_row(1, "宽带掉线", status="approved"))
    draft = GuideVersion.from_row(_guide_row(2, "宽带频繁掉线"))
    guide = Guide(1, "ZY-BB-01", "cs01", "t", official=official, latest=draft, history=[draft, official])
    assert guide.title == "宽带掉线"
    assert Guide(1, "ZY-BB-01", "cs01", "t", official=None, latest=draft).title == "宽带频繁掉线"
    d = guide.to_dict()
    assert d["latest"]["status_label"] != d["official"]["status_label"]
    assert [v["version"] for v in d["history"]] == [2, 1]


def test_errors_are_value_errors():
    assert issubclass(KnowledgeError, ValueError)
