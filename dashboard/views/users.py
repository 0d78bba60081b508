"""用户 (admin): users and roles through accounts.AccountService (which checks the admin role)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from accounts import ROLE_LABELS
from dashboard import data, services
from dashboard.guard import action, run_page


def render(user: Any) -> None:
    st.title("👥 用户")
    svc = services.accounts()
    users = svc.list_users(user)
    st.dataframe(pd.DataFrame([{
        "用户名": u.username, "姓名": u.display_name, "角色": ROLE_LABELS.get(u.role, u.role),
        "负责地市": "、".join(u.cities), "状态": "启用" if u.active else "停用",
    } for u in users]), hide_index=True, width="stretch")

    add, edit = st.tabs(["新增用户", "修改 / 停用 / 重置密码"])
    with add:
        with st.form("add_user", clear_on_submit=True):
            c1, c2 = st.columns(2)
            username = c1.text_input("用户名", key="u_new_name")
            display = c2.text_input("姓名", key="u_new_display")
            role = c1.selectbox("角色", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                                key="u_new_role")
            cities = c2.multiselect("负责地市（处理员必填）", data.cities(), key="u_new_cities")
            password = st.text_input("初始密码（至少 8 位，含字母和数字/符号）", type="password",
                                     key="u_new_password")
            if st.form_submit_button("添加", type="primary"):
                if action("add_user", lambda: svc.add_user(user, username.strip(), password, role,
                                                           cities, display.strip()),
                          success=f"已添加用户 {username}") is not None:
                    st.rerun()
    with edit:
        names = [u.username for u in users]
        if not names:
            return
        name = st.selectbox("用户", names, key="u_pick")
        target = next(u for u in users if u.username == name)
        with st.form(f"edit_{name}"):
            role = st.selectbox("角色", list(ROLE_LABELS), index=list(ROLE_LABELS).index(target.role),
                                format_func=ROLE_LABELS.get, key=f"u_role_{name}")
            cities = st.multiselect("负责地市", data.cities(),
                                    default=[c for c in target.cities if c in data.cities()],
                                    key=f"u_cities_{name}")
            if st.form_submit_button("保存"):
                if action("update_user", lambda: svc.update_user(user, name, role=role, cities=cities),
                          success="已保存") is not None:
                    st.rerun()
        c1, c2 = st.columns(2)
        if c1.button("停用" if target.active else "启用", key=f"u_toggle_{name}"):
            if action("set_active", lambda: svc.set_active(user, name, not target.active),
                      success="已更新") is not None:
                st.rerun()
        with c2.form(f"pw_{name}", clear_on_submit=True):
            new_pw = st.text_input("新密码", type="password", key=f"u_pw_{name}")
            if st.form_submit_button("重置密码"):
                action("set_password", lambda: svc.set_password(user, name, new_pw),
                       success="密码已重置")


run_page("users", render)
