"""趋势: volume over time by tier, and the city breakdown."""

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data
from nlp.analyzer import TIER_LABELS

st.title("趋势")
days = st.selectbox("时间范围", [7, 30, 90], format_func=lambda d: f"近 {d} 天")
summary = data.overview(days)
if not summary["by_day"]:
    st.info("暂无数据。")
    st.stop()
frame = pd.DataFrame(summary["by_day"])
frame["等级"] = frame["key"].map(lambda t: f"{t}级 {TIER_LABELS.get(t, '')}")
frame["日期"] = frame["bucket"].str[:10]
st.plotly_chart(px.bar(frame, x="日期", y="count", color="等级", labels={"count": "帖子数"},
                       title="每日相关帖子（按等级）"), use_container_width=True)
cities = pd.DataFrame(summary["by_city"], columns=["地市", "帖子数"]).fillna("未知")
st.plotly_chart(px.bar(cities, x="地市", y="帖子数", title="地市分布"), use_container_width=True)
