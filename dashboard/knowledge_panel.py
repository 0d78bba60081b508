"""The case page's knowledge column: the approved guides and typical cases that fit the case
(knowledge.suggest, ranked as the scripts are), and 推荐为典型案例 once the case is closed."""

from __future__ import annotations

from typing import Any

import streamlit as st

from cases.states import CLOSED
from core.markup import md
from dashboard import services
from dashboard.guard import action
from dashboard.render import plain
from knowledge.suggest import for_case
from knowledge.typical import PROPOSERS


def _guide(match: Any, user: Any) -> None:
    version = services.guides().get(user, match.entry_id).official
    with st.expander(md(f"{match.code} · {match.title}（相似度 {match.score:.2f}）")):
        st.caption("推荐理由：" + md(match.why or "—"))
        st.markdown("**排查步骤**")
        st.markdown("\n".join(f"{n}. {md(step)}" for n, step in enumerate(version.steps, 1)))
        if version.checks:
            st.markdown("**核查要点**")
            st.markdown("\n".join(f"- {md(check)}" for check in version.checks))
        if version.handover:
            st.caption("转交：" + md(version.handover))


def _typical(match: Any, user: Any) -> None:
    entry = services.typical().get(user, match.entry_id)
    version = entry.official
    with st.expander(md(f"{match.code} · {match.title}（相似度 {match.score:.2f}）")):
        st.caption(md(f"推荐理由：{match.why or '—'} · {entry.city or '—'} · 工单 {entry.case_no}"))
        for label, text in (("线上回复", version.reply), ("线下处理", version.fix),
                            ("结果", version.outcome), ("经验要点", version.lesson)):
            if text:
                st.markdown(f"**{label}**")
                plain(text)


def _propose(case: Any, user: Any) -> None:
    typical = services.typical()
    existing = typical.of_case(case.case_id)
    if existing is not None:
        st.caption(md(f"本工单已推荐为典型案例 {existing.code}（{existing.latest.status_label}）"))
        return
    with st.form(f"typical_{case.case_id}"):
        lesson = st.text_area("经验要点（可选）", key=f"typical_lesson_{case.case_id}")
        if st.form_submit_button("推荐为典型案例"):
            action("propose", lambda: typical.propose(user, services.cases(), case.case_id, lesson),
                   success="已生成典型案例草稿（已去除个人信息），请在「知识库」提交审核", rerun=True)


def case_panel(case: Any, user: Any) -> None:
    """排障指引 and 相似典型案例 for the case; the proposal form for a closed case."""
    guides, typical = for_case(services.guides(), services.typical(), services.cases(), user,
                               case.case_id)
    st.markdown("**排障指引**")
    if not guides:
        st.caption("没有与此工单相近的已批准排障指引。可在「知识库」中检索。")
    for match in guides:
        _guide(match, user)
    st.markdown("**相似典型案例**")
    if not typical:
        st.caption("典型案例库中暂无相近案例。")
    for match in typical:
        _typical(match, user)
    if case.status == CLOSED and user.role in PROPOSERS:
        _propose(case, user)
