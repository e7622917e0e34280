"""What-if scenarios in the QGIS package: each scenario's layers in the GeoPackage under its name, one group per
scenario after the years (unticked, collapsed, named in the project's language), and the overlay change regions
categorised by ``action`` (added blue, removed red) with labels from the catalogue."""

import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.geo.boundary import BoundarySpec
from cbindex.qgis.stage import (
    SCENARIO_CHANGE_SYMBOLS,
    ScenarioOutputs,
    YearOutputs,
    scenario_changes_style,
    scenario_outputs,
    write_qgis_project,
)
from cbindex.qgis.styles import vector_qml, vector_sld
from tests.helpers import write_raster, write_vector

UTM = CRS.from_epsg(32628)
TRANSFORM = Affine(10, 0, 500_000, 0, -10, 1_000_100)
SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"


def test_overlay_changes_are_categorised_by_action_with_labels_in_each_language():
    renderer = ET.fromstring(vector_qml(scenario_changes_style()).split("\n", 1)[1]).find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "action"
    categories = [(c.get("value"), c.get("symbol"), c.get("label")) for c in renderer.iter("category")]
    assert categories == [
        ("add", "0", "added to the overlay / 纳入的范围"),
        ("remove", "1", "removed from the overlay / 移出的范围"),
    ]
    fills = [s.find("layer/Option/Option[@name='color']").get("value") for s in renderer.findall("symbols/symbol")]
    assert fills == ["33,113,181,150", "203,24,29,150"]  # blue added, red removed
    assert [c.label for c in scenario_changes_style(language="zh").classes] == ["纳入的范围", "移出的范围"]
    sld = ET.fromstring(vector_sld(scenario_changes_style(), layer_name="scenario_changes"))
    filters = [
        (rule.findtext(f"{OGC}Filter/{OGC}PropertyIsEqualTo/{OGC}PropertyName"), rule.findtext(f".//{OGC}Literal"))
        for rule in sld.iter(f"{SE}Rule")
    ]
    assert filters == [("action", "add"), ("action", "remove")]
    assert set(SCENARIO_CHANGE_SYMBOLS) == {"add", "remove"}  # the actions cbindex.overlays writes


def write_year_like(folder, *, natural_rows: int) -> tuple[str, str]:
    """A natural-area mask of 10 × 10 cells of 10 m (the top ``natural_rows`` rows natural) and its groups
    GeoPackage (one group, those rows; no natural_patches layer, so the package traces the patches from the mask)."""
    folder.mkdir(parents=True)
    mask = np.zeros((10, 10), dtype=np.uint8)
    mask[:natural_rows] = 1
    write_raster(folder / "natural_areas.tif", mask, transform=TRANSFORM, crs="EPSG:32628", nodata=255)
    rows = shapely.box(500_000, 1_000_100 - 10 * natural_rows, 500_100, 1_000_100)
    groups = gpd.GeoDataFrame(
        {"group_id": [1], "n_cells": [10 * natural_rows], "area_ha": [natural_rows * 0.1]},
        geometry=[shapely.MultiPolygon([rows])],
        crs=UTM,
    )
    groups.to_file(folder / "groups.gpkg", layer="connectivity_groups", geometry_type="MultiPolygon")
    return str(folder / "natural_areas.tif"), str(folder / "groups.gpkg")


def test_scenario_outputs_pair_each_scenario_with_its_files():
    params = [
        {"name": "a", "title": {"en": "A", "zh": "甲"}, "base_year": 2020, "legend": "l.yaml", "overlays": False},
        {"name": "b", "title": {"en": "B", "zh": "乙"}, "base_year": 2019, "legend": "m.yaml", "overlays": True},
    ]
    a, b = scenario_outputs(
        params, masks=["a/m.tif", "b/m.tif"], groups=["a/g", "b/g"], maps=["a/l", "b/l"], overlays=["b/o"]
    )
    assert (a.name, a.titles["zh"], a.outputs.year, a.outputs.overlays, a.landcover.raster) == (
        "a",
        "甲",
        2020,
        None,
        "a/l",
    )
    assert (b.outputs.natural_mask, b.outputs.groups, b.outputs.overlays, b.landcover.legend) == (
        "b/m.tif",
        "b/g",
        "b/o",
        "m.yaml",
    )


def test_a_scenario_is_a_group_after_the_years_with_its_layers_under_its_name(tmp_path):
    year_mask, year_groups = write_year_like(tmp_path / "2020", natural_rows=3)
    mask, groups = write_year_like(tmp_path / "scenarios/parks", natural_rows=5)
    overlays = tmp_path / "scenarios/parks/overlays.gpkg"
    protected = gpd.GeoDataFrame({"area_ha": [0.2]}, geometry=[shapely.box(500_000, 1_000_080, 500_050, 1_000_100)])
    protected.set_crs(UTM).to_file(overlays, layer="protected_natural_areas", geometry_type="MultiPolygon")
    changes = gpd.GeoDataFrame(
        {"step": [1, 2], "overlay": ["protected_areas", "parks"], "action": ["add", "remove"], "area_ha": [0.1, 0.05]},
        geometry=[
            shapely.box(500_000, 1_000_080, 500_050, 1_000_100),
            shapely.box(500_050, 1_000_000, 500_100, 1_000_010),
        ],
        crs=UTM,
    )
    changes.to_file(overlays, layer="scenario_changes", geometry_type="MultiPolygon")
    boundary = write_vector(
        tmp_path / "city.gpkg", [shapely.box(500_000, 1_000_000, 500_100, 1_000_100)], crs="EPSG:32628"
    )
    scenario = ScenarioOutputs(
        name="parks",
        titles={"en": "More parks", "zh": "更多公园"},
        outputs=YearOutputs(2020, mask, groups, str(overlays)),
    )
    write_qgis_project(
        city="c",
        names={"en": "C", "zh": "C城"},
        boundary=BoundarySpec(str(boundary)),
        neighbourhood=8,
        layers_gpkg=str(tmp_path / "c_layers.gpkg"),
        projects={"en": str(tmp_path / "c.qgs"), "zh": str(tmp_path / "c_zh.qgs")},
        years=[YearOutputs(2020, year_mask, year_groups)],
        scenarios=[scenario],
    )
    package = tmp_path / "c_layers.gpkg"
    assert [name for name, _ in pyogrio.list_layers(package)] == [
        "city_boundary",
        "connectivity_groups_2020",
        "natural_areas_2020",
        "scenario_changes_scenario_parks",
        "protected_natural_areas_scenario_parks",
        "connectivity_groups_scenario_parks",
        "natural_areas_scenario_parks",
        "layer_styles",
    ]
    assert gpd.read_file(package, layer="natural_areas_scenario_parks")["n_cells"].tolist() == [50]  # its 5 rows
    assert gpd.read_file(package, layer="natural_areas_2020")["n_cells"].tolist() == [30]
    assert gpd.read_file(package, layer="scenario_changes_scenario_parks")["action"].tolist() == ["add", "remove"]
    with sqlite3.connect(package) as connection:
        (qml,) = connection.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'scenario_changes_scenario_parks'"
        ).fetchone()
    assert ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2").get("type") == "categorizedSymbol"
    expected = {
        "en": (
            "Scenario: More parks",
            [
                "Overlay changes of the scenario",
                "Protected natural areas of the scenario",
                "Connectivity groups of the scenario (I2)",
                "Natural patches of the scenario",
                "Natural-area mask of the scenario (I1)",
            ],
            ["added to the overlay", "removed from the overlay"],
        ),
        "zh": (
            "情景：更多公园",
            [
                "情景对保护地、公园与管控线的变更",
                "情景受保护自然区域",
                "情景连通组（I2）",
                "情景自然斑块",
                "情景自然区域栅格（I1）",
            ],
            ["纳入的范围", "移出的范围"],
        ),
    }
    for language, project in (("en", "c.qgs"), ("zh", "c_zh.qgs")):
        root = ET.parse(tmp_path / project).getroot()
        groups = root.find("layer-tree-group").findall("layer-tree-group")
        assert [(g.get("name"), g.get("checked"), g.get("expanded")) for g in groups] == [
            ("2020" if language == "en" else "2020年", "Qt::Checked", "1"),
            (expected[language][0], "Qt::Unchecked", "0"),
        ]
        names = [layer.get("name") for layer in groups[1].iter("layer-tree-layer")]
        assert names == expected[language][1]
        labels = [category.get("label") for category in root.iter("category")]
        assert labels == expected[language][2]
        layouts = [layout.get("name") for layout in root.iter("Layout")]
        assert len(layouts) == 1  # the year's; a scenario has none
