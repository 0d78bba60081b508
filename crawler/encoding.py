"""Pages whose encoding is undeclared or declared wrong: detect it (GBK/GB18030/Big5 forums
often send none, and a proxy may label a GBK page UTF-8)."""

from __future__ import annotations

from typing import Any

from charset_normalizer import from_bytes
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.extensions import record_error

SAMPLE = 64 * 1024  # detection reads this much of the body
# A declaration is wrong when it turns this share of the non-ASCII characters into U+FFFD: one
# stray broken byte in a long page is not a wrong declaration, a GBK page read as UTF-8 is ~90%.
GARBLED_SHARE = 0.1
# Valid UTF-8 with this many multi-byte characters is UTF-8 whatever the page says: text in
# another encoding almost never forms that many valid UTF-8 sequences by chance.
UTF8_EVIDENCE = 8


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


def garbled(body: bytes, encoding: str) -> bool:
    """Whether decoding `body` as `encoding` replaces a real share of its text with U+FFFD."""
    try:
        body.decode(encoding)
        return False
    except UnicodeDecodeError:
        pass
    text = body.decode(encoding, errors="replace")
    return text.count("\ufffd") > GARBLED_SHARE * sum(1 for c in text if c > "\x7f")


def _clearly_utf8(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return sum(1 for c in text if c > "\x7f") >= UTF8_EVIDENCE


def actual_encoding(body: bytes, declared: str) -> str | None:
    """The body's encoding when the declared one would turn it into mojibake, else `declared`;
    None when the declared one garbles it and nothing decodes it cleanly."""
    if declared != "utf-8" and _clearly_utf8(body):
        return "utf-8"
    if not garbled(body, declared):
        return declared
    detected = detect_encoding(body)
    return detected if detected and not garbled(body, detected) else None


class EncodingMiddleware:
    """Downloader middleware giving text responses their real encoding: detected when undeclared,
    corrected (and named in the source's health) when the declaration does not fit the bytes."""

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
        declared = declared_encoding(response)
        if declared:
            return self._check_declared(response, declared)
        encoding = detect_encoding(response.body)
        if not encoding or encoding == "utf-8":
            return response
        self.crawler.stats.inc_value(f"tousu/encoding_detected/{encoding}")
        return response.replace(encoding=encoding)

    def _check_declared(self, response: TextResponse, declared: str) -> Response:
        actual = actual_encoding(response.body, declared)
        if actual == declared:
            return response
        if actual is None:  # stored it would be U+FFFD garbage: the page is refused, and named
            raise IgnoreRequest(f"页面编码无法识别：按声明的 {declared} 解码为乱码，检测也无结果")
        self.crawler.stats.inc_value(f"tousu/encoding_misdeclared/{actual}")
        record_error(self.crawler.stats, f"{response.url}: 编码声明与内容不符：声明 {declared}，"
                                         f"实为 {actual}，已按 {actual} 解码")
        return response.replace(encoding=actual)
