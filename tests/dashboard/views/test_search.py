"""检索 (AppTest): operator and intent filters, export and saved searches, sheet-safe export,
query errors explained, crawled markup shown as text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.post import now_cst
from tests.dashboard.conftest import app_as, no_crash, texts


# -- 检索 --------------------------------------------------------------------------------------
def test_search_by_operator_and_intent(console_config):
    """检索 finds posts by the operators they are about and their authors' intent."""
    from dashboard import data

    at = app_as("monitor", "search")
    assert at.multiselect(key="s_operators").options == ["移动", "联通", "电信", "广电"]
    at.multiselect(key="s_operators").set_value(["移动"])
    at.selectbox(key="s_intent").set_value(3).run()
    no_crash(at)
    expected = data.count(data.Slice(since=data.day_start(now_cst().date() - timedelta(days=30)),
                                     operators=("移动",), intent_min=3))
    assert expected > 0 and f"共 {expected:,} 条" in texts(at)


def test_export_and_saved_search(console_config):
    at = app_as("monitor", "search")
    at.text_input(key="s_query").input("宽带").run()
    at.button(key="s_export").click().run()
    no_crash(at)
    labels = [b.label for b in at.get("download_button")] if at.get("download_button") else []
    assert not labels or {"下载 CSV", "下载 Excel"} <= set(labels)
    assert at.expander[0].label == "已保存的检索（0）"
    at.text_input(key="s_save_name").input("宽带问题").run()
    at.button(key="s_save").click().run()
    no_crash(at)
    assert at.expander[0].label == "已保存的检索（1）"  # at once, not after a reload
    assert "宽带问题" in at.selectbox(key="s_saved_pick").options
    at = app_as("monitor", "search")
    assert "宽带问题" in at.selectbox(key="s_saved_pick").options
    at.button(key="s_load").click().run()
    assert at.text_input(key="s_query").value == "宽带"


def test_export_frame_is_sheet_safe(console_config):
    from dashboard import data

    frame = data.export_frame("宽带", data.Slice(), "time")
    assert len(frame) > 0 and {"正文", "作者", "链接"} <= set(frame.columns)
    assert not any(str(v).startswith(("=", "+", "@")) for v in frame.to_numpy().ravel())


# -- safety: attacker-controlled text ------------------------------------------------------
@pytest.mark.parametrize("query, bad, shown", [
    ("源码", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('"点这里领流量"', '<a href="http://evil.example/', "](http://evil.example/)"),
])
def test_script_and_markdown_posts_render_as_text(console_config, query, bad, shown):
    at = app_as("monitor", "search")
    at.text_input(key="s_query").input(query).run()
    no_crash(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert shown in html
    assert bad not in html
    # and in every Markdown context the text is escaped, never a link
    assert "](http://evil.example/)" not in "\n".join(str(m.value) for m in at.markdown)


def test_query_syntax_error_is_explained(console_config):
    at = app_as("monitor", "search")
    at.text_input(key="s_query").input('"未闭合').run()
    assert any("检索式有误" in e.value for e in at.error)
