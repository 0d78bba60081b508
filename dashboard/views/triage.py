"""监控台: the flagged-post queue, most severe and newest first, refreshing itself."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import actions, data, warning_forms
from dashboard.guard import run_page
from core.markup import md
from dashboard.render import count_text, plain, post_card, tier_style
from core.vocab import TIER_LABELS

REFRESH_SECONDS = 30


def _filters() -> tuple[data.Slice, int]:
    c1, c2, c3, c4, c5 = st.columns([1, 1, 2, 2, 1])
    hours = c1.selectbox("时间范围", [24, 72, 168, 720], index=2, key="tri_hours",
                         format_func=lambda h: f"近 {h // 24} 天" if h >= 48 else f"近 {h} 小时")
    tier = c2.selectbox("最低等级", [0, 1, 2, 3, 4], index=2, key="tri_tier",
                        format_func=lambda t: f"{t}级 {TIER_LABELS[t]}")
    cities = c3.multiselect("地市", data.cities(), key="tri_cities", placeholder="全部地市",
                            select_all=False)
    cats = c4.multiselect("分类", data.categories(), key="tri_cats", placeholder="全部分类",
                          select_all=False)
    relevant_only = c5.toggle("仅相关", value=True, key="tri_relevant")
    st.session_state.setdefault("tri_hide_labelled", True)
    where = data.Slice(since=data.since_hours(hours), severity_min=tier, cities=tuple(cities),
                       categories=tuple(cats), relevant=True if relevant_only else None,
                       include_duplicates=False)
    return where, hours


def _queue(where: data.Slice, hide_labelled: bool) -> list[Any]:
    result = data.search("", where, "severity", 1, 200, False)
    hits = result.hits
    labels = data.labels()
    if hide_labelled:  # a confirmed or corrected post is done: it leaves the queue
        hits = [h for h in hits if h.post.id not in labels]
    if not hits:
        if data.count(data.Slice()) == 0:
            st.info("库里还没有帖子。监控启动后，采集到的帖子会出现在这里"
                    "（演示论坛约一分钟内开始填充；也可运行 `tousu crawl`）。", icon="📭")
        else:
            st.info("暂无符合条件的帖子。可以放宽时间范围、等级或地市。", icon="✅")
        return []
    st.caption(f"共 {count_text(result)} 条，显示 {len(hits)} 条（等级从高到低、同级最新在前；"
               f"{'已标注的不再显示；' if hide_labelled else ''}每 {REFRESH_SECONDS} 秒自动刷新）")
    frame = data.posts_frame(hits)
    frame.insert(2, "标注", [data.label_note(h.post, labels.get(h.post.id)) for h in hits])
    st.dataframe(
        frame.drop(columns=["id", "摘要"]).style.map(tier_style, subset=["等级"]),
        hide_index=True, width="stretch", height=380,
        column_config={"链接": st.column_config.LinkColumn("链接", display_text="原帖"),
                       "影响力": st.column_config.ProgressColumn("影响力", min_value=0,
                                                                  max_value=1, format="%.2f")},
    )
    return hits


def render(user: Any) -> None:
    st.title("🚨 监控台")
    where, _ = _filters()
    head = data.headline(7)
    m1, m2, m3 = st.columns(3)
    m1.metric("入库帖子", f"{head['total']:,}")
    m2.metric("近7天相关", f"{head['relevant']:,}")
    m3.metric("近7天投诉及以上", f"{head['high']:,}")

    hide = st.toggle("隐藏已标注的帖子", key="tri_hide_labelled")

    @st.fragment(run_every=REFRESH_SECONDS)
    def queue() -> None:
        st.session_state["tri_hits"] = _queue(where, hide)

    queue()
    hits: list[Any] = st.session_state.get("tri_hits") or []
    if not hits:
        return
    by_id = {h.post.id: h.post for h in hits}
    ids = list(by_id)

    def label(pid: str) -> str:
        p = by_id[pid]
        return f"[{p.severity}级] {p.city or '未知'} · {(p.title or p.content)[:40]}"

    # Posts labelled since the last run left the queue. Set the picker to the first post, not
    # just forget it: a forgotten value leaves the browser showing the departed post's label.
    if st.session_state.get("tri_current") not in ids:
        st.session_state["tri_current"] = ids[0]
    st.session_state["tri_bulk"] = [i for i in st.session_state.get("tri_bulk", []) if i in ids]
    st.subheader("处置")
    chosen = st.selectbox("当前帖子（可输入文字筛选，↑↓ 选择）", ids, format_func=label,
                          key="tri_current")
    post = data.get_post(chosen) or by_id[chosen]
    left, right = st.columns([3, 2])
    with left:
        post_card(post)
        with st.expander("全文"):
            plain(post.content)
        prob = post.negative if post.negative is not None else 0
        st.caption(f"负面概率 {prob:.0%} · 匹配词：{md('、'.join(post.keywords[:12]) or '—')}")
    with right:
        actions.correction_form(post, user)
        if st.button("🚫 标记无关（非本运营商 / 广告）", key="one_irrelevant", width="stretch"):
            actions.mark_irrelevant([post], user)
        actions.case_buttons([post], user, key="one")

    st.subheader("批量操作")
    chosen_many = st.multiselect("选择多条帖子", ids, format_func=label, key="tri_bulk",
                                 placeholder="输入文字筛选并选择", select_all=False)
    if chosen_many:
        posts = [by_id[i] for i in chosen_many]
        b1, b2, b3 = st.columns(3)
        if b1.button(f"确认 {len(posts)} 条分级", key="bulk_confirm"):
            actions.confirm_many(posts, user)
        if b2.button(f"标记 {len(posts)} 条无关", key="bulk_irrelevant"):
            actions.mark_irrelevant(posts, user)
        with b3:
            actions.case_buttons(posts, user, key="bulk")
        warning_forms.publish_form(posts, user, key="tri_warn")


run_page("triage", render)
