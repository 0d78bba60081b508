"""Event rules: one alert per event as it grows, updated rather than raised again."""

from __future__ import annotations

import json
from datetime import timedelta

from alerts.cycle import list_alerts, run_cycle
from tests.alerts.conftest import NOW, log_lines, make_config, make_post, store_posts

EVENT_TEXTS = [
    "衡阳移动宽带又断网了，打10086也没人管，要求赔偿损失",
    "衡阳移动宽带断网三天，打10086没人管，我们要求赔偿",
    "衡阳这边移动宽带又断网了，10086打了没人管，要求赔偿",
    "衡阳移动宽带断网了，打了好几次10086没人管，强烈要求赔偿",
    "蒸湘区移动宽带又断网了，打10086也没人管，要求赔偿！",
    "衡阳移动宽带又双叒断网了，打10086也没人管，要求赔偿损失",
]

UNRELATED = [
    "长沙的移动信号在地铁里一直很差，视频都加载不出来",
    "套餐莫名其妙多了一个视频会员，每月扣十五块钱",
    "营业厅工作人员态度很差，办个销户推三阻四",
    "携号转网被拒绝了，说有合约没到期，我根本不记得签过",
    "5G套餐网速还不如以前4G，晚上高峰期基本用不了",
    "话费账单里有一笔国际漫游费，我从来没出过国",
    "客服电话排队半个小时还没人接",
    "家里宽带装了一个月了还没人上门，催了好几次",
]


def test_event_growth_is_an_update_not_a_new_alert(tmp_path):
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


def test_event_grows_from_3_to_30_as_one_alert(tmp_path, receiver):
    rule = {"name": "hot-event", "type": "event", "window": "6h", "min_posts": 3, "level": 3,
            "levels": [{"level": 2, "min_posts": 10}, {"level": 1, "min_posts": 30}],
            "realert": "30m", "severity_min": 2}
    config = make_config(tmp_path, rules=[rule], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url}])
    # Unrelated complaints around the event must stay out of it.
    store_posts(config, [make_post(30 + i, city="长沙", severity=2, text=text, title=text[:12])
                         for i, text in enumerate(UNRELATED)])
    steps = [3, 6, 10, 20, 30]
    made = 0
    clock = NOW
    for step, total in enumerate(steps):
        clock = NOW + timedelta(minutes=10 * step)
        texts = [EVENT_TEXTS[(made + i) % len(EVENT_TEXTS)] for i in range(total - made)]
        batch = [make_post(1 + i * 0.1, now=clock, city="衡阳", severity=3, title=text[:12],
                           text=f"{text}（{made + i}楼）") for i, text in enumerate(texts)]
        made = total
        store_posts(config, batch)
        run_cycle(config, now=clock)

    alerts = list_alerts(config)
    assert len(alerts) == 1
    event = alerts[0]
    assert event["rule"] == "hot-event" and event["status"] == "open" and event["level"] == 1
    assert len(json.loads(event["post_ids"])) == 30
    kinds = [b["kind"] for b in receiver.bodies]
    assert kinds[0] == "new" and kinds.count("new") == 1
    assert 2 <= len(kinds) <= 4  # escalations to 二级 and 一级, growth updates rate-limited
    assert "30 帖" in receiver.bodies[-1]["title"] and "首发" in receiver.bodies[-1]["body"]

    # A post arriving after the first ones left the window still joins the open event.
    late = NOW + timedelta(hours=7)
    store_posts(config, [make_post(1, now=late, city="衡阳", severity=3, title="宽带断网",
                                 text=EVENT_TEXTS[0] + "（续）")])
    run_cycle(config, now=late)
    assert len(list_alerts(config)) == 1
    assert len(json.loads(list_alerts(config)[0]["post_ids"])) == 31
    # Quiet for a whole window: resolved, with a notice.
    done = run_cycle(config, now=late + timedelta(hours=7))
    assert done["resolved"] == 1 and receiver.bodies[-1]["kind"] == "resolved"
