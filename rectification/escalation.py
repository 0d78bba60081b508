"""Overdue 督办 items escalated through the warning notifiers: an alert raised through alerts.api,
its notice delivered by the outbox, so no message is lost and none is sent twice.

Each stage of `rectification.escalation` is notified once per item and deadline (the alert key
names all three, and alerts.api raises a key once, ever); when the monitor was down past several
stages only the latest is sent, and it resolves the earlier one. A new deadline starts again;
closing the item resolves its warnings quietly.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from accounts.models import SYSTEM
from alerts.api import raise_alert, resolve_quietly
from alerts.notifiers import build_notifiers
from alerts.outbox import deliver_due
from core.config import interval_seconds
from core.post import iso
from rectification.config import AppConfig
from rectification.models import Item, due_at
from rectification.service import RectificationService

log = logging.getLogger("tousu.rectification")
RULE = "rectify"   # the alerts' rule: a notice, not a warning (cases.automation.OWN_RULES)


def alert_key(item_id: int, deadline: str, stage: int) -> str:
    """The alert key of one escalation stage of an item's deadline."""
    return f"rectify:{item_id}:{deadline}:{stage}"


def reached_stage(config: AppConfig, late_seconds: float) -> int | None:
    """The latest escalation stage an item this many seconds past its deadline has reached."""
    reached = [i for i, stage in enumerate(config.rectification.escalation)
               if late_seconds >= (interval_seconds(stage.after) or 0)]
    return reached[-1] if reached else None


def _message(service: RectificationService, item: Item, late_days: float) -> tuple[str, str]:
    progress = [n for n in service.notes(SYSTEM, item.item_id) if n["kind"] == "progress"]
    last = (f"{progress[-1]['at'][:10]} {progress[-1]['body'][:80]}" if progress else "尚未填报")
    title = f"【督办逾期】{item.item_no} {item.place} {item.problem[:40]}"
    body = (f"督办事项 {item.item_no} 整改时限 {item.deadline}，已逾期 {late_days:.1f} 天。\n"
            f"责任部门：{item.owner_department}　预期措施：{item.measure[:80]}\n"
            f"最新进展：{last}"
            + ("\n本事项为一月一事（" + "、".join(item.worst_months) + "）" if item.worst_months
               else ""))
    return title, body


def escalate_overdue(config: AppConfig, now: datetime | None = None,
                     service: RectificationService | None = None) -> list[dict[str, Any]]:
    """Raise the reached escalation stage of each overdue item once; returns what was raised."""
    own = service is None
    service = service or RectificationService(config)
    now = service._now(now)
    db = service.db
    stages = config.rectification.escalation
    raised = []
    try:
        for item in service.list_items(SYSTEM, overdue=True, limit=100000, now=now):
            late = (now - due_at(item.deadline)).total_seconds()
            stage = reached_stage(config, late)
            done = db.query("SELECT max(stage) AS s FROM rectify_escalations WHERE item_id = ? "
                            "AND deadline = ?", (item.item_id, item.deadline))[0]["s"]
            if stage is None or (done is not None and done >= stage):
                continue
            key = alert_key(item.item_id, item.deadline, stage)
            title, body = _message(service, item, late / 86400)
            posts = [p["post_id"] for p in service.linked_posts(SYSTEM, item.item_id)][:20]
            with db.atomic():
                if not db.execute("INSERT OR IGNORE INTO rectify_escalations (item_id, deadline, "
                                  "stage, at, alert_key) VALUES (?, ?, ?, ?, ?)",
                                  (item.item_id, item.deadline, stage, iso(now), key)).rowcount:
                    continue  # another process took this stage
                alert_id = raise_alert(db, config, key=key, rule=RULE, level=stages[stage].level,
                                       title=title, body=body, city=item.city,
                                       categories=[item.category] if item.category else [],
                                       post_ids=posts,
                                       console_path=f"rectification?item={item.item_id}", now=now)
                db.execute("UPDATE rectify_escalations SET alert_id = ? WHERE item_id = ? AND "
                           "deadline = ? AND stage = ?", (alert_id, item.item_id, item.deadline,
                                                         stage))
                for earlier in range(stage):
                    resolve_quietly(db, alert_key(item.item_id, item.deadline, earlier), now)
                service._audit(item.item_id, SYSTEM, "escalate",
                               f"逾期 {late / 86400:.1f} 天，第 {stage + 1} 级督办提醒"
                               f"（{stages[stage].level}级）已通知", now)
            raised.append({"item_id": item.item_id, "item_no": item.item_no, "stage": stage,
                           "level": stages[stage].level, "alert_id": alert_id})
        return raised
    finally:
        if own:
            service.close()


def rectification_cycle(config: AppConfig, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's 督办 job: escalate overdue items, then deliver what is due."""
    service = RectificationService(config)
    try:
        raised = escalate_overdue(config, now, service)
        sent = deliver_due(service.db, build_notifiers(config), now=service._now(now))
    finally:
        service.close()
    if raised:
        log.info("rectification: %d overdue items escalated", len(raised))
    return {"escalations": len(raised), "sent": sent["sent"], "failed": sent["failed"]}
