"""Distance to the next band, checked by hand on small cases (si-2014 bands; see config/scoring/si-2014.yaml)."""

import dataclasses

import pytest

from cbindex.scoring.next_band import describe_next_band, next_band_target, percentage_points_to_hectares
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.rules import Band
from cbindex.scoring.scorecard import build_scorecard
from tests.helpers import REPO

SI_2014 = load_rule_set(REPO / "config" / "scoring" / "si-2014.yaml")
RULES = SI_2014.indicators


@pytest.mark.parametrize(
    ("indicator_id", "value", "expected"),
    [
        # I1 2 points on [7, 14); the 3-point band [14, 20] starts inclusive: 14.0 − 12.3 = +1.7
        ("I1", 12.3, (2, 3, 14.0, True, 1.7)),
        # I1 3 points on [14, 20]; the 4-point band (20, +inf) needs more than 20: +3.0, exclusive
        ("I1", 17.0, (3, 4, 20.0, False, 3.0)),
        ("I1", 0.0, (0, 1, 1.0, True, 1.0)),
        # reverse scale I10: 1 point on [20.1, 30]; 2 points on [11.1, 20.1) needs less than 20.1
        ("I10", 25.0, (1, 2, 20.1, False, -4.9)),
        ("I10", 35.0, (0, 1, 30.0, True, -5.0)),
        # I2 in hectares: 3 points on [1001, 1500]; the 4-point band (1500, +inf)
        ("I2", 1320.0, (3, 4, 1500, False, 180.0)),
        # whole numbers: I4 2 points on [2, 3) -> 3 species; I19 3 points on [5, 5] -> (5, +inf) means 6 agencies
        ("I4", 2, (2, 3, 3, True, 1)),
        ("I4", -2, (0, 1, 1, True, 3)),
        ("I19", 5, (3, 4, 6, True, 1)),
        ("I19", 4, (2, 3, 5, True, 1)),
    ],
)
def test_next_band_target(indicator_id, value, expected):
    target = next_band_target(RULES[indicator_id], value)
    got = (
        target["points_now"],
        target["points_next"],
        target["threshold"],
        target["threshold_inclusive"],
        target["change_needed"],
    )
    assert got[:4] == expected[:4]
    assert got[4] == pytest.approx(expected[4])
    assert target["unit"] == RULES[indicator_id].unit


@pytest.mark.parametrize(("indicator_id", "value"), [("I1", 25.0), ("I1", 100.0), ("I10", 0.5), ("I4", 7)])
def test_top_band_has_no_target(indicator_id, value):
    assert next_band_target(RULES[indicator_id], value) is None
    described = describe_next_band(RULES[indicator_id], value)
    assert (described["points_now"], described["change_needed"]) == (4, None)
    assert (described["text"], described["text_zh"]) == ("top band reached", "已达最高档")


def test_change_lands_inside_the_next_band():
    for indicator_id, value in (("I1", 12.3), ("I1", 17.0), ("I10", 25.0), ("I9", 5.0), ("I12", 19.2)):
        rule = RULES[indicator_id]
        target = next_band_target(rule, value)
        reached = value + target["change_needed"]
        band = next(band for band in rule.bands if band.points == target["points_next"])
        nudge = 1e-9 if target["change_needed"] > 0 else -1e-9
        assert band.contains(reached if target["threshold_inclusive"] else reached + nudge)
        assert target["threshold_inclusive"] or not band.contains(reached)


def test_percentage_points_to_hectares():
    assert percentage_points_to_hectares(1.7, 24235.0) == pytest.approx(411.995)
    assert percentage_points_to_hectares(-2.0, 500.0) == pytest.approx(-10.0)


def test_description_in_hectares_and_in_both_languages():
    described = describe_next_band(RULES["I1"], 12.3, quantities={"city_area": 24235.0})
    assert described["area_change_ha"] == pytest.approx(411.995)
    assert described["text"] == "+1.7 percentage points to reach 3 points (14.0–20.0 %)"
    assert described["text_zh"] == "需增加 1.7 个百分点，达到 3 分档（14.0–20.0 %）"
    assert (described["area_text"], described["area_text_zh"]) == ("+412 ha of natural area", "需增加自然区域 412 公顷")


def test_exclusive_threshold_and_the_mesh_size_in_hectares():
    described = describe_next_band(RULES["I2"], 1320.0, quantities={})
    assert described["area_text"] == "more than +180 ha of effective mesh size"
    assert described["area_text_zh"] == "需增加有效网格面积超过 180 公顷"


def test_reverse_scale_asks_for_a_decrease():
    described = describe_next_band(RULES["I10"], 25.0)
    assert described["text"] == "a decrease of more than 4.9 percentage points to reach 2 points (11.1–20.0 %)"
    assert described["text_zh"].startswith("需减少超过 4.9 个百分点")
    assert described["area_change_ha"] is None  # I10 is a share of species, not of an area


def test_hectares_per_1000_persons_use_the_population():
    # I13 0.25 ha per 1000 persons (1 point); 2 points from 0.4: +0.15 × 200,000 / 1000 = +30 ha of parks
    described = describe_next_band(RULES["I13"], 0.25, quantities={"population": 200000.0})
    assert described["change_needed"] == pytest.approx(0.15)
    assert described["area_change_ha"] == pytest.approx(30.0)
    assert described["area_text"] == "+30.0 ha of parks with natural areas"


def test_no_hectares_without_the_denominator_row():
    assert describe_next_band(RULES["I11"], 50.0, quantities={"city_area": 100.0})["area_text"] is None


def test_displayed_change_is_rounded_up_so_that_it_suffices():
    described = describe_next_band(RULES["I1"], 13.94)  # 0.06 needed
    assert described["text"].startswith("+0.06 percentage points")
    described = describe_next_band(RULES["I1"], 13.951, quantities={"city_area": 1000.0})  # 0.049 pp = 0.49 ha
    assert described["text"].startswith("+0.05 percentage points")
    assert described["area_text"] == "+0.49 ha of natural area"


def test_nearest_better_band_is_skipped_to_when_points_repeat():
    flat = [
        Band(
            points=1, min=None, max=5, min_inclusive=False, max_inclusive=False, label="low", source="s", verified=False
        ),
        Band(points=1, min=5, max=10, min_inclusive=True, max_inclusive=False, label="mid", source="s", verified=False),
        Band(
            points=3,
            min=10,
            max=None,
            min_inclusive=True,
            max_inclusive=False,
            label="high",
            source="s",
            verified=False,
        ),
    ]
    rule = dataclasses.replace(RULES["I1"], bands=tuple(flat), value_max=None)
    target = next_band_target(rule, 2.0)
    assert (target["points_next"], target["threshold"], target["change_needed"]) == (3, 10, 8.0)


def test_categorical_indicator_has_no_next_band():
    with pytest.raises(ValueError, match="no numeric bands"):
        next_band_target(RULES["I17"], "no_lbsap")


def test_scorecard_gives_next_band_per_scored_number():
    scorecard = build_scorecard(
        SI_2014, values={"I1": 12.3, "I17": "no_lbsap", "I15": None}, quantities={"city_area": 24235.0}
    )
    rows = {row["id"]: row for row in scorecard["indicators"]}
    assert rows["I1"]["next_band"]["area_text"] == "+412 ha of natural area"
    assert rows["I17"]["next_band"] is None and rows["I15"]["next_band"] is None
