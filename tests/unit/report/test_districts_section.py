"""The report's districts section: ranking by I1 with points and change, the "no district" row last and unranked,
the tiling sentence when the polygons do not tile the city, both languages; and the choropleths are drawn like every
map: in the display CRS, with a scale bar true on the ground, graticule and north arrow."""

import html as html_module
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.patches import Rectangle
from pyproj import CRS, Geod, Transformer

import cbindex.report.districts as districts_module
from cbindex.geo.boundary import BoundarySpec
from cbindex.report.districts import MAP_MARGIN, district_maps, districts_section, shown_indicators
from cbindex.report.figures import MapFrame, choropleth_map, png_bytes
from cbindex.scoring.rule_sets import load_rule_set
from tests.helpers import REPO, write_vector

SI_2014 = load_rule_set(REPO / "config" / "scoring" / "si-2014.yaml")


def table(gap: float = 0.0) -> pd.DataFrame:
    rows = []
    for year, shares in ((2019, {"North": 30.0, "South": 12.0}), (2020, {"North": 25.0, "South": 15.0})):
        for district_id, (name, share) in enumerate(shares.items(), start=1):
            points = 4 if share > 20 else 3
            rows.append((year, district_id, name, "I1", share, points, "scored"))
            rows.append((year, district_id, name, "city_area", 100.0, None, "supporting"))
        rows.append((year, 0, "(no district)", "I1", 50.0, None, "supporting"))
        rows.append((year, -1, "(all districts)", "district_gap_area", gap, None, "supporting"))
    frame = pd.DataFrame(rows, columns=["year", "district_id", "district", "indicator", "value", "points", "status"])
    before = frame[frame["year"] == 2019].set_index(["district", "indicator"])["value"]
    change = [
        value - before.get((district, indicator), float("nan")) if year == 2020 else float("nan")
        for year, district, indicator, value in frame[["year", "district", "indicator", "value"]].itertuples(
            index=False
        )
    ]
    return frame.assign(change_since_previous_year=change)


def plain(markup: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", markup))


def body_rows(markup: str) -> list[list[str]]:
    body = markup[markup.index("<tbody>") :]
    return [[plain(cell) for cell in re.findall(r"<td>(.*?)</td>", row)] for row in re.findall(r"<tr>(.*?)</tr>", body)]


def section(language: str, gap: float = 0.0) -> str:
    content = SimpleNamespace(language=language, districts=table(gap), rule_set=SI_2014, district_figures=[])
    return districts_section(content)


def test_districts_are_ranked_by_i1_with_points_and_change():
    english = section("en")
    assert body_rows(english) == [
        ["1", "North", "25", "4", "−5"],
        ["2", "South", "15", "3", "+3"],
        ["", "(no district)", "50", "", "±0.00"],
    ]
    assert "Districts ranked by Proportion of Natural Areas in the City, 2020" in plain(english)
    assert "tile the city" in english and "do not tile" not in english
    chinese = section("zh")
    assert body_rows(chinese)[2][1] == "（不属于任何区县）"
    assert "较2019年变化" in plain(chinese)


def test_a_gap_is_said_in_both_languages():
    assert "the city lie in no district" in plain(section("en", gap=12.5))
    assert "12.50 ha of the city" in plain(section("en", gap=12.5))
    assert "12.50 公顷的城市面积不属于任何区县" in plain(section("zh", gap=12.5))


def test_only_indicators_with_values_are_shown():
    assert shown_indicators(table(), SI_2014) == ["I1"]


def test_choropleth_draws_nan_districts_too():
    polygons = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    frame = MapFrame(extent=(0, 2, 0, 1), aspect=1.0, crs_name="EPSG:3035", boundary=shapely.box(0, 0, 2, 1))
    figure = choropleth_map(polygons, [10.0, float("nan")], frame=frame, title="I1", unit="%", language="en")
    assert png_bytes(figure, language="en").startswith(b"\x89PNG")


def test_choropleth_is_drawn_in_the_display_crs_with_a_true_scale_bar(tmp_path, monkeypatch):
    """Two districts given in degrees near San José (84.1°W, 9.9°N): the map is in UTM 16N metres (config
    display_crs auto), each district's corners are where pyproj puts them, and the scale bar, measured back on the
    ellipsoid with pyproj's geodesic, is as long as its label says."""
    west, east = shapely.box(-84.15, 9.90, -84.10, 9.95), shapely.box(-84.10, 9.90, -84.05, 9.95)
    layer = write_vector(tmp_path / "districts.gpkg", [west, east], district_id=[1, 2], district=["West", "East"])
    city = BoundarySpec(str(write_vector(tmp_path / "city.gpkg", [shapely.box(-84.15, 9.90, -84.05, 9.95)]))).read()
    rows = [(2020, 1, "West", "I1", 30.0), (2020, 2, "East", "I1", float("nan"))]
    values = pd.DataFrame(rows, columns=["year", "district_id", "district", "indicator", "value"])
    drawn = []
    monkeypatch.setattr(districts_module, "png_bytes", lambda figure, language: drawn.append(figure) or b"PNG")
    for language in ("en", "zh"):
        maps = district_maps(values, layer_path=str(layer), boundary=city, rule_set=SI_2014, language=language)
        assert [item.key for item in maps] == ["district-I1"]
        assert ("Coordinates in WGS 84 / UTM zone 16N (EPSG:32616)" if language == "en" else "坐标系：EPSG:32616") in (
            maps[0].caption
        )
    utm = CRS.from_epsg(32616)
    to_utm = Transformer.from_crs(4326, utm, always_xy=True)
    for figure in drawn:
        axes = figure.axes[0]
        # the extent: the districts' bounds in UTM metres plus the margin, not degrees
        x, y = to_utm.transform([-84.15, -84.15, -84.05, -84.05], [9.90, 9.95, 9.90, 9.95])
        pad = MAP_MARGIN * max(max(x) - min(x), max(y) - min(y))
        assert axes.get_xlim() == pytest.approx((min(x) - pad, max(x) + pad), abs=1.0)
        assert axes.get_ylim() == pytest.approx((min(y) - pad, max(y) + pad), abs=1.0)
        assert 700_000 < axes.get_xlim()[0] < 900_000 and 1_090_000 < axes.get_ylim()[0] < 1_100_000
        # the districts' fills have the corners of the polygons in UTM (West first), the NaN one grey
        fills = [patch for patch in axes.patches if not isinstance(patch, Rectangle)]
        corners = to_utm.transform(*west.exterior.xy)
        assert fills[0].get_xy()[:5].ravel().tolist() == pytest.approx(np.column_stack(corners).ravel(), abs=0.01)
        assert fills[1].get_facecolor() == pytest.approx((0xE3 / 255, 0xE3 / 255, 0xE3 / 255, 1.0))
        # the scale bar (two black-edged rectangles) measured on the ground against its label
        bars = [patch for patch in axes.patches if isinstance(patch, Rectangle) and patch.get_zorder() == 5]
        x0 = min(patch.get_x() for patch in bars)
        x1 = max(patch.get_x() + patch.get_width() for patch in bars)
        label = next(text.get_text() for text in axes.texts if text.get_text().endswith("km"))
        lon, lat = Transformer.from_crs(utm, 4326, always_xy=True).transform([x0, x1], [bars[0].get_y()] * 2)
        _, _, distance = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
        assert distance == pytest.approx(float(label.removesuffix(" km")) * 1000, rel=0.01)
        # the graticule in degrees and the north arrow, as on every map
        assert [tick.get_text() for tick in axes.get_xticklabels()][0].endswith("°W")
        assert any(text.get_text() in ("N", "北") for text in axes.texts)
