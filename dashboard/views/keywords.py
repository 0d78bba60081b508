"""关键词 (admin): edit the keyword dictionary files, validated by the analyser's own loader
before anything is written; the analyser reloads the dictionary when a file changes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from core.markup import md
from dashboard import data
from dashboard.guard import run_page
from indexer import Filters
from indexer.reanalyse import reanalyse
from nlp.analyzer import Analyzer
from nlp.dictionary import DictionaryError, load_dictionary

FILES = {
    "categories.yaml": "投诉分类词",
    "severity.yaml": "等级线索词（否定、程度、反讽）",
    "brand.yaml": "运营商 / 友商 / 歧义词",
    "regions.yaml": "地市与别名、用户数",
    "stopwords.txt": "停用词",
    "hot_words_stop.txt": "热词停用表（不进热词的词）",
}


def validate(directory: Path, name: str, text: str) -> str | None:
    """None when the dictionary loads with `name` replaced by `text`, else the error (Chinese)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "keywords"
        shutil.copytree(directory, copy)
        (copy / name).write_text(text, encoding="utf-8")
        try:
            load_dictionary(copy)
        except DictionaryError as exc:
            return exc.zh.replace(str(copy), "keywords")
    return None


def _reanalyse(days: int) -> None:
    """Re-grade stored posts with the current dictionary and model, with a progress bar."""
    cfg = data.config_or_stop()
    filters = Filters(since=data.since_hours(days * 24))
    total = max(data.store().count(filters), 1)
    bar = st.progress(0.0, text="正在重新分析…")

    def progress(result: Any) -> None:
        bar.progress(min(result.seen / total, 1.0),
                     text=f"已分析 {result.seen:,} / {total:,} 条，{result.changed:,} 条等级有变化")

    analyzer = Analyzer(cfg.keywords_dir, cfg.model_dir)
    result = reanalyse(data.store(), analyzer, filters, {s.name: s for s in cfg.sources},
                       progress=progress)
    bar.progress(1.0, text=f"完成：{result.seen:,} 条已重新分析，{result.changed:,} 条有变化"
                           f"{f'，{len(result.failed)} 条失败' if result.failed else ''}")
    st.cache_data.clear()


def _retrain() -> None:
    """Train the models (labels from the console included), showing the trainer's progress."""
    from nlp.training import DataError, train  # lazy: scikit-learn loads only to train

    cfg = data.config_or_stop()
    with st.status("正在训练模型（含监控员标注）…", expanded=True) as status:
        try:
            summary = train(cfg.keywords_dir, cfg.model_dir, None, data.state(), keep_better=True,
                            progress=lambda message: st.write(str(message)))
        except DataError as exc:
            status.update(label="训练数据有误", state="error")
            st.error(str(exc))
            return
        status.update(label="训练完成", state="complete", expanded=False)
    metrics = summary.get("metrics") if isinstance(summary, dict) else None
    if metrics:
        from nlp.evaluation import format_report  # lazy: scikit-learn loads only to evaluate

        st.code(format_report(metrics), language=None)


def _model_tab() -> None:
    st.caption("改了词表或训练了新模型后，已入库的帖子需要重新分析才会更新分级。")
    c1, c2 = st.columns(2)
    days = c1.selectbox("重新分析范围", [7, 30, 90, 365], index=1, key="kw_re_days",
                        format_func=lambda d: f"近 {d} 天的帖子")
    if c1.button("重新分析", key="kw_reanalyse"):
        _reanalyse(days)
    c2.write("")
    if c2.button("重新训练模型", key="kw_retrain"):
        _retrain()


def render(user: Any) -> None:
    st.title("🏷️ 关键词")
    dictionary_tab, model_tab = st.tabs(["词表", "重新分析与训练"])
    with model_tab:
        _model_tab()
    with dictionary_tab:
        _dictionary()


def _dictionary() -> None:
    directory = data.config_or_stop().keywords_dir
    name = st.selectbox("词表文件", list(FILES), format_func=lambda f: f"{f} — {FILES[f]}",
                        key="kw_file")
    path = directory / name
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    text = st.text_area(md(f"编辑 {name}"), current, height=420, key=f"kw_text_{name}")
    c1, c2 = st.columns(2)
    if c1.button("校验", key="kw_check"):
        error = validate(directory, name, text)
        if error:
            st.error("词表有误：")
            st.code(error, language=None)
        else:
            st.success("校验通过。")
    if c2.button("保存", type="primary", key="kw_save"):
        error = validate(directory, name, text)
        if error:
            st.error("词表有误，未保存：")
            st.code(error, language=None)
            return
        if text == current:
            st.info("没有改动。")
            return
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # atomic: the analyser never reads a half-written file
        data.dictionary_lists.clear()
        st.success(f"已保存 {name}。新采集的帖子按新词表分析；已入库帖子需重新分析才会更新。")
    st.caption("更严格的检查（词数范围、重复、遮蔽）：`.venv/bin/python keywords/check_keywords.py -v`")


run_page("keywords", render)
