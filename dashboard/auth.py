"""Login sessions and the role → pages map. Data permissions live in the services, not here.

A login creates a server-side session (accounts.sessions: random token, stored hashed, idle and
absolute expiry). The browser keeps the token in the `tousu_session` cookie, so a reload — a new
Streamlit session — finds the user again through st.context.cookies. Streamlit can read cookies
but not set them, so the cookie is written by a two-line script in the page itself (st.html with
JavaScript; its only input is our own URL-safe token). That makes it readable by scripts, not
HttpOnly; what limits the damage is that crawled text is never rendered as HTML, the cookie is
SameSite=Strict (and Secure over https), and the token is checked server-side on every run, so
logout, a password or role change, and idle expiry end it at once. It is never put in the URL.

Logging in goes through AccountService.authenticate with the configured `accounts.login` policy
and the browser's address, so throttling and lockout hold across reloads, tabs and processes.
The address is st.context.ip_address: the peer of the WebSocket as Streamlit's server (uvicorn)
saw it. Uvicorn replaces it by the X-Forwarded-For client only when the peer is a trusted proxy
(its FORWARDED_ALLOW_IPS, by default 127.0.0.1 and ::1, i.e. a reverse proxy on the same host);
this module never reads X-Forwarded-For itself, so a remote browser cannot choose its address.
Streamlit reports a loopback peer as None, shown as 'localhost'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from accounts import User
from accounts.sessions import LIFETIME
from dashboard import services

SESSION_KEY = "tousu_user"
TOKEN_KEY = "tousu_token"
COOKIE = "tousu_session"
_COOKIE_CHANGE = "tousu_cookie_change"  # the cookie to write on the next run: a token or ""


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
    PageSpec("quality", "质检", "✅", ("monitor", "manager", "admin"), "日常"),
    PageSpec("rectification", "督办", "📌", ("monitor", "handler", "manager", "admin"), "日常"),
    PageSpec("search", "检索", "🔍", ("monitor", "reviewer", "manager", "admin"), "分析"),
    PageSpec("trends", "趋势", "📈", ("monitor", "manager", "admin"), "分析"),
    PageSpec("scripts", "口径库", "📚", ALL, "分析"),
    PageSpec("knowledge", "知识库", "🧭", ALL, "分析"),
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


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):  # no browser behind this run (bare mode)
        return None
    return token if isinstance(token, str) else None  # AppTest's client is a mock


def current_user() -> Any | None:
    """The logged-in user (an accounts.User), re-read from the session store, or None."""
    token = st.session_state.get(TOKEN_KEY)
    if token is None and SESSION_KEY not in st.session_state:
        token = _cookie_token()  # a reload: a new Streamlit session with the browser's cookie
    if not token:
        return st.session_state.get(SESSION_KEY)  # only tests and the bench set a bare user
    user = services.sessions().resolve(token)
    if user is None:  # logged out elsewhere, expired, or the user's rights changed
        _end_session()
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state[SESSION_KEY] = user
    return user


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


def _clear_session() -> None:
    for k in list(st.session_state.keys()):
        del st.session_state[k]  # nothing of a previous user's session survives


def client_address() -> str:
    """The browser's address as the server saw it (see the module docstring)."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):  # no browser behind this run (bare mode)
        return "localhost"
    return address if isinstance(address, str) else "localhost"  # None: loopback; AppTest: a mock


def authenticate(username: str, password: str) -> User | None:
    """AccountService.authenticate under the configured login policy, from this browser's address.

    Raises accounts.LoginRefusedError while the name is locked or tries come too fast.
    """
    return services.accounts().authenticate(username, password, client_address())


def login(user: Any) -> None:
    """Start a session for an authenticated user; the next run hands its cookie to the browser."""
    _clear_session()
    token = services.sessions().create(user)
    st.session_state[TOKEN_KEY] = token
    st.session_state[SESSION_KEY] = user
    st.session_state[_COOKIE_CHANGE] = token


def logout() -> None:
    """End the session on the server and drop the browser's cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        services.sessions().revoke(token)
    _end_session()


def _end_session() -> None:
    _clear_session()
    # "" = logged out: this tab's cookie, sent when the tab connected, is not looked at again
    st.session_state[TOKEN_KEY] = ""
    st.session_state[_COOKIE_CHANGE] = ""


def write_cookie() -> None:
    """Set or delete the session cookie in the browser when login or logout asked for it."""
    token = st.session_state.pop(_COOKIE_CHANGE, None)
    if token is None:
        return
    max_age = int(LIFETIME.total_seconds()) if token else 0
    st.html(f'<script>document.cookie = "{COOKIE}={token}; Path=/; Max-Age={max_age}; '
            f'SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : "");</script>',
            unsafe_allow_javascript=True)
