"""Pages in GBK/GB18030/Big5 decode correctly: from the header, a <meta>, or detection."""

import pytest
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
