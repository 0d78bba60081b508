"""Realert with back-off, acknowledgement, level rises, silences and the low levels' hourly digest."""

from __future__ import annotations

from datetime import timedelta

from alerts.cycle import list_alerts, run_cycle
from alerts.engine import silence, unsilence
from core.db import StateDB
from tests.alerts.conftest import BURST, NOW, burst_forever, log_lines, make_config, make_post, store_posts


def test_reminders_back_off_exponentially_and_cap(tmp_path):
    config = make_config(tmp_path, rules=[BURST])
    burst_forever(config, 12)
    for half_hours in range(0, 2 * 12 + 1):
        run_cycle(config, now=NOW + timedelta(minutes=30 * half_hours))
    kinds = [(m["kind"], m["created_at"][11:16]) for m in log_lines(tmp_path)]
    # new at 10:00, then after 1h, 2h, then capped at 3h: 11:00, 13:00, 16:00, 19:00, 22:00
    assert kinds == [("new", "10:00"), ("reminder", "11:00"), ("reminder", "13:00"),
                     ("reminder", "16:00"), ("reminder", "19:00"), ("reminder", "22:00")]
    assert len(list_alerts(config)) == 1


def test_acknowledged_alert_gets_no_reminders_but_resolves(tmp_path):
    from alerts.engine import acknowledge

    config = make_config(tmp_path, rules=[BURST])
    burst_forever(config, 4)
    run_cycle(config, now=NOW)
    state = StateDB(config.state_path)
    alert_id = list_alerts(config)[0]["alert_id"]
    assert acknowledge(state, alert_id, "monitor1", NOW) and not acknowledge(state, alert_id, "x")
    for hours in range(1, 5):
        run_cycle(config, now=NOW + timedelta(hours=hours))
    assert [m["kind"] for m in log_lines(tmp_path)] == ["new"]
    assert list_alerts(config)[0]["status"] == "acknowledged" and len(list_alerts(config)) == 1
    run_cycle(config, now=NOW + timedelta(hours=7))
    assert [m["kind"] for m in log_lines(tmp_path)] == ["new", "resolved"]
    state.close()


def test_level_rise_is_notified_at_once(tmp_path):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}])
    post = make_post(2, severity=4, influence=0.1)
    store_posts(config, [post])
    run_cycle(config, now=NOW)
    post.influence = 0.9  # the thread is spreading
    store_posts(config, [post])
    run_cycle(config, now=NOW + timedelta(minutes=1))
    assert [(m["kind"], m["level"]) for m in log_lines(tmp_path)] == [("new", 2), ("escalated", 1)]
    assert log_lines(tmp_path)[1]["title"].startswith("【一级预警·红色·升级】")


def test_silence_by_rule_and_by_key(tmp_path):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}])
    state = StateDB(config.state_path)
    silence(state, "post", NOW + timedelta(hours=1), "演练", NOW)
    store_posts(config, [make_post(1, severity=4)])
    counts = run_cycle(config, now=NOW)
    assert counts["new_alerts"] == 1 and counts["queued"] == 0  # recorded, not sent
    assert unsilence(state, "post")
    quiet = make_post(1, now=NOW + timedelta(minutes=5), severity=4)
    silence(state, f"post:{quiet.id}", NOW + timedelta(days=1), "", NOW)
    store_posts(config, [quiet, loud := make_post(2, now=NOW + timedelta(minutes=5), severity=4)])
    run_cycle(config, now=NOW + timedelta(minutes=5))
    assert [m["post_ids"] for m in log_lines(tmp_path)] == [[loud.id]]
    state.close()


def test_low_levels_go_out_as_an_hourly_digest(tmp_path):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl"),
         "digest_levels": [3], "digest_every": "1h"}])
    store_posts(config, [make_post(5, severity=3), make_post(6, severity=3, city="岳阳"),
                         make_post(7, severity=4, influence=0.9)])
    run_cycle(config, now=NOW + timedelta(minutes=10))
    assert [m["kind"] for m in log_lines(tmp_path)] == ["new"]  # 一级 at once, 三级 held
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=40), severity=3, city="郴州")])
    run_cycle(config, now=NOW + timedelta(minutes=40))
    assert len(log_lines(tmp_path)) == 1
    counts = run_cycle(config, now=NOW + timedelta(hours=1, minutes=1))
    assert counts["digests"] == 1
    digest = log_lines(tmp_path)[-1]
    assert digest["kind"] == "digest" and digest["title"].startswith("【预警汇总】3 条")
    assert len(digest["items"]) == 3 and "郴州" in digest["title"]
    run_cycle(config, now=NOW + timedelta(hours=2, minutes=1))
    assert len(log_lines(tmp_path)) == 2
