"""The overlay rule (I9, red line, I13) in a workflow run of its own: a box over Zion with NLCD land cover, the
park as protected area and as park, a population figure."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
import yaml

from cbindex.geo.boundary import BoundarySpec
from cbindex.overlays.stage import compute_overlay_indicators
from tests.helpers import copy_workflow, snakemake, write_vector
from tests.unit.overlays.test_overlays import ZION, zion_city

pytestmark = pytest.mark.workflow


def test_overlay_rule_in_a_workflow_run(tmp_path):
    work = copy_workflow(tmp_path / "work")
    city = zion_city(tmp_path)
    changed = write_scenario(work, city)  # checked at the end, on the same run
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False).iloc[:0]
    row = {column: "" for column in sheet.columns}
    row.update(
        city_id="zion",
        name="Zion box",
        boundary=str(city),
        landcover=str(ZION / "nlcd2011.tif"),
        years="2011",
        legend="nlcd",
        scoring="si-2014",
        protected_areas=str(ZION / "zion.gpkg"),
        parks=str(ZION / "zion.gpkg"),
        population="20000",
        eco_control_line=str(ZION / "zion.gpkg"),  # a second control line (config coverage_layers)
        scenarios="data/zion/scenarios.yaml",
    )
    pd.DataFrame([row]).to_csv(work / "config/cities.csv", index=False)
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule compute_overlay_indicators:") == 1
    assert planned.count("rule compute_scenario_overlay_indicators:") == 1
    snakemake(work)
    overlay = pd.read_csv(work / "results/zion/2011/overlay_indicators.csv").set_index("indicator")
    assert list(overlay.columns) == ["city", "year", "value", "unit", "method"]
    assert {"I9", "I13", "protected_natural_area", "population"} <= set(overlay.index)
    indicators = pd.read_csv(work / "results/zion/indicators.csv").set_index("indicator")
    assert indicators.loc["I9", "status"] == "scored" and indicators.loc["I13", "status"] == "scored"
    assert indicators.loc["I9", "value"] == pytest.approx(overlay.loc["I9", "value"], rel=1e-9)
    assert indicators.loc["I13", "value"] == pytest.approx(
        overlay.loc["parks_and_protected_natural_area", "value"] / 20, rel=1e-9
    )
    scorecard = json.loads((work / "results/zion/scorecard.json").read_text(encoding="utf-8"))
    i9 = next(row for row in scorecard["indicators"] if row["id"] == "I9")
    assert i9["points"] == 4
    layers = dict(pyogrio.list_layers(work / "results/zion/2011/overlays.gpkg"))
    assert set(layers) == {
        "protected_natural_areas",
        "redline_areas",
        "eco_control_line_areas",
        "priority_eco_space_areas",
        "urban_development_boundary_areas",
        "parks_counted",
    }
    # The control line is the park's outline: its natural area is I9's numerator, its coverage the park's share.
    assert overlay.loc["eco_control_line_natural_area", "value"] == pytest.approx(
        overlay.loc["protected_natural_area", "value"], rel=1e-9
    )
    assert indicators.loc["eco_control_line_coverage", "status"] == "supporting"  # si-2014 does not score it
    (control,) = scorecard["coverage_layers"]
    assert control["id"] == "eco_control_line" and control["name_zh"] == "基本生态控制线"
    assert control["years"][0]["coverage_percent"] == pytest.approx(
        overlay.loc["eco_control_line_coverage", "value"], rel=1e-9
    )
    report_zh = (work / "results/zion/report_zh.html").read_text(encoding="utf-8")
    assert "管控线与管控区" in report_zh and "基本生态控制线" in report_zh
    qgis_layers = set(pyogrio.list_layers(work / "results/zion/zion_layers.gpkg")[:, 0])
    assert "eco_control_line_areas_2011" in qgis_layers
    assert "Basic ecological control line 2011" in (work / "results/zion/zion.qgs").read_text(encoding="utf-8")
    assert "2011年基本生态控制线" in (work / "results/zion/zion_zh.qgs").read_text(encoding="utf-8")
    assert (work / "results/zion/logs/compute_overlay_indicators_2011.log").exists()
    assert (work / "results/zion/benchmarks/compute_overlay_indicators_2011.tsv").exists()
    check_scenario(work, changed)


SCENARIO = "reserve_and_growth"


def write_scenario(work: Path, city: Path) -> dict[str, shapely.Geometry]:
    """Zion's scenario: add the box's eastern quarter to the protected areas, remove its southern third (given in
    EPSG:4326, densified) from the parks, set the population to 25,000; returns the changed polygons (EPSG:26912)."""
    box = gpd.read_file(city).geometry.iloc[0]
    park = gpd.read_file(ZION / "zion.gpkg").to_crs("EPSG:26912").union_all()
    left, bottom, right, top = box.bounds
    east = shapely.box(right - (right - left) / 4, bottom, right, top)
    south = shapely.box(left - 1000, bottom - 1000, right + 1000, bottom + (top - bottom) / 3)
    data = work / "data/zion"
    data.mkdir(parents=True)
    write_vector(data / "east.gpkg", [east], crs="EPSG:26912")
    south_4326 = gpd.GeoSeries([south], crs="EPSG:26912").segmentize(10.0).to_crs("EPSG:4326")
    write_vector(data / "south.gpkg", south_4326, crs="EPSG:4326")
    scenario = {
        "name": SCENARIO,
        "title": "Protect the east, release the south, more residents",
        "title_zh": "保护东部、调出南部、人口增长",
        "base_year": 2011,
        "changes": [
            {"overlay": "protected_areas", "add": "data/zion/east.gpkg"},
            {"overlay": "parks", "remove": "data/zion/south.gpkg"},
            {"population": 25000},
        ],
    }
    (data / "scenarios.yaml").write_text(yaml.safe_dump({"scenarios": [scenario]}, allow_unicode=True), "utf-8")
    south_back = gpd.GeoSeries(south_4326.to_crs("EPSG:26912").iloc[0:1]).iloc[0]
    return {"protected_areas": shapely.union(park, east), "parks": shapely.difference(park, south_back)}


def check_scenario(work: Path, changed: dict[str, shapely.Geometry]) -> None:
    """The scenario's overlay job (the overlay rule's own script, on the scenario's land cover) gives what the
    overlay stage gives on files already holding the changed polygons; the year's table is its base; the scorecard
    and both reports list the changes."""
    folder = work / "results/zion/scenarios" / SCENARIO
    for kind, geometry in changed.items():
        write_vector(folder.parent / f"{kind}_changed.gpkg", [geometry], crs="EPSG:26912")
    compute_overlay_indicators(
        city="zion",
        year=2011,
        raster_path=str(folder / "landcover.tif"),
        boundary=BoundarySpec(str(work.parent / "zion_box.gpkg")),
        legend_path=str(work / "config/legends/nlcd.yaml"),
        method={"boundary_rule": "centre"},
        overlay_rules={},
        overlay_paths={kind: str(folder.parent / f"{kind}_changed.gpkg") for kind in changed},
        overlay_layers={},
        population="25000",
        population_raster_path=None,
        equal_area_crs="auto",
        boundary_coverage_tolerance_percent=1.0,
        indicators_csv=str(folder.parent / "direct.csv"),
        overlays_gpkg=str(folder.parent / "direct.gpkg"),
    )
    expected = pd.read_csv(folder.parent / "direct.csv").set_index("indicator")["value"]
    scenario = pd.read_csv(folder / "overlay_indicators.csv").set_index("indicator")["value"]
    base = pd.read_csv(work / "results/zion/2011/overlay_indicators.csv").set_index("indicator")["value"]
    for indicator in ("I9", "I13", "protected_natural_area", "park_natural_area", "parks_and_protected_natural_area"):
        assert scenario[indicator] == pytest.approx(expected[indicator], rel=1e-9), indicator
    assert scenario["I9"] > base["I9"] and scenario["population"] == 25000
    assert scenario["park_natural_area"] < base["park_natural_area"]
    changes = pd.read_csv(folder / "overlay_changes.csv", keep_default_na=False).set_index("step")
    assert list(changes.index) == [1, 2, 3]
    added = expected["protected_area"] - base["protected_area"]
    assert float(changes.loc[1, "area_changed_ha"]) == pytest.approx(added, rel=1e-6)
    assert float(changes.loc[2, "area_changed_ha"]) > 0 and changes.loc[3, "note"] == ""
    comparison = pd.read_csv(folder / "scenario_comparison.csv").set_index("indicator")
    assert comparison.loc["I9", "base_value"] == pytest.approx(base["I9"], rel=1e-12)
    assert comparison.loc["I9", "scenario_value"] == pytest.approx(scenario["I9"], rel=1e-12)
    assert comparison.loc["I13", "scenario_value"] == pytest.approx(scenario["I13"], rel=1e-12)
    assert comparison.loc["population", "change"] == 5000
    assert comparison.loc["eco_control_line_coverage", "change"] == 0  # not changed by the scenario
    assert comparison.loc["I1", "change"] == 0  # no land-cover change: the scenario's raster is the year's
    scorecard = json.loads((work / "results/zion/scorecard.json").read_text(encoding="utf-8"))
    (entry,) = scorecard["scenarios"]
    assert [change["kind"] for change in entry["changes"]] == ["overlay", "overlay", "population"]
    assert {"I9", "I13"} <= {row["indicator"] for row in entry["indicators"]}
    workbook = openpyxl.load_workbook(work / "results/zion/scorecard.xlsx")
    rows = {row[1]: row for row in workbook["情景分析"].iter_rows(values_only=True) if len(row) > 5}
    assert rows["人口"][3:6] == (20000, 25000, 5000) and rows["人口"][2] == "人"
    lines = [row[0] for row in workbook["Scenarios"].iter_rows(values_only=True) if row[0]]
    assert "1. add the polygons of east.gpkg to the protected areas (1,702.9 ha of the city)" in lines
    regions = gpd.read_file(folder / "overlays.gpkg", layer="scenario_changes")
    assert regions["step"].tolist() == [1, 2] and regions["action"].tolist() == ["add", "remove"]
    areas = [float(area) for area in changes.loc[[1, 2], "area_changed_ha"]]
    assert regions["area_ha"].tolist() == pytest.approx(areas, rel=1e-12)
    assert shapely.within(regions.geometry.iloc[0], gpd.read_file(work.parent / "zion_box.gpkg").buffer(1).iloc[0])
    # the QGIS projects: the regions in the scenario's group, categorised added / removed in each language
    package = work / "results/zion/zion_layers.gpkg"
    shown = gpd.read_file(package, layer=f"scenario_changes_scenario_{SCENARIO}")
    assert shown["action"].tolist() == ["add", "remove"]
    assert f"protected_natural_areas_scenario_{SCENARIO}" in set(pyogrio.list_layers(package)[:, 0])
    for project, labels in (
        ("zion.qgs", ["added to the overlay", "removed from the overlay"]),
        ("zion_zh.qgs", ["纳入的范围", "移出的范围"]),
    ):
        root = ET.parse(work / "results/zion" / project).getroot()
        group = root.find("layer-tree-group").findall("layer-tree-group")[-1]
        assert group.get("name").endswith(entry["title"]["zh" if "_zh" in project else "en"])
        assert group.get("checked") == "Qt::Unchecked"
        assert any(
            f"scenario_changes_scenario_{SCENARIO}" in (layer.get("source") or "")
            for layer in group.iter("layer-tree-layer")
        )
        assert [category.get("label") for category in root.iter("category")] == labels
    for language, words in (("en", "east.gpkg to the protected areas"), ("zh", "east.gpkg 的多边形纳入保护地")):
        page = (work / f"results/zion/report_{language}.html").read_text(encoding="utf-8")
        assert words in page and entry["title"][language] in page
        assert 'id="figure-scenario-overlays-0"' in page
