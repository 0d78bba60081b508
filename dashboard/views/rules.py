"""规则 (admin): the warning rules and thresholds, edited and saved into config.yaml.

A rule's text is edited as written in config.yaml (comments kept), checked with the config
schema together with the rest of the file, and written back (dashboard.config_edit); the
running monitor re-reads the file, so the next warnings cycle uses it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import yaml

from dashboard import data
from dashboard.config_form import check_and_save, edit_history, item_editor
from dashboard.guard import run_page


def render(user: Any) -> None:
    st.title("⚙️ 规则")
    cfg = data.config_or_stop()
    rules = cfg.warnings.rules
    if not rules:
        st.info("config.yaml 中没有预警规则。", icon="📭")
        return
    st.dataframe(pd.DataFrame([{
        "规则": r.name, "类型": r.type, "启用": "是" if r.enabled else "否",
        "阈值": yaml.safe_dump(r.model_dump(mode="json", exclude={"name", "type", "enabled"},
                                           exclude_defaults=True), allow_unicode=True,
                              default_flow_style=True).strip(),
    } for r in rules]), hide_index=True, width="stretch")
    names = [r.name for r in rules]
    pick = st.selectbox("规则", names, key="r_pick")
    rule = rules[names.index(pick)]
    default = yaml.safe_dump(rule.model_dump(mode="json", exclude_defaults=True) |
                             {"name": rule.name, "type": rule.type},
                             allow_unicode=True, sort_keys=False)
    text = item_editor("rules", pick, default, "规则定义（YAML，即 config.yaml 中的原文）",
                       key=f"r_{pick}")
    c1, c2, _ = st.columns([1, 2, 3])
    check_and_save("rules", pick, text, user, f"r_{pick}", c1, c2)
    st.caption("预警阈值过低会淹没监控员（预警阀值过低）；保护值（protection）防止小样本误报。"
               "保存后，运行中的监控在 15 秒内重新读取 config.yaml，下一轮预警评估即按新规则。")
    edit_history("rules")


run_page("rules", render)
