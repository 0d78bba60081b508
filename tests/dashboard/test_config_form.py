"""The config item editor the 信源 and 规则 pages share: an invalid edit names the field and changes
nothing."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, with_rule


def test_invalid_rule_edit_names_the_field_and_changes_nothing(console_config):
    with_rule(console_config)
    before = console_config.read_text(encoding="utf-8")
    at = app_as("admin", "rules")
    at.selectbox(key="r_pick").set_value("city-daily-volume").run()
    box = at.text_area(key="r_city-daily-volume_text")
    box.input(box.value.replace("coefficient: 3", "coefficient: 0")).run()
    at.button(key="r_city-daily-volume_save").click().run()
    no_crash(at)
    assert any("未保存" in e.value and "coefficient" in e.value and "必须大于 0" in e.value
               for e in at.error)
    assert console_config.read_text(encoding="utf-8") == before
