"""信源: health of every configured source."""

import pandas as pd
import streamlit as st

from dashboard import data

st.title("信源")
rows = data.sources()
if not rows:
    st.info("config.yaml 中尚未配置信源。")
    st.stop()
frame = pd.DataFrame([{
    "信源": r["source"], "类型": r["type"], "启用": "是" if r["enabled"] else "否",
    "周期": r["interval"], "最近运行": (r["last_run"] or "从未")[:19].replace("T", " "),
    "状态": {"ok": "正常", "partial": "部分失败", "failed": "失败", "running": "运行中"}.get(
        r["last_status"] or "", "—"),
    "本次条数": r["last_items"], "累计条数": r["items_total"], "累计新增": r["new_total"],
    "错误": r["errors_total"], "最近错误": r["last_error"] or "",
} for r in rows])
st.dataframe(frame, hide_index=True, use_container_width=True)
