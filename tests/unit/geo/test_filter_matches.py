"""A boundary or overlay filter matching several features: dissolved, but said in the log and on the result
(how many features, their area in hectares measured on the ground, never in square degrees)."""

import logging

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS, Geod

from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.overlay_polygons import AttributeFilter, read_overlay_polygons
from cbindex.geo.vector_layers import equal_area_ha
from tests.helpers import write_vector

DISTRICT_A = shapely.box(104.00, 30.60, 104.02, 30.62)
DISTRICT_B = shapely.box(104.02, 30.60, 104.04, 30.62)
OTHER = shapely.box(104.10, 30.70, 104.12, 30.72)
LAEA_EUROPE = "EPSG:3035"


def geodesic_ha(geometry) -> float:
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(geometry)
    return abs(area) / 10_000


@pytest.fixture
def districts(tmp_path):
    return write_vector(
        tmp_path / "districts.gpkg", [DISTRICT_A, DISTRICT_B, OTHER], city=["chengdu", "chengdu", "deyang"]
    )


def test_boundary_filter_matching_two_features_is_logged_and_recorded(districts, caplog):
    with caplog.at_level(logging.WARNING):
        boundary = read_city_boundary(districts, filter_column="city", filter_value="chengdu")
    assert boundary.n_features == 2
    expected_ha = geodesic_ha(DISTRICT_A) + geodesic_ha(DISTRICT_B)
    assert expected_ha == pytest.approx(850, rel=0.01)  # 1.9 km x 2.2 km each, not 0.0008 square degrees
    assert boundary.features_area_ha == pytest.approx(expected_ha, rel=1e-4)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "matches 2 features" in message and f"{boundary.features_area_ha:.1f} ha" in message
    assert str(districts) in message and "city = 'chengdu'" in message


def test_boundary_filter_matching_one_feature_is_silent(districts, caplog):
    with caplog.at_level(logging.WARNING):
        boundary = read_city_boundary(districts, filter_column="city", filter_value="deyang")
    assert boundary.n_features == 1
    assert boundary.features_area_ha == pytest.approx(geodesic_ha(OTHER), rel=1e-4)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_boundary_without_filter_records_its_features(districts, caplog):
    with caplog.at_level(logging.WARNING):
        boundary = read_city_boundary(districts)
    assert boundary.n_features == 3 and boundary.layer == "districts"
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_overlay_filter_keeping_two_features_is_logged_and_recorded(tmp_path, caplog):
    x0, y0 = 4_000_000.0, 3_000_000.0
    first, second = shapely.box(x0, y0, x0 + 300, y0 + 500), shapely.box(x0 + 200, y0, x0 + 700, y0 + 400)
    path = write_vector(
        tmp_path / "pa.gpkg",
        [first, second, shapely.box(x0, y0, x0 + 100, y0 + 100)],
        crs=LAEA_EUROPE,
        STATUS=["Designated", "Designated", "Proposed"],
    )
    with caplog.at_level(logging.WARNING):
        overlay = read_overlay_polygons(
            path,
            kind="protected_areas",
            target_crs=CRS.from_user_input(LAEA_EUROPE),
            clip_bounds=(x0, y0, x0 + 1000, y0 + 1000),
            attribute_filter=AttributeFilter(where={"STATUS": ("Designated",)}),
        )
    assert overlay.n_features == overlay.n_kept == 2
    assert overlay.features_area_ha == pytest.approx((first.area + second.area) / 10_000, rel=1e-6)
    assert overlay.geometry.area == pytest.approx(first.union(second).area)  # dissolved: the overlap counts once
    message = " ".join(record.getMessage() for record in caplog.records if record.levelno == logging.WARNING)
    assert "keeps 2 features near the city" in message and f"{overlay.features_area_ha:.1f} ha" in message


def test_equal_area_of_projected_and_geographic_features_agree():
    geographic = gpd.GeoSeries([DISTRICT_A], crs="EPSG:4326")
    assert equal_area_ha(geographic) == pytest.approx(geodesic_ha(DISTRICT_A), rel=1e-4)
    assert equal_area_ha(geographic.to_crs("EPSG:32648")) == pytest.approx(geodesic_ha(DISTRICT_A), rel=1e-3)
    x, y = 400_000, 3_380_000  # 100 km from the UTM zone's central meridian: scale 0.9997
    bow_tie = shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)])
    assert equal_area_ha(gpd.GeoSeries([bow_tie], crs="EPSG:32648")) == pytest.approx(0.5, rel=1e-3)  # repaired
