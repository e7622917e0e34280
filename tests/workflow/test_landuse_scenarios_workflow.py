"""Scenarios of a land-use city through Snakemake (issue 13): a survey layer of two years (GBK Shapefiles in the
CGCS2000 Gauss-Krüger zone EPSG:4544, as Chinese analysts hold them), one scenario planting forest on half the dry
land and one restoring the tree cover lost since 2016. Each scenario's polygons are cut, burnt by the year's own
rasterization script and computed by the land-cover rule as a year; the comparison shows I1 up by the half's share
of the city, the base years' outputs are never touched, and adding or editing a scenario re-runs only its jobs::

    2020:  forest 0301 (x 0-1000)  | dry land 0103 (x 1000-2000)      city: the whole 2 km x 1 km rectangle
    2016:  forest 0301 (x 0-1500)           | grassland 0404 (x 1500-2000)
    plan:                           | forest (x 1000-1500)
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
import yaml

from tests.helpers import copy_workflow, snakemake
from tests.workflow.test_input_checks import edit_config, write_sheet

pytestmark = pytest.mark.workflow

GK = "EPSG:4544"
X0, Y0 = 520_000, 3_380_000
"""Near Chengdu (about 104.2° E, 30.5° N) in the 3-degree zone whose central meridian is 105° E."""
SCENARIO_RULES = {
    "apply_landuse_scenario",
    "rasterize_scenario_landcover_vector",
    "compute_scenario_landcover_indicators",
    "compare_scenario",
}


def box(x0, x1):
    return shapely.box(X0 + x0, Y0, X0 + x1, Y0 + 1000)


def write_survey(path: Path, pieces: list[tuple[shapely.Polygon, str, str]]) -> None:
    frame = gpd.GeoDataFrame(
        {"DLBM": [code for _, code, _ in pieces], "DLMC": [name for _, _, name in pieces]},
        geometry=[geometry for geometry, _, _ in pieces],
        crs=GK,
    )
    pyogrio.write_dataframe(frame, path, encoding="gbk")
    path.with_suffix(".cpg").unlink(missing_ok=True)


def write_scenarios(work: Path, scenarios: list[dict]) -> None:
    text = yaml.safe_dump({"scenarios": scenarios}, allow_unicode=True, sort_keys=False)
    (work / "data/survey/scenarios.yaml").write_text(text, encoding="utf-8")


PLANT = {
    "name": "plant",
    "title": "Plant forest on half the dry land",
    "title_zh": "在一半旱地上造林",
    "base_year": 2020,
    "changes": [{"landcover": "data/survey/plan.gpkg", "to": 301}],
}
RESTORE = {"name": "restore", "base_year": 2020, "changes": [{"restore": "tree_canopy", "since_year": 2016}]}
RESERVE = {
    "name": "reserve",
    "base_year": 2020,
    "changes": [
        {"landcover": "data/survey/plan.gpkg", "to": 301},
        {"overlay": "protected_areas", "add": "data/survey/plan.gpkg"},
    ],
}
"""Plant the forest and protect it: the overlay change is the overlay rule's, on the scenario's rasterized land use."""
TARGETS = [f"results/survey/scenarios/{name}/scenario_comparison.csv" for name in ("plant", "restore", "reserve")]


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def planned(work: Path, *targets: str) -> list[tuple[str, str]]:
    text = snakemake(work, "--dry-run", *targets).stdout
    return re.findall(r"^rule (\w+):\n(?:.*\n)*?\s+wildcards: (.*)$", text, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def survey_run(tmp_path_factory) -> Path:
    work = copy_workflow(tmp_path_factory.mktemp("landuse_scenarios") / "work")
    data = work / "data" / "survey"
    data.mkdir()
    write_survey(data / "survey_2020.shp", [(box(0, 1000), "0301", "乔木林地"), (box(1000, 2000), "0103", "旱地")])
    write_survey(data / "survey_2016.shp", [(box(0, 1500), "0301", "乔木林地"), (box(1500, 2000), "0404", "其他草地")])
    gpd.GeoDataFrame(geometry=[box(0, 2000)], crs=GK).to_file(data / "city.gpkg")
    gpd.GeoDataFrame(geometry=[box(1000, 1500)], crs=GK).to_crs("EPSG:4326").to_file(data / "plan.gpkg")
    write_scenarios(work, [PLANT, RESTORE, RESERVE])
    write_sheet(
        work,
        [
            {
                "city_id": "survey",
                "boundary": "data/survey/city.gpkg",
                "years": "2016 2020",
                "scoring": "si-2014",
                "landcover": "",
                "landcover_vector": "data/survey/survey_{year}.shp",
                "landcover_code_column": "DLBM",
                "landcover_vector_encoding": "gbk",
                "legend": "gbt21010_2017",
                "scenarios": "data/survey/scenarios.yaml",
            }
        ],
    )
    edit_config(work, landuse_cell_size_m=10)
    snakemake(work, *TARGETS, *(f"results/survey/report_{language}.html" for language in ("en", "zh")))
    return work


def comparison(work: Path, name: str) -> pd.DataFrame:
    path = work / f"results/survey/scenarios/{name}/scenario_comparison.csv"
    return pd.read_csv(path, encoding="utf-8-sig").set_index("indicator")


@pytest.mark.parametrize("name", ["plant", "restore", "reserve"])
def test_each_scenario_raises_i1_by_the_half_of_the_dry_land(survey_run, name):
    """I1 = natural ÷ city area × 100: 100 ha of 200 ha → 150 ha of 200 ha, +25 percentage points (the Gauss-Krüger
    scale near the central meridian cancels in the ratio; the areas are measured equal-area)."""
    table = comparison(survey_run, name)
    assert table.loc["I1", "base_value"] == pytest.approx(50.0, rel=1e-6)
    assert table.loc["I1", "scenario_value"] == pytest.approx(75.0, rel=1e-6)
    assert table.loc["I1", "change"] == pytest.approx(25.0, rel=1e-6)
    assert table.loc["I12", "change"] == pytest.approx(25.0, rel=1e-6)  # the forest is tree canopy too
    # the same city, only classes change (the cut pieces add up to their polygons to float rounding: 0.1 m²)
    assert table.loc["city_area", "change"] == pytest.approx(0, abs=1e-5)
    changes = pd.read_csv(survey_run / f"results/survey/scenarios/{name}/changes.csv", encoding="utf-8-sig")
    assert changes.loc[0, "polygons_changed"] == 1
    assert changes.loc[0, "area_changed_ha"] == pytest.approx(50.0, rel=1e-3)  # ground area, not grid area


def test_an_overlay_change_runs_on_the_scenarios_rasterized_land_use(survey_run):
    folder = survey_run / "results/survey/scenarios/reserve"
    changes = pd.read_csv(folder / "changes.csv", encoding="utf-8-sig")
    assert changes["step"].tolist() == [1] and changes.loc[0, "polygons_changed"] == 1
    overlay = pd.read_csv(folder / "overlay_changes.csv", encoding="utf-8-sig")
    assert overlay["step"].tolist() == [2]
    assert overlay.loc[0, "area_changed_ha"] == pytest.approx(50.0, rel=1e-2)  # measured on the 10 m grid
    table = comparison(survey_run, "reserve")
    assert table.loc["I9", "base_status"] == "not_assessed"  # the city gives no protected areas
    assert table.loc["I9", "scenario_value"] == pytest.approx(25.0, rel=1e-2)  # 50 ha of forest of 200 ha, on the grid


def test_the_scenario_layer_keeps_the_surveys_field_and_text_codes(survey_run):
    layer = gpd.read_file(survey_run / "results/survey/scenarios/plant/landuse.gpkg")
    assert layer.crs.to_epsg() == 4544
    assert sorted(layer["DLBM"]) == ["0103", "0301", "0301"]
    areas = pd.read_csv(survey_run / "results/survey/scenarios/plant/landuse_class_areas.csv", encoding="utf-8-sig")
    assert dict(zip(areas["name_zh"], areas["area_ha"].round(1), strict=True)) == {"旱地": 50.0, "乔木林地": 150.0}


def test_the_scorecard_counts_polygon_pieces(survey_run):
    scorecard = json.loads((survey_run / "results/survey/scorecard.json").read_text(encoding="utf-8"))
    plant = next(entry for entry in scorecard["scenarios"] if entry["name"] == "plant")
    (change,) = plant["changes"]
    assert change["polygons_changed"] == 1 and change["cells_changed"] is None and change["note"] is None
    workbook = openpyxl.load_workbook(survey_run / "results/survey/scorecard.xlsx", read_only=True)
    texts = {
        sheet.title: " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row if value)
        for sheet in workbook.worksheets
    }
    assert "(1 land-use polygon pieces, 50" in texts["Scenarios"]  # 50.00 ha: measured, not drawn, area
    assert "城市内改变了 1 个图斑" in texts["情景分析"]


@pytest.mark.parametrize(("language", "amount"), [("en", "1 land-use polygon pieces, 50.00 ha"), ("zh", "1 个图斑")])
def test_both_reports_show_the_scenarios_with_their_maps(survey_run, language, amount):
    page = (survey_run / f"results/survey/report_{language}.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="scenarios">') :]
    section = section[: section.index("</section>")]
    assert section.count(amount) == 3  # one land-cover change in each scenario
    assert 'id="figure-scenario-0"' in section and 'id="figure-scenario-1"' in section


def test_base_years_untouched_and_only_the_edited_scenario_reruns(survey_run):
    work = survey_run
    base = {year: checksums(work / f"results/survey/{year}") for year in (2016, 2020)}
    gpd.GeoDataFrame(geometry=[box(1500, 2000)], crs=GK).to_file(work / "data/survey/develop.gpkg")
    develop = {"name": "develop", "base_year": 2020, "changes": [{"landcover": "data/survey/develop.gpkg", "to": 701}]}
    write_scenarios(work, [PLANT, RESTORE, RESERVE, develop])
    targets = [*TARGETS, "results/survey/scenarios/develop/scenario_comparison.csv"]
    jobs = planned(work, *targets)
    assert {rule for rule, _ in jobs} == SCENARIO_RULES
    assert all("scenario=develop" in wildcards for _, wildcards in jobs)
    snakemake(work, *targets)
    edited = dict(PLANT, changes=[{"landcover": "data/survey/plan.gpkg", "to": 701, "from": [103]}])
    write_scenarios(work, [edited, RESTORE, RESERVE, develop])
    jobs = planned(work, *targets)
    assert {rule for rule, _ in jobs} == SCENARIO_RULES
    assert all("scenario=plant" in wildcards for _, wildcards in jobs)
    snakemake(work, *targets)
    assert {year: checksums(work / f"results/survey/{year}") for year in (2016, 2020)} == base
    # dry land to built-up: no natural area changes (float rounding of the cut: 1e-6 percentage points)
    assert comparison(work, "plant").loc["I1", "change"] == pytest.approx(0, abs=1e-6)
    assert comparison(work, "develop").loc["I1", "change"] == pytest.approx(0, abs=1e-6)
    developed = pd.read_csv(work / "results/survey/scenarios/develop/landuse_class_areas.csv", encoding="utf-8-sig")
    assert developed.set_index("code").loc[701, "area_ha"] == pytest.approx(50.0, rel=1e-3)
