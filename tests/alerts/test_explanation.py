"""A replayed day whose excess is injected from known cities, a source and an event: the
explanation names them with the right shares, every dimension's parts sum to the excess, and
the notices carry it — inert — to a real webhook receiver (WeCom, DingTalk, Feishu) and SMTP
server. Real SQLite, a fixed clock."""

from __future__ import annotations

import email
import json
import math
from dataclasses import replace
from datetime import timedelta
from email import policy

import pytest

from alerts.api import explained_alerts, get_alert
from alerts.cycle import list_alerts, run_cycle
from alerts.explanation import NO_EVENT, OTHERS, decompose, unusual_line
from alerts.messages import payload, render_text, why_lines
from alerts.notifiers import REGISTRY, webhook_body
from core.db import StateDB
from core.post import iso
from tests.alerts.conftest import NOW, make_config, make_post, received, store_posts

CATEGORY = "网络覆盖/信号"
EVENT = {"name": "events", "type": "event", "window": "6h"}
VOLUME = {"name": "category-volume", "type": "volume", "group_by": ["category"], "window": "day",
          "reference_days": 30, "coefficient": 2, "protection": 5, "severity_min": 1}
SPIKE = {"name": "category-spike", "type": "spike", "group_by": ["category"], "window": "6h",
         "ratio": 3, "min_current": 10, "severity_min": 1}
OUTAGE = "衡阳移动宽带又断网了，打10086也没人管，要求赔偿损失"
OTHER_TEXTS = ["株洲的移动信号在地铁里一直很差，视频都加载不出来",
               "套餐莫名其妙多了一个视频会员，每月扣十五块钱",
               "营业厅工作人员态度很差，办个销户推三阻四",
               "携号转网被拒绝了，说有合约没到期，我根本不记得签过",
               "话费账单里有一笔国际漫游费，我从来没出过国"]


def _usual(minutes_ago: float, i: int):
    """An ordinary post: 长沙 and 衡阳, forum and tieba in turn, mild (not clustered as 事件)."""
    post = make_post(minutes_ago, city=("长沙", "衡阳")[i % 2], source=("forum", "tieba")[i // 2 % 2],
                     severity=1, text=f"普通的咨询帖子{i}号，想问问{minutes_ago:.0f}分钟前的事")
    return replace(post, keywords=["宽带"] if i % 4 == 0 else ["信号"])


def replayed_day() -> tuple[list, list, list]:
    """30 days of 4 ordinary posts a day, then a day of the same 4 plus 15 outage posts from 衡阳
    and 5 unrelated ones from 株洲, all 20 injected from weibo."""
    history = [_usual(24 * 60 * day + 60 + 97 * i, i) for day in range(1, 31) for i in range(4)]
    today = [_usual(100 + 97 * i, i) for i in range(4)]
    outage = [replace(make_post(15 + 12 * i, city="衡阳", source="weibo", severity=2,
                                text=f"{OUTAGE}，第{i}次了"),
                      keywords=["断网", "赔偿"] + (["宽带"] if i < 10 else [])) for i in range(15)]
    zhuzhou = [replace(make_post(20 + 17 * i, city="株洲", source="weibo", severity=2,
                                 text=OTHER_TEXTS[i]), keywords=["信号"]) for i in range(5)]
    return history, today, outage + zhuzhou


def _explanation(config, alert):
    state = StateDB(config.state_path)
    row = get_alert(state, alert["alert_id"])
    state.close()
    return json.loads(row["explanation"])


def _parts(explanation, dimension):
    return {p["value"]: p for p in explanation["drivers"][dimension]}


def test_replayed_excess_is_named_with_its_shares(tmp_path, receiver, smtp_server):
    controller, mailbox = smtp_server
    config = make_config(tmp_path, rules=[EVENT, VOLUME], notifiers=[
        *[{"name": fmt, "type": "webhook", "format": fmt, "url": f"{receiver.url}?to={fmt}",
           "rules": ["category-volume"]} for fmt in ("wecom", "dingtalk", "feishu")],
        {"name": "mail", "type": "smtp", "host": "127.0.0.1", "port": controller.port,
         "security": "none", "sender": "radar@test", "to": ["duty@test"],
         "rules": ["category-volume"]}])
    history, today, injected = replayed_day()
    store_posts(config, history + today + injected)

    counts = run_cycle(config, now=NOW)
    assert counts["errors"] == []
    alert = next(a for a in list_alerts(config) if a["rule"] == "category-volume")
    explanation = _explanation(config, alert)
    # 24 posts against a base of 4 a day: an excess of 20.
    assert explanation["count"] == 24 and explanation["expected"] == 4
    assert explanation["excess"] == 20
    for dimension in ("source", "city", "event"):
        parts = explanation["drivers"][dimension]
        assert sum(p["excess"] for p in parts) == pytest.approx(20, abs=1e-6), dimension
        assert sum(p["share"] for p in parts) == pytest.approx(1, abs=1e-3), dimension
    assert "category" not in explanation["drivers"]  # the slice is the category

    city = _parts(explanation, "city")
    assert city["衡阳"]["share"] == pytest.approx(0.75) and city["衡阳"]["count"] == 17
    assert city["株洲"]["share"] == pytest.approx(0.25) and city["株洲"]["expected"] == 0
    assert city["长沙"]["excess"] == pytest.approx(0, abs=1e-6)
    assert explanation["drivers"]["city"][0]["value"] == "衡阳"
    source = _parts(explanation, "source")
    assert source["weibo"]["share"] == pytest.approx(1) and source["weibo"]["excess"] == 20
    assert source["forum"]["excess"] == pytest.approx(0, abs=1e-6)

    event_alert = next(a for a in list_alerts(config) if a["rule"] == "events")
    events = explanation["drivers"]["event"]
    assert events[0]["alert_id"] == event_alert["alert_id"]
    assert events[0]["count"] == 15 and events[0]["share"] == pytest.approx(0.75)
    assert _parts(explanation, "event")[NO_EVENT]["share"] == pytest.approx(0.25)

    words = {w["word"]: w for w in explanation["words"]}
    assert explanation["words"][0]["word"] == "断网" and words["断网"]["posts"] == 15
    assert words["断网"]["expected"] == 0 and words["断网"]["share"] == pytest.approx(0.75)
    assert words["宽带"]["posts"] == 11 and words["宽带"]["expected"] == 1
    assert words["宽带"]["excess"] == 10
    assert "信号" not in words  # 8 today against 3 a day before: not three times as frequent

    # Where the increase began: weibo accounts for all of it, so its first posts (not the
    # window's ordinary first posts from the night before).
    assert explanation["lead"] == {"dimension": "source", "value": "weibo", "share": 1.0}
    first = [p.id for p in sorted(injected, key=lambda p: p.published_at)][:3]
    assert [p["id"] for p in explanation["first_posts"]] == first

    # A constant 4 a day: Poisson(4); 24 is z = (24 − 4) / 2 = 10 standard deviations out. A
    # new rule's first cycle counts 15 days back (VolumeRuleType.BACKFILL_DAYS): 15 windows.
    unusual = explanation["unusual"]
    assert unusual["method"] == "poisson" and unusual["windows"] == 15
    assert unusual["z"] == pytest.approx(10) and unusual["p_value"] < 1e-9

    # Every channel, through the real receiver and SMTP server, carries the parts and shares.
    mail = email.message_from_bytes(mailbox.messages[0][2], policy=policy.default)
    feishu = received(receiver, "feishu")[0]["content"]["post"]["zh_cn"]["content"]
    for content in (received(receiver, "wecom")[0]["markdown"]["content"],
                    received(receiver, "dingtalk")[0]["markdown"]["text"],
                    "\n".join(t["text"] for line in feishu for t in line),
                    mail.get_body(("html",)).get_content(), mail.get_body(("plain",)).get_content()):
        assert "为何预警" in content and "按地市：衡阳 +15.0 条" in content and "占 75%" in content
        assert "按来源：weibo +20.0 条" in content and "z = 10.00" in content
        assert "新词：断网（15 帖，基线 0.0，占超出部分的 75%）" in content
        assert "首发（来源 weibo）" in content

    state = StateDB(config.state_path)
    rows = explained_alerts(state, iso(NOW - timedelta(hours=1)), iso(NOW + timedelta(hours=1)))
    state.close()
    assert [r["alert_id"] for r in rows] == [alert["alert_id"]]
    assert rows[0]["explanation"] == explanation
    assert any("衡阳" in text for text, _ in rows[0]["lines"])


def test_spike_explains_against_the_previous_window(tmp_path):
    config = make_config(tmp_path, rules=[SPIKE])
    _, today, injected = replayed_day()
    # The previous 6 h held the 4 ordinary posts' like: two from 长沙 (forum) and two from 衡阳.
    earlier = [_usual(6 * 60 + 30 + 60 * i, i) for i in range(4)]
    store_posts(config, earlier + injected)
    assert run_cycle(config, now=NOW)["errors"] == []
    explanation = _explanation(config, list_alerts(config)[0])
    assert explanation["count"] == 20 and explanation["expected"] == 4
    city = _parts(explanation, "city")
    assert sum(p["excess"] for p in explanation["drivers"]["city"]) == pytest.approx(16)
    assert city["衡阳"]["excess"] == pytest.approx(13) and city["长沙"]["excess"] == pytest.approx(-2)
    unusual = explanation["unusual"]
    # P(X ≥ 20 | 24, ½) = Σ_{k≥20} C(24, k) / 2²⁴; z = (20 − 4) / √24.
    assert unusual["method"] == "binomial"
    assert unusual["p_value"] == pytest.approx(
        sum(math.comb(24, k) for k in range(20, 25)) / 2 ** 24, rel=1e-3)
    assert unusual["z"] == pytest.approx(16 / math.sqrt(24), abs=1e-4)
    assert explanation["baseline"] == "前6小时"


def test_parts_sum_to_the_excess_whatever_the_mix():
    parts = decompose({"a": 7, "b": 2, "c": 1}, {"a": 3, "b": 6, "d": 1}, 12, 5.0)
    assert sum(p["excess"] for p in parts) == pytest.approx(7)
    assert sum(p["share"] for p in parts) == pytest.approx(1)
    # Several categories a post: counts scaled to the window's 12 posts and the baseline's 5.
    assert sum(p["count"] for p in parts) == pytest.approx(12)
    assert sum(p["expected"] for p in parts) == pytest.approx(5)
    assert parts[0]["value"] == "a"
    # A value new today gets its whole count; a fall is a negative part.
    by_value = {p["value"]: p for p in parts}
    assert by_value["c"]["expected"] == 0 and by_value["b"]["excess"] < 0
    # No baseline at all: expected spread like the window; still sums.
    flat = decompose({"a": 3, "b": 1}, {}, 4, 2.0)
    assert sum(p["excess"] for p in flat) == pytest.approx(2)
    assert decompose({}, {"a": 1}, 3, 1.0)[0]["value"] in ("a", OTHERS)


PHISH = "[官方客服](http://phish.example/login) **加急** <script>alert(1)</script>"
HOSTILE_EXPLANATION = {
    "count": 24, "expected": 4.0, "excess": 20.0, "baseline": "近30天每日平均",
    "unusual": {"method": "negbin", "count": 24, "mean": 4.0, "variance": 9.0, "windows": 30,
                "z": 6.67, "p_value": 0.00012},
    "drivers": {"city": [{"value": "衡阳", "count": 17.0, "expected": 2.0, "excess": 15.0,
                          "share": 0.75}],
                "event": [{"value": f"衡阳 热点事件：{PHISH}", "count": 15.0, "expected": 0.0,
                           "excess": 15.0, "share": 0.75, "alert_id": 3}]},
    "words": [{"word": "断网", "posts": 15, "expected": 0.0, "excess": 15.0, "share": 0.75}],
    "first_posts": [{"id": "p1", "title": PHISH, "url": "javascript:alert(document.cookie)",
                     "source": "weibo", "published_at": "2026-11-20T09:41:00+08:00"},
                    {"id": "p2", "title": "断网三天", "url": "http://forum.test/t-9.html",
                     "source": "forum", "published_at": "2026-11-20T09:45:00+08:00"}],
}
MESSAGE = {"message_id": "7:new:1:hook", "kind": "new", "alert_id": 7, "key": "volume:v:x",
           "rule": "v", "level": 2, "level_name": "二级", "title": "【二级预警·橙色】网络 投诉量超出预警线",
           "body": "近24小时：24 条", "city": None, "categories": [], "post_ids": [], "posts": [],
           "console": "http://console.test:8501/warnings?alert=7",
           "created_at": "2026-11-20T10:00:00+08:00", "explanation": HOSTILE_EXPLANATION}


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk", "feishu"])
def test_robot_messages_render_the_explanation_inert(fmt):
    body = webhook_body(fmt, MESSAGE)
    text = json.dumps(body, ensure_ascii=False)
    assert "按地市：衡阳 +15.0 条" in text and "占 75%" in text and "z = 6.67" in text
    assert "负二项分布" in text and "新词：断网（15 帖，基线 0.0，占超出部分的 75%）" in text
    assert "官方客服" in text
    assert "javascript:" not in text and "http://forum.test/t-9.html" in text
    if fmt == "feishu":
        tags = [t for line in body["content"]["post"]["zh_cn"]["content"] for t in line]
        assert [t["href"] for t in tags if t["tag"] == "a"] == [
            "http://forum.test/t-9.html", MESSAGE["console"]]
    else:
        markdown = body["markdown"]["content" if fmt == "wecom" else "text"]
        assert "](http://phish" not in markdown and "**加急**" not in markdown
        assert "<script>" not in markdown and "](http://forum.test/t-9.html)" in markdown


def test_mail_renders_the_explanation_inert(tmp_path):
    config = make_config(tmp_path, notifiers=[{"name": "n", "type": "smtp", "host": "h",
                                               "sender": "radar@test", "to": ["a@test"]}])
    mail = REGISTRY["smtp"](config.warnings.notifiers[0], config).build(MESSAGE)
    html = mail.get_body(("html",)).get_content()
    assert "<h3>为何预警</h3>" in html and "占 75%" in html
    assert "<script>" not in html and "javascript:" not in html
    assert 'href="http://phish' not in html and '<a href="http://forum.test/t-9.html">' in html
    plain = mail.get_body(("plain",)).get_content()
    assert "为何预警" in plain and "首发：2026-11-20 09:41 weibo" in plain


def test_the_payload_carries_the_stored_explanation_except_when_resolved(tmp_path):
    config = make_config(tmp_path)
    alert = {"alert_id": 7, "key": "volume:v:x", "rule": "v", "level": 2, "title": "t",
             "body": "近24小时：24 条", "city": None, "categories": "[]", "post_ids": "[]",
             "data": json.dumps({"subject": "网络 投诉量超出预警线", "rule_type": "volume"}),
             "explanation": json.dumps(HOSTILE_EXPLANATION, ensure_ascii=False)}
    new = payload(config, alert, "new", "7:new:1:n", NOW)
    assert new["explanation"] == HOSTILE_EXPLANATION and "为何预警" in render_text(new)
    resolved = payload(config, alert, "resolved", "7:resolved:2:n", NOW)
    assert resolved["explanation"] is None and why_lines(resolved) == []
    assert "为何预警" not in render_text(resolved)
    other = payload(config, {**alert, "explanation": None}, "new", "8:new:1:n", NOW)
    assert why_lines(other) == []


def test_categories_of_several_per_post_still_sum_to_the_excess(tmp_path):
    """A city slice: posts with two categories count in both, scaled to the slice's count."""
    rule = {**VOLUME, "name": "city-volume", "group_by": ["city"]}
    config = make_config(tmp_path, rules=[rule])
    usual = [make_post(24 * 60 * day + 60 + 97 * i, city="衡阳", severity=1,
                       categories=(("网络覆盖/信号", "宽带/家宽")[i % 2],),
                       text=f"平常的帖子{day}-{i}") for day in range(0, 31) for i in range(4)]
    both = [make_post(30 + 20 * i, city="衡阳", severity=1, text=f"宽带乱扣费{i}",
                      categories=("宽带/家宽", "资费计费/乱扣费")) for i in range(12)]
    store_posts(config, usual + both)
    assert run_cycle(config, now=NOW)["errors"] == []
    explanation = _explanation(config, list_alerts(config)[0])
    assert explanation["count"] == 16 and explanation["expected"] == 4
    parts = explanation["drivers"]["category"]
    assert sum(p["excess"] for p in parts) == pytest.approx(12, abs=1e-3)
    # Raw counts 信号 2, 宽带 14, 资费 12 (28 for 16 posts); baseline 信号 2, 宽带 2.
    by_value = _parts(explanation, "category")
    assert [p["value"] for p in parts] == ["资费计费/乱扣费", "宽带/家宽", "网络覆盖/信号"]
    assert by_value["资费计费/乱扣费"]["excess"] == pytest.approx(12 * 16 / 28, abs=1e-3)
    assert by_value["宽带/家宽"]["excess"] == pytest.approx(14 * 16 / 28 - 2, abs=1e-3)
    assert by_value["网络覆盖/信号"]["share"] < 0
    assert "city" not in explanation["drivers"]


def test_the_statistic_reads_in_chinese_and_a_vanishing_tail_as_a_bound():
    from alerts.unusual import against_windows

    assert unusual_line(against_windows(7, [2] * 30).as_dict()) == (
        "异常程度：z = 3.54，p = 0.0045（泊松分布，30 个窗口，均值 2.0、方差 2.0）")
    vanishing = against_windows(2000, [1] * 100).as_dict()
    assert vanishing["p_value"] == 0 and "p = < 1e-300" in unusual_line(vanishing)
    assert unusual_line(against_windows(3, [0] * 10).as_dict()).endswith("无法估计")


def test_an_hourly_rule_fits_the_hours_of_its_reference_days(tmp_path):
    rule = {**VOLUME, "name": "hourly", "group_by": ["city"], "window": "hour"}
    config = make_config(tmp_path, rules=[rule])
    history = [make_post(24 * 60 * day + 60 * (day % 12), city="衡阳", severity=1,
                         text=f"以前的帖子{day}") for day in range(1, 11)]
    burst = [make_post(3 + 5 * i, city="衡阳", severity=1, text=f"这一小时的帖子{i}")
             for i in range(8)]
    store_posts(config, history + burst)
    assert run_cycle(config, now=NOW)["errors"] == []
    explanation = _explanation(config, list_alerts(config)[0])
    # 10 posts over 10 days of 24 hours: 240 windows, mean 1/24; ten 1s and 230 0s have a
    # sample variance just under the mean, so Poisson.
    unusual = explanation["unusual"]
    assert unusual["windows"] == 240 and unusual["mean"] == pytest.approx(1 / 24, abs=1e-4)
    assert unusual["method"] == "poisson"
    assert unusual["z"] == pytest.approx((8 - 1 / 24) / math.sqrt(1 / 24), abs=1e-3)
    assert explanation["expected"] == pytest.approx(1 / 24, abs=1e-3)
    assert explanation["baseline"] == "近10天每小时平均"
