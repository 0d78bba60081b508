"""The level tag a notice carries: name and colour, one copy of each in core.vocab."""

from __future__ import annotations

import pytest

from alerts.levels import KIND_LABELS, level_tag


@pytest.mark.parametrize("level, tag", [(1, "一级预警·红色"), (2, "二级预警·橙色"), (3, "三级预警·黄色")])
def test_level_tag_names_level_and_colour(level, tag):
    assert level_tag(level) == tag


def test_a_new_alert_has_no_kind_label_and_the_others_do():
    assert KIND_LABELS["new"] == "" and all(KIND_LABELS[k] for k in ("update", "escalated", "reminder", "resolved"))
