"""质检: the provincial team samples closed cases (every tier-4 one, the configured share of the
rest, reproducibly), reads how each was closed and passes or returns it with a reason — a returned
case reopens at its branch; 重复派单: posts in two open cases, merged by a monitor.

Everything goes through cases.quality.CaseQuality with the logged-in user: the service refuses a
handler, and anyone checking a case they closed themselves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from cases.states import DISPATCHING
from core.markup import md
from core.post import now_cst
from dashboard import data, services
from dashboard.guard import action, run_page
from dashboard.render import plain

PICK = "qc_pick"


def _sample_form(user: Any) -> None:
    today = now_cst().date()
    share = data.config_or_stop().cases.quality.sample_share
    with st.form("qc_sample"):
        st.markdown(f"**抽取质检工单**：所选日期内办结的工单，4级全部抽检，其余按 {share:.0%} 抽检"
                    "（抽样可复现：同一日期范围总是抽到同样的工单）")
        c1, c2 = st.columns(2)
        since = c1.date_input("办结日期自", value=today - timedelta(days=6), key="qc_since")
        until = c2.date_input("至", value=today, key="qc_until")
        go = st.form_submit_button("抽样", type="primary")
    if go:
        result = action("sample", lambda: services.quality().sample(user, since, until))
        if result is not None:
            st.success(f"{since} 至 {until} 办结 {result['closed']} 张，抽检 {result['sampled']} 张"
                       f"（4级 {result['tier4']} 张），新加入质检 {result['added']} 张。")


def _check(row: dict[str, Any], user: Any) -> None:
    """One sampled case as it was closed, with 合格 / 退回."""
    st.subheader(md(f"{row['case_no']} · {row['branch']}"))
    plain(row["title"])
    st.caption(md(f"办结：{row['closed_at'][:16].replace('T', ' ')} · {row['closed_by']} · "
                  f"{row['basis_label']} · {row['tier']}级"))
    if row["invalid_reason"]:
        st.markdown("**无效工单**：" + md(row["invalid_reason"]))
    else:
        plan = "已解决" if row["resolved"] else f"未解决，计划解决时间 {row['planned_fix_date']}"
        st.markdown("**根本原因**：" + md(f"{row['root_cause_group']} · {row['root_cause']}"
                                      + (f"（{row['root_cause_note']}）" if row["root_cause_note"]
                                         else "")))
        st.markdown("**处理场景**：" + md(row["scenario"] or "—") + f"　**{plan}**")
        st.markdown("**线下处理结果**：" + md(row["offline_result"] or "—"))
    st.markdown(f"[📋 打开工单详情](cases?case={int(row['case_id'])})")
    with st.form(f"qc_decide_{row['case_id']}", clear_on_submit=True):
        comment = st.text_area("质检意见（退回时必填：退回原因）", key=f"qc_comment_{row['case_id']}")
        ok, back = st.columns(2)
        passed = ok.form_submit_button("质检合格", type="primary")
        returned = back.form_submit_button("退回重办")
    quality = services.quality()
    if passed:
        action("qc", lambda: quality.pass_case(user, row["case_id"], comment),
               success=f"工单 {row['case_no']} 质检合格", rerun=True)
    if returned:
        action("qc", lambda: quality.return_case(user, row["case_id"], comment),
               success=f"工单 {row['case_no']} 已退回{row['branch']}重新处理", rerun=True)


def _pending(user: Any) -> None:
    _sample_form(user)
    rows = services.quality().pending(user)
    st.metric("待质检", len(rows))
    if not rows:
        st.info("没有待质检的工单。选择办结日期范围后点「抽样」。", icon="📭")
        return
    st.dataframe(pd.DataFrame([{
        "工单号": r["case_no"], "责任单位": r["branch"], "等级": r["tier"], "抽检依据": r["basis_label"],
        "办结": r["closed_at"][:16].replace("T", " "), "办结人": r["closed_by"],
        "根本原因": "无效工单" if r["invalid_reason"] else f"{r['root_cause_group']} · {r['root_cause']}",
        "标题": r["title"]} for r in rows]), hide_index=True, width="stretch")
    by_id = {r["case_id"]: r for r in rows}
    chosen = st.selectbox("质检工单", list(by_id), key=PICK,
                          format_func=lambda i: f"{by_id[i]['case_no']} · {by_id[i]['branch']}")
    st.divider()
    _check(by_id[chosen], user)


def _duplicates(user: Any) -> None:
    quality = services.quality()
    rows = quality.open_duplicates(user)
    if not rows:
        st.info("没有同一帖子出现在多张未办结工单中的情况。新建工单时重复的帖子或事件会自动并入在办工单。",
                icon="✅")
        return
    cases = services.cases()
    numbers = {i: cases.get(user, i).case_no for r in rows for i in r["case_ids"]}
    st.dataframe(pd.DataFrame([{"帖子": r["post_id"], "工单": "、".join(numbers[i] for i in r["case_ids"])}
                               for r in rows]), hide_index=True, width="stretch")
    with st.form("qc_merge"):
        ids = sorted(numbers)
        c1, c2 = st.columns(2)
        dup = c1.selectbox("重复工单（将标记为无效）", ids, index=len(ids) - 1, format_func=numbers.get,
                           key="qc_merge_dup")
        into = c2.selectbox("并入工单", ids, format_func=numbers.get, key="qc_merge_into")
        go = st.form_submit_button("合并", type="primary")
    if go:
        action("merge", lambda: quality.merge(user, dup, into),
               success=f"工单 {numbers[dup]} 已并入 {numbers[into]}", rerun=True)


def render(user: Any) -> None:
    st.title("✅ 工单质检")
    if user.role not in DISPATCHING:
        _pending(user)
        return
    pending, dups = st.tabs(["待质检", "重复派单"])
    with pending:
        _pending(user)
    with dups:
        _duplicates(user)


run_page("quality", render)
