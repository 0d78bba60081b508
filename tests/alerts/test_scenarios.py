"""The issue's scenarios against real local peers (HTTP receiver, SMTP server) on a fixed clock."""

from __future__ import annotations

import email
import json
import threading
import uuid
from datetime import timedelta
from email import policy

from alerts.cycle import list_alerts, run_cycle
from tests.alerts.conftest import NOW, log_lines, make_config, make_post, store_posts
from core.db import StateDB


def outbox_rows(config):
    state = StateDB(config.state_path)
    rows = state.query("SELECT * FROM outbox ORDER BY message_id")
    state.close()
    return rows


def test_tier4_post_reaches_webhook_and_mail_once(tmp_path, receiver, smtp_server):
    controller, mailbox = smtp_server
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "wecom", "type": "webhook", "format": "wecom", "url": receiver.url},
        {"name": "mail", "type": "smtp", "host": "127.0.0.1", "port": controller.port,
         "security": "none", "sender": "radar@test", "to": ["duty@test"], "levels": [1]},
    ])
    hot = make_post(3, city="衡阳", severity=4, influence=0.8, title="移动乱扣费，已向工信部投诉并联系媒体曝光")
    mild = make_post(4, city="长沙", severity=3, influence=0.1, title="投诉退费")
    store_posts(config, [hot, mild, make_post(5, severity=1)])

    counts = run_cycle(config, now=NOW)
    assert counts["new_alerts"] == 2 and counts["sent"] == counts["queued"] == 3  # mail: 一级 only
    alerts = {a["key"]: a for a in list_alerts(config)}
    red = alerts[f"post:{hot.id}"]
    assert red["level"] == 1 and red["title"].startswith("【一级预警·红色】衡阳")
    assert alerts[f"post:{mild.id}"]["level"] == 3

    content = [b["markdown"]["content"] for b in receiver.bodies]
    red_text = next(c for c in content if "一级预警" in c)
    assert hot.url in red_text
    assert f"http://console.test:8501/warnings?alert={red['alert_id']}" in red_text
    assert receiver.headers[0]["Idempotency-Key"]

    assert len(mailbox.messages) == 1
    _, rcpt, raw = mailbox.messages[0]
    assert rcpt == ["duty@test"]
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"].startswith("【一级预警·红色】")
    html = mail.get_body(("html",)).get_content()
    assert f'href="{hot.url}"' in html and "工信部" in html

    again = run_cycle(config, now=NOW + timedelta(minutes=1))
    assert again["new_alerts"] == 0 and again["queued"] == 0 and again["sent"] == 0
    assert len(receiver.bodies) == 2 and len(mailbox.messages) == 1


def _history(city: str, per_day: int, days: int) -> list:
    return [make_post(24 * 60 * day + 60 + 97 * i, city=city) for day in range(1, days + 1)
            for i in range(per_day)]


VOLUME = {"name": "city-volume", "type": "volume", "group_by": ["city"], "window": "day",
          "reference_days": 30, "coefficient": 3, "protection": 5, "severity_min": 1,
          "realert": "6h"}


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
    assert "衡阳" in message["title"] and "20 条" in message["title"]
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


def test_receiver_down_for_hours_then_delivered_exactly_once(tmp_path, receiver):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url},
        {"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}])
    store_posts(config, [make_post(2, severity=4, influence=0.9), make_post(3, severity=3)])
    receiver.stop()
    first = run_cycle(config, now=NOW)
    assert first["queued"] == 4 and first["sent"] == 2 and first["failed"] == 1  # the file works
    for minutes in range(10, 4 * 60, 10):  # four hours of cycles against a dead channel
        counts = run_cycle(config, now=NOW + timedelta(minutes=minutes))
        assert counts["sent"] == 0
    waiting = [r for r in outbox_rows(config) if r["notifier"] == "hook"]
    assert all(r["status"] == "pending" and r["attempts"] >= 5 for r in waiting)
    assert receiver.url not in waiting[0]["last_error"] and "hook" in waiting[0]["last_error"]

    receiver.start()
    back = run_cycle(config, now=NOW + timedelta(hours=4, minutes=16))
    assert back["sent"] == 2
    for minutes in (20, 40, 60):
        assert run_cycle(config, now=NOW + timedelta(hours=4, minutes=minutes))["sent"] == 0
    assert len(receiver.bodies) == 2
    assert len({b["message_id"] for b in receiver.bodies}) == 2
    assert len(log_lines(tmp_path)) == 2


def test_restart_and_concurrent_cycles_raise_nothing_twice(tmp_path, receiver):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url}])
    store_posts(config, [make_post(i + 1, severity=4) for i in range(5)])
    threads = [threading.Thread(target=run_cycle, args=(config,), kwargs={"now": NOW})
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list_alerts(config)) == 5 and len(receiver.bodies) == 5

    # A process died while sending: the message is claimed but not marked sent. After its lease
    # runs out the next cycle (a fresh process) sends it, once.
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=5), severity=4)])
    receiver.stop()
    run_cycle(config, now=NOW + timedelta(minutes=5))
    state = StateDB(config.state_path)
    state.execute("UPDATE outbox SET status = 'sending', lease_until = ? WHERE status = 'pending'",
                  (int((NOW + timedelta(minutes=6)).timestamp()),))
    state.close()
    receiver.start()
    assert run_cycle(config, now=NOW + timedelta(minutes=5, seconds=30))["sent"] == 0  # leased
    assert run_cycle(config, now=NOW + timedelta(minutes=7))["sent"] == 1
    assert run_cycle(config, now=NOW + timedelta(minutes=30))["sent"] == 0
    assert len(receiver.bodies) == 6 and len(list_alerts(config)) == 6


def test_a_failing_webhook_never_writes_its_key_into_the_outbox(tmp_path, receiver, monkeypatch):
    """A robot that refuses the message quoting the request URL back (key, signature and all)."""
    secret = f"Hk-{uuid.uuid4().hex}"
    monkeypatch.setenv("TOUSU_TEST_KEY", secret)
    monkeypatch.setenv("TOUSU_TEST_SIGN", f"Sg-{uuid.uuid4().hex}")
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "ding", "type": "webhook", "format": "dingtalk", "secret": "${TOUSU_TEST_SIGN}",
         "url": receiver.url + "?access_token=${TOUSU_TEST_KEY}"}])
    receiver.reply = {"errcode": 310000, "errmsg": "sign not match, more: [" + receiver.url
                      + f"?access_token={secret}&timestamp=1&sign=c2lnbmF0dXJl]"}
    store_posts(config, [make_post(2, severity=4, influence=0.9)])
    assert run_cycle(config, now=NOW)["failed"] == 1
    assert secret in receiver.paths[0]                     # the key was sent, to the robot only
    rows = outbox_rows(config)
    error = rows[0]["last_error"]
    assert error.startswith("notifier ding: rejected: 310000 sign not match")
    assert "access_token=${TOUSU_TEST_KEY}" in error and "sign=***" in error
    for row in rows:
        assert secret not in json.dumps(row, ensure_ascii=False)
