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
    # 1500 ha is the exclusive lower end of the next band: exactly +180 ha is not enough, +181 ha is
    assert described["text"] == "+181 ha to reach 4 points (> 1,500 ha)"
    assert described["text_zh"].startswith("需增加 181 公顷")
    # a change of the mesh size is no area anyone can add: no area text (the scorecard's comes from the groups,
    # cbindex.scoring.connectivity_advice)
    assert described["area_change_ha"] is None and described["area_text"] is None


def test_reverse_scale_asks_for_a_decrease():
    described = describe_next_band(RULES["I10"], 25.0)
    # the 2-point band (11.1–20.0 %) needs a value below 20.1 (exclusive): exactly -4.9 is not enough, -4.91 is
    assert described["text"] == "-4.91 percentage points to reach 2 points (11.1–20.0 %)"
    assert described["text_zh"].startswith("需减少 4.91 个百分点")
    assert described["area_change_ha"] is None  # I10 is a share of species, not of an area


def test_hectares_per_1000_persons_use_the_population():
    # I13 0.25 ha per 1000 persons (1 point); 2 points from 0.4: +0.15 × 200,000 / 1000 = +30 ha of parks
    described = describe_next_band(RULES["I13"], 0.25, quantities={"population": 200000.0})
    assert described["change_needed"] == pytest.approx(0.15)
    assert described["area_change_ha"] == pytest.approx(30.0)
    assert described["area_text"] == "+30 ha of parks with natural areas"


def test_no_hectares_without_the_denominator_row():
    assert describe_next_band(RULES["I11"], 50.0, quantities={"city_area": 100.0})["area_text"] is None


def test_displayed_change_is_rounded_up_so_that_it_suffices():
    described = describe_next_band(RULES["I1"], 13.94)  # 0.06 needed
    assert described["text"].startswith("+0.06 percentage points")
    described = describe_next_band(RULES["I1"], 13.951, quantities={"city_area": 1000.0})  # 0.049 pp = 0.49 ha
    assert described["text"].startswith("+0.049 percentage points")
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
    assert rows["I15"]["next_band"] is None  # not assessed: no next step
    # categorical: the next answer on the ladder is the step
    assert rows["I17"]["next_band"]["points_next"] == 1
    assert rows["I17"]["next_band"]["text"] == "next step: LBSAP not aligned with the NBSAP → 1 point"
    assert rows["I17"]["next_band"]["text_zh"].startswith("下一步：")
    top = build_scorecard(SI_2014, values={"I17": RULES["I17"].levels[-1].value})
    top_row = next(row for row in top["indicators"] if row["id"] == "I17")
    assert top_row["next_band"]["points_next"] is None and top_row["next_band"]["text"] == "top band reached"


# ---------------------------------------------------------------- issue 12: exact, sufficient, both ways


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (13.4892, "+0.511"),  # inclusive 14: 0.5108 rounded up to 3 significant digits
        (7.4892, "+6.52"),  # Chengdu I12-like: 6.5108 needed, printed +6.52 (never "more than +6.6")
        (11.4611, "+2.54"),  # Freetown I1-like: 2.5389 needed
        (13.0, "+1"),  # exactly 1 to an inclusive end: 1 suffices
        (19.0, "+1.01"),  # exactly 1 to an exclusive end (20, +inf): 1 is not enough, 1.01 is
    ],
)
def test_printed_change_is_sufficient_without_more_than(value, printed):
    described = describe_next_band(RULES["I1"], value)
    assert described["text"].startswith(printed + " percentage points")
    assert "more than" not in described["text"] and "超过" not in described["text_zh"]
    amount = float(printed.lstrip("+"))
    target = described
    band = next(band for band in RULES["I1"].bands if band.points == target["points_next"])
    assert band.contains(value + amount)  # acting on the printed number reaches the next band
    if not target["threshold_inclusive"]:
        assert not band.contains(value + target["change_needed"])


def test_margin_to_the_band_below_both_ends():
    # I1 3 points on [14, 20]; the 2-point band [7, 14) excludes 14: 17.0 may fall by exactly 3.0
    described = describe_next_band(RULES["I1"], 17.0, quantities={"city_area": 1000.0})
    assert described["margin"] == pytest.approx(-3.0) and described["margin_inclusive"] is True
    assert described["points_below"] == 2
    assert described["margin_text"].startswith("may fall by 3 percentage points and keep 3 points")
    assert described["margin_area_text"] == "may lose 30 ha of natural area"
    assert described["margin_text_zh"].startswith("可下降 3 个百分点仍保持 3 分")
    band = next(band for band in RULES["I1"].bands if band.points == 3)
    assert band.contains(17.0 + described["margin"])


def test_margin_is_rounded_down_and_kept_short_of_an_exclusive_end():
    # 4 points on (20, +inf): 21.2345 may fall to just above 20 -> printed 1.23 (rounded down), and at 21.0
    # exactly 1.0 would land on 20, which scores 3: printed one step short, 0.99
    described = describe_next_band(RULES["I1"], 21.2345)
    assert described["margin_inclusive"] is False
    assert described["margin_text"].startswith("may fall by 1.23 percentage points")
    assert describe_next_band(RULES["I1"], 21.0)["margin_text"].startswith("may fall by 0.99 percentage points")


def test_no_margin_in_the_lowest_band_and_reverse_scale_margin_is_a_rise():
    lowest = describe_next_band(RULES["I1"], 0.5)
    assert lowest["margin"] is None and lowest["margin_text"] is None
    reverse = describe_next_band(RULES["I10"], 5.0)
    assert reverse["margin"] > 0 and reverse["margin_text"].startswith("may rise by")
    assert reverse["margin_text_zh"].startswith("可上升")
