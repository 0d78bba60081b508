"""The editor the 信源 and 规则 pages share: an item of config.yaml as text, 校验 and 保存."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import data
from dashboard.config_edit import ConfigEditError, item_text, save_item
from core.markup import md
from tousu.console_records import config_edits


def item_editor(section: str, name: str | None, fallback: str, label: str, key: str) -> str:
    """A text area holding the item's text from config.yaml (comments and ${VAR} as written).

    The text first shown is remembered, so a save can tell whether config.yaml changed since.
    """
    shown = item_text(data.config_path(), section, name) if name else None
    st.session_state.setdefault(f"{key}_shown", shown)
    return st.text_area(label, shown if shown is not None else fallback, height=300,
                        key=f"{key}_text")


def _refresh(key: str) -> None:
    """Forget the edited text so the editor shows config.yaml as it now is."""
    for suffix in ("_shown", "_text"):
        st.session_state.pop(f"{key}{suffix}", None)


def check_and_save(section: str, name: str | None, text: str, user: Any, key: str,
                   check_col: Any, save_col: Any) -> None:
    """The 校验 and 保存 buttons; an invalid edit names the field and changes nothing."""
    what = "规则" if section == "rules" else "信源"
    check = check_col.button("校验", key=f"{key}_check")
    save = save_col.button("💾 保存到 config.yaml", type="primary", key=f"{key}_save")
    if not (check or save):
        return
    try:
        saved = save_item(data.config_path(), section, name, st.session_state.get(f"{key}_shown"),
                          text, user, data.state(), write=save)
    except ConfigEditError as exc:
        st.error(f"{what}定义有误，{'未保存' if save else '请修改'}：  \n"
                 + "  \n".join(md(line) for line in str(exc).splitlines()), icon="⚠️")
        return
    if not save:
        st.success(f"{what}定义有效，可以保存。")
        return
    _refresh(key)
    data.sources.clear()
    st.session_state["tousu_flash"] = (f"已保存{what} {saved}：已写入 config.yaml，"
                                       "运行中的监控会在 15 秒内采用")
    st.rerun()


def edit_history(section: str) -> None:
    """Who changed what in the console, newest first."""
    rows = config_edits(data.state(), section)
    if rows:
        with st.expander(f"控制台修改记录（{len(rows)}）"):
            st.dataframe([{"时间": r["at"][:19].replace("T", " "), "用户": r["username"],
                           "名称": r["name"]} for r in rows], hide_index=True, width="stretch")
