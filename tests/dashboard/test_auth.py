"""Login sessions in the console: the cookie written at login, a reload finds the user again,
logout and a change of rights end it; every page file re-checks the role and asks to log in
without one. (The real reload in chromium is in test_browser.py.)"""

from __future__ import annotations

import re

import pytest

from dashboard.auth import PAGES, pages_for
from tests.dashboard.conftest import PASSWORD, ROLE_USER, app_as, user


@pytest.fixture
def browser_cookie(monkeypatch):
    """What st.context.cookies would hold: AppTest cannot send cookies, so the reader is faked."""
    jar: dict[str, str] = {}
    monkeypatch.setattr("dashboard.auth._cookie_token", lambda: jar.get("tousu_session"))
    return jar


def _cookie_script(at) -> str:
    scripts = [e.proto.body for e in at.get("html") if "document.cookie" in e.proto.body]
    assert len(scripts) == 1, scripts
    return scripts[0]


def _log_in(username: str):
    at = app_as(None)
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    return at.button[0].click().run()


def test_login_sets_a_strict_cookie_holding_a_stored_session(console_config):
    from accounts.sessions import _hash
    from core.db import StateDB

    at = _log_in("monitor")
    script = _cookie_script(at)
    token = re.search(r"tousu_session=([\w\-]+);", script).group(1)
    assert "SameSite=Strict" in script and "Max-Age=604800" in script
    assert "Secure" in script  # added when the console is served over https
    assert at.session_state["tousu_token"] == token
    rows = StateDB(console_config.parent / "data" / "state.db").query(
        "SELECT token_hash FROM sessions")
    assert [r["token_hash"] for r in rows] == [_hash(token)]
    at.run()
    assert not [e for e in at.get("html") if "document.cookie" in e.proto.body]  # written once


def test_reload_with_the_cookie_stays_logged_in(console_config, browser_cookie):
    token = _log_in("cs_handler").session_state["tousu_token"]
    browser_cookie["tousu_session"] = token
    reloaded = app_as(None)  # a new Streamlit session, as after F5
    assert "工单" in reloaded.title[0].value
    assert reloaded.session_state["tousu_user"].username == "cs_handler"


def test_logout_revokes_the_session_and_deletes_the_cookie(console_config, browser_cookie):
    at = _log_in("monitor")
    browser_cookie["tousu_session"] = at.session_state["tousu_token"]
    at.sidebar.button(key="logout").click().run()
    assert "登录" in at.title[0].value
    assert "Max-Age=0" in _cookie_script(at)
    at.run()
    assert "登录" in at.title[0].value  # this tab's old cookie does not log it back in
    reloaded = app_as(None)  # even if the browser still sent the old cookie
    assert "登录" in reloaded.title[0].value and "Max-Age=0" in _cookie_script(reloaded)


def test_bogus_cookie_shows_the_login(console_config, browser_cookie):
    browser_cookie["tousu_session"] = "x" * 43
    at = app_as(None)
    assert "登录" in at.title[0].value and not at.exception


def test_role_change_logs_the_user_out_at_the_next_click(console_config, browser_cookie):
    from accounts import SYSTEM, AccountService
    from core.db import StateDB

    at = _log_in("monitor")
    assert "监控台" in at.title[0].value
    AccountService(StateDB(console_config.parent / "data" / "state.db")).update_user(
        SYSTEM, "monitor", role="reviewer")
    at.run()
    assert "登录" in at.title[0].value


FORBIDDEN = [(role, p.key) for role in ROLE_USER for p in PAGES if p not in pages_for(role)]


@pytest.mark.parametrize("role, page", FORBIDDEN)
def test_every_page_file_rechecks_the_role(role, page):
    """Even run on its own (not through the menu), a page refuses a role it is not for."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / f"{page}.py"), default_timeout=30)
    at.session_state["tousu_user"] = user(ROLE_USER[role])
    at.run()
    assert any("无权访问" in e.value for e in at.error)
    assert not at.dataframe and not at.get("html")


def test_page_file_without_login_asks_to_log_in():
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "dashboard" / "views" / "cases.py"), default_timeout=30)
    at.run()
    assert any("请先登录" in w.value for w in at.warning)
    assert not at.dataframe
