"""China's protected-area system (自然保护地体系): which category a protected-area polygon belongs to.

The system of the 2019 guideline on protected areas with national parks as their main body (《关于建立以国家公园为
主体的自然保护地体系的指导意见》) has three categories: national parks (国家公园), nature reserves (自然保护区)
and natural parks (自然公园), the last made of scenic areas (风景名胜区), forest parks (森林公园), wetland parks
(湿地公园), geoparks (地质公园), marine parks (海洋公园), desert parks (沙漠公园) and grassland parks (草原公园).
Category layers overlap (a forest park inside a nature reserve is common, as the system is still being merged), so
each piece of land is given to one category only, in :data:`CATEGORIES` order (national park first, then nature
reserve, then the natural-park types): the areas per category then add up to the dissolved protected area, in
which every cell counts once.

A feature's category is read from a column the user names (config ``overlays.protected_areas.category_column``):
its text, trimmed and case-insensitive, *contains* one of the category's names, Chinese or English, so
``国家级自然保护区``, ``省级森林公园`` and ``National Forest Park`` are recognised. Subtypes are tried before the
broad names, so ``国家森林公园`` is a forest park, not a national park.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProtectedAreaCategory:
    """One category: its id (row names ``protected_area_<id>``), names, and the texts that mark it."""

    id: str
    name: str
    name_zh: str
    matches: tuple[str, ...]
    natural_park: bool = False
    """Whether the category is one of the natural-park types (自然公园)."""


CATEGORIES = (
    ProtectedAreaCategory("national_park", "National park", "国家公园", ("国家公园", "national park")),
    ProtectedAreaCategory("nature_reserve", "Nature reserve", "自然保护区", ("自然保护区", "nature reserve")),
    ProtectedAreaCategory(
        "scenic_area",
        "Scenic area",
        "风景名胜区",
        ("风景名胜区", "风景区", "scenic area", "scenic and historic interest area", "scenic spot"),
        natural_park=True,
    ),
    ProtectedAreaCategory("forest_park", "Forest park", "森林公园", ("森林公园", "forest park"), natural_park=True),
    ProtectedAreaCategory("wetland_park", "Wetland park", "湿地公园", ("湿地公园", "wetland park"), natural_park=True),
    ProtectedAreaCategory(
        "geopark", "Geopark", "地质公园", ("地质公园", "geopark", "geological park"), natural_park=True
    ),
    ProtectedAreaCategory("marine_park", "Marine park", "海洋公园", ("海洋公园", "marine park"), natural_park=True),
    ProtectedAreaCategory(
        "desert_park",
        "Desert park",
        "沙漠公园",
        ("沙漠公园", "石漠公园", "沙漠（石漠）公园", "沙漠(石漠)公园", "desert park"),
        natural_park=True,
    ),
    ProtectedAreaCategory(
        "grassland_park", "Grassland park", "草原公园", ("草原公园", "grassland park"), natural_park=True
    ),
    ProtectedAreaCategory(
        "natural_park", "Natural park (other)", "自然公园（其他）", ("自然公园", "natural park"), natural_park=True
    ),
)
"""The categories in priority order: land in several is given to the first."""

MATCH_ORDER = (*CATEGORIES[2:], CATEGORIES[1], CATEGORIES[0])
"""The order names are tried in: the natural-park subtypes and nature reserves before national parks (``国家森林
公园`` holds 国家 and 公园 but is a forest park), the generic natural park last among the subtypes."""

CATEGORY_IDS = tuple(category.id for category in CATEGORIES)


def category_of(value: object) -> str | None:
    """The id of the category a column value names, or None (compared as trimmed, case-insensitive text); a
    category's own id (``nature_reserve``) names it too."""
    text = str(value).strip().casefold()
    if not text or text in ("nan", "none"):
        return None
    if text in CATEGORY_IDS:
        return text
    for category in MATCH_ORDER:
        if any(match.casefold() in text for match in category.matches):
            return category.id
    return None


def categorise(values: Iterable[object]) -> list[str | None]:
    """:func:`category_of` of each value."""
    return [category_of(value) for value in values]


def category(category_id: str) -> ProtectedAreaCategory:
    """The category with an id."""
    return next(item for item in CATEGORIES if item.id == category_id)
