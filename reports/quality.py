"""工单质检 in the reports: per branch, the period's closed cases, 无效工单, the 质检 sample, passed
and returned checks with the 质检合格率, and 重复派单 (cases.reporting.quality_between); in the
monthly report the table is part of 整体情况, and branches with returned checks, duplicates or
invalid cases are named under 存在的主要问题 and 下一步重点工作."""

from __future__ import annotations

from typing import Any

from cases.reporting import QUALITY_KEYS, quality_between
from core.db import StateDB
from reports.model import Contribution, Month, Section
from reports.period import Period

COLUMNS = ["责任单位", "办结工单", "无效工单", "抽检", "质检合格", "质检退回", "质检合格率%", "重复派单"]
TOTAL = "全省合计"


def pass_rate(passed: int, returned: int) -> float | None:
    """质检合格率 in percent: passed ÷ checked; None when nothing was checked."""
    checked = passed + returned
    return round(passed / checked * 100, 1) if checked else None


def _row(branch: str, c: dict[str, int]) -> list[Any]:
    return [branch, c["closed"], c["invalid"], c["sampled"], c["passed"], c["returned"],
            pass_rate(c["passed"], c["returned"]), c["duplicates"]]


def quality_section(db: StateDB, period: Period) -> Section:
    """The 工单质检 table of the period, one row per branch and the province's total."""
    per = quality_between(db, *period.iso_range())
    total = {k: sum(c[k] for c in per.values()) for k in QUALITY_KEYS}
    rows = [_row(branch, per[branch]) for branch in sorted(per)] + [_row(TOTAL, total)]
    shown = [r for r in rows[:-1] if r[6] is not None]
    return Section(
        "quality", "工单质检（按责任单位）", COLUMNS, rows,
        chart={"type": "bar", "labels": [r[0] for r in shown], "series": {"质检合格率%": [r[6] for r in shown]}},
        note="办结工单不含无效工单；抽检为本期抽入质检的办结工单（4级全部，其余按比例）；质检合格率 = "
             "质检合格 ÷（质检合格 + 质检退回），按本期完成的质检计；重复派单为同一帖子或事件再次建单、"
             "已并入在办工单的次数，计入在办工单的责任单位。")


def contributions(month: Month) -> list[Contribution]:
    """Problems and next steps from the 工单质检 table."""
    section = month.sections.get("quality")
    rows = [r for r in (section.rows if section else []) if r[0] != TOTAL]
    problems, steps = [], []
    returned = sorted((r for r in rows if r[5]), key=lambda r: (r[6], r[0]))
    if returned:
        problems.append("质检退回工单 " + str(sum(r[5] for r in returned)) + " 张："
                        + "、".join(f"{r[0]} {r[5]} 张（合格率 {r[6]:g}%）" for r in returned[:5]) + "。")
        steps.append(f"督促{'、'.join(r[0] for r in returned[:5])}按质检规范填写根本原因、处理场景和"
                     "计划解决时间，退回工单限期整改后重新办结。")
    dups = sorted((r for r in rows if r[7]), key=lambda r: (-r[7], r[0]))
    if dups:
        problems.append(f"重复派单 {sum(r[7] for r in dups)} 次："
                        + "、".join(f"{r[0]} {r[7]} 次" for r in dups[:5]) + "。")
        steps.append("派单前核对同一帖子、同一事件的在办工单，避免重复派单。")
    invalid = sorted((r for r in rows if r[2]), key=lambda r: (-r[2], r[0]))
    if invalid:
        problems.append(f"无效工单 {sum(r[2] for r in invalid)} 张："
                        + "、".join(f"{r[0]} {r[2]} 张" for r in invalid[:5]) + "。")
    return [Contribution("problems", points=problems), Contribution("next", points=steps)]
