"""A briefing as text (terminal), Markdown for chat robots (企业微信 / 钉钉 / 飞书), HTML (a
whole document, or the body for the console) and JSON (every claim, for checking).

Sentences quote crawled text (titles, quotes), so every rendering makes them inert with the
core.markup helper of its output, and only http(s) URLs become links."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from briefings.config import BriefingsConfig
from briefings.model import Briefing, Sentence
from core.markup import chat_md, esc, http_url, md_url, terminal

LINKS = BriefingsConfig().links   # cited posts shown as links per sentence; JSON keeps all


def describe_query(query: dict[str, Any]) -> str:
    """A store query (Filters fields) as one Chinese line."""
    parts = []
    if query.get("since") or query.get("until"):
        parts.append(f"{_time(query.get('since'))} 至 {_time(query.get('until'))}")
    if query.get("relevant"):
        parts.append("相关帖子")
    if query.get("severity_min") is not None:
        parts.append(f"{query['severity_min']}级及以上")
    for key, label in (("cities", "地市"), ("categories", "分类"), ("sources", "来源")):
        if query.get(key):
            parts.append(f"{label}={'、'.join(query[key])}")
    if query.get("include_duplicates") is False:
        parts.append("重复帖只计一次")
    return "｜".join(parts)


def _time(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "…"


def queries(sentence: Sentence) -> list[str]:
    """The distinct queries the sentence's figures were computed by, described."""
    found: dict[str, None] = {}
    stack = list(sentence.claims)
    while stack:
        claim = stack.pop(0)
        if claim.query is not None:
            found.setdefault(describe_query(claim.query))
        stack.extend(claim.parts)
    return list(found)


def _links(briefing: Briefing, sentence: Sentence, limit: int) -> list[tuple[int, str | None, str]]:
    """(number, http(s) URL or None, title) of the first `limit` cited posts."""
    return [(n, http_url(briefing.posts[i].url), briefing.posts[i].title)
            for n, i in enumerate(sentence.cited()[:limit], 1)]


def _more(sentence: Sentence, limit: int) -> int:
    return max(0, len(sentence.cited()) - limit)


def to_text(briefing: Briefing, links: int = LINKS) -> str:
    """Plain text for a terminal: each sentence, then its links and queries."""
    lines = [terminal(briefing.title), f"统计区间：{_time(briefing.since)} 至 {_time(briefing.until)}", ""]
    for section in briefing.sections:
        lines.append(f"【{terminal(section.title)}】")
        for sentence in section.sentences:
            lines.append(f"- {terminal(sentence.text)}")
            for n, url, _ in _links(briefing, sentence, links):
                lines.append(f"    [{n}] {terminal(url or '（非网页链接）')}")
            if _more(sentence, links):
                lines.append(f"    …另 {_more(sentence, links)} 帖（见 JSON 输出）")
            for q in queries(sentence):
                lines.append(f"    查询：{terminal(q)}")
        lines.append("")
    return "\n".join(lines)


def to_markdown(briefing: Briefing, links: int = LINKS) -> str:
    """Markdown for chat robots: their subset has no escape, so text is made inert with
    core.markup.chat_md and links are numbered."""
    out = [f"### {chat_md(briefing.title)}",
           f"> 统计区间：{_time(briefing.since)} 至 {_time(briefing.until)}", ""]
    for section in briefing.sections:
        out.append(f"**{chat_md(section.title)}**")
        for sentence in section.sentences:
            cites = " ".join(f"[{n}]({md_url(url)})" if url else f"［{n}］"
                             for n, url, _ in _links(briefing, sentence, links))
            more = f" 等{len(sentence.cited())}帖" if _more(sentence, links) else ""
            out.append(f"- {chat_md(sentence.text)} {cites}{more}".rstrip())
            for q in queries(sentence):
                out.append(f"  查询：{chat_md(q)}")
        out.append("")
    return "\n".join(out)


CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px auto;
max-width:900px;color:#222;line-height:1.6}h1{font-size:21px;border-bottom:3px solid #0085d0}
h2{font-size:16px;color:#0085d0;margin-top:22px}li{margin:6px 0}sup a{text-decoration:none;margin:0 1px}
.insufficient{color:#a0a0a0}
"""


QUERY_STYLE = "color:#666;font-size:12px;display:block"


def to_html_body(briefing: Briefing, links: int = LINKS) -> str:
    """The briefing's sections as HTML without a page around them (the console shows this)."""
    out = [f"<h1>{esc(briefing.title)}</h1>",
           f"<p>统计区间：{esc(_time(briefing.since))} 至 {esc(_time(briefing.until))}</p>"]
    for section in briefing.sections:
        cls = ' class="insufficient"' if section.insufficient else ""
        out.append(f"<h2>{esc(section.title)}</h2><ul{cls}>")
        for sentence in section.sentences:
            cites = "".join(
                f'<a href="{esc(url)}" title="{esc(title)}" target="_blank" rel="noopener">[{n}]</a>'
                if url else f"[{n}]" for n, url, title in _links(briefing, sentence, links))
            more = f" 等{len(sentence.cited())}帖" if _more(sentence, links) else ""
            # Inline style: the console shows the body without the page's style sheet.
            qs = "".join(f'<span class="q" style="{QUERY_STYLE}">查询：{esc(q)}</span>'
                         for q in queries(sentence))
            out.append(f"<li>{esc(sentence.text)}<sup>{cites}{more}</sup>{qs}</li>")
        out.append("</ul>")
    return "".join(out)


def to_html(briefing: Briefing, links: int = LINKS) -> str:
    """The briefing as one HTML document."""
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{esc(briefing.title)}</title><style>{CSS}</style></head>"
            f"<body>{to_html_body(briefing, links)}"
            "<footer>投诉雷达自动生成：每句话都注明所依据的帖子与查询，不含推测。</footer></body></html>")


def to_json(briefing: Briefing) -> str:
    """Every section, sentence and claim, with the cited posts' links."""
    return json.dumps(asdict(briefing), ensure_ascii=False, indent=1)
