"""Rasters at display resolution, in the map's display CRS: read decimated, then warped cell by cell (nearest).

A report map is at most :data:`MAX_DISPLAY_CELLS` cells on its longest side, whatever the raster: rasters are
read with ``out_shape`` (GDAL uses their overviews when present, and reads block by block otherwise), so memory
stays bounded by the display grid, never by the raster (the 10 m tiles hold 1.3 billion cells), and GDAL's block
cache is held to :data:`~cbindex.geo.city_grid.GDAL_CACHE_MB` while they are read: a raster without
overviews (a scenario's ``landcover.tif``) is decompressed block by block, and GDAL's default cache (5 % of the
machine's memory) kept 1,200 MiB of those blocks on the São Tomé tile. The arrays are
then reprojected with nearest-cell resampling onto one grid in the display CRS (config ``display_crs``), so that
every map of a year shares a grid and the city keeps its true proportions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import rasterio
import rasterio.windows
from affine import Affine
from pyproj import CRS
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject

from cbindex.geo.city_grid import GDAL_CACHE_MB

MAX_DISPLAY_CELLS = 1200
"""Longest side, in cells, of a raster drawn on a map: about the map's width in pixels at the report's 2× images
(7 in at 220 dpi, legend beside)."""


@dataclass(frozen=True)
class DataGrid:
    """A raster read at display resolution in its own CRS: the array, its transform and CRS."""

    array: np.ndarray
    transform: Affine
    crs: Any

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)`` in the raster's CRS."""
        rows, cols = self.array.shape
        left, top = self.transform @ (0, 0)
        right, bottom = self.transform @ (cols, rows)
        return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


@dataclass(frozen=True)
class DisplayGrid:
    """The grid maps are drawn on, in the display CRS (metres for the projected CRSs used)."""

    crs: CRS
    transform: Affine
    shape: tuple[int, int]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(left, right, bottom, top)``, as matplotlib's ``imshow`` takes it."""
        left, top = self.transform @ (0, 0)
        right, bottom = self.transform @ (self.shape[1], self.shape[0])
        return left, right, min(bottom, top), max(bottom, top)


def read_display_raster(path: str, *, max_cells: int = MAX_DISPLAY_CELLS) -> DataGrid:
    """Band 1 of a raster, at most `max_cells` on its longest side (nearest cell)."""
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), rasterio.open(path) as dataset:
        return _read(dataset, window=None, max_cells=max_cells)


def read_display_window(path: str, *, like: DataGrid) -> DataGrid:
    """Band 1 of a raster over the bounds of `like`, on `like`'s cells (same shape; nearest cell).

    Used for the land-cover raster over the city window of the natural-area mask: the mask is a window of the
    same grid, so both read the same cells. The window must lie inside the raster.
    """
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), rasterio.open(path) as dataset:
        window = rasterio.windows.from_bounds(*like.bounds, transform=dataset.transform)
        window = window.round_offsets().round_lengths()
        array = dataset.read(1, window=window, out_shape=like.array.shape, resampling=Resampling.nearest)
        return DataGrid(array=array, transform=like.transform, crs=dataset.crs)


def _read(dataset, *, window, max_cells: int) -> DataGrid:
    height, width = dataset.height, dataset.width
    scale = max(width, height) / max_cells
    if scale <= 1:
        return DataGrid(array=dataset.read(1), transform=dataset.transform, crs=dataset.crs)
    shape = (max(1, round(height / scale)), max(1, round(width / scale)))
    array = dataset.read(1, out_shape=shape, resampling=Resampling.nearest)
    transform = dataset.transform @ Affine.scale(width / shape[1], height / shape[0])
    return DataGrid(array=array, transform=transform, crs=dataset.crs)


def display_grid(data: DataGrid, *, crs: CRS, max_cells: int = MAX_DISPLAY_CELLS) -> DisplayGrid:
    """The display-CRS grid covering a data grid, cells about as fine as its cells (at most `max_cells` a side)."""
    rows, cols = data.array.shape
    transform, width, height = calculate_default_transform(data.crs, crs, cols, rows, *data.bounds)
    scale = max(width, height) / max_cells
    if scale > 1:
        width, height = max(1, round(width / scale)), max(1, round(height / scale))
        transform, width, height = calculate_default_transform(
            data.crs, crs, cols, rows, *data.bounds, dst_width=width, dst_height=height
        )
    return DisplayGrid(crs=CRS.from_user_input(crs), transform=transform, shape=(height, width))


def to_display(data: DataGrid, grid: DisplayGrid, *, fill: int) -> np.ndarray:
    """Warp a data grid onto the display grid, nearest cell; cells outside the data (and ``fill`` cells) = fill."""
    destination = np.full(grid.shape, fill, dtype=data.array.dtype)
    reproject(
        source=data.array,
        destination=destination,
        src_transform=data.transform,
        src_crs=data.crs,
        src_nodata=fill,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=fill,
        resampling=Resampling.nearest,
    )
    return destination
