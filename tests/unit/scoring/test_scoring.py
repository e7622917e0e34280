"""Scoring rule sets, the scoring engine, city overrides, scorecards and city-supplied figures."""

import dataclasses
import functools
import json
import math
from pathlib import Path

import pytest
import yaml

from cbindex.core.errors import CBIInputError
from cbindex.scoring.figures import (
    CSV_ENCODING,
    figures_template_paths,
    load_city_figures,
    read_city_figures,
    render_figures_csv_template,
    render_figures_template,
)
from cbindex.scoring.overrides import apply_overrides, load_overrides
from cbindex.scoring.points import score_value
from cbindex.scoring.rule_sets import (
    band_coverage_problems,
    band_order_problems,
    indicator_problems,
    load_rule_set,
    rule_set_files,
)
from cbindex.scoring.rules import Band
from cbindex.scoring.scorecard import build_scorecard
from cbindex.scoring.stage import score_city
from tests.helpers import REPO

SCORING_DIR = REPO / "config" / "scoring"
SI_2014 = SCORING_DIR / "si-2014.yaml"
SI_2021 = SCORING_DIR / "si-2021.yaml"
CN_UBI = SCORING_DIR / "cn-ubi.yaml"
RULE_SET_PATHS = sorted(SCORING_DIR.glob("*.yaml"))


@functools.cache
def rule_set_at(path: Path):
    return load_rule_set(path)


@pytest.fixture
def si2014():
    return rule_set_at(SI_2014)


@pytest.fixture
def si2021():
    return rule_set_at(SI_2021)


@pytest.fixture
def cnubi():
    return rule_set_at(CN_UBI)


def indicator_ids_in(path: Path) -> list[str]:
    """Indicator ids read straight from the YAML, so collection never depends on the loader."""
    return [entry["id"] for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]]


def band(points, low, high, *, low_inclusive=True, high_inclusive=False, label=None) -> dict:
    """A band mapping as a city would write it in its overrides."""
    return {
        "points": points,
        "min": low,
        "max": high,
        "min_inclusive": low_inclusive,
        "max_inclusive": high_inclusive,
        "label": label or f"{low}–{high}",
        "source": "city decision",
        "verified": False,
    }


def write_yaml(path: Path, document) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------- rule-set files


def test_there_is_at_least_the_2014_rule_set():
    assert SI_2014 in RULE_SET_PATHS


@pytest.mark.parametrize(
    ("path", "indicator_id"),
    [(path, indicator_id) for path in RULE_SET_PATHS for indicator_id in indicator_ids_in(path)],
    ids=lambda item: item.stem if isinstance(item, Path) else item,
)
def test_bands_cover_the_value_range_exactly_once(path, indicator_id):
    rule = rule_set_at(path).indicators[indicator_id]
    assert band_coverage_problems(rule) == []
    assert indicator_problems(rule) == []


def test_si_2014_structure(si2014):
    assert si2014.id == "si-2014"
    assert si2014.max_points == 92
    assert list(si2014.indicators) == [f"I{number}" for number in range(1, 24)]
    assert {component.id: component.max_points for component in si2014.components.values()} == {
        "native_biodiversity": 40,
        "ecosystem_services": 16,
        "governance": 36,
    }
    assert [rule.id for rule in si2014.indicators.values() if rule.reverse_scale] == ["I10"]
    assert [rule.id for rule in si2014.indicators.values() if rule.source == "spatial"] == [
        "I1",
        "I2",
        "I9",
        "I11",
        "I12",
        "I13",
    ]
    assert [rule.id for rule in si2014.indicators.values() if not rule.has_bands] == ["I18", "I21", "I22"]
    assert all(rule.bands_status == "unknown" for rule in si2014.indicators.values() if not rule.has_bands)
    every_band = [entry for rule in si2014.indicators.values() for entry in (*rule.bands, *rule.levels)]
    assert every_band and not any(entry.verified for entry in every_band)
    assert all("not verified" in entry.source for entry in every_band)
    assert all(rule.name_zh and rule.description for rule in si2014.indicators.values())


# ----------------------------------------------------------------------------------------- scoring values


@pytest.mark.parametrize(
    ("indicator_id", "value", "points"),
    [
        ("I1", 0.99, 0),
        ("I1", 1.0, 1),
        ("I1", 6.999, 1),
        ("I1", 7.0, 2),
        ("I1", 13.95, 2),
        ("I1", 20.0, 3),
        ("I1", 20.0001, 4),
        ("I1", 0, 0),
        ("I1", 100, 4),
        # reverse scale: a lower share of invasive species scores higher
        ("I10", 0.5, 4),
        ("I10", 1.0, 3),
        ("I10", 11.05, 3),
        ("I10", 11.1, 2),
        ("I10", 20.0, 2),
        ("I10", 30.0, 1),
        ("I10", 30.01, 0),
        ("I10", 100, 0),
        # whole-hectare printed bands read with convention A.2
        ("I2", 199.9, 0),
        ("I2", 200, 1),
        ("I2", 500, 1),
        ("I2", 500.5, 1),
        ("I2", 501, 2),
        ("I2", 1500, 3),
        ("I2", 1500.5, 4),
        ("I2", 1501, 4),
        ("I3", 68, 3),
        ("I3", 69, 4),
        ("I4", -3, 0),
        ("I4", 0, 0),
        ("I4", 1, 1),
        ("I4", 3, 3),
        ("I4", 4, 4),
        ("I4", 12, 4),
        ("I14", 2.5, 2),
        ("I14", 3, 3),
        ("I14", 3.2, 4),
        ("I19", 0, 0),
        ("I19", 5, 3),
        ("I19", 6, 4),
        ("I23", 0, 0),
        ("I23", 1, 1),
        ("I23", 300, 3),
        ("I23", 301, 4),
    ],
)
def test_numeric_band_edges(si2014, indicator_id, value, points):
    score = score_value(si2014.indicators[indicator_id], value)
    assert (score.status, score.points) == ("scored", points)
    assert score.verified is False
    assert score.source == "M14 (recalled, not verified)"


def test_score_reports_the_band(si2014):
    score = score_value(si2014.indicators["I1"], 7.0)
    assert (score.band_label, score.band_min, score.band_max) == ("7.0–13.9 %", 7.0, 14.0)


@pytest.mark.parametrize("missing", [None, math.nan])
def test_missing_value_is_not_assessed_not_zero(si2014, missing):
    score = score_value(si2014.indicators["I1"], missing)
    assert (score.status, score.points) == ("not_assessed", None)


@pytest.mark.parametrize("value", [5, None])
def test_indicator_without_bands_is_not_scored(si2014, value):
    score = score_value(si2014.indicators["I18"], value)
    assert (score.status, score.points) == ("no_bands", None)


def test_categorical_indicator_scores_its_level(si2014):
    score = score_value(si2014.indicators["I17"], "lbsap_aligned_1_3_cbd")
    assert (score.status, score.points) == ("scored", 3)
    assert score.band_label_zh


@pytest.mark.parametrize(
    ("indicator_id", "value", "message"),
    [
        ("I1", "12 %", "I1 must be a number"),
        ("I1", 120.0, "I1 must lie between 0 and 100"),
        ("I1", True, "I1 must be a number"),
        ("I16", 2.5, "whole number"),
        ("I17", 3, "I17 is categorical"),
        ("I17", "yes", "not one of its levels"),
    ],
)
def test_bad_values_raise_one_sentence(si2014, indicator_id, value, message):
    with pytest.raises(CBIInputError, match=message) as caught:
        score_value(si2014.indicators[indicator_id], value, origin="results/x/indicators.csv")
    assert str(caught.value).startswith("results/x/indicators.csv: ")


# ----------------------------------------------------------------------------------------- coverage checks


def test_gap_is_reported_with_the_indicator(si2014):
    rule = si2014.indicators["I1"]
    bands = list(rule.bands)
    bands[1] = dataclasses.replace(bands[1], max=6.9)  # printed "1.0–6.9" taken literally
    problems = band_coverage_problems(dataclasses.replace(rule, bands=tuple(bands)))
    assert problems == [
        "I1: no band covers [6.9, 7) between the 1-point band (1.0–6.9 %) and the 2-point band (7.0–13.9 %); "
        "extend one of them"
    ]


def test_overlap_on_a_shared_inclusive_end_is_reported(si2014):
    rule = si2014.indicators["I1"]
    bands = list(rule.bands)
    bands[4] = dataclasses.replace(bands[4], min_inclusive=True)  # 20.0 now in both the 3- and 4-point bands
    (problem,) = band_coverage_problems(dataclasses.replace(rule, bands=tuple(bands)))
    assert problem.startswith("I1: the 3-point band (14.0–20.0 %) and the 4-point band (> 20.0 %) overlap on [20, 20]")


def test_open_top_is_reported(si2014):
    rule = si2014.indicators["I1"]
    (problem,) = band_coverage_problems(dataclasses.replace(rule, bands=rule.bands[:-1]))
    assert "no band covers (20, 100]" in problem


def test_points_against_the_scale_are_reported(si2014):
    rule = dataclasses.replace(si2014.indicators["I10"], reverse_scale=False)
    assert band_order_problems(rule) == [
        "I10: points fall as the value rises; set reverse_scale: true or fix the points"
    ]


def test_rule_set_file_with_a_gap_is_rejected(tmp_path):
    document = yaml.safe_load(SI_2014.read_text(encoding="utf-8"))
    document["indicators"][8]["bands"][1]["max"] = 7.3  # I9 "1.4–7.3 %" taken literally
    path = write_yaml(tmp_path / "broken.yaml", document)
    with pytest.raises(CBIInputError, match=r"broken\.yaml: I9: no band covers \[7\.3, 7\.4\)"):
        load_rule_set(path)


def test_rule_set_file_breaking_the_schema_names_file_and_key(tmp_path):
    document = yaml.safe_load(SI_2014.read_text(encoding="utf-8"))
    del document["indicators"][2]["bands"][0]["verified"]
    path = write_yaml(tmp_path / "incomplete.yaml", document)
    with pytest.raises(
        CBIInputError,
        match=r"incomplete\.yaml: key indicators\[I3\]\.bands\[0\] lacks the "
        r"required key 'verified'",
    ):
        load_rule_set(path)


def test_rule_set_components_must_add_up(tmp_path):
    document = yaml.safe_load(SI_2014.read_text(encoding="utf-8"))
    document["max_points"] = 100
    path = write_yaml(tmp_path / "sum.yaml", document)
    with pytest.raises(CBIInputError, match="max_points is 100 but the components add up to 92"):
        load_rule_set(path)


# ----------------------------------------------------------------------------------------- overrides


I18_BANDS = [band(0, None, 5, low_inclusive=False), band(1, 5, 10), band(2, 10, 15), band(3, 15, 20), band(4, 20, None)]


def test_override_adds_bands_and_marks_the_version(si2014):
    overridden = apply_overrides(si2014, {"I18": {"bands": I18_BANDS}})
    assert overridden.version == "2014.1+city"
    assert overridden.overridden == ("I18",)
    assert overridden.indicators["I18"].bands_status == "city"
    assert score_value(overridden.indicators["I18"], 12).points == 2
    assert si2014.version == "2014.1" and not si2014.indicators["I18"].bands  # original untouched
    assert apply_overrides(overridden, {"I18": {"bands": I18_BANDS}}).version == "2014.1+city"


def test_override_with_a_gap_fails_naming_the_indicator(si2014):
    with_gap = [entry for entry in I18_BANDS if entry["points"] != 2]
    with pytest.raises(CBIInputError, match=r"city\.yaml scoring_overrides: I18: no band covers \[10, 15\)"):
        apply_overrides(si2014, {"I18": {"bands": with_gap}}, origin="city.yaml scoring_overrides")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"I99": {"include": False}}, "I99 is not an indicator of si-2014"),
        ({"I17": {"bands": I18_BANDS}}, "I17 is categorical, so override it with levels, not bands"),
        ({"I18": {"bands": [{"points": 9}]}}, r"key I18\.bands\[0\]"),
        ({"I18": {"colour": "red"}}, "has the unknown key 'colour'"),
    ],
)
def test_bad_overrides_raise(si2014, overrides, message):
    with pytest.raises(CBIInputError, match=message):
        apply_overrides(si2014, overrides)


def test_no_overrides_keep_the_rule_set(si2014):
    assert apply_overrides(si2014, {}) is si2014


def test_excluded_indicator_is_reported_not_counted(si2014):
    overridden = apply_overrides(si2014, {"I8": {"include": False}})
    scorecard = build_scorecard(overridden, values={"I8": 2, "I1": 25.0})
    row = next(row for row in scorecard["indicators"] if row["id"] == "I8")
    assert (row["status"], row["points"]) == ("excluded", None)
    assert scorecard["totals"]["assessed_max"] == 4
    assert scorecard["totals"]["indicators_excluded"] == 1


# ----------------------------------------------------------------------------------------- scorecard


def test_scorecard_totals_count_only_what_was_assessed(si2014):
    scorecard = build_scorecard(
        si2014, values={"I1": 25.0, "I11": 50.0, "I3": None}, methods={"I1": "ESA WorldCover 2021, centre rule"}
    )
    totals = scorecard["totals"]
    assert (totals["points"], totals["assessed_max"], totals["max_points"]) == (6, 8, 92)
    assert totals["share_of_assessed"] == 75.0
    assert (totals["indicators_scored"], totals["indicators_not_assessed"]) == (2, 18)
    assert totals["indicators_without_bands"] == 3
    assert totals["any_unverified_bands"] is True
    components = {component["id"]: component for component in scorecard["components"]}
    native, services = components["native_biodiversity"], components["ecosystem_services"]
    assert (native["points"], native["assessed_max"], native["max_points"]) == (4, 4, 40)
    assert (services["points"], services["assessed_max"], services["max_points"]) == (2, 4, 16)
    assert components["governance"]["assessed_max"] == 0
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert rows["I1"]["method"] == "ESA WorldCover 2021, centre rule"
    assert (rows["I3"]["status"], rows["I3"]["points"], rows["I3"]["status_label"]) == (
        "not_assessed",
        None,
        "not assessed",
    )
    assert any("recalled, not verified" in note for note in scorecard["notes"])
    assert any("not as 0 points" in note for note in scorecard["notes"])
    assert len(scorecard["notes_zh"]) == len(scorecard["notes"])


def test_scorecard_says_rules_were_overridden(si2014):
    overridden = apply_overrides(si2014, {"I18": {"bands": I18_BANDS}})
    scorecard = build_scorecard(overridden, values={"I18": 30})
    assert scorecard["rule_set"]["version"] == "2014.1+city"
    assert scorecard["rule_set"]["overridden"] == ["I18"]
    assert any("changed the rules of I18" in note for note in scorecard["notes"])
    assert scorecard["totals"]["points"] == 4


def test_scorecard_rejects_unknown_indicator(si2014):
    with pytest.raises(CBIInputError, match="I24, which is not an indicator of si-2014"):
        build_scorecard(si2014, values={"I24": 1.0})


# ----------------------------------------------------------------------------------------- city figures


def figures_document(**figures) -> dict:
    return {"rule_set": "si-2014", "city": "freetown", "year": 2023, "figures": figures}


def test_good_figures_file(tmp_path, si2014):
    path = write_yaml(
        tmp_path / "figures.yaml",
        figures_document(
            I15={"value": 1.2, "source": "Budget report 2023"},
            I17={"value": "lbsap_aligned_1_3_cbd"},
            I4={"value": None},
        ),
    )
    values = load_city_figures(path, rule_set=si2014)
    assert values["I15"] == 1.2 and values["I17"] == "lbsap_aligned_1_3_cbd"
    assert values["I4"] is None and values["I23"] is None
    assert "I1" not in values  # computed by the workflow
    figures = read_city_figures(path, rule_set=si2014)
    assert (figures.city, figures.year, figures.sources) == ("freetown", 2023, {"I15": "Budget report 2023"})
    scorecard = build_scorecard(si2014, values=values)
    assert scorecard["totals"]["points"] == 1 + 3


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"I15": {"value": "1.2 percent"}}, r"figures\.I15\.value is wrong: I15 must be a number"),
        ({"I17": {"value": 3}}, "I17 is categorical"),
        ({"I20": {"value": "sometimes"}}, "write one of no_process, being_considered"),
        ({"I16": {"value": 12.5}}, "whole number"),
        ({"I10": {"value": 140}}, "I10 must lie between 0 and 100"),
        ({"I9": {"value": 12.0}}, "I9 is computed by the workflow from spatial data, so remove it"),
        ({"I24": {"value": 1}}, "I24 is not an indicator of si-2014"),
        ({"I1": {"value": 30.0}}, "I1 is computed by the workflow from spatial data, so remove it"),
        ({"I15": 1.2}, r"key figures\.I15 is invalid"),
        ({"I15": {"value": 1.2, "unit": "%"}}, "has the unknown key 'unit'"),
    ],
)
def test_bad_figures_name_the_file_and_indicator(tmp_path, si2014, figures, message):
    path = write_yaml(tmp_path / "figures.yaml", figures_document(**figures))
    with pytest.raises(CBIInputError, match=message) as caught:
        load_city_figures(path, rule_set=si2014)
    assert str(caught.value).startswith(f"{path}: ")


def test_figures_for_another_rule_set_are_rejected(tmp_path, si2014):
    path = write_yaml(tmp_path / "figures.yaml", {**figures_document(), "rule_set": "si-2021"})
    with pytest.raises(CBIInputError, match="written for rule set si-2021"):
        load_city_figures(path, rule_set=si2014)


def test_figures_file_without_city_names_the_key(tmp_path, si2014):
    document = figures_document()
    del document["city"]
    path = write_yaml(tmp_path / "figures.yaml", document)
    with pytest.raises(CBIInputError, match="lacks the required key 'city'"):
        load_city_figures(path, rule_set=si2014)


def test_empty_figures_file_is_rejected(tmp_path, si2014):
    path = tmp_path / "figures.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CBIInputError, match=r"figures\.yaml is empty"):
        load_city_figures(path, rule_set=si2014)


def test_missing_figures_file_means_not_assessed(tmp_path, si2014):
    values = load_city_figures(tmp_path / "absent.yaml", rule_set=si2014)
    assert values and all(value is None for value in values.values())
    assert load_city_figures(None, rule_set=si2014) == values


def test_overridden_levels_are_accepted_in_figures(tmp_path, si2014):
    keys = ["none", "optional", "some_grades", "most_grades", "all_grades"]
    levels = [
        {"points": points, "value": key, "label": key, "label_zh": key, "source": "city", "verified": False}
        for points, key in enumerate(keys)
    ]
    overridden = apply_overrides(si2014, {"I22": {"levels": levels}})
    path = write_yaml(tmp_path / "figures.yaml", figures_document(I22={"value": "most_grades"}))
    values = load_city_figures(path, rule_set=overridden)
    assert score_value(overridden.indicators["I22"], values["I22"]).points == 3


@pytest.mark.parametrize("path", RULE_SET_PATHS, ids=lambda path: path.stem)
def test_templates_match_the_rule_set_and_load(path):
    rule_set = rule_set_at(path)
    yaml_template, csv_template = figures_template_paths(rule_set.id, REPO / "config")
    assert yaml_template.read_text(encoding="utf-8") == render_figures_template(rule_set)
    assert csv_template.read_text(encoding=CSV_ENCODING) == render_figures_csv_template(rule_set)
    city_ids = [rule.id for rule in rule_set.indicators.values() if rule.source in ("city", "records")]
    for template in (yaml_template, csv_template):
        values = load_city_figures(template, rule_set=rule_set)
        assert list(values) == city_ids and all(value is None for value in values.values())


@pytest.mark.parametrize("path", RULE_SET_PATHS, ids=lambda path: path.stem)
def test_yaml_and_csv_templates_list_the_same_indicators(path):
    yaml_template, csv_template = figures_template_paths(rule_set_at(path).id, REPO / "config")
    yaml_ids = list(yaml.safe_load(yaml_template.read_text(encoding="utf-8"))["figures"])
    csv_ids = [line.split(",")[0] for line in csv_template.read_text(encoding=CSV_ENCODING).splitlines()[1:]]
    assert yaml_ids == csv_ids and yaml_ids


def test_band_dataclass_contains_respects_inclusive_ends():
    closed_open = Band(
        points=1, min=1.0, max=7.0, min_inclusive=True, max_inclusive=False, label="x", source="s", verified=False
    )
    assert closed_open.contains(1.0) and closed_open.contains(6.999) and not closed_open.contains(7.0)


# ----------------------------------------------------------------------------------------- 2021 handbook

BANDED_2021 = ["I1", "I2", "I3", "I7", "I8", "I10", "I11", "I12", "I13"]


def test_si_2021_structure(si2021):
    assert (si2021.id, si2021.max_points, si2021.total_max_points) == ("si-2021", 112, 112)
    assert list(si2021.indicators) == [f"I{number}" for number in range(1, 29)]
    assert {component: si2021.component_max_points(component) for component in si2021.components} == {
        "native_biodiversity": 36,
        "ecosystem_services": 16,
        "not_retrieved": 60,
    }
    assert all(component.max_points is None and component.note for component in si2021.components.values())
    assert [rule.id for rule in si2021.indicators.values() if rule.has_bands] == BANDED_2021
    for rule in si2021.indicators.values():
        if rule.has_bands:
            assert rule.bands_status == "transcribed"
            assert all(band.source == "TS98 as transcribed by WRI (US-SJ)" and not band.verified for band in rule.bands)
            assert "WRI's code" in rule.note  # the label-versus-code difference is written down
        else:
            assert (rule.bands_status, rule.bands) == ("unknown", ())
    assert all("name not retrieved" in si2021.indicators[f"I{number}"].name for number in range(14, 29))
    assert si2021.indicators["I9"].reverse_scale


def test_si_2021_scores_the_workflow_rows_under_its_own_numbers(si2021):
    assert {
        quantity: si2021.indicator_for_quantity(quantity)
        for quantity in (
            "I1",
            "I2_coherence",
            "I9",
            "I11",
            "I12",
            "I13",
            "I10",
            "I3_built_up_share",
            "I2",
            "I3",
            "city_area",
        )
    } == {
        "I1": "I1",
        "I2_coherence": "I2",
        "I9": "I8",
        "I11": "I10",
        "I12": "I11",
        "I13": "I12",
        "I10": "I9",
        "I3_built_up_share": "I3",
        "I2": None,
        "I3": None,
        "city_area": None,
    }
    assert [si2021.table_name(name) for name in ("I2", "I2_coherence", "natural_area")] == [
        "stage_I2",
        "I2",
        "natural_area",
    ]


@pytest.mark.parametrize(
    ("indicator_id", "value", "points"),
    [
        # where WRI's printed label and its score code disagree, the label (convention A.2) decides
        ("I1", 20.0, 3),
        ("I1", 20.01, 4),
        ("I2", 39.95, 1),
        ("I2", 40, 2),
        ("I2", 59.95, 2),
        ("I2", 79, 3),
        ("I2", 79.01, 4),
        ("I3", 20, 3),
        ("I3", 5.99, 0),
        ("I7", 79.95, 3),
        ("I7", 80, 3),
        ("I7", 80.1, 4),
        ("I8", 6, 1),
        ("I8", 6.05, 1),
        ("I8", 6.1, 2),
        ("I8", 11, 2),
        ("I8", 17, 3),
        ("I8", 17.5, 4),
        ("I10", 60, 3),
        ("I10", 60.5, 4),
        ("I11", 10.0, 1),
        ("I11", 10.05, 1),
        ("I11", 55, 3),
        ("I12", 0.35, 1),
        ("I12", 0.9, 3),
        ("I12", 0.91, 4),
        ("I13", 89.95, 3),
        ("I13", 90, 3),
        ("I13", 90.5, 4),
    ],
)
def test_si_2021_band_edges(si2021, indicator_id, value, points):
    score = score_value(si2021.indicators[indicator_id], value)
    assert (score.status, score.points, score.verified) == ("scored", points, False)


def test_si_2021_indicator_without_bands_becomes_scorable_by_override(si2021):
    levels = [
        {
            "points": points,
            "value": f"level_{points}",
            "label": f"level {points}",
            "label_zh": f"第{points}级",
            "source": "city decision",
            "verified": False,
        }
        for points in range(5)
    ]
    overridden = apply_overrides(
        si2021, {"I22": {"name": "Local name", "unit": "category", "kind": "categorical", "levels": levels}}
    )
    rule = overridden.indicators["I22"]
    assert (rule.kind, rule.name, rule.unit, rule.bands_status) == ("categorical", "Local name", "category", "city")
    assert score_value(rule, "level_3").points == 3
    with pytest.raises(CBIInputError, match="I22 is categorical, so override it with levels, not bands"):
        apply_overrides(si2021, {"I22": {"kind": "categorical", "bands": I18_BANDS}})


# ----------------------------------------------------------------------------------------- Chinese edition


def test_chinese_edition_extends_si_2014(cnubi, si2014):
    assert (cnubi.id, cnubi.based_on, cnubi.primary_language, cnubi.max_points) == ("cn-ubi", "si-2014", "zh", None)
    assert list(cnubi.indicators) == [*si2014.indicators, "redline_coverage"]
    assert cnubi.total_max_points == 4 * 24
    assert all(component.max_points is None for component in cnubi.components.values())
    assert rule_set_files(CN_UBI) == [str(CN_UBI), str(SI_2014)]
    redline = cnubi.indicators["redline_coverage"]
    assert (redline.bands, redline.bands_status, redline.name_zh) == ((), "unknown", "生态保护红线面积占城市面积的比例")
    for indicator_id, rule in si2014.indicators.items():
        adapted = cnubi.indicators[indicator_id]
        if not rule.has_bands:
            assert adapted.bands_status == "unknown"
            continue
        assert adapted.bands_status == "adapted"
        entries = adapted.levels if adapted.is_categorical else adapted.bands
        assert all(
            entry.source.endswith("adapted from si-2014, not verified for the Chinese edition") and not entry.verified
            for entry in entries
        )
    assert score_value(cnubi.indicators["I1"], 12.3).points == score_value(si2014.indicators["I1"], 12.3).points


def test_chinese_edition_maximum_follows_the_indicators_included(cnubi):
    scorecard = build_scorecard(cnubi, values={"I1": 25.0, "redline_coverage": 30.0})
    assert (scorecard["totals"]["max_points"], scorecard["totals"]["max_points_known"]) == (96, False)
    assert scorecard["rule_set"]["max_points"] is None
    assert any("maximum is not known" in note and "24 indicators included = 96" in note for note in scorecard["notes"])
    assert any("该版本满分未知" in note for note in scorecard["notes_zh"])
    assert any("carried over from si-2014" in note for note in scorecard["notes"])
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert (rows["redline_coverage"]["status"], rows["redline_coverage"]["value"]) == ("no_bands", 30.0)
    excluded = apply_overrides(cnubi, {"I14": {"include": False}, "redline_coverage": {"bands": I18_BANDS}})
    totals = build_scorecard(excluded, values={"redline_coverage": 30.0})["totals"]
    assert (totals["max_points"], totals["points"]) == (4 * 23, 4)
    components = {c["id"]: c for c in build_scorecard(excluded, values={})["components"]}
    assert components["ecosystem_services"]["max_points"] == 12


def extension(tmp_path: Path, **changes) -> Path:
    """A copy of the Chinese edition next to a copy of si-2014, with top-level keys changed."""
    (tmp_path / "si-2014.yaml").write_text(SI_2014.read_text(encoding="utf-8"), encoding="utf-8")
    document = {**yaml.safe_load(CN_UBI.read_text(encoding="utf-8")), **changes}
    return write_yaml(tmp_path / "cn.yaml", document)


def test_extension_may_drop_the_base_bands(tmp_path):
    rule_set = load_rule_set(
        extension(tmp_path, extends={"rule_set": "si-2014", "bands_status": "unknown", "band_source": "unused"})
    )
    assert not any(rule.has_bands for rule in rule_set.indicators.values())
    assert build_scorecard(rule_set, values={"I1": 12.3})["totals"]["indicators_scored"] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"extends": {"rule_set": "si-1999", "bands_status": "adapted", "band_source": "x"}},
            r"extends\.rule_set si-1999 names .*si-1999\.yaml, which does not exist",
        ),
        (
            {"extends": {"rule_set": "cn.yaml", "bands_status": "adapted", "band_source": "x"}},
            "leads back to this file",
        ),
        (
            {"extends": {"rule_set": "si-2014", "bands_status": "kept", "band_source": "x"}},
            r"key extends\.bands_status is invalid",
        ),
        ({"indicators": [{"id": "I1", "colour": "red"}]}, r"key indicators\[I1\] has the unknown key 'colour'"),
        ({"indicators": [{"id": "new_one", "number": 25}]}, r"indicators\[new_one\] lacks the required key"),
        ({"max_points": 100}, "max_points is 100 but the components add up to 96"),
    ],
)
def test_bad_extension_names_file_and_key(tmp_path, changes, message):
    path = extension(tmp_path, **changes)
    with pytest.raises(CBIInputError, match=message) as caught:
        load_rule_set(path)
    assert str(caught.value).startswith(str(path))


def test_unknown_edition_maximum_needs_no_component_sum(tmp_path):
    document = yaml.safe_load(SI_2021.read_text(encoding="utf-8"))
    document["max_points"] = 100
    with pytest.raises(CBIInputError, match="max_points is 100 but the components add up to 112"):
        load_rule_set(write_yaml(tmp_path / "si.yaml", document))
    document["max_points"] = None
    assert load_rule_set(write_yaml(tmp_path / "si.yaml", document)).total_max_points == 112


def test_two_indicators_may_not_score_one_row(tmp_path):
    document = yaml.safe_load(SI_2021.read_text(encoding="utf-8"))
    document["indicators"][6]["input"] = "I1"  # I7 would score the natural-area share too
    with pytest.raises(CBIInputError, match="I7 and I1 both score the stage-table row I1"):
        load_rule_set(write_yaml(tmp_path / "si.yaml", document))


# ----------------------------------------------------------------------------------------- scoring stage


def stage_table(tmp_path: Path, **values) -> str:
    rows = ["city,year,indicator,value,unit,method"]
    rows += [f"x,2020,{name},{value},u,test" for name, value in values.items()]
    path = tmp_path / "landcover_indicators.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def run_stage(tmp_path: Path, rule_set: Path, **kwargs) -> tuple[dict, str]:
    tables = [
        stage_table(
            tmp_path,
            city_area=24235.0,
            natural_area=2981.0,
            terrestrial_area=24000.0,
            I1=12.3,
            I2=1320.0,
            I2_coherence=44.28,
            I11=45.0,
            I12=22.0,
            redline_coverage=18.0,
        )
    ]
    score_city(
        boundary_coverage_tolerance_percent=1.0,
        on_partial_coverage="hold",
        city="x",
        tables=tables,
        rule_set_path=str(rule_set),
        indicators_csv=str(tmp_path / "i.csv"),
        scorecard_json=str(tmp_path / "s.json"),
        **{"figures_path": None, **kwargs},
    )
    scorecard = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    return scorecard, (tmp_path / "i.csv").read_text(encoding="utf-8")


def test_scoring_stage_with_the_2021_numbering(tmp_path):
    scorecard, table = run_stage(tmp_path, SI_2021)
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert (rows["I2"]["value"], rows["I2"]["points"]) == (44.28, 2)  # coherence, not the mesh size
    assert (rows["I10"]["value"], rows["I11"]["value"]) == (45.0, 22.0)
    assert rows["I2"]["next_band"]["text"] == "+15.8 percentage points to reach 3 points (60–79 %)"
    assert rows["I2"]["next_band"]["area_text"] is None  # no groups file given: no natural area to add is named
    assert "x,stage_I2,,,2020,1320.0" in table and "x,I2,Connectivity" in table  # supporting: no name, no name_zh


def test_scoring_stage_applies_the_city_overrides(tmp_path):
    overrides = write_yaml(
        tmp_path / "overrides.yaml",
        {
            "redline_coverage": {"bands": [band(0, None, 10, low_inclusive=False), band(2, 10, 25), band(4, 25, None)]},
            "I14": {"include": False},
        },
    )
    scorecard, _ = run_stage(tmp_path, CN_UBI, overrides_path=str(overrides))
    assert scorecard["rule_set"]["version"] == "0.1+city"
    assert scorecard["rule_set"]["overridden"] == ["redline_coverage", "I14"]
    assert scorecard["scoring_overrides_file"] == str(overrides)
    assert any("changed the rules of redline_coverage, I14" in note for note in scorecard["notes"])
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert (rows["redline_coverage"]["points"], rows["I14"]["status"]) == (2, "excluded")
    assert rows["redline_coverage"]["next_band"]["area_text_zh"] == "需增加生态保护红线区域 1,697 公顷"
    assert scorecard["totals"]["max_points"] == 4 * 23


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"Scoring overrides file .*overrides\.yaml is empty"),
        ("I99: {include: false}", "I99 is not an indicator of si-2014"),
        ("I18: [1, 2]", r"key I18 is invalid"),
    ],
)
def test_bad_overrides_file_stops_the_stage(tmp_path, text, message):
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CBIInputError, match=message):
        run_stage(tmp_path, SI_2014, overrides_path=str(path))


def test_overrides_file_is_read_as_written(tmp_path):
    path = write_yaml(tmp_path / "overrides.yaml", {"I14": {"include": False}})
    assert load_overrides(path) == {"I14": {"include": False}}


# ----------------------------------------------------------------------------------------- figures as CSV


CSV_HEADER = "indicator,name_en,name_zh,unit,value,source,note\n"


def write_csv(tmp_path: Path, text: str, name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_csv_figures(tmp_path, si2014):
    path = write_csv(
        tmp_path,
        CSV_HEADER
        + "I15,Budget Allocated to Biodiversity,分配给生物多样性的预算,%,1.2,Budget report 2023,\n"
        + "I16,,,projects,14,,counted by hand\n"
        + "I17,,,,lbsap_aligned_1_3_cbd,,\n"
        + "I4,,,,,,\n"
        + ",,,,,,\n",
    )
    figures = read_city_figures(path, rule_set=si2014)
    assert (figures.values["I15"], figures.values["I16"], figures.values["I17"]) == (1.2, 14, "lbsap_aligned_1_3_cbd")
    assert isinstance(figures.values["I16"], int) and figures.values["I4"] is None
    assert (figures.sources, figures.notes) == ({"I15": "Budget report 2023"}, {"I16": "counted by hand"})
    assert (figures.city, figures.year) == (None, None)


def test_minimal_csv_with_a_byte_order_mark(tmp_path, si2014):
    path = tmp_path / "figures.csv"
    path.write_text("indicator,value\nI23,120\n", encoding=CSV_ENCODING)
    assert load_city_figures(path, rule_set=si2014)["I23"] == 120


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("indicator,vaule\nI15,1.2\n", "the header has the unknown column 'vaule'; use only indicator, name_en"),
        ("indicator,source\nI15,report\n", "the header lacks the column 'value'"),
        ("indicator,value,value\nI15,1,2\n", "names the column 'value' twice"),
        (CSV_HEADER + "I15,,,,1.2 percent,,\n", r"row 2 \(I15\) value is wrong: I15 must be a number"),
        (CSV_HEADER + "I16,,,,12.5,,\n", r"row 2 \(I16\) value is wrong: .*whole number"),
        (CSV_HEADER + "I20,,,,sometimes,,\n", "write one of no_process"),
        (CSV_HEADER + "I24,,,,1,,\n", "I24 is not an indicator of si-2014"),
        (CSV_HEADER + "I1,,,,30,,\n", "I1 is computed by the workflow from spatial data, so remove it"),
        (CSV_HEADER + ",,,,30,,\n", "row 2 has no indicator"),
        (CSV_HEADER + "I15,,,,1,,\nI15,,,,2,,\n", r"row 3 repeats I15 \(first given in row 2\)"),
        (CSV_HEADER + "I15,,,,1,,,extra\n", "row 2 has more cells than the header has columns"),
        (CSV_HEADER + "I15,,,ha,1,,\n", r"row 2 \(I15\): unit 'ha' is not the unit of I15 in si-2014 \(%\)"),
        (
            CSV_HEADER + "I10,Proportion of protected natural areas,,%,3,,\n",  # 2021 numbering in a 2014 file
            "name_en 'Proportion of protected natural areas' is not the name of I10",
        ),
        ("", "is empty; start from config/figures_template.csv"),
    ],
)
def test_bad_csv_figures_name_the_file_and_the_fix(tmp_path, si2014, text, message):
    path = write_csv(tmp_path, text)
    with pytest.raises(CBIInputError, match=message) as caught:
        load_city_figures(path, rule_set=si2014)
    assert str(path) in str(caught.value)


def test_figures_file_of_another_format_is_rejected(tmp_path, si2014):
    path = write_csv(tmp_path, "I15: 1", name="figures.txt")
    with pytest.raises(CBIInputError, match=r"must end in \.yaml, \.yml or \.csv"):
        load_city_figures(path, rule_set=si2014)


def test_csv_names_may_be_given_in_either_language(tmp_path, si2014):
    path = write_csv(tmp_path, CSV_HEADER + "I15,my own words,分配给生物多样性的预算,,2,,\n")
    assert load_city_figures(path, rule_set=si2014)["I15"] == 2
