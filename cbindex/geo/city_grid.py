"""The land-cover cells of one city: the raster window over the boundary, cell weights and ground areas."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.features
import rasterio.transform
import rasterio.windows
from affine import Affine
from pyproj import CRS
from rasterio.errors import RasterioError, RasterioIOError
from shapely.geometry.base import BaseGeometry

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.cell_area import cell_size_m, row_cell_areas_m2
from cbindex.geo.exact_coverage import exact_coverage_fractions

BOUNDARY_RULES = ("centre", "exact")
DEFAULT_BLOCK_ROWS = 512
GDAL_CACHE_MB = 128
"""GDAL's block cache (MiB) while a raster of a city is read or written across its whole width (strips, decimated
display reads, a COG conversion): a row of tiles of the widest raster. GDAL's default, 5 % of the machine's memory,
fills with the decompressed tiles of a 1.3-billion-cell tile (1,200 MiB on a 24 GiB machine) and doubles a job's
peak (``rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB)``)."""
"""Rows per strip when a raster is read strip by strip (config ``block_rows``)."""
MAX_BAD_CODES_IN_MESSAGE = 5


@dataclass
class CityGrid:
    """Land-cover codes of the window covering the city, and how much of each cell belongs to the city.

    Attributes
    ----------
    codes : ndarray
        Class codes of the window (the raster's own dtype).
    valid : ndarray of bool
        False where the raster holds its nodata value or a legend nodata code.
    weight : ndarray of float32
        Share of each cell inside the boundary: 0 or 1 with the ``centre`` rule (cell centre inside), the
        exact coverage fraction in [0, 1] with the ``exact`` rule. Zero where ``valid`` is False.
    row_area_m2 : ndarray of float64, shape (rows,)
        Ground area of one cell of each row, square metres.
    invalid_codes : tuple of int
        Codes that mark cells without data (the raster's nodata value and the legend's nodata codes).
    nodata_area_m2 : float
        Ground area inside the boundary whose cells hold no data (excluded from every indicator), m².
    cell_width_m, cell_height_m : float
        Ground size of a cell at the window's central row, metres (used for the gap distance).
    """

    codes: np.ndarray
    valid: np.ndarray
    weight: np.ndarray
    row_area_m2: np.ndarray
    nodata_area_m2: float
    cell_width_m: float
    cell_height_m: float
    transform: Affine
    crs: CRS
    path: str
    boundary_rule: str
    invalid_codes: tuple[int, ...] = ()

    @property
    def cell_area_m2(self) -> np.ndarray:
        """Ground area of every cell (broadcast of ``row_area_m2``), square metres."""
        return np.broadcast_to(self.row_area_m2[:, None], self.codes.shape)

    def area_m2(self, mask: np.ndarray) -> float:
        """Ground area of the cells in ``mask`` that belong to the city: ``Σ weight · cell area``, m²."""
        per_row = np.einsum("ij,ij->i", mask.astype(np.float32), self.weight, dtype=np.float64)
        return float(per_row @ self.row_area_m2)


def open_raster_checked(
    path: str | Path,
    *,
    label: str = "Land-cover raster",
    sheet_column: str = "landcover",
) -> rasterio.DatasetReader:
    """Open a raster, turning missing and corrupt files into one-sentence errors.

    ``label`` names the raster in messages and ``sheet_column`` the city-sheet column that gives its path.
    """
    path = str(path)
    if not Path(path).exists():
        raise CBIInputError(f"{label} {path} does not exist; check the city sheet's {sheet_column} column.")
    try:
        dataset = rasterio.open(path)
    except (RasterioIOError, RasterioError) as error:
        raise CBIInputError(
            f"{label} {path} cannot be opened as a raster ({error}); replace the file with a valid GeoTIFF."
        ) from error
    if dataset.crs is None:
        dataset.close()
        raise CBIInputError(f"{label} {path} has no CRS; assign one (gdal_edit.py -a_srs) and re-run.")
    return dataset


@dataclass(frozen=True)
class CityWindow:
    """Where the city lies on a raster: the window over its boundary, before any cell is read.

    Cell sizes and row areas belong to the whole window, so that reading the window in strips gives
    exactly the values of one whole read. A ``categorical`` raster (land cover: class codes) read as floats
    must hold whole numbers in every valid cell of a strip read, else :meth:`read_rows` raises.
    """

    path: str
    crs: CRS
    geometry: BaseGeometry
    window: rasterio.windows.Window
    transform: Affine
    raster_nodata: float | None
    row_area_m2: np.ndarray
    cell_width_m: float
    cell_height_m: float
    boundary_path: str
    label: str = "Land-cover raster"
    categorical: bool = True

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns of the window."""
        return int(self.window.height), int(self.window.width)

    def read_rows(
        self, row_start: int, row_stop: int, *, boundary_rule: str = "centre", nodata_codes: tuple[int, ...] = ()
    ) -> CityGrid:
        """Read rows ``row_start:row_stop`` of the window as a :class:`CityGrid` (a strip of the city).

        Raises :class:`CBIInputError` when a ``categorical`` float raster holds a valid cell that is not a whole
        number (fractional, NaN or infinite); the check costs nothing for integer rasters.
        """
        if boundary_rule not in BOUNDARY_RULES:
            raise CBIInputError(f"boundary_rule {boundary_rule!r} is unknown; use one of {', '.join(BOUNDARY_RULES)}.")
        strip = rasterio.windows.Window(
            self.window.col_off, self.window.row_off + row_start, self.window.width, row_stop - row_start
        )
        with open_raster_checked(self.path, label=self.label) as dataset:
            try:
                codes = dataset.read(1, window=strip)
            except (RasterioIOError, RasterioError) as error:
                raise CBIInputError(
                    f"{self.label} {self.path} could not be read ({error}); the file is probably corrupt, replace it."
                ) from error
        transform = self.transform @ Affine.translation(0, row_start)
        valid = np.ones(codes.shape, dtype=bool)
        if self.raster_nodata is not None and not np.isnan(self.raster_nodata):
            valid &= codes != np.asarray(self.raster_nodata).astype(codes.dtype)
        for code in nodata_codes:
            valid &= codes != code
        if self.categorical and codes.dtype.kind == "f":
            self._require_whole_codes(codes, valid)
        weight = _boundary_weights(self.geometry, codes.shape, transform, boundary_rule)
        row_area_m2 = self.row_area_m2[row_start:row_stop]
        nodata_area_m2 = float(np.einsum("ij,ij->i", weight, ~valid, dtype=np.float64) @ row_area_m2)
        weight[~valid] = 0
        return CityGrid(
            codes=codes,
            valid=valid,
            weight=weight,
            row_area_m2=row_area_m2,
            nodata_area_m2=nodata_area_m2,
            cell_width_m=self.cell_width_m,
            cell_height_m=self.cell_height_m,
            transform=transform,
            crs=self.crs,
            path=self.path,
            boundary_rule=boundary_rule,
            invalid_codes=tuple(nodata_codes) + self.raster_nodata_codes(),
        )

    def read_strips(
        self,
        block_rows: int,
        *,
        boundary_rule: str = "centre",
        nodata_codes: tuple[int, ...] = (),
        rows: tuple[int, int] | None = None,
    ) -> Iterator[tuple[int, CityGrid]]:
        """Yield ``(row_start, strip)`` for strips of ``block_rows`` rows, top to bottom (of ``rows``, a
        ``(start, stop)`` range of window rows, when given; else of the whole window).

        The next strip is read in a background thread while the caller works on the current one (GDAL and the
        compiled kernels release the GIL, so on two cores reading costs little wall time); at most two strips
        are in memory. A read error is raised from the strip that failed.
        """
        first, stop = rows if rows is not None else (0, self.shape[0])
        ranges = [(first + start, first + end) for start, end in strips(stop - first, block_rows)]
        if not ranges:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="strip-reader") as reader:

            def read(index: int):
                start, stop = ranges[index]
                return reader.submit(
                    self.read_rows, start, stop, boundary_rule=boundary_rule, nodata_codes=nodata_codes
                )

            pending = read(0)
            for index, (start, _) in enumerate(ranges):
                grid = pending.result()
                if index + 1 < len(ranges):
                    pending = read(index + 1)
                yield start, grid

    def _require_whole_codes(self, codes: np.ndarray, valid: np.ndarray) -> None:
        """Fail when a valid cell of a float class-code strip is not a whole number (areas are keyed by the
        integer part of the code, so 10.0 and 10.4 would collide); NaN and infinities are not codes either."""
        with np.errstate(invalid="ignore"):
            bad = valid & (np.mod(codes, 1) != 0)
        if not bad.any():
            return
        values = np.unique(codes[bad])
        shown = ", ".join(f"{value:g}" for value in values[:MAX_BAD_CODES_IN_MESSAGE])
        more = " and more" if values.size > MAX_BAD_CODES_IN_MESSAGE else ""
        nodata_fix = "" if np.isfinite(values).all() else ", and give cells without data a whole-number nodata value"
        raise CBIInputError(
            f"{self.label} {self.path} holds values that are not whole class codes inside the city's window "
            f"({shown}{more}); the legend expects whole class codes, so resample the raster with nearest neighbour "
            f"(gdalwarp -r near), never an averaging method{nodata_fix}."
        )

    def raster_nodata_codes(self) -> tuple[int, ...]:
        """The raster's own nodata value as a code (empty when it has none or it is NaN)."""
        if self.raster_nodata is None or np.isnan(self.raster_nodata):
            return ()
        return (int(self.raster_nodata),)

    def no_valid_cell_error(self) -> CBIInputError:
        """The error for a city without a single valid cell."""
        return CBIInputError(
            f"No valid cell of raster {self.path} lies inside boundary {self.boundary_path}; check that they "
            "cover the same place and the raster is not all nodata there."
        )


def strips(n_rows: int, block_rows: int) -> Iterator[tuple[int, int]]:
    """Row ranges ``(start, stop)`` covering ``n_rows`` in strips of ``block_rows``."""
    if block_rows < 1:
        raise ValueError("block_rows must be at least 1")
    for start in range(0, n_rows, block_rows):
        yield start, min(start + block_rows, n_rows)


def open_city_window(
    raster_path: str | Path,
    boundary: CityBoundary,
    *,
    label: str = "Land-cover raster",
    sheet_column: str = "landcover",
    categorical: bool = True,
) -> CityWindow:
    """Locate the city on a raster without reading its cells.

    ``label`` and ``sheet_column`` name the raster and its city-sheet column in error messages.
    ``categorical``: the raster holds class codes (land cover), so a float raster must hold whole numbers in
    the cells read (checked strip by strip as they are read); False for quantities such as population counts.

    Raises
    ------
    CBIInputError
        Missing/corrupt raster, raster without CRS, or a boundary that does not overlap the raster.
    """
    path = str(raster_path)
    with open_raster_checked(path, label=label, sheet_column=sheet_column) as dataset:
        crs = CRS.from_user_input(dataset.crs)
        geometry = boundary.to_crs(crs, max_segment_length=None if crs == boundary.crs else boundary.densify_step())
        window = _window_over(dataset, geometry, path=path, boundary_path=boundary.path)
        transform = dataset.window_transform(window)
        raster_nodata = dataset.nodata
    rows, cols = int(window.height), int(window.width)
    width_m, height_m = cell_size_m(crs=crs, transform=transform, height=rows)
    return CityWindow(
        path=path,
        crs=crs,
        geometry=geometry,
        window=window,
        transform=transform,
        raster_nodata=raster_nodata,
        row_area_m2=row_cell_areas_m2(crs=crs, transform=transform, height=rows, width=cols),
        cell_width_m=width_m,
        cell_height_m=height_m,
        boundary_path=boundary.path,
        label=label,
        categorical=categorical,
    )


def read_city_grid(
    raster_path: str | Path,
    boundary: CityBoundary,
    *,
    boundary_rule: str = "centre",
    nodata_codes: tuple[int, ...] = (),
) -> CityGrid:
    """Read only the raster window that covers the city and weigh each cell by its share inside the city.

    Parameters
    ----------
    raster_path : path-like
        Single-band categorical land-cover raster, any CRS (geographic or projected).
    boundary : CityBoundary
        The city, in any CRS; it is reprojected (with densified edges) to the raster's CRS.
    boundary_rule : {"centre", "exact"}
        ``centre``: a cell belongs to the city when its centre is inside the boundary (weight 0/1).
        ``exact``: each cell weighs its exact covered fraction (:mod:`cbindex.geo.exact_coverage`: exactextract's
        quantity, computed on the cells the boundary crosses).
    nodata_codes : tuple of int
        Codes that mean "no data" besides the raster's own nodata value (from the legend).

    Raises
    ------
    CBIInputError
        Missing/corrupt raster, raster without CRS, a boundary that does not overlap the raster, a float raster
        holding values that are not whole codes, or no valid cell inside the boundary.
    """
    city_window = open_city_window(raster_path, boundary)
    grid = city_window.read_rows(0, city_window.shape[0], boundary_rule=boundary_rule, nodata_codes=nodata_codes)
    if not grid.weight.any():
        raise city_window.no_valid_cell_error()
    return grid


def _window_over(dataset, geometry, *, path: str, boundary_path: str) -> rasterio.windows.Window:
    """Smallest whole-cell window of the raster holding the geometry's bounds (outward to whole cells).

    The rounding is done here with floor and ceil: rasterio 1.4's ``round_offsets``/``round_lengths`` ignore
    their ``op`` argument and round to nearest, which would drop cells at the city's edge.
    """
    left, bottom, right, top = geometry.bounds
    try:
        window = rasterio.windows.from_bounds(left, bottom, right, top, transform=dataset.transform)
    except rasterio.errors.WindowError:
        window = None
    if window is not None:
        col_start = max(0, int(np.floor(window.col_off)))
        row_start = max(0, int(np.floor(window.row_off)))
        col_stop = min(dataset.width, int(np.ceil(window.col_off + window.width)))
        row_stop = min(dataset.height, int(np.ceil(window.row_off + window.height)))
        if col_stop > col_start and row_stop > row_start:
            return rasterio.windows.Window(col_start, row_start, col_stop - col_start, row_stop - row_start)
    raise CBIInputError(
        f"Boundary {boundary_path} does not overlap raster {path}; check both cover the same city and CRS."
    )


def _boundary_weights(geometry, shape, transform: Affine, boundary_rule: str) -> np.ndarray:
    if boundary_rule == "centre":
        inside = rasterio.features.geometry_mask([geometry], out_shape=shape, transform=transform, invert=True)
        return inside.astype(np.float32)
    return exact_coverage_fractions(geometry, shape=shape, transform=transform)
