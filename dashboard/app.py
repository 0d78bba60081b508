"""Console entry point: `streamlit run dashboard/app.py` (started by `tousu run`).

A login gate, then `st.navigation` with only the pages the user's role may open. Each page is a
thin file in views/ that runs inside the error boundary (guard.run_page) and re-checks its role.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import auth  # noqa: E402
from core.markup import md  # noqa: E402

st.set_page_config(page_title="投诉雷达", page_icon="📡", layout="wide")
VIEWS = Path(__file__).resolve().parent / "views"

user = auth.current_user()
auth.write_cookie()
if user is None:
    navigation = st.navigation([st.Page(VIEWS / "login.py", title="登录", icon="🔐", default=True)],
                               position="hidden")
else:
    home = auth.HOME.get(user.role)
    groups: dict[str, list] = {}
    for spec in auth.pages_for(user.role):
        groups.setdefault(spec.group, []).append(
            st.Page(VIEWS / f"{spec.key}.py", title=spec.title, icon=spec.icon,
                    url_path=spec.key, default=spec.key == home))
    navigation = st.navigation(groups)
    with st.sidebar:
        st.caption("投诉雷达 · 集中监控 分层应对")
        st.markdown(f"👤 **{md(user.label)}**")
        if user.role == "handler" and user.cities:
            st.caption("负责地市：" + md("、".join(user.cities)))
        if st.button("退出登录", key="logout"):
            auth.logout()
            st.rerun()
if user is not None:
    from dashboard.guard import show_flash  # noqa: E402

    show_flash()
navigation.run()
