"""预警: open and recent warnings by level."""

import streamlit as st

from alerts.levels import LEVEL_NAMES
from dashboard import data
from dashboard.render import plain

st.title("预警")
rows = data.alerts()
if not rows:
    st.info("暂无预警。预警每分钟评估一次，达到阈值的帖子会出现在这里。")
for level in (1, 2, 3):
    chosen = [r for r in rows if r["level"] == level]
    st.subheader(f"{LEVEL_NAMES[level]}预警（{len(chosen)}）")
    for row in chosen[:30]:
        with st.expander(f"{row['created_at'][:16].replace('T', ' ')} · {row['city'] or '未知地市'} · "
                         f"{'未关闭' if row['status'] == 'open' else '已关闭'}"):
            plain(row["title"])
            plain(row["body"])
