"""Console entry point: `streamlit run dashboard/app.py` (started by `tousu run`)."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="投诉雷达", page_icon="📡", layout="wide")

VIEWS = Path(__file__).resolve().parent / "views"
navigation = st.navigation([
    st.Page(VIEWS / "triage.py", title="监控台", icon="🚨", default=True),
    st.Page(VIEWS / "search.py", title="检索", icon="🔍"),
    st.Page(VIEWS / "trends.py", title="趋势", icon="📈"),
    st.Page(VIEWS / "warnings.py", title="预警", icon="🔔"),
    st.Page(VIEWS / "sources.py", title="信源", icon="🛰️"),
])
st.sidebar.caption("投诉雷达 Tousu Radar · 集中监控 分层应对")
navigation.run()
