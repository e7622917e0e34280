"""The sample scenario through Snakemake: Freetown's "restore the tree cover lost 2016–2020" is computed by the
land-cover rule like a year and compared with 2020; the base year's outputs are never touched (checksums), and
adding or editing one scenario re-runs only that scenario's jobs (dry runs)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import shapely
import yaml

from tests.helpers import snakemake, write_vector

pytestmark = pytest.mark.workflow

SCENARIO = "restore_tree_cover_2016_2020"


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


SCENARIO_RULES = {
    "apply_scenario",
    "compute_scenario_landcover_indicators",
    "compare_scenario",
    "write_scenario_landcover_map",
    "write_scenario_natural_areas_style",
}
CITY_RULES = {"score_city", "write_city_report", "write_qgis_project"}
"""The city's scorecard, reports and QGIS projects show every scenario, so they re-run too; no base-year job does."""


def only_this_scenario_or_freetown(rule: str, wildcards: str, scenario: str) -> bool:
    """A planned job is the edited scenario's, or Freetown's scorecard or report (never another city's)."""
    if rule in SCENARIO_RULES:
        return f"scenario={scenario}" in wildcards
    return rule == "all" or (rule in CITY_RULES and "city=freetown" in wildcards)


def planned(work: Path) -> list[tuple[str, str]]:
    """(rule, wildcards text) of every job a dry run plans."""
    text = snakemake(work, "--dry-run").stdout
    return re.findall(r"^rule (\w+):\n(?:.*\n)*?\s+wildcards: (.*)$", text, flags=re.MULTILINE)


def test_the_sample_scenario_is_compared_with_its_base_year(base_run):
    folder = base_run / "results/freetown/scenarios" / SCENARIO
    changes = pd.read_csv(folder / "changes.csv", encoding="utf-8-sig")
    assert changes.loc[0, "cells_changed"] > 0 and changes.loc[0, "area_changed_ha"] > 0
    comparison = pd.read_csv(folder / "scenario_comparison.csv", encoding="utf-8-sig").set_index("indicator")
    base = pd.read_csv(base_run / "results/freetown/2020/landcover_indicators.csv", encoding="utf-8-sig")
    base = base.set_index("indicator")["value"]
    assert comparison.loc["I12", "base_value"] == pytest.approx(base["I12"])
    assert comparison.loc["I12", "scenario_value"] > comparison.loc["I12", "base_value"]  # trees came back
    assert comparison.loc["city_area", "change"] == pytest.approx(0, abs=1e-6)  # the same city, only classes change


def test_the_scorecard_lists_the_scenario_with_its_comparison(base_run):
    folder = base_run / "results/freetown/scenarios" / SCENARIO
    scorecard = json.loads((base_run / "results/freetown/scorecard.json").read_text(encoding="utf-8"))
    (entry,) = scorecard["scenarios"]
    sheet = yaml.safe_load((base_run / "data/freetown/scenarios.yaml").read_text(encoding="utf-8"))["scenarios"][0]
    assert entry["name"] == SCENARIO and entry["base_year"] == sheet["base_year"] == 2020
    assert entry["title"] == {"en": sheet["title"], "zh": sheet["title_zh"]}
    changes = pd.read_csv(folder / "changes.csv", encoding="utf-8-sig")
    assert [change["cells_changed"] for change in entry["changes"]] == changes["cells_changed"].tolist()
    assert "2016" in entry["changes"][0]["text"]["zh"] and entry["changes"][0]["note"] is None
    comparison = pd.read_csv(folder / "scenario_comparison.csv", encoding="utf-8-sig")
    scored = comparison[comparison["base_status"] == "scored"].set_index("indicator")
    rows = {row["indicator"]: row for row in entry["indicators"]}
    assert set(rows) == set(scored.index)
    for indicator, row in rows.items():
        assert row["scenario_value"] == pytest.approx(scored.loc[indicator, "scenario_value"])
        assert row["points_change"] == scored.loc[indicator, "points_change"]
    assert entry["points"]["base"] == scored["base_points"].sum()
    assert entry["points"]["scenario"] == scored["scenario_points"].sum()
    assert entry["points"]["change"] == entry["points"]["scenario"] - entry["points"]["base"]


def test_scenarios_never_touch_the_base_year_and_rerun_only_their_own_jobs(copy_of_base_run, tmp_path):
    work = copy_of_base_run
    base_outputs = checksums(work / "results/freetown/2020")
    scenarios_path = work / "data/freetown/scenarios.yaml"
    document = yaml.safe_load(scenarios_path.read_text(encoding="utf-8"))
    plots = write_vector(work / "data/freetown/plots.gpkg", [shapely.box(-13.25, 8.46, -13.24, 8.47)], crs="EPSG:4326")
    document["scenarios"].append(
        {"name": "develop", "base_year": 2020, "changes": [{"landcover": str(plots.relative_to(work)), "to": 6}]}
    )
    scenarios_path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    jobs = planned(work)
    assert {rule for rule, _ in jobs} - {"all"} == SCENARIO_RULES | CITY_RULES
    assert all(only_this_scenario_or_freetown(rule, wildcards, "develop") for rule, wildcards in jobs)
    snakemake(work)
    document["scenarios"][0]["changes"][0]["since_year"] = 2017
    scenarios_path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    jobs = planned(work)
    assert {rule for rule, _ in jobs} - {"all"} == SCENARIO_RULES | CITY_RULES
    assert all(only_this_scenario_or_freetown(rule, wildcards, SCENARIO) for rule, wildcards in jobs)
    snakemake(work)
    assert checksums(work / "results/freetown/2020") == base_outputs
    developed = pd.read_csv(work / "results/freetown/scenarios/develop/scenario_comparison.csv", encoding="utf-8-sig")
    assert developed.set_index("indicator").loc["I1", "change"] <= 0


@pytest.mark.parametrize("language", ["en", "zh"])
def test_both_reports_show_the_scenario_with_its_maps(base_run, language):
    page = (base_run / f"results/freetown/report_{language}.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="scenarios">') :]
    section = section[: section.index("</section>")]
    scorecard = json.loads((base_run / "results/freetown/scorecard.json").read_text(encoding="utf-8"))
    (entry,) = scorecard["scenarios"]
    assert f"<h3>{entry['title'][language]}</h3>" in section
    assert entry["changes"][0]["text"][language] in html.unescape(section)
    assert 'id="figure-scenario-0"' in section and "data:image/png;base64," in section
    rows = re.findall(r"<tr><td>(I\d+) .*?</td>.*?<td>([^<]*)</td></tr>", section)
    assert {indicator for indicator, _ in rows} == {row["indicator"] for row in entry["indicators"]}
    points = {row["indicator"]: f"{row['base_points']} → {row['scenario_points']}" for row in entry["indicators"]}
    assert dict(rows) == points


def test_the_workbook_lists_the_targets_and_the_scenario_with_its_comparison(base_run):
    workbook = openpyxl.load_workbook(base_run / "results/freetown/scorecard.xlsx")
    assert workbook.sheetnames == ["Scorecard", "Targets", "Scenarios", "评分表", "目标", "情景分析"]
    comparison = pd.read_csv(
        base_run / "results/freetown/scenarios" / SCENARIO / "scenario_comparison.csv", encoding="utf-8-sig"
    ).set_index("indicator")
    scorecard = json.loads((base_run / "results/freetown/scorecard.json").read_text(encoding="utf-8"))
    (entry,) = scorecard["scenarios"]
    for sheet_name, language in (("Scenarios", "en"), ("情景分析", "zh")):
        rows = list(workbook[sheet_name].iter_rows(values_only=True))
        assert entry["title"][language] in [row[0] for row in rows]
        i1 = next(row for row in rows if row[0] == "I1")
        assert isinstance(i1[5], float) and i1[5] == pytest.approx(comparison.loc["I1", "change"])
        assert i1[3:5] == pytest.approx(tuple(comparison.loc["I1", ["base_value", "scenario_value"]]))
        assert i1[6:8] == tuple(comparison.loc["I1", ["base_points", "scenario_points"]])
    for sheet_name in ("Targets", "目标"):
        rows = {row[0]: row for row in workbook[sheet_name].iter_rows(values_only=True)}
        for item in scorecard["targets"]["items"]:
            assert rows[item["indicator"]][12] == pytest.approx(item["change_per_year_needed"])
    chengdu = openpyxl.load_workbook(base_run / "results/chengdu/scorecard.xlsx")
    assert chengdu.sheetnames == ["Scorecard", "评分表"]  # no targets file, no scenarios: no such sheets
