"""Scheduled case work: cases from new warnings, and SLA escalation as warnings of their own
(raised through alerts.api, delivered through the warning outbox)."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from accounts.models import SYSTEM
from alerts.api import alerts_at_levels, raise_alert
from alerts.notifiers import build_notifiers
from alerts.outbox import deliver_due
from cases.duplicates import merged_alert_ids
from cases.models import Case
from cases.service import CaseService, sla_key
from cases.states import CLOSED
from cases.config import AppConfig
from core.post import iso

log = logging.getLogger("tousu.cases")
# Alerts that are notices, not warnings (raised here for overdue cases, by rectification for
# overdue 督办 items, and by reports); they never become cases, and reports do not count them
# as warnings.
OWN_RULES = ("sla", "rectify", "report")
NO_CASE_RULE_TYPES = ("flatline", "coverage", "sla", "rectify", "report")


def _rule_type(alert: dict[str, Any]) -> str:
    try:
        return str(json.loads(alert.get("data") or "{}").get("rule_type") or alert["rule"])
    except (TypeError, ValueError):
        return str(alert["rule"])


def cases_from_alerts(config: AppConfig, now: datetime | None = None,
                      service: CaseService | None = None) -> list[Case]:
    """Create a case for each alert at the configured levels that has none yet (idempotent)."""
    levels = list(config.cases.auto_create_levels)
    if not levels:
        return []
    own = service is None
    service = service or CaseService(config)
    try:
        with_case = [r["alert_id"] for r in service.db.query(
            "SELECT alert_id FROM cases WHERE alert_id IS NOT NULL")] + merged_alert_ids(service.db)
        alerts = alerts_at_levels(service.db, levels, exclude_rules=OWN_RULES, exclude_ids=with_case)
        # A source going silent is the crawler's problem, not a customer's: no case for it.
        alerts = [a for a in alerts if _rule_type(a) not in NO_CASE_RULE_TYPES]
        created = []
        for alert in alerts:
            case = service.create_from_alert(alert, now)
            if case is not None:
                created.append(case)
        return created
    finally:
        if own:
            service.close()


def _sla_level(tier: int) -> int:
    return 1 if tier >= 4 else 2 if tier == 3 else 3


def escalate_overdue(config: AppConfig, now: datetime | None = None,
                     service: CaseService | None = None) -> list[dict[str, Any]]:
    """Escalate each newly overdue case once per kind (first response, closure) via the outbox."""
    own = service is None
    service = service or CaseService(config)
    now = service._now(now)
    escalated = []
    try:
        for case in service.list_cases(SYSTEM, overdue=True, limit=100000, now=now):
            kinds = []
            if case.flags["first_response_overdue"] and not case.first_response_at:
                kinds.append(("first_response", "首次响应", case.first_response_due))
            if case.flags["closure_overdue"] and case.status != CLOSED:
                kinds.append(("closure", "办结", case.closure_due))
            for kind, label, due in kinds:
                cur = service.db.execute("INSERT OR IGNORE INTO case_escalations (case_id, kind, at) "
                                         "VALUES (?, ?, ?)", (case.case_id, kind, iso(now)))
                if not cur.rowcount:
                    continue
                late = (now - datetime.fromisoformat(due)).total_seconds() / 3600
                title = f"【工单超时·{label}】{case.case_no} {case.city or '未知地市'} {case.title[:40]}"
                body = (f"工单 {case.case_no}（{case.status}）{label}时限 {due[:16].replace('T', ' ')} "
                        f"已超时 {late:.1f} 小时。\n责任单位：{case.branch}　部门：{case.department or '—'}\n"
                        f"等级：{case.tier}级　原帖：{case.url or '—'}")
                alert_id = raise_alert(service.db, config, key=sla_key(case.case_id, kind),
                                       rule="sla", level=_sla_level(case.tier), title=title,
                                       body=body, city=case.city, categories=case.categories,
                                       post_ids=[case.post_id] if case.post_id else [],
                                       console_path=f"cases?case={case.case_id}")
                service.db.execute("UPDATE case_escalations SET alert_id = ? WHERE case_id = ? AND "
                                   "kind = ?", (alert_id, case.case_id, kind))
                service._audit(case.case_id, SYSTEM, "sla_escalation", case.status, case.status,
                               f"{label}超时 {late:.1f} 小时，已通知", now)
                escalated.append({"case_id": case.case_id, "case_no": case.case_no, "kind": kind,
                                  "alert_id": alert_id})
        return escalated
    finally:
        if own:
            service.close()


def cases_cycle(config: AppConfig, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's case job: new cases from warnings, then SLA escalation; returns counts."""
    service = CaseService(config)
    try:
        created = cases_from_alerts(config, now, service)
        escalated = escalate_overdue(config, now, service)
        if escalated:  # deliver now rather than on the next warnings cycle
            deliver_due(service.db, build_notifiers(config))
    finally:
        service.close()
    if created or escalated:
        log.info("cases: %d created from warnings, %d escalations", len(created), len(escalated))
    return {"cases_created": len(created), "escalations": len(escalated)}
