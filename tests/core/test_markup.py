"""Crawled text made inert for each markup, and only http(s) links (core/markup.py)."""

import pytest

from core.markup import chat_md, http_url, md, md_url, terminal


@pytest.mark.parametrize("text", [
    "[点这里领流量](http://evil.example/)",
    "**粗体** _斜体_ `代码` # 标题",
    ":red[红字] :material/home: $x^2$",
    "<script>alert(1)</script>",
    "![img](http://evil.example/x.png)",
])
def test_md_makes_markdown_inert(text):
    out = md(text)
    for ch in "[]()*_`#<>:$!":
        # every special character is escaped (preceded by a backslash)
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)


@pytest.mark.parametrize("url, ok", [
    ("http://127.0.0.1:8600/thread-1-1-1.html", True),
    ("https://tieba.baidu.com/p/1", True),
    ("javascript:alert(1)", False),
    ("JAVASCRIPT:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("//evil.example/x", False),
    ('http://x.example/" onmouseover="alert(1)', False),
    ("", False),
    (None, False),
])
def test_http_url_only_http(url, ok):
    assert (http_url(url) is not None) == ok


@pytest.mark.parametrize("text", [
    "点击[官方客服](http://phish.example/login)",
    "**加粗** `代码` <font color=red>红</font> # 标题 ~~删除~~ | 表格",
])
def test_chat_md_leaves_no_markdown_mark(text):
    out = chat_md(text)
    assert not set(out) & set("[]()<>*`#~|_")
    assert "官方客服" in out or "加粗" in out


def test_md_url_cannot_close_the_link():
    assert md_url("http://x.example/a)b(c d") == "http://x.example/a%29b%28c%20d"


def test_terminal_text_has_no_control_characters():
    out = terminal("标题\x1b[31m红\x1b]0;pwned\x07\r覆盖\x9b2J\n下一行\t尾")
    assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in out)
    assert "标题" in out and "覆盖" in out and "下一行" in out
