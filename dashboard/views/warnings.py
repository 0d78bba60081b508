"""预警: open, acknowledged and resolved warnings by level; why a volume or spike warning fired
(为何预警); the event's posts, growth curve and spread; acknowledge and silence through the alerts
service. 抑制与静默: every message held back by quiet alerting (folded into an event, grouped,
muted) with why and what became of it. 待审核: the held warnings, edited (采编) and approved or
rejected by the reviewers; 预警分析; 收件组 kept by the managers."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from accounts.models import ROLE_LABELS
from alerts.engine import acknowledge, silence
from alerts.explanation import DIMENSIONS, unusual_line
from alerts.review import ORIGIN_LABELS, STATE_LABELS, reviewer_roles, stage_label
from core.post import now_cst
from core.vocab import ALERT_STATUS_NAMES, LEVEL_NAMES
from dashboard import data, spread_view, warning_forms
from dashboard.charts import time_axis
from dashboard.guard import action, run_page
from core.markup import esc, md
from dashboard.render import LEVEL_COLOURS, plain, post_card

VIEWS = {"list": "预警列表", "review": "待审核", "quiet": "抑制与静默", "analysis": "预警分析",
         "groups": "收件组"}
PERIODS = {7: "近 7 天", 30: "近 30 天", 90: "近 90 天"}


def _growth(posts: list[Any]) -> None:
    stamps = sorted(p.published_at for p in posts if p and p.published_at)
    if len(stamps) < 2:
        return
    frame = pd.DataFrame({"时间": pd.to_datetime([s[:19] for s in stamps])})
    frame["累计帖子数"] = range(1, len(frame) + 1)
    fig = px.line(frame, x="时间", y="累计帖子数", markers=True, title="事件增长曲线")
    fig.update_layout(height=260, margin=dict(t=40, b=10))
    fig.update_traces(hovertemplate="%{x|%Y-%m-%d %H:%M}<br>累计 %{y} 条<extra></extra>")
    st.plotly_chart(time_axis(fig, "hour"), width="stretch")


def _posts(post_ids: list[str]) -> None:
    posts = [data.get_post(pid) for pid in post_ids[:50]]
    posts = [p for p in posts if p is not None]
    _growth(posts)
    for post in posts[:5]:
        post_card(post)
    if len(posts) > 5:
        st.caption(f"共 {len(posts)} 条相关帖子，仅显示前 5 条")


def _why(explanation: dict[str, Any]) -> None:
    """为何预警: each dimension's part of the excess, new words, first posts, the statistic."""
    excess = explanation["excess"]
    st.markdown("**为何预警**")
    plain(f"{'超出' if excess >= 0 else '低于'}基线 {abs(excess):.1f} 条（{explanation['count']} 条，"
          f"{explanation['baseline']} {explanation['expected']:.1f} 条）；"
          f"{unusual_line(explanation['unusual'])}", small=True)
    dimensions = [d for d in DIMENSIONS if explanation["drivers"].get(d)]
    for column, dimension in zip(st.columns(len(dimensions) or 1), dimensions):
        column.caption(f"按{DIMENSIONS[dimension]}：占超出量")
        column.dataframe(pd.DataFrame(
            [{DIMENSIONS[dimension]: p["value"], "本窗口": p["count"], "基线": p["expected"],
              "超出": p["excess"], "占比": f"{p['share']:.0%}" if p["share"] is not None else "—"}
             for p in explanation["drivers"][dimension]]), hide_index=True, width="stretch")
    if explanation["words"]:
        st.caption("新词：本窗口常见、基线少见")
        st.dataframe(pd.DataFrame(
            [{"词": w["word"], "帖子数": w["posts"], "基线": w["expected"],
              "占超出量": f"{w['share']:.0%}" if w["share"] is not None else "—"}
             for w in explanation["words"]]), hide_index=True, width="stretch")
    first = [data.get_post(p["id"]) for p in explanation["first_posts"]]
    if any(first):
        st.caption("首发帖子")
        for post in first:
            if post is not None:
                post_card(post)


def _detail(alert: dict[str, Any], user: Any) -> None:
    plain(alert["body"], small=True)
    if alert.get("explanation"):
        _why(json.loads(alert["explanation"]))
    _posts(alert["post_ids"])
    if alert["rule_type"] == "event":
        spread_view.render(alert["post_ids"], str(alert["alert_id"]))
    held = data.quiet_messages("", alert["alert_id"])
    if not held.empty:
        st.caption("通知记录：以下消息未按原样立即发出")
        st.dataframe(held.drop(columns=["预警", "级别"]), hide_index=True, width="stretch")
    if alert["review"] is not None or alert["origin"] == "manual":
        warning_forms.audit_trail(alert["alert_id"])
    warning_forms.recover_button(alert, user)
    c1, c2 = st.columns(2)
    if alert["status"] == "open" and c1.button("确认预警", key=f"ack_{alert['alert_id']}"):
        def ack() -> None:
            acknowledge(data.state(), alert["alert_id"], user.username)
            data.alerts.clear()

        action("ack", ack, success="已确认，不再提醒", rerun=True)
    with c2.form(f"sil_{alert['alert_id']}"):
        target = st.radio("静默对象", [alert["key"], alert["rule"]], horizontal=True,
                          format_func=lambda t: ("此预警" if t == alert["key"]
                                                 else f"此规则的全部预警（{data.rule_label(t)}）"),
                          key=f"sil_t_{alert['alert_id']}")
        hours = st.selectbox("时长", [1, 4, 24, 72], format_func=lambda h: f"{h} 小时",
                             key=f"sil_h_{alert['alert_id']}")
        reason = st.text_input("原因", key=f"sil_r_{alert['alert_id']}")
        if st.form_submit_button("静默（期间不再通知）"):
            now = now_cst()
            action("silence", lambda: silence(data.state(), target, now + timedelta(hours=hours),
                                              f"{user.username}：{reason}".strip("："), now),
                   success=f"已静默 {hours} 小时")


def _tags(row: dict[str, Any]) -> str:
    tags = [ALERT_STATUS_NAMES.get(row["status"], row["status"])]
    if row["origin"] == "manual":
        tags.append(ORIGIN_LABELS["manual"])
    if row["review"] in ("held", "rejected"):
        tags.append(STATE_LABELS[row["review"]])
    return " · ".join(tags)


def _card(row: dict[str, Any], user: Any, expanded: bool = False) -> None:
    level = row["level"]
    with st.container(border=True):
        st.html(f'<div style="border-left:4px solid {LEVEL_COLOURS[level]};'
                f'padding-left:8px"><b>{esc(row["title"])}</b><br>'
                f'<span style="color:#666;font-size:0.85em">'
                f'{esc(row["created_at"][:16].replace("T", " "))} · '
                f'{esc(row["city"] or "未知地市")} · '
                f'<span title="规则 {esc(row["rule"])}">{esc(data.rule_label(row["rule"]))}</span> · '
                f'{esc(_tags(row))}</span></div>')
        with st.expander("详情、帖子与增长曲线", expanded=expanded):
            _detail(row, user)


def _linked(user: Any) -> int | None:
    """The warning a notification's link (?alert=N) names, shown first and open; its id."""
    wanted = str(st.query_params.get("alert") or "").strip()
    if not wanted:
        return None
    row = data.alert(int(wanted)) if wanted.isdigit() else None
    if row is None:
        st.warning(f"预警 {esc(wanted)} 不存在（可能已被清理）。", icon="🔎")
        return None
    st.subheader("通知中的预警")
    _card(row, user, expanded=True)
    st.divider()
    return row["alert_id"]


def _list(user: Any) -> None:
    linked = _linked(user)
    rows = data.alerts()
    if not rows:
        st.info("暂无预警。预警每分钟评估一次，达到阈值的帖子和事件会出现在这里。", icon="✅")
        return
    statuses = Counter(r["status"] for r in rows)
    c1, c2 = st.columns([3, 1])
    shown = c1.multiselect("状态", list(ALERT_STATUS_NAMES), default=["open", "acknowledged"],
                           format_func=ALERT_STATUS_NAMES.get, key="w_status", placeholder="全部状态",
                           select_all=False)
    c2.metric("未处理", statuses.get("open", 0))
    rows = [r for r in rows if r["status"] in shown] if shown else rows
    tabs = st.tabs([f"{LEVEL_NAMES[lv]}（{sum(r['level'] == lv for r in rows)}）" for lv in (1, 2, 3)])
    for tab, level in zip(tabs, (1, 2, 3)):
        with tab:
            chosen = [r for r in rows if r["level"] == level and r["alert_id"] != linked]
            if not chosen:
                st.caption("没有此级别的预警。")
            for row in chosen[:40]:
                _card(row, user)


def _reviews(user: Any) -> None:
    cfg = data.config_or_stop()
    rows = data.held_reviews()
    may_review = user.role in reviewer_roles(cfg)
    if not rows:
        st.info("没有待审核的预警。" + ("" if any(cfg.warnings.holds(lv) for lv in (1, 2, 3))
                                       else "当前配置下所有级别的预警都直接发布（warnings.review）。"),
                icon="✅")
        return
    if not may_review:
        st.caption("待审核的预警由" + "、".join(ROLE_LABELS[r] for r in reviewer_roles(cfg))
                   + "审核；审核通过前不会发出。")
    for row in rows:
        with st.container(border=True):
            st.html(f'<div style="border-left:4px solid {LEVEL_COLOURS[row["level"]]};'
                    f'padding-left:8px"><b>#{row["alert_id"]} {esc(row["title"])}</b><br>'
                    f'<span style="color:#666;font-size:0.85em">'
                    f'{esc(row["created_at"][:16].replace("T", " "))} · '
                    f'{esc(ORIGIN_LABELS[row["origin"]])} · '
                    f'{esc("、".join(row["cities"]) or row["city"] or "未知地市")} · '
                    f'{esc(stage_label(cfg, row["stage"], row["stage_due_ts"]))}</span></div>')
            if row["origin"] == "manual":
                st.caption(md(f"{row['warning_type']} · {row['department']} · 发布人 {row['created_by']}"))
            with st.expander("相关帖子与审核记录"):
                _posts(row["post_ids"])
                warning_forms.audit_trail(row["alert_id"])
            if may_review:
                warning_forms.review_form(row, user)
            else:
                plain(row["body"], small=True)


def _quiet(user: Any) -> None:
    days = st.radio("统计周期", list(PERIODS), format_func=PERIODS.get, horizontal=True,
                    key="w_quiet_period")
    frame = data.quiet_messages(data.since_hours(days * 24))
    st.caption("按 warnings.quiet 配置：事件内的单帖预警并入事件通知（抑制），同级预警在分组窗口内"
               "合并发送（分组），部分级别只在设定时段发送（静默时段）。每条未立即发出的消息都记录在此，"
               "不会丢失。")
    if frame.empty:
        st.info("此期间没有被抑制、分组或静默的消息。", icon="✅")
        return
    kinds = Counter(frame["类别"])
    m = st.columns(4)
    for col, label in zip(m, ("抑制（并入事件）", "分组", "静默时段", "汇总")):
        col.metric(label, kinds.get(label, 0))
    # Folded messages are few beside the grouped ones: the list can show one kind alone.
    kind = st.radio("类别", ["全部", *kinds], horizontal=True, key="w_quiet_kind")
    if kind != "全部":
        frame = frame[frame["类别"] == kind]
    # The warning's title and the reason are long: narrowed (whole on hover) so 去向 stays in view.
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"编号": st.column_config.NumberColumn(width="small"),
                                "预警": st.column_config.TextColumn(width="medium"),
                                "原因": st.column_config.TextColumn(width="medium")})


def _analysis(user: Any) -> None:
    days = st.radio("统计周期", list(PERIODS), format_func=PERIODS.get, horizontal=True,
                    key="w_period")
    until = data.since_hours(-1 / 60)  # the next whole minute: includes now, a stable cache key
    frame = data.warning_analysis(data.since_hours(days * 24), until)
    total = frame[frame["维度"] == "合计"].iloc[0]
    counts = {(r["维度"], r["分项"]): r["预警数"] for _, r in frame.iterrows()}
    m = st.columns(5)
    m[0].metric("预警总数", int(total["预警数"]))
    m[1].metric("审核通过", counts.get(("审核结果", "通过"), 0))
    m[2].metric("审核未通过", counts.get(("审核结果", "未通过"), 0))
    m[3].metric("待审", counts.get(("审核结果", "待审"), 0))
    m[4].metric("人工发布", counts.get(("发布方式", "人工发布"), 0))
    left, right = st.columns(2)
    for i, dimension in enumerate(["审核结果", "发布方式", "级别", "地市", "工单类型"]):
        part = frame[frame["维度"] == dimension]
        if part.empty:
            continue
        fig = px.bar(part, x="分项", y="预警数", title=dimension, text="预警数")
        fig.update_layout(height=260, margin=dict(t=40, b=10), xaxis_title=None)
        (left if i % 2 == 0 else right).plotly_chart(fig, width="stretch", key=f"w_chart_{i}")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption("平均恢复用时：从发布（或审核通过）到预警解除的小时数；工单类型为由预警生成的工单的投诉分类。")


def render(user: Any) -> None:
    st.title("🔔 预警")
    held = len(data.held_reviews())
    view = st.radio("视图", list(VIEWS), horizontal=True, key="w_view", label_visibility="collapsed",
                    index=1 if st.query_params.get("review") else 0,
                    format_func=lambda v: VIEWS[v] + (f"（{held}）" if v == "review" else ""))
    {"list": _list, "review": _reviews, "quiet": _quiet, "analysis": _analysis,
     "groups": warning_forms.groups_editor}[view](user)


run_page("warnings", render)
