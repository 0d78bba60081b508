"""督办: supervised rectification items with their deadlines, overdue ones marked; an item's
linked cases and posts, progress timeline and audit log; progress for its owners; closing with
evidence, 一月一事 and adjustments for managers; recurring problems, and opening an item from one,
from a warning, from cases or by hand.

Everything goes through rectification.RectificationService with the logged-in user: a handler
sees the items of their cities and those naming them, and opening another by id (?item=N) gets
the service's "not found".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

import pandas as pd
import streamlit as st

from core.markup import md
from core.post import Post, now_cst
from dashboard import data, services
from dashboard.guard import action, run_page
from dashboard.render import plain, post_card
from rectification import ItemNotFoundError

MANAGING = ("manager", "admin")


def _left(item: Any) -> str:
    if not item.is_open:
        return "已办结"
    return f"剩 {item.days_left:.1f} 天" if item.days_left > 0 else f"逾期 {-item.days_left:.1f} 天"


def _late_style(row: pd.Series) -> list[str]:
    red = "background-color: #fdecea; color: #b03a2e; font-weight: 600"
    return [red if row["逾期"] else "" for _ in row]


def _table(items: list[Any]) -> None:
    frame = pd.DataFrame([{
        "编号": i.item_no, "状态": i.status, "地点": i.place, "问题": i.problem,
        "责任部门": i.owner_department, "整改时限": i.deadline, "剩余": _left(i),
        "进度": "—" if i.progress is None else f"{i.progress}%",
        "一月一事": "、".join(i.worst_months), "逾期": i.overdue} for i in items])
    st.dataframe(frame.style.apply(_late_style, axis=1), hide_index=True, width="stretch",
                 height=min(420, 38 + 35 * len(frame)),
                 column_config={"逾期": st.column_config.CheckboxColumn("逾期")})


def _owner_forms(item: Any, user: Any) -> None:
    svc = services.rectification()
    if not svc.may_progress(user, item):
        return
    with st.form(f"rp_progress_{item.item_id}", clear_on_submit=True):
        st.markdown("**填报整改进展**")
        body = st.text_area("进展情况", key=f"rp_body_{item.item_id}")
        percent = st.slider("整改进度 %", 0, 100, item.progress or 0, step=5,
                            key=f"rp_percent_{item.item_id}")
        attachment = st.text_input("附件（编号、文件名或链接，可选）", key=f"rp_att_{item.item_id}")
        if st.form_submit_button("提交进展", type="primary"):
            action("progress", lambda: svc.progress(user, item.item_id, body, percent, attachment),
                   success="已提交整改进展", rerun=True)


def _manager_forms(item: Any, user: Any) -> None:
    if user.role not in MANAGING:
        return
    svc = services.rectification()
    iid = item.item_id
    if item.is_open:
        with st.form(f"rx_close_{iid}"):
            st.markdown("**办结**（须有整改证据）")
            evidence = st.text_area("办结证据", key=f"rx_evidence_{iid}")
            attachment = st.text_input("附件（编号、文件名或链接，可选）", key=f"rx_att_{iid}")
            if st.form_submit_button("办结", type="primary"):
                action("close", lambda: svc.close_item(user, iid, evidence, attachment),
                       success="已办结", rerun=True)
    else:
        with st.form(f"rx_reopen_{iid}"):
            st.markdown("**重新督办**")
            reason = st.text_input("原因", key=f"rx_reason_{iid}")
            deadline = st.date_input("新的整改时限", value=now_cst().date() + timedelta(days=30),
                                     key=f"rx_redeadline_{iid}")
            if st.form_submit_button("重新督办"):
                action("reopen", lambda: svc.reopen(user, iid, reason, deadline),
                       success="已重新督办", rerun=True)
    c1, c2 = st.columns([2, 1])
    month = c1.text_input("一月一事月份", value=f"{now_cst():%Y-%m}", key=f"rx_month_{iid}")
    if c2.button("设为一月一事", key=f"rx_worst_{iid}"):
        action("worst", lambda: svc.mark_worst(user, iid, month), success=f"已设为 {month} 一月一事",
               rerun=True)
    with st.form(f"rx_remark_{iid}", clear_on_submit=True):
        remark = st.text_area("督办意见", key=f"rx_remark_text_{iid}")
        if st.form_submit_button("提交督办意见"):
            action("remark", lambda: svc.remark(user, iid, remark), success="已提交督办意见",
                   rerun=True)
    with st.expander("调整事项（时限、责任部门、措施）"):
        with st.form(f"rx_update_{iid}"):
            deadline = st.date_input("整改时限", value=date.fromisoformat(item.deadline),
                                     key=f"rx_deadline_{iid}")
            department = st.text_input("责任部门", value=item.owner_department, key=f"rx_dept_{iid}")
            measure = st.text_area("预期整改措施", value=item.measure, key=f"rx_measure_{iid}")
            reason = st.text_input("调整原因", key=f"rx_update_reason_{iid}")
            if st.form_submit_button("保存调整"):
                action("update", lambda: svc.update(
                    user, iid, reason, deadline=deadline.isoformat(), owner_department=department,
                    measure=measure), success="已保存调整", rerun=True)


def _detail(item_id: int, user: Any) -> None:
    svc = services.rectification()
    item = svc.get(user, item_id)  # ItemNotFoundError for another city's item → shown by the guard
    st.subheader(md(f"{item.item_no} · {item.status}") + (" · :red[逾期]" if item.overdue else ""))
    plain(item.problem)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("地点", item.place)
    c2.metric("责任部门", item.owner_department)
    c3.metric("整改时限", item.deadline, _left(item), delta_color="off")
    c4.metric("进度", "—" if item.progress is None else f"{item.progress}%")
    st.caption(md(f"来源：{item.origin_label}　分类：{item.category or '—'}　责任人："
                  f"{'、'.join(item.owners) or '责任地市处理员'}"
                  + (f"　一月一事：{'、'.join(item.worst_months)}" if item.worst_months else "")))
    st.markdown("**预期整改措施**")
    plain(item.measure)
    if item.evidence:
        st.markdown("**办结证据**" + (f"（附件：{md(item.evidence_ref)}）" if item.evidence_ref else ""))
        plain(item.evidence)
    left, right = st.columns([3, 2])
    with left:
        notes = svc.notes(user, item.item_id)
        st.markdown("**整改进展**")
        if not notes:
            st.caption("尚未填报进展。")
        for n in notes:
            extra = "".join([f" · {n['percent']}%" if n["percent"] is not None else "",
                             f" · 附件：{n['attachment']}" if n["attachment"] else ""])
            st.caption(md(f"{n['at'][:16].replace('T', ' ')} · {n['author']} · {n['kind_label']}{extra}"))
            plain(n["body"])
        cases = svc.linked_cases(user, item.item_id)
        st.markdown(f"**关联工单**（{len(cases)}）")
        if cases:
            st.dataframe(pd.DataFrame([{"工单号": c.case_no, "状态": c.status, "地市": c.city or "未知",
                                        "标题": c.title} for c in cases]),
                         hide_index=True, width="stretch")
        posts = svc.linked_posts(user, item.item_id)
        st.markdown(f"**关联帖子**（{len(posts)}）")
        for row in posts[:5]:
            if row["post"]:
                post_card(Post.from_dict(row["post"]))
        st.markdown("**处理记录**")
        st.dataframe(pd.DataFrame([{"时间": a["at"][:16].replace("T", " "), "操作人": a["actor"],
                                    "操作": a["action"], "说明": a["detail"]}
                                   for a in svc.audit_log(user, item.item_id)]),
                     hide_index=True, width="stretch")
    with right:
        _owner_forms(item, user)
        _manager_forms(item, user)
        if user.role == "monitor":
            st.caption("省监控员可查看督办事项；立项、办结由管理者负责，进展由责任单位填报。")


def _items(user: Any) -> None:
    svc = services.rectification()
    c1, c2 = st.columns([1, 1])
    open_only = c1.toggle("仅整改中", value=True, key="rx_open")
    overdue = c2.toggle("仅逾期", key="rx_overdue")
    items = svc.list_items(user, status="整改中" if open_only else None, overdue=overdue)
    requested = (st.query_params.get("item") or "").strip()
    if not items and not requested:
        st.info("没有符合条件的督办事项。" + ("管理者可在「立项督办」中把重复出现的问题立为督办事项。"
                                               if user.role in MANAGING else ""), icon="📭")
        return
    if items:
        _table(items)
    if requested:
        st.divider()
        try:
            _detail(svc.item_id_of(requested), user)
        except ItemNotFoundError as exc:  # the other tabs still render
            st.error(str(exc))
        return
    titles = {i.item_id: f"{i.item_no} · {i.place} · {i.problem[:30]}" for i in items}
    chosen = st.selectbox("查看督办事项", list(titles), format_func=titles.get, key="rx_pick")
    st.divider()
    _detail(chosen, user)


def _recurring(user: Any) -> None:
    svc = services.rectification()
    days = st.slider("统计最近天数", 7, 90, data.config_or_stop().rectification.candidate_days,
                     key="rx_days")
    found = svc.candidates(user, days=days)
    st.caption(f"同一分类在同一区县（或地市）有 {data.config_or_stop().rectification.candidate_min_cases}"
               " 张及以上工单的问题；区县取自工单标题和内容中的地名。")
    if not found:
        st.info("最近没有达到条件的重复问题。", icon="✅")
        return
    st.dataframe(pd.DataFrame([{"地市": c.city, "区县": c.district or "—", "分类": c.category,
                                "工单数": c.count, "工单号": "、".join(c.case_nos[:10]),
                                "已督办": "、".join(c.open_items)} for c in found]),
                 hide_index=True, width="stretch")


def _open_form(key: str, defaults: dict[str, Any]) -> dict[str, Any] | None:
    """The fields of a new item (problem, department, deadline, measure); None until submitted."""
    cfg = data.config_or_stop()
    with st.form(f"rx_new_{key}"):
        problem = st.text_input("问题描述", value=defaults.get("problem", ""), key=f"rx_new_problem_{key}")
        c1, c2 = st.columns(2)
        department = c1.text_input("责任部门", value=defaults.get("owner_department", ""),
                                   key=f"rx_new_dept_{key}")
        deadline = c2.date_input("整改时限", key=f"rx_new_deadline_{key}",
                                 value=now_cst().date() + timedelta(days=cfg.rectification.default_days))
        measure = st.text_area("预期整改措施", key=f"rx_new_measure_{key}")
        if not st.form_submit_button("立项督办", type="primary"):
            return None
    return {"problem": problem, "owner_department": department, "deadline": deadline.isoformat(),
            "measure": measure}


def _opened(open_item: Callable[[], Any]) -> None:
    """Open the item, then show it: the page runs again with ?item= naming it."""
    def run() -> Any:
        item = open_item()
        st.query_params["item"] = str(item.item_id)
        return item

    action("open", run, success="已立项督办", rerun=True)


def _new(user: Any) -> None:
    svc = services.rectification()
    departments = data.config_or_stop().cases.departments
    source = st.radio("来源", ["重复问题", "事件/量预警", "工单", "手工"], horizontal=True, key="rx_source")
    if source == "重复问题":
        found = [c for c in svc.candidates(user) if not c.open_items]
        if not found:
            st.info("最近没有尚未督办的重复问题。", icon="✅")
            return
        labels = {i: c.label for i, c in enumerate(found)}
        pick = found[st.selectbox("重复问题", list(labels), format_func=labels.get, key="rx_cand")]
        fields = _open_form("cand", {"problem": f"{pick.place}「{pick.category}」问题反复出现（{pick.count} 张工单）",
                                     "owner_department": departments.get(pick.category, "")})
        if fields:
            _opened(lambda: svc.open_from_candidate(user, pick, **fields))
    elif source == "事件/量预警":
        alerts = svc.openable_alerts(user)
        if not alerts:
            st.info("没有事件预警或量预警。", icon="📭")
            return
        labels = {a["alert_id"]: f"#{a['alert_id']} · {a['created_at'][:16].replace('T', ' ')} · "
                                 f"{a['city'] or '全省'} · {a['title'][:40]}" for a in alerts}
        alert_id = st.selectbox("预警", list(labels), format_func=labels.get, key="rx_alert")
        fields = _open_form("alert", {})
        if fields:
            _opened(lambda: svc.open_from_alert(user, alert_id, **fields))
    elif source == "工单":
        cases = services.cases().list_cases(user, limit=300)
        labels = {c.case_id: f"{c.case_no} · {c.city or '未知'} · {c.title[:30]}" for c in cases}
        chosen = st.multiselect("工单", list(labels), format_func=labels.get, key="rx_cases",
                                placeholder="选择工单", select_all=False)
        fields = _open_form("cases", {})
        if fields:
            _opened(lambda: svc.open_from_cases(user, chosen, **fields))
    else:
        c1, c2, c3 = st.columns(3)
        city = c1.selectbox("地市", ["（全省）", *data.cities()], key="rx_city")
        city = None if city == "（全省）" else city
        district = c2.selectbox("区县", ["", *svc.districts(city)], key="rx_district")
        category = c3.selectbox("分类", ["", *data.categories()], key="rx_category")
        # The form's keys name the category, so a new category brings its department as default.
        fields = _open_form(f"manual_{category}", {"owner_department": departments.get(category, "")})
        if fields:
            _opened(lambda: svc.open(user, city=city, district=district,
                                     category=category or None, **fields))


def render(user: Any) -> None:
    st.title("📌 督办")
    svc = services.rectification()
    items = svc.list_items(user)
    worst = svc.worst_of(user, f"{now_cst():%Y-%m}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("整改中", sum(i.is_open for i in items))
    c2.metric("逾期", sum(i.overdue for i in items))
    c3.metric("已办结", sum(not i.is_open for i in items))
    c4.metric("本月一月一事", worst.item_no if worst else "未设定")
    if worst:
        st.caption("一月一事：" + md(f"{worst.problem}（{worst.owner_department}，{worst.deadline}）"))
    names = ["督办事项", "重复问题"] if user.role != "handler" else ["督办事项"]
    if user.role in MANAGING:
        names.append("立项督办")
    tabs = dict(zip(names, st.tabs(names)))
    with tabs["督办事项"]:
        _items(user)
    if "重复问题" in tabs:
        with tabs["重复问题"]:
            _recurring(user)
    if "立项督办" in tabs:
        with tabs["立项督办"]:
            _new(user)


run_page("rectification", render)
