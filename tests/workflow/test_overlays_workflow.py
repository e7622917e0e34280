"""The overlay rule (I9, red line, I13) in a workflow run of its own: a box over Zion with NLCD land cover, the
park as protected area and as park, a population figure."""

import json

import pandas as pd
import pyogrio
import pytest

from tests.helpers import copy_workflow, snakemake
from tests.unit.overlays.test_overlays import ZION, zion_city

pytestmark = pytest.mark.workflow


def test_overlay_rule_in_a_workflow_run(tmp_path):
    work = copy_workflow(tmp_path / "work")
    city = zion_city(tmp_path)
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
    )
    pd.DataFrame([row]).to_csv(work / "config/cities.csv", index=False)
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule compute_overlay_indicators:") == 1
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
