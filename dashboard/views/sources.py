"""信源: health of every configured source;「测试信源」on the saved or an edited definition, and
saving an edited or new definition into config.yaml (dashboard.config_edit)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import yaml

from core.config import ConfigInvalid
from core.secrets import redact
from crawler.blind_spots import describe
from core.yamlio import load_yaml
from dashboard import data
from dashboard.config_edit import problem_lines
from dashboard.config_form import check_and_save, edit_history, item_editor
from dashboard.guard import run_page
from dashboard.probe import PROBE_SECONDS, ProbeError, ProbeResult, allowed_private, probe
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
COLUMNS = {"title": "标题", "content": "正文", "author": "作者", "published_at": "发布时间",
           "url": "链接", "location": "属地"}
STATUS = {"ok": "🟢 正常", "partial": "🟡 部分失败", "failed": "🔴 失败", "running": "🔵 运行中"}


def _parse_source(text: str) -> Any:
    """A source definition typed by the admin, validated by the same check as config.yaml but
    with ${VAR} left as written: a test never expands environment variables."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"YAML 格式错误：{getattr(exc, 'problem', exc)}") from None
    try:
        return validate(raw, "sources", expand=False)
    except ConfigInvalid as exc:
        raise ValueError(problem_lines(exc)) from None


def _test(text: str, cfg: Any) -> None:
    try:
        source = _parse_source(text)
    except ValueError as exc:
        st.error("信源定义有误：")
        st.code(str(exc), language=None)
        return
    if "${" in text:
        st.info("测试不展开环境变量：定义中的 `${…}` 按原文使用（采集时才替换），"
                "`cookie_env` 指定的 Cookie 也不发送。", icon="🔒")
    with st.spinner(f"正在用采集程序抓取（最多 {PROBE_SECONDS:.0f} 秒）…"):
        try:
            result = probe(source, allowed_private(cfg), cfg.keywords_dir)
        except ProbeError as exc:
            st.error(md(exc))
            return
    _show_probe(result)


def _show_probe(result: ProbeResult) -> None:
    if result.fetched:
        st.success(f"已抓取 {len(result.fetched)} 个页面")
        st.dataframe(pd.DataFrame([{"地址": f["url"], "状态": f["status"], "字节": f["bytes"]}
                                   for f in result.fetched]), hide_index=True, width="stretch")
    for error in result.errors:  # they quote URLs and text from the site: inert, never links
        st.error(md(error))
    for warning in result.warnings:
        st.warning(md(warning))
    if result.links:
        st.markdown(f"**第一页引出的请求**（详情页等）：{len(result.links)} 条；测试共跟进 "
                    f"{result.followed} 个，其余 {result.unfollowed} 个不抓取")
        st.dataframe(pd.DataFrame({"地址": result.links}), hide_index=True, width="stretch")
    if result.next_page:
        st.caption("下一页（测试不翻页）：" + md(result.next_page))
    if not result.posts:
        if not result.errors:
            st.warning("没有取到任何帖子")
        return
    st.markdown(f"**取到的帖子**：{len(result.posts)} 条（已按采集的规则清洗，未保存）")
    st.dataframe(pd.DataFrame([{**{COLUMNS[k]: p[k] for k in COLUMNS}, "互动": str(p["engagement"])}
                               for p in result.posts]).astype(str), hide_index=True,
                 width="stretch")
    st.markdown("**第一条帖子抽取结果**")
    for key, label in COLUMNS.items():
        st.caption(label)
        plain(result.posts[0][key] or "（空）", small=True)


def _blind_spots() -> None:
    """What the crawls of the last 7 days could not see, per source and kind."""
    rows = data.blind_spots(7)
    with st.expander(f"采集盲区（近 7 天，{len(rows)} 项）", expanded=bool(rows)):
        if not rows:
            st.caption("近 7 天的采集没有遇到翻页上限、登录墙、验证码、拒绝访问或 robots.txt 禁止。")
            return
        st.caption("这些内容没有采集到：翻页上限截断 → 调高 max_pages 或缩短周期（weibo_search：调小 min_window）；登录墙 → 检查 "
                   "Cookie；验证码/被拒绝 → 放慢频率（delay）或换时段；robots.txt → 确认后可设 robots: false。")
        st.dataframe(pd.DataFrame([{
            "信源": r["source"], "盲区": r["label"], "出现的采集次数": r["runs"], "累计次数": r["count"],
            "最近一次": (r["last_at"] or "")[:19].replace("T", " "), "示例": r["example"] or "",
        } for r in rows]), hide_index=True, width="stretch")


def render(user: Any) -> None:
    st.title("🛰️ 信源")
    cfg = data.config_or_stop()
    rows = data.sources()
    if rows:
        frame = pd.DataFrame([{
            "信源": r["source"], "类型": r["type"], "启用": "是" if r["enabled"] else "否",
            "周期": r["interval"], "最近运行": (r["last_run"] or "从未")[:19].replace("T", " "),
            "状态": STATUS.get(r["last_status"] or "", "—"),
            "本次条数": r["last_items"], "累计条数": r["items_total"], "累计新增": r["new_total"],
            "错误": r["errors_total"], "最近错误": r["last_error"] or "",
            "盲区（最近一次）": describe(r["last_blind_spots"]) or "—",
        } for r in rows])
        st.dataframe(frame, hide_index=True, width="stretch")
        _blind_spots()
    else:
        st.info("config.yaml 中尚未配置信源：在下方「＋ 新增信源」写一个，测试后保存。", icon="📭")

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
    test = c1.button("🧪 测试此信源", key="src_test")
    check_and_save("sources", saved, text, user, key, c2, c3)  # drawn first: a test never hides them
    st.caption("保存后，运行中的监控在 15 秒内重新读取 config.yaml：新的或改了周期的信源重新排期，"
               "选择器的修改在下一次采集时生效。测试只访问公网地址，见 docs/console.md。")
    if test:
        _test(text, cfg)
    edit_history("sources")


run_page("sources", render)
