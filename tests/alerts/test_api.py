"""What other packages do with alerts: raise one-off alerts, resolve them quietly, read them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from alerts.api import (alerts_at_levels, count_raised, explained_alerts, get_alert, raise_alert,
                        recent_alerts, recent_of_types, resolve_quietly)
from alerts.engine import acknowledge
from core.db import StateDB
from core.post import iso
from tests.alerts.conftest import NOW, make_config


@pytest.fixture
def setup(tmp_path):
    config = make_config(tmp_path)
    state = StateDB(config.state_path)   # a fresh file: the API makes the tables itself
    yield config, state
    state.close()


def _raise(config, state, key, level=2, **kw):
    return raise_alert(state, config, key=key, rule=kw.pop("rule", "sla"), level=level,
                       title=f"【工单超时】{key}", body="正文", now=kw.pop("now", NOW), **kw)


def test_an_alert_is_raised_once_per_key_with_its_notice(setup):
    config, state = setup
    alert_id = _raise(config, state, "sla:1:closure", city="株洲", post_ids=["p1"],
                      categories=["宽带/家宽"])
    assert _raise(config, state, "sla:1:closure") is None           # once per key, ever
    row = state.query("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,))[0]
    assert (row["status"], row["notices"], row["city"], row["resolved_at"]) == ("open", 1, "株洲", None)
    assert json.loads(row["data"])["rule_type"] == "sla" and row["created_at"] == iso(NOW)
    message = json.loads(state.query("SELECT payload FROM outbox WHERE alert_id = ?",
                                     (alert_id,))[0]["payload"])
    assert message["title"].endswith("【工单超时】sla:1:closure") and message["title"] != row["title"]
    assert message["console"] == f"http://console.test:8501/warnings?alert={alert_id}"


def test_plain_title_and_console_path_shape_the_message(setup):
    config, state = setup
    alert_id = _raise(config, state, "report:2026-11-20", rule="report", status="resolved",
                      plain_title=True, console_path="/reports")
    row = state.query("SELECT status, resolved_at FROM alerts WHERE alert_id = ?", (alert_id,))[0]
    assert row == {"status": "resolved", "resolved_at": iso(NOW)}
    message = json.loads(state.query("SELECT payload FROM outbox")[0]["payload"])
    assert message["title"] == "【工单超时】report:2026-11-20"
    assert message["console"] == "http://console.test:8501/reports"


def test_resolving_quietly_leaves_acknowledged_alerts_and_sends_nothing(setup):
    config, state = setup
    first = _raise(config, state, "sla:1:first_response")
    second = _raise(config, state, "sla:2:first_response")
    acknowledge(state, second, "mon", NOW)
    assert resolve_quietly(state, "sla:1:first_response", NOW + timedelta(hours=1))
    assert not resolve_quietly(state, "sla:2:first_response", NOW)
    assert not resolve_quietly(state, "sla:3:first_response", NOW)
    statuses = {r["alert_id"]: r["status"] for r in state.query("SELECT * FROM alerts")}
    assert statuses == {first: "resolved", second: "acknowledged"}
    assert state.query("SELECT count(*) AS n FROM outbox")[0]["n"] == 2   # the two `new` only


def test_reading_alerts(setup):
    config, state = setup
    a = _raise(config, state, "post:a", level=1, rule="post")
    b = _raise(config, state, "post:b", level=2, rule="post", now=NOW + timedelta(hours=1))
    c = _raise(config, state, "sla:1:closure", level=1, now=NOW + timedelta(hours=2))
    _raise(config, state, "post:d", level=3, rule="post", now=NOW + timedelta(days=1))
    assert [r["alert_id"] for r in alerts_at_levels(state, [1, 2])] == [a, b, c]
    assert [r["alert_id"] for r in alerts_at_levels(state, [1, 2], exclude_rules=["sla"],
                                                    exclude_ids=[a])] == [b]
    assert [r["key"] for r in recent_alerts(state, 2)] == ["post:d", "sla:1:closure"]
    day = (iso(NOW), iso(NOW + timedelta(days=1)))
    assert count_raised(state, *day) == 3
    assert count_raised(state, *day, exclude_rules=("sla", "report")) == 2


def test_one_alert_and_the_newest_of_rule_types(setup):
    """督办 opens items from event and volume warnings, whatever their rules are called."""
    config, state = setup
    event = _raise(config, state, "event:a", rule="hot-events", rule_type="event")
    _raise(config, state, "sla:1:closure", now=NOW + timedelta(minutes=1))
    volume = _raise(config, state, "volume:b", rule="city-daily", rule_type="volume",
                    now=NOW + timedelta(minutes=2))
    assert get_alert(state, event)["key"] == "event:a" and get_alert(state, 999) is None
    assert [a["alert_id"] for a in recent_of_types(state, ["event", "volume"], 10)] == [volume, event]
    assert [a["alert_id"] for a in recent_of_types(state, ["event", "volume"], 1)] == [volume]
    assert [a["key"] for a in recent_of_types(state, ["sla"], 10)] == ["sla:1:closure"]


def test_explained_alerts_are_the_published_volume_and_spike_warnings_of_a_period(tmp_path):
    from alerts.config import VolumeRule
    from alerts.engine import apply_matches
    from alerts.model import Match

    config = make_config(tmp_path, review={3: "hold"},
                         reviewers=[{"role": "manager", "notifiers": ["log"]}])
    state = StateDB(config.state_path)
    spec = VolumeRule(name="v", type="volume")
    rule = type("Rule", (), {"reopen": True, "reminders": True})()
    why = {"count": 9, "expected": 2.0, "excess": 7.0, "baseline": "近30天每日平均",
           "unusual": {"method": "poisson", "count": 9, "mean": 2.0, "variance": 2.0,
                       "windows": 30, "z": 4.95, "p_value": 0.0002},
           "drivers": {"city": [{"value": "衡阳", "count": 9.0, "expected": 2.0, "excess": 7.0,
                                 "share": 1.0}]}, "words": [], "first_posts": []}
    matches = [Match(key="volume:v:city=衡阳", level=2, subject="衡阳 投诉量超出预警线", body="b",
                     explanation=why),
               Match(key="volume:v:city=株洲", level=3, subject="株洲 投诉量超出预警线", body="b",
                     explanation=why)]      # 三级 is held for review: not published yet
    apply_matches(state, config, spec, rule, matches, NOW, set())
    _raise(config, state, "sla:1:closure")  # no explanation
    rows = explained_alerts(state, iso(NOW), iso(NOW + timedelta(minutes=1)))
    assert [(r["title"], r["explanation"]) for r in rows] == [("【二级预警·橙色】衡阳 投诉量超出预警线", why)]
    assert rows[0]["lines"][0] == ("超出基线 7.0 条（9 条 vs 近30天每日平均 2.0 条）", "")
    assert explained_alerts(state, iso(NOW + timedelta(minutes=1)), iso(NOW + timedelta(hours=1))) == []
    state.close()
