"""Safe rendering helpers: crawled text is attacker-controlled and is always escaped."""

from __future__ import annotations

import html

import streamlit as st

TIER_COLOURS = {4: "#c0392b", 3: "#e67e22", 2: "#f1c40f", 1: "#3498db", 0: "#95a5a6"}


def plain(text: str) -> None:
    """Show crawled text as text: escaped, newlines kept, no Markdown."""
    st.html(f'<div style="white-space:pre-wrap">{html.escape(text or "")}</div>')


def snippet(marked: str) -> None:
    """Show a store snippet (already escaped HTML whose only tags are <mark>)."""
    st.html(f'<div style="line-height:1.6">{marked}</div>')


def tier_style(value: object) -> str:
    """Pandas Styler rule colouring the tier column."""
    colour = TIER_COLOURS.get(value if isinstance(value, int) else -1)
    return f"background-color: {colour}; color: white; font-weight: bold" if colour else ""
