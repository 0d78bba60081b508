"""登录 (AppTest): the login page first, a wrong password refused, each role lands on its home,
logout ends the session; guessing: the lock holds across reloads (new Streamlit sessions) until it
ends or the admin unlocks it on 用户, which shows the locks and the failed logins."""

from __future__ import annotations

import pytest
import yaml

from tests.dashboard.conftest import PASSWORD, app_as, no_crash, texts


def _set_login_policy(config_path, **policy) -> None:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["accounts"] = {"login": policy}
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _log_in(username: str, password: str):
    """A fresh Streamlit session (a reload) submitting the login form."""
    at = app_as(None)
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def _errors(at) -> str:
    return "\n".join(e.value for e in at.error)


def test_lock_survives_reloads_and_the_admin_unlocks_it(console_config):
    _set_login_policy(console_config, lock_after=3, lock_for="30m")
    answers = [_errors(_log_in("monitor", "wrong-password-1")) for _ in range(3)]
    assert all("用户名或密码错误" in a for a in answers[:2])
    assert "已被暂时锁定" in answers[2] and "30 分钟" in answers[2]
    refused = _log_in("monitor", PASSWORD)  # a reload, the right password: still refused
    assert "已被暂时锁定" in _errors(refused) and "tousu_user" not in refused.session_state
    # unknown names get the same answer
    for _ in range(3):
        unknown = _log_in("no_such_user", "wrong-password-1")
    assert _errors(unknown).replace("no_such_user", "") == answers[2]

    admin = app_as("admin", "users")
    assert not admin.exception
    assert any("2 个用户名" in w.value for w in admin.warning)
    users = admin.dataframe[0].value
    assert users.loc[users["用户名"] == "monitor", "登录"].item().startswith("锁定至 ")
    locks = admin.dataframe[1].value
    assert set(locks["用户名（输入）"]) == {"monitor", "no_such_user"}
    assert dict(zip(locks["用户名（输入）"], locks["是否为用户"])) == {"monitor": "是",
                                                                     "no_such_user": "否"}
    events = admin.dataframe[2].value
    failed = events[events["用户名（输入）"] == "monitor"]
    assert set(failed["事件"]) == {"登录失败", "锁定"}
    assert set(failed["原因 / 说明"]) >= {"密码错误", "锁定期间"}
    assert set(failed["来源地址"]) == {"localhost"}  # AppTest has no browser address
    assert not any(PASSWORD in str(v) or "wrong-password" in str(v) for v in events.to_numpy().ravel())

    admin.selectbox(key="u_unlock_pick").set_value("monitor")
    admin.button(key="u_unlock").click().run()
    assert not admin.exception
    assert list(admin.dataframe[1].value["用户名（输入）"]) == ["no_such_user"]
    assert "监控台" in _log_in("monitor", PASSWORD).title[0].value


# -- login and the role gate -----------------------------------------------------------------
def test_login_page_first(console_config):
    at = app_as(None)
    no_crash(at)
    assert "登录" in at.title[0].value
    # no page content leaks before login
    assert "监控台" not in texts(at)


def test_wrong_password_is_refused(console_config):
    at = app_as(None)
    at.text_input(key="login_user").input("monitor")
    at.text_input(key="login_password").input("wrong-password-1")
    at.button[0].click().run()
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert "tousu_user" not in at.session_state


@pytest.mark.parametrize("username, home", [("monitor", "监控台"), ("cs_handler", "工单"),
                                            ("reviewer", "口径库"), ("manager", "趋势")])
def test_login_lands_on_role_home(console_config, username, home):
    at = app_as(None)
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    no_crash(at)
    assert home in at.title[0].value


def test_logout_ends_session(console_config):
    at = app_as("monitor")
    at.sidebar.button(key="logout").click().run()
    assert "登录" in at.title[0].value
