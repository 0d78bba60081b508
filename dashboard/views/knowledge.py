"""知识库: troubleshooting guides (排障指引) and typical cases (典型案例) — browse, search, draft,
review. The rules (only approved versions are shown beside cases, nobody approves their own
draft, drafts of typical cases only for their authors and reviewers, personal data scrubbed)
live in knowledge/; this page collects input and shows results.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.markup import md
from dashboard import data, services
from dashboard.guard import action, run_page
from dashboard.render import plain
from dashboard.review import (filters, history_table, official_and_latest, review_buttons,
                              table_and_pick)


def _guide_form(key: str, latest: Any = None) -> dict[str, Any] | None:
    """The guide's fields as typed, when the form is submitted."""
    get = (lambda name, default="": getattr(latest, name)) if latest else (lambda name, default="": default)
    with st.form(f"guide_form_{key}", clear_on_submit=latest is None):
        fields = {
            "title": st.text_input("标题", get("title"), key=f"g_title_{key}"),
            "categories": st.multiselect("分类", data.categories(), key=f"g_cats_{key}",
                                         default=[c for c in get("categories", []) if c in data.categories()],
                                         placeholder="选择分类（可多选）", select_all=False),
            "topic": st.text_input("专题（可选，如 VoLTE）", get("topic"), key=f"g_topic_{key}"),
            "symptoms": st.text_area("问题现象", get("symptoms"), key=f"g_sym_{key}"),
            "steps": st.text_area("排查步骤（每行一步）", "\n".join(get("steps", [])), height=160,
                                  key=f"g_steps_{key}"),
            "checks": st.text_area("核查要点（每行一条）", "\n".join(get("checks", [])), key=f"g_checks_{key}"),
            "handover": st.text_input("转交（对象与时机）", get("handover"), key=f"g_hand_{key}")}
        return fields if st.form_submit_button("保存" if latest else "保存草稿", type="primary") else None


def _guide_detail(guide: Any, user: Any) -> None:
    shown = guide.official or guide.latest
    st.subheader(md(f"{guide.code} · {shown.title}"))
    st.caption(md(f"{official_and_latest(guide)} · 分类：{'、'.join(shown.categories) or '—'} · 专题：{shown.topic or '—'}"))
    st.markdown("**问题现象**")
    plain(shown.symptoms)
    st.markdown("**排查步骤**")
    st.markdown("\n".join(f"{n}. {md(step)}" for n, step in enumerate(shown.steps, 1)))
    if shown.checks:
        st.markdown("**核查要点**")
        st.markdown("\n".join(f"- {md(check)}" for check in shown.checks))
    st.caption("转交：" + md(shown.handover or "—"))
    history_table(guide.history)
    svc = services.guides()
    offered = review_buttons(svc, guide.guide_id, guide.latest.status, user, f"g{guide.guide_id}")
    if "edit" in offered:
        with st.expander("修改（生成新版本草稿）"):
            fields = _guide_form(f"edit_{guide.guide_id}", guide.latest)
            if fields is not None:
                action("edit", lambda: svc.edit(user, guide.guide_id, **fields),
                       success="已保存为草稿", rerun=True)


def _guides_tab(user: Any) -> None:
    svc = services.guides()
    with st.expander("起草新指引"):
        fields = _guide_form("new")
        if fields is not None:
            action("create", lambda: svc.create(user, **fields), success="已保存草稿", rerun=True)
    chosen = filters("g", "检索", "标题、现象或正文中的文字", svc.topics())
    guides = svc.list_guides(user, **chosen)
    if not guides:
        st.info("没有符合条件的排障指引。" if svc.count() else
                "指引库还是空的：管理员可运行 `tousu guides load-seed` 载入入门指引。", icon="📭")
        return
    rows = [{"编号": g.code, "标题": g.title, "分类": "、".join((g.official or g.latest).categories),
             "专题": (g.official or g.latest).topic,
             "官方版本": f"第 {g.official.version} 版" if g.official else "无",
             "最新状态": g.latest.status_label} for g in guides]
    _guide_detail(table_and_pick(svc, user, guides, rows, "指引", "g_pick"), user)


def _typical_detail(entry: Any, user: Any) -> None:
    shown = entry.official or entry.latest
    st.subheader(md(f"{entry.code} · {shown.title}"))
    st.caption(md(f"工单 {entry.case_no} · {entry.city or '—'} · {entry.tier}级 · "
                  f"分类：{'、'.join(shown.categories) or '—'} · 最新：第 {entry.latest.version} 版"
                  f"（{entry.latest.status_label}）"))
    for label, text in (("问题", shown.problem), ("线上回复", shown.reply), ("线下处理", shown.fix),
                        ("结果", shown.outcome), ("经验要点", shown.lesson)):
        st.markdown(f"**{label}**")
        plain(text or "—")
    history_table(entry.history)
    svc = services.typical()
    offered = review_buttons(svc, entry.typical_id, entry.latest.status, user, f"t{entry.typical_id}")
    if "edit" not in offered:
        return
    latest = entry.latest
    with st.expander("修改（个人信息会再次自动去除）"):
        with st.form(f"typical_edit_{entry.typical_id}"):
            fields = {key: st.text_area(label, getattr(latest, key), key=f"t_{key}_{entry.typical_id}")
                      for key, label in (("title", "标题"), ("problem", "问题"), ("reply", "线上回复"),
                                         ("fix", "线下处理"), ("outcome", "结果"), ("lesson", "经验要点"))}
            if st.form_submit_button("保存"):
                action("edit", lambda: svc.edit(user, entry.typical_id, **fields),
                       success="已保存为草稿", rerun=True)


def _typical_tab(user: Any) -> None:
    svc = services.typical()
    st.caption("典型案例由能查看工单的人员在已办结工单上「推荐为典型案例」，去除个人信息后经审核人批准入库。")
    entries = svc.list_typical(user, **filters("t", "检索", "标题、现象或正文中的文字"))
    if not entries:
        st.info("没有符合条件的典型案例。", icon="📭")
        return
    rows = [{"编号": e.code, "标题": e.title, "地市": e.city or "—",
             "分类": "、".join((e.official or e.latest).categories), "工单": e.case_no,
             "最新状态": e.latest.status_label} for e in entries]
    _typical_detail(table_and_pick(svc, user, entries, rows, "案例", "t_pick"), user)


def render(user: Any) -> None:
    st.title("🧭 知识库")
    guides, typical = st.tabs(["排障指引", "典型案例"])
    with guides:
        _guides_tab(user)
    with typical:
        _typical_tab(user)


run_page("knowledge", render)
