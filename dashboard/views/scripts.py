"""口径库: browse and search reply scripts; draft, submit, review, approve, retire; version diff.

The library's rules (only approved versions are official, nobody approves their own draft, who
may retire) live in reply_scripts.ScriptService; this page collects input and shows results.
"""

from __future__ import annotations

import difflib
from typing import Any

import streamlit as st

from dashboard import data, services
from dashboard.guard import action, run_page
from dashboard.review import (filters, history_table, official_and_latest, review_buttons,
                              table_and_pick)
from core.markup import esc, md
from dashboard.render import plain

def diff_html(old: str, new: str) -> str:
    """A side-by-side-free inline diff of two texts as escaped HTML (our tags only)."""
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op == "equal":
            out.append(esc(old[a1:a2]))
        if op in ("delete", "replace"):
            out.append(f'<del style="background:#fdecea">{esc(old[a1:a2])}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins style="background:#e8f8f0">{esc(new[b1:b2])}</ins>')
    return f'<div style="white-space:pre-wrap;line-height:1.7">{"".join(out)}</div>'


def _workflow(script: Any, user: Any) -> None:
    """The buttons of what the library will accept from this user now (its available_actions),
    nothing it would refuse."""
    svc = services.scripts()
    latest = script.latest
    sid = script.script_id
    offered = review_buttons(svc, sid, latest.status, user, str(sid))
    if "edit" not in offered:
        return
    with st.expander("修改（生成新版本草稿）"):
        with st.form(f"edit_{sid}"):
            title = st.text_input("标题", latest.title, key=f"e_title_{sid}")
            cats = st.multiselect("分类", data.categories(),
                                  default=[c for c in latest.categories if c in data.categories()],
                                  key=f"e_cats_{sid}", placeholder="选择分类（可多选）",
                                  select_all=False)
            scenario = st.text_area("适用场景", latest.scenario, key=f"e_scen_{sid}")
            body = st.text_area("正文（占位符：{昵称} {城市} {热线} {工单号}）", latest.body,
                                height=180, key=f"e_body_{sid}")
            risk = st.text_input("风险提示", latest.risk_note, key=f"e_risk_{sid}")
            if st.form_submit_button("保存"):
                action("edit", lambda: svc.edit(user, sid, title=title, categories=cats,
                                                scenario=scenario, body=body, risk_note=risk),
                       success="已保存为草稿", rerun=True)


def _detail(script: Any, user: Any) -> None:
    shown = script.official or script.latest
    st.subheader(md(f"{script.code} · {shown.title}"))
    st.caption(md(f"{official_and_latest(script)} · 使用 {script.use_count} 次 · "
                  f"分类：{'、'.join(shown.categories) or '—'}"))
    st.markdown("**适用场景**")
    plain(shown.scenario)
    st.markdown("**正文**")
    st.code(shown.body, language=None, wrap_lines=True)
    if shown.risk_note:
        st.caption("⚠️ 风险提示：" + md(shown.risk_note))
    history = script.history
    history_table(history)
    if len(history) > 1:
        versions = [v.version for v in history]
        c1, c2 = st.columns(2)
        a = c1.selectbox("对比版本", versions, index=len(versions) - 2, key=f"da_{script.script_id}")
        b = c2.selectbox("与", versions, index=len(versions) - 1, key=f"db_{script.script_id}")
        va, vb = history[versions.index(a)], history[versions.index(b)]
        st.html(diff_html(f"{va.title}\n{va.scenario}\n{va.body}", f"{vb.title}\n{vb.scenario}\n{vb.body}"))
    _workflow(script, user)


def _new_draft(user: Any) -> None:
    svc = services.scripts()
    with st.expander("起草新口径"):
        with st.form("new_script", clear_on_submit=True):
            title = st.text_input("标题", key="n_title")
            cats = st.multiselect("分类", data.categories(), key="n_cats",
                                  placeholder="选择分类（可多选）", select_all=False)
            scenario = st.text_area("适用场景", key="n_scenario")
            body = st.text_area("正文（占位符：{昵称} {城市} {热线} {工单号}）", key="n_body")
            risk = st.text_input("风险提示", key="n_risk")
            if st.form_submit_button("保存草稿", type="primary"):
                action("create", lambda: svc.create(user, title, cats, scenario, body, risk),
                       success="已保存草稿", rerun=True)


def render(user: Any) -> None:
    st.title("📚 口径库")
    svc = services.scripts()
    scripts = svc.list_scripts(user, **filters("k", "检索口径", "标题、场景或正文中的文字"))
    _new_draft(user)
    if not scripts:
        st.info("没有符合条件的口径。" + ("可以起草一条新口径。" if svc.count() else
                                           "口径库还是空的：起草第一条，或由管理员导入口径库文件。"),
                icon="📭")
        return
    rows = [{"编号": s.code, "标题": s.title, "分类": "、".join((s.official or s.latest).categories),
             "官方版本": f"第 {s.official.version} 版" if s.official else "无",
             "最新状态": s.latest.status_label, "使用次数": s.use_count} for s in scripts]
    _detail(table_and_pick(svc, user, scripts, rows, "口径", "k_pick"), user)


run_page("scripts", render)
