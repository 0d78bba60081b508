"""督办 in the monthly report: the items and their progress (part two), the month's 一月一事,
overdue items and recurring problems nobody supervises yet (part three), what is due next
(part four). Figures are as of the month's end (or now, while the month runs)."""

from __future__ import annotations

from typing import Any

from core.post import iso
from nlp.dictionary import get_dictionary
from rectification.candidates import Candidate, find
from rectification.reporting import (IN_WORK, LATE, ON_TIME, OVERDUE, items_between, notes_before,
                                     state_at, still_open, worst_of_month)
from reports.model import Contribution, Month, Section

ITEM_COLUMNS = ["编号", "问题", "地点", "责任部门", "整改时限", "状态", "进度%", "最新进展",
                "关联工单", "一月一事"]


def _place(item: dict[str, Any]) -> str:
    return " ".join(p for p in (item["city"], item["district"]) if p) or "全省"


def _latest(item: dict[str, Any]) -> str:
    note = item["last_note"]
    return f"{note['at'][5:10]} {note['body']}" if note else "尚未填报"


def _worst_section(worst: dict[str, Any] | None, month: Month, label: str) -> Section:
    rows: list[list[Any]] = []
    if worst is not None:
        rows = [["编号", worst["item_no"]], ["问题", worst["problem"]], ["地点", _place(worst)],
                ["责任部门", worst["owner_department"]], ["整改时限", worst["deadline"]],
                ["预期整改措施", worst["measure"]], ["状态", state_at(worst, month.end)]]
        rows += [[f"{n['kind_label']} {n['at'][:10]}"
                  + (f"（{n['percent']}%）" if n["percent"] is not None else ""), n["body"]]
                 for n in notes_before(month.db, worst["item_id"], month.end)]
    return Section("worst", f"一月一事（{label}）", ["项目", "内容"], rows,
                   note="“一月一事，消灭最差”：每月选定一个最突出的问题集中整改。"
                        + ("" if worst else "本月尚未设定（在「督办」页或 tousu rectify worst 设定）。"))


def _candidates(month: Month) -> list[Candidate]:
    since, until = month.period.iso_range()
    found = find(month.db, get_dictionary(month.config.keywords_dir), since, until,
                 month.config.rectification.candidate_min_cases)
    return [c for c in found if not c.open_items]


def contributions(month: Month) -> list[Contribution]:
    """督办's sections and points for parts two, three and four."""
    label = f"{month.period.start:%Y-%m}"
    items = items_between(month.db, *month.period.iso_range(), month.end)
    worst = worst_of_month(month.db, label)
    since = iso(month.period.start)
    counts = {state: sum(i["state"] == state for i in items) for state in (ON_TIME, LATE, IN_WORK,
                                                                           OVERDUE)}
    due = counts[ON_TIME] + counts[LATE] + counts[OVERDUE]
    on_time = f"{counts[ON_TIME] / due * 100:.1f}%" if due else "—"
    summary = (f"本月督办事项 {len(items)} 项，其中新增 {sum(i['created_at'] >= since for i in items)} "
               f"项；已办结 {counts[ON_TIME] + counts[LATE]} 项（按期 {counts[ON_TIME]} 项），整改中 "
               f"{counts[IN_WORK]} 项，逾期未办结 {counts[OVERDUE]} 项；按期办结率 {on_time}。")
    rows = [[i["item_no"], i["problem"], _place(i), i["owner_department"], i["deadline"], i["state"],
             i["percent"], _latest(i), i["cases"], "是" if worst and worst["item_id"] == i["item_id"]
             else ""] for i in items]
    table = Section("supervision", "督办事项整改进展", ITEM_COLUMNS, rows,
                    note="按期办结率 = 按期办结 ÷（已办结 + 逾期未办结）；状态与进展截至报告截止时点。")
    points = [summary, f"一月一事：{worst['problem']}（{worst['item_no']}，{worst['owner_department']}，"
                       f"{state_at(worst, month.end)}）。" if worst else "本月尚未设定一月一事。"]

    problems = [f"督办事项 {i['item_no']}「{i['problem']}」逾期未办结（整改时限 {i['deadline']}，"
                f"责任部门 {i['owner_department']}）。" for i in items if i["state"] == OVERDUE][:5]
    recurring = _candidates(month)
    problems += [f"{c.label}，问题反复出现，尚未立项督办。" for c in recurring[:5]]
    recurring_table = Section(
        "recurring", "重复问题（同类工单集中，尚未督办）", ["地市", "区县", "分类", "工单数", "工单号"],
        [[c.city, c.district or "—", c.category, c.count, "、".join(c.case_nos[:10])] for c in recurring],
        note=f"本月新建工单中，同一分类在同一区县（或地市）达到 "
             f"{month.config.rectification.candidate_min_cases} 张及以上、且没有整改中的督办事项的。")

    steps = []
    following = f"{month.period.end:%Y-%m}"
    upcoming = worst_of_month(month.db, following)
    if upcoming is not None:
        steps.append(f"一月一事（{following}）：{upcoming['problem']}，由{upcoming['owner_department']}"
                     f"于 {upcoming['deadline']} 前完成{upcoming['measure']}。")
    elif worst is not None and state_at(worst, month.end) in (IN_WORK, OVERDUE):
        steps.append(f"继续推进一月一事「{worst['problem']}」整改，{worst['deadline']} 前完成"
                     f"{worst['measure']}。")
    steps += [f"{i['item_no']}「{i['problem']}」：{i['owner_department']}于 {i['deadline']} 前完成"
              f"{i['measure']}。" for i in still_open(items)[:8]]
    steps += [f"建议将{c.place}「{c.category}」（本月 {c.count} 张工单）列为督办事项。"
              for c in recurring[:3]]
    return [Contribution("supervision", [table, _worst_section(worst, month, label)], points),
            Contribution("problems", [recurring_table], problems),
            Contribution("next", points=steps)]
