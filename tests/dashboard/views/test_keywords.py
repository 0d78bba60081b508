"""关键词 (AppTest): re-analysis shows its progress; an edit is validated before saving."""

from __future__ import annotations

import yaml

from tests.dashboard.conftest import app_as, no_crash


def test_reanalyse_shows_progress_and_finishes(console_config):
    at = app_as("admin", "keywords")
    at.button(key="kw_reanalyse").click().run()
    no_crash(at)
    bars = at.get("progress")
    assert bars and "完成" in bars[-1].proto.text


def test_keyword_edit_is_validated_before_saving(console_config, keywords_copy):
    data = yaml.safe_load(console_config.read_text(encoding="utf-8"))
    data["nlp"]["keywords_dir"] = str(keywords_copy)
    console_config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = (keywords_copy / "categories.yaml").read_text(encoding="utf-8")
    at = app_as("admin", "keywords")
    at.selectbox(key="kw_file").set_value("categories.yaml").run()
    at.text_area(key="kw_text_categories.yaml").input("categories: [这不是映射").run()
    at.button(key="kw_save").click().run()
    no_crash(at)
    assert any("未保存" in e.value for e in at.error)
    assert (keywords_copy / "categories.yaml").read_text(encoding="utf-8") == before
    # the reason in Chinese: which file, which line, what is wrong
    assert at.code[0].value == "keywords/categories.yaml 第 2 行：不是有效的 YAML：方括号 [ ] 没有闭合，或列表项之间缺少逗号"
    at.text_area(key="kw_text_categories.yaml").input("categories: {不存在的分类: [a]}").run()
    at.button(key="kw_check").click().run()
    assert at.code[0].value.startswith("keywords/categories.yaml：categories：没有这个分类：不存在的分类；可选：")
