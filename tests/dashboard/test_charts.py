"""趋势's figures from the console's data: a bar trace per split value, labelled in Chinese, on a
date axis; none for an empty slice."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard import charts, data


def test_split_values_are_named_in_chinese():
    assert charts.key_label("severity", 3) == "3级 投诉" and charts.key_label("city", "长沙") == "长沙"
    assert charts.key_label("category", None) == "未知"


def test_volume_figure_has_a_trace_per_tier_and_none_for_an_empty_slice(console_config):
    figure = charts.volume_figure(data.Slice(), "day", "severity")
    assert isinstance(figure, go.Figure) and figure.layout.xaxis.type == "date"
    names = [trace.name for trace in figure.data]
    assert names and all("级" in name or name == "未知" for name in names)
    assert sum(sum(trace.y) for trace in figure.data) == data.store().count(data.Slice().filters())
    assert charts.volume_figure(data.Slice(sources=("no-such-source",)), "day", "severity") is None
