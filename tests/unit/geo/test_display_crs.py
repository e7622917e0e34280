"""The display CRS of a city (config display_crs): its UTM zone by default, or the EPSG code given."""

import logging

import pytest
import shapely
from pyproj import CRS

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import BoundarySpec, CityBoundary
from cbindex.geo.display_crs import city_display_crs, utm_zone_crs
from tests.helpers import REPO


@pytest.mark.parametrize(
    ("longitude", "latitude", "epsg"),
    [
        (104.07, 30.67, 32648),  # Chengdu
        (-13.23, 8.47, 32628),  # Freetown
        (18.42, -33.92, 32734),  # Cape Town, south of the equator
        (-180.0, 10.0, 32601),
        (179.99, -10.0, 32760),
        (180.0, 10.0, 32660),  # the antimeridian belongs to zone 60, not to a zone 61
        (6.0, 0.0, 32632),  # a zone edge starts the next zone; the equator is north
    ],
)
def test_utm_zone_of_a_point(longitude, latitude, epsg):
    assert utm_zone_crs(longitude, latitude) == CRS.from_epsg(epsg)


def chengdu() -> CityBoundary:
    return BoundarySpec(
        str(REPO / "data/chengdu/admin_boundaries_CHN-Chengdu.geojson"),
        filter_column="boundary_use",
        filter_value="TRUE",
    ).read()


def test_auto_is_the_utm_zone_of_the_city_and_a_code_is_taken_as_given():
    boundary = chengdu()
    assert city_display_crs("auto", boundary=boundary).to_epsg() == 32648
    gauss_kruger = city_display_crs("EPSG:4544", boundary=boundary)
    assert gauss_kruger.to_epsg() == 4544 and gauss_kruger.ellipsoid.name == "CGCS2000"
    assert city_display_crs("cgcs2000", boundary=boundary) == gauss_kruger


def test_auto_reads_the_centre_in_degrees_whatever_the_boundary_crs():
    square = shapely.box(498_000, 6_240_000, 502_000, 6_244_000)  # near 34° S on the central meridian of zone 34S
    boundary = CityBoundary(geometry=square, crs=CRS.from_epsg(32734), path="x", repaired=False)
    assert city_display_crs("auto", boundary=boundary).to_epsg() == 32734


def test_an_unknown_code_stops_with_the_choices():
    with pytest.raises(CBIInputError, match=r"display_crs is 'EPSG:999999'.*auto.*cgcs2000.*EPSG:4544"):
        city_display_crs("EPSG:999999", boundary=chengdu())


def test_a_crs_meant_for_elsewhere_is_taken_with_a_warning(caplog):
    square = shapely.box(-13.3, 8.4, -13.1, 8.5)  # Freetown in a Chinese Gauss-Krüger zone
    boundary = CityBoundary(geometry=square, crs=CRS.from_epsg(4326), path="x", repaired=False)
    with caplog.at_level(logging.WARNING, logger="cbindex.geo.display_crs"):
        assert city_display_crs("EPSG:4545", boundary=boundary).to_epsg() == 4545
    assert "maps will be distorted" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cbindex.geo.display_crs"):
        city_display_crs("EPSG:32628", boundary=boundary)
    assert caplog.text == ""
