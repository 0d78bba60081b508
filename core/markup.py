"""Crawled text made inert for each output that renders markup, and the one rule for links: only
http(s) URLs ever become links. Crawled text is attacker-controlled: a post containing
`点击[官方客服](http://phish.example/login)` must never turn into a link in a warning."""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=\"'&])")
_HTTP = re.compile(r"^https?://[^\s<>\"'\\]+$", re.IGNORECASE)
# Chat robots (企业微信, 钉钉) render a Markdown subset with no escape character: the marks are
# replaced by their full-width forms, which read the same to a person and mean nothing there.
_CHAT = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞",
                       "*": "＊", "_": "＿", "`": "｀", "#": "＃", "~": "～", "|": "｜",
                       "\\": "＼"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_UNSAFE = str.maketrans({"(": "%28", ")": "%29", "[": "%5B", "]": "%5D", "<": "%3C",
                             ">": "%3E", " ": "%20"})


def terminal(text: object) -> str:
    """Text safe to print on a terminal: control characters (ESC sequences that recolour, retitle
    or rewrite the screen, BEL, CR, C1 codes) become U+FFFD; newlines and tabs become spaces."""
    return _CONTROL.sub("\ufffd", str(text if text is not None else "").replace("\n", " ")
                        .replace("\t", " "))


def md(text: object) -> str:
    """Text made inert for any (CommonMark) Markdown context: labels, titles, captions."""
    return _MD_SPECIAL.sub(r"\\\1", str(text if text is not None else "")).replace("\n", " ")


def chat_md(text: object) -> str:
    """Text made inert for a chat robot's Markdown, one line."""
    return str(text if text is not None else "").translate(_CHAT).replace("\n", " ")


def esc(text: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(text if text is not None else ""), quote=True)


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (no javascript:, data:, file: or relative tricks)."""
    if url and _HTTP.match(url.strip()):
        return url.strip()
    return None


def md_url(url: str) -> str:
    """An http(s) URL that cannot close a Markdown link early."""
    return url.translate(_URL_UNSAFE)
