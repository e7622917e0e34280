"""Shared fixtures: tiny rasters and boundaries written to tmp_path."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine

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
