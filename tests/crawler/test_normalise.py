from datetime import datetime

import pytest

from core.post import CST
from crawler.normalise import html_to_text, parse_count, parse_date

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=CST)


@pytest.mark.parametrize("raw,expected", [
    ("发表于 3 分钟前", "2026-11-22T09:57:00+08:00"),
    ("刚刚", "2026-11-22T10:00:00+08:00"),
    ("2 小时前", "2026-11-22T08:00:00+08:00"),
    ("昨天 12:30", "2026-11-21T12:30:00+08:00"),
    ("前天 08:05", "2026-11-20T08:05:00+08:00"),
    ("11-20 14:32", "2026-11-20T14:32:00+08:00"),
    ("12-31 23:00", "2025-12-31T23:00:00+08:00"),
    ("2026-11-20", "2026-11-20T00:00:00+08:00"),
    ("2026-11-20 14:32:05", "2026-11-20T14:32:05+08:00"),
    ("2026年11月20日 14:32", "2026-11-20T14:32:00+08:00"),
    ("2026/1/5 9:07", "2026-01-05T09:07:00+08:00"),
    (1763600000, "2025-11-20T08:53:20+08:00"),
    ("1763600000000", "2025-11-20T08:53:20+08:00"),
    ("2026-11-20T06:32:00+00:00", "2026-11-20T14:32:00+08:00"),
    ("Tue Nov 17 10:00:00 +0800 2026", "2026-11-17T10:00:00+08:00"),
])
def test_dates_become_iso_cst(raw, expected):
    assert parse_date(raw, NOW) == expected


@pytest.mark.parametrize("raw", ["", None, "garbage text", "2026-13-45"])
def test_unreadable_dates_are_none(raw):
    assert parse_date(raw, NOW) is None


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    markup = "<div>第一段<br/>第二段<p>第三段</p><script>alert(1)</script><style>x{}</style></div>"
    assert html_to_text(markup) == "第一段\n第二段\n第三段"


def test_html_to_text_on_broken_html():
    assert html_to_text("<div><p>没有闭合的<b>标签") == "没有闭合的标签"


def test_escaped_markup_stays_text():
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "<script>alert(1)</script>"


@pytest.mark.parametrize("raw,expected", [("1.2万", 12000), ("查看: 45", 45), ("3k", 3000),
                                          (7, 7), ("1,234", 1234), ("无", None)])
def test_counts(raw, expected):
    assert parse_count(raw) == expected
