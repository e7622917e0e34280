"""QGIS styles, GeoPackage style tables and project files written without QGIS (library level)."""

import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.geo.boundary import BoundarySpec
from cbindex.qgis.project import ProjectGroup, ProjectLayer, project_xml, relative_source
from cbindex.qgis.stage import (
    CITY_BOUNDARY_STYLE,
    NATURAL_MASK_PALETTE,
    YearOutputs,
    connectivity_groups_style,
    decade_classes,
    natural_patches_frame,
    overlay_style,
    write_qgis_project,
)
from cbindex.qgis.styles import geometry_kind, raster_qml, vector_qml, vector_sld, write_layer_styles
from tests.helpers import write_raster, write_vector

UTM = CRS.from_epsg(32628)


def test_decade_classes_cover_every_value():
    values = [0.0099, 0.5, 3.0, 120.0, 45_000.0]
    classes = decade_classes(values)
    expected = [1e-3, 1e-1, 1, 10, 100, 1e3, 1e4, 1e5]  # 8 decades, the lowest two merged into 7 classes
    assert [lower for lower, _ in classes] + [classes[-1][1]] == pytest.approx(expected)
    assert classes[0][0] <= min(values) and classes[-1][1] >= max(values)
    assert all(upper == next_lower for (_, upper), (next_lower, _) in zip(classes, classes[1:], strict=False))
    assert decade_classes([]) == [(0.0, 1.0)]
    assert decade_classes([10.0]) == [(10.0, 100.0)]


def test_too_many_decades_merge_into_the_first_class():
    classes = decade_classes([1e-3, 1e6], max_classes=3)
    assert classes == [(1e-3, 1e4), (1e4, 1e5), (1e5, 1e6)]


def test_geometry_kinds():
    assert geometry_kind("MultiPolygon") == "fill"
    assert geometry_kind("LineString") == "line"
    assert geometry_kind("Point Z") == "marker"
    with pytest.raises(ValueError, match="GeometryCollection"):
        geometry_kind("GeometryCollection")


def test_graduated_qml_and_sld_agree():
    style = connectivity_groups_style([0.02, 4.0, 900.0])
    renderer = ET.fromstring(vector_qml(style).split("\n", 1)[1]).find("renderer-v2")
    assert renderer.get("type") == "graduatedSymbol" and renderer.get("attr") == "area_ha"
    ranges = [(float(r.get("lower")), float(r.get("upper"))) for r in renderer.iter("range")]
    assert ranges == decade_classes([0.02, 4.0, 900.0])
    assert len(renderer.findall("symbols/symbol")) == len(ranges)
    sld = ET.fromstring(vector_sld(style, layer_name="groups"))
    assert len(sld.findall(".//{http://www.opengis.net/se}Rule")) == len(ranges)


def test_boundary_has_no_fill_and_overlays_have_their_own_colours():
    renderer = ET.fromstring(vector_qml(CITY_BOUNDARY_STYLE).split("\n", 1)[1]).find("renderer-v2")
    properties = {o.get("name"): o.get("value") for o in renderer.iter("Option") if o.get("name")}
    assert properties["style"] == "no" and properties["outline_style"] == "solid"
    protected = overlay_style("protected_natural_areas", geometry_type="MultiPolygon")
    parks = overlay_style("parks_counted", geometry_type="MultiPolygon")
    assert protected.classes[0].symbol != parks.classes[0].symbol
    assert overlay_style("wetlands", geometry_type="MultiLineString").geometry_kind == "line"


def test_natural_mask_qml_is_paletted_with_transparent_outside():
    palette = ET.fromstring(raster_qml(NATURAL_MASK_PALETTE).split("\n", 1)[1]).find("pipe/rasterrenderer")
    assert palette.get("type") == "paletted"
    entries = {int(e.get("value")): (e.get("color"), int(e.get("alpha"))) for e in palette.iter("paletteEntry")}
    assert entries[255][1] == 0 and entries[1][1] == entries[0][1] == 255
    assert entries[1][0] != entries[0][0]


def test_natural_patches_follow_the_neighbourhood_and_measure_ground_area():
    mask = np.array([[1, 0, 255], [0, 1, 0], [1, 1, 0]], dtype=np.uint8)
    transform = Affine(10, 0, 500_000, 0, -10, 1_000_000)
    eight = natural_patches_frame(mask, transform=transform, crs=UTM, neighbourhood=8)
    four = natural_patches_frame(mask, transform=transform, crs=UTM, neighbourhood=4)
    assert len(eight) == 1 and len(four) == 2
    assert eight["n_cells"].tolist() == [4]
    assert eight["area_ha"].iloc[0] == pytest.approx(4 * 100 / 10_000, rel=1e-3)  # UTM scale ~0.9996
    assert eight.geometry.is_valid.all() and eight.geometry.iloc[0].geom_type == "MultiPolygon"


def test_layer_styles_table_follows_the_qgis_convention(tmp_path):
    path = write_vector(tmp_path / "layers.gpkg", [shapely.box(0, 0, 1, 1)], name=["x"])
    layer = pyogrio.list_layers(path)[0][0]
    write_layer_styles(path, styles={layer: CITY_BOUNDARY_STYLE})
    write_layer_styles(path, styles={layer: CITY_BOUNDARY_STYLE})  # rewriting replaces, never duplicates
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(layer_styles)")]
        rows = connection.execute("SELECT f_table_name, f_geometry_column, useAsDefault FROM layer_styles").fetchall()
    assert columns == [
        "id",
        "f_table_catalog",
        "f_table_schema",
        "f_table_name",
        "f_geometry_column",
        "styleName",
        "styleQML",
        "styleSLD",
        "useAsDefault",
        "description",
        "owner",
        "ui",
        "update_time",
    ]
    assert rows == [(layer, "geom", 1)]
    assert ["layer_styles", None] in pyogrio.list_layers(path).tolist()  # GDAL sees a valid attributes table


def test_project_uses_relative_sources_and_unique_ids(tmp_path):
    project = tmp_path / "city" / "city.qgs"
    source = relative_source(tmp_path / "city" / "2020" / "natural_areas.tif", project_path=project)
    assert source == "./2020/natural_areas.tif"
    assert relative_source(tmp_path / "city" / "l.gpkg", project_path=project, layer="a") == "./l.gpkg|layername=a"
    raster = ProjectLayer(
        layer_id="mask", name="Mask", source=source, style=NATURAL_MASK_PALETTE, crs=UTM, extent=(0, 0, 1, 1)
    )
    boundary = ProjectLayer(
        layer_id="boundary",
        name="Boundary",
        source="./l.gpkg|layername=a",
        style=CITY_BOUNDARY_STYLE,
        crs=CRS.from_epsg(4326),
        extent=(0, 0, 1, 1),
        wkb_type="MultiPolygon",
    )
    text = project_xml(
        title="City", crs=UTM, view_extent=(0, 0, 1, 1), tree=[boundary, ProjectGroup("2020", (raster,), visible=False)]
    )
    root = ET.fromstring(text.split("\n", 1)[1])
    assert [e.text for e in root.iter("datasource")] == ["./l.gpkg|layername=a", "./2020/natural_areas.tif"]
    assert root.find("layer-tree-group/layer-tree-group").get("checked") == "Qt::Unchecked"
    assert root.find("projectCrs/spatialrefsys/authid").text == "EPSG:32628"
    with pytest.raises(ValueError, match="not unique"):
        project_xml(title="City", crs=UTM, view_extent=(0, 0, 1, 1), tree=[raster, raster])


def test_package_takes_every_overlay_layer_even_an_empty_one(tmp_path):
    transform = Affine(10, 0, 500_000, 0, -10, 1_000_100)
    mask = np.zeros((10, 10), dtype=np.uint8)
    mask[2:5, 2:5] = 1
    (tmp_path / "2020").mkdir()
    write_raster(tmp_path / "2020/natural_areas.tif", mask, transform=transform, crs="EPSG:32628", nodata=255)
    square = shapely.box(500_020, 1_000_050, 500_050, 1_000_080)
    gpd.GeoDataFrame({"group_id": [1], "area_ha": [0.09]}, geometry=[shapely.MultiPolygon([square])], crs=UTM).to_file(
        tmp_path / "2020/groups.gpkg", layer="connectivity_groups"
    )
    overlays = tmp_path / "2020/overlays.gpkg"
    gpd.GeoDataFrame({"area_ha": [0.09]}, geometry=[shapely.MultiPolygon([square])], crs=UTM).to_file(
        overlays, layer="protected_natural_areas"
    )
    gpd.GeoDataFrame({"area_ha": []}, geometry=gpd.GeoSeries([], crs=UTM)).to_file(
        overlays, layer="parks_counted", geometry_type="MultiPolygon"
    )
    boundary = write_vector(
        tmp_path / "city.gpkg", [shapely.box(500_000, 1_000_000, 500_100, 1_000_100)], crs="EPSG:32628"
    )
    write_qgis_project(
        city="c",
        names={"en": "C", "zh": "C"},
        boundary=BoundarySpec(str(boundary)),
        neighbourhood=8,
        layers_gpkg=str(tmp_path / "c_layers.gpkg"),
        projects={"en": str(tmp_path / "c.qgs")},
        years=[
            YearOutputs(
                2020, str(tmp_path / "2020/natural_areas.tif"), str(tmp_path / "2020/groups.gpkg"), str(overlays)
            )
        ],
    )
    counts = {
        name: pyogrio.read_info(tmp_path / "c_layers.gpkg", layer=name)["features"]
        for name, _ in pyogrio.list_layers(tmp_path / "c_layers.gpkg")
    }
    assert counts == {
        "city_boundary": 1,
        "protected_natural_areas_2020": 1,
        "parks_counted_2020": 0,
        "connectivity_groups_2020": 1,
        "natural_areas_2020": 1,
        "layer_styles": 5,
    }
    root = ET.parse(tmp_path / "c.qgs").getroot()
    names = [layer.get("name") for layer in root.find("layer-tree-group").iter("layer-tree-layer")]
    assert names == [
        "City boundary",
        "Protected natural areas 2020",
        "Parks counted 2020 — no park or protected area inside the city",
        "Connectivity groups 2020 (I2)",
        "Natural patches 2020",
        "Natural-area mask 2020 (I1)",
    ]
