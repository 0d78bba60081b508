"""Session login and the role → pages map. Data permissions live in the services, not here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

SESSION_KEY = "tousu_user"


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    icon: str
    roles: tuple[str, ...]
    group: str


ALL = ("monitor", "handler", "reviewer", "manager", "admin")
PAGES = [
    PageSpec("triage", "监控台", "🚨", ("monitor", "admin"), "日常"),
    PageSpec("warnings", "预警", "🔔", ("monitor", "manager", "admin"), "日常"),
    PageSpec("cases", "工单", "📋", ("monitor", "handler", "manager", "admin"), "日常"),
    PageSpec("search", "检索", "🔍", ("monitor", "reviewer", "manager", "admin"), "分析"),
    PageSpec("trends", "趋势", "📈", ("monitor", "manager", "admin"), "分析"),
    PageSpec("scripts", "口径库", "📚", ALL, "分析"),
    PageSpec("reports", "报表", "📊", ("monitor", "manager", "admin"), "分析"),
    PageSpec("sources", "信源", "🛰️", ("admin",), "管理"),
    PageSpec("keywords", "关键词", "🏷️", ("admin",), "管理"),
    PageSpec("rules", "规则", "⚙️", ("admin",), "管理"),
    PageSpec("users", "用户", "👥", ("admin",), "管理"),
]
BY_KEY = {p.key: p for p in PAGES}
# The page each role lands on after login.
HOME = {"monitor": "triage", "handler": "cases", "reviewer": "scripts", "manager": "trends",
        "admin": "triage"}


def current_user() -> Any | None:
    """The logged-in user (an accounts.User) or None."""
    return st.session_state.get(SESSION_KEY)


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in menu order."""
    return [p for p in PAGES if role in p.roles]


def require_page(key: str) -> Any:
    """The user, if logged in and allowed on this page; otherwise a Chinese message and stop."""
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    spec = BY_KEY[key]
    if user.role not in spec.roles:
        st.error(f"无权访问「{spec.title}」页面。")
        st.stop()
    return user


def login(user: Any) -> None:
    """Start a session for an authenticated user."""
    for k in list(st.session_state.keys()):
        del st.session_state[k]  # nothing of a previous user's session survives
    st.session_state[SESSION_KEY] = user


def logout() -> None:
    """End the session."""
    for k in list(st.session_state.keys()):
        del st.session_state[k]
