"""报表 (AppTest): a manager generates a report; a monitor builds the 舆情简报 with its citations."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, texts


def test_manager_generates_a_report(console_config):
    at = app_as("manager", "reports")
    at.radio(key="rp_kind").set_value("weekly")
    at.button(key="rp_go").click().run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    assert at.subheader and "周" in at.subheader[0].value


def test_monitor_builds_the_daily_briefing_with_citations(console_config):
    at = app_as("monitor", "reports")
    at.button(key="bf_go").click().run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    [page] = [h.proto.body for h in at.get("html")]
    assert "<h1>舆情简报（" in page and "<h2>概况</h2>" in page and "查询：" in page
    assert 'href="http://127.0.0.1:8600/thread-' in page          # sentences link their posts
    assert {b.key for b in at.get("download_button")} >= {"bf_html", "bf_md", "bf_json"}
    at.radio(key="bf_kind").set_value("event").run()
    assert "还没有事件预警。" in texts(at)        # the demo forum has no wave of similar posts
