"""登录: username and password against accounts/, which throttles and locks repeated failures."""

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from accounts import LoginRefusedError
from dashboard import auth, services
from dashboard.guard import show_error

st.title("📡 投诉雷达 · 登录")
st.caption("互联网投诉监控平台 · 集中监控 分层应对")

try:
    account_service = services.accounts()
    if account_service.count() == 0:
        st.warning("尚无任何用户。请设置环境变量 TOUSU_ADMIN_USER 与 TOUSU_ADMIN_PASSWORD 后重启监控，"
                   "或运行 `tousu users add admin --role admin` 创建管理员。")
    with st.form("login", clear_on_submit=False):
        username = st.text_input("用户名", key="login_user", autocomplete="username")
        password = st.text_input("密码", type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = auth.authenticate(username.strip(), password)
        except LoginRefusedError as exc:  # locked, or too soon after the last failures
            st.error(str(exc))
        else:
            if user is None:
                st.error("用户名或密码错误，或账号已停用。")
            else:
                auth.login(user)
                st.rerun()
except ScriptControlException:
    raise
except Exception as exc:  # noqa: BLE001 — the login page has its own boundary
    show_error(exc)
