"""Volume rules: a spike up and down, the base backfilled a chunk per cycle, a burst in one city
going to that branch, and a quiet slice under protection."""

from __future__ import annotations

from datetime import timedelta

from alerts.cycle import list_alerts, run_cycle
from core.db import StateDB
from tests.alerts.conftest import BURST, NOW, log_lines, make_config, make_post, store_posts


def _history(city: str, per_day: int, days: int) -> list:
    return [make_post(24 * 60 * day + 60 + 97 * i, city=city) for day in range(1, days + 1)
            for i in range(per_day)]

VOLUME = {"name": "city-volume", "type": "volume", "group_by": ["city"], "window": "day",
          "reference_days": 30, "coefficient": 3, "protection": 5, "severity_min": 1,
          "realert": "6h"}


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


def test_burst_in_one_city_goes_to_that_branch_and_resolves(tmp_path, receiver):
    config = make_config(tmp_path, rules=[VOLUME], notifiers=[
        {"name": "hengyang", "type": "webhook", "url": receiver.url + "?city=hy", "cities": ["衡阳"]},
        {"name": "changsha", "type": "webhook", "url": receiver.url + "?city=cs", "cities": ["长沙"]},
    ])
    posts = _history("衡阳", 2, 30) + _history("长沙", 2, 30)
    posts += [make_post(10 + 30 * i, city="衡阳") for i in range(20)]   # 20 in the last day: 10× base
    posts += [make_post(10 + 60 * i, city="长沙") for i in range(3)]    # normal day
    store_posts(config, posts)

    counts = run_cycle(config, now=NOW)
    assert counts["new_alerts"] == 1 and counts["sent"] == 1
    assert receiver.paths == ["/hook?city=hy"]
    message = receiver.bodies[0]
    assert message["kind"] == "new" and message["city"] == "衡阳"
    assert message["title"].endswith("衡阳 投诉量超出预警线：近24小时 20 条")
    assert "基线" in message["body"] and "保护值 5" in message["body"]
    assert message["posts"] and all(p["city"] == "衡阳" for p in message["posts"])

    # Still over the line an hour later: suppressed (realert 6h), not repeated.
    assert run_cycle(config, now=NOW + timedelta(hours=1))["sent"] == 0
    # The burst leaves the window: one resolved notice to the same branch.
    later = run_cycle(config, now=NOW + timedelta(hours=25))
    assert later["resolved"] == 1 and later["sent"] == 1
    assert receiver.bodies[-1]["kind"] == "resolved" and "解除" in receiver.bodies[-1]["title"]
    assert receiver.paths == ["/hook?city=hy"] * 2
    assert list_alerts(config)[0]["status"] == "resolved"


def test_quiet_slice_stays_under_protection(tmp_path):
    config = make_config(tmp_path, rules=[VOLUME])
    # 湘西 has no history at all: base 0, so only the protection value stands between 4 posts
    # and a warning.
    store_posts(config, _history("长沙", 1, 10) + [make_post(20 * i + 5, city="湘西") for i in range(4)])
    counts = run_cycle(config, now=NOW)
    assert counts["new_alerts"] == 0 and log_lines(tmp_path) == []
