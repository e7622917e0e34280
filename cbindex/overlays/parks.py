"""SI indicator 13: natural areas in parks and protected areas per 1,000 residents."""

from __future__ import annotations

from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.overlays.areas import OverlayAreas

PERSONS_PER_THOUSAND = 1000.0


def parks_values(
    *,
    areas: OverlayAreas,
    parks_name: str,
    counted_name: str,
    source: str,
    how: str,
    persons: float | None,
    population_method: str,
) -> list[IndicatorValue]:
    """I13 and its areas.

    I13 area of parks with natural areas per 1,000 persons (SI 2014 indicator 13, 2021 indicator 12),
    ha per 1000 persons: ``I13 = natural area under (parks ∪ protected areas) [ha] ÷ (population ÷ 1000)``;
    parks and protected areas are dissolved together so land in both counts once. Without a population the
    value is NaN (not assessed). Supporting rows: ``park_natural_area`` (ha, parks alone),
    ``parks_and_protected_natural_area`` (ha, I13's numerator) and ``population`` (persons, when known).
    """
    counted_ha = areas.under[counted_name].natural_m2 / SQUARE_METRES_PER_HECTARE
    values = [
        IndicatorValue(
            "park_natural_area",
            areas.under[parks_name].natural_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"natural area under parks alone; {source}; {how}",
        ),
        IndicatorValue(
            "parks_and_protected_natural_area",
            counted_ha,
            "ha",
            f"natural area under parks and protected areas dissolved together; {source}; {how}",
        ),
    ]
    if persons is None:
        return [
            *values,
            IndicatorValue("I13", float("nan"), "ha per 1000 persons", f"not assessed: {population_method}"),
        ]
    return [
        *values,
        IndicatorValue("population", persons, "persons", population_method),
        IndicatorValue(
            "I13",
            counted_ha / (persons / PERSONS_PER_THOUSAND),
            "ha per 1000 persons",
            f"natural area under parks and protected areas [ha] / (population / 1000); population "
            f"{persons:.0f} ({population_method}); {source}; {how}",
        ),
    ]
