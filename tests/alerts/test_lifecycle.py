"""Realert with back-off, escalation, silences, digests, spike and flatline rules."""

from __future__ import annotations

from datetime import timedelta

from alerts.cycle import list_alerts, run_cycle
from alerts.engine import silence, unsilence
from crawler.schema import SCHEMA as CRAWLER_SCHEMA
from tests.alerts.conftest import NOW, log_lines, make_config, make_post, store_posts
from core.post import iso
from core.db import StateDB

BURST = {"name": "burst", "type": "volume", "group_by": ["city"], "window": "hour",
         "reference_days": 7, "coefficient": 3, "protection": 4, "severity_min": 1,
         "realert": "1h", "realert_backoff": 2, "realert_max": "3h"}


def _burst_forever(config, hours: int) -> None:
    """A quiet week (a post every 3 hours), then six posts an hour in 株洲 for `hours` hours."""
    store_posts(config, [make_post(180 * i, city="株洲") for i in range(1, 56)] + [make_post(60 * h + 10 * i, now=NOW + timedelta(hours=hours), city="株洲")
                         for h in range(hours + 1) for i in range(6)])


def test_reminders_back_off_exponentially_and_cap(tmp_path):
    config = make_config(tmp_path, rules=[BURST])
    _burst_forever(config, 12)
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
    _burst_forever(config, 4)
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


def test_spike_up_and_down(tmp_path):
    rule = {"name": "spike", "type": "spike", "group_by": ["city"], "window": "1h",
            "direction": "both", "ratio": 3, "min_current": 6, "min_previous": 6}
    config = make_config(tmp_path, rules=[rule])
    store_posts(config, [make_post(70 + i, city="常德") for i in range(2)]
                + [make_post(5 + i, city="常德") for i in range(8)]       # 2 → 8: up
                + [make_post(65 + i, city="益阳") for i in range(9)]      # 9 → 1: down
                + [make_post(10, city="益阳")])
    run_cycle(config, now=NOW)
    titles = sorted(m["title"] for m in log_lines(tmp_path))
    assert len(titles) == 2
    assert "常德 投诉量激增：近1小时 8 条（前1小时 2 条）" in titles[0] + titles[1]
    assert "益阳 投诉量骤降" in titles[0] + titles[1]


def test_flatline_names_the_silent_source(tmp_path):
    rule = {"name": "crawler-silent", "type": "flatline", "timeframe": "2h"}
    sources = [{"name": name, "type": "rss", "url": "http://127.0.0.1:9/x"}
               for name in ("alive", "dead", "new")]
    config = make_config(tmp_path, rules=[rule])
    config.sources = make_config(tmp_path).__class__.model_validate(
        {"sources": sources}).sources
    state = StateDB(config.state_path)
    state.ensure(CRAWLER_SCHEMA)  # runs in the past: written by hand, not by the crawler
    for source, started in (("alive", NOW - timedelta(hours=5)), ("dead", NOW - timedelta(hours=5)),
                            ("dead", NOW - timedelta(minutes=10)), ("new", NOW - timedelta(minutes=30))):
        state.execute("INSERT INTO source_runs (source, started_at, items, status, last_error) "
                      "VALUES (?, ?, 0, ?, ?)", (source, iso(started),
                                                 "failed" if source == "dead" else "ok",
                                                 "HTTP 403" if source == "dead" else None))
    state.close()
    store_posts(config, [make_post(30, source="alive"), make_post(400, source="dead")])
    run_cycle(config, now=NOW)
    alerts = list_alerts(config)
    assert [a["key"] for a in alerts] == ["flatline:crawler-silent:dead"]
    assert "HTTP 403" in alerts[0]["body"] and "dead" in alerts[0]["title"]
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=20), source="dead")])
    counts = run_cycle(config, now=NOW + timedelta(minutes=20))
    assert counts["resolved"] == 1 and log_lines(tmp_path)[-1]["kind"] == "resolved"


def test_event_growth_is_an_update_not_a_new_alert(tmp_path):
    from tests.alerts.test_scenarios import EVENT_TEXTS

    rule = {"name": "ev", "type": "event", "levels": [], "realert": "10m", "update_growth": 2}
    config = make_config(tmp_path, rules=[rule])
    made = 0
    for step, total in enumerate([3, 4, 7, 8]):
        clock = NOW + timedelta(minutes=15 * step)
        store_posts(config, [make_post(1, now=clock, severity=3, title=EVENT_TEXTS[i % 6][:12],
                                       text=f"{EVENT_TEXTS[i % 6]}（{i}）") for i in range(made, total)])
        made = total
        run_cycle(config, now=clock)
    # 3 → new; 4 (< 2×3) → nothing; 7 (≥ 6, realert passed) → update; 8 → nothing
    assert [(m["kind"], len(m["post_ids"])) for m in log_lines(tmp_path)] == [("new", 3), ("update", 7)]
    assert log_lines(tmp_path)[1]["title"].startswith("【三级预警·黄色·更新】")
    assert len(list_alerts(config)) == 1


def test_volume_base_is_backfilled_a_chunk_per_cycle(tmp_path):
    from alerts.model import Context
    from alerts.volume_rules import VolumeRuleType
    from indexer import open_store

    rule = {**BURST, "window": "day", "reference_days": 40}
    config = make_config(tmp_path, rules=[rule])
    # 1 post a day for days 1-20 back, 3 a day for days 21-40 back
    store_posts(config, [make_post(1440 * d + 30 + i, city="株洲")
                         for d in range(1, 41) for i in range(1 if d <= 20 else 3)])
    volume = VolumeRuleType(config.warnings.rules[0], config)
    state = StateDB(config.state_path)
    seen = []
    with open_store(config) as store:
        for minute in range(4):
            ctx = Context(store=store, state=state, now=NOW + timedelta(minutes=minute), config=config)
            bases, days = volume.bases(ctx)
            seen.append((days, round(bases["city=株洲"], 2)))
    assert seen == [(15, 1.0), (30, 1.67), (40, 2.0), (40, 2.0)]
    state.close()
