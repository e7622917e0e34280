"""The scorecard's scenarios section on hand tables: totals over the indicators scored on both sides (a held side
is left out, never 0), supporting rows apart, every change described in both languages, files paired by folder."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cbindex.core.errors import CBIDefectError
from cbindex.scoring.scenario_comparison import COMPARISON_COLUMNS
from cbindex.scoring.scenario_summary import scenario_summaries, summarize_scenario

SCENARIO = {
    "name": "plan",
    "title": "Restore and develop",
    "title_zh": "恢复与开发",
    "base_year": 2020,
    "changes": [
        {"restore": "tree_canopy", "since_year": 2016},
        {"landcover": "data/city/plots.gpkg", "to": 50, "from": [10, 20]},
    ],
}
NAN = float("nan")


def comparison() -> pd.DataFrame:
    rows = [
        # indicator, base value, scenario value, base points, scenario points, statuses
        ("I1", 10.0, 15.0, 1, 2, "scored", "scored"),
        ("I2", 400.0, 420.0, 1, NAN, "scored", "partial_coverage"),
        ("I12", 6.0, 6.0, 0, 0, "scored", "scored"),
        ("I11", 20.0, 24.0, 3, 4, "scored", "scored"),
    ]
    frame = pd.DataFrame(
        [
            {
                "indicator": indicator,
                "name": f"name of {indicator}",
                "name_zh": f"{indicator} 名称",
                "unit": "%",
                "base_value": base,
                "scenario_value": scenario,
                "change": scenario - base,
                "base_points": base_points,
                "scenario_points": scenario_points,
                "points_change": scenario_points - base_points,
                "base_status": base_status,
                "scenario_status": scenario_status,
            }
            for indicator, base, scenario, base_points, scenario_points, base_status, scenario_status in rows
        ]
        + [
            {
                "indicator": "natural_area",
                "base_value": 100.0,
                "scenario_value": 130.0,
                "change": 30.0,
                "base_status": "supporting",
                "scenario_status": "supporting",
            }
        ],
        columns=COMPARISON_COLUMNS,
    )
    return frame


def changes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [1, 2],
            "change": ["restore ...", "land cover ..."],
            "cells_changed": [300, 0],
            "area_changed_ha": [30.0, 0.0],
            "note": ["", "changed nothing inside the city"],
        }
    )


def test_totals_cover_the_indicators_scored_on_both_sides():
    summary = summarize_scenario(SCENARIO, comparison=comparison(), changes=changes())
    # by hand: I1 1 -> 2, I12 0 -> 0, I11 3 -> 4; I2 is held in the scenario, so left out of both totals
    assert summary["points"] == {
        "indicators": ["I1", "I12", "I11"],
        "base": 4,
        "scenario": 6,
        "change": 2,
        "not_scored": ["I2"],
    }
    assert [row["indicator"] for row in summary["indicators"]] == ["I1", "I2", "I12", "I11"]
    held = summary["indicators"][1]
    assert held["scenario_points"] is None and held["points_change"] is None and held["base_points"] == 1
    assert summary["supporting"] == [
        {
            "indicator": "natural_area",
            "base_value": 100.0,
            "scenario_value": 130.0,
            "change": 30.0,
            "label": {"en": "natural area", "zh": "自然区域"},
            "unit": {"en": "ha", "zh": "公顷"},
        }
    ]
    json.dumps(summary, allow_nan=False)  # no NaN reaches scorecard.json


def test_title_base_year_and_changes_in_both_languages():
    summary = summarize_scenario(SCENARIO, comparison=comparison(), changes=changes())
    assert summary["title"] == {"en": "Restore and develop", "zh": "恢复与开发"}
    assert summary["base_year"] == 2020
    restore, develop = summary["changes"]
    assert restore["kind"] == "restore" and restore["cells_changed"] == 300 and restore["area_changed_ha"] == 30.0
    assert "tree canopy" in restore["text"]["en"] and "2016" in restore["text"]["en"]
    assert "树冠覆盖" in restore["text"]["zh"] and "2016" in restore["text"]["zh"]
    assert restore["note"] is None
    assert develop["kind"] == "landcover"
    for language in ("en", "zh"):
        assert "plots.gpkg" in develop["text"][language] and "50" in develop["text"][language]
        assert "10, 20" in develop["text"][language]
    assert develop["note"]["en"] == "changed nothing inside the city" and develop["note"]["zh"]


def test_a_scenario_without_titles_is_titled_by_its_name():
    untitled = {key: value for key, value in SCENARIO.items() if not key.startswith("title")}
    summary = summarize_scenario(untitled, comparison=comparison(), changes=changes())
    assert summary["title"] == {"en": "plan", "zh": "plan"}


def test_tables_are_paired_with_their_scenario_by_folder(tmp_path):
    paths = {}
    for name in ("other", "plan"):
        folder = tmp_path / "scenarios" / name
        folder.mkdir(parents=True)
        paths[name] = (folder / "scenario_comparison.csv", folder / "changes.csv")
    comparison().to_csv(paths["plan"][0], index=False, encoding="utf-8-sig")
    changes().to_csv(paths["plan"][1], index=False, encoding="utf-8-sig")
    other = comparison().assign(scenario_points=0, points_change=None)
    other.to_csv(paths["other"][0], index=False, encoding="utf-8-sig")
    changes().to_csv(paths["other"][1], index=False, encoding="utf-8-sig")
    comparisons = [str(paths[name][0]) for name in ("other", "plan")]
    changes_csvs = [str(paths[name][1]) for name in ("plan", "other")]
    (summary,) = scenario_summaries([SCENARIO], comparison_csvs=comparisons, changes_csvs=changes_csvs)
    assert summary == summarize_scenario(SCENARIO, comparison=comparison(), changes=changes())
    with pytest.raises(CBIDefectError, match="'plan'"):
        scenario_summaries([SCENARIO], comparison_csvs=comparisons[:1], changes_csvs=changes_csvs)


OVERLAY_SCENARIO = {
    "name": "reserve",
    "base_year": 2020,
    "changes": [
        {"overlay": "protected_areas", "add": "data/city/new_reserve.gpkg", "category": "nature_reserve"},
        {"landcover": "data/city/plots.gpkg", "to": 50},
        {"overlay": "redline", "remove": "data/city/released.gpkg"},
        {"population": 1250000},
    ],
}


def overlay_changes_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The land-cover rule's changes.csv (step 2) and the overlay rule's overlay_changes.csv (steps 1, 3, 4)."""
    land_cover = pd.DataFrame(
        {"step": [2], "change": ["..."], "cells_changed": [12], "area_changed_ha": [1.2], "note": [""]}
    )
    overlays = pd.DataFrame(
        {
            "step": [1, 3, 4],
            "change": ["...", "...", "population 1250000 persons"],
            "cells_changed": ["", "", ""],
            "area_changed_ha": [250.5, 0.0, ""],
            "note": ["", "changed nothing inside the city", ""],
        }
    )
    return land_cover, overlays


def test_overlay_and_population_changes_are_described_and_merged_by_step(tmp_path):
    folder = tmp_path / "scenarios" / "reserve"
    folder.mkdir(parents=True)
    land_cover, overlays = overlay_changes_tables()
    land_cover.to_csv(folder / "changes.csv", index=False, encoding="utf-8-sig")
    overlays.to_csv(folder / "overlay_changes.csv", index=False, encoding="utf-8-sig")
    comparison().to_csv(folder / "scenario_comparison.csv", index=False, encoding="utf-8-sig")
    (summary,) = scenario_summaries(
        [OVERLAY_SCENARIO],
        comparison_csvs=[str(folder / "scenario_comparison.csv")],
        changes_csvs=[str(folder / "changes.csv"), str(folder / "overlay_changes.csv")],
        coverage_layers=[{"id": "redline", "name": "ecological protection red line", "name_zh": "生态保护红线"}],
    )
    add, develop, remove, population = summary["changes"]
    assert [change["kind"] for change in summary["changes"]] == ["overlay", "landcover", "overlay", "population"]
    assert add["cells_changed"] is None and add["area_changed_ha"] == 250.5 and add["note"] is None
    assert add["text"] == {
        "en": "add the polygons of new_reserve.gpkg to the protected areas as nature reserve",
        "zh": "将 new_reserve.gpkg 的多边形作为自然保护区纳入保护地",
    }
    assert develop["cells_changed"] == 12 and develop["area_changed_ha"] == 1.2
    assert remove["text"]["en"] == "remove the polygons of released.gpkg from the ecological protection red line"
    assert remove["text"]["zh"] == "将 released.gpkg 的多边形移出生态保护红线"
    assert remove["note"]["en"] == "added or removed no area inside the city"
    assert population["text"]["en"].startswith("population 1,250,000 persons")
    assert population["area_changed_ha"] is None and population["note"] is None
    json.dumps(summary, allow_nan=False)


def test_a_missing_step_is_a_defect():
    land_cover, overlays = overlay_changes_tables()
    with pytest.raises(CBIDefectError, match="steps \\[1, 3, 4\\] for 4 changes"):
        summarize_scenario(OVERLAY_SCENARIO, comparison=comparison(), changes=overlays)


def test_control_line_shares_are_labelled_with_the_layer_name():
    rows = comparison()
    extra = pd.DataFrame(
        [
            {"indicator": "redline_coverage", "base_value": 10.0, "scenario_value": 12.0, "change": 2.0},
            {"indicator": "population", "base_value": 1e6, "scenario_value": 1.25e6, "change": 2.5e5},
        ]
    ).assign(base_status="supporting", scenario_status="supporting")
    land_cover, overlays = overlay_changes_tables()
    summary = summarize_scenario(
        OVERLAY_SCENARIO,
        comparison=pd.concat([rows, extra], ignore_index=True),
        changes=pd.concat([land_cover, overlays]),
        names={"redline": {"en": "red line", "zh": "红线"}, "protected_areas": {"en": "pa", "zh": "保护地"}},
    )
    coverage, population = summary["supporting"][1:]
    assert coverage["label"] == {"en": "red line: share of the city", "zh": "红线占城市面积比例"}
    assert coverage["unit"] == {"en": "%", "zh": "%"}
    assert population["label"] == {"en": "population", "zh": "人口"} and population["unit"]["zh"] == "人"
