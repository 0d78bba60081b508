"""The review buttons of every reviewed library (口径, 排障指引, 典型案例): exactly the steps the
library's `available_actions` allows this user now (reply_scripts.review), nothing it would refuse."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.markup import md
from dashboard.guard import action


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
