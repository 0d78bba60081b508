"""用户 (admin): users and roles, and the logins' locks and failures, through accounts.AccountService
(which checks the admin role). User names typed at the login are attacker text: tables only."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from accounts import ROLE_LABELS
from accounts.audit import ACTION_LABELS, LOGIN_ACTIONS, REASON_LABELS
from dashboard import data, services
from dashboard.guard import action, run_page
from core.markup import md


def _when(stamp: str | None) -> str:
    """'2026-11-20T09:00:00+08:00' → '2026-11-20 09:00:00' (China time)."""
    return (stamp or "")[:19].replace("T", " ")


def render(user: Any) -> None:
    st.title("👥 用户")
    svc = services.accounts()
    users = svc.list_users(user)
    restrictions = svc.login_restrictions(user)
    locked = {r["name"]: r["locked_until"] for r in restrictions if r["locked_until"]}
    if locked:
        st.warning(f"有 {len(locked)} 个用户名因多次登录失败被临时锁定，见「登录安全」。", icon="🔒")
    st.dataframe(pd.DataFrame([{
        "用户名": u.username, "姓名": u.display_name, "角色": ROLE_LABELS.get(u.role, u.role),
        "负责地市": "、".join(u.cities), "状态": "启用" if u.active else "停用",
        "登录": f"锁定至 {_when(locked[u.username])}" if u.username in locked else "",
    } for u in users]), hide_index=True, width="stretch")

    add, edit, logins = st.tabs(["新增用户", "修改 / 停用 / 重置密码", "登录安全"])
    with add:
        with st.form("add_user", clear_on_submit=True):
            c1, c2 = st.columns(2)
            username = c1.text_input("用户名", key="u_new_name")
            display = c2.text_input("姓名", key="u_new_display")
            role = c1.selectbox("角色", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
                                key="u_new_role")
            cities = c2.multiselect("负责地市（处理员必填）", data.cities(), key="u_new_cities",
                                    placeholder="选择地市", select_all=False)
            password = st.text_input("初始密码（至少 8 位，含字母和数字/符号）", type="password",
                                     key="u_new_password")
            if st.form_submit_button("添加", type="primary"):
                if action("add_user", lambda: svc.add_user(user, username.strip(), password, role,
                                                           cities, display.strip()),
                          success=f"已添加用户 {username}") is not None:
                    st.rerun()
    with logins:
        _logins(user, svc, restrictions)
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
                                    key=f"u_cities_{name}", placeholder="选择地市",
                                    select_all=False)
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


def _logins(user: Any, svc: Any, restrictions: list[dict]) -> None:
    """Locked names and names failing in a row (解锁), then the recent failed logins."""
    st.caption("同一用户名连续输错密码会被限速并临时锁定（不论该用户是否存在）；锁定期间即使密码正确也无法"
               "登录，到期自动解除，或在此解锁。")
    if restrictions:
        st.dataframe(pd.DataFrame([{
            "用户名（输入）": r["name"], "是否为用户": "是" if r["exists"] else "否",
            "连续失败": r["failures"], "已锁定次数": r["locks"],
            "锁定至": _when(r["locked_until"]), "最近失败": _when(r["last_failure_at"]),
        } for r in restrictions]), hide_index=True, width="stretch")
        name = st.selectbox("用户名", [r["name"] for r in restrictions], key="u_unlock_pick")
        if st.button("解锁", key="u_unlock"):
            if action("unlock", lambda: svc.unlock(user, name),
                      success=f"已解锁 {md(name)}") is not None:
                st.rerun()
    else:
        st.info("当前没有被锁定或连续登录失败的用户名。")
    st.subheader("最近的登录失败、锁定与解锁")
    _audit_table(svc.audit_log(user, LOGIN_ACTIONS, limit=200), key="u_login_events")
    with st.expander("全部账号审计记录（含新增、修改、停用、重置密码）"):
        _audit_table(svc.audit_log(user, limit=200), key="u_all_events")


def _audit_table(events: list[dict], key: str) -> None:
    if not events:
        st.caption("暂无记录。")
        return
    st.dataframe(pd.DataFrame([{
        "时间": _when(e["at"]), "事件": ACTION_LABELS.get(e["action"], e["action"]),
        "用户名（输入）": e["username"], "来源地址": e["client"],
        "原因 / 说明": REASON_LABELS.get(e["detail"], e["detail"]), "操作人": e["actor"],
    } for e in events]), hide_index=True, width="stretch", key=key)


run_page("users", render)
