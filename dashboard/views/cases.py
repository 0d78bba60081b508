"""工单: cases by state with SLA countdowns; case detail with timeline, posts, reply scripts, guides
and typical cases, comments; 办结 through its own form asking what 工单质检 needs (root cause from
the taxonomy, 处理场景, solved or a 计划解决时间), checked before the confirmation with the service's
own rules (cases.closing).

Everything goes through cases.CaseService with the logged-in user: a handler's list holds only
their cities, and opening another branch's case by number, by id or by ?case=N gets the same
「不存在或不在您的管辖范围内」as a case that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from cases.closing import closure_fields
from cases.config import OTHER_CAUSE
from cases.models import CaseError, CaseNotFound
from cases.states import CLOSED, OPEN_STATUSES, STATUSES
from core.post import Post, now_cst
from dashboard import data, services
from dashboard.guard import action, run_page
from dashboard.knowledge_panel import case_panel
from core.markup import md
from dashboard.render import plain, post_card
from reply_scripts.suggest import suggest_for_case

PICK, FOCUS, KEPT = "c_pick", "c_focus", "c_kept"
# Actions asked for twice: the second click confirms.
CONFIRM = {"close": "办结后工单结束、不再计时；如需继续处理，须由监控员「重新处理」。"}
RELATIONS = {"main": "主帖", "event": "同事件", "same_author": "同作者"}


def countdown(due: str | None, done_at: str | None, now: datetime) -> str:
    """'剩 3.5 小时' / '超时 2.0 小时' / '已完成' for an SLA deadline."""
    if done_at:
        return "已完成"
    if not due:
        return "—"
    hours = (datetime.fromisoformat(due) - now).total_seconds() / 3600
    return f"剩 {hours:.1f} 小时" if hours >= 0 else f"超时 {-hours:.1f} 小时"


def _overdue_style(row: pd.Series) -> list[str]:
    red = "background-color: #fdecea; color: #b03a2e; font-weight: 600"
    return [red if row["超时"] else "" for _ in row]


def _table(cases: list[Any]) -> None:
    now = now_cst()
    frame = pd.DataFrame([{
        "工单号": c.case_no, "状态": c.status, "等级": c.tier,
        "预警": f"{c.level}级" if c.level else "", "地市": c.city or "未知",
        "承办": c.branch, "标题": c.title,
        "首次响应": countdown(c.first_response_due, c.first_response_at, now),
        "办结时限": countdown(c.closure_due, c.closed_at, now),
        "超时": bool(c.is_open and (c.flags.get("first_response_overdue")
                                      or c.flags.get("closure_overdue"))),
        "创建": c.created_at[:16].replace("T", " "),
    } for c in cases])
    st.dataframe(frame.style.apply(_overdue_style, axis=1), hide_index=True,
                 width="stretch", height=min(420, 38 + 35 * len(frame)),
                 column_config={"超时": st.column_config.CheckboxColumn("超时")})


def _suggested_scripts(case: Any, user: Any) -> None:
    suggestions = suggest_for_case(data.config_or_stop(), services.scripts(),
                                   services.cases(), user, case.case_id)
    if not suggestions:
        st.caption("口径库中没有与此工单相近的已批准口径。可在「口径库」中检索。")
        return
    choices = {f"{s.code} · {s.title}（相似度 {s.score:.2f}）": s for s in suggestions}
    pick = st.selectbox("推荐口径（仅已批准版本）", list(choices), key=f"script_{case.case_id}")
    chosen = choices[pick]
    st.caption("推荐理由：" + md(chosen.why or "—"))
    if chosen.missing_placeholders:
        st.warning("请补全占位符：" + md("、".join(chosen.missing_placeholders)))
    if chosen.risk_note:
        st.caption("⚠️ 风险提示：" + md(chosen.risk_note))
    # st.code shows the text as text and has a copy button: fill in, copy, paste into the thread.
    st.code(chosen.reply, language=None, wrap_lines=True)
    st.session_state[f"reply_text_{case.case_id}"] = chosen.reply
    st.session_state[f"reply_script_{case.case_id}"] = chosen.script_id


def _act(case: Any, user: Any, name: str, body: str, options: dict[str, Any],
         label: str) -> None:
    """Take the action; on success the page runs again with this case still open (whatever the
    filters now say of it) and says what was done."""
    st.session_state[FOCUS] = case.case_id
    action("case", lambda: services.cases().act(user, case.case_id, name, body, **options),
           success=f"工单 {case.case_no} 已{label}", rerun=True)


def _close_form(case: Any, pending_key: str) -> None:
    """办结 with what 工单质检 asks; a missing or vague answer is refused here, naming the field,
    before the confirmation."""
    quality = data.config_or_stop().cases.quality
    group = {c: g for g, causes in quality.root_causes.items() for c in causes} | {OTHER_CAUSE: OTHER_CAUSE}
    key = case.case_id
    with st.form(f"close_{key}"):
        st.markdown("**办结**（工单质检：根本原因、处理场景必填；未解决的须填写计划解决时间）")
        cause = st.selectbox("根本原因", list(group), index=None, placeholder="请选择",
                             format_func=lambda c: f"{group[c]} · {c}", key=f"close_cause_{key}")
        note = st.text_input("原因说明（根本原因为「其他」时必填）", key=f"close_note_{key}")
        scenario = st.text_area("处理场景（如何处理、在哪里、结果如何）", key=f"close_scenario_{key}")
        solved = st.radio("问题是否已解决", ["已解决", "未解决"], index=None, horizontal=True,
                          key=f"close_solved_{key}")
        plan = st.date_input("计划解决时间（未解决时必填）", value=None, key=f"close_plan_{key}")
        result = st.text_area("线下处理结果", key=f"close_result_{key}")
        go = st.form_submit_button("办结", type="primary")
    if not go:
        return
    options = {"root_cause": cause, "root_cause_note": note, "scenario": scenario,
               "resolved": None if solved is None else solved == "已解决", "planned_fix_date": plan}
    try:
        if not result.strip():
            raise CaseError("办结需要填写线下处理结果")
        closure_fields(quality, result.strip(), options, now_cst().date())
    except CaseError as exc:
        st.error(md(str(exc)))
        return
    st.session_state[pending_key] = ("close", result, options)


def _actions(case: Any, user: Any) -> None:
    svc = services.cases()
    available = svc.available_actions(user, case.case_id)
    if not available:
        st.caption("当前状态下您没有可执行的操作。")
        return
    by_name = {a["action"]: a for a in available}
    labels = {a["action"]: f"{a['label']} → {a['target']}" for a in available if a["action"] != "close"}
    with st.form(f"act_{case.case_id}"):
        name = st.selectbox("操作", list(labels), format_func=labels.get, key=f"act_pick_{case.case_id}")
        text = st.text_area("说明 / 回复内容（回复时默认带入上方口径）", key=f"act_text_{case.case_id}")
        use_script = st.checkbox("线上回复使用上方口径（计入口径使用次数）", value=True,
                                 key=f"act_script_{case.case_id}")
        go = st.form_submit_button("执行", type="primary")
    pending_key = f"act_confirm_{case.case_id}"
    if go:
        options: dict[str, Any] = {}
        body = text
        if name == "reply" and use_script and f"reply_script_{case.case_id}" in st.session_state:
            body = text or st.session_state[f"reply_text_{case.case_id}"]
            options["script_id"] = st.session_state[f"reply_script_{case.case_id}"]
        needed = by_name[name]["needs_text"]
        if name in CONFIRM and needed and not body.strip():
            st.error(f"{by_name[name]['label']}需要填写{needed}")
        elif name in CONFIRM:
            st.session_state[pending_key] = (name, body, options)
        else:
            _act(case, user, name, body, options, by_name[name]["label"])
    if "close" in by_name:
        _close_form(case, pending_key)
    pending = st.session_state.get(pending_key)
    if pending and pending[0] in by_name:
        name, body, options = pending
        label = by_name[name]["label"]
        st.warning(f"确认{label}工单 {case.case_no}？{CONFIRM[name]}", icon="⚠️")
        yes, no = st.columns(2)
        if yes.button(f"确认{label}", type="primary", key=f"act_yes_{case.case_id}"):
            del st.session_state[pending_key]
            _act(case, user, name, body, options, label)
        if no.button("取消", key=f"act_no_{case.case_id}"):
            del st.session_state[pending_key]
            st.rerun()


def _closure(case: Any, user: Any) -> None:
    """How the case was closed (root cause, 处理场景, plan) or why it is 无效, and its 质检 record."""
    if case.invalid_reason:
        st.info("无效工单：" + md(case.invalid_reason), icon="🚫")
    elif case.root_cause:
        plan = "已解决" if case.resolved else f"未解决，计划解决时间 {case.planned_fix_date}"
        st.info(md(f"根本原因：{case.root_cause_group} · {case.root_cause}"
                   + (f"（{case.root_cause_note}）" if case.root_cause_note else "")
                   + f"　处理场景：{case.scenario}　{plan}"), icon="🧾")
    checks = services.quality().history(user, case.case_id)
    if checks:
        st.caption("质检记录：" + md("；".join(
            f"{c['sampled_at'][:10]} {c['basis_label']} → {c['result_label']}"
            + (f"（{c['checked_by']}：{c['comment']}）" if c["comment"] else "") for c in checks)))


def _detail(case_id: int, user: Any) -> None:
    svc = services.cases()
    case = svc.get(user, case_id)  # CaseNotFound for another branch's case → shown by the guard
    overdue = case.is_open and (case.flags.get("first_response_overdue")
                                or case.flags.get("closure_overdue"))
    st.subheader(md(f"{case.case_no} · {case.status}") + (" · :red[超时]" if overdue else ""))
    plain(case.title)
    now = now_cst()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("地市", case.city or "未知")
    c1.caption(f"承办：{md(case.branch)}")
    c2.metric("首次响应", countdown(case.first_response_due, case.first_response_at, now))
    c3.metric("办结时限", countdown(case.closure_due, case.closed_at, now))
    c4.metric("等级", f"{case.tier}级")
    c4.caption(f"部门：{md(case.department or '—')}")
    _closure(case, user)
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**相关帖子**")
        for row in svc.related_posts(user, case.case_id)[:10]:
            st.caption(RELATIONS.get(row["relation"], md(row["relation"])))
            if row["post"]:
                post_card(Post.from_dict(row["post"]))
            else:
                st.caption("（帖子已不在库中）")
        st.markdown("**处理记录**")
        audit = svc.audit_log(user, case.case_id)
        st.dataframe(pd.DataFrame([{
            "时间": a["at"][:16].replace("T", " "), "操作人": a["actor"], "操作": a["action"],
            "状态": f"{a['from_status'] or ''} → {a['to_status'] or ''}", "说明": a["detail"],
        } for a in audit]), hide_index=True, width="stretch")
        notes = svc.notes(user, case.case_id)
        if notes:
            st.markdown("**备注与回复**")
            for n in notes:
                st.caption(md(f"{n['at'][:16].replace('T', ' ')} · {n['author']} · {n['kind_label']}"))
                plain(n["body"])
        with st.form(f"comment_{case.case_id}", clear_on_submit=True):
            body = st.text_area("添加备注", key=f"comment_text_{case.case_id}")
            if st.form_submit_button("提交备注"):
                action("comment", lambda: svc.comment(user, case.case_id, body),
                       success="已添加备注")
    with right:
        st.markdown("**处置**")
        _actions(case, user)
        st.markdown("**回复口径**")
        _suggested_scripts(case, user)
        case_panel(case, user)


def _open_requested(requested: str, user: Any) -> None:
    """The case a typed reference or ?case= names, whatever the list's filters say; the same
    message for a case that does not exist and one the user may not see."""
    svc = services.cases()
    try:
        case = svc.get(user, svc.case_id_of(requested))
    except CaseNotFound:
        st.error(f"工单 {md(requested)} 不存在或不在您的管辖范围内")
        return
    st.divider()
    _detail(case.case_id, user)


def _picker(cases: list[Any], user: Any) -> int | None:
    """The case to show below the list: the one picked, or the one just acted on (kept in the
    picker even when the filters no longer list it, e.g. after 办结)."""
    svc = services.cases()
    focus = st.session_state.pop(FOCUS, None)
    if focus is not None:
        st.session_state[KEPT] = focus
    kept = st.session_state.get(KEPT)
    if kept is not None and kept not in {c.case_id for c in cases}:
        try:
            cases = [svc.get(user, kept), *cases]
        except CaseNotFound:
            st.session_state.pop(KEPT, None)
    if not cases:
        return None
    titles = {c.case_id: f"{c.case_no} · {c.status} · {c.title[:30]}" for c in cases}
    if focus in titles:
        # Set from here, the picker shows the case's new status: a picker left to itself keeps
        # showing the option text it was given when the case was picked.
        st.session_state[PICK] = focus
    return st.selectbox("查看工单", list(titles), format_func=titles.get, key=PICK)


def render(user: Any) -> None:
    st.title("📋 工单")
    svc = services.cases()
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    statuses = c1.multiselect("状态", list(STATUSES), key="c_status", placeholder="全部状态",
                              select_all=False)
    open_only = c2.toggle("仅未办结", value=True, key="c_open")
    overdue = c3.toggle("仅超时", key="c_overdue")
    mine = c4.toggle("我的工单", value=user.role == "handler", key="c_mine",
                     help="处理员：负责地市的工单；其他角色：我创建的工单")
    created_by = user.username if mine and user.role != "handler" else None
    cases = svc.list_cases(user, status=statuses or None, open_only=open_only, overdue=overdue,
                           limit=500, created_by=created_by)
    counts = svc.status_counts(user, created_by=created_by)  # every status, whatever is listed
    cols = st.columns(len(OPEN_STATUSES) + 1)
    for col, status in zip(cols, (*OPEN_STATUSES, CLOSED)):
        col.metric(status, counts[status])
    typed = st.text_input("按工单号或编号打开", key="c_goto", placeholder="例：TS2026112200001 或 12")
    requested = (typed or st.query_params.get("case") or "").strip()
    if requested:
        if cases:
            _table(cases)
        _open_requested(requested, user)
        return
    if cases:
        _table(cases)
    chosen = _picker(cases, user)
    if chosen is None:
        st.info("没有符合条件的工单。" + ("您负责地市的新工单会出现在这里。" if user.role == "handler"
                                           else "可在「监控台」从帖子建单。"), icon="📭")
        return
    st.divider()
    _detail(chosen, user)


run_page("cases", render)
