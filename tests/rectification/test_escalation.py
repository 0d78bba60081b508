"""Overdue 督办 items reach a real local webhook through the outbox: each stage once, across
restarts and a receiver that is down; closing or a new deadline quiets them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.post import CST
from rectification.escalation import rectification_cycle
from tests.alerts.conftest import Receiver
from tests.cases.helpers import make_config
from tests.rectification.conftest import World

DUE = datetime(2026, 11, 26, 0, 0, tzinfo=CST)   # deadline 2026-11-25: overdue from midnight


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def hooked(cfg, tmp_path, receiver):
    """The world with a webhook as the only notifier; yields (world, config)."""
    config = make_config(tmp_path, warnings={"notifiers": [
        {"name": "hook", "type": "webhook", "url": receiver.url}]})
    world = World(config)
    yield world, config
    world.close()


def _item(world, deadline="2026-11-25"):
    case = world.case(1)
    return world.service.open_from_cases(world.users["boss"], [case.case_id], measure="新建基站",
                                         deadline=deadline, district="珠晖区")


def _alerts(world):
    return world.db.query("SELECT key, level, status FROM alerts WHERE rule = 'rectify' "
                          "ORDER BY alert_id")


def test_each_stage_once_across_restarts_and_an_outage(hooked, receiver):
    world, config = hooked
    item = _item(world)
    assert rectification_cycle(config, now=DUE - timedelta(seconds=1))["escalations"] == 0
    world.close()                                                   # every cycle is a fresh start

    first = rectification_cycle(config, now=DUE + timedelta(minutes=5))
    assert (first["escalations"], first["sent"]) == (1, 1)
    for minutes in (6, 60, 600):                                    # later cycles, same stage
        assert rectification_cycle(config, now=DUE + timedelta(minutes=minutes)) == {
            "escalations": 0, "sent": 0, "failed": 0}
    assert len(receiver.bodies) == 1
    message = receiver.bodies[0]
    assert message["level"] == 2 and "【督办逾期】" in message["title"]
    assert item.item_no in message["title"] and "衡阳 珠晖区" in message["title"]
    assert "整改时限 2026-11-25" in message["body"] and "最新进展：尚未填报" in message["body"]
    assert message["console"].endswith(f"/rectification?item={item.item_id}")
    assert receiver.headers[0]["Idempotency-Key"] == message["message_id"]

    # Seven days late: the second stage (一级) is raised while the receiver is down …
    receiver.stop()
    late = DUE + timedelta(days=7, minutes=1)
    down = rectification_cycle(config, now=late)
    assert (down["escalations"], down["sent"], down["failed"]) == (1, 0, 1)
    # … the process restarts, the receiver comes back: sent once, after the back-off
    receiver.start()
    assert rectification_cycle(config, now=late + timedelta(seconds=5))["sent"] == 0
    assert rectification_cycle(config, now=late + timedelta(seconds=20))["sent"] == 1
    for minutes in (1, 30, 24 * 60):
        assert rectification_cycle(config, now=late + timedelta(minutes=minutes))["sent"] == 0
    assert [b["level"] for b in receiver.bodies] == [2, 1]
    assert len({b["message_id"] for b in receiver.bodies}) == 2

    world = World(config)
    # the second stage supersedes the first; both stay in the warnings' history
    assert [(a["level"], a["status"]) for a in _alerts(world)] == [(2, "resolved"), (1, "open")]
    audit = [a for a in world.service.audit_log(world.users["boss"], item.item_id)
             if a["action"] == "escalate"]
    assert [a["actor"] for a in audit] == ["system", "system"] and "第 2 级" in audit[1]["detail"]
    world.close()


def test_down_past_both_stages_sends_only_the_latest(hooked, receiver):
    world, config = hooked
    _item(world)
    result = rectification_cycle(config, now=DUE + timedelta(days=10))
    assert (result["escalations"], result["sent"]) == (1, 1)
    assert [b["level"] for b in receiver.bodies] == [1]
    assert rectification_cycle(config, now=DUE + timedelta(days=11))["escalations"] == 0


def test_closing_quiets_and_a_new_deadline_starts_again(hooked, receiver):
    world, config = hooked
    svc, boss = world.service, world.users["boss"]
    item = _item(world)
    rectification_cycle(config, now=DUE + timedelta(hours=1))
    world.clock.now = DUE + timedelta(hours=2)
    svc.update(boss, item.item_id, "设备延期", deadline="2026-12-10")
    assert [a["status"] for a in _alerts(world)] == ["resolved"]           # quietly
    assert rectification_cycle(config, now=DUE + timedelta(days=3))["escalations"] == 0
    new_due = datetime(2026, 12, 11, 0, 5, tzinfo=CST)
    assert rectification_cycle(config, now=new_due)["escalations"] == 1     # the new deadline's
    world.clock.now = new_due + timedelta(hours=1)
    svc.close_item(boss, item.item_id, "已开通")
    assert [a["status"] for a in _alerts(world)] == ["resolved", "resolved"]
    assert rectification_cycle(config, now=new_due + timedelta(days=30))["escalations"] == 0
    assert len(receiver.bodies) == 2


def test_escalations_never_become_cases(hooked):
    from cases.automation import cases_from_alerts

    world, config = hooked
    _item(world)
    rectification_cycle(config, now=DUE + timedelta(days=8))              # a 一级 notice
    assert cases_from_alerts(config, now=DUE + timedelta(days=8)) == []


def test_the_monitor_schedules_the_cycle(tmp_path):
    from apscheduler.schedulers.background import BackgroundScheduler

    from tousu.monitor import add_case_and_report_jobs

    config = make_config(tmp_path, rectification={"escalate_every": "30m"})
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    add_case_and_report_jobs(scheduler, config)
    job = scheduler.get_job("rectification")
    assert job.func is rectification_cycle and job.trigger.interval == timedelta(minutes=30)
