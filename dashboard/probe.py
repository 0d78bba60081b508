"""「测试信源」: fetch one page of a source and show what its selectors extract.

It reuses the crawler's own selector functions (crawler.extract) so what the admin sees is what
the spider would read. One list page and the first detail page only; nothing is stored.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import jmespath
from parsel import Selector

from crawler.extract import extract_all, extract_first, select

USER_AGENT = "Mozilla/5.0 (compatible; TousuRadar/0.1; source test)"
MAX_BYTES = 2 * 1024 * 1024


class ProbeError(Exception):
    """The page could not be fetched or read (Chinese message)."""


@dataclass
class ProbeResult:
    """What one fetch showed: pages fetched, list links or rows, the first detail's fields."""

    fetched: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    next_page: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def fetch(url: str, timeout: float = 10) -> tuple[str, str]:
    """(final url, text) of one page."""
    if not url.lower().startswith(("http://", "https://")):
        raise ProbeError(f"只能测试 http/https 地址：{url}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES)
            charset = response.headers.get_content_charset() or "utf-8"
            return response.geturl(), body.decode(charset, errors="replace")
    except urllib.error.HTTPError as exc:
        raise ProbeError(f"{url} 返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ProbeError(f"无法访问 {url}：{getattr(exc, 'reason', exc)}") from None


def _fields(node: Selector, selectors: dict[str, str]) -> dict[str, Any]:
    return {key: extract_first(node, sel) for key, sel in selectors.items()}


def probe(source: Any, timeout: float = 10) -> ProbeResult:
    """Fetch one page of `source` (a config source) and apply its selectors."""
    out = ProbeResult()
    if source.type == "html":
        url, text = fetch(source.start_urls[0], timeout)
        out.fetched.append(url)
        page = Selector(text=text)
        spec = source.list
        if spec.links:
            out.links = [urljoin(url, h) for h in dict.fromkeys(extract_all(page, spec.links))]
            if not out.links:
                out.warnings.append("列表页没有匹配到任何帖子链接（list.links）")
        else:
            out.rows = [_fields(row, spec.fields) for row in select(page, spec.rows)][:20]
            if not out.rows:
                out.warnings.append("列表页没有匹配到任何行（list.rows）")
        if spec.next:
            nxt = extract_first(page, spec.next)
            out.next_page = urljoin(url, nxt) if nxt else None
        if out.links and source.detail:
            detail_url, detail_text = fetch(out.links[0], timeout)
            out.fetched.append(detail_url)
            out.detail = _fields(Selector(text=detail_text), source.detail)
            empty = [k for k, v in out.detail.items() if not v]
            if empty:
                out.warnings.append("详情页这些字段没有取到值：" + "、".join(empty))
    elif source.type == "json":
        url, text = fetch(source.url.replace("{page}", "1"), timeout)
        out.fetched.append(url)
        try:
            payload = json.loads(text)
        except ValueError as exc:
            raise ProbeError(f"{url} 返回的不是 JSON：{exc}") from None
        items = jmespath.search(source.items, payload) or []
        out.rows = [{k: jmespath.search(p, item) for k, p in source.fields.items()}
                    for item in items[:20]]
        if not out.rows:
            out.warnings.append("items 路径没有取到任何条目")
    else:
        import feedparser  # lazy: only testing an RSS source needs it

        url, text = fetch(source.url, timeout)
        out.fetched.append(url)
        feed = feedparser.parse(text)
        out.rows = [{"title": e.get("title"), "url": e.get("link"),
                     "published_at": e.get("published") or e.get("updated")}
                    for e in feed.entries[:20]]
        if not out.rows:
            out.warnings.append("不是有效的 RSS/Atom，或没有条目")
    return out
