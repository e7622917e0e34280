"""SI indicator 9 (natural protected areas) and the Chinese edition's ecological red-line coverage, from the overlay
areas.
"""

from __future__ import annotations

from collections.abc import Mapping

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


def category_values(*, areas: OverlayAreas, names: Mapping[str, str], source: str, how: str) -> list[IndicatorValue]:
    """The protected area per category of China's protected-area system (自然保护地体系), beside I9, ha.

    ``protected_area_{category}`` = city area under the category's polygons, any land cover;
    ``protected_natural_area_{category}`` = natural area under them. Each piece of land is given to one category
    only (national park, then nature reserve, then the natural-park types:
    :data:`~cbindex.geo.protected_area_categories.CATEGORIES`), so the rows add up to ``protected_area`` and
    ``protected_natural_area`` (I9's numerator).

    Parameters
    ----------
    names : dict of str to str
        Category id to the name of its polygon set in ``areas.under``.
    """
    values = []
    for category_id, name in names.items():
        under = areas.under[name]
        values += [
            IndicatorValue(
                f"protected_area_{category_id}",
                under.area_m2 / SQUARE_METRES_PER_HECTARE,
                "ha",
                f"city area under protected areas of category {category_id}, any land cover, land in several "
                f"categories given to the first (national park, nature reserve, natural parks); {source}; {how}",
            ),
            IndicatorValue(
                f"protected_natural_area_{category_id}",
                under.natural_m2 / SQUARE_METRES_PER_HECTARE,
                "ha",
                f"natural area under protected areas of category {category_id}; {source}; {how}",
            ),
        ]
    return values
