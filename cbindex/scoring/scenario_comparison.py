"""A scenario scored by the city's rules beside its base year: value, points and the change of each spatial
indicator the scenario's land cover gives (``results/{city}/scenarios/{name}/scenario_comparison.csv``).

Both tables are land-cover stage tables (the scenario's computed by the same rule as a year), so the comparison
scores both with :func:`cbindex.scoring.points.score_value` and the same rule set; a year whose raster covers too
little of the city is held (status ``partial_coverage``, no points) on both sides as the scorecard holds it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cbindex.geo.coverage import raster_coverage
from cbindex.scoring.points import held_score, score_value
from cbindex.scoring.rules import RuleSet

COMPARISON_COLUMNS = [
    "indicator",
    "name",
    "name_zh",
    "unit",
    "base_value",
    "scenario_value",
    "change",
    "base_points",
    "scenario_points",
    "points_change",
    "base_status",
    "scenario_status",
]
SUPPORTING_ROWS = (
    "natural_area",
    "city_area",
    "natural_groups",
    "protected_natural_area",
    "parks_and_protected_natural_area",
    "population",
)
"""Rows shown beside the indicators (no points): what the scenario changed in hectares, groups and persons (the
overlay rows when the city or the scenario has overlays), then every coverage layer's share not scored by the
rule set (``<id>_coverage``, ``<id>_natural_share``)."""
SUPPORTING_SUFFIXES = ("_coverage", "_natural_share")


def compare_scenario(
    *,
    base: pd.DataFrame,
    scenario: pd.DataFrame,
    rule_set: RuleSet,
    tolerance_percent: float,
    on_partial_coverage: str,
) -> pd.DataFrame:
    """One row per scored indicator (then the supporting rows) of the two land-cover stage tables.

    ``change`` = scenario value − base value (in the indicator's unit); ``points_change`` = scenario points − base
    points (empty when either side is not scored).
    """
    base_values, scenario_values = _values(base), _values(scenario)
    held = {
        side: on_partial_coverage == "hold" and _shortfall(values) > tolerance_percent
        for side, values in (("base", base_values), ("scenario", scenario_values))
    }
    rows: list[dict[str, Any]] = []
    for quantity, scenario_value in scenario_values.items():
        indicator_id = rule_set.indicator_for_quantity(quantity)
        if indicator_id is None:
            continue
        rule = rule_set.indicators[indicator_id]
        base_value = base_values.get(quantity)
        scores = {
            side: held_score() if held[side] else score_value(rule, value)
            for side, value in (("base", base_value), ("scenario", scenario_value))
        }
        points = {side: score.points for side, score in scores.items()}
        rows.append(
            {
                "indicator": indicator_id,
                "name": rule.name,
                "name_zh": rule.name_zh,
                "unit": rule.unit,
                "base_value": base_value,
                "scenario_value": scenario_value,
                "change": None if base_value is None else scenario_value - base_value,
                "base_points": points["base"],
                "scenario_points": points["scenario"],
                "points_change": None if None in points.values() else points["scenario"] - points["base"],
                "base_status": scores["base"].status,
                "scenario_status": scores["scenario"].status,
            }
        )
    supporting = [*SUPPORTING_ROWS]
    supporting += [
        quantity
        for quantity in scenario_values
        if quantity.endswith(SUPPORTING_SUFFIXES) and rule_set.indicator_for_quantity(quantity) is None
    ]
    for quantity in supporting:
        if quantity in scenario_values:
            base_value, scenario_value = base_values.get(quantity), scenario_values[quantity]
            rows.append(
                {
                    "indicator": quantity,
                    "base_value": base_value,
                    "scenario_value": scenario_value,
                    "change": None if base_value is None else scenario_value - base_value,
                    "base_status": "supporting",
                    "scenario_status": "supporting",
                }
            )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _values(table: pd.DataFrame) -> dict[str, float]:
    return dict(zip(table["indicator"], pd.to_numeric(table["value"], errors="coerce"), strict=False))


def _shortfall(values: dict[str, float]) -> float:
    if not {"boundary_area", "city_area", "nodata_area"} <= values.keys():
        return 0.0
    coverage = raster_coverage(
        boundary_ha=values["boundary_area"], valid_ha=values["city_area"], nodata_ha=values["nodata_area"]
    )
    return coverage.shortfall_percent
