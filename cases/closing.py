"""What closing a case must say (工单质检, after the operator's 《投诉工单质检规范》): a root cause
from the taxonomy (`cases.quality.root_causes`; 其他 only with a description), a 处理场景, whether
the problem is solved and, when it is not, a 计划解决时间 that is a real date — and none of these
texts may hide behind a vague word (近期, 计划, 暂时, 尽快 … `cases.quality.vague_words`).

Every refusal is a CaseError whose Chinese message names the field, so the console and the
command line show it as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable

from cases.config import OTHER_CAUSE, QualityConfig
from cases.models import CaseError

# The fields as the closing form names them (the messages name them the same way).
CLOSURE_COLUMNS = ("root_cause_group", "root_cause", "root_cause_note", "scenario", "resolved",
                   "planned_fix_date")
ROOT_CAUSE, NOTE, SCENARIO, RESULT, PLAN = "根本原因", "原因说明", "处理场景", "线下处理结果", "计划解决时间"


def vague_word(text: str, words: Iterable[str]) -> str | None:
    """The first vague word `text` contains, if any."""
    return next((w for w in words if w in text), None)


def require_concrete(field: str, text: str, words: Iterable[str]) -> None:
    """Refuse a text that says nothing definite ("近期解决", "尽快处理")."""
    word = vague_word(text, words)
    if word:
        raise CaseError(f"「{field}」含模糊表述「{word}」，请写明具体措施、地点和日期")


def causes_text(quality: QualityConfig) -> str:
    """'可控：弱覆盖、资源不足…；不可控：…；其他（须说明）' for messages and help."""
    groups = "；".join(f"{g}：{'、'.join(c)}" for g, c in quality.root_causes.items())
    return f"{groups}；{OTHER_CAUSE}（须说明）"


def plan_date(value: Any, today: date, quality: QualityConfig) -> str:
    """A 计划解决时间 as YYYY-MM-DD: a real calendar date from today up to `max_plan_days` ahead."""
    if isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            raise CaseError(f"问题未解决时须填写「{PLAN}」（具体日期，如 {today + timedelta(days=7)}）")
        require_concrete(PLAN, text, quality.vague_words)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CaseError(f"「{PLAN}」须为具体日期，格式 YYYY-MM-DD（如 {today + timedelta(days=7)}），"
                            f"收到「{text}」") from None
    if day < today:
        raise CaseError(f"「{PLAN}」{day} 早于今天（{today}）")
    latest = today + timedelta(days=quality.max_plan_days)
    if day > latest:
        raise CaseError(f"「{PLAN}」{day} 晚于 {latest}（最多 {quality.max_plan_days} 天后）")
    return day.isoformat()


def closure_fields(quality: QualityConfig, result: str, options: dict[str, Any],
                   today: date) -> dict[str, Any]:
    """The case columns a close sets, from the offline result and the close's options
    (root_cause=, root_cause_note=, scenario=, resolved=, planned_fix_date=)."""
    cause = str(options.get("root_cause") or "").strip()
    if not cause:
        raise CaseError(f"办结需要选择「{ROOT_CAUSE}」：{causes_text(quality)}")
    group = quality.group_of(cause)
    if group is None:
        raise CaseError(f"未知的{ROOT_CAUSE}「{cause}」；可选：{causes_text(quality)}")
    note = str(options.get("root_cause_note") or "").strip()
    if cause == OTHER_CAUSE and not note:
        raise CaseError(f"{ROOT_CAUSE}为「{OTHER_CAUSE}」时须填写「{NOTE}」")
    if note:
        require_concrete(NOTE, note, quality.vague_words)
    scenario = str(options.get("scenario") or "").strip()
    if not scenario:
        raise CaseError(f"办结需要填写「{SCENARIO}」（如何处理的、在哪里、结果如何）")
    if len(scenario) < quality.min_text:
        raise CaseError(f"「{SCENARIO}」过于简略（至少 {quality.min_text} 个字）")
    require_concrete(SCENARIO, scenario, quality.vague_words)
    require_concrete(RESULT, result, quality.vague_words)
    resolved = options.get("resolved")
    if resolved is None:
        raise CaseError("办结需要说明问题是否已解决")
    planned = None if resolved else plan_date(options.get("planned_fix_date"), today, quality)
    return {"root_cause_group": group, "root_cause": cause, "root_cause_note": note or None,
            "scenario": scenario, "resolved": int(bool(resolved)), "planned_fix_date": planned,
            "offline_result": result, "invalid_reason": None}
