"""CGCS2000 (EPSG:4490) and its Gauss-Krüger zones: a boundary in any of them measures the same city as in WGS 84;
display_crs and equal_area_crs accept a CGCS2000 zone; the Chengdu sample boundary's own area."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry.polygon import orient

from cbindex.core.errors import CBIInputError
from cbindex.core.method import LandcoverMethod
from cbindex.geo.area_crs import equal_area_crs, is_equal_area
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import open_city_window
from cbindex.geo.display_crs import cgcs2000_zone_crs
from cbindex.geo.legends import load_legend
from cbindex.landcover.stage import boundary_area_ha
from cbindex.overlays.areas import measure_overlays
from tests.helpers import REPO

CHENGDU = REPO / "data" / "chengdu"
BOUNDARY = CHENGDU / "admin_boundaries_CHN-Chengdu.geojson"
RASTER = str(CHENGDU / "world_cover_CHN-Chengdu.tif")
LEGEND = REPO / "config" / "legends" / "esa_worldcover_v100.yaml"
CGCS2000_CRSS = {
    "EPSG:4490": "CGCS2000 longitude/latitude",
    "EPSG:4544": "CGCS2000 / 3-degree Gauss-Kruger CM 105E",
    "EPSG:4543": "CGCS2000 / 3-degree Gauss-Kruger CM 102E (the neighbouring zone)",
    "EPSG:4507": "CGCS2000 / Gauss-Kruger CM 105E (6-degree zone)",
}
METHOD = {
    "gap_distance_m": 100,
    "neighbourhood": 8,
    "boundary_rule": "centre",
    "mesh_denominator": "natural",
    "bare_is_natural": False,
    "snow_is_natural": True,
    "builtup_is_barrier": False,
}


@pytest.fixture(scope="module")
def central_chengdu(tmp_path_factory):
    """A 0.3 x 0.25 degree part of the real Chengdu boundary (about 700 km², a few hundred thousand cells)."""
    city = read_city_boundary(BOUNDARY, filter_column="boundary_use", filter_value="TRUE")
    # Densified like a real outline (vertices every ~200 m): a 30 km straight edge in degrees is not straight in a
    # Gauss-Krüger zone, and the sliver between the two would be the only difference.
    part = shapely.segmentize(shapely.intersection(city.geometry, shapely.box(103.9, 30.55, 104.2, 30.8)), 0.002)
    path = tmp_path_factory.mktemp("cgcs2000") / "wgs84.gpkg"
    gpd.GeoDataFrame(geometry=[part], crs="EPSG:4326").to_file(path)
    return path


def measure(path, *, boundary_rule: str, datum: str = "wgs84"):
    """The city's category areas on the real Chengdu raster, the boundary read from ``path`` in ``datum``."""
    boundary = read_city_boundary(path, datum=datum)
    legend = load_legend(LEGEND)
    method = LandcoverMethod(**{**METHOD, "boundary_rule": boundary_rule})
    areas = measure_overlays(
        open_city_window(RASTER, boundary),
        legend=legend,
        codes=CategoryCodes.from_legend(legend, method),
        geometries={},
        boundary_rule=boundary_rule,
        block_rows=256,
    )
    return areas.city


@pytest.mark.parametrize("boundary_rule", ["centre", "exact"])
@pytest.mark.parametrize("epsg", list(CGCS2000_CRSS))
def test_a_boundary_in_cgcs2000_measures_the_same_city_as_in_wgs84(central_chengdu, tmp_path, epsg, boundary_rule):
    reprojected = gpd.read_file(central_chengdu).to_crs(epsg)
    path = tmp_path / "cgcs2000.gpkg"
    reprojected.to_file(path)
    assert read_city_boundary(path).crs.to_epsg() == int(epsg.split(":")[1])
    wgs84, cgcs2000 = measure(central_chengdu, boundary_rule=boundary_rule), measure(path, boundary_rule=boundary_rule)
    assert wgs84.city_m2 > 6e8  # the part is real: about 700 km² of cells
    for name in ("city_m2", "natural_m2", "water_m2", "permeable_m2", "tree_canopy_m2"):
        assert getattr(cgcs2000, name) == pytest.approx(getattr(wgs84, name), rel=1e-6), name


@pytest.mark.parametrize(("longitude", "epsg"), [(104.06, 4544), (103.4, 4543), (75.0, 4534), (135.2, 4554)])
def test_the_cgcs2000_zone_of_a_longitude(longitude, epsg):
    crs = cgcs2000_zone_crs(longitude)
    assert crs.to_epsg() == epsg and crs.ellipsoid.name == "CGCS2000"
    central_meridian = next(p.value for p in crs.coordinate_operation.params if "longitude" in p.name.lower())
    assert abs(central_meridian - longitude) <= 1.5


def test_a_city_outside_the_zones_is_one_sentence():
    with pytest.raises(CBIInputError, match=r"^Config key display_crs is cgcs2000, but the city's centre .* use auto"):
        cgcs2000_zone_crs(-13.2)


def test_the_chengdu_sample_boundary_is_33088_km2_whatever_the_equal_area_crs():
    boundary = read_city_boundary(BOUNDARY, filter_column="boundary_use", filter_value="TRUE")
    # An independent measure: the geodesic area on the WGS 84 ellipsoid (pyproj.Geod), no projection at all.
    counter_clockwise = shapely.MultiPolygon([orient(part) for part in shapely.get_parts(boundary.geometry)])
    geodesic_km2 = Geod(ellps="WGS84").geometry_area_perimeter(counter_clockwise)[0] / 1e6
    assert geodesic_km2 == pytest.approx(33_088, abs=1)  # the municipality is 14,335 km²: see PROVENANCE.md
    sheet = pd.read_csv(REPO / "config" / "cities.csv", dtype=str).fillna("").set_index("city_id")
    stated = f"{round(geodesic_km2):,}"
    assert f"{stated} km²" in sheet.loc["chengdu", "boundary_note"]  # what the scorecard and report say
    assert f"{stated} 平方公里" in sheet.loc["chengdu", "boundary_note_zh"]
    for setting in ("auto", "EPSG:6933", "EPSG:4544", "EPSG:4490", "EPSG:4507"):
        assert boundary_area_ha(boundary, equal_area_crs=setting) / 100 == pytest.approx(geodesic_km2, rel=1e-4)


def test_a_gauss_kruger_zone_is_measured_on_its_ellipsoid_and_said_so():
    zone = equal_area_crs("EPSG:4544", centre_lon=104.19, centre_lat=30.49)
    assert not is_equal_area(cgcs2000_zone_crs(104.19)) and is_equal_area(zone.crs)
    assert zone.crs.ellipsoid.inverse_flattening == pytest.approx(298.257222101)  # CGCS2000's, not WGS 84's
    assert "is not equal-area" in zone.description and "CGCS2000" in zone.description
    albers = equal_area_crs("EPSG:6933", centre_lon=104.19, centre_lat=30.49)
    assert albers.crs.to_epsg() == 6933 and albers.description == ""
    with pytest.raises(CBIInputError, match=r"^Config key equal_area_crs is 'EPSG:1'"):
        equal_area_crs("EPSG:1", centre_lon=104.19, centre_lat=30.49)
