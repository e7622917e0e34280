"""GCJ-02 and BD-09 to WGS 84: published coordinate pairs, round trips, and real boundaries read with a datum key."""

import logging

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import BoundarySpec, read_city_boundary
from cbindex.geo.datum_shift import (
    bd09_to_gcj02,
    check_datum,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from cbindex.geo.overlay_polygons import read_overlay_polygons
from cbindex.scoring.coverage import add_input_datums
from tests.helpers import REPO
from tests.unit.geo.test_cgcs2000 import measure

GEOD = Geod(ellps="WGS84")
CHENGDU = REPO / "data" / "chengdu" / "admin_boundaries_CHN-Chengdu.geojson"
FREETOWN = REPO / "data" / "freetown" / "SLE-Freetown_core-boundary.geojson"
MAX_ERROR_M = 0.5

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon): the test vectors of googollee/eviltransform (transform_test.go and its
# Python port's test), Shanghai, Shenzhen and Beijing.
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
# wandergis/coordtransform README (test/app.js), point (116.404, 39.915) near Tian'anmen, (lon, lat):
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)  # their one-step approximate inverse
COORDTRANSFORM_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)  # their one-step approximate inverse


def metres(lon0, lat0, lon1, lat1) -> np.ndarray:
    """Ground distance on the WGS 84 ellipsoid, metres."""
    return np.asarray(GEOD.inv(lon0, lat0, lon1, lat1)[2])


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_PAIRS)
def test_published_eviltransform_pairs(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert (float(lon), float(lat)) == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert metres(back_lon, back_lat, wgs_lon, wgs_lat) < MAX_ERROR_M
    assert metres(gcj_lon, gcj_lat, wgs_lon, wgs_lat) > 100  # the shift the test undoes is real


def test_published_coordtransform_values():
    assert tuple(map(float, wgs84_to_gcj02(116.404, 39.915))) == pytest.approx(COORDTRANSFORM_WGS84_TO_GCJ02, abs=1e-9)
    assert tuple(map(float, gcj02_to_bd09(116.404, 39.915))) == pytest.approx(COORDTRANSFORM_GCJ02_TO_BD09, abs=1e-9)
    # Their inverses are one-step approximations; ours are exact, so they agree within the approximation's error
    # (BD-09: a few centimetres; GCJ-02: 1-2 m, as eviltransform's README says of the one-step inverse).
    assert metres(*bd09_to_gcj02(116.404, 39.915), *COORDTRANSFORM_BD09_TO_GCJ02) < 0.1
    assert metres(*gcj02_to_wgs84(116.404, 39.915), *COORDTRANSFORM_GCJ02_TO_WGS84) < 2.0


def test_round_trips_over_china_stay_under_half_a_metre():
    lon, lat = np.meshgrid(np.linspace(73.5, 134.5, 62), np.linspace(18.2, 53.4, 45))
    lon, lat = lon.ravel(), lat.ravel()
    gcj = wgs84_to_gcj02(lon, lat)
    assert metres(*gcj02_to_wgs84(*gcj), lon, lat).max() < MAX_ERROR_M
    bd = gcj02_to_bd09(*gcj)
    assert metres(*to_wgs84(*bd, datum="bd09"), lon, lat).max() < MAX_ERROR_M
    assert metres(*gcj, lon, lat).min() > 10  # every point was moved, so the round trip proves the inverse


def test_outside_china_nothing_moves():
    lon, lat = np.array([-13.23, 2.35]), np.array([8.48, 48.86])  # Freetown, Paris
    assert np.array_equal(np.stack(wgs84_to_gcj02(lon, lat)), np.stack([lon, lat]))
    assert np.array_equal(np.stack(to_wgs84(lon, lat, datum="gcj02")), np.stack([lon, lat]))


def shifted_copy(source, path, *, datum: str):
    """The boundary file with every vertex moved from WGS 84 into GCJ-02 (or on to BD-09), still labelled EPSG:4326."""
    frame = gpd.read_file(source)

    def forward(xy):
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        if datum == "bd09":
            lon, lat = gcj02_to_bd09(lon, lat)
        return np.column_stack([lon, lat])

    frame["geometry"] = shapely.transform(frame.geometry.values, forward)
    frame.to_file(path)
    return path


def hausdorff_m(a, b, crs) -> float:
    projected = gpd.GeoSeries([a, b], crs=crs).to_crs("EPSG:32648")
    return float(projected.iloc[0].hausdorff_distance(projected.iloc[1]))


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_a_shifted_chengdu_boundary_read_with_its_datum_gives_the_original(tmp_path, datum, caplog):
    original = read_city_boundary(CHENGDU, filter_column="boundary_use", filter_value="TRUE")
    path = shifted_copy(CHENGDU, tmp_path / f"chengdu_{datum}.geojson", datum=datum)
    as_wgs84 = read_city_boundary(path, filter_column="boundary_use", filter_value="TRUE")
    assert hausdorff_m(as_wgs84.geometry, original.geometry, original.crs) > 100
    with caplog.at_level(logging.INFO):
        spec = BoundarySpec(str(path), filter_column="boundary_use", filter_value="TRUE", datum=datum)
        converted = spec.read()
    assert converted.datum == datum
    assert hausdorff_m(converted.geometry, original.geometry, original.crs) < MAX_ERROR_M
    assert "converted from" in caplog.text and "to WGS 84" in caplog.text


def test_gcj02_on_a_city_outside_china_changes_nothing_and_says_so(caplog):
    original = read_city_boundary(FREETOWN)
    with caplog.at_level(logging.WARNING):
        converted = read_city_boundary(FREETOWN, datum="gcj02")
    assert converted.geometry.equals(original.geometry)
    assert "outside China" in caplog.text


def test_a_gcj02_redline_is_read_back_in_wgs84(tmp_path):
    original = read_city_boundary(CHENGDU)
    zone = shapely.box(103.9, 30.5, 104.2, 30.8)
    gpd.GeoDataFrame(geometry=[zone], crs="EPSG:4326").to_file(tmp_path / "wgs.geojson")
    shifted = shapely.transform(shapely.segmentize(zone, 0.01), lambda xy: np.column_stack(wgs84_to_gcj02(*xy.T)))
    gpd.GeoDataFrame(geometry=[shifted], crs="EPSG:4326").to_file(tmp_path / "gcj.geojson")
    bounds = original.geometry.bounds
    read = read_overlay_polygons(
        tmp_path / "gcj.geojson", kind="redline", target_crs=original.crs, clip_bounds=bounds, datum="gcj02"
    )
    assert hausdorff_m(read.geometry, shapely.segmentize(zone, 0.01), original.crs) < MAX_ERROR_M
    assert "converted from GCJ-02" in read.describe()
    unconverted = read_overlay_polygons(
        tmp_path / "gcj.geojson", kind="redline", target_crs=original.crs, clip_bounds=bounds
    )
    assert hausdorff_m(unconverted.geometry, zone, original.crs) > 100


def test_an_unknown_datum_is_one_sentence():
    with pytest.raises(CBIInputError) as error:
        check_datum("WGS-84", sheet_column="boundary_datum")
    assert str(error.value) == (
        "City sheet boundary_datum is 'WGS-84'; use wgs84 (the default), gcj02 (Amap, Tencent, DataV GeoAtlas "
        "exports) or bd09 (Baidu)."
    )
    assert check_datum("", sheet_column="boundary_datum") == "wgs84"
    assert check_datum(" GCJ02 ", sheet_column="boundary_datum") == "gcj02"


def test_the_scorecard_names_each_converted_input_in_both_languages():
    scorecard = {"notes": [], "notes_zh": []}
    add_input_datums(scorecard, input_datums={"boundary": "gcj02", "redline": "bd09", "parks": "wgs84"})
    assert scorecard["input_datums"] == {"boundary": "gcj02", "redline": "bd09"}
    assert scorecard["notes"][0].startswith("The boundary file is in GCJ-02")
    assert "BD-09" in scorecard["notes"][1] and "redline_datum" in scorecard["notes"][1]
    assert (
        scorecard["notes_zh"][0].startswith("城市边界文件为GCJ-02（国测局坐标")
        and "生态保护红线" in scorecard["notes_zh"][1]
    )
    untouched = {"notes": [], "notes_zh": []}
    add_input_datums(untouched, input_datums={"boundary": "wgs84"})
    assert untouched == {"notes": [], "notes_zh": []}


def test_the_natural_area_of_a_gcj02_boundary_read_with_its_datum_is_the_original(tmp_path):
    """The indicator-level check: a part of Chengdu measured on the real raster from its WGS 84 outline, from a
    GCJ-02 copy read with datum gcj02 (the same cells), and from the copy read as WGS 84 (other cells)."""
    city = read_city_boundary(CHENGDU, filter_column="boundary_use", filter_value="TRUE")
    part = shapely.segmentize(shapely.intersection(city.geometry, shapely.box(103.9, 30.55, 104.2, 30.8)), 0.002)
    gpd.GeoDataFrame(geometry=[part], crs="EPSG:4326").to_file(tmp_path / "wgs84.gpkg")
    shifted_copy(tmp_path / "wgs84.gpkg", tmp_path / "gcj02.gpkg", datum="gcj02")
    original = measure(tmp_path / "wgs84.gpkg", boundary_rule="exact")
    converted = measure(tmp_path / "gcj02.gpkg", boundary_rule="exact", datum="gcj02")
    unconverted = measure(tmp_path / "gcj02.gpkg", boundary_rule="exact")
    assert converted.natural_m2 == pytest.approx(original.natural_m2, rel=1e-6)
    assert converted.city_m2 == pytest.approx(original.city_m2, rel=1e-6)
    assert unconverted.natural_m2 != pytest.approx(original.natural_m2, rel=1e-4)  # the shift matters
