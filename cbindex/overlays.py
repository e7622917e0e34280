"""Areas of the city under overlay polygons, and the indicators made of them: I9, I13 and the red-line shares.

Every area is a sum of ground areas over the land-cover cells, with each cell weighed by the exact fraction of
it that lies both in the city and under the (dissolved) polygons:

- ``centre`` boundary rule (a cell belongs wholly to the city when its centre is inside):
  ``s = w_city · f(P)``, with ``f(P)`` the exact fraction of the cell covered by the polygons ``P``;
- ``exact`` boundary rule: ``s = f(P ∩ city)`` on valid cells (the product of two fractions would under-count
  cells cut by both the city edge and the polygon edge).

Area under the polygons = Σ s · cell area; natural area under them = Σ s · cell area over natural cells.
The fractions come from exactextract's coverage algorithm, so the areas agree with
``exact_extract(raster, polygons, "weighted_sum", weights=cell_area_raster)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from rasterio.transform import array_bounds
from shapely.geometry.base import BaseGeometry

from cbindex.city_grid import CityGrid, CityWindow, exact_coverage_fractions
from cbindex.landcover_indicators import (
    CategoryAreas,
    CategoryCodes,
    IndicatorValue,
    measure_categories,
    percent,
)
from cbindex.legends import Legend

SQUARE_METRES_PER_HECTARE = 10_000.0
PERSONS_PER_THOUSAND = 1000.0


@dataclass
class AreaUnder:
    """Ground areas of the city under one polygon set, square metres."""

    area_m2: float = 0.0
    natural_m2: float = 0.0


@dataclass
class OverlayAreas:
    """The city's category areas and the areas under each named polygon set (summed over strips)."""

    city: CategoryAreas = field(default_factory=CategoryAreas)
    under: dict[str, AreaUnder] = field(default_factory=dict)


def cell_shares(grid: CityGrid, geometry: BaseGeometry) -> np.ndarray:
    """Share of each cell that lies in the city and under ``geometry`` (float32 array of the grid's shape).

    Parameters
    ----------
    grid : CityGrid
        A strip or the whole window of the city.
    geometry : shapely geometry
        Polygons in the grid's CRS; with the ``exact`` boundary rule, already intersected with the city
        (see :func:`prepare_for_rule`).

    Returns
    -------
    numpy.ndarray
        ``w_city · f(P)`` with the ``centre`` rule; ``f(P ∩ city)`` on valid cells with the ``exact`` rule.
    """
    shape = grid.codes.shape
    if geometry.is_empty or not shapely.intersects(geometry, shapely.box(*array_bounds(*shape, grid.transform))):
        return np.zeros(shape, dtype=np.float32)
    fractions = exact_coverage_fractions(geometry, shape=shape, transform=grid.transform, crs=grid.crs)
    if grid.boundary_rule == "exact":
        return np.where(grid.weight > 0, fractions, np.float32(0))
    return grid.weight * fractions


def prepare_for_rule(geometry: BaseGeometry, *, city_geometry: BaseGeometry, boundary_rule: str) -> BaseGeometry:
    """The polygons as :func:`cell_shares` needs them: cut to the city with the ``exact`` rule, as they are
    with the ``centre`` rule (a boundary cell then counts wholly, polygon parts outside the boundary included)."""
    if boundary_rule == "exact" and not geometry.is_empty:
        return shapely.intersection(geometry, city_geometry)
    return geometry


def measure_overlays(
    window: CityWindow, *, legend: Legend, codes: CategoryCodes, geometries: Mapping[str, BaseGeometry],
    boundary_rule: str, block_rows: int,
) -> OverlayAreas:
    """Measure the city and the area under each polygon set, strip by strip.

    Parameters
    ----------
    window : CityWindow
        The city on the land-cover raster (:func:`cbindex.city_grid.open_city_window`).
    legend : Legend
    codes : CategoryCodes
        Natural classes etc. (from the legend and the method).
    geometries : dict of str to shapely geometry
        Named polygon sets in the raster's CRS, each already dissolved.
    boundary_rule : {"centre", "exact"}
    block_rows : int
        Rows per strip (memory grows with ``block_rows × window width``).

    Returns
    -------
    OverlayAreas
        ``city`` as the land-cover stage measures it (I1's denominator) and, per name,
        ``area_m2 = Σ s · a`` and ``natural_m2 = Σ s · a · natural`` (formulas in the module docstring).

    Raises
    ------
    CBIInputError
        Unknown class codes in the raster, or no valid cell in the city.
    """
    prepared = {name: prepare_for_rule(geometry, city_geometry=window.geometry, boundary_rule=boundary_rule)
                for name, geometry in geometries.items()}
    result = OverlayAreas(under={name: AreaUnder() for name in geometries})
    for _, grid in window.read_strips(block_rows, boundary_rule=boundary_rule, nodata_codes=legend.nodata):
        strip_areas, natural = measure_categories(grid, legend=legend, codes=codes)
        result.city.add(strip_areas)
        for name, geometry in prepared.items():
            shares = dataclasses.replace(grid, weight=cell_shares(grid, geometry))
            result.under[name].area_m2 += shares.area_m2(grid.valid)
            result.under[name].natural_m2 += shares.area_m2(natural)
    if result.city.city_m2 <= 0:
        raise window.no_valid_cell_error()
    return result


def protected_values(*, areas: OverlayAreas, name: str, source: str, how: str) -> list[IndicatorValue]:
    """I9 and its areas.

    I9 proportion of protected natural areas (SI 2014 indicator 9, 2021 indicator 8), %:
    ``I9 = natural area under the dissolved protected-area polygons ÷ city area × 100``; the city area is
    I1's denominator (every valid cell, water included).
    """
    under = areas.under[name]
    return [
        IndicatorValue("protected_area", under.area_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"city area under protected areas, any land cover; {source}; {how}"),
        IndicatorValue("protected_natural_area", under.natural_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"natural area under protected areas; {source}; {how}"),
        IndicatorValue("I9", percent(under.natural_m2, areas.city.city_m2), "%",
                       f"natural area under protected areas / city area x 100; {source}; {how}"),
    ]


def redline_values(*, areas: OverlayAreas, name: str, source: str, how: str) -> list[IndicatorValue]:
    """The ecological protection red-line shares (生态保护红线, Chinese edition), %.

    ``redline_coverage = red-line area in the city ÷ city area × 100`` (any land cover);
    ``redline_natural_share = natural area in the red line ÷ red-line area in the city × 100`` (NaN, not
    assessed, when no red line lies in the city).
    """
    under = areas.under[name]
    return [
        IndicatorValue("redline_area", under.area_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"city area inside the red line, any land cover; {source}; {how}"),
        IndicatorValue("redline_natural_area", under.natural_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"natural area inside the red line; {source}; {how}"),
        IndicatorValue("redline_coverage", percent(under.area_m2, areas.city.city_m2), "%",
                       f"red-line area / city area x 100; {source}; {how}"),
        IndicatorValue("redline_natural_share", percent(under.natural_m2, under.area_m2), "%",
                       f"natural area in the red line / red-line area x 100; {source}; {how}"),
    ]


def parks_values(
    *, areas: OverlayAreas, parks_name: str, counted_name: str, source: str, how: str, persons: float | None,
    population_method: str,
) -> list[IndicatorValue]:
    """I13 and its areas.

    I13 area of parks with natural areas per 1,000 persons (SI 2014 indicator 13, 2021 indicator 12),
    ha per 1000 persons: ``I13 = natural area under (parks ∪ protected areas) [ha] ÷ (population ÷ 1000)``;
    parks and protected areas are dissolved together so land in both counts once. Without a population the
    value is NaN (not assessed).
    """
    counted_ha = areas.under[counted_name].natural_m2 / SQUARE_METRES_PER_HECTARE
    values = [
        IndicatorValue("park_natural_area", areas.under[parks_name].natural_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"natural area under parks alone; {source}; {how}"),
        IndicatorValue("parks_and_protected_natural_area", counted_ha, "ha",
                       f"natural area under parks and protected areas dissolved together; {source}; {how}"),
    ]
    if persons is None:
        return [*values, IndicatorValue("I13", float("nan"), "ha per 1000 persons",
                                        f"not assessed: {population_method}")]
    return [
        *values,
        IndicatorValue("population", persons, "persons", population_method),
        IndicatorValue("I13", counted_ha / (persons / PERSONS_PER_THOUSAND), "ha per 1000 persons",
                       f"natural area under parks and protected areas [ha] / (population / 1000); population "
                       f"{persons:.0f} ({population_method}); {source}; {how}"),
    ]
