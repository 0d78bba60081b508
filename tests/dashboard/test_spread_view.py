"""The event view's spread (dashboard/spread_view.py) with AppTest: an event warning over a
recorded Weibo repost chain shows its 源头, the spread graph, speed, timeline and amplifiers;
crawled text stays inert in the figure and on the page."""

from __future__ import annotations

import json

from alerts.api import raise_alert
from core.db import StateDB
from core.post import now_cst
from indexer.sqlite_store import SqliteStore
from tests.alerts.test_spread import weibo_posts
from tests.dashboard.conftest import app_as, no_crash, texts
from tousu.config import load

ATTACK = "<img src=x onerror=alert(1)>[点我](javascript:alert(2))"


def _event(config_path) -> int:
    """The recorded repost chain stored (one repost's author and text an attack) and raised as
    an event warning of the shipped event rule; its id."""
    config = load(config_path)
    posts = weibo_posts()
    attacker = posts["蒸湘区居民"]
    attacker.author, attacker.content = "<script>alert(3)</script>", ATTACK
    with SqliteStore(config.store.path) as store:
        store.upsert_many(posts.values())
    members = [posts["耒阳小吃货"].id, posts["湘南观察"].id, attacker.id]
    state = StateDB(config.data_dir / "state.db")
    alert_id = raise_alert(state, config, key="event:hot-event:spread-test", rule="hot-event",
                           level=2, title="耒阳 热点事件：信号差（3 帖）", body="相似帖子 3 条",
                           post_ids=members, rule_type="event", now=now_cst())
    state.close()
    return alert_id


def test_an_event_warning_shows_how_it_spread(console_config):
    alert_id = _event(console_config)
    at = app_as("monitor", "warnings", alert=str(alert_id))
    no_crash(at)
    shown = texts(at)
    assert "传播分析" in shown
    assert "源头：<b>耒阳阿强</b>（wb，2026-11-22 09:00）" in shown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["涉及帖子"] == "5" and metrics["转发/回复关系"] == "4"
    assert metrics["是否仍在增长"].endswith("已平息")  # the recorded chain is days old
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    graph = next(f for f in figures if "传播图" in f["layout"]["title"]["text"])
    nodes = [t for t in graph["data"] if t.get("mode") == "markers"]
    assert sum(len(t["x"]) for t in nodes) == 5
    assert sum(s == "star" for t in nodes for s in t["marker"]["symbol"]) == 1
    assert sum(s == "circle-open" for t in nodes for s in t["marker"]["symbol"]) == 1  # 衡阳本地通
    edges = next(t for t in graph["data"] if t.get("mode") == "lines")
    assert len([x for x in edges["x"] if x is None]) == 4
    assert any("每小时发帖数" in f["layout"]["title"]["text"] for f in figures)
    tables = [d.value for d in at.dataframe]
    amplifiers = next(t for t in tables if "带动帖数" in t.columns)
    assert amplifiers.iloc[0]["账号"] == "衡阳本地通" and amplifiers.iloc[0]["带动帖数"] == 2
    assert any("首帖时间" in t.columns for t in tables)
    # inert: the attacker's name and text are escaped in the hover text and on the page
    hover = " ".join(h for t in nodes for h in t["hovertext"])
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in hover and "<script>" not in hover
    assert "<img" not in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover
    assert "<script>alert(3)" not in shown and "<img src=x" not in shown


def test_a_warning_that_is_not_an_event_has_no_spread(console_config):
    state = StateDB(load(console_config).data_dir / "state.db")
    row = state.query("SELECT alert_id FROM alerts WHERE rule != 'hot-event' ORDER BY alert_id "
                      "LIMIT 1")[0]
    state.close()
    at = app_as("monitor", "warnings", alert=str(row["alert_id"]))
    no_crash(at)
    linked = at.expander[0]
    assert not any("传播分析" in str(m.value) for m in linked.markdown)
