"""趋势 (AppTest): drill-down to the posts, rivals beside ours, the cities' map."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, texts


# -- 趋势 --------------------------------------------------------------------------------------
def test_trends_drill_down_shows_the_posts(console_config):
    at = app_as("manager", "trends")
    at.selectbox(key="t_split").set_value("city").run()
    options = at.selectbox(key="t_pick").options
    target = next(i for i, o in enumerate(options) if "衡阳" in o and "地市" in o)
    at.selectbox(key="t_pick").select_index(target).run()
    no_crash(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert "衡阳" in html and "共 " in texts(at)


def test_trends_rivals_show_each_operator_and_drill_down(console_config):
    """竞品对比 counts every operator's posts, ours first, whatever 仅相关 says."""
    from dashboard import data

    at = app_as("manager", "trends")
    no_crash(at)
    assert "竞品对比" in texts(at)
    table = next(d.value for d in at.dataframe if "运营商" in d.value.columns)
    assert list(table["运营商"]) == ["移动", "联通", "电信", "广电"]
    everyone = data.Slice(since=data.since_hours(30 * 24, step=3600))
    mix = {m["operator"]: m for m in data.operator_mix(everyone)}
    assert int(table.iloc[0]["帖子数"]) == mix["移动"]["posts"] > 0
    options = at.selectbox(key="t_pick").options
    target = next(i for i, o in enumerate(options) if o.startswith("竞品对比 · 移动 · 2级"))
    at.selectbox(key="t_pick").select_index(target).run()
    no_crash(at)
    shown = mix["移动"]["tiers"].get(2, 0)
    assert f"共 {shown} 条" in texts(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert "涉及 移动" in html


def test_trends_map_colours_each_city_by_the_chosen_figure(console_config):
    """The 14 cities as a filled map beside the bars, each city's marker carrying its figure."""
    import json

    from dashboard import data
    from reports.geo import colour

    at = app_as("manager", "trends")
    no_crash(at)
    base = data.Slice(since=data.since_hours(30 * 24, step=3600), relevant=True)
    for metric in ("帖子数", "万投比"):
        at.radio(key="t_city_metric").set_value(metric).run()
        figures = [json.loads(e.proto.spec) for e in at.get("plotly_chart")]
        drawn = next(f["data"] for f in figures if "湖南各地市地图" in f["layout"]["title"]["text"])
        shapes, markers = drawn[:-1], drawn[-1]
        cities = [c for [c] in markers["customdata"]]
        assert len(shapes) == len(cities) == 14 and cities[0] == "长沙"
        rate = data.complaint_rate(base).set_index("地市")[metric]
        figure = dict(zip(cities, markers["marker"]["color"]))
        assert figure["长沙"] == rate["长沙"] and max(figure.values()) > 0
        top = max(v for v in rate if v == v)
        assert shapes[0]["fillcolor"] == colour(rate["长沙"], top)
