"""Safe rendering helpers: crawled text is attacker-controlled and is always shown as text.

Three ways text reaches the page, and the rule for each:
- HTML (`st.html`): everything escaped; the only tags ever emitted are ours.
- Markdown contexts (titles, captions, labels of expanders/tabs/metrics): `md()` backslash-escapes
  every Markdown and Streamlit directive character, so `[x](http://evil)` stays literal.
- Links: only http(s) URLs are ever turned into links (`http_url`), never `javascript:`.
The rules themselves live in core/markup.py, shared with the warnings' messages.
"""

from __future__ import annotations

import re

import streamlit as st

from indexer.base import SearchResult
from core.markup import esc, http_url
from core.vocab import TIER_LABELS
from nlp.labels import human_graded

TIER_COLOURS = {4: "#c0392b", 3: "#e67e22", 2: "#d4ac0d", 1: "#2e86c1", 0: "#7f8c8d"}
LEVEL_COLOURS = {1: "#c0392b", 2: "#e67e22", 3: "#d4ac0d"}
_NOT_MARK = re.compile(r"<(?!/?mark>)")


def mark_only(snippet: str) -> str:
    """A store snippet (escaped text with <mark>) with any other '<' neutralised, defensively."""
    return _NOT_MARK.sub("&lt;", snippet or "")


def plain(text: str | None, *, small: bool = False) -> None:
    """Show crawled text as text: escaped, newlines kept, no Markdown."""
    size = "font-size:0.9em;color:#444;" if small else ""
    st.html(f'<div class="tousu-text" style="white-space:pre-wrap;{size}">{esc(text)}</div>')


def snippet(marked: str) -> None:
    """Show a highlighted store snippet; only <mark> survives."""
    st.html(f'<div class="tousu-snippet" style="line-height:1.6">{mark_only(marked)}</div>')


def tier_badge(tier: int | None) -> str:
    """HTML badge for a severity tier (our own markup, no user text)."""
    t = tier if tier is not None else 0
    colour = TIER_COLOURS.get(t, "#7f8c8d")
    return (f'<span style="background:{colour};color:#fff;border-radius:4px;padding:1px 6px;'
            f'font-weight:600">{t}级 {TIER_LABELS.get(t, "")}</span>')


def human_badge(post: object) -> str:
    """'人工修正' / '人工确认' as a badge when a person set the post's grade, else ''."""
    kind = human_graded(post)  # type: ignore[arg-type]
    if kind is None:
        return ""
    return (f'<span class="tousu-human" style="border:1px solid #1e8449;color:#1e8449;'
            f'border-radius:4px;padding:0 5px;font-size:0.85em">✍ {kind}</span>')


def count_text(result: SearchResult) -> str:
    """A result count as users read it: Elasticsearch and SQLite stop counting exactly at
    TOTAL_CAP, so a capped count shows as "10,000+"."""
    return f"{result.total:,}+" if result.total_is_lower_bound else f"{result.total:,}"


def post_card(post: object, highlight: str | None = None) -> None:
    """One post as a card: tier badge, meta line, title, snippet or text — all escaped."""
    p = post
    meta = " · ".join(esc(x) for x in [
        (p.published_at or "")[:16].replace("T", " "), p.source, p.city or "未知地市",
        "、".join(p.categories) or "未分类",
        f"回复 {p.engagement.get('replies', 0)} · 浏览 {p.engagement.get('views', 0)}",
        f"影响力 {p.influence or 0:.2f}",
        *([f"涉及 {'、'.join(p.operators)}"] if p.operators else []),
        *([f"作者意图 {p.intent}级 {TIER_LABELS.get(p.intent, '')}"]
          if p.intent is not None and p.intent != p.severity else [])])
    body = (f'<div class="tousu-snippet">{mark_only(highlight)}</div>' if highlight
            else f'<div class="tousu-text" style="white-space:pre-wrap">{esc((p.content or "")[:300])}</div>')
    reasons = esc("；".join(p.reasons[:4]) or "—")
    url = http_url(p.url)
    link = (f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">原帖</a>'
            if url else "")
    st.html(f'<div style="border-left:4px solid {TIER_COLOURS.get(p.severity or 0)};padding:4px 10px">'
            f'{tier_badge(p.severity)} {human_badge(p)} '
            f'<span style="color:#666;font-size:0.85em">{meta}{link}</span>'
            f'<div class="tousu-title" style="font-weight:600;margin:4px 0">{esc(p.title)}</div>'
            f'{body}<div style="color:#666;font-size:0.85em">判定依据：{reasons}</div></div>')


def tier_style(value: object) -> str:
    """Pandas Styler rule colouring the tier column."""
    colour = TIER_COLOURS.get(value if isinstance(value, int) else -1)
    return f"background-color: {colour}; color: white; font-weight: bold" if colour else ""



