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
