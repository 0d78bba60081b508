"""规则 (AppTest): a rule edit is saved and used."""

from __future__ import annotations


from tests.dashboard.conftest import app_as, no_crash, with_rule

# -- 信源 / 规则: edits are saved into config.yaml -------------------------------------------------


def test_rule_edit_is_saved_and_used(console_config):
    from tousu.config import load

    with_rule(console_config)
    at = app_as("admin", "rules")
    at.selectbox(key="r_pick").set_value("city-daily-volume").run()
    box = at.text_area(key="r_city-daily-volume_text")
    box.input(box.value.replace("protection: 10", "protection: 30")).run()
    at.button(key="r_city-daily-volume_save").click().run()
    no_crash(at)
    assert not at.error
    rule = next(r for r in load(console_config).warnings.rules if r.name == "city-daily-volume")
    assert rule.protection == 30
    again = app_as("admin", "rules")  # a new session reads the saved file
    assert "protection: 30" in " ".join(again.dataframe[0].value["阈值"])
