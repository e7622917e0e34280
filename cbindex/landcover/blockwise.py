"""The land-cover indicators computed strip by strip, in memory bounded by the strip size.

The window over the city is read in strips of ``block_rows`` rows (full window width). Each strip's category
areas and natural mask come from one pass over its codes (:mod:`cbindex.kernels.code_areas`); its natural cells go
to :class:`cbindex.kernels.strip_groups.StripGroups`, which labels patches locally, joins them across strip edges
and by the gap rule, so that the groups, their areas and every indicator equal those of the whole-array computation
(:func:`cbindex.landcover.in_memory.compute_landcover_in_memory`). Peak memory is about
``(block_rows + reach) × window width`` cells times a few bytes, plus a float and a few integers per patch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from cbindex.core.indicator_table import IndicatorValue, IndicatorValues
from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, CityGrid, CityWindow, open_city_window
from cbindex.geo.legends import Legend
from cbindex.kernels.run_labels import Runs
from cbindex.kernels.strip_groups import StripGroups
from cbindex.landcover.area_shares import CategoryAreas, area_rule_text, landcover_values, measure_categories
from cbindex.landcover.in_memory import connectivity_barrier

LOGGER = logging.getLogger(__name__)


@dataclass
class BlockwiseResult(IndicatorValues):
    """Indicator values plus what is needed to write per-cell outputs in a second pass.

    Attributes
    ----------
    values : list of IndicatorValue
    window : CityWindow
    group_of_patch : ndarray of int64
        Group number (1..n_groups) of each global patch label (index 0 = no patch).
    strip_label_offsets : list of int
        Offset added to each strip's local patch labels to make them global.
    group_areas_m2 : ndarray of float64
        Ground area of each group (index 0 unused, 0).
    patch_of_label : ndarray of int64
        Patch number (1..n_patches, raster-scan order of each patch's first cell) of each global patch label.
    """

    values: list[IndicatorValue]
    window: CityWindow
    group_of_patch: np.ndarray
    strip_label_offsets: list[int]
    group_areas_m2: np.ndarray
    block_rows: int
    n_patches: int
    n_groups: int
    patch_of_label: np.ndarray | None = None


@dataclass(frozen=True)
class StripCells:
    """One strip as the first pass saw it: its grid, natural mask and patch labels (global = local + offset);
    ``habitat`` (the labelled cells: natural, not barrier) and ``runs`` (their runs, labelled with the local
    labels) spare a caller tracing the patches another pass over the cells."""

    grid: CityGrid
    natural: np.ndarray
    local_labels: np.ndarray
    label_offset: int
    row_start: int
    habitat: np.ndarray | None = None
    runs: Runs | None = None


def compute_landcover_indicators_blockwise(
    raster_path: str,
    boundary: CityBoundary,
    *,
    legend: Legend,
    method: LandcoverMethod,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    on_strip: Callable[[StripCells], None] | None = None,
    barriers: gpd.GeoSeries | None = None,
    window: CityWindow | None = None,
) -> BlockwiseResult:
    """Compute I1, I2 (MESH, coherence), I11 and I12 strip by strip; equal to the whole-array computation.

    Parameters
    ----------
    raster_path : str
        Land-cover raster; only the window covering the boundary is read.
    boundary : CityBoundary
    legend : Legend
    method : LandcoverMethod
    block_rows : int
        Rows per strip; memory grows with ``block_rows × window width``.
    on_strip : callable, optional
        Called with a :class:`StripCells` for each strip (e.g. to write the natural mask or patch polygons).
    barriers : geopandas.GeoSeries, optional
        Barrier polygons for I2 (see :func:`cbindex.landcover.in_memory.connectivity_barrier`).
    window : CityWindow, optional
        The city's window on the raster when the caller has opened it already (it is not located twice).

    Returns
    -------
    BlockwiseResult
        Formulas as in :func:`cbindex.landcover.area_shares.landcover_values`.

    Raises
    ------
    CBIInputError
        Bad raster or boundary (see :func:`cbindex.geo.city_grid.open_city_window`), unknown class codes, or no
        valid cell inside the city.
    """
    run = StripPass(raster_path, boundary, legend=legend, method=method, barriers=barriers, window=window)
    groups = run.new_groups()
    areas = CategoryAreas()
    for strip_areas in run.strips(groups, rows=(0, run.window.shape[0]), block_rows=block_rows, on_strip=on_strip):
        areas.add(strip_areas)
    return run.result(areas, groups.finish(), block_rows=block_rows)


def habitat_is_natural(method: LandcoverMethod, barriers: gpd.GeoSeries | None) -> bool:
    """No barrier polygon and built-up cells not barriers: I2's habitat is every natural cell, so its patches are
    the natural patches (:func:`cbindex.landcover.in_memory.connectivity_barrier` gives no barrier)."""
    return (barriers is None or barriers.empty) and not method.builtup_is_barrier


class StripPass:
    """One city's strip pass: its window, category codes, method and barriers, and the loop over strips.

    Shared by the one-job computation here and the band jobs of :mod:`cbindex.landcover.bands`.
    """

    def __init__(
        self,
        raster_path: str,
        boundary: CityBoundary,
        *,
        legend: Legend,
        method: LandcoverMethod,
        barriers: gpd.GeoSeries | None,
        window: CityWindow | None = None,
    ) -> None:
        self.window = window if window is not None else open_city_window(raster_path, boundary)
        self.legend = legend
        self.method = method
        self.barriers = barriers
        self.codes = CategoryCodes.from_legend(legend, method)

    @property
    def habitat_is_natural(self) -> bool:
        """No barrier of any kind: I2's patches are the natural patches (see :func:`habitat_is_natural`)."""
        return habitat_is_natural(self.method, self.barriers)

    def new_groups(self, *, row_above: np.ndarray | None = None) -> StripGroups:
        return StripGroups(
            width=self.window.shape[1],
            cell_width_m=self.window.cell_width_m,
            cell_height_m=self.window.cell_height_m,
            gap_distance_m=self.method.gap_distance_m,
            neighbourhood=self.method.neighbourhood,
            row_above=row_above,
        )

    def habitat(self, grid: CityGrid) -> tuple[CategoryAreas, np.ndarray, np.ndarray, np.ndarray | None]:
        """Category areas, natural cells, habitat (natural, not barrier) and barrier cells of one strip."""
        strip_areas, natural = measure_categories(grid, legend=self.legend, codes=self.codes)
        barrier = connectivity_barrier(grid, codes=self.codes, method=self.method, barriers=self.barriers)
        return strip_areas, natural, (natural if barrier is None else natural & ~barrier), barrier

    def habitat_row(self, row: int) -> np.ndarray:
        """Habitat cells of one window row (the row next to a band)."""
        grid = self.window.read_rows(
            row, row + 1, boundary_rule=self.method.boundary_rule, nodata_codes=self.legend.nodata
        )
        return self.habitat(grid)[2][0]

    def strips(
        self,
        groups: StripGroups,
        *,
        rows: tuple[int, int],
        block_rows: int,
        on_strip: Callable[[StripCells], None] | None,
    ) -> Iterator[CategoryAreas]:
        """Feed the strips of ``rows`` to ``groups``; yield each strip's category areas."""
        whole_cells = self.method.boundary_rule == "centre"  # weights are 1 or 0: habitat cells count whole
        for row_start, grid in self.window.read_strips(
            block_rows, boundary_rule=self.method.boundary_rule, nodata_codes=self.legend.nodata, rows=rows
        ):
            strip_areas, natural, habitat, barrier = self.habitat(grid)
            local = groups.add_strip(
                habitat,
                row_area_m2=grid.row_area_m2,
                weight=None if whole_cells else grid.weight,
                barrier=barrier,
                keep_labels=on_strip is not None,
            )
            if on_strip is not None:
                on_strip(
                    StripCells(
                        grid=grid,
                        natural=natural,
                        local_labels=local,
                        label_offset=groups.strip_label_offsets[-1],
                        row_start=row_start,
                        habitat=habitat,
                        runs=groups.last_runs,
                    )
                )
            yield strip_areas

    def result(self, areas: CategoryAreas, totals, *, block_rows: int) -> BlockwiseResult:
        if areas.city_m2 <= 0:
            raise self.window.no_valid_cell_error()
        values = landcover_values(
            areas=areas,
            group_areas_m2_=totals.group_areas_m2,
            n_patches=totals.n_patches,
            n_groups=totals.n_groups,
            method=self.method,
            legend=self.legend,
            codes=self.codes,
            area_rule=area_rule_text(boundary_rule=self.method.boundary_rule, crs_name=self.window.crs.name),
        )
        LOGGER.info(
            "Window %d x %d cells in strips of %d rows: %d patches, %d groups",
            *self.window.shape,
            block_rows,
            totals.n_patches,
            totals.n_groups,
        )
        return BlockwiseResult(
            values=values,
            window=self.window,
            group_of_patch=totals.group_of_patch,
            strip_label_offsets=totals.strip_label_offsets,
            group_areas_m2=totals.group_areas_m2,
            block_rows=block_rows,
            n_patches=totals.n_patches,
            n_groups=totals.n_groups,
            patch_of_label=totals.patch_of_label,
        )
