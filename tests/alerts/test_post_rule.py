"""The post rule against real local peers (HTTP receiver, SMTP server) on a fixed clock: a tier-4
post reaches webhook and mail once."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

from alerts.cycle import list_alerts, run_cycle
from tests.alerts.conftest import NOW, make_config, make_post, store_posts


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
