"""预警分析: the warnings of a period counted by 审核结果, 发布方式, 级别, 地市 and 工单类型, each
with how many have recovered (恢复) and their mean time to recovery.

Time to 恢复 runs from publication (a rule's warning: when raised; a reviewed one: when approved)
to resolution; a warning not (yet) published has none. 工单类型 are the categories of the cases
made from the warnings, which the caller reads from cases/ (this package sits below it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from alerts.levels import LEVEL_NAMES
from alerts.review import ORIGIN_LABELS, STATE_LABELS
from alerts.schema import SCHEMA
from core.db import StateDB

DIMENSIONS = ("审核结果", "发布方式", "级别", "地市", "工单类型")
NO_CASE = "未建单"
# Rows in this order; other values (地市, 工单类型) follow by count.
ORDER = {"审核结果": ["通过", "未通过", "待审", "免审"], "发布方式": list(ORIGIN_LABELS.values()),
         "级别": [f"{name}预警" for name in LEVEL_NAMES.values()]}


@dataclass
class Tally:
    """The warnings of one value of a dimension."""

    dimension: str
    value: str
    count: int = 0
    recovered: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def mean_hours(self) -> float | None:
        """Mean hours from publication to 恢复 of those recovered, one decimal."""
        return round(sum(self.hours) / len(self.hours), 1) if self.hours else None

    def as_row(self) -> dict[str, Any]:
        return {"维度": self.dimension, "分项": self.value, "预警数": self.count,
                "已恢复": self.recovered, "平均恢复用时（小时）": self.mean_hours}


def warning_rows(state: StateDB, since: str, until: str,
                 exclude_rules: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The warnings raised from `since` up to `until` (ISO times) with their review, except
    the notices of `exclude_rules` (case SLA, reports)."""
    state.ensure(SCHEMA)
    return state.query(
        "SELECT a.alert_id, a.level, a.city, a.status, a.created_at, a.resolved_at, "
        "r.origin, r.state, r.cities, r.published_at FROM alerts a "
        "LEFT JOIN alert_reviews r USING (alert_id) WHERE a.created_at >= ? AND a.created_at < ? "
        "AND a.rule NOT IN (SELECT value FROM json_each(?)) ORDER BY a.alert_id",
        (since, until, json.dumps(list(exclude_rules))))


def _hours(row: dict[str, Any]) -> float | None:
    if row["state"] in ("held", "rejected") or not row["resolved_at"]:
        return None
    start = datetime.fromisoformat(row["published_at"] or row["created_at"])
    return max(0.0, (datetime.fromisoformat(row["resolved_at"]) - start).total_seconds() / 3600)


def analyse(rows: Sequence[dict[str, Any]],
            case_types: Mapping[int, Sequence[str]] | None = None) -> list[Tally]:
    """The tallies per dimension, in DIMENSIONS order, then a 合计 row. `case_types` maps an
    alert id to its cases' categories; without it there is no 工单类型 dimension. A warning of
    several cities or case categories counts once under each; 审核结果, 发布方式 and 级别 show
    every value, also at 0."""
    tallies = {(dim, v): Tally(dim, v) for dim, vs in ORDER.items() for v in vs}
    total = Tally("合计", "全部预警")
    for row in rows:
        hours = _hours(row)
        values = {
            "审核结果": [STATE_LABELS[row["state"]] if row["state"] else "免审"],
            "发布方式": [ORIGIN_LABELS[row["origin"] or "auto"]],
            "级别": [f"{LEVEL_NAMES[row['level']]}预警"],
            "地市": (json.loads(row["cities"]) if row["cities"] else []) or [row["city"] or "未知"],
        }
        if case_types is not None:
            values["工单类型"] = list(case_types.get(row["alert_id"], ())) or [NO_CASE]
        for tally in [total, *(tallies.setdefault((dim, v), Tally(dim, v))
                               for dim, vs in values.items() for v in dict.fromkeys(vs))]:
            tally.count += 1
            if hours is not None:
                tally.recovered += 1
                tally.hours.append(hours)
    out = []
    for dim in DIMENSIONS:
        mine = [t for (d, _), t in tallies.items() if d == dim]
        order = ORDER.get(dim, [])
        mine.sort(key=lambda t: (order.index(t.value) if t.value in order else len(order),
                                 -t.count, t.value))
        out.extend(mine)
    return out + [total]
