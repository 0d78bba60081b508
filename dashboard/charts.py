"""趋势's figures: Plotly graph_objects built from the cached queries, and cached themselves.

plotly.express cost ~0.3 s per chart on every rerun — most of the page's time once its queries
were cached. These figures are built with graph_objects (no dataframe round trip) and cached as
long as the data behind them (data.AGG_TTL, same arguments), so a rerun only serialises them.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.render import TIER_COLOURS
from core.vocab import TIER_LABELS
from reports.geo import SCALE, colour, label_point, simplified

SPLITS = {"severity": "等级", "category": "分类", "city": "地市", "source": "来源"}
MARGIN = dict(t=50, b=10, l=10, r=10)
# Date axes as a Chinese reader writes dates: Plotly's own labels are English ("Nov 26 2026").
TICKS = {"hour": "%m-%d %H:%M", "day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}
HOVER = {"hour": "%Y-%m-%d %H:%M", "day": "%Y-%m-%d", "week": "%Y-%m-%d 起一周", "month": "%Y年%m月"}


def time_axis(fig: go.Figure, interval: str) -> go.Figure:
    """Label the figure's x axis, a date axis, in numbers for bins of `interval`."""
    fig.update_xaxes(type="date", tickformat=TICKS[interval], hoverformat=HOVER[interval])
    return fig


def key_label(split: str, key: Any) -> str:
    """How a split value is named in legends and the drill-down box."""
    if key is None:
        return "未知"
    return f"{key}级 {TIER_LABELS.get(key, '')}" if split == "severity" else str(key)


@st.cache_resource(ttl=data.AGG_TTL, show_spinner=False, max_entries=64)
def volume_figure(base: data.Slice, interval: str, split: str) -> go.Figure | None:
    """Posts per time bucket, one bar trace per value of `split`; None when there are none."""
    rows = data.histogram(base, interval, split)
    if not rows:
        return None
    traces: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        traces.setdefault(row["key"], []).append(row)
    fig = go.Figure()
    for key in sorted(traces, key=lambda k: (k is None, str(k))):
        points = traces[key]
        fig.add_trace(go.Bar(
            name=key_label(split, key), x=[r["bucket"][:16].replace("T", " ") for r in points],
            y=[r["count"] for r in points], customdata=[[r["bucket"], key] for r in points],
            marker_color=TIER_COLOURS.get(key) if split == "severity" else None,
            hovertemplate=f"%{{x|{HOVER[interval]}}}<br>%{{y}} 条<extra>%{{fullData.name}}</extra>"))
    fig.update_layout(barmode="stack", height=380, margin=MARGIN, legend_title_text=SPLITS[split],
                      title=f"帖子量（按{SPLITS[split]}，点击柱子查看帖子）",
                      xaxis_title="时间", yaxis_title="帖子数")
    return time_axis(fig, interval)


@st.cache_resource(ttl=data.AGG_TTL, show_spinner=False, max_entries=64)
def city_figure(base: data.Slice, metric: str) -> go.Figure:
    """The 14 cities by posts or 万投比."""
    rate = data.complaint_rate(base)
    fig = go.Figure(go.Bar(x=list(rate["地市"]), y=list(rate[metric]),
                           customdata=[[c] for c in rate["地市"]],
                           hovertemplate="%{x}<br>%{y}<extra></extra>"))
    fig.update_layout(height=340, margin=MARGIN, title="湖南各地市（点击柱子查看帖子）",
                      xaxis_title="地市", yaxis_title=metric)
    return fig


@st.cache_resource(ttl=data.AGG_TTL, show_spinner=False, max_entries=64)
def map_figure(base: data.Slice, metric: str) -> go.Figure | None:
    """The cities as a filled map coloured by `metric`, each named with its value at a clickable
    marker; None where no city's boundary is known (then the bars stand alone). Drawn on plain
    axes: Plotly's geo and tile maps fetch base maps or fonts from the internet at run time."""
    shapes = data.shapes()
    if not shapes:
        return None
    rate = data.complaint_rate(base)
    values = {c: v for c, v in zip(rate["地市"], rate[metric]) if v is not None and v == v}
    top = max(values.values(), default=0)
    cities = list(shapes)
    centre = sum(y for s in shapes.values() for p in s for _, y in p[0]) / sum(
        len(p[0]) for s in shapes.values() for p in s)
    stretch = math.cos(math.radians(centre))  # equirectangular, true at the middle latitude
    fig = go.Figure()
    for city in cities:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for polygon in simplified(shapes[city], 0.01):
            xs += [x * stretch for x, _ in polygon[0]] + [None]
            ys += [y for _, y in polygon[0]] + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", line_color="white",
                                 line_width=1, fillcolor=colour(values.get(city), top),
                                 hoverinfo="skip", showlegend=False))
    points = [label_point(shapes[c]) for c in cities]
    fig.add_trace(go.Scatter(
        x=[x * stretch for x, _ in points], y=[y for _, y in points], mode="markers+text",
        text=[f"{c} {values[c]:g}" if c in values else f"{c} —" for c in cities],
        textposition="top center", customdata=[[c] for c in cities], showlegend=False,
        marker=dict(size=12, line_color="#333", line_width=1,
                    color=[values.get(c, 0) for c in cities], cmin=0, cmax=top or 1,
                    colorscale=[[i / (len(SCALE) - 1), c] for i, c in enumerate(SCALE)],
                    showscale=True, colorbar_title_text=metric),
        hovertemplate="%{customdata[0]}<br>" + metric + " %{marker.color}<extra></extra>"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(height=460, margin=MARGIN, plot_bgcolor="white",
                      title="湖南各地市地图（点击地市的圆点查看帖子；灰色 = 无数据）")
    return fig


@st.cache_resource(ttl=data.AGG_TTL, show_spinner=False, max_entries=64)
def words_figure(base: data.Slice) -> go.Figure | None:
    """The 20 hot words, largest on top."""
    words = data.hot_words(base, size=20)[::-1]
    if not words:
        return None
    fig = go.Figure(go.Bar(x=[n for _, n in words], y=[w for w, _ in words], orientation="h",
                           customdata=[[w] for w, _ in words],
                           hovertemplate="%{y}<br>%{x} 条<extra></extra>"))
    fig.update_layout(height=380, margin=MARGIN, title="热词（点击查看帖子）",
                      xaxis_title="帖子数", yaxis_title="热词", yaxis_dtick=1)  # every word
    return fig


@st.cache_resource(ttl=data.AGG_TTL, show_spinner=False, max_entries=64)
def rivals_figure(base: data.Slice) -> go.Figure | None:
    """竞品对比: each operator's posts stacked by their authors' intent tier, ours first."""
    mix = data.operator_mix(base)
    if not any(m["posts"] for m in mix):
        return None
    names = [m["operator"] for m in mix][::-1]  # horizontal bars draw bottom-up
    fig = go.Figure()
    for tier in range(5):
        counts = [m["tiers"].get(tier, 0) for m in mix][::-1]
        fig.add_trace(go.Bar(
            name=key_label("severity", tier), y=names, x=counts, orientation="h",
            marker_color=TIER_COLOURS[tier], customdata=[[n, tier] for n in names],
            hovertemplate="%{y}<br>%{x} 条<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="stack", height=300, margin=MARGIN, legend_title_text="意图等级",
                      title="竞品对比：各运营商帖子的投诉意图（点击查看帖子）",
                      xaxis_title="帖子数", yaxis_title="运营商")
    return fig


def clear() -> None:
    """Drop the cached figures (the benchmark's cold runs)."""
    for figure in (volume_figure, city_figure, words_figure, rivals_figure):
        figure.clear()
