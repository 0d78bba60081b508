"""报表: generate daily / weekly / monthly reports (reports.build_report) and download HTML / Excel;
the monthly report shows its four parts, each with its points and tables. The 舆情简报 tab builds
the daily or an event warning's briefing (briefings/), every sentence with its cited posts."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from alerts.api import recent_of_types
from briefings.daily import build_daily
from briefings.event import build_event
from briefings.render import to_html, to_html_body, to_json, to_markdown
from dashboard import data
from dashboard.guard import run_page
from core.markup import md
from core.post import now_cst
from reports import build_report
from reports.render import to_excel
from reports.render import to_html as report_html

KINDS = {"daily": "日报", "weekly": "周报", "monthly": "月报"}


def _cell(value: Any) -> str:
    """A report cell as text: '—' for no value, 15 rather than 15.0."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _generate(user: Any, kind: str, day: date) -> dict[str, Any]:
    cfg = data.config_or_stop()
    with st.status(f"正在生成{KINDS[kind]}…", expanded=True) as status:
        st.write("① 统计帖子、预警与工单…")
        report = build_report(cfg, kind, day, actor=user, store=data.store(), db=data.state())
        st.write("② 生成 HTML…")
        html = report_html(report)
        st.write("③ 生成 Excel…")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "report.xlsx"
            to_excel(report, path)
            xlsx = path.read_bytes()
        status.update(label=f"{KINDS[kind]}已生成", state="complete", expanded=False)
    return {"report": report, "html": html.encode("utf-8"), "xlsx": xlsx}


def render(user: Any) -> None:
    st.title("📊 报表")
    reports_tab, brief_tab = st.tabs(["分析通报", "舆情简报"])
    with reports_tab:
        _reports(user)
    with brief_tab:
        _briefing(user)


def _briefing(user: Any) -> None:
    """The daily briefing or an event warning's, shown with its citations and downloadable."""
    cfg = data.config_or_stop()
    c1, c2, c3 = st.columns([2, 2, 1])
    kind = c1.radio("简报", ["daily", "event"], horizontal=True, key="bf_kind",
                    format_func={"daily": "日简报", "event": "事件简报"}.get)
    if kind == "daily":
        day = c2.date_input("日期", value=now_cst().date() - timedelta(days=1), key="bf_day",
                            max_value=now_cst().date())
    else:
        events = {a["alert_id"]: a["title"] for a in recent_of_types(data.state(), ["event"], 50)}
        if not events:
            c2.caption("还没有事件预警。")
            return
        alert_id = c2.selectbox("事件预警", list(events), key="bf_event",
                                format_func=lambda i: f"#{i} {events[i][:40]}")
    if c3.button("生成简报", type="primary", key="bf_go"):
        with st.spinner("正在生成简报…"):
            made = (build_daily(cfg, day, actor=user, store=data.store()) if kind == "daily" else
                    build_event(cfg, alert_id, actor=user, store=data.store(), db=data.state()))
        st.session_state["bf_result"] = made
    briefing = st.session_state.get("bf_result")
    if briefing is None:
        st.info("每句话都注明依据的帖子和查询；数据太少的段落写「数据不足」。", icon="📝")
        return
    links = cfg.briefings.links
    d1, d2, d3 = st.columns(3)
    stem = f"briefing-{briefing.kind}-{briefing.since[:10]}"
    d1.download_button("下载 HTML", to_html(briefing, links).encode("utf-8"), file_name=f"{stem}.html",
                       mime="text/html", key="bf_html")
    d2.download_button("下载 Markdown（企业微信/钉钉/飞书）", to_markdown(briefing, links).encode("utf-8"),
                       file_name=f"{stem}.md", mime="text/markdown", key="bf_md")
    d3.download_button("下载 JSON（全部引用）", to_json(briefing).encode("utf-8"),
                       file_name=f"{stem}.json", mime="application/json", key="bf_json")
    st.html(to_html_body(briefing, links))   # crawled text escaped by briefings.render


def _reports(user: Any) -> None:
    c1, c2, c3 = st.columns([2, 2, 1])
    kind = c1.radio("类型", list(KINDS), format_func=KINDS.get, horizontal=True, key="rp_kind")
    day = c2.date_input("统计日期（所在日 / 周 / 月）", value=now_cst().date() - timedelta(days=1),
                        key="rp_day", max_value=now_cst().date())
    if c3.button("生成报表", type="primary", key="rp_go"):
        st.session_state["rp_result"] = (kind, day, _generate(user, kind, day))
    result = st.session_state.get("rp_result")
    if not result:
        st.info("选择类型和日期后点「生成报表」。报表也会按计划自动生成并推送。", icon="🗓️")
        return
    kind, day, files = result
    report = files["report"]
    st.subheader(md(f"{report.title} · {report.period.label}"))
    d1, d2 = st.columns(2)
    d1.download_button("下载 HTML", files["html"], file_name=f"{report.period.slug}.html",
                       mime="text/html", key="rp_html")
    d2.download_button("下载 Excel", files["xlsx"], file_name=f"{report.period.slug}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="rp_xlsx")
    if report.headline:
        cols = st.columns(min(len(report.headline), 6))
        for col, item in zip(cols * 3, report.headline):
            value = item.get("本期")
            col.metric(str(item.get("指标", "")), "—" if value is None else value,
                       item.get("环比") if isinstance(item.get("环比"), str) else None)
    for part in report.parts:
        if part.title:  # the monthly report's four parts
            st.subheader(md(part.title))
        for i, point in enumerate(part.points, 1):
            st.markdown(md(f"{i}. {point}"))
        for section in part.sections:
            st.markdown(f"**{md(section.title)}**")
            if section.rows:
                st.dataframe(pd.DataFrame([[_cell(v) for v in row] for row in section.rows],
                                          columns=section.columns),
                             hide_index=True, width="stretch")
            else:
                st.caption("（本期无数据）")
            if section.note:
                st.caption(md(section.note))


run_page("reports", render)
