"""Applying configured selectors: CSS (with ::text / ::attr()) or XPath when it starts with / or (."""

from __future__ import annotations

from typing import Any

from parsel import Selector, SelectorList

from crawler.normalise import clean_text, element_text


def select(node: Selector, selector: str) -> SelectorList:
    """All matches of a configured selector under `node`."""
    if selector.startswith(("/", "(")):
        return node.xpath(selector)
    return node.css(selector)


def value_of(match: Selector) -> str:
    """A text/attribute match as a stripped string; an element match as its visible text."""
    if isinstance(match.root, str):
        return clean_text(match.root)
    return element_text(match.root)


def extract_first(node: Selector, selector: str) -> str | None:
    """The first match's value, or None."""
    matches = select(node, selector)
    return value_of(matches[0]) if matches else None


def extract_all(node: Selector, selector: str) -> list[str]:
    """Every match's value (for link lists)."""
    return [value_of(m) for m in select(node, selector)]


def join_url(response: Any, href: str) -> str:
    """`href` joined to the page's URL; "" for a link urlsplit refuses (an unclosed IPv6 host,
    written by anyone who can post): one bad link must not end the page's other posts."""
    try:
        return response.urljoin(href)
    except ValueError:
        return ""
