"""Land-use polygons burnt into a land-cover raster, strip by strip, so that the raster path's indicators (SI
indicator 2 above all, which needs cells) can be computed from survey polygons.

The grid (:class:`LandUseGrid`) is square cells of ``cell_size_m`` metres in the polygons' own projected CRS (a
CGCS2000 Gauss-Krüger zone for China's surveys), aligned to multiples of the cell size and covering the city, or
any given grid (another raster's, see :meth:`LandUseGrid.like`). A cell takes the code of the polygon that holds
its centre (GDAL's rule, ``all_touched=False``), the no-data code (:func:`nodata_code`) where none does; overlaps
were removed before (:mod:`cbindex.landcover.landuse_polygons`), so no cell depends on drawing order. A raster
polygonized from a grid and burnt back onto the same grid is identical cell for cell (tested on Freetown's Dynamic
World 2020).

Memory is bounded by the strip (``block_rows`` × width cells) plus the polygons themselves: each strip burns only
the polygons a spatial index finds in it, handed to GDAL as mappings built from flat coordinate arrays
(:func:`geojson_polygons`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.features
import rasterio.windows
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.errors import CBIDefectError, CBIInputError
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, strips
from cbindex.geo.legends import Legend
from cbindex.landcover.landuse_polygons import LandUsePolygons

UINT16_MAX = int(np.iinfo(np.uint16).max)


def nodata_code(legend: Legend) -> int:
    """The raster value of cells no polygon covers: the legend's first nodata code (0 for ``gbt21010_2017``), or
    65535 for a legend without one (Dynamic World's 0 is water, so it cannot mean "no polygon").

    Raises
    ------
    CBIInputError
        The legend has no nodata code and uses 65535 as a class.
    """
    if legend.nodata:
        return int(legend.nodata[0])
    if UINT16_MAX in legend.classes:
        raise CBIInputError(
            f"Legend {legend.path} has no nodata code and uses {UINT16_MAX} as a class, so cells without a land-use "
            "polygon cannot be marked; add a nodata code to the legend."
        )
    return UINT16_MAX


@dataclass(frozen=True)
class LandUseGrid:
    """A raster grid: transform, shape (rows, columns) and CRS."""

    transform: Affine
    shape: tuple[int, int]
    crs: CRS

    @classmethod
    def covering(cls, boundary: CityBoundary, *, crs: CRS, cell_size_m: float) -> LandUseGrid:
        """Cells of ``cell_size_m`` metres in ``crs`` (projected, in metres), edges on multiples of the cell size,
        covering the city's extent.

        Raises
        ------
        CBIInputError
            ``crs`` is geographic or not in metres (the fix: reproject the land-use layer to its projected CRS,
            e.g. the CGCS2000 Gauss-Krüger zone), or the cell size is not positive.
        """
        crs = CRS.from_user_input(crs)
        unit = crs.axis_info[0].unit_name if crs.axis_info else ""
        if crs.is_geographic or unit not in ("metre", "meter"):
            raise CBIInputError(
                f"The land-use layer is in {crs.name}, not a projected CRS in metres; reproject it (e.g. to its "
                "CGCS2000 Gauss-Krüger zone such as EPSG:4544, or the UTM zone) so that cells of "
                f"{cell_size_m:g} m can be laid over it."
            )
        if not cell_size_m > 0:
            raise CBIInputError(f"Config landuse_cell_size_m is {cell_size_m}; give a positive number of metres.")
        city = boundary.to_crs(crs, max_segment_length=boundary.densify_step())
        left, bottom, right, top = city.bounds
        left = math.floor(left / cell_size_m) * cell_size_m
        top = math.ceil(top / cell_size_m) * cell_size_m
        width = max(1, math.ceil((right - left) / cell_size_m))
        height = max(1, math.ceil((top - bottom) / cell_size_m))
        return cls(Affine(cell_size_m, 0, left, 0, -cell_size_m, top), (height, width), crs)

    @classmethod
    def like(cls, raster_path: str | Path) -> LandUseGrid:
        """The grid of an existing raster (e.g. to compare the polygons with the raster they came from)."""
        with rasterio.open(raster_path) as dataset:
            return cls(dataset.transform, (dataset.height, dataset.width), CRS.from_user_input(dataset.crs))


def rasterize_landuse(
    polygons: LandUsePolygons,
    *,
    grid: LandUseGrid,
    out_tif: str | Path,
    nodata: int,
    block_rows: int = DEFAULT_BLOCK_ROWS,
) -> int:
    """Burn the polygons' codes into a GeoTIFF on ``grid``, strip by strip; returns the cells covered.

    Polygons in another CRS than the grid's are reprojected first. The GeoTIFF is uint16 (every GB/T 21010 code
    fits), cells without a polygon hold ``nodata`` (:func:`nodata_code`, also the file's nodata tag), tiled and
    compressed, written atomically.
    """
    frame = polygons.frame if CRS.from_user_input(polygons.frame.crs) == grid.crs else polygons.frame.to_crs(grid.crs)
    geometries = frame.geometry.values
    codes = frame["code"].to_numpy()
    if codes.max(initial=0) > UINT16_MAX or codes.min(initial=0) < 0:
        raise CBIInputError(f"Land-use codes must lie in 0-{UINT16_MAX} to be rasterized; {polygons.path} has others.")
    tree = shapely.STRtree(geometries)
    height, width = grid.shape
    profile = {
        "driver": "GTiff",
        "height": height,
        "width": width,
        "count": 1,
        "dtype": "uint16",
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }
    covered = 0
    with atomic_path(out_tif) as temporary, rasterio.open(temporary, "w", **profile) as target:
        for row_start, row_stop in strips(height, block_rows):
            window = rasterio.windows.Window(0, row_start, width, row_stop - row_start)
            transform = rasterio.windows.transform(window, grid.transform)
            left, bottom, right, top = rasterio.windows.bounds(window, grid.transform)
            found = np.sort(tree.query(shapely.box(left, bottom, right, top)))
            strip = np.full((row_stop - row_start, width), nodata, dtype=np.uint16)
            if len(found):
                rasterio.features.rasterize(
                    zip(geojson_polygons(geometries[found]), codes[found].tolist(), strict=True),
                    out=strip,
                    transform=transform,
                    all_touched=False,
                )
            covered += int(np.count_nonzero(strip != nodata))
            target.write(strip, 1, window=window)
    return covered


def geojson_polygons(geometries: np.ndarray) -> list[dict]:
    """Polygons and multipolygons as GeoJSON-like ``MultiPolygon`` mappings with the same rings in the same order
    (what ``rasterio.features.rasterize`` burns), built from shapely's flat coordinate arrays: shapely's own
    ``__geo_interface__`` makes each vertex a Python tuple, most of the time of burning a million polygons."""
    if len(geometries) == 0:
        return []
    kind, coordinates, offsets = shapely.to_ragged_array(geometries)
    if kind == shapely.GeometryType.POLYGON:
        ring_offsets, part_offsets = (offset.tolist() for offset in offsets)
        geometry_offsets = list(range(len(part_offsets)))
    elif kind == shapely.GeometryType.MULTIPOLYGON:
        ring_offsets, part_offsets, geometry_offsets = (offset.tolist() for offset in offsets)
    else:
        raise CBIDefectError(f"Land-use polygons to burn hold {kind.name} geometries; only polygons were expected.")
    vertices = coordinates.tolist()
    return [
        {
            "type": "MultiPolygon",
            "coordinates": [
                [
                    vertices[ring_offsets[ring] : ring_offsets[ring + 1]]
                    for ring in range(part_offsets[part], part_offsets[part + 1])
                ]
                for part in range(geometry_offsets[geometry], geometry_offsets[geometry + 1])
            ],
        }
        for geometry in range(len(geometry_offsets) - 1)
    ]
