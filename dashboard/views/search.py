"""检索: full-text search with the query syntax, filters, sort and paging."""

import streamlit as st

from dashboard import data
from dashboard.render import plain, snippet
from indexer import StoreError
from indexer.query import QuerySyntaxError
from nlp.analyzer import TIER_LABELS
from nlp.dictionary import get_dictionary

st.title("检索")
cfg = data.config_or_stop()
query = st.text_input("关键词", placeholder='例：宽带 断网 -联通，"信号太差"，退费 OR 赔偿')
c1, c2, c3 = st.columns([1, 2, 1])
severity_min = c1.selectbox("最低等级", [0, 1, 2, 3, 4], format_func=lambda t: f"{t}级 {TIER_LABELS[t]}")
cities = c2.multiselect("地市", get_dictionary(cfg.keywords_dir).cities)
sort = c3.selectbox("排序", ["time", "relevance", "severity", "influence"],
                    format_func={"time": "时间", "relevance": "相关度", "severity": "等级",
                                 "influence": "影响力"}.get)
page = st.number_input("页码", min_value=1, value=1, step=1)
try:
    total, hits = data.search(query, severity_min, tuple(cities), sort, int(page))
except QuerySyntaxError as exc:
    st.error(f"检索式有误：{exc}")
    st.stop()
except StoreError:
    st.error("检索失败，请稍后重试或联系管理员。")
    st.stop()
st.caption(f"共 {total} 条结果")
if not hits:
    st.info("没有找到匹配的帖子。试试更少的关键词，或放宽等级和地市。")
for hit in hits:
    p = hit.post
    with st.container(border=True):
        st.markdown(f"**{p.severity}级 {TIER_LABELS.get(p.severity or 0)}** · "
                    f"{(p.published_at or '')[:16].replace('T', ' ')} · {p.city or '未知地市'} · "
                    f"影响力 {p.influence or 0:.2f}")
        plain(p.title)
        snippet(hit.highlight)
        if p.url:
            st.link_button("打开原帖", p.url)
