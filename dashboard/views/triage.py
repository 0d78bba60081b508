"""监控台: the flagged-post queue, most severe and newest first, refreshing itself."""

import streamlit as st

from dashboard import data
from dashboard.render import plain, tier_style
from nlp.analyzer import TIER_LABELS

st.title("监控台")
cfg = data.config_or_stop()
c1, c2, c3, c4 = st.columns([1, 1, 2, 1])
hours = c1.selectbox("时间范围", [24, 72, 168, 720], index=2, format_func=lambda h: f"近 {h} 小时")
severity_min = c2.selectbox("最低等级", [0, 1, 2, 3, 4], index=2,
                            format_func=lambda t: f"{t}级 {TIER_LABELS[t]}")
from nlp.dictionary import get_dictionary

cities = c3.multiselect("地市", get_dictionary(cfg.keywords_dir).cities)
relevant_only = c4.toggle("仅相关", value=True)


@st.fragment(run_every=15)
def queue() -> None:
    summary = data.overview(7)
    m1, m2, m3 = st.columns(3)
    m1.metric("入库帖子", summary["total"])
    m2.metric("近7天相关", summary["relevant"])
    m3.metric("近7天投诉及以上", summary["high"])
    total, hits = data.triage(hours, severity_min, tuple(cities), relevant_only)
    if not hits:
        st.info("暂无符合条件的帖子。监控启动后，采集到的帖子会出现在这里（演示论坛约一分钟内开始填充）。")
        return
    st.caption(f"共 {total} 条，显示前 {len(hits)} 条（按等级、时间排序，每 15 秒刷新）")
    frame = data.posts_frame(hits)
    st.dataframe(
        frame.drop(columns=["id"]).style.map(tier_style, subset=["等级"]),
        hide_index=True, use_container_width=True, height=520,
        column_config={"链接": st.column_config.LinkColumn("链接", display_text="原帖"),
                       "影响力": st.column_config.ProgressColumn("影响力", min_value=0, max_value=1)},
    )
    chosen = st.selectbox("查看帖子", range(len(hits)), format_func=lambda i: hits[i].post.title[:60] or hits[i].post.id)
    post = hits[chosen].post
    st.subheader(f"{post.severity}级 · {TIER_LABELS.get(post.severity or 0)} · {post.city or '未知地市'}")
    plain(post.title)
    plain(post.content)
    st.caption("判定依据：" + ("；".join(post.reasons) or "—"))


queue()
