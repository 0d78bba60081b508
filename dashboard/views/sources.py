"""信源: health of every configured source;「测试信源」on the saved or an edited definition, and
saving an edited or new definition into config.yaml (dashboard.config_edit)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import yaml

from core.config import ConfigInvalid
from core.secrets import redact
from core.yamlio import load_yaml
from dashboard import data
from dashboard.config_edit import problem_lines
from dashboard.config_form import check_and_save, edit_history, item_editor
from dashboard.guard import run_page
from dashboard.probe import ProbeError, probe
from core.markup import md
from dashboard.render import plain
from tousu.config import validate

NEW = "＋ 新增信源"
TEMPLATE = """name: new-source
type: rss
enabled: false          # test it first, then enable
interval: 1h
url: "https://example.com/feed.xml"
"""
STATUS = {"ok": "🟢 正常", "partial": "🟡 部分失败", "failed": "🔴 失败", "running": "🔵 运行中"}


def _parse_source(text: str) -> Any:
    """A source definition typed by the admin, validated by the same check as config.yaml."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"YAML 格式错误：{getattr(exc, 'problem', exc)}") from None
    try:
        return validate(raw, "sources")
    except ConfigInvalid as exc:
        raise ValueError(problem_lines(exc)) from None


def _show_probe(source: Any) -> None:
    with st.spinner("正在抓取一页…"):
        try:
            result = probe(source)
        except ProbeError as exc:
            st.error(str(exc))
            return
    st.success("已抓取：" + md("、".join(result.fetched)))
    for warning in result.warnings:
        st.warning(warning)
    if result.links:
        st.markdown(f"**列表页帖子链接**：{len(result.links)} 条")
        st.dataframe(pd.DataFrame({"链接": result.links[:30]}), hide_index=True,
                     width="stretch")
    if result.next_page:
        st.caption("下一页：" + md(result.next_page))
    if result.rows:
        st.markdown(f"**抽取到的条目**：{len(result.rows)} 条")
        st.dataframe(pd.DataFrame(result.rows).astype(str), hide_index=True,
                     width="stretch")
    if result.detail:
        st.markdown("**第一条详情页抽取结果**")
        for key, value in result.detail.items():
            st.caption(md(key))
            plain(value if value else "（空）", small=True)


def render(user: Any) -> None:
    st.title("🛰️ 信源")
    cfg = data.config_or_stop()
    rows = data.sources()
    if not rows:
        st.info("config.yaml 中尚未配置信源。参见 README「Adding a source」。", icon="📭")
        return
    frame = pd.DataFrame([{
        "信源": r["source"], "类型": r["type"], "启用": "是" if r["enabled"] else "否",
        "周期": r["interval"], "最近运行": (r["last_run"] or "从未")[:19].replace("T", " "),
        "状态": STATUS.get(r["last_status"] or "", "—"),
        "本次条数": r["last_items"], "累计条数": r["items_total"], "累计新增": r["new_total"],
        "错误": r["errors_total"], "最近错误": r["last_error"] or "",
    } for r in rows])
    st.dataframe(frame, hide_index=True, width="stretch")

    st.subheader("测试与编辑")
    name = st.selectbox("信源", [s.name for s in cfg.sources] + [NEW], key="src_pick")
    if name == NEW:
        fallback, saved = TEMPLATE, None
    else:
        # the loaded source holds expanded ${VAR} values: shown as their placeholders again
        fallback = redact(yaml.safe_dump(cfg.source(name).model_dump(mode="json",
                                                                     exclude_defaults=True),
                                         allow_unicode=True, sort_keys=False))
        saved = name
    key = f"src_{saved or 'new'}"
    text = item_editor("sources", saved, fallback,
                       "信源定义（YAML，即 config.yaml 中的原文；可先测试再保存）", key=key)
    c1, c2, c3, _ = st.columns([1, 1, 2, 2])
    if c1.button("🧪 测试此信源", key="src_test"):
        try:
            edited = _parse_source(text)
        except ValueError as exc:
            st.error("信源定义有误：")
            st.code(str(exc), language=None)
        else:
            _show_probe(edited)
    check_and_save("sources", saved, text, user, key, c2, c3)
    st.caption("保存后，运行中的监控在 15 秒内重新读取 config.yaml：新的或改了周期的信源重新排期，"
               "选择器的修改在下一次采集时生效。")
    edit_history("sources")


run_page("sources", render)
