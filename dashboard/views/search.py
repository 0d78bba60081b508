"""检索: full-text search with the query syntax, filters, sort, paging, export, saved searches."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import streamlit as st

from alerts.manual import PUBLISHERS
from cases.states import STATUSES
from dashboard import data, warning_forms
from dashboard.guard import action, run_page
from core.markup import md
from core.post import now_cst
from dashboard.render import count_text, post_card
from core.vocab import TIER_LABELS

SORTS = {"time": "时间", "relevance": "相关度", "severity": "等级", "influence": "影响力"}
PAGE_SIZE = 20
FORM_KEYS = ("s_query", "s_range", "s_sources", "s_cities", "s_cats", "s_tier", "s_status",
             "s_sort", "s_operators", "s_intent")


def _apply_saved(spec: dict[str, Any]) -> None:
    for key in FORM_KEYS:
        if key in spec:
            st.session_state[key] = (tuple(date.fromisoformat(d) for d in spec[key])
                                     if key == "s_range" else spec[key])
    st.session_state["s_page"] = 1


def _saved(user: Any) -> None:
    saved = data.saved_searches(user.username)
    with st.expander(f"已保存的检索（{len(saved)}）"):
        if saved:
            c1, c2, c3 = st.columns([3, 1, 1])
            name = c1.selectbox("检索名称", list(saved), key="s_saved_pick")
            if c2.button("载入", key="s_load"):
                _apply_saved(saved[name])
                st.rerun()
            if c3.button("删除", key="s_delete"):
                action("delete_search", lambda: data.delete_search(user.username, name),
                       success=f"已删除检索「{name}」", rerun=True)
        c1, c2 = st.columns([3, 1])
        new_name = c1.text_input("保存当前检索为", key="s_save_name", max_chars=40)
        if c2.button("保存", key="s_save") and new_name.strip():
            spec = {k: st.session_state.get(k) for k in FORM_KEYS}
            if spec.get("s_range"):
                spec["s_range"] = [d.isoformat() for d in spec["s_range"]]
            # run again so the count above and the list include it at once
            action("save_search", lambda: data.save_search(user.username, new_name.strip(), spec),
                   success=f"已保存检索「{new_name.strip()}」", rerun=True)


def render(user: Any) -> None:
    st.title("🔍 检索")
    _saved(user)
    query = st.text_input("关键词", key="s_query",
                          placeholder='例：宽带 断网 -联通 ｜ "信号太差" ｜ 退费 OR 赔偿')
    st.caption('语法：空格分隔 = 同时包含；"精确短语"；A OR B = 任一；-词 = 排除')
    today = now_cst().date()
    c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
    period = c1.date_input("发布时间", value=(today - timedelta(days=30), today), key="s_range",
                           max_value=today + timedelta(days=1))
    sources = c2.multiselect("来源", data.source_names(), key="s_sources", placeholder="全部来源",
                             select_all=False)
    cities = c3.multiselect("地市", data.cities(), key="s_cities", placeholder="全部地市",
                            select_all=False)
    cats = c4.multiselect("分类", data.categories(), key="s_cats", placeholder="全部分类",
                          select_all=False)
    c5, c6, c7 = st.columns([2, 2, 2])
    tier = c5.selectbox("最低等级", [0, 1, 2, 3, 4], key="s_tier",
                        format_func=lambda t: f"{t}级 {TIER_LABELS[t]}")
    statuses = c6.multiselect("工单状态", list(STATUSES), key="s_status", placeholder="不限",
                              select_all=False)
    sort = c7.selectbox("排序", list(SORTS), format_func=SORTS.get, key="s_sort")
    c8, c9 = st.columns([2, 2])
    operators = c8.multiselect("涉及运营商", data.operator_names(), key="s_operators",
                               placeholder="不限（含友商帖子请在此选择）", select_all=False)
    intent = c9.selectbox("作者意图不低于", [0, 1, 2, 3, 4], key="s_intent",
                          format_func=lambda t: f"{t}级 {TIER_LABELS[t]}",
                          help="帖子作者的投诉意图，不论对象；最低等级只看本方运营商")

    since = until = None
    if isinstance(period, (tuple, list)) and period:
        since = data.day_start(period[0])
        if len(period) > 1:
            until = data.day_start(period[1] + timedelta(days=1))
    where = data.Slice(since=since, until=until, sources=tuple(sources), cities=tuple(cities),
                       categories=tuple(cats), severity_min=tier or None,
                       case_status=tuple(statuses), operators=tuple(operators),
                       intent_min=intent or None)
    page = int(st.session_state.get("s_page", 1))
    result = data.search(query, where, sort, page, PAGE_SIZE)
    pages = max(1, -(-result.total // PAGE_SIZE))
    if page > pages and not result.total_is_lower_bound:
        page = 1
        result = data.search(query, where, sort, page, PAGE_SIZE)
    hits = result.hits
    more = "+" if result.total_is_lower_bound else ""
    st.caption(f"共 {count_text(result)} 条结果 · 第 {page}/{max(pages, page):,}{more} 页")
    if not hits:
        if data.count(data.Slice()) == 0:
            st.info("库里还没有帖子，采集开始后即可检索。", icon="📭")
        else:
            st.info("没有找到匹配的帖子。试试更少的关键词，或放宽时间、等级和地市。", icon="🔎")
        return

    e1, e2, e3, e4, e5 = st.columns([1, 1, 1, 1, 2])
    if e1.button("◀ 上一页", disabled=page <= 1, key="s_prev"):
        st.session_state["s_page"] = page - 1
        st.rerun()
    if e2.button("下一页 ▶", disabled=page >= pages and not more, key="s_next"):
        st.session_state["s_page"] = page + 1
        st.rerun()
    with e5.popover(f"导出（最多 {data.EXPORT_LIMIT:,} 条）"):
        export_key = repr((query, where, sort))
        if st.button("生成导出文件", key="s_export"):
            with st.spinner("正在生成…"):
                frame = data.export_frame(query, where, sort)
                buffer = io.BytesIO()
                frame.to_excel(buffer, index=False, sheet_name="检索结果")
                st.session_state["s_export_files"] = (
                    export_key, frame.to_csv(index=False).encode("utf-8-sig"), buffer.getvalue())
        files = st.session_state.get("s_export_files")
        if files and files[0] == export_key:
            st.download_button("下载 CSV", files[1], file_name="tousu-search.csv",
                               mime="text/csv", key="s_csv")
            st.download_button("下载 Excel", files[2], file_name="tousu-search.xlsx",
                               mime="application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet", key="s_xlsx")
    if user.role in PUBLISHERS:
        by_id = {h.post.id: h.post for h in hits}
        # Posts picked on another page or search are not among this page's options.
        st.session_state["s_pick"] = [i for i in st.session_state.get("s_pick", []) if i in by_id]
        picked = st.multiselect("选择帖子发布预警", list(by_id), key="s_pick", placeholder="本页帖子", select_all=False,
                                format_func=lambda i: f"[{by_id[i].severity}级] {by_id[i].city or '未知'} · "
                                                      f"{(by_id[i].title or by_id[i].content)[:40]}")
        warning_forms.publish_form([by_id[i] for i in picked if i in by_id], user, key="s_warn")
    for hit in hits:
        with st.container(border=True):
            post_card(hit.post, hit.highlight)
    st.caption(md(f"第 {page}/{pages} 页"))


run_page("search", render)
