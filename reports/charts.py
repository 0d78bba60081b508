"""Small inline SVG charts (no JavaScript, so a report stays one self-contained file)."""

from __future__ import annotations

from html import escape
from typing import Any

from reports.geo import svg_map
from reports.numbers import number_label

PALETTE = ["#c0392b", "#e67e22", "#f1c40f", "#2980b9", "#7f8c8d", "#16a085", "#8e44ad"]


def _num(value: Any) -> float:
    return float(value or 0)


def bar_chart(labels: list[str], series: dict[str, list[Any]], width: int = 720) -> str:
    """Horizontal grouped bars, one row per label."""
    if not labels or not series:
        return ""
    names = list(series)
    bar_h, gap, left, right = 12, 8, 150, 60
    row_h = bar_h * len(names) + gap
    height = row_h * len(labels) + 30
    top = max((_num(v) for vals in series.values() for v in vals), default=0) or 1
    scale = (width - left - right) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-size="12">']
    for i, label in enumerate(labels):
        y = 20 + i * row_h
        parts.append(f'<text x="{left - 6}" y="{y + row_h / 2}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(str(label))}</text>')
        for j, name in enumerate(names):
            value = series[name][i] if i < len(series[name]) else 0
            w = max(0.0, _num(value) * scale)
            yy = y + j * bar_h
            parts.append(f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)} {escape(str(label))}: '
                         f'{number_label(_num(value))}</title></rect>')
            parts.append(f'<text x="{left + w + 4:.1f}" y="{yy + bar_h / 2}" dominant-baseline="middle" '
                         f'fill="#333">{number_label(_num(value))}</text>')
    parts.append(_legend(names, 10))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(labels: list[str], series: dict[str, list[Any]], width: int = 720,
               height: int = 260) -> str:
    """Lines over time, one per series, with a legend and sparse x labels."""
    if not labels or not series:
        return ""
    left, right, top_pad, bottom = 40, 20, 30, 30
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((_num(v) for vals in series.values() for v in vals), default=0) or 1
    step = plot_w / max(1, len(labels) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-size="11">',
             f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{number_label(top)}</text>',
             f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">0</text>']
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{left + i * step:.1f}" y="{height - 10}" text-anchor="middle">'
                         f'{escape(str(label))}</text>')
    for j, (name, values) in enumerate(series.items()):
        points = " ".join(f"{left + i * step:.1f},{top_pad + plot_h - _num(v) / top * plot_h:.1f}"
                          for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{PALETTE[j % len(PALETTE)]}" stroke-width="2" '
                     f'points="{points}"><title>{escape(name)}</title></polyline>')
    parts.append(_legend(list(series), 12))
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: list[str], y: int) -> str:
    out, x = [], 150
    for j, name in enumerate(names):
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
                   f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += 24 + 13 * len(name)
    return "".join(out)


def render_chart(spec: dict[str, Any] | None) -> str:
    """SVG for a section's chart spec: {'type': 'bar'|'line', 'labels', 'series'} or
    {'type': 'map', 'values', 'shapes', 'unit'} (reports.geo)."""
    if not spec:
        return ""
    if spec["type"] == "map":
        return svg_map(spec["values"], spec["shapes"], spec["unit"])
    if spec["type"] == "line":
        return line_chart(spec["labels"], spec["series"])
    return bar_chart(spec["labels"], spec["series"])
