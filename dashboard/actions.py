"""Triage actions as small widgets: a correction is the post's grade at once (and a training
label for the model), posts become cases.

Each action calls one service (nlp.labels, cases) with the logged-in user; the service checks the
permission and the rules. The widgets only collect input and report the outcome in Chinese.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts, data, services
from dashboard.guard import action
from core.markup import md
from core.vocab import TIER_LABELS


def _save_label(post: Any, user: Any, **fields: Any) -> None:
    services.grade_post(post.id, user, **fields)
    # 检索, 趋势 and 报表 show the new grade on their next run, not when their cache expires
    data.grades_changed()
    charts.clear()


def correction_form(post: Any, user: Any) -> None:
    """Confirm or correct tier / categories / city / relevance of one post."""
    with st.form(f"correct_{post.id}", border=True):
        st.markdown("**确认或更正分级**（立即生效，并作为训练标注）")
        tier = st.selectbox("等级", [0, 1, 2, 3, 4], index=post.severity or 0,
                            format_func=lambda t: f"{t}级 {TIER_LABELS[t]}", key=f"fix_tier_{post.id}")
        options = data.categories()
        cats = st.multiselect("分类", options, default=[c for c in post.categories if c in options],
                              key=f"fix_cats_{post.id}", placeholder="选择分类（可多选）",
                              select_all=False)
        cities = ["（未知）", *data.cities()]
        city = st.selectbox("地市", cities,
                            index=cities.index(post.city) if post.city in cities else 0,
                            key=f"fix_city_{post.id}")
        relevant = st.checkbox("与本运营商相关", value=post.relevant is not False,
                               key=f"fix_rel_{post.id}")
        c1, c2 = st.columns(2)
        confirm = c1.form_submit_button("✔ 确认原判", width="stretch")
        correct = c2.form_submit_button("💾 保存更正", type="primary", width="stretch")
    if confirm or correct:
        if confirm:
            fields = dict(severity=post.severity, categories=list(post.categories), city=post.city,
                          relevant=post.relevant)
        else:
            fields = dict(severity=tier, categories=cats,
                          city=None if city == "（未知）" else city, relevant=relevant)
        action("label", lambda: _save_label(post, user, **fields),
               success="已确认原判" if confirm else "已保存更正", rerun=True)


def confirm_many(posts: list[Any], user: Any) -> None:
    """Confirm the grade of several posts as they are."""
    def confirm_all() -> None:
        for p in posts:
            _save_label(p, user, severity=p.severity, categories=list(p.categories), city=p.city,
                        relevant=p.relevant)

    action("label", confirm_all, success=f"已确认 {len(posts)} 条", rerun=True)


def mark_irrelevant(posts: list[Any], user: Any) -> None:
    """Label posts as not about the operator (tier 0)."""
    def mark_all() -> None:
        for p in posts:
            _save_label(p, user, severity=0, categories=list(p.categories), city=p.city,
                        relevant=False)

    action("label", mark_all, success=f"已将 {len(posts)} 条标记为无关", rerun=True)


def _open_case(post: Any, user: Any, dispatch: bool) -> Any:
    svc = services.cases()
    case = svc.create_from_post(user, post.id)
    if dispatch and case.status == "新建":  # auto-dispatch (config cases.auto_dispatch) may have
        case = svc.act(user, case.case_id, "dispatch")
    return case


def case_buttons(posts: list[Any], user: Any, key: str) -> None:
    """'Open a case' and 'open and dispatch' for one or several posts."""
    n = len(posts)
    c1, c2 = st.columns(2)
    open_only = c1.button("📋 建工单" if n == 1 else f"📋 建 {n} 张工单", key=f"case_{key}",
                          width="stretch")
    dispatch = c2.button("🚚 建单并派单" if n == 1 else f"🚚 建单并派单 ×{n}",
                         key=f"dispatch_{key}", width="stretch")
    if open_only or dispatch:
        made = []
        for post in posts:
            case = action("case", lambda p=post: _open_case(p, user, dispatch))
            if case is not None:
                made.append(case)
        if made:
            st.success("已建工单：" + md("、".join(f"{c.case_no}（{c.status}）" for c in made)))
            data.search.clear()
