"""Event rules: one alert per event as it grows, updated rather than raised again; its notices say
how it spread."""

from __future__ import annotations

import email
import json
from dataclasses import replace
from datetime import timedelta
from email import policy

from alerts.api import get_alert
from alerts.event_rule import SPREAD_REFRESH
from alerts.cycle import list_alerts, run_cycle
from core.db import StateDB
from core.post import iso
from tests.alerts.conftest import NOW, log_lines, make_config, make_post, received, store_posts

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


def _data(config) -> dict:
    """The data of the one alert, as stored."""
    state = StateDB(config.state_path)
    row = get_alert(state, list_alerts(config)[0]["alert_id"])
    state.close()
    return json.loads(row["data"])


PHISH_NAME = "[官方客服](http://phish.example/a)"
SCRIPT_NAME = "<script>alert(1)</script>**加急**"


def test_an_event_notice_says_how_it_spread_inert_in_every_channel(tmp_path, receiver,
                                                                    smtp_server):
    """An event whose posts reply to its first post (and one to a reply): every channel's notice
    counts the reposts/replies, names the accounts that spread it most and the depth; account
    names that carry markup stay text. Real webhook receiver and SMTP server."""
    controller, mailbox = smtp_server

    def hook(name: str, fmt: str) -> dict:
        return {"name": name, "type": "webhook", "format": fmt, "url": f"{receiver.url}?to={name}"}

    config = make_config(tmp_path, rules=[{"name": "ev", "type": "event", "levels": []}], notifiers=[
        hook("wecom", "wecom"), hook("dingtalk", "dingtalk"), hook("feishu", "feishu"),
        {"name": "mail", "type": "smtp", "host": "127.0.0.1", "port": controller.port,
         "security": "none", "sender": "radar@test", "to": ["duty@test"]}])
    root = replace(make_post(50, severity=3, text=EVENT_TEXTS[0]), author=PHISH_NAME)
    first = replace(make_post(40, severity=3, text=EVENT_TEXTS[1]), author=SCRIPT_NAME,
                    reply_to=root.url)
    second = replace(make_post(30, severity=3, text=EVENT_TEXTS[2]), reply_to=root.url)
    deeper = replace(make_post(20, severity=3, text=EVENT_TEXTS[3]), reply_to=first.url)
    # Not similar to the event, so not one of its posts: found as a relative by its reply_to.
    bare = replace(make_post(10, severity=1, text="转发微博"), reply_to=root.url)
    store_posts(config, [root, first, second, deeper, bare])

    counts = run_cycle(config, now=NOW)
    assert counts["errors"] == [] and counts["sent"] == 4
    spread = _data(config)["spread"]
    assert spread == {"posts": 5, "relations": 4, "depth": 2, "amplifiers": [
        {"author": PHISH_NAME, "source": "forum", "reach": 4},
        {"author": SCRIPT_NAME, "source": "forum", "reach": 1}]}
    summary = "可追溯的转发/回复 4 条（共 5 帖），最长传播链 2 层"

    for name, field in (("wecom", "content"), ("dingtalk", "text")):
        markdown = received(receiver, name)[0]["markdown"][field]
        assert "**传播**" in markdown and f"- {summary}" in markdown
        assert "主要扩散账号：［官方客服］（http://phish.example/a）（forum，带动 4 帖）" in markdown
        assert "](http://phish" not in markdown and "<script>" not in markdown
        assert "**加急**" not in markdown and "＜script＞alert（1）＜/script＞＊＊加急＊＊" in markdown

    tags = [t for line in received(receiver, "feishu")[0]["content"]["post"]["zh_cn"]["content"]
            for t in line]
    texts = [t["text"] for t in tags if t["tag"] == "text"]
    assert "传播：" in texts and summary in texts
    assert any(PHISH_NAME in t and SCRIPT_NAME in t for t in texts if t.startswith("主要扩散账号"))
    assert not any("phish" in t["href"] for t in tags if t["tag"] == "a")

    mail = email.message_from_bytes(mailbox.messages[0][2], policy=policy.default)
    html = mail.get_body(("html",)).get_content()
    assert "<h3>传播</h3>" in html and f"<li>{summary}</li>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert 'href="http://phish' not in html
    assert f"· {summary}" in mail.get_body(("plain",)).get_content()


def test_an_open_events_spread_is_kept_while_its_posts_are_unchanged_and_recomputed_when_one_joins(
        tmp_path):
    """Computing a spread reads all its posts, so an open event whose posts are the same as last
    cycle keeps its summary — for at most SPREAD_REFRESH, after which a repost that is not one of
    its posts shows too."""
    config = make_config(tmp_path, rules=[{"name": "ev", "type": "event", "levels": [],
                                           "window": "2h"}])
    def similar(minutes_ago, n, now=NOW):  # its text alone, whatever its serial number
        return make_post(minutes_ago, now=now, severity=3, text=EVENT_TEXTS[n],
                         title=EVENT_TEXTS[n][:12])

    root = similar(50, 0)
    replies = [replace(similar(40 - 10 * i, 1 + i), reply_to=root.url) for i in range(2)]
    store_posts(config, [root, *replies])
    run_cycle(config, now=NOW)
    assert _data(config)["spread"]["relations"] == 2 and _data(config)["spread_at"] == iso(NOW)

    # a bare repost is a relative, not one of the event's posts: the event is unchanged
    store_posts(config, [replace(make_post(0, now=NOW + timedelta(minutes=1), severity=1,
                                           text="转发微博"), reply_to=root.url)])
    run_cycle(config, now=NOW + timedelta(minutes=1))
    assert _data(config)["spread"]["relations"] == 2 and _data(config)["spread_at"] == iso(NOW)

    # a similar post joins: the event changed, its spread is computed again (with the repost)
    joined = NOW + timedelta(minutes=2)
    store_posts(config, [replace(similar(0, 3, now=joined), reply_to=root.url)])
    run_cycle(config, now=joined)
    assert len(json.loads(list_alerts(config)[0]["post_ids"])) == 4
    assert _data(config)["spread"]["relations"] == 4 and _data(config)["spread_at"] == iso(joined)

    # another bare repost shows once the summary is SPREAD_REFRESH old
    store_posts(config, [replace(make_post(0, now=joined, severity=1, text="转发微博"),
                                 reply_to=root.url)])
    run_cycle(config, now=joined + SPREAD_REFRESH - timedelta(seconds=1))
    assert _data(config)["spread"]["relations"] == 4
    run_cycle(config, now=joined + SPREAD_REFRESH)
    assert _data(config)["spread"]["relations"] == 5
    assert _data(config)["spread_at"] == iso(joined + SPREAD_REFRESH)


def test_an_event_without_known_reposts_or_replies_says_nothing_of_spread(tmp_path, receiver):
    config = make_config(tmp_path, rules=[{"name": "ev", "type": "event", "levels": []}],
                         notifiers=[{"name": "wecom", "type": "webhook", "format": "wecom",
                                     "url": receiver.url}])
    store_posts(config, [make_post(10 + i, severity=3, text=t) for i, t in enumerate(EVENT_TEXTS)])
    assert run_cycle(config, now=NOW)["sent"] == 1
    assert "spread" not in _data(config)
    assert "传播" not in receiver.bodies[0]["markdown"]["content"]
