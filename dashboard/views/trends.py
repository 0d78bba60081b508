"""趋势: volume over time by tier/category/city/source, the city breakdown with 万投比, hot words,
竞品对比 (each operator's posts by intent), and a drill-down from any bar to the posts behind it
(click the bar, or pick it below)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import streamlit as st

from dashboard import data
from dashboard.charts import (SPLITS, city_figure, key_label, map_figure, rivals_figure,
                              volume_figure, words_figure)
from dashboard.guard import run_page
from core.markup import md
from dashboard.render import count_text, post_card
from reports import complaint_rate

INTERVALS = {"hour": "小时", "day": "天", "week": "周", "month": "月"}
DRILL = "t_pick"  # the drill-down selectbox's key: a chart click sets it


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
    base = data.Slice(since=data.since_hours(days * 24, step=3600),
                      relevant=True if relevant else None)

    volume = volume_figure(base, interval, split)
    if volume is None:
        st.info("这个时间范围内还没有帖子。采集开始后，趋势会出现在这里。", icon="📭")
        return
    event = st.plotly_chart(volume, width="stretch", on_select="rerun",
                            selection_mode=("points",), key="t_volume")
    _clicked(event, "volume", lambda cd: ("volume", cd[0], cd[1]))

    left, right = st.columns([3, 2])
    with left:
        metric = st.radio("地市指标", ["帖子数", "投诉量", "万投比"], horizontal=True,
                          key="t_city_metric")
        figure = map_figure(base, metric)
        as_map, as_bars = st.tabs(["地图", "柱状图"]) if figure is not None else (None, st.container())
        if as_map is not None:
            with as_map:
                event = st.plotly_chart(figure, width="stretch", on_select="rerun",
                                        selection_mode=("points",), key="t_map")
                _clicked(event, "map", lambda cd: ("city", None, cd[0]))
        with as_bars:
            event = st.plotly_chart(city_figure(base, metric), width="stretch", on_select="rerun",
                                    selection_mode=("points",), key="t_city")
            _clicked(event, "city", lambda cd: ("city", None, cd[0]))
        st.caption(complaint_rate.definition(data.config_or_stop()))
    with right:
        words = words_figure(base)
        if words is not None:
            event = st.plotly_chart(words, width="stretch", on_select="rerun",
                                    selection_mode=("points",), key="t_words")
            _clicked(event, "words", lambda cd: ("word", None, cd[0]))
    rivals(base)
    drill_down(base, interval, split)


def rivals(base: data.Slice) -> None:
    """竞品对比: every operator's posts, whatever 仅相关 says (competitors are never relevant)."""
    st.subheader("竞品对比")
    everyone = replace(base, relevant=None)
    figure = rivals_figure(everyone)
    if figure is None:
        st.caption("这个时间范围内还没有涉及运营商的帖子。")
        return
    event = st.plotly_chart(figure, width="stretch", on_select="rerun",
                            selection_mode=("points",), key="t_rivals")
    _clicked(event, "rivals", lambda cd: ("rival", cd[1], cd[0]))
    rows = []
    for m in data.operator_mix(everyone):
        complaints = sum(n for t, n in m["tiers"].items() if t >= 3)
        rows.append({"运营商": m["operator"], "帖子数": m["posts"], "投诉（3级及以上）": complaints,
                     "曝光/升级（4级）": m["tiers"].get(4, 0),
                     "投诉占比%": round(100 * complaints / m["posts"], 1) if m["posts"] else None})
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption("等级为帖子作者的投诉意图，不论对象；一帖涉及多家运营商时各计一次。"
               "预警与工单只针对本方运营商。")


@st.fragment
def drill_down(base: data.Slice, interval: str, split: str) -> None:
    """The posts behind a bar. A fragment: picking another bar here re-runs only this part;
    a click on a chart re-runs the page, which points this box at the clicked bar."""
    run_page("trends", lambda user: _drill_down(base, interval, split))


def _drill_down(base: data.Slice, interval: str, split: str) -> None:
    st.subheader("下钻：图表背后的帖子")
    rows = data.histogram(base, interval, split)
    choices = [("volume", r["bucket"], r["key"]) for r in rows]
    labels = {c: f"{c[1][:16].replace('T', ' ')} · {key_label(split, c[2])}" for c in choices}
    labels.update({("city", None, c): f"地市 · {c}" for c in data.cities()})
    labels.update({("word", None, w): f"热词 · {w}" for w, _ in data.hot_words(base, size=20)})
    labels.update({("rival", t, m["operator"]): f"竞品对比 · {m['operator']} · {key_label('severity', t)}"
                   for m in data.operator_mix(replace(base, relevant=None)) for t in range(5)})
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
    elif kind == "rival":
        where = replace(base, relevant=None, operators=(key,), intent_min=bucket, intent_max=bucket)
    else:
        where, query = base, f'"{key}"'
    result = data.search(query, where, "severity", 1, 20)
    st.caption(md(f"{labels[pick]}：共 {count_text(result)} 条，显示前 {len(result.hits)} 条"))
    for hit in result.hits:
        with st.container(border=True):
            post_card(hit.post, hit.highlight if query else None)


run_page("trends", render)
