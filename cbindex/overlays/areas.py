"""Areas of the city under overlay polygons, and the indicators made of them: I9, I13 and the red-line shares.

Every area is a sum of ground areas over the land-cover cells, with each cell weighed by the exact fraction of
it that lies both in the city and under the (dissolved) polygons:

- ``centre`` boundary rule (a cell belongs wholly to the city when its centre is inside):
  ``s = w_city · f(P)``, with ``f(P)`` the exact fraction of the cell covered by the polygons ``P``;
- ``exact`` boundary rule: ``s = f(P ∩ city)`` on valid cells (the product of two fractions would under-count
  cells cut by both the city edge and the polygon edge).

Area under the polygons = Σ s · cell area; natural area under them = Σ s · cell area over natural cells.
The fractions are exact coverage fractions (:mod:`cbindex.geo.exact_coverage`), so the areas agree with
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

from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import CityGrid, CityWindow
from cbindex.geo.exact_coverage import exact_coverage_fractions
from cbindex.geo.legends import Legend
from cbindex.landcover.area_shares import CategoryAreas, measure_categories


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
    fractions = exact_coverage_fractions(geometry, shape=shape, transform=grid.transform)
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
    window: CityWindow,
    *,
    legend: Legend,
    codes: CategoryCodes,
    geometries: Mapping[str, BaseGeometry],
    boundary_rule: str,
    block_rows: int,
) -> OverlayAreas:
    """Measure the city and the area under each polygon set, strip by strip.

    Parameters
    ----------
    window : CityWindow
        The city on the land-cover raster (:func:`cbindex.geo.city_grid.open_city_window`).
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
    prepared = {
        name: prepare_for_rule(geometry, city_geometry=window.geometry, boundary_rule=boundary_rule)
        for name, geometry in geometries.items()
    }
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
