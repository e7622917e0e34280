"""SI indicator 9 (natural protected areas) and the Chinese edition's ecological red-line coverage, from the overlay
areas.
"""

from __future__ import annotations

from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.units import SQUARE_METRES_PER_HECTARE, percent
from cbindex.overlays.areas import OverlayAreas


def protected_values(*, areas: OverlayAreas, name: str, source: str, how: str) -> list[IndicatorValue]:
    """I9 and its areas.

    I9 proportion of protected natural areas (SI 2014 indicator 9, 2021 indicator 8), %:
    ``I9 = natural area under the dissolved protected-area polygons ÷ city area × 100``; the city area is
    I1's denominator (every valid cell, water included). Supporting rows (ha): ``protected_area`` (any land
    cover) and ``protected_natural_area`` (I9's numerator).
    """
    under = areas.under[name]
    return [
        IndicatorValue(
            "protected_area",
            under.area_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"city area under protected areas, any land cover; {source}; {how}",
        ),
        IndicatorValue(
            "protected_natural_area",
            under.natural_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"natural area under protected areas; {source}; {how}",
        ),
        IndicatorValue(
            "I9",
            percent(under.natural_m2, areas.city.city_m2),
            "%",
            f"natural area under protected areas / city area x 100; {source}; {how}",
        ),
    ]


def redline_values(*, areas: OverlayAreas, name: str, source: str, how: str) -> list[IndicatorValue]:
    """The ecological protection red-line shares (生态保护红线, Chinese edition), %.

    ``redline_coverage = red-line area in the city ÷ city area × 100`` (any land cover);
    ``redline_natural_share = natural area in the red line ÷ red-line area in the city × 100`` (NaN, not
    assessed, when no red line lies in the city). Supporting rows (ha): ``redline_area`` and
    ``redline_natural_area``.
    """
    under = areas.under[name]
    return [
        IndicatorValue(
            "redline_area",
            under.area_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"city area inside the red line, any land cover; {source}; {how}",
        ),
        IndicatorValue(
            "redline_natural_area",
            under.natural_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"natural area inside the red line; {source}; {how}",
        ),
        IndicatorValue(
            "redline_coverage",
            percent(under.area_m2, areas.city.city_m2),
            "%",
            f"red-line area / city area x 100; {source}; {how}",
        ),
        IndicatorValue(
            "redline_natural_share",
            percent(under.natural_m2, under.area_m2),
            "%",
            f"natural area in the red line / red-line area x 100; {source}; {how}",
        ),
    ]
