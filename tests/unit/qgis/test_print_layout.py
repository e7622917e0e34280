"""The print layout written as XML (no QGIS): page, items, map extent, scale bar and legend, worked by hand.
Real QGIS reads and exports it in tests/workflow/test_qgis.py."""

import math
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.legends import load_legend
from cbindex.qgis.landcover_map import LandcoverMap, landcover_palette
from cbindex.qgis.print_layout import (
    MAP_HEIGHT_MM,
    MAP_WIDTH_MM,
    PrintLayout,
    layout_element,
    legend_entries,
    map_extent,
    round_distance_m,
    scale_bar,
)
from cbindex.qgis.project import ProjectLayer
from cbindex.qgis.stage import YearOutputs, city_boundary_style, write_landcover_map, write_qgis_project
from tests.helpers import REPO, write_raster, write_vector

UTM = CRS.from_epsg(32628)
WORLDCOVER = REPO / "config/legends/esa_worldcover_v100.yaml"
CORINE = REPO / "config/legends/corine_clc.yaml"


@pytest.mark.parametrize(
    ("limit", "expected"), [(1.0, 1.0), (1.99, 1.0), (2.0, 2.0), (4.9, 2.0), (5.0, 5.0), (9.99, 5.0), (2021.0, 2000.0)]
)
def test_round_distances_are_1_2_or_5_times_a_power_of_ten(limit, expected):
    assert round_distance_m(limit) == pytest.approx(expected)


def test_the_map_extent_holds_the_city_with_a_margin_in_the_frame_proportions():
    city = (0.0, 0.0, 10_000.0, 2_000.0)  # wide city: the height grows to the frame's 200:155
    xmin, ymin, xmax, ymax = map_extent(city, width_mm=200, height_mm=155)
    assert (xmax - xmin) == pytest.approx(10_600)  # 3 % each side
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(200 / 155)
    assert (xmin + xmax) / 2 == pytest.approx(5_000) and (ymin + ymax) / 2 == pytest.approx(1_000)
    tall = map_extent((0.0, 0.0, 1_000.0, 8_000.0), width_mm=200, height_mm=155)
    assert tall[3] - tall[1] == pytest.approx(8_480) and (tall[2] - tall[0]) / (tall[3] - tall[1]) == pytest.approx(
        200 / 155
    )


def test_the_scale_bar_has_round_metric_segments_of_at_most_20_mm():
    # 1:100 000 (20 km over 200 mm): 20 mm is 2 km → 2 km segments, 20 mm each
    bar = scale_bar(extent=(0.0, 0.0, 20_000.0, 15_500.0), crs=UTM, width_mm=200)
    assert (bar.units_per_segment, bar.unit, bar.segment_mm) == (2.0, "km", pytest.approx(20.0))
    # 1:1 730 000 (Chengdu): 20 mm is 34.6 km → 20 km segments of 11.56 mm
    bar = scale_bar(extent=(0.0, 0.0, 346_000.0, 1.0), crs=UTM, width_mm=200)
    assert (bar.units_per_segment, bar.unit, bar.segment_mm) == (20.0, "km", pytest.approx(20_000 / 1730))
    # a small park, 1:5 000: 100 m segments
    bar = scale_bar(extent=(0.0, 0.0, 1_000.0, 1.0), crs=UTM, width_mm=200)
    assert (bar.units_per_segment, bar.unit, bar.segment_mm) == (100.0, "m", pytest.approx(20.0))
    # in degrees at 60° N a degree of longitude is half as long as at the equator: 55.66 km over 200 mm, 20 mm is
    # 5.57 km → 5 km segments
    bar = scale_bar(extent=(0.0, 59.0, 1.0, 61.0), crs=CRS.from_epsg(4326), width_mm=200)
    metres_per_mm = 111_320 * math.cos(math.radians(60)) / 200
    assert bar.unit == "km" and bar.units_per_segment == 5.0
    assert bar.segment_mm == pytest.approx(5_000 / metres_per_mm)


def layer(palette_legend=WORLDCOVER, *, name="Land cover 2020") -> ProjectLayer:
    return ProjectLayer(
        layer_id="c_landcover_2020",
        name=name,
        source="./2020/landcover.tif",
        style=landcover_palette(load_legend(palette_legend), language="en"),
        crs=UTM,
        extent=(0.0, 0.0, 1.0, 1.0),
    )


def boundary_layer() -> ProjectLayer:
    return ProjectLayer(
        layer_id="c_city_boundary",
        name="City boundary",
        source="./c_layers.gpkg|layername=city_boundary",
        style=city_boundary_style(language="en"),
        crs=UTM,
        extent=(0.0, 0.0, 1.0, 1.0),
        wkb_type="MultiPolygon",
    )


def a_layout(raster: ProjectLayer, **changes) -> PrintLayout:
    fields = {
        "name": "Land-cover map 2020",
        "title": "C · City Biodiversity Index · land cover 2020",
        "source": "Land cover: ESA WorldCover",
        "legend_title": "Legend",
        "font_family": "DejaVu Sans",
        "crs": UTM,
        "city_extent": (500_000.0, 1_000_000.0, 520_000.0, 1_010_000.0),
        "layers": (boundary_layer(), raster),
    }
    return PrintLayout(**(fields | changes))


def test_one_a4_landscape_page_with_every_item_linked_to_the_map():
    element = layout_element(a_layout(layer()))
    pages = element.findall("PageCollection/LayoutItem")
    assert [page.get("size") for page in pages] == ["297,210,mm"]
    items = {item.get("id"): item for item in element.findall("LayoutItem")}
    assert set(items) == {"title", "map", "legend", "scalebar", "north_arrow", "source"}
    map_uuid = items["map"].get("uuid")
    assert items["legend"].get("map_uuid") == map_uuid
    assert items["scalebar"].get("mapUuid") == map_uuid and items["north_arrow"].get("mapUuid") == map_uuid
    assert items["north_arrow"].get("northMode") == "1"  # true north
    assert items["title"].get("labelText") == "C · City Biodiversity Index · land cover 2020"
    assert items["map"].findtext("crs/spatialrefsys/authid") == "EPSG:32628"
    assert [entry.text for entry in items["map"].iter("Layer")] == ["c_city_boundary", "c_landcover_2020"]
    for item in items.values():  # every item inside the page
        x, y, _ = item.get("position").split(",")
        width, height, _ = item.get("size").split(",")
        assert float(x) >= 0 and float(x) + float(width) <= 297 and float(y) >= 0 and float(y) + float(height) <= 210
    extent = items["map"].find("Extent")
    width = float(extent.get("xmax")) - float(extent.get("xmin"))
    height = float(extent.get("ymax")) - float(extent.get("ymin"))
    assert width / height == pytest.approx(MAP_WIDTH_MM[1] / MAP_HEIGHT_MM)
    assert element.find("LayoutItem[@id='title']/LabelFont").get("description").startswith("DejaVu Sans,18,")


def test_the_legend_lists_the_map_layers_and_hides_the_raster_band_line():
    element = layout_element(a_layout(layer()))
    nodes = element.findall("LayoutItem[@id='legend']/layer-tree-group/layer-tree-layer")
    assert [node.get("id") for node in nodes] == ["c_city_boundary", "c_landcover_2020"]
    order = nodes[1].find("customproperties/Option/Option[@name='legend/node-order']").get("value")
    assert order == ",".join(str(i) for i in range(1, 12))  # WorldCover's 11 classes after QGIS's band line
    assert nodes[0].find("customproperties/Option/Option") is None


def test_a_long_legend_takes_two_columns_and_a_narrower_map():
    corine = layer(CORINE)
    assert legend_entries([boundary_layer(), corine]) == 1 + 1 + 44
    element = layout_element(a_layout(corine))
    assert element.find("LayoutItem[@id='legend']").get("columnCount") == "2"
    assert element.find("LayoutItem[@id='map']").get("size") == f"{MAP_WIDTH_MM[2]:g},{MAP_HEIGHT_MM:g},mm"


def test_uuids_depend_on_the_layout_name_only():
    first, second = (ET.tostring(layout_element(a_layout(layer()))) for _ in range(2))
    assert first == second
    other = ET.tostring(layout_element(a_layout(layer(), name="Land-cover map 2019")))
    assert other != first and b"2019" in other


def test_each_language_gets_its_project_with_names_aliases_and_a_layout_per_year(tmp_path):
    transform = Affine(10, 0, 500_000, 0, -10, 1_000_100)
    codes = np.full((10, 10), 10, dtype=np.uint8)
    codes[:, 5:] = 50
    outputs, maps = [], []
    boundary = write_vector(
        tmp_path / "city.gpkg", [shapely.box(500_000, 1_000_000, 500_100, 1_000_100)], crs="EPSG:32628"
    )
    for year in (2019, 2020):
        folder = tmp_path / str(year)
        folder.mkdir()
        write_raster(folder / "lc.tif", codes, transform=transform, crs="EPSG:32628")
        write_raster(
            folder / "natural_areas.tif", (codes == 10).astype(np.uint8), transform=transform, crs="EPSG:32628"
        )
        write_landcover_map(
            landcover=str(folder / "lc.tif"),
            boundary=BoundarySpec(str(boundary)),
            legend=str(WORLDCOVER),
            map_tif=str(folder / "landcover.tif"),
            map_style=str(folder / "landcover.qml"),
        )
        group = shapely.box(500_000, 1_000_000, 500_050, 1_000_100)
        gpd.GeoDataFrame({"group_id": [1], "area_ha": [0.5]}, geometry=[group], crs=UTM).to_file(
            folder / "groups.gpkg", layer="connectivity_groups"
        )
        outputs.append(YearOutputs(year, str(folder / "natural_areas.tif"), str(folder / "groups.gpkg")))
        maps.append(LandcoverMap(year, str(folder / "landcover.tif"), str(WORLDCOVER)))
    projects = {"en": str(tmp_path / "c.qgs"), "zh": str(tmp_path / "c_zh.qgs")}
    write_qgis_project(
        city="c",
        names={"en": "Sample", "zh": "样城"},
        boundary=BoundarySpec(str(boundary)),
        neighbourhood=8,
        layers_gpkg=str(tmp_path / "c_layers.gpkg"),
        projects=projects,
        years=outputs,
        landcover=maps,
    )
    english, chinese = (ET.parse(path).getroot() for path in projects.values())
    tree = [node.get("name") for node in chinese.find("layer-tree-group").iter("layer-tree-layer")]
    assert tree == [
        "城市边界",
        "2020年连通组（I2）",
        "2020年自然斑块",
        "2020年自然区域栅格（I1）",
        "2020年土地覆盖",
        "2019年连通组（I2）",
        "2019年自然斑块",
        "2019年自然区域栅格（I1）",
        "2019年土地覆盖",
    ]
    assert [g.get("name") for g in chinese.find("layer-tree-group").findall("layer-tree-group")] == ["2020年", "2019年"]
    assert [g.get("name") for g in english.find("layer-tree-group").findall("layer-tree-group")] == ["2020", "2019"]
    assert [layout.get("name") for layout in chinese.iter("Layout")] == ["2020年土地覆盖图", "2019年土地覆盖图"]
    assert [layout.get("name") for layout in english.iter("Layout")] == ["Land-cover map 2020", "Land-cover map 2019"]
    title = chinese.find("Layouts/Layout/LayoutItem[@id='title']").get("labelText")
    assert title == "样城 · 城市生物多样性指数 · 2020年土地覆盖"
    assert (
        chinese.find("Layouts/Layout/LayoutItem[@id='title']/LabelFont")
        .get("description")
        .startswith("Noto Sans CJK SC,")
    )
    source = english.find("Layouts/Layout/LayoutItem[@id='source']").get("labelText")
    assert source.startswith("Land cover: ESA WorldCover 10 m 2020, 2020, cells 10 m · Boundary: city.gpkg")
    assert "WGS 84 / UTM zone 28N (EPSG:32628)" in source
    groups = next(m for m in chinese.iter("maplayer") if m.findtext("id") == "c_connectivity_groups_2020")
    assert {a.get("field"): a.get("name") for a in groups.iter("alias")} == {
        "group_id": "连通组编号",
        "area_ha": "面积（公顷）",
    }
    landcover = next(m for m in english.iter("maplayer") if m.findtext("id") == "c_landcover_2020")
    assert landcover.findtext("datasource") == "./2020/landcover.tif"
    labels = [e.get("label") for e in landcover.iter("paletteEntry")]
    assert labels[:2] == ["Tree cover", "Shrubland"]
