"""An event's spread on its warning card: the spread graph (a tree over time: each post at its
publication time, one row per post in the order the tree is walked, a line from the post it spread
from), posts per hour, the sources in the order the event reached them, the amplifying accounts
and the summary (alerts.spread). Crawled text (authors, posts) reaches the figure only escaped —
Plotly renders a subset of HTML in hover text — and the page only as escaped text or tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from alerts.spread import BASIS_NAMES, TREND_NAMES, Spread, posted
from core.markup import esc, http_url
from core.post import Post
from dashboard import data
from dashboard.charts import time_axis
from dashboard.render import plain

MAX_NODES = 150   # the most posts the graph draws (the tree's first, in walk order)
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]
TREND_ICONS = {"growing": "📈", "steady": "➖", "quiet": "💤"}


def walk(spread: Spread) -> list[str]:
    """Post ids in depth-first order from each root (roots, and children, oldest first)."""
    children: dict[str, list[str]] = defaultdict(list)
    for edge in spread.edges:
        children[edge.parent].append(edge.child)
    order: list[str] = []
    stack = [p.id for p in reversed(spread.posts) if p.id not in spread.parents]
    while stack:
        pid = stack.pop()
        order.append(pid)
        stack.extend(reversed(children.get(pid, [])))
    return order


def _hover(post: Post, spread: Spread) -> str:
    when = (post.published_at or "")[:16].replace("T", " ") or "发布时间未知"
    role = "源头" if spread.origin is not None and post.id == spread.origin.id else (
        "事件帖子" if post.id in spread.members else "关联转发/回复")
    text = (post.content or post.title or "")[:60]
    return (f"{esc(post.author or '匿名')} · {esc(post.source)}<br>{esc(when)} · {role}"
            f"<br>{esc(text)}")


def graph(spread: Spread) -> go.Figure:
    """The spread tree over time; colour = source, size = influence, ★ = 源头, ○ = a relative
    that is not one of the event's own posts."""
    order = walk(spread)[:MAX_NODES]
    row = {pid: i for i, pid in enumerate(order)}
    posts = {p.id: p for p in spread.posts}
    when = {pid: posted(posts[pid]) or datetime.fromisoformat(posts[pid].crawled_at or "")
            for pid in order}
    fig = go.Figure()
    xs: list[Any] = []
    ys: list[Any] = []
    for edge in spread.edges:
        if edge.parent in row and edge.child in row:
            xs += [when[edge.parent], when[edge.parent], when[edge.child], None]
            ys += [row[edge.parent], row[edge.child], row[edge.child], None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#bbb", width=1),
                             hoverinfo="skip", showlegend=False))
    sources = list(dict.fromkeys(posts[pid].source for pid in order))
    for n, source in enumerate(sources):
        mine = [pid for pid in order if posts[pid].source == source]
        fig.add_trace(go.Scatter(
            x=[when[pid] for pid in mine], y=[row[pid] for pid in mine], mode="markers",
            name=esc(source), hovertext=[_hover(posts[pid], spread) for pid in mine],
            hoverinfo="text",
            marker=dict(color=PALETTE[n % len(PALETTE)], line=dict(width=1.5, color=PALETTE[n % len(PALETTE)]),
                        size=[9 + 18 * (posts[pid].influence or 0) for pid in mine],
                        symbol=["star" if spread.origin and pid == spread.origin.id
                                else "circle" if pid in spread.members else "circle-open"
                                for pid in mine])))
    fig.update_yaxes(autorange="reversed", showticklabels=False, title=None, zeroline=False)
    fig.update_layout(title="传播图（横轴为发布时间，连线为转发/回复关系）",
                      height=min(120 + 18 * len(order), 700), margin=dict(t=40, b=10, l=10, r=10),
                      legend_title_text="来源")
    return time_axis(fig, "hour")


def _speed(spread: Spread) -> go.Figure:
    fig = go.Figure(go.Bar(x=[datetime.fromisoformat(h) for h, _ in spread.speed],
                           y=[n for _, n in spread.speed],
                           hovertemplate="%{x|%m-%d %H:00}<br>%{y} 帖<extra></extra>"))
    fig.update_layout(title="传播速度（每小时发帖数）", height=220, margin=dict(t=40, b=10, l=10, r=10))
    return time_axis(fig, "hour")


def _origin(post: Post) -> None:
    url = http_url(post.url)
    link = (f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">原帖</a>'
            if url else "")
    when = (post.published_at or "")[:16].replace("T", " ") or "发布时间未知"
    st.html(f'<div class="tousu-origin">源头：<b>{esc(post.author or "匿名")}</b>'
            f'（{esc(post.source)}，{esc(when)}）{link}<div class="tousu-text" '
            f'style="white-space:pre-wrap;color:#444;font-size:0.9em">'
            f'{esc((post.content or post.title or "")[:200])}</div></div>')


def render(post_ids: list[str], key: str) -> None:
    """The spread section of an event's card (`key`: unique on the page, e.g. the alert id)."""
    spread = data.spread(tuple(post_ids), data.since_hours(0))
    if not spread.posts:
        return
    st.markdown("**传播分析**")
    growth = spread.growth
    if spread.origin is not None:
        _origin(spread.origin)
    m = st.columns(4)
    m[0].metric("涉及帖子", len(spread.posts),
                help=f"事件帖子 {len(spread.members & {p.id for p in spread.posts})} 条，其余为其转发、回复或原帖")
    m[1].metric("转发/回复关系", len(spread.edges))
    m[2].metric("来源数", len(spread.timeline))
    m[3].metric("是否仍在增长", f"{TREND_ICONS[growth.trend]} {TREND_NAMES[growth.trend]}",
                help=f"近 1 小时 {growth.recent} 帖，此前 3 小时 {growth.before} 帖；"
                     "近 1 小时不少于 2 帖且超过此前每小时速度的 1.5 倍为增长中，四小时无新帖为已平息")
    if spread.edges or len(spread.posts) > 1:
        st.plotly_chart(graph(spread), width="stretch", key=f"spread_{key}")
        if len(spread.posts) > MAX_NODES:
            st.caption(f"共 {len(spread.posts)} 条，图中显示前 {MAX_NODES} 条")
    if spread.speed:
        st.plotly_chart(_speed(spread), width="stretch", key=f"speed_{key}")
    left, right = st.columns(2)
    left.caption("跨平台时间线")
    left.dataframe(pd.DataFrame([{"来源": r.source, "首帖时间": (r.first_at or "")[:16].replace("T", " "),
                                  "帖子数": r.posts, "最新": (r.last_at or "")[:16].replace("T", " ")}
                                 for r in spread.timeline]), hide_index=True, width="stretch")
    right.caption("主要扩散账号（按影响力）")
    right.dataframe(pd.DataFrame([{"账号": a.author, "来源": a.source, "帖子": len(a.post_ids),
                                   "带动帖数": a.reach, "影响力": a.influence,
                                   "粉丝数": a.followers}
                                  for a in spread.amplifiers[:10]]), hide_index=True, width="stretch")
    bases = sorted({e.basis for e in spread.edges})
    if bases:
        st.caption("关系来源：" + "；".join(BASIS_NAMES[b] for b in bases))
    plain("\n".join(text for text, _ in spread.sentences()), small=True)
