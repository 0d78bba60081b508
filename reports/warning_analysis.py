"""预警分析 as a report section: the period's warnings by 审核结果, 发布方式, 级别, 地市 and 工单类型,
with how many recovered and their mean time to 恢复 (alerts.analysis; case types from cases/)."""

from __future__ import annotations

from typing import Iterable

from alerts.analysis import analyse, warning_rows
from cases.reporting import categories_by_alert
from core.db import StateDB
from reports.period import Period
from reports.model import Section

COLUMNS = ["维度", "分项", "预警数", "已恢复", "平均恢复用时（小时）"]


def warning_section(db: StateDB, period: Period, exclude_rules: Iterable[str] = ()) -> Section:
    """The 预警分析 table of the period's warnings (not the notices of `exclude_rules`)."""
    rows = warning_rows(db, *period.iso_range(), exclude_rules=exclude_rules)
    tallies = analyse(rows, categories_by_alert(db))
    levels = [t for t in tallies if t.dimension == "级别"]
    return Section(
        "warnings", "预警分析（审核、发布方式与恢复）", COLUMNS,
        [list(t.as_row().values()) for t in tallies],
        chart={"type": "bar", "labels": [t.value for t in levels],
               "series": {"预警数": [t.count for t in levels], "已恢复": [t.recovered for t in levels]}},
        note="审核结果：通过/未通过/待审为需审核级别的预警，免审为直接发布；发布方式：自动监控为规则触发，"
             "人工发布为监控员从帖子发布；工单类型为由预警生成的工单的投诉分类（未建单：没有工单）；"
             "恢复用时从发布（审核通过）到预警解除。一条预警涉及多个地市或分类时各计一次。")
