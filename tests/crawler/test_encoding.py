"""Pages in GBK/GB18030/Big5 decode correctly: from the header, a <meta>, or detection; a
declaration that does not fit the bytes is corrected and named, or the page refused."""

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.encoding import EncodingMiddleware, detect_encoding
from crawler.normalise import html_to_text
from tests.conftest import sample


def respond(name, content_type="text/html"):
    body = sample("encoding", name).read_bytes()
    url = "http://bbs.example.com/t.html"
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    middleware = EncodingMiddleware.from_crawler(get_crawler())
    return middleware.process_response(Request(url), response)


def test_undeclared_gbk_is_detected():
    response = respond("gbk_undeclared.html")
    assert "益阳赫山区的移动宽带" in html_to_text(response.text)


def test_big5_from_meta():
    assert "長沙出差，行動網路訊號很差" in respond("big5_meta.html").text


def test_gb2312_declared_page_with_gb18030_characters():
    assert "𠀾差" in respond("gb2312_declared_gb18030_chars.html").text


def test_header_wins_and_is_left_alone():
    body = "<p>湖南移动</p>".encode("gbk")
    response = HtmlResponse("http://x/", body=body, headers={"Content-Type": "text/html; charset=gbk"})
    assert EncodingMiddleware(get_crawler()).process_response(Request("http://x/"), response) is response


@pytest.mark.parametrize("text", ["湖南移动宽带 OK", "plain ascii"])
def test_utf8_stays_utf8(text):
    assert detect_encoding(f"<p>{text}</p>".encode()) == "utf-8"


def respond_with_stats(name, content_type):
    crawler = get_crawler()
    body = sample("encoding", name).read_bytes()
    url = "http://bbs.example.com/t.html"
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    return EncodingMiddleware(crawler).process_response(Request(url), response), crawler.stats


@pytest.mark.parametrize("name, content_type, actual, text", [
    ("gbk_labelled_utf8.html", "text/html; charset=utf-8", "gb18030", "益阳赫山区的移动宽带"),
    ("utf8_labelled_gbk.html", "text/html", "utf-8", "郴州移动的营业厅排队两个小时"),
])
def test_wrong_declaration_is_corrected_and_named(name, content_type, actual, text):
    response, stats = respond_with_stats(name, content_type)
    assert text in response.text and "\ufffd" not in response.text
    assert stats.get_value("tousu/errors") == 1
    assert f"编码声明与内容不符：声明 {'gb18030' if actual == 'utf-8' else 'utf-8'}，实为 {actual}" \
        in stats.get_value("tousu/last_error")


def test_one_broken_byte_does_not_overturn_the_declaration():
    response, stats = respond_with_stats("utf8_one_broken_byte.html", "text/html; charset=utf-8")
    assert "衡阳移动的宽带装了一个月还没通。\n\ufffd客服说再等等" in response.text
    assert stats.get_value("tousu/errors") is None


def test_page_that_no_encoding_decodes_is_refused_with_a_reason():
    with pytest.raises(IgnoreRequest, match="页面编码无法识别：按声明的 utf-8 解码为乱码"):
        respond_with_stats("undecodable.html", "text/html; charset=utf-8")
