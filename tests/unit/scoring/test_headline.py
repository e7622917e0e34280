"""The score as it may be quoted: points out of the assessed maximum, indicators assessed, share of the edition's
maximum, in English and Chinese (printed by the report's summary box and the scorecard workbook)."""

import pytest

from cbindex.scoring.headline import headline, headline_parts, whole_percent

TOTALS = {
    "points": 15,
    "assessed_max": 16,
    "indicators_scored": 4,
    "max_points": 92,
    "max_points_known": True,
    "indicators_excluded": 0,
}


def scorecard(n_indicators: int = 23, **totals) -> dict:
    return {"totals": {**TOTALS, **totals}, "indicators": [{"id": f"I{i}"} for i in range(1, n_indicators + 1)]}


def test_the_score_comes_with_its_coverage_in_both_languages():
    assert headline(scorecard(), language="en") == (
        "15 of 16 assessed points · 4 of 23 indicators assessed · 16 % of the edition's 92"
    )
    assert headline(scorecard(), language="zh") == (
        "已评估部分满分 16 分，得 15 分 · 23 项指标中已评估 4 项 · 占本版本满分 92 分的 16%"
    )


def test_an_edition_without_known_maximum_and_excluded_indicators():
    card = scorecard(max_points=84, max_points_known=False, indicators_excluded=2)
    assert headline_parts(card, language="en")[1:] == [
        "4 of 21 indicators assessed",
        "18 % of 84 (4 points × 21 indicators included; the edition's maximum is not known)",
    ]
    assert headline_parts(card, language="zh")[2] == "占 84 分的 18%（本版本满分未知，按 4 分 × 纳入的 21 项指标计）"


def test_nothing_scored_says_so():
    card = scorecard(points=0, assessed_max=0, indicators_scored=0)
    assert headline_parts(card, language="en") == [
        "0 points: no indicator scored",
        "0 of 23 indicators assessed",
        "0 % of the edition's 92",
    ]
    assert headline_parts(card, language="zh")[0] == "0 分：尚无已评分的指标"


def test_the_points_can_be_replaced_by_a_placeholder():
    assert headline_parts(scorecard(), language="zh", points="<b>")[0] == "已评估部分满分 16 分，得 <b> 分"


@pytest.mark.parametrize(
    ("part", "whole", "english", "chinese"),
    [(15, 92, "16 %", "16%"), (0, 92, "0 %", "0%"), (1, 200, "< 1 %", "< 1%"), (199, 200, "> 99 %", "> 99%")],
)
def test_whole_percent_never_rounds_to_nothing_or_to_everything(part, whole, english, chinese):
    assert whole_percent(part, whole, language="en") == english
    assert whole_percent(part, whole, language="zh") == chinese
    assert whole_percent(3, 0, language="en") == "—"
