"""趋势: volume over time by tier/category/city/source, the city breakdown with 万投比, hot words,
and a drill-down from any bar to the posts behind it (click the bar, or pick it below)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data
from dashboard.guard import run_page
from dashboard.render import TIER_COLOURS, TIER_LABELS, md, post_card

SPLITS = {"severity": "等级", "category": "分类", "city": "地市", "source": "来源"}
INTERVALS = {"hour": "小时", "day": "天", "week": "周", "month": "月"}
DRILL = "t_pick"  # the drill-down selectbox's key: a chart click sets it


def _key_label(split: str, key: Any) -> str:
    if key is None:
        return "未知"
    return f"{key}级 {TIER_LABELS.get(key, '')}" if split == "severity" else str(key)


def _bucket_end(start: str, interval: str) -> str:
    begin = datetime.fromisoformat(start)
    if interval == "month":
        nxt = (begin.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        nxt = begin + {"hour": timedelta(hours=1), "day": timedelta(days=1),
                       "week": timedelta(days=7)}[interval]
    return nxt.isoformat()


def _drill_slice(base: data.Slice, split: str, key: Any, bucket: str | None,
                 interval: str) -> data.Slice:
    values: dict[str, Any] = dict(base.__dict__)
    if bucket:
        values["since"] = max(base.since or "", bucket) if base.since else bucket
        values["until"] = _bucket_end(bucket, interval)
    if key is not None:
        if split == "severity":
            values["severity_min"] = values["severity_max"] = int(key)
        elif split == "category":
            values["categories"] = (key,)
        elif split == "city":
            values["cities"] = (key,)
        elif split == "source":
            values["sources"] = (key,)
    return data.Slice(**values)


def _clicked(event: Any, chart: str, make: Any) -> None:
    """When a chart's selection changed, point the drill-down at the clicked bar."""
    try:
        points = event.selection.points  # type: ignore[union-attr]
    except AttributeError:
        return
    point = points[0] if points else None
    seen = st.session_state.get(f"t_seen_{chart}")
    st.session_state[f"t_seen_{chart}"] = point
    if point and point != seen and point.get("customdata"):
        st.session_state[DRILL] = make(point["customdata"])


def render(user: Any) -> None:
    st.title("📈 趋势")
    c1, c2, c3, c4 = st.columns(4)
    days = c1.selectbox("时间范围", [7, 30, 90, 365], index=1, key="t_days",
                        format_func=lambda d: f"近 {d} 天")
    interval = c2.selectbox("时间粒度", list(INTERVALS), index=1, format_func=INTERVALS.get,
                            key="t_interval")
    split = c3.selectbox("按维度拆分", list(SPLITS), format_func=SPLITS.get, key="t_split")
    relevant = c4.toggle("仅相关", value=True, key="t_relevant")
    base = data.Slice(since=data.since_hours(days * 24), relevant=True if relevant else None)

    rows = data.histogram(base, interval, split)
    if not rows:
        st.info("这个时间范围内还没有帖子。采集开始后，趋势会出现在这里。", icon="📭")
        return
    frame = pd.DataFrame(rows)
    frame["维度"] = [_key_label(split, k) for k in frame["key"]]
    frame["时间"] = frame["bucket"].str[:16].str.replace("T", " ")
    colours = ({f"{t}级 {TIER_LABELS[t]}": c for t, c in TIER_COLOURS.items()}
               if split == "severity" else None)
    fig = px.bar(frame, x="时间", y="count", color="维度", color_discrete_map=colours,
                 labels={"count": "帖子数", "维度": SPLITS[split]},
                 custom_data=["bucket", "key"], title=f"帖子量（按{SPLITS[split]}，点击柱子查看帖子）")
    fig.update_layout(legend_title_text=SPLITS[split], height=380, margin=dict(t=50, b=10))
    event = st.plotly_chart(fig, width="stretch", on_select="rerun",
                            selection_mode=("points",), key="t_volume")
    _clicked(event, "volume", lambda cd: ("volume", cd[0], cd[1]))

    left, right = st.columns([3, 2])
    with left:
        by_city = data.terms("city", base, size=50)
        rate = data.complaint_rate(by_city)
        metric = st.radio("地市指标", ["帖子数", "万投比"], horizontal=True, key="t_city_metric")
        city_fig = px.bar(rate, x="地市", y=metric, custom_data=["地市"],
                          title="湖南各地市（点击柱子查看帖子）")
        city_fig.update_layout(height=340, margin=dict(t=50, b=10))
        event = st.plotly_chart(city_fig, width="stretch", on_select="rerun",
                                selection_mode=("points",), key="t_city")
        _clicked(event, "city", lambda cd: ("city", None, cd[0]))
        st.caption("万投比 = 帖子数 ÷ 用户数（万户）；用户数取自 keywords/regions.yaml。")
    with right:
        words = data.hot_words(base, size=20)
        if words:
            wf = pd.DataFrame(words, columns=["热词", "帖子数"]).iloc[::-1]
            word_fig = px.bar(wf, x="帖子数", y="热词", orientation="h", custom_data=["热词"],
                              title="热词（点击查看帖子）")
            word_fig.update_layout(height=380, margin=dict(t=50, b=10))
            event = st.plotly_chart(word_fig, width="stretch", on_select="rerun",
                                    selection_mode=("points",), key="t_words")
            _clicked(event, "words", lambda cd: ("word", None, cd[0]))

    st.subheader("下钻：图表背后的帖子")
    choices = [("volume", r["bucket"], r["key"]) for r in rows]
    labels = {c: f"{c[1][:16].replace('T', ' ')} · {_key_label(split, c[2])}" for c in choices}
    labels.update({("city", None, c): f"地市 · {c}" for c in data.cities()})
    labels.update({("word", None, w): f"热词 · {w}" for w, _ in words})
    options = [None, *labels]
    if st.session_state.get(DRILL) not in options:
        st.session_state[DRILL] = None
    pick = st.selectbox("选择一个柱子（或直接点击上面的图）", options,
                        format_func=lambda c: "—" if c is None else labels[c], key=DRILL)
    if pick is None:
        st.caption("点击任意柱子，或在上面选择，即可看到对应的帖子。")
        return
    kind, bucket, key = pick
    query = ""
    if kind == "volume":
        where = _drill_slice(base, split, key, bucket, interval)
    elif kind == "city":
        where = _drill_slice(base, "city", key, None, interval)
    else:
        where, query = base, f'"{key}"'
    total, hits = data.search(query, where, "severity", 1, 20)
    st.caption(md(f"{labels[pick]}：共 {total} 条，显示前 {len(hits)} 条"))
    for hit in hits:
        with st.container(border=True):
            post_card(hit.post, hit.highlight if query else None)


run_page("trends", render)
