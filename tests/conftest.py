"""Shared fixtures: tiny rasters and boundaries written to tmp_path."""

import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.geo.boundary import read_city_boundary
from tests.helpers import BUILT, REPO, TREES, crossing_patterns, write_raster, write_vector  # noqa: F401


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


@pytest.fixture
def crossing_city(tmp_path):
    transform = Affine(10, 0, 500_000, 0, -10, 4_000_400)
    raster = write_raster(tmp_path / "lc.tif", crossing_patterns(), transform=transform, crs="EPSG:32648", nodata=0)
    city = write_vector(tmp_path / "city.gpkg", [shapely.box(500_000, 4_000_000, 500_400, 4_000_400)], crs="EPSG:32648")
    return raster, read_city_boundary(city)
