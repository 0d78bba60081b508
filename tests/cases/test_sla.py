"""SLA: due times per tier, overdue flags and escalation through the outbox, on a test clock."""

from __future__ import annotations

import json

import pytest

from cases.automation import escalate_overdue
from tests.cases.helpers import post_id


@pytest.mark.parametrize("n, tier, first, closure", [
    (4, 4, "2026-11-20T10:00:00+08:00", "2026-11-21T09:00:00+08:00"),
    (1, 3, "2026-11-20T13:00:00+08:00", "2026-11-22T09:00:00+08:00"),
    (3, 2, "2026-11-21T09:00:00+08:00", "2026-11-23T09:00:00+08:00"),
])
def test_due_times_per_tier(world, n, tier, first, closure):
    service, users, _, store = world
    case = service.create_from_post(users["mon"], post_id(store, n))
    assert (case.tier, case.first_response_due, case.closure_due) == (tier, first, closure)


def test_overdue_escalation_once_per_kind(world, cfg):
    service, users, clock, store = world
    case = service.create_from_post(users["mon"], post_id(store, 4))         # tier 4: 1 h / 24 h
    clock.advance(minutes=59)
    assert escalate_overdue(cfg, service=service) == []
    assert not service.get(users["zz"], case.case_id).flags["first_response_overdue"]
    clock.advance(minutes=2)
    assert service.get(users["zz"], case.case_id).flags["first_response_overdue"]
    assert [c.case_id for c in service.list_cases(users["zz"], overdue=True)] == [case.case_id]
    done = escalate_overdue(cfg, service=service)
    assert [(d["case_no"], d["kind"]) for d in done] == [(case.case_no, "first_response")]
    assert escalate_overdue(cfg, service=service) == []                  # once only
    alert = service.db.query("SELECT * FROM alerts WHERE rule = 'sla'")[0]
    assert alert["level"] == 1 and alert["city"] == "株洲" and "首次响应" in alert["title"]
    queued = service.db.query("SELECT payload FROM outbox WHERE alert_id = ?", (alert["alert_id"],))
    assert len(queued) == 1 and case.case_no in json.loads(queued[0]["payload"])["title"]
    audit = service.audit_log(users["root"], case.case_id)
    assert audit[-1]["action"] == "sla_escalation" and audit[-1]["actor"] == "system"
    # a reply stops the first-response clock; closure is still due at +24 h
    service.act(users["zz"], case.case_id, "accept")
    service.act(users["zz"], case.case_id, "reply", "您好")
    assert service.db.query("SELECT status FROM alerts WHERE alert_id = ?",
                            (alert["alert_id"],))[0]["status"] == "resolved"
    clock.advance(hours=23)
    assert escalate_overdue(cfg, service=service)[0]["kind"] == "closure"


def test_request_info_counts_as_first_response(world):
    service, users, clock, store = world
    case = service.create_from_post(users["mon"], post_id(store, 1))
    clock.advance(hours=3)
    asked = service.act(users["cs"], case.case_id, "request_info", "请私信联系电话和小区")
    assert asked.first_response_at == "2026-11-20T12:00:00+08:00" and asked.flags["responded_in_time"]
    clock.advance(hours=2)
    service.act(users["cs"], case.case_id, "info_received")
    assert service.time_in_states(users["cs"], case.case_id) == {"已派单": 3.0, "需补充信息": 2.0}
