"""Pages that declare no encoding: detect it (GBK/GB18030/Big5 forums often send none)."""

from __future__ import annotations

from typing import Any

from charset_normalizer import from_bytes
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

SAMPLE = 64 * 1024  # detection reads this much of the body


def declared_encoding(response: TextResponse) -> str | None:
    """The encoding from the Content-Type header, a BOM or a <meta> tag, if any."""
    header = response.headers.get(b"Content-Type", b"").decode("latin-1")
    found = http_content_type_encoding(header) or read_bom(response.body)[0]
    if found:
        return found
    if isinstance(response, HtmlResponse) or "xml" in header:
        return html_body_declared_encoding(response.body[:4096])
    return None


def detect_encoding(body: bytes) -> str | None:
    """The most likely encoding of undeclared bytes: UTF-8 when valid, else detection."""
    sample = body[:SAMPLE]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # cut in the middle of a character by the sample
            return "utf-8"
    best = from_bytes(sample, cp_isolation=["gb18030", "big5", "utf_8", "cp1252"]).best()
    return best.encoding if best else None


class EncodingMiddleware:
    """Downloader middleware giving undeclared text responses their detected encoding."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "EncodingMiddleware":
        if not crawler.settings.getbool("TOUSU_DETECT_ENCODING", True):
            raise NotConfigured("TOUSU_DETECT_ENCODING is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Any:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        if declared_encoding(response):
            return response
        encoding = detect_encoding(response.body)
        if not encoding or encoding == "utf-8":
            return response
        self.crawler.stats.inc_value(f"tousu/encoding_detected/{encoding}")
        return response.replace(encoding=encoding)
