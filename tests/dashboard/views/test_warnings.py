"""预警 (AppTest): acknowledge and silence, a notification's link opens its warning, rule names in
Chinese."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, state_db


# -- 预警 --------------------------------------------------------------------------------------
def test_warning_acknowledge_and_silence(console_config):
    at = app_as("monitor", "warnings")
    no_crash(at)
    buttons = [b for b in at.button if (b.key or "").startswith("ack_")]
    assert buttons, "open warnings are listed with an acknowledge button"
    alert_id = int(buttons[0].key.split("_")[1])
    buttons[0].click().run()
    no_crash(at)
    rows = state_db(console_config).query("SELECT status, key FROM alerts WHERE alert_id = ?",
                                        (alert_id,))
    assert rows[0]["status"] == "acknowledged"
    at.multiselect(key="w_status").set_value(["acknowledged"]).run()
    submit = next(b for b in at.button if "静默" in b.label)
    submit.click().run()
    no_crash(at)
    silenced = state_db(console_config).query("SELECT target FROM silences")
    assert silenced


def test_a_notifications_link_opens_its_warning(console_config):
    """warnings?alert=N — the link in every warning notice — shows that warning first, open,
    whatever the status filter; an unknown id says so."""
    state = state_db(console_config)
    row = state.query("SELECT alert_id, title FROM alerts ORDER BY alert_id LIMIT 1")[0]
    state.execute("UPDATE alerts SET status = 'resolved' WHERE alert_id = ?", (row["alert_id"],))
    at = app_as("monitor", "warnings", alert=str(row["alert_id"]))
    no_crash(at)
    assert at.subheader[0].value == "通知中的预警"
    assert row["title"] in at.get("html")[0].proto.body
    assert at.expander[0].proto.expanded
    at = app_as("manager", "warnings", alert="999999")
    no_crash(at)
    assert any("预警 999999 不存在" in w.value for w in at.warning)


def test_warning_cards_name_the_rule_in_chinese(console_config):
    at = app_as("monitor", "warnings")
    no_crash(at)
    cards = [e.proto.body for e in at.get("html") if 'padding-left:8px"><b>' in e.proto.body]
    assert cards
    for card in cards:
        meta = card.split("<br>")[1]
        assert "单帖预警" in meta or "热点事件" in meta or "声量" in meta, meta
        assert " · post · " not in meta and " · hot-event · " not in meta
    silence = [o for r in at.radio if "此预警" in r.options for o in r.options if o != "此预警"]
    assert silence and all(o.startswith("此规则的全部预警（") for o in silence), silence


def test_volume_warning_shows_why_it_fired_inert(console_config):
    """为何预警 on the warning a notification links to: the parts of the excess per dimension,
    the statistic, the new words and the first post; crawled text stays text."""
    from alerts.config import VolumeRule
    from alerts.engine import apply_matches
    from alerts.model import Match
    from core.markup import esc
    from core.post import now_cst
    from indexer import open_store
    from tousu.config import load

    config = load(console_config)
    with open_store(config) as store:
        first = next(iter(store.iter_posts()))
    hostile = "<img src=x onerror=alert(1)>[领流量](http://phish.example)"
    explanation = {
        "count": 24, "expected": 4.0, "excess": 20.0, "baseline": "近30天每日平均",
        "unusual": {"method": "negbin", "count": 24, "mean": 4.0, "variance": 9.0,
                    "windows": 30, "z": 6.67, "p_value": 0.00012},
        "drivers": {"city": [{"value": "衡阳", "count": 17.0, "expected": 2.0, "excess": 15.0,
                              "share": 0.75},
                             {"value": "株洲", "count": 7.0, "expected": 2.0, "excess": 5.0,
                              "share": 0.25}],
                    "event": [{"value": hostile, "count": 15.0, "expected": 0.0,
                               "excess": 15.0, "share": 0.75, "alert_id": None}]},
        "words": [{"word": "断网", "posts": 15, "expected": 0.0, "excess": 15.0, "share": 0.75}],
        "first_posts": [{"id": first.id, "title": first.title, "url": first.url}]}
    spec = VolumeRule(name="test-volume", type="volume")
    state = state_db(console_config)
    apply_matches(state, config, spec, type("Rule", (), {"reopen": True, "reminders": True})(),
                  [Match(key="volume:test:all", level=2, subject="全省 投诉量超出预警线",
                         body="近24小时：24 条", explanation=explanation)], now_cst(), set())
    alert_id = state.query("SELECT alert_id FROM alerts WHERE key = 'volume:test:all'")[0]["alert_id"]
    state.close()

    at = app_as("monitor", "warnings", alert=str(alert_id))
    no_crash(at)
    assert any("为何预警" in m.value for m in at.markdown)
    texts = " ".join(e.proto.body for e in at.get("html"))
    assert "z = 6.67" in texts and "负二项分布" in texts and "超出基线 20.0 条" in texts
    frames = {tuple(f.value.columns): f.value for f in at.dataframe}
    city = frames[("地市", "本窗口", "基线", "超出", "占比")]
    assert list(city["地市"]) == ["衡阳", "株洲"] and list(city["占比"]) == ["75%", "25%"]
    assert list(frames[("事件", "本窗口", "基线", "超出", "占比")]["事件"]) == [hostile]
    assert list(frames[("词", "帖子数", "基线", "占超出量")]["词"]) == ["断网"]
    # The event's crawled title is a dataframe cell (text); no HTML of the page carries it.
    assert "<img" not in texts and "phish.example" not in texts
    assert esc(first.title) in texts  # the first post, as its card


def test_held_messages_are_listed_on_the_warnings_page_with_why(console_config):
    import yaml

    from alerts.cycle import run_cycle
    from core.db import StateDB
    from tousu.config import load

    data = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    data["warnings"] = {
        "rules": [{"name": "post", "type": "post"},
                  {"name": "hot-event", "type": "event", "window": "7d", "min_posts": 3}],
        "notifiers": [{"name": "duty-log", "type": "file", "path": "data/alerts.log"}],
        "quiet": {"group_wait": {3: "10m"}}}
    console_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load(console_config)
    state = StateDB(config.state_path)
    state.execute("DELETE FROM alerts")  # the demo's warnings raised afresh under quiet alerting
    state.close()
    run_cycle(config)

    at = app_as("monitor", "warnings")
    at.radio(key="w_view").set_value("quiet").run()
    no_crash(at)
    frame = at.dataframe[0].value
    # The demo's 衡阳 outage is an event: its posts' own warnings fold into it; the rest group.
    grouped = frame[frame["类别"] == "分组"]
    folded = frame[frame["类别"] == "抑制（并入事件）"]
    assert len(grouped) >= 10 and len(folded) >= 1 and len(grouped) + len(folded) == len(frame)
    assert grouped["原因"].str.startswith("分组：").all()
    assert folded["原因"].str.startswith("抑制：帖子属于事件预警 #").all()
    assert grouped["去向"].str.startswith("等待中，").all()
    assert {m.label: m.value for m in at.metric}["分组"] == str(len(grouped))
    at.radio(key="w_quiet_kind").set_value("抑制（并入事件）").run()
    no_crash(at)
    assert list(at.dataframe[0].value["编号"]) == list(folded["编号"])
    at.radio(key="w_view").set_value("list").run()
    no_crash(at)
    details = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert details and all(set(d["类别"]) <= {"分组", "抑制（并入事件）"} for d in details)
