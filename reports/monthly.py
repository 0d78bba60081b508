"""The monthly report's four parts, after the operator's monthly service-quality report:
一、整体情况 / 二、督办问题整改落实情况 / 三、存在的主要问题 / 四、下一步重点工作.

The figures every report has go to 整体情况, except those PLACES sends elsewhere. Then each
contributor adds its sections and points to the parts it names, in CONTRIBUTORS order. To put
another figure into the monthly report (预警审核 counts …), write a contributor — a
function of the month (`reports.model.Month`) returning `Contribution`s — and list it in
CONTRIBUTORS; the parts, the renderers and the console need no change.
"""

from __future__ import annotations

from typing import Callable

from reports import quality, supervision
from reports.model import Contribution, Month, Part, Section

PARTS = (("overall", "一、整体情况"), ("supervision", "二、督办问题整改落实情况"),
         ("problems", "三、存在的主要问题"), ("next", "四、下一步重点工作"))
PLACES = {"overdue": "problems"}       # a figure every report has → its part, if not 整体情况
EMPTY = {"problems": "本月未发现需要特别说明的问题。", "next": "保持现有监控与处置节奏。"}


def case_findings(month: Month) -> list[Contribution]:
    """Problems and next steps read off the figures every report has: rising categories and
    overdue cases per branch."""
    problems, steps = [], []
    category = month.sections.get("category")
    rising = sorted((r for r in (category.rows if category else []) if r[3] is not None and r[3] > 0),
                    key=lambda r: -r[1])[:3]
    for label, count, previous, change in rising:
        problems.append(f"「{label}」投诉 {count} 件，较上月 {previous} 件上升 {change:g}%。")
    overdue = month.sections.get("overdue")
    per_branch: dict[str, int] = {}
    for row in overdue.rows if overdue else []:
        per_branch[row[0]] = per_branch.get(row[0], 0) + 1
    if per_branch:
        worst = sorted(per_branch.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = "、".join(f"{branch} {n} 张" for branch, n in worst[:5])
        problems.append(f"月末超期未办结工单 {sum(per_branch.values())} 张：{shown}。")
        steps.append(f"督促{'、'.join(b for b, _ in worst[:5])}清理超期工单，按时限首次响应和办结。")
    if rising:
        steps.append(f"针对{'、'.join(f'「{r[0]}」' for r in rising)}投诉上升，分析原因并纳入督办。")
    return [Contribution("problems", points=problems), Contribution("next", points=steps)]


Contributor = Callable[[Month], list[Contribution]]
CONTRIBUTORS: tuple[Contributor, ...] = (supervision.contributions, case_findings, quality.contributions)


def four_parts(sections: list[Section], month: Month) -> list[Part]:
    """The month's sections placed into the four parts, with every contributor's additions."""
    parts = {key: Part(key, title) for key, title in PARTS}
    for section in sections:
        parts[PLACES.get(section.key, "overall")].sections.append(section)
    for contributor in CONTRIBUTORS:
        for contribution in contributor(month):
            part = parts[contribution.part]
            part.sections.extend(contribution.sections)
            part.points.extend(contribution.points)
    for key, point in EMPTY.items():
        if not parts[key].points:
            parts[key].points.append(point)
    return list(parts.values())
