"""A year's land cover as QGIS shows it: the city's cells copied to a COG, styled in the product's colours.

Why a copy and not the input raster: the project refers to its files by paths relative to itself so that the
results folder can be moved or shared as a whole; the city sheet's raster may lie anywhere (another disk, a
network share, a 1.3-billion-cell tile), is often not masked to the city (the UrbanShift rasters are not) and may
declare no nodata value (the Freetown rasters: int32, 0 is water). The copy holds the window over the city, its
cells outside the boundary (cell centres, as the ``centre`` boundary rule) and the legend's no-data codes set to one
nodata value that is no class code, so QGIS draws the city alone and the folder needs nothing beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rasterio

from cbindex.geo.boundary import CityBoundary
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, open_city_window
from cbindex.geo.legends import Legend
from cbindex.landcover.spatial_outputs import StripRasterWriter
from cbindex.qgis.styles import PaletteEntry, RasterPalette

LABEL_LANGUAGES = ("en", "zh")
"""Label languages of a palette; a palette for no one language (the ``.qml`` beside the GeoTIFF) shows both."""


@dataclass(frozen=True)
class LandcoverMap:
    """A year's land-cover copy (``results/{city}/{year}/landcover.tif``) and the legend of its codes."""

    year: int
    raster: str
    legend: str


def hex_rgba(colour: str, *, alpha: int = 255) -> tuple[int, int, int, int]:
    """``#rrggbb`` as ``(red, green, blue, alpha)``, each 0–255."""
    text = colour.removeprefix("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r} is not #rrggbb")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16), alpha)


def class_label(name: str, name_zh: str, *, language: str | None) -> str:
    """A class's name in ``language`` (``en`` or ``zh``); both, ``English / 中文``, for ``None``."""
    if language is None:
        return name if name == name_zh else f"{name} / {name_zh}"
    if language not in LABEL_LANGUAGES:
        raise ValueError(f"unknown label language {language!r}; use one of {', '.join(LABEL_LANGUAGES)}")
    return name if language == "en" else name_zh


def landcover_palette(legend: Legend, *, language: str | None = None) -> RasterPalette:
    """The paletted (unique values) style of a land-cover raster: one entry per legend class, in file order.

    Parameters
    ----------
    legend : Legend
        The product's legend; each class's ``colour`` (``#rrggbb``, source in the legend's ``colours_source``)
        and names.
    language : {"en", "zh"} or None
        Language of the class labels; None labels each class in English and Chinese.

    Returns
    -------
    RasterPalette
        Opaque class colours; cells without a class (the copy's nodata) are transparent through the raster's own
        nodata value.
    """
    entries = tuple(
        PaletteEntry(
            code,
            hex_rgba(legend_class.colour),
            class_label(legend_class.name, legend_class.name_zh, language=language),
        )
        for code, legend_class in legend.classes.items()
    )
    return RasterPalette(
        name=f"{legend.name} classes",
        entries=entries,
        description=f"{legend.name} ({legend.version}); colours: {legend.colours_source}".strip(),
    )


def map_nodata(dtype: str, *, raster_nodata: float | None, legend: Legend) -> int:
    """The copy's nodata value: the raster's own, else the legend's first no-data code the data type holds, else
    the type's largest (unsigned) or smallest (signed) value; never a class code.

    Raises
    ------
    ValueError
        If every candidate is a class code of the legend.
    """
    info = np.iinfo(np.dtype(dtype))
    extreme = int(info.max if info.min == 0 else info.min)
    own = [] if raster_nodata is None or np.isnan(raster_nodata) else [int(raster_nodata)]
    candidates: Sequence[int] = [*own, *legend.nodata, extreme, int(info.max)]
    for value in candidates:
        if info.min <= value <= info.max and value not in legend.classes:
            return int(value)
    raise ValueError(f"no nodata value for a {dtype} copy of a {legend.name} raster: every candidate is a class")


def write_city_landcover(
    landcover: str,
    *,
    boundary: CityBoundary,
    legend: Legend,
    path: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
) -> int:
    """Copy the city's window of a land-cover raster to a COG, cells outside the city set to nodata.

    Parameters
    ----------
    landcover : str
        The year's land-cover raster (the sheet's ``landcover``).
    boundary : CityBoundary
        The city's boundary; a cell is inside when its centre is (the ``centre`` boundary rule).
    legend : Legend
        The raster's legend: its no-data codes become the copy's nodata too.
    path : str
        Output GeoTIFF (Cloud-Optimised, deflate, nearest-neighbour overviews), in the raster's CRS and grid, of
        the raster's integer type (``int32`` for a float raster, whose codes are whole numbers).
    block_rows : int
        Rows read and written at a time (bounded memory for any raster size).

    Returns
    -------
    int
        The copy's nodata value (:func:`map_nodata`).
    """
    window = open_city_window(landcover, boundary)
    with rasterio.open(landcover) as source:
        source_dtype = np.dtype(source.dtypes[0])
    dtype = source_dtype.name if source_dtype.kind in "iu" else "int32"  # float codes are whole (checked on read)
    nodata = map_nodata(dtype, raster_nodata=window.raster_nodata, legend=legend)
    with StripRasterWriter(
        path, shape=window.shape, transform=window.transform, crs=window.crs, dtype=dtype, nodata=nodata
    ) as writer:
        for start, grid in window.read_strips(block_rows, nodata_codes=legend.nodata):
            inside = (grid.weight > 0) & grid.valid
            writer.write(np.where(inside, grid.codes.astype(dtype, copy=False), nodata), row_start=start)
    return nodata
