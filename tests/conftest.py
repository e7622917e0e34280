"""Shared fixtures: tiny rasters and boundaries written to tmp_path."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

from cbindex.boundary import read_city_boundary

REPO = Path(__file__).resolve().parents[1]


def write_raster(path: Path, array: np.ndarray, *, transform: Affine, crs="EPSG:4326", nodata=None) -> Path:
    """Write a single-band GeoTIFF and return its path."""
    profile = {"driver": "GTiff", "width": array.shape[1], "height": array.shape[0], "count": 1,
               "dtype": array.dtype.name, "crs": crs, "transform": transform, "nodata": nodata}
    with rasterio.open(path, "w", **profile) as destination:
        destination.write(array, 1)
    return path


def write_vector(path: Path, geometries, *, crs="EPSG:4326", **columns) -> Path:
    """Write geometries (and optional columns) to a GeoPackage or GeoJSON, by suffix."""
    frame = gpd.GeoDataFrame(columns, geometry=list(geometries), crs=crs)
    frame.to_file(path)
    return path


@pytest.fixture
def square_city(tmp_path):
    """A 10×10 WorldCover-coded raster (0.001° cells near the equator) and a boundary covering its middle."""
    codes = np.full((10, 10), 50, dtype=np.uint8)  # built-up
    codes[:, :4] = 10  # trees
    codes[8:, :] = 80  # water
    transform = Affine(0.001, 0, 10.0, 0, -0.001, 0.01)
    raster = write_raster(tmp_path / "landcover.tif", codes, transform=transform, nodata=0)
    boundary = write_vector(tmp_path / "city.gpkg", [shapely.box(10.0, 0.0, 10.01, 0.01)], name=["city"])
    return raster, boundary


TREES, BUILT = 10, 50  # ESA WorldCover codes


def crossing_patterns() -> np.ndarray:
    """A 40×40 WorldCover raster whose patches and groups cross the edges of 5-row strips every way."""
    codes = np.full((40, 40), BUILT, dtype=np.uint8)
    codes[2:30, 3] = TREES  # vertical line through five strip edges
    for i in range(12):  # a diagonal staircase crossing edges diagonally (8-neighbour links only)
        codes[8 + i, 10 + i] = TREES
    for i in range(12):  # an anti-diagonal one
        codes[8 + i, 36 - i] = TREES
    codes[4, 15:20] = TREES  # row 4 is the last row of strip 0 ...
    codes[7, 15:20] = TREES  # ... row 7 in strip 1: two empty rows between → joined only by the gap rule
    codes[24, 0:5] = TREES  # gap-joined to the vertical line? no: they touch at (24,3)
    codes[33:36, 30:33] = TREES  # isolated block, 3 rows below anything → far with small gaps
    codes[38, 30] = TREES  # 2 empty rows below the block: joined with gaps ≥ 3 cells of distance
    return codes


@pytest.fixture
def crossing_city(tmp_path):
    transform = Affine(10, 0, 500_000, 0, -10, 4_000_400)
    raster = write_raster(tmp_path / "lc.tif", crossing_patterns(), transform=transform, crs="EPSG:32648", nodata=0)
    city = write_vector(tmp_path / "city.gpkg", [shapely.box(500_000, 4_000_000, 500_400, 4_000_400)],
                        crs="EPSG:32648")
    return raster, read_city_boundary(city)
