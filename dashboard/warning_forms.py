"""The warning forms of the console: 人工发布 from selected posts (监控台, 检索), the review of a held
warning (审核, 采编), 恢复 of a warning published by hand, and the recipient groups (收件组).

Each calls one alerts service with the logged-in user; the service checks the role and the
rules, and the widgets only collect input and report the outcome in Chinese.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from alerts import audit, manual, recipients, review
from alerts.levels import level_tag
from core.markup import md
from dashboard import data
from dashboard.guard import action

CHANGE_LABELS = {"title": "标题", "body": "正文", "level": "级别", "recipients": "收件人"}

def refresh() -> None:
    """Forget the cached warning lists after a change."""
    for cached in (data.alerts, data.held_reviews, data.recipient_groups, data.warning_analysis):
        cached.clear()


def _level_label(level: int) -> str:
    held = data.config_or_stop().warnings.holds(level)
    return f"{level_tag(level)}" + ("（需审核）" if held else "（直接发布）")


def _recipient_pickers(key: str, hint: str) -> tuple[list[str], list[str]]:
    """Recipient groups and single notifiers; nothing chosen means `hint`."""
    groups = [g["name"] for g in data.recipient_groups()]
    notifiers = [n.name for n in data.config_or_stop().warnings.notifiers]
    c1, c2 = st.columns(2)
    chosen_groups = c1.multiselect("收件组", groups, key=f"{key}_groups", placeholder=hint,
                                  select_all=False)
    chosen = c2.multiselect("通知渠道", notifiers, key=f"{key}_notifiers", placeholder=hint,
                               select_all=False)
    return chosen_groups, chosen


def publish_form(posts: list[Any], user: Any, key: str) -> None:
    """发布预警 from the selected posts (monitors, managers and admins)."""
    if user.role not in manual.PUBLISHERS or not posts:
        return
    cfg = data.config_or_stop()
    known = data.cities()
    with st.expander(f"📢 发布预警（人工发布，{len(posts)} 条帖子）"):
        with st.form(f"{key}_publish"):
            c1, c2, c3 = st.columns(3)
            warning_type = c1.selectbox("预警类型", cfg.warnings.manual.types, key=f"{key}_wtype")
            department = c2.selectbox("发布部门", cfg.warnings.manual.departments, key=f"{key}_dept")
            level = c3.selectbox("级别", [1, 2, 3], index=2, format_func=_level_label,
                                 key=f"{key}_level")
            cities = st.multiselect("涉及地市", known, key=f"{key}_cities", placeholder="选择地市",
                                    select_all=False,
                                    default=[c for c in dict.fromkeys(p.city for p in posts) if c in known])
            groups, notifiers = _recipient_pickers(key, "不选则按通知渠道的路由规则")
            title = st.text_input("标题", key=f"{key}_title", max_chars=100,
                                  placeholder="留空则按地市、类型和首条帖子生成")
            body = st.text_area("研判与处置要求", key=f"{key}_body", height=100)
            submitted = st.form_submit_button("发布预警", type="primary", key=f"{key}_publish_go")
    if not submitted:
        return

    def publish() -> tuple[dict[str, Any], dict[str, int]]:
        state = data.state()
        done = manual.publish_manual(
            state, cfg, data.store(), user, post_ids=[p.id for p in posts], warning_type=warning_type,
            department=department, level=level, cities=cities,
            recipients=recipients.expand(state, cfg, groups, notifiers), title=title, body=body)
        sent = review.deliver(state, cfg)
        refresh()
        return done, sent

    result = action("publish", publish)
    if result is not None:
        done, sent = result
        st.success(f"预警 #{done['alert_id']} 已提交审核，审核通过后发出" if done["state"] == "held"
                   else f"预警 #{done['alert_id']} 已发布，已发出 {sent['sent']} 条消息")


def _recipients_text(names: list[str] | None) -> str:
    return "、".join(names) if names else "按通知渠道的路由规则"


def review_form(row: dict[str, Any], user: Any) -> None:
    """采编 and 审核 of one held warning: edit, then approve or reject with a reason."""
    cfg = data.config_or_stop()
    aid = row["alert_id"]
    st.caption(md(f"当前收件：{_recipients_text(row['recipients'])}"))
    with st.form(f"review_{aid}"):
        title = st.text_input("标题（采编）", value=row["subject"], key=f"rv_title_{aid}", max_chars=100)
        body = st.text_area("正文（采编）", value=row["body"], key=f"rv_body_{aid}", height=140)
        level = st.selectbox("级别", [1, 2, 3], index=row["level"] - 1, format_func=level_tag,
                             key=f"rv_level_{aid}")
        groups, notifiers = _recipient_pickers(f"rv_{aid}", "不选则收件人不变")
        note = st.text_input("审核意见（不通过时必填原因）", key=f"rv_note_{aid}")
        ok_col, no_col = st.columns(2)
        approve = ok_col.form_submit_button("✔ 通过并发布", type="primary", key=f"rv_ok_{aid}")
        reject = no_col.form_submit_button("✖ 不通过", key=f"rv_no_{aid}")
    if approve:
        def approve_and_send() -> None:
            state = data.state()
            review.approve(state, cfg, user, aid, title=title, body=body, level=level,
                           recipients=recipients.expand(state, cfg, groups, notifiers), note=note)
            review.deliver(state, cfg)
            refresh()

        action("approve", approve_and_send, success=f"预警 #{aid} 审核通过，已发出", rerun=True)
    if reject:
        def reject_it() -> None:
            review.reject(data.state(), cfg, user, aid, note)
            refresh()

        action("reject", reject_it, success=f"预警 #{aid} 未通过审核，不会发出", rerun=True)


def recover_button(alert: dict[str, Any], user: Any) -> None:
    """标记恢复 for an open warning published by hand."""
    if alert.get("origin") != "manual" or alert["status"] == "resolved" or \
            alert.get("review") not in ("approved", "published") or user.role not in manual.PUBLISHERS:
        return
    aid = alert["alert_id"]
    if st.button("✅ 标记恢复（发送解除通知）", key=f"recover_{aid}"):
        def recover() -> None:
            cfg = data.config_or_stop()
            manual.recover(data.state(), cfg, user, aid)
            review.deliver(data.state(), cfg)
            refresh()

        action("recover", recover, success=f"预警 #{aid} 已恢复，解除通知已发出", rerun=True)


def audit_trail(alert_id: int) -> None:
    """The warning's review and publishing steps, oldest first."""
    entries = list(reversed(audit.entries(data.state(), alert_id)))
    if entries:
        st.dataframe([{"时间": e["at"][:16].replace("T", " "), "操作": e["label"], "操作人": e["actor"],
                       "内容": _detail_text(e["detail"])} for e in entries],
                     hide_index=True, width="stretch")


def _detail_text(detail: dict[str, Any]) -> str:
    parts = []
    for label, field in (("原因", "reason"), ("意见", "note"), ("级别", "level"),
                         ("类型", "warning_type"), ("通知", "notifiers")):
        if detail.get(field):
            value = detail[field]
            parts.append(f"{label}：{'、'.join(value) if isinstance(value, list) else value}")
    for field, (before, after) in (detail.get("changes") or {}).items():
        parts.append(f"改{CHANGE_LABELS[field]}：{str(before)[:30]} → {str(after)[:30]}")
    return "；".join(parts)


def groups_editor(user: Any) -> None:
    """The recipient groups; managers and admins add, change and delete them."""
    rows = data.recipient_groups()
    if rows:
        st.dataframe([{"收件组": g["name"], "通知渠道": "、".join(g["notifiers"]), "说明": g["note"],
                       "修改人": g["updated_by"], "修改时间": g["updated_at"][:16].replace("T", " ")}
                      for g in rows], hide_index=True, width="stretch")
    else:
        st.caption("还没有收件组。")
    if user.role not in recipients.EDITORS:
        st.caption("收件组由管理者维护。")
        return
    cfg = data.config_or_stop()
    with st.form("group_edit"):
        st.markdown("**新建或修改收件组**（同名即修改）")
        name = st.text_input("名称", key="grp_name", max_chars=40)
        chosen = st.multiselect("通知渠道", [n.name for n in cfg.warnings.notifiers], key="grp_notifiers",
                                placeholder="选择通知渠道", select_all=False)
        note = st.text_input("说明", key="grp_note")
        save = st.form_submit_button("保存收件组", type="primary", key="grp_save")
    if save:
        def save_it() -> None:
            recipients.save_group(data.state(), cfg, user, name, chosen, note)
            refresh()

        action("group", save_it, success=f"已保存收件组 {name.strip()}", rerun=True)
    if rows:
        c1, c2 = st.columns([3, 1])
        doomed = c1.selectbox("删除收件组", [g["name"] for g in rows], key="grp_delete_pick")
        if c2.button("删除", key="grp_delete"):
            def delete_it() -> None:
                recipients.delete_group(data.state(), user, doomed)
                refresh()

            action("group", delete_it, success=f"已删除收件组 {doomed}", rerun=True)
