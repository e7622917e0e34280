"""One huge city as separate jobs: the land-cover window cut into row bands, computed apart, then joined.

Each band is whole strips of ``block_rows``; a band job reads the natural row just above and just below its
band, so patch edges are those of the whole raster, and saves its state
(:meth:`cbindex.kernels.strip_groups.StripGroups.save`) with its per-strip category areas. The merge joins the bands top
to bottom (:meth:`cbindex.kernels.strip_groups.StripGroups.absorb`) and adds the category areas strip by strip in the
same order, so every value is identical to :func:`cbindex.landcover.blockwise.compute_landcover_indicators_blockwise`
with the same ``block_rows``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, CityWindow
from cbindex.geo.legends import Legend
from cbindex.kernels.strip_groups import gap_reach_rows
from cbindex.landcover.area_shares import CategoryAreas
from cbindex.landcover.blockwise import BlockwiseResult, StripCells, StripPass

LOGGER = logging.getLogger(__name__)
CATEGORY_FIELDS = tuple(CategoryAreas.__dataclass_fields__)


def plan_bands(n_rows: int, *, n_bands: int, block_rows: int, min_rows: int) -> list[tuple[int, int]]:
    """Split ``n_rows`` window rows into ``n_bands`` row ranges of whole strips, top to bottom.

    Each band gets ``ceil(strips / n_bands)`` strips; a band shorter than ``min_rows`` (the gap rule's reach
    plus one) is given to the band above, so some bands at the bottom may be empty ``(n_rows, n_rows)``.
    """
    if n_bands < 1:
        raise ValueError("n_bands must be at least 1")
    n_strips = -(-n_rows // block_rows)
    strips_per_band = max(1, -(-n_strips // n_bands))
    bands = []
    for index in range(n_bands):
        start = min(n_rows, index * strips_per_band * block_rows)
        stop = min(n_rows, (index + 1) * strips_per_band * block_rows)
        bands.append((start, stop))
    for index in range(n_bands - 1, 0, -1):
        start, stop = bands[index]
        if 0 < stop - start < min_rows:
            bands[index - 1] = (bands[index - 1][0], stop)
            bands[index] = (n_rows, n_rows)
    return bands


def window_bands(
    window: CityWindow, *, method: LandcoverMethod, n_bands: int, block_rows: int
) -> list[tuple[int, int]]:
    """The row ranges of a city window's bands (:func:`plan_bands`, at least the gap rule's reach + 1 rows)."""
    reach = gap_reach_rows(
        cell_width_m=window.cell_width_m, cell_height_m=window.cell_height_m, gap_distance_m=method.gap_distance_m
    )
    return plan_bands(window.shape[0], n_bands=n_bands, block_rows=block_rows, min_rows=reach + 1)


def compute_band(
    raster_path: str,
    boundary: CityBoundary,
    *,
    legend: Legend,
    method: LandcoverMethod,
    band: int,
    n_bands: int,
    state_path: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    on_strip: Callable[[StripCells], None] | None = None,
    barriers: gpd.GeoSeries | None = None,
    window: CityWindow | None = None,
) -> tuple[int, int]:
    """Compute one band of a city (rows :func:`plan_bands` gives it) and save its state for :func:`merge_bands`.

    The band reads the natural row just above and just below it, so patch edges, and hence groups, are those
    of the whole raster. ``on_strip`` sees the band's strips (row starts in window rows; labels local to the
    band); ``window`` is the city's window when the caller has opened it already. Returns the band's
    ``(row_start, row_stop)`` in window rows.
    """
    run = StripPass(raster_path, boundary, legend=legend, method=method, barriers=barriers, window=window)
    rows = band_rows(run, band=band, n_bands=n_bands, block_rows=block_rows)
    start, stop = rows
    height = run.window.shape[0]
    groups = run.new_groups(row_above=run.habitat_row(start - 1) if 0 < start < stop else None)
    per_strip = list(run.strips(groups, rows=rows, block_rows=block_rows, on_strip=on_strip))
    groups.finish(row_below=run.habitat_row(stop) if start < stop < height else None)
    table = np.array(
        [[getattr(areas, name) for name in CATEGORY_FIELDS] for areas in per_strip], dtype=np.float64
    ).reshape(-1, len(CATEGORY_FIELDS))
    groups.save(state_path, extra={"category_areas": table, "rows": np.array(rows, dtype=np.int64)})
    LOGGER.info("Band %d of %d: rows %d-%d of %d, %d strips", band + 1, n_bands, start, stop, height, len(per_strip))
    return rows


@dataclass(frozen=True)
class MergedBands:
    """Indicator values of a city computed in bands, and where each band's labels land globally."""

    result: BlockwiseResult
    band_rows: list[tuple[int, int]]
    band_label_shifts: list[int]


def merge_bands(
    raster_path: str,
    boundary: CityBoundary,
    *,
    legend: Legend,
    method: LandcoverMethod,
    state_paths: list[str],
    block_rows: int = DEFAULT_BLOCK_ROWS,
    barriers: gpd.GeoSeries | None = None,
    window: CityWindow | None = None,
) -> MergedBands:
    """Join the saved bands of a city (top to bottom) into the values one strip-by-strip pass gives.

    Category areas are added strip by strip in the same order, patches and groups are joined across band
    edges (:meth:`cbindex.kernels.strip_groups.StripGroups.absorb`), so every value is identical to
    :func:`compute_landcover_indicators_blockwise` with the same ``block_rows``.
    """
    run = StripPass(raster_path, boundary, legend=legend, method=method, barriers=barriers, window=window)
    groups = run.new_groups()
    groups.finish()
    areas = CategoryAreas()
    saved_rows, shifts = [], []
    for path in state_paths:
        shift, extra = groups.absorb(path)
        shifts.append(shift)
        saved_rows.append(tuple(int(row) for row in extra["rows"]))
        for values in extra["category_areas"]:
            areas.add(CategoryAreas(**dict(zip(CATEGORY_FIELDS, values.tolist(), strict=True))))
    expected = [
        band_rows(run, band=index, n_bands=len(state_paths), block_rows=block_rows) for index in range(len(state_paths))
    ]
    if saved_rows != expected:
        raise ValueError(f"band states cover rows {saved_rows}, expected {expected}; recompute the bands")
    return MergedBands(
        result=run.result(areas, groups.finish(), block_rows=block_rows), band_rows=saved_rows, band_label_shifts=shifts
    )


def band_rows(run: StripPass, *, band: int, n_bands: int, block_rows: int) -> tuple[int, int]:
    """Window rows of one band of a strip pass's city."""
    if not 0 <= band < n_bands:
        raise ValueError(f"band {band} is not one of 0..{n_bands - 1}")
    return window_bands(run.window, method=run.method, n_bands=n_bands, block_rows=block_rows)[band]
