"""Warning review (预警审核) with real parts: SQLite files, a local webhook receiver and a fixed
clock. Held warnings are never sent before approval and never lost across restarts; approval
sends once, rejection never; an unreviewed warning escalates to the next reviewer once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import PermissionDenied
from alerts import audit
from alerts.config import MANUAL
from alerts.cycle import list_alerts, run_cycle
from alerts.review import ReviewError, approve, deliver, held_reviews, reject
from core.config import ConfigError
from core.db import StateDB
from tests.alerts.conftest import (ADMIN, MANAGER, MONITOR, NOW, make_config, make_post, one_level1_warning,
                                   received, review_config, store_posts)


def test_held_warning_waits_survives_a_restart_and_is_sent_once_on_approval(tmp_path, receiver):
    config = review_config(tmp_path, receiver)
    one_level1_warning(config)
    counts = run_cycle(config, now=NOW)
    assert counts["new_alerts"] == 1
    # nothing reached the recipients; the managers were asked to review, at once
    assert received(receiver, "branch") == [] and received(receiver, "province") == []
    request = received(receiver, "managers")
    assert len(request) == 1 and request[0]["title"].startswith("【待审核·一级预警·红色】")
    assert request[0]["kind"] == "review" and "审核通过前不会发出" in request[0]["body"]
    assert request[0]["console"].endswith("/warnings?review=1")
    state = StateDB(config.state_path)
    assert {r["status"] for r in state.query(
        "SELECT status FROM outbox WHERE kind = 'new'")} == {"review"}
    state.close()

    # a restart in the middle of the review: new config and state objects on the same files
    again = review_config(tmp_path, receiver)
    for minutes in (5, 10):
        run_cycle(again, now=NOW + timedelta(minutes=minutes))
    state = StateDB(again.state_path)
    held = held_reviews(state)
    assert [h["alert_id"] for h in held] == [1] and held[0]["origin"] == "auto"
    assert received(receiver, "branch") == [] and len(received(receiver, "managers")) == 1
    assert list_alerts(again)[0]["review"] == "held"

    with pytest.raises(PermissionDenied):
        approve(state, again, MONITOR, 1, now=NOW + timedelta(minutes=12))
    review = approve(state, again, MANAGER, 1, title="衡阳 集体投诉曝光（已核实）",
                     body="已核实：涉及宽带退费，请衡阳分公司一小时内联系。", note="核实无误",
                     now=NOW + timedelta(minutes=12))
    assert review["state"] == "approved" and review["reviewed_by"] == "mgr"
    assert deliver(state, again, NOW + timedelta(minutes=12))["sent"] == 2
    with pytest.raises(ReviewError, match="已审核"):
        approve(state, again, ADMIN, 1, now=NOW + timedelta(minutes=13))
    for minutes in (15, 20, 60):
        run_cycle(again, now=NOW + timedelta(minutes=minutes))
    for channel in ("branch", "province"):
        sent = received(receiver, channel)
        assert len(sent) == 1, channel
        assert sent[0]["title"] == "【一级预警·红色】衡阳 集体投诉曝光（已核实）"
        assert sent[0]["body"].startswith("已核实：涉及宽带退费")
    assert received(receiver, "admins") == []  # reviewed in time: no escalation
    actions = [e["action"] for e in reversed(audit.entries(state, 1))]
    assert actions == ["hold", "request", "approve"]
    approval = audit.entries(state, 1)[0]
    assert approval["actor"] == "mgr" and approval["detail"]["note"] == "核实无误"
    assert approval["detail"]["changes"]["title"][1] == "衡阳 集体投诉曝光（已核实）"
    state.close()


def test_rejected_warning_is_never_sent(tmp_path, receiver):
    config = review_config(tmp_path, receiver)
    one_level1_warning(config)
    run_cycle(config, now=NOW)
    state = StateDB(config.state_path)
    with pytest.raises(ReviewError, match="原因"):
        reject(state, config, MANAGER, 1, "  ", now=NOW + timedelta(minutes=3))
    reject(state, config, MANAGER, 1, "误报：帖子讲的是友商", now=NOW + timedelta(minutes=3))
    for minutes in (5, 40, 120, 24 * 60 + 5):  # also past the post's lookback: it resolves
        run_cycle(config, now=NOW + timedelta(minutes=minutes))
    assert received(receiver, "branch") == [] and received(receiver, "province") == []
    assert received(receiver, "admins") == []  # rejected: nobody else is asked
    assert {r["status"] for r in state.query("SELECT status FROM outbox WHERE kind = 'new'")} == {
        "rejected"}
    entry = audit.entries(state, 1)[0]
    assert entry["action"] == "reject" and entry["detail"]["reason"] == "误报：帖子讲的是友商"
    state.close()


def test_unreviewed_warning_escalates_to_the_next_reviewer_once(tmp_path, receiver):
    config = review_config(tmp_path, receiver)
    one_level1_warning(config)
    run_cycle(config, now=NOW)
    run_cycle(config, now=NOW + timedelta(minutes=29))
    assert received(receiver, "admins") == []
    for minutes in (31, 32, 45, 70, 180):
        counts = run_cycle(config, now=NOW + timedelta(minutes=minutes))
        assert counts["review_escalations"] == (1 if minutes == 31 else 0)
    escalation = received(receiver, "admins")
    assert len(escalation) == 1 and escalation[0]["title"].startswith("【审核超时·请管理员审核】")
    assert len(received(receiver, "managers")) == 1 and received(receiver, "branch") == []
    state = StateDB(config.state_path)
    assert held_reviews(state)[0]["stage"] == 1
    # the escalated role reviews it, and only then is it sent
    approve(state, config, ADMIN, 1, now=NOW + timedelta(hours=4))
    run_cycle(config, now=NOW + timedelta(hours=4, minutes=1))
    assert len(received(receiver, "branch")) == 1
    assert [e["action"] for e in reversed(audit.entries(state, 1))] == [
        "hold", "request", "escalate", "approve"]
    state.close()


def test_reviewer_changes_level_and_recipients(tmp_path, receiver):
    config = review_config(tmp_path, receiver)
    one_level1_warning(config)
    run_cycle(config, now=NOW)
    state = StateDB(config.state_path)
    with pytest.raises(ReviewError, match="没有名为「nobody」"):
        approve(state, config, MANAGER, 1, recipients=["nobody"], now=NOW)
    approve(state, config, MANAGER, 1, level=2, recipients=["province"], now=NOW + timedelta(minutes=1))
    for minutes in (2, 10, 30):  # the rule still says 一级: the reviewer's level stays
        run_cycle(config, now=NOW + timedelta(minutes=minutes))
    assert received(receiver, "branch") == []
    sent = received(receiver, "province")
    assert [m["title"][:9] for m in sent] == ["【二级预警·橙色】"]
    assert state.query("SELECT status FROM outbox WHERE notifier = 'branch'") == [
        {"status": "dropped"}]
    state.close()


def test_published_levels_go_out_at_once_and_cases_wait_for_approval(tmp_path, receiver):
    from alerts.api import alerts_at_levels

    config = review_config(tmp_path, receiver)
    store_posts(config, [make_post(3, severity=3, influence=0.1, city="长沙"),
                         make_post(4, severity=4, influence=0.9, city="衡阳")])
    run_cycle(config, now=NOW)
    assert [m["level"] for m in received(receiver, "province")] == [3]
    state = StateDB(config.state_path)
    assert [a["level"] for a in alerts_at_levels(state, [1, 2, 3])] == [3]
    held = held_reviews(state)[0]["alert_id"]
    approve(state, config, MANAGER, held, now=NOW + timedelta(minutes=1))
    assert sorted(a["level"] for a in alerts_at_levels(state, [1, 2, 3])) == [1, 3]
    state.close()


def test_held_levels_need_reviewers_who_hear_of_it(tmp_path):
    with pytest.raises(ConfigError, match="reviewers.0..notifiers"):
        make_config(tmp_path, review={1: "hold"})
    with pytest.raises(ConfigError, match="unknown notifier 'nope'"):
        make_config(tmp_path, reviewers=[{"role": "manager", "notifiers": ["nope"]}])
    with pytest.raises(ConfigError, match="reserved"):
        make_config(tmp_path, rules=[{"name": MANUAL, "type": "post"}])
    plain = make_config(tmp_path)
    assert not any(plain.warnings.holds(level) for level in (1, 2, 3))
