"""报表: generate daily / weekly / monthly reports (reports.build_report) and download HTML / Excel;
the monthly report shows its four parts, each with its points and tables."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.guard import run_page
from core.markup import md
from core.post import now_cst
from reports import build_report
from reports.render import to_excel, to_html

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
        html = to_html(report)
        st.write("③ 生成 Excel…")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "report.xlsx"
            to_excel(report, path)
            xlsx = path.read_bytes()
        status.update(label=f"{KINDS[kind]}已生成", state="complete", expanded=False)
    return {"report": report, "html": html.encode("utf-8"), "xlsx": xlsx}


def render(user: Any) -> None:
    st.title("📊 报表")
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
