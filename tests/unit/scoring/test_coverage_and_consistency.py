"""Partial raster coverage holds a year's spatial indicators; inconsistent values stop the city (hand numbers)."""

import json

import pandas as pd
import pytest

from cbindex.core.errors import CBIDefectError, CBIInputError
from cbindex.geo.coverage import raster_coverage
from cbindex.scoring.consistency import consistency_problems
from cbindex.scoring.coverage import add_boundary_note
from cbindex.scoring.stage import score_city
from tests.helpers import REPO

SI_2014 = REPO / "config" / "scoring" / "si-2014.yaml"


def test_coverage_counts_nodata_and_land_outside_the_raster_as_not_covered():
    # boundary 1000 ha; 560 ha of cells with data, 18 ha of no-data cells, so 422 ha lie outside the raster
    coverage = raster_coverage(boundary_ha=1000.0, valid_ha=560.0, nodata_ha=18.0)
    assert coverage.covered_share_percent == pytest.approx(56.0)
    assert coverage.uncovered_ha == pytest.approx(422.0)
    assert coverage.shortfall_percent == pytest.approx(44.0)
    assert coverage.is_partial(tolerance_percent=1.0)
    assert not coverage.is_partial(tolerance_percent=44.0)


def test_boundary_cell_rule_overshoot_is_full_coverage():
    coverage = raster_coverage(boundary_ha=7391.099, valid_ha=7391.147, nodata_ha=0.0)
    assert coverage.uncovered_ha == 0.0 and coverage.shortfall_percent == 0.0


def stage_table(tmp_path, rows_by_year):
    lines = ["city,year,indicator,value,unit,method"]
    for year, rows in rows_by_year.items():
        lines += [f"x,{year},{name},{value},u,test" for name, value in rows.items()]
    path = tmp_path / "landcover_indicators.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def year_rows(*, boundary, city, nodata, natural=300.0, i2=100.0):
    return {
        "boundary_area": boundary,
        "city_area": city,
        "nodata_area": nodata,
        "terrestrial_area": city,
        "natural_area": natural,
        "I1": 100 * natural / city,
        "I2": i2,
        "I11": 40.0,
        "I12": 20.0,
    }


def run(tmp_path, rows_by_year, *, rule_set_path=str(SI_2014), **options):
    settings = {"boundary_coverage_tolerance_percent": 1.0, "on_partial_coverage": "hold", **options}
    score_city(
        city="x",
        tables=[stage_table(tmp_path, rows_by_year)],
        rule_set_path=rule_set_path,
        figures_path=None,
        indicators_csv=str(tmp_path / "i.csv"),
        scorecard_json=str(tmp_path / "s.json"),
        **settings,
    )
    return json.loads((tmp_path / "s.json").read_text(encoding="utf-8")), pd.read_csv(tmp_path / "i.csv")


def test_a_partly_covered_year_is_held_not_scored(tmp_path):
    # 2020 covers the whole city; 2021's raster covers 578 of 1000 ha (the rest outside it or without data)
    scorecard, table = run(
        tmp_path,
        {
            2020: year_rows(boundary=1000.0, city=1000.0, nodata=0.0),
            2021: year_rows(boundary=1000.0, city=560.0, nodata=18.0, natural=200.0),
        },
    )
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert rows["I1"]["status"] == "partial_coverage" and rows["I1"]["points"] is None
    assert rows["I1"]["value"] == pytest.approx(100 * 200 / 560)  # the value is kept
    assert rows["I1"]["next_band"] is None
    assert scorecard["totals"]["indicators_partial_coverage"] == 4  # I1, I2, I11, I12
    assert scorecard["totals"]["points"] == 0 and scorecard["totals"]["indicators_scored"] == 0
    coverage = {entry["year"]: entry for entry in scorecard["coverage"]}
    assert coverage[2021]["partial"] and not coverage[2020]["partial"]
    assert coverage[2021]["uncovered_area_ha"] == pytest.approx(422.0)
    assert coverage[2021]["nodata_area_ha"] == pytest.approx(18.0)
    assert any("Partial coverage" in note and "56.0 %" in note for note in scorecard["notes"])
    assert any("数据覆盖不完整" in note for note in scorecard["notes_zh"])
    by_year = table.set_index(["indicator", "year"])
    assert by_year.loc[("I1", 2021), "status"] == "partial_coverage"
    assert pd.isna(by_year.loc[("I1", 2021), "points"])
    assert by_year.loc[("I1", 2020), "status"] == "scored"


def test_on_partial_coverage_score_scores_and_says_so(tmp_path):
    scorecard, table = run(
        tmp_path, {2021: year_rows(boundary=1000.0, city=560.0, nodata=18.0)}, on_partial_coverage="score"
    )
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert rows["I1"]["status"] == "scored"
    assert any("scored anyway" in note for note in scorecard["notes"])
    assert set(table.loc[table["indicator"] == "I1", "status"]) == {"scored"}


def test_within_the_tolerance_nothing_is_held(tmp_path):
    scorecard, _ = run(tmp_path, {2021: year_rows(boundary=1000.0, city=995.0, nodata=5.0)})
    assert {row["status"] for row in scorecard["indicators"] if row["id"] in ("I1", "I2")} == {"scored"}
    assert scorecard["coverage"][0]["partial"] is False


def test_unknown_on_partial_coverage_is_a_config_error(tmp_path):
    with pytest.raises(CBIInputError, match="on_partial_coverage"):
        run(tmp_path, {2021: year_rows(boundary=1000.0, city=1000.0, nodata=0.0)}, on_partial_coverage="skip")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"natural_area": 1200.0, "I1": 100.0}, "natural_area 1200 exceeds city_area 1000"),
        ({"I2": 400.0}, "I2 400 exceeds natural_area 300"),
        ({"terrestrial_area": 1000.5}, "terrestrial_area 1000.5 exceeds city_area 1000"),
        ({"I11": 101.0}, "I11 101 % lies outside 0-100 %"),
    ],
)
def test_an_inconsistent_table_stops_the_city_as_a_defect(tmp_path, changes, message):
    rows = {**year_rows(boundary=1000.0, city=1000.0, nodata=0.0), **changes}
    with pytest.raises(CBIDefectError, match=message) as raised:
        run(tmp_path, {2020: rows})
    assert "defect of the workflow" in str(raised.value) and "nothing was scored" in str(raised.value)
    assert not (tmp_path / "s.json").exists() and not (tmp_path / "i.csv").exists()


def test_consistent_tables_pass_including_rounding_noise():
    rows = year_rows(boundary=1000.0, city=1000.0, nodata=0.0, natural=300.0, i2=300.0 * (1 + 1e-13))
    table = pd.DataFrame([{"year": 2020, "indicator": k, "value": v} for k, v in rows.items()])
    assert consistency_problems(table) == []


def test_indicator_table_carries_the_next_band_and_the_margin(tmp_path):
    # I1 = 30 % natural (4 points on (20, +inf)): top band, may fall by exactly 10 (20 itself scores 3: short of it)
    # I11 = 40 %: change and margin follow the I11 bands; written for the scored rows only
    _, table = run(tmp_path, {2020: year_rows(boundary=1000.0, city=1000.0, nodata=0.0, natural=300.0)})
    i1 = table.set_index("indicator").loc["I1"]
    assert pd.isna(i1["change_to_next_band"])
    assert i1["margin_to_band_below"] == pytest.approx(-10.0)
    assert "top band reached" in i1["next_step"] and "may fall by 9.9 percentage points" in i1["next_step"]
    supporting = table.set_index("indicator").loc["city_area"]
    assert pd.isna(supporting["next_step"])


def test_a_boundary_of_several_features_is_named_in_the_scorecard(tmp_path):
    rows = {
        **year_rows(boundary=1000.0, city=1000.0, nodata=0.0),
        "boundary_features": 2,
        "boundary_features_area": 1000.0,
    }
    scorecard, _ = run(tmp_path, {2020: rows})
    assert scorecard["boundary"] == {"features": 2, "features_area_ha": 1000.0}
    assert any("2 features of the boundary file (1,000.0 ha in all)" in note for note in scorecard["notes"])
    assert any("2 个要素" in note for note in scorecard["notes_zh"])
    single = {**rows, "boundary_features": 1}
    scorecard, _ = run(tmp_path, {2020: single})
    assert scorecard["boundary"]["features"] == 1
    assert not any("features of the boundary file" in note for note in scorecard["notes"])


def test_the_boundary_note_reaches_the_scorecard_in_both_languages():
    scorecard = {"notes": [], "notes_zh": []}
    add_boundary_note(scorecard, notes={"en": "The metropolitan area.", "zh": "都市圈。"})
    assert scorecard["boundary_note"] == {"en": "The metropolitan area.", "zh": "都市圈。"}
    assert scorecard["notes"] == ["City boundary: The metropolitan area."]
    assert scorecard["notes_zh"] == ["城市边界：都市圈。"]
    empty = {"notes": [], "notes_zh": []}
    add_boundary_note(empty, notes={"en": "", "zh": ""})
    assert empty == {"notes": [], "notes_zh": []}


CONTROL_LINE_RULE = """
  - id: eco_control_line_coverage
    number: 25
    name_zh: 基本生态控制线面积占城市面积的比例
    name: Proportion of the city area within the basic ecological control line
    component: ecological_redline
    unit: "%"
    unit_zh: "%"
    kind: numeric
    source: spatial
    value_min: 0
    value_max: 100
    description: A city's own rule (test), not an official one.
    bands_status: adapted
    bands:
      - {points: 0, min: 0, max: 50, min_inclusive: true, max_inclusive: false, label: "< 50 %", source: test,
         verified: false}
      - {points: 4, min: 50, max: 100, min_inclusive: true, max_inclusive: true, label: ">= 50 %", source: test,
         verified: false}
"""


def test_a_control_line_is_scored_only_where_a_rule_set_gives_bands(tmp_path):
    scoring = tmp_path / "scoring"
    scoring.mkdir()
    for source in (REPO / "config" / "scoring").glob("*.yaml"):
        (scoring / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with_rule = scoring / "cn-ubi.yaml"
    with_rule.write_text(with_rule.read_text(encoding="utf-8") + CONTROL_LINE_RULE, encoding="utf-8")
    rows = year_rows(boundary=1000.0, city=1000.0, nodata=0.0) | {
        "redline_coverage": 30.0,
        "redline_area": 300.0,
        "eco_control_line_coverage": 55.0,
        "eco_control_line_area": 550.0,
        "priority_eco_space_coverage": 70.0,
        "priority_eco_space_area": 700.0,
    }
    _, table = run(tmp_path, {2020: rows}, rule_set_path=str(with_rule))
    status = table.set_index("indicator")["status"]
    points = table.set_index("indicator")["points"]
    assert status["eco_control_line_coverage"] == "scored" and points["eco_control_line_coverage"] == 4
    assert status["priority_eco_space_coverage"] == "supporting"  # no rule set names it: reported, not scored
    assert status["redline_coverage"] == "no_bands"  # cn-ubi: bands set by the city
