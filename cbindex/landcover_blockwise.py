"""The land-cover indicators computed strip by strip, in memory bounded by the strip size.

The window over the city is read in strips of ``block_rows`` rows (full window width). Each strip's natural
cells are labelled into patches locally; patch labels are made global by an offset per strip. Patches are
joined across strip edges, and into gap-rule groups, by comparing the strip with the last rows of the strip
above (as many rows as the gap rule can reach), so that the groups, their areas and every indicator equal
those of the whole-array computation (:func:`cbindex.landcover_indicators.compute_landcover_indicators`).
Peak memory is about ``(block_rows + reach) × window width`` cells times a few bytes, plus one float and a
few integers per patch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np

from cbindex.boundary import CityBoundary
from cbindex.city_grid import CityGrid, CityWindow, open_city_window
from cbindex.connectivity import (
    gap_offsets,
    label_pairs_at_offsets,
    label_patches,
    merge_labels,
    patch_edges,
    touching_offsets,
)
from cbindex.landcover_indicators import (
    CategoryAreas,
    CategoryCodes,
    IndicatorValue,
    IndicatorValues,
    LandcoverMethod,
    area_rule_text,
    connectivity_barrier,
    landcover_values,
    measure_categories,
)
from cbindex.legends import Legend

LOGGER = logging.getLogger(__name__)
DEFAULT_BLOCK_ROWS = 512


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
    """

    values: list[IndicatorValue]
    window: CityWindow
    group_of_patch: np.ndarray
    strip_label_offsets: list[int]
    group_areas_m2: np.ndarray
    block_rows: int
    n_patches: int
    n_groups: int


@dataclass(frozen=True)
class StripCells:
    """One strip as the first pass saw it: its grid, natural mask and patch labels (global = local + offset)."""

    grid: CityGrid
    natural: np.ndarray
    local_labels: np.ndarray
    label_offset: int
    row_start: int


@dataclass
class _PatchGraph:
    """Patch areas and the pairs of patch labels that touch or lie within the gap distance."""

    areas: list[np.ndarray] = field(default_factory=list)
    touching: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    within_gap: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def pairs(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        chosen = self.touching if which == "touching" else self.touching + self.within_gap
        if not chosen:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate([a for a, _ in chosen]), np.concatenate([b for _, b in chosen])


def strips(n_rows: int, block_rows: int) -> Iterator[tuple[int, int]]:
    """Row ranges ``(start, stop)`` covering ``n_rows`` in strips of ``block_rows``."""
    for start in range(0, n_rows, block_rows):
        yield start, min(start + block_rows, n_rows)


def compute_landcover_indicators_blockwise(
    raster_path: str, boundary: CityBoundary, *, legend: Legend, method: LandcoverMethod,
    block_rows: int = DEFAULT_BLOCK_ROWS, on_strip: Callable[[StripCells], None] | None = None,
    barriers: gpd.GeoSeries | None = None,
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
        Barrier polygons for I2 (see :func:`cbindex.landcover_indicators.connectivity_barrier`).

    Returns
    -------
    BlockwiseResult
        Formulas as in :func:`cbindex.landcover_indicators.landcover_values`.

    Raises
    ------
    CBIInputError
        Bad raster or boundary (see :func:`cbindex.city_grid.open_city_window`), unknown class codes, or no
        valid cell inside the city.
    """
    if block_rows < 1:
        raise ValueError("block_rows must be at least 1")
    window = open_city_window(raster_path, boundary)
    codes = CategoryCodes.from_legend(legend, method)
    touching = touching_offsets(method.neighbourhood if method.gap_distance_m <= 0 else 8)
    gap = gap_offsets(cell_width_m=window.cell_width_m, cell_height_m=window.cell_height_m,
                      gap_distance_m=method.gap_distance_m)
    reach = max([dr for dr, _ in touching + gap])
    areas = CategoryAreas()
    graph = _PatchGraph()
    offsets: list[int] = []
    next_label = 0
    carried = np.zeros((0, window.shape[1]), dtype=np.int64)  # edge labels of the rows above the strip
    carried_barrier = np.zeros((0, window.shape[1]), dtype=bool)
    for row_start, row_stop in strips(window.shape[0], block_rows):
        grid = window.read_rows(row_start, row_stop, boundary_rule=method.boundary_rule, nodata_codes=legend.nodata)
        strip_areas, natural = measure_categories(grid, legend=legend, codes=codes)
        areas.add(strip_areas)
        barrier = connectivity_barrier(grid, codes=codes, method=method, barriers=barriers)
        habitat = natural if barrier is None else natural & ~barrier
        local, n_local = label_patches(habitat, neighbourhood=method.neighbourhood)
        offsets.append(next_label)
        cell_area = grid.weight * grid.row_area_m2[:, None]
        graph.areas.append(np.bincount(local.ravel(), weights=cell_area.ravel(), minlength=n_local + 1)[1:])
        edge = patch_edges(habitat)
        edges = np.zeros(local.shape, dtype=np.int64)
        edges[edge] = local[edge] + next_label
        stacked = np.vstack([carried, edges])
        graph.touching.append(label_pairs_at_offsets(stacked, touching))
        stacked_barrier = None
        if barrier is not None:
            stacked_barrier = np.vstack([carried_barrier, barrier])
            carried_barrier = stacked_barrier[-reach:] if reach else carried_barrier
        if gap:
            graph.within_gap.append(label_pairs_at_offsets(stacked, gap, barrier=stacked_barrier))
        carried = stacked[-reach:] if reach else carried
        next_label += n_local
        if on_strip is not None:
            on_strip(StripCells(grid=grid, natural=natural, local_labels=local, label_offset=offsets[-1],
                                row_start=row_start))
    if areas.city_m2 <= 0:
        raise window.no_valid_cell_error()
    patch_areas = np.concatenate([[0.0], *graph.areas])
    patch_of_label = merge_labels(next_label, *graph.pairs("touching"))
    group_of_patch = merge_labels(next_label, *graph.pairs("all")) if method.gap_distance_m > 0 else patch_of_label
    n_patches = int(patch_of_label.max()) if next_label else 0
    n_groups = int(group_of_patch.max()) if next_label else 0
    group_areas = np.bincount(group_of_patch, weights=patch_areas, minlength=n_groups + 1)
    group_areas[0] = 0.0
    values = landcover_values(
        areas=areas, group_areas_m2_=group_areas, n_patches=n_patches, n_groups=n_groups, method=method,
        legend=legend, codes=codes, area_rule=area_rule_text(boundary_rule=method.boundary_rule,
                                                             crs_name=window.crs.name),
    )
    LOGGER.info("Read %d x %d cells in strips of %d rows: %d patches, %d groups", *window.shape, block_rows,
                n_patches, n_groups)
    return BlockwiseResult(values=values, window=window, group_of_patch=group_of_patch.astype(np.int64),
                           strip_label_offsets=offsets, group_areas_m2=group_areas, block_rows=block_rows,
                           n_patches=n_patches, n_groups=n_groups)
