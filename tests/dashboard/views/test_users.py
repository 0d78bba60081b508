"""用户 (AppTest): an admin adds a handler."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash


# -- 用户 / 口径库 / 报表 ---------------------------------------------------------------------------
def test_admin_adds_a_handler(console_config):
    at = app_as("admin", "users")
    at.text_input(key="u_new_name").input("zz_handler")
    at.selectbox(key="u_new_role").set_value("handler")
    at.multiselect(key="u_new_cities").set_value(["株洲"])
    at.text_input(key="u_new_password").input("Zhuzhou-2026")
    next(b for b in at.button if b.label == "添加").click().run()
    no_crash(at)
    assert "zz_handler" in "".join(at.dataframe[0].value["用户名"])
