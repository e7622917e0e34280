"""City targets: trajectory and on-track arithmetic worked by hand, every bad-input sentence, the templates, the
scorecard section and targets.csv on a hand-made indicator table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cbindex.core.errors import CBIInputError
from cbindex.scoring.frameworks import load_framework
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.rules import Band, IndicatorRule
from cbindex.scoring.target_progress import (
    HIGHER_IS_BETTER,
    LOWER_IS_BETTER,
    assess_target,
    indicator_direction,
    trajectory_value,
)
from cbindex.scoring.target_summary import follow_targets, targets_table
from cbindex.scoring.targets_file import (
    CityTarget,
    read_city_targets,
    render_targets_csv_template,
    render_targets_template,
)

REPO = Path(__file__).resolve().parents[3]
SI_2014 = load_rule_set(REPO / "config" / "scoring" / "si-2014.yaml")
YEARS = [2016, 2017, 2018, 2019, 2020]


def target(indicator="I1", *, value=25.0, kind="value", year=2030, baseline_year=2016) -> CityTarget:
    return CityTarget(
        indicator=indicator,
        kind=kind,
        target=value,
        year=year,
        baseline_year=baseline_year,
        source=None,
        note=None,
        status="draft",
        where="targets[0]",
    )


# ------------------------------------------------------------------------------ trajectory and progress


def test_trajectory_is_the_straight_line_from_baseline_to_target():
    # 18 % in 2016 to 25 % in 2030: 0.5 a year, so 20 % in 2020 (and np.interp agrees)
    value = trajectory_value(baseline_year=2016, baseline_value=18.0, target_year=2030, target_value=25.0, year=2020)
    assert value == pytest.approx(20.0)
    assert value == pytest.approx(np.interp(2020, [2016, 2030], [18.0, 25.0]))


def test_ahead_of_the_trajectory_is_on_track_with_the_change_still_needed():
    # trajectory(2020) = 20; 21 >= 20: on track; (25 - 21) / (2030 - 2020) = 0.4 a year still needed
    result = assess_target(target(), series={2016: 18.0, 2018: 19.0, 2020: 21.0}, rule=SI_2014.indicators["I1"])
    assert result["progress"] == "on_track" and result["on_track"] is True
    assert result["trajectory_latest"] == pytest.approx(20.0)
    assert result["change_per_year_needed"] == pytest.approx(0.4)
    assert result["gap_to_target"] == pytest.approx(4.0)
    assert (result["latest_year"], result["latest_value"], result["baseline_value"]) == (2020, 21.0, 18.0)


def test_behind_the_trajectory_is_off_track():
    # 19.5 < 20: off track; (25 - 19.5) / 10 = 0.55 a year
    result = assess_target(target(), series={2016: 18.0, 2020: 19.5}, rule=SI_2014.indicators["I1"])
    assert result["progress"] == "off_track" and result["on_track"] is False
    assert result["change_per_year_needed"] == pytest.approx(0.55)


def test_exactly_on_the_trajectory_is_on_track():
    # 18 + 7 × 4/14 computed in floating point is 20 up to rounding: counts as on the line
    result = assess_target(target(), series={2016: 18.0, 2020: 18.0 + 7.0 * 4 / 14}, rule=SI_2014.indicators["I1"])
    assert result["progress"] == "on_track"


def test_lower_is_better_follows_the_falling_trajectory():
    # I10 (invasive share, reverse scale): 20 % in 2016 to 10 % in 2030, trajectory(2020) = 20 - 10 × 4/14
    # = 17.142857; 17 is below it, so on track; (10 - 17) / 10 = -0.7 a year
    rule = SI_2014.indicators["I10"]
    assert indicator_direction(rule) == LOWER_IS_BETTER
    result = assess_target(target("I10", value=10.0), series={2016: 20.0, 2020: 17.0}, rule=rule)
    assert result["direction"] == LOWER_IS_BETTER
    assert result["trajectory_latest"] == pytest.approx(20.0 - 10.0 * 4 / 14)
    assert result["progress"] == "on_track"
    assert result["change_per_year_needed"] == pytest.approx(-0.7)
    behind = assess_target(target("I10", value=10.0), series={2016: 20.0, 2020: 17.5}, rule=rule)
    assert behind["progress"] == "off_track"


def test_target_met_needs_no_more_change():
    result = assess_target(target(), series={2016: 18.0, 2020: 26.0}, rule=SI_2014.indicators["I1"])
    assert result["progress"] == "target_met" and result["on_track"] is True
    assert result["change_per_year_needed"] == 0.0


def test_target_year_passed_without_meeting_it():
    result = assess_target(target(year=2019), series={2016: 18.0, 2020: 24.0}, rule=SI_2014.indicators["I1"])
    assert result["progress"] == "target_year_passed" and result["on_track"] is False
    assert result["change_per_year_needed"] is None


def test_only_the_baseline_year_says_so_and_gives_the_change_needed():
    # (25 - 18) / (2030 - 2016) = 0.5 a year; on track cannot be said yet
    result = assess_target(target(), series={2016: 18.0}, rule=SI_2014.indicators["I1"])
    assert result["progress"] == "baseline_only" and result["on_track"] is None
    assert result["change_per_year_needed"] == pytest.approx(0.5)


def test_no_value_in_the_baseline_year_or_at_all():
    no_baseline = assess_target(target(baseline_year=2015), series={2016: 18.0}, rule=SI_2014.indicators["I1"])
    assert no_baseline["progress"] == "no_baseline_value" and no_baseline["on_track"] is None
    assert all(point["trajectory"] is None for point in no_baseline["values"])
    nothing = assess_target(target(), series={2016: None, 2017: float("nan")}, rule=SI_2014.indicators["I1"])
    assert nothing["progress"] == "not_assessed" and nothing["latest_value"] is None


def test_values_list_every_year_and_the_target_year_with_the_trajectory():
    result = assess_target(target(), series={2016: 18.0, 2020: 21.0}, rule=SI_2014.indicators["I1"])
    assert [(p["year"], p["value"]) for p in result["values"]] == [(2016, 18.0), (2020, 21.0), (2030, None)]
    assert [p["trajectory"] for p in result["values"]] == pytest.approx([18.0, 20.0, 25.0])


def test_points_targets_are_higher_is_better_whatever_the_indicator():
    # I10's points rise as its value falls; a points target compares points: 1 in 2016 to 3 in 2030,
    # trajectory(2020) = 1 + 2 × 4/14 = 1.571; 2 points are ahead of it
    result = assess_target(
        target("I10", value=3.0, kind="points"), series={2016: 1.0, 2020: 2.0}, rule=SI_2014.indicators["I10"]
    )
    assert result["direction"] == HIGHER_IS_BETTER
    assert result["progress"] == "on_track"
    assert result["change_per_year_needed"] == pytest.approx(0.1)


def _band(points, low, high):
    return Band(points, low, high, True, False, f"{low}-{high}", "test", False)


def test_direction_comes_from_the_bands_before_reverse_scale():
    falling = IndicatorRule(
        id="X1",
        number=1,
        name="x",
        name_zh="x",
        component="c",
        unit="%",
        kind="numeric",
        source="city",
        description="",
        bands_status="city",
        bands=(_band(4, None, 10.0), _band(0, 10.0, None)),
        reverse_scale=False,
    )
    assert indicator_direction(falling) == LOWER_IS_BETTER
    assert indicator_direction(dataclasses.replace(falling, bands=())) == HIGHER_IS_BETTER
    assert indicator_direction(dataclasses.replace(falling, bands=(), reverse_scale=True)) == LOWER_IS_BETTER
    assert indicator_direction(SI_2014.indicators["I1"]) == HIGHER_IS_BETTER


# ------------------------------------------------------------------------------ reading and bad input


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, rule_set=SI_2014):
    return read_city_targets(path, rule_set=rule_set, landcover_years=YEARS)


def test_yaml_targets_are_read_with_defaults(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        "rule_set: si-2014\nstatus: draft\ntargets:\n"
        "  - {indicator: I1, value: 20, year: 2030, source: LBSAP art. 4}\n"
        "  - {indicator: I2, points: 3, year: 2035, baseline_year: 2018, status: adopted}\n",
    )
    first, second = read(path)
    assert (first.kind, first.target, first.year, first.baseline_year, first.status) == (
        "value",
        20.0,
        2030,
        2016,
        "draft",
    )
    assert first.source == "LBSAP art. 4"
    assert (second.kind, second.target, second.baseline_year, second.status) == ("points", 3.0, 2018, "adopted")


def test_no_targets_file_gives_no_targets():
    assert read_city_targets(None, rule_set=SI_2014, landcover_years=YEARS) == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "{indicator: I99, value: 1, year: 2030}",
            "targets[0] (I99) sets a target for I99, which is not an indicator of si-2014; use one of I1, I2,",
        ),
        (
            "{indicator: I1, value: 20, year: 2015}",
            "targets[0] (I1): the target year 2015 of I1 is not after its baseline year 2016 (the first land-cover "
            "year); give a later target year or an earlier baseline_year.",
        ),
        (
            "{indicator: I1, value: 20, year: 2030, baseline_year: 2030}",
            "the target year 2030 of I1 is not after its baseline year 2030 (baseline_year); give a later target",
        ),
        (
            "{indicator: I1, points: 5, year: 2030}",
            "targets[0] (I1): target points 5 of I1 are outside 0 to its maximum of 4 points; give at most 4.",
        ),
        (
            "{indicator: I1, value: 20, points: 3, year: 2030}",
            "targets[0] (I1) gives I1 both a target value (20) and target points (3); keep one.",
        ),
        (
            "{indicator: I1, year: 2030}",
            "targets[0] (I1) gives I1 neither a target value nor target points; fill in one.",
        ),
        (
            "{indicator: I18, points: 2, year: 2030}",
            "targets[0] (I18) sets target points for I18, which has no bands in si-2014, so its points cannot be "
            "followed; give a target value instead, or set bands in the city's scoring overrides.",
        ),
        (
            "{indicator: I17, value: 2, year: 2030}",
            "targets[0] (I17) gives I17 a target value, but I17 is categorical (levels, not numbers); give the "
            "target in points instead.",
        ),
        (
            "{indicator: I1, value: 150, year: 2030}",
            "targets[0] (I1): the target value is wrong: I1 must lie between 0 and 100 %, not 150; check the figure.",
        ),
    ],
)
def test_bad_yaml_target_is_one_sentence_naming_file_row_and_fix(tmp_path, entry, message):
    path = write(tmp_path, "t.yaml", f"targets:\n  - {entry}\n")
    with pytest.raises(CBIInputError) as caught:
        read(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_repeated_indicator_and_year_is_rejected(tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        "targets:\n  - {indicator: I1, value: 20, year: 2030}\n  - {indicator: I1, points: 4, year: 2030}\n",
    )
    with pytest.raises(CBIInputError, match=r"targets\[1\] \(I1\) repeats the 2030 target of I1 \(first given in "):
        read(path)


def test_targets_written_for_another_rule_set_are_rejected(tmp_path):
    path = write(tmp_path, "t.yaml", "rule_set: si-2021\ntargets:\n  - {indicator: I1, value: 20, year: 2030}\n")
    with pytest.raises(CBIInputError, match="written for rule set si-2021 but the city is scored with si-2014"):
        read(path)


def test_schema_breaks_name_the_file(tmp_path):
    path = write(tmp_path, "t.yaml", "targets:\n  - {indicator: I1, valu: 20, year: 2030}\n")
    with pytest.raises(CBIInputError, match=str(path)):
        read(path)


def test_excluded_indicator_cannot_get_a_target(tmp_path):
    rule_set = dataclasses.replace(
        SI_2014, indicators={**SI_2014.indicators, "I1": dataclasses.replace(SI_2014.indicators["I1"], included=False)}
    )
    path = write(tmp_path, "t.yaml", "targets:\n  - {indicator: I1, value: 20, year: 2030}\n")
    with pytest.raises(CBIInputError, match="which the city's scoring overrides leave out of the scorecard"):
        read(path, rule_set)


def test_other_suffix_is_rejected(tmp_path):
    path = write(tmp_path, "t.txt", "")
    with pytest.raises(CBIInputError, match=r"must end in \.yaml, \.yml or \.csv"):
        read(path)


def test_csv_targets_are_read(tmp_path):
    path = write(
        tmp_path,
        "t.csv",
        "indicator,value,points,year,baseline_year,source,status\nI1,20,,2030,,LBSAP,adopted\n,,,,,,\nI2,,3,2035,2018,,\n",
    )
    first, second = read(path)
    assert (first.indicator, first.target, first.year, first.baseline_year, first.status) == (
        "I1",
        20.0,
        2030,
        2016,
        "adopted",
    )
    assert (second.kind, second.target, second.baseline_year, second.status) == ("points", 3.0, 2018, "unstated")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("indicator,value,year,goal\nI1,20,2030,x\n", "the header has the unknown column 'goal'; use only"),
        ("indicator,value\nI1,20\n", "the header lacks the column 'year'; add it as in config/targets_template.csv."),
        ("indicator,value,year\nI1,20,2030\nI2,20,soon\n", "row 3 (I2): year 'soon' is not a number; write a number."),
        ("indicator,points,year\nI1,2.5,2030\n", "row 2 (I1): points '2.5' must be a whole number; round it."),
        ("indicator,points,year\nI1,7,2030\n", "row 2 (I1): target points 7 of I1 are outside 0 to its maximum of 4"),
        (
            "indicator,value,year,status\nI1,20,2030,agreed\n",
            "row 2 (I1): status 'agreed' is not one of adopted, draft",
        ),
        ("indicator,value,year\nI1,20,\n", "row 2 (I1): year is empty; fill in a year (e.g. 2030)."),
        ("indicator,value,year\nI99,20,2030\n", "row 2 (I99) sets a target for I99, which is not an indicator of"),
        ("indicator,value,year\n", "has no target rows"),
        ("", "is empty; start from config/targets_template.csv"),
    ],
)
def test_bad_csv_target_is_one_sentence_naming_file_row_and_fix(tmp_path, text, message):
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(CBIInputError) as caught:
        read(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_shipped_templates_are_what_the_generator_writes_and_are_accepted():
    yaml_template, csv_template = REPO / "config" / "targets_template.yaml", REPO / "config" / "targets_template.csv"
    assert yaml_template.read_text(encoding="utf-8") == render_targets_template(SI_2014)
    assert csv_template.read_text(encoding="utf-8-sig") == render_targets_csv_template(SI_2014)
    assert [t.indicator for t in read(yaml_template)] == [t.indicator for t in read(csv_template)] == ["I1", "I1"]


def test_freetown_example_is_marked_as_an_example():
    targets = read(REPO / "data" / "freetown" / "targets_example.yaml")
    assert {t.status for t in targets} == {"example"}
    assert "NOT TARGETS FREETOWN HAS ADOPTED" in (REPO / "data" / "freetown" / "targets_example.yaml").read_text(
        encoding="utf-8"
    )


# ------------------------------------------------------------------------------ scorecard section and table


def test_scorecard_section_groups_targets_by_framework_target_and_table_has_a_row_per_year():
    table = pd.DataFrame(
        {
            "indicator": ["I1", "I1", "I2", "I2", "I15"],
            "year": pd.array([2016, 2020, 2016, 2020, None], dtype="Int64"),
            "value": [18.0, 19.5, 400.0, 420.0, 2.0],
            "points": pd.array([3, 3, 1, 1, 2], dtype="Int64"),
        }
    )
    targets = [target("I1", value=25.0), target("I2", value=3.0, kind="points"), target("I15", value=5.0)]
    framework = load_framework(REPO / "config" / "frameworks" / "kmgbf.yaml")
    section = follow_targets(targets, table=table, rule_set=SI_2014, framework=framework, targets_path="t.yaml")
    i1, i2, i15 = section["items"]
    assert (i1["progress"], i1["change_per_year_needed"]) == ("off_track", pytest.approx(0.55))
    # points 1 in 2016 and 2020, trajectory(2020) = 1 + 2 × 4/14 = 1.571: behind
    assert (i2["progress"], i2["unit"], i2["unit_zh"]) == ("off_track", "points", "分")
    assert i15["progress"] == "not_assessed"  # the figures value has no year, so it cannot be placed in time
    groups = {group["number"]: group["items"] for group in section["by_framework_target"]}
    assert groups == {1: [0, 1], 2: [0, 1], 12: [0, 1], 14: [2], 19: [2]}
    assert section["unlinked"] == []
    assert all(link["basis"] == "proposal" for item in section["items"] for link in item["framework_targets"])
    assert any("proposal" in note for note in section["notes"]) and section["notes_zh"]
    assert "0.55" in i1["text"] and "0.55" in i1["text_zh"]
    csv_rows = targets_table(section, city="x")
    assert len(csv_rows) == 3 + 3 + 1  # I1, I2: 2016, 2020 and 2030; I15: no dated value, only 2030
    assert list(csv_rows.loc[csv_rows["indicator"] == "I1", "trajectory"]) == pytest.approx([18.0, 20.0, 25.0])
    assert set(csv_rows.loc[csv_rows["indicator"] == "I1", "framework_targets"]) == {"kmgbf 1; kmgbf 2; kmgbf 12"}


def test_no_targets_give_an_empty_section_and_a_header_only_table():
    table = pd.DataFrame({"indicator": [], "year": [], "value": [], "points": []})
    section = follow_targets([], table=table, rule_set=SI_2014, framework=None, targets_path=None)
    assert section["items"] == [] and section["by_framework_target"] == [] and section["framework"] is None
    assert targets_table(section, city="x").empty


def test_a_city_mapping_with_a_published_link_and_one_without_the_rule_set(tmp_path):
    mapping = tmp_path / "nbsap.yaml"
    mapping.write_text(
        "id: nbsap\nname: National plan\nname_zh: 国家战略\nsource: National plan 2023\n"
        "targets:\n  '7': {title: Urban green space, title_zh: 城市绿地, title_source: plan p. 3, "
        "title_zh_source: plan p. 3}\n"
        "links:\n  si-2014:\n    I1: [{target: 7, basis: published, citation: 'National plan 2023, table 2'}]\n",
        encoding="utf-8",
    )
    table = pd.DataFrame({"indicator": ["I1"], "year": pd.array([2016], dtype="Int64"), "value": [18.0], "points": [3]})
    framework = load_framework(mapping)
    section = follow_targets([target()], table=table, rule_set=SI_2014, framework=framework, targets_path="t.yaml")
    (link,) = section["items"][0]["framework_targets"]
    assert (link["number"], link["basis"], link["citation"]) == (7, "published", "National plan 2023, table 2")
    assert not link["title_zh_is_translation"]
    assert section["by_framework_target"][0]["title"] == "Urban green space"
    assert section["notes"] == []  # published, official titles: nothing to warn about
    si_2021 = load_rule_set(REPO / "config" / "scoring" / "si-2021.yaml")
    other = follow_targets([target()], table=table, rule_set=si_2021, framework=framework, targets_path="t.yaml")
    assert other["unlinked"] == [0] and other["by_framework_target"] == []
    assert other["notes"] == [
        f"The framework mapping {mapping} lists no indicators of rule set si-2021, so no target is linked to a "
        "framework target."
    ]
