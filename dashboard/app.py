"""Console entry point: `streamlit run dashboard/app.py` (started by `tousu run`).

A login gate, then `st.navigation` with only the pages the user's role may open. Each page is a
thin file in views/ that runs inside the error boundary (guard.run_page) and re-checks its role.

Every page keeps its own URL (/cases, /scripts …) for every role. The role's home page is the
navigation's default, which Streamlit serves at / only, so it is registered a second time, hidden,
under its own URL: for a handler, whose home is 工单, a notification's /cases?case=… exists. Before
login every page's URL shows the login form, and after login the same URL opens the page asked
for. A page the role may not open says so in Chinese, not with Streamlit's English "Page not
found". (Nothing here switches pages by itself: the run right after login writes the session
cookie, and a switch would cut that run short.)
"""

import sys
from pathlib import Path
from typing import Callable

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import auth  # noqa: E402
from dashboard.guard import show_flash  # noqa: E402
from core.markup import md  # noqa: E402

st.set_page_config(page_title="投诉雷达", page_icon="📡", layout="wide")
VIEWS = Path(__file__).resolve().parent / "views"


def not_allowed(title: str, home: st.Page) -> Callable[[], None]:
    """A page saying the role may not open `title`, with a link to the role's home page."""
    def run() -> None:
        st.title("🔒 无权访问")
        st.warning(f"您的角色无权打开「{title}」页面。", icon="🔒")
        st.page_link(home, label=f"前往「{home.title}」", icon=home.icon or None)
    return run


user = auth.current_user()
auth.write_cookie()
if user is None:
    login = VIEWS / "login.py"
    navigation = st.navigation(
        [st.Page(login, title="登录", icon="🔐", default=True),
         *(st.Page(login, title="登录", url_path=spec.key, visibility="hidden")
           for spec in auth.PAGES)],
        position="hidden")
else:
    home_key = auth.HOME[user.role]
    groups: dict[str, list] = {}
    hidden = []
    for spec in auth.pages_for(user.role):
        page = VIEWS / f"{spec.key}.py"
        if spec.key == home_key:
            home = st.Page(page, title=spec.title, icon=spec.icon, url_path="home", default=True)
            groups.setdefault(spec.group, []).append(home)
            hidden.append(st.Page(page, title=spec.title, url_path=spec.key, visibility="hidden"))
        else:
            groups.setdefault(spec.group, []).append(
                st.Page(page, title=spec.title, icon=spec.icon, url_path=spec.key))
    hidden += [st.Page(not_allowed(spec.title, home), title=spec.title, url_path=spec.key,
                       visibility="hidden")
               for spec in auth.PAGES if user.role not in spec.roles]
    groups[next(iter(groups))].extend(hidden)
    # Every page in sight: an admin has fifteen, and Streamlit folds all past ten into 'View more'.
    navigation = st.navigation(groups, expanded=True)
    with st.sidebar:
        st.caption("投诉雷达 · 集中监控 分层应对")
        st.markdown(f"👤 **{md(user.label)}**")
        if user.role == "handler" and user.cities:
            st.caption("负责地市：" + md("、".join(user.cities)))
        if st.button("退出登录", key="logout"):
            auth.logout()
            st.rerun()
    show_flash()
navigation.run()
