"""Configured selectors: CSS with ::text / ::attr(), XPath when it starts with / or (; an element
match gives its visible text."""

from __future__ import annotations

from parsel import Selector

from crawler.extract import extract_all, extract_first, select

PAGE = Selector(text="<div id='p'><h1> 宽带 <b>断网</b> </h1><a href='/t/1'>一</a><a href='/t/2'>二</a>"
                     "<script>alert(1)</script></div>")


def test_css_and_xpath_select_the_same():
    assert len(select(PAGE, "a")) == len(select(PAGE, "//a")) == len(select(PAGE, "(//a)[1]")) + 1


def test_text_attributes_and_whole_elements():
    assert extract_first(PAGE, "h1 b::text") == "断网"
    assert extract_first(PAGE, "h1") == "宽带 断网"
    assert extract_first(PAGE, "//a/@href") == "/t/1"
    assert extract_all(PAGE, "a::attr(href)") == ["/t/1", "/t/2"]
    assert extract_first(PAGE, "span") is None and extract_all(PAGE, "span") == []
