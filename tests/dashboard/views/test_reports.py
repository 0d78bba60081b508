"""报表 (AppTest): a manager generates a report."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash


def test_manager_generates_a_report(console_config):
    at = app_as("manager", "reports")
    at.radio(key="rp_kind").set_value("weekly")
    at.button(key="rp_go").click().run()
    no_crash(at)
    assert not at.error, [e.value for e in at.error]
    assert at.subheader and "周" in at.subheader[0].value
