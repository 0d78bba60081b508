"""What the pages of every reviewed library (口径, 排障指引, 典型案例) share: the filters, the table
with its picker, the version caption and history, and the review buttons — exactly the steps the
library's `available_actions` allows this user now (reply_scripts.review), nothing it would refuse."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.markup import md
from dashboard import data
from dashboard.guard import action
from reply_scripts.models import STATUS_LABELS


def filters(prefix: str, label: str, placeholder: str,
            topics: list[str] | None = None) -> dict[str, Any]:
    """检索 / 分类 / 状态 (and 专题 when given) above a listing, as the library's listing arguments."""
    cols = st.columns([3, 2, 2] + ([2] if topics else []))
    out: dict[str, Any] = {
        "query": cols[0].text_input(label, key=f"{prefix}_query", placeholder=placeholder).strip(),
        "category": cols[1].selectbox("分类", [None, *data.categories()], key=f"{prefix}_cat",
                                      format_func=lambda c: "全部分类" if c is None else c),
        "status": cols[2].selectbox("状态", [None, *STATUS_LABELS], key=f"{prefix}_status",
                                    format_func=lambda s: "全部状态" if s is None else STATUS_LABELS[s])}
    if topics:
        out["topic"] = cols[3].selectbox("专题", [None, *topics], key=f"{prefix}_topic",
                                         format_func=lambda t: "全部专题" if t is None else t)
    return out


def table_and_pick(svc: Any, user: Any, entries: list[Any], rows: list[dict[str, Any]], noun: str,
                   key: str) -> Any:
    """The entries' table (one row each), a picker under it; the entry picked, read again."""
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 height=min(360, 38 + 35 * len(rows)))
    by_id = {getattr(e, svc.KEY): e for e in entries}
    pick = st.selectbox(f"查看{noun}", list(by_id), key=key,
                        format_func=lambda i: f"{by_id[i].code} · {by_id[i].title}")
    st.divider()
    return svc.get(user, pick)


def official_and_latest(entry: Any) -> str:
    """官方版本：第 N 版 · 最新：第 M 版（状态）, for a detail's caption."""
    return (f"官方版本：{'第 %d 版' % entry.official.version if entry.official else '无'} · "
            f"最新：第 {entry.latest.version} 版（{entry.latest.status_label}）")


def history_table(history: list[Any]) -> None:
    """Every version: status, author, approver, when written, the review note."""
    st.dataframe(pd.DataFrame([{
        "版本": v.version, "状态": v.status_label, "作者": v.author, "审批人": v.approver or "",
        "创建": v.created_at[:16].replace("T", " "), "审核意见": v.review_note} for v in history]),
        hide_index=True, width="stretch")


def review_buttons(svc: Any, entry_id: int, latest_status: str, user: Any, key: str) -> list[str]:
    """提交审核 / 批准 / 退回修改 / 停用 for one entry; returns the actions offered (with 'edit')."""
    offered = svc.available_actions(user, entry_id)
    note = ""
    if set(offered) & {"approve", "reject", "retire"}:
        note = st.text_input("审核意见（退回时必填）", key=f"note_{key}")
    c1, c2, c3, c4 = st.columns(4)
    if "submit" in offered and c1.button("提交审核", key=f"sub_{key}"):
        action("submit", lambda: svc.submit(user, entry_id), success="已提交审核", rerun=True)
    if "approve" in offered and c2.button("批准", type="primary", key=f"ok_{key}"):
        action("approve", lambda: svc.approve(user, entry_id, note), success="已批准", rerun=True)
    if "reject" in offered and c3.button("退回修改", key=f"rej_{key}"):
        action("reject", lambda: svc.reject(user, entry_id, note), success="已退回", rerun=True)
    if "retire" in offered and c4.button("停用", key=f"ret_{key}"):
        action("retire", lambda: svc.retire(user, entry_id, note), success="已停用", rerun=True)
    if latest_status == "in_review" and "reject" in offered and "approve" not in offered:
        st.caption(md(svc.why_not(user, entry_id, "approve") or ""))
    return offered
