"""The land-cover indicators of a city grid held whole in memory: the reference the strip-by-strip pass is tested
against.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from cbindex.core.indicator_table import IndicatorValue, IndicatorValues
from cbindex.core.method import LandcoverMethod
from cbindex.geo.barriers import barrier_mask
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import CityGrid
from cbindex.geo.legends import Legend, codes_mask
from cbindex.landcover.area_shares import area_rule_text, landcover_values, measure_categories
from cbindex.landcover.connectivity import (
    NaturalGroups,
    group_areas_m2,
    label_natural_groups,
)


@dataclass
class LandcoverResult(IndicatorValues):
    """Indicator values of one city and land-cover year, plus the rasters they came from."""

    values: list[IndicatorValue]
    natural: np.ndarray
    groups: NaturalGroups
    group_areas_m2: np.ndarray


def connectivity_barrier(
    grid: CityGrid,
    *,
    codes: CategoryCodes,
    method: LandcoverMethod,
    barriers: gpd.GeoSeries | None,
) -> np.ndarray | None:
    """Barrier cells of a grid for I2: rasterised barrier polygons, plus built-up cells when configured."""
    barrier = None
    if barriers is not None and not barriers.empty:
        barrier = barrier_mask(barriers, crs=grid.crs, shape=grid.codes.shape, transform=grid.transform)
    if method.builtup_is_barrier:
        built = codes_mask(grid.codes, codes.built_up)
        barrier = built if barrier is None else barrier | built
    return barrier


def compute_landcover_in_memory(
    grid: CityGrid,
    *,
    legend: Legend,
    method: LandcoverMethod,
    barriers: gpd.GeoSeries | None = None,
) -> LandcoverResult:
    """Compute I1, I2 (MESH and coherence), I11 and I12 for one city grid held whole in memory.

    This is the reference implementation; :mod:`cbindex.landcover.blockwise` computes the same values strip
    by strip in bounded memory. Formulas: see :func:`landcover_values`. ``barriers`` (polygons from
    :func:`cbindex.geo.barriers.read_barriers`) split patches and may not be bridged by the gap rule.

    Raises
    ------
    CBIInputError
        The raster holds codes the legend does not define.
    """
    codes = CategoryCodes.from_legend(legend, method)
    areas, natural = measure_categories(grid, legend=legend, codes=codes)
    groups = label_natural_groups(
        natural,
        cell_width_m=grid.cell_width_m,
        cell_height_m=grid.cell_height_m,
        gap_distance_m=method.gap_distance_m,
        neighbourhood=method.neighbourhood,
        barrier=connectivity_barrier(grid, codes=codes, method=method, barriers=barriers),
    )
    group_areas = group_areas_m2(
        groups.labels, weight=grid.weight, row_area_m2=grid.row_area_m2, n_groups=groups.n_groups
    )
    values = landcover_values(
        areas=areas,
        group_areas_m2_=group_areas,
        n_patches=groups.n_patches,
        n_groups=groups.n_groups,
        method=method,
        legend=legend,
        codes=codes,
        area_rule=area_rule_text(boundary_rule=grid.boundary_rule, crs_name=grid.crs.name),
    )
    return LandcoverResult(values=values, natural=natural, groups=groups, group_areas_m2=group_areas)
