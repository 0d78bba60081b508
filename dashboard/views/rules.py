"""规则 (admin): warning rules and thresholds as configured, checked against the config schema.

Rules live in config.yaml (`warnings.rules`). The page shows them, lets the admin edit a rule's
YAML and validates it with the same schema as `tousu check`; the admin then puts it in config.yaml
(the console does not rewrite config.yaml, which is commented and under the operator's control).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import yaml

from dashboard import data
from dashboard.guard import run_page


def _validate(text: str) -> str | None:
    from tousu.config import ConfigError, parse

    cfg = data.config_or_stop()
    try:
        rules = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return f"YAML 格式错误：{getattr(exc, 'problem', exc)}"
    raw = cfg.model_dump(mode="json", exclude_none=True)
    raw["warnings"]["rules"] = rules if isinstance(rules, list) else [rules]
    raw["warnings"].pop("post", None)
    try:
        parse(raw, "config.yaml")
    except ConfigError as exc:
        return str(exc)
    return None


def render(user: Any) -> None:
    st.title("⚙️ 规则")
    cfg = data.config_or_stop()
    rules = list(getattr(cfg.warnings, "rules", []) or [])
    if not rules:
        st.info("config.yaml 中没有预警规则。", icon="📭")
        return
    st.dataframe(pd.DataFrame([{
        "规则": getattr(r, "name", ""), "类型": getattr(r, "type", ""),
        "启用": "是" if getattr(r, "enabled", True) else "否",
        "阈值": yaml.safe_dump(r.model_dump(mode="json", exclude={"name", "type", "enabled"},
                                           exclude_defaults=True), allow_unicode=True,
                              default_flow_style=True).strip(),
    } for r in rules]), hide_index=True, width="stretch")
    names = [getattr(r, "name", str(i)) for i, r in enumerate(rules)]
    pick = st.selectbox("规则", names, key="r_pick")
    rule = rules[names.index(pick)]
    dumped = yaml.safe_dump(rule.model_dump(mode="json", exclude_defaults=True) |
                            {"name": pick, "type": getattr(rule, "type", "post")},
                            allow_unicode=True, sort_keys=False)
    text = st.text_area("规则定义（YAML）", dumped, height=260, key=f"r_text_{pick}")
    if st.button("校验", type="primary", key="r_check"):
        others = [r.model_dump(mode="json", exclude_defaults=True) | {"name": n, "type": r.type}
                  for n, r in zip(names, rules) if n != pick]
        try:
            edited = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            st.error(f"YAML 格式错误：{getattr(exc, 'problem', exc)}")
            return
        error = _validate(yaml.safe_dump([*others, edited], allow_unicode=True))
        if error:
            st.error("规则有误：")
            st.code(error, language=None)
        else:
            st.success("规则有效。请把它写入 config.yaml 的 warnings.rules，监控会在下一轮预警评估时使用。")
    st.caption("预警阈值过低会淹没监控员（预警阀值过低）；保护值（protection）防止小样本误报。")


run_page("rules", render)
