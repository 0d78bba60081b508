"""The case state machine: statuses, the actions between them and who may take each."""

from __future__ import annotations

from dataclasses import dataclass

NEW, DISPATCHED, IN_PROGRESS, REPLIED, CLOSED = "新建", "已派单", "处理中", "已回复", "已办结"
NEED_INFO, RETURNED, ESCALATED = "需补充信息", "退回", "升级"
STATUSES = (NEW, DISPATCHED, IN_PROGRESS, NEED_INFO, REPLIED, CLOSED, RETURNED, ESCALATED)
OPEN_STATUSES = tuple(s for s in STATUSES if s != CLOSED)
# English names accepted wherever a status is typed (CLI, API).
ALIASES = {"new": NEW, "dispatched": DISPATCHED, "in_progress": IN_PROGRESS, "processing": IN_PROGRESS,
           "replied": REPLIED, "closed": CLOSED, "need_info": NEED_INFO, "returned": RETURNED,
           "escalated": ESCALATED}
# Entering one of these answers the customer in public (an online reply, or asking for the
# missing details in the thread), so it stops the first-response clock.
RESPONSE_STATUSES = (REPLIED, NEED_INFO)

HANDLING = ("handler", "monitor", "admin")
DISPATCHING = ("monitor", "admin")
# 工单质检 is the provincial team's check on the branches: monitors and managers (and admins)
# sample closed cases and pass or return them — never a case they closed themselves.
QUALITY_CHECKING = ("monitor", "manager", "admin")


@dataclass(frozen=True)
class Action:
    """One allowed move: its name, where it may start, where it ends, who may take it."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    needs_text: str | None = None   # the Chinese name of the text this action requires
    listed: bool = True     # offered among a case's actions (else taken through its own step: 质检)
    by_status: bool = True  # taken when its target status is asked for (transition)


ACTIONS = {a.name: a for a in (
    Action("dispatch", "派单", (NEW, RETURNED, ESCALATED), DISPATCHED, DISPATCHING),
    Action("accept", "接单处理", (DISPATCHED, ESCALATED), IN_PROGRESS, HANDLING),
    Action("request_info", "要求补充信息", (DISPATCHED, IN_PROGRESS), NEED_INFO, HANDLING,
           "缺少的信息要素"),
    Action("info_received", "信息已补充", (NEED_INFO,), IN_PROGRESS, HANDLING),
    Action("reply", "线上回复", (IN_PROGRESS, ESCALATED), REPLIED, HANDLING, "线上回复内容"),
    Action("close", "办结", (REPLIED,), CLOSED, HANDLING, "线下处理结果"),
    Action("return", "退回", (DISPATCHED, IN_PROGRESS, NEED_INFO), RETURNED, HANDLING, "退回原因"),
    Action("escalate", "升级", (NEW, DISPATCHED, IN_PROGRESS, NEED_INFO, REPLIED), ESCALATED,
           ("handler", "monitor", "manager", "admin"), "升级原因"),
    Action("reopen", "重新处理", (REPLIED, CLOSED), IN_PROGRESS, DISPATCHING, "重新处理原因"),
    # 无效工单 (not a complaint, not ours, a duplicate): closed with the reason, no root cause.
    Action("invalidate", "标记无效", (NEW, DISPATCHED, IN_PROGRESS, NEED_INFO, REPLIED, RETURNED,
                                  ESCALATED), CLOSED, HANDLING, "无效原因", by_status=False),
    Action("qc_return", "质检退回", (CLOSED,), IN_PROGRESS, QUALITY_CHECKING, "退回原因",
           listed=False, by_status=False),
)}


def normalise_status(value: str) -> str:
    """A status typed in Chinese or English → the stored Chinese name; ValueError if unknown."""
    value = value.strip()
    if value in STATUSES:
        return value
    if value.lower() in ALIASES:
        return ALIASES[value.lower()]
    raise ValueError(f"未知状态 {value!r}；可选：{'、'.join(STATUSES)}")


def action_between(source: str, target: str) -> Action | None:
    """The action that moves a case from `source` to `target`, if any."""
    for action in ACTIONS.values():
        if action.by_status and source in action.sources and action.target == target:
            return action
    return None


def allowed_actions(status: str, role: str) -> list[Action]:
    """Actions a user of `role` may take on a case in `status` (before the city check)."""
    return [a for a in ACTIONS.values() if a.listed and status in a.sources and role in a.roles]
