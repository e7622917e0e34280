"""Cell areas in square metres: the ellipsoidal formula against pyproj's geodesic polygon areas."""

import numpy as np
import pytest
from affine import Affine
from pyproj import CRS, Geod

from cbindex.geo.cell_area import cell_size_m, row_cell_areas_m2


@pytest.mark.parametrize("latitude", [-60.0, -8.4, 0.0, 30.5, 59.9])
def test_geographic_row_area_matches_geodesic_polygon(latitude):
    size = 0.01
    transform = Affine(size, 0, 104.0, 0, -size, latitude + size)
    areas = row_cell_areas_m2(crs=CRS.from_epsg(4326), transform=transform, height=1, width=1)
    geodesic, _ = Geod(ellps="WGS84").polygon_area_perimeter(
        [104.0, 104.0 + size, 104.0 + size, 104.0], [latitude, latitude, latitude + size, latitude + size]
    )
    assert areas[0] == pytest.approx(abs(geodesic), rel=1e-6)


def test_rows_shrink_towards_the_pole():
    transform = Affine(0.001, 0, 0, 0, -0.001, 60.0)
    areas = row_cell_areas_m2(crs=CRS.from_epsg(4326), transform=transform, height=100, width=5)
    assert np.all(np.diff(areas) > 0)  # moving south, rows grow


def test_equal_area_projection_keeps_nominal_area():
    albers = CRS.from_proj4("+proj=aea +lat_1=29.5 +lat_2=45.5 +lat_0=23 +lon_0=-96 +datum=WGS84 +units=m")
    transform = Affine(30, 0, 1249665, 0, -30, 1260015)
    assert row_cell_areas_m2(crs=albers, transform=transform, height=2, width=2) == pytest.approx(900.0, rel=1e-9)


def test_utm_area_corrects_the_scale_factor():
    # on the central meridian of UTM 48N the point scale is 0.9996, so a 30 m cell covers 900 / 0.9996² m²
    transform = Affine(30, 0, 500000 - 15, 0, -30, 3_400_015)
    area = row_cell_areas_m2(crs=CRS.from_epsg(32648), transform=transform, height=1, width=1)[0]
    assert area == pytest.approx(900 / 0.9996**2, rel=1e-5)


def test_cell_size_in_metres_at_the_equator():
    width, height = cell_size_m(crs=CRS.from_epsg(4326), transform=Affine(1 / 3600, 0, 0, 0, -1 / 3600, 0.5), height=1)
    assert width == pytest.approx(30.92, abs=0.01)
    assert height == pytest.approx(30.72, abs=0.01)
