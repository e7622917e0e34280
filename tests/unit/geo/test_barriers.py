"""The barrier rule of I2: a gap is never bridged across a road, canal or other barrier."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.core.errors import CBIInputError
from cbindex.core.method import LandcoverMethod
from cbindex.geo.barriers import BarrierRule, line_widths_m, read_barriers
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import read_city_grid
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.connectivity import label_natural_groups
from cbindex.landcover.in_memory import compute_landcover_in_memory
from tests.helpers import REPO, write_raster, write_vector

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
UTM = "EPSG:32648"
X0, Y0 = 500_000, 4_000_000
ROAD_WIDTHS = {"motorway": 30.0, "primary": 20.0, "residential": 8.0}


@pytest.fixture
def two_forests(tmp_path):
    """Two 100 m × 200 m forests (10 m cells) 80 m apart, west and east of x = X0 + 140."""
    codes = np.full((20, 32), 50, dtype=np.uint8)
    codes[:, 0:10] = 10
    codes[:, 18:28] = 10  # columns 10..17 are 8 cells = 80 m of built-up between the forests
    raster = write_raster(tmp_path / "lc.tif", codes, transform=Affine(10, 0, X0, 0, -10, Y0 + 200), crs=UTM, nodata=0)
    city = read_city_boundary(write_vector(tmp_path / "city.gpkg", [shapely.box(X0, Y0, X0 + 320, Y0 + 200)], crs=UTM))
    return raster, city


def road(tmp_path, *, highway=None, width=None, name="roads.gpkg", x=X0 + 140):
    line = shapely.LineString([(x, Y0 - 50), (x, Y0 + 250)])
    columns = {"highway": [highway], "width": [width]}
    return write_vector(tmp_path / name, [line], crs=UTM, **columns)


def n_groups(raster, city, barriers, **method):
    grid = read_city_grid(raster, city, nodata_codes=WORLDCOVER.nodata)
    result = compute_landcover_in_memory(grid, legend=WORLDCOVER, method=LandcoverMethod(**method), barriers=barriers)
    return int(result.value_of("natural_groups"))


def test_eighty_metres_apart_is_one_group_without_a_road(two_forests):
    raster, city = two_forests
    assert n_groups(raster, city, None) == 1


def test_a_twenty_metre_road_between_makes_two_groups(two_forests, tmp_path):
    raster, city = two_forests
    rule = BarrierRule(class_widths_m=ROAD_WIDTHS)
    barriers = read_barriers(str(road(tmp_path, width=20)), rule=rule, city=city)
    assert n_groups(raster, city, barriers) == 2


def test_a_narrow_quiet_road_is_no_barrier(two_forests, tmp_path):
    raster, city = two_forests
    rule = BarrierRule(class_widths_m=ROAD_WIDTHS)
    barriers = read_barriers(str(road(tmp_path, highway="residential")), rule=rule, city=city)
    assert n_groups(raster, city, barriers) == 1


def test_road_class_width_and_traffic_decide(two_forests, tmp_path):
    raster, city = two_forests
    rule = BarrierRule(class_widths_m=ROAD_WIDTHS)
    assert n_groups(raster, city, read_barriers(str(road(tmp_path, highway="primary")), rule=rule, city=city)) == 2
    busy = write_vector(
        tmp_path / "busy.gpkg",
        [shapely.LineString([(X0 + 140, Y0 - 50), (X0 + 140, Y0 + 250)])],
        crs=UTM,
        highway=["residential"],
        aadt=[6000],
    )
    busy_rule = BarrierRule(class_widths_m=ROAD_WIDTHS, traffic_column="aadt")
    assert n_groups(raster, city, read_barriers(str(busy), rule=busy_rule, city=city)) == 2


def test_a_road_that_does_not_lie_between_changes_nothing(two_forests, tmp_path):
    raster, city = two_forests
    rule = BarrierRule(class_widths_m=ROAD_WIDTHS)
    barriers = read_barriers(str(road(tmp_path, width=20, x=X0 + 305)), rule=rule, city=city)
    assert n_groups(raster, city, barriers) == 1


def test_builtup_land_cover_as_barrier(two_forests):
    raster, city = two_forests
    assert n_groups(raster, city, None, builtup_is_barrier=True) == 2


def test_barrier_polygon_in_another_crs(two_forests, tmp_path):
    raster, city = two_forests
    canal = gpd.GeoSeries([shapely.box(X0 + 130, Y0 - 10, X0 + 150, Y0 + 210)], crs=UTM).to_crs(4326)
    path = write_vector(tmp_path / "canal.geojson", list(canal), crs=4326)
    barriers = read_barriers(str(path), rule=BarrierRule(), city=city)
    assert n_groups(raster, city, barriers) == 2


def test_strips_with_barriers_equal_the_whole_array(tmp_path):
    rng = np.random.default_rng(7)
    codes = np.where(rng.random((60, 60)) < 0.3, 10, 50).astype(np.uint8)
    raster = write_raster(tmp_path / "r.tif", codes, transform=Affine(10, 0, X0, 0, -10, Y0 + 600), crs=UTM, nodata=0)
    city = read_city_boundary(write_vector(tmp_path / "c.gpkg", [shapely.box(X0, Y0, X0 + 600, Y0 + 600)], crs=UTM))
    lines = [
        shapely.LineString([(X0, Y0 + 305), (X0 + 600, Y0 + 95)]),
        shapely.LineString([(X0 + 333, Y0), (X0 + 333, Y0 + 600)]),
    ]
    path = write_vector(tmp_path / "roads.gpkg", lines, crs=UTM, width=[16, 25])
    barriers = read_barriers(str(path), rule=BarrierRule(), city=city)
    method = LandcoverMethod(gap_distance_m=35)
    grid = read_city_grid(raster, city, nodata_codes=WORLDCOVER.nodata)
    whole = compute_landcover_in_memory(grid, legend=WORLDCOVER, method=method, barriers=barriers)
    for block_rows in (3, 8, 60):
        strips = compute_landcover_indicators_blockwise(
            str(raster), city, legend=WORLDCOVER, method=method, block_rows=block_rows, barriers=barriers
        )
        assert strips.n_groups == whole.groups.n_groups
        assert strips.value_of("I2") == pytest.approx(whole.value_of("I2"), rel=1e-12)
    unblocked = compute_landcover_in_memory(grid, legend=WORLDCOVER, method=method)
    assert whole.groups.n_groups > unblocked.groups.n_groups


def test_barrier_cells_split_a_patch():
    natural = np.ones((3, 9), dtype=bool)
    barrier = np.zeros_like(natural)
    barrier[:, 4] = True
    groups = label_natural_groups(natural, cell_width_m=10, cell_height_m=10, gap_distance_m=100, barrier=barrier)
    assert groups.n_groups == 2


def test_line_widths_prefer_the_width_column():
    lines = gpd.GeoDataFrame(
        {"width": ["18", None, "wide"], "highway": ["residential", "primary", "motorway"]},
        geometry=[shapely.LineString([(0, 0), (1, 1)])] * 3,
    )
    assert line_widths_m(lines, rule=BarrierRule(class_widths_m=ROAD_WIDTHS)).tolist() == [18.0, 20.0, 30.0]


def test_missing_traffic_column_is_a_clear_error(two_forests, tmp_path):
    _, city = two_forests
    with pytest.raises(CBIInputError, match="has no column 'aadt'"):
        read_barriers(str(road(tmp_path, width=20)), rule=BarrierRule(traffic_column="aadt"), city=city)


def test_unreadable_barrier_file(two_forests, tmp_path):
    _, city = two_forests
    bad = tmp_path / "bad.gpkg"
    bad.write_text("nope")
    with pytest.raises(CBIInputError, match="could not be read"):
        read_barriers(str(bad), rule=BarrierRule(), city=city)
