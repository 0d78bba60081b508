"""Safe rendering: crawled text never becomes HTML, Markdown, a javascript: link or a formula."""

import pytest

from dashboard.render import count_text, mark_only, md, safe_url
from indexer.base import TOTAL_CAP, SearchResult


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
def test_safe_url_only_http(url, ok):
    assert (safe_url(url) is not None) == ok


def test_mark_only_keeps_mark_and_neutralises_other_tags():
    assert mark_only("a <mark>b</mark> c") == "a <mark>b</mark> c"
    assert "<script" not in mark_only("<script>alert(1)</script><mark>x</mark>")
    assert "<img" not in mark_only('<img src=x onerror="alert(1)">')


def test_a_capped_total_reads_as_at_least():
    assert count_text(SearchResult(total=9876, hits=[])) == "9,876"
    assert count_text(SearchResult(total=TOTAL_CAP, hits=[], total_is_lower_bound=True)) == \
        f"{TOTAL_CAP:,}+"
