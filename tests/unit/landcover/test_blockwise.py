"""Strip-by-strip computation equals the whole-array computation: same groups, same areas, same values."""

import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import read_city_grid
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.in_memory import compute_landcover_in_memory
from tests.helpers import REPO, write_raster, write_vector

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
TREES, BUILT = 10, 50


def whole_and_strips(raster, boundary, method, block_rows):
    grid = read_city_grid(raster, boundary, boundary_rule=method.boundary_rule, nodata_codes=WORLDCOVER.nodata)
    whole = compute_landcover_in_memory(grid, legend=WORLDCOVER, method=method)
    strips = []
    result = compute_landcover_indicators_blockwise(
        raster, boundary, legend=WORLDCOVER, method=method, block_rows=block_rows, on_strip=strips.append
    )
    global_labels = np.vstack([np.where(s.local_labels > 0, s.local_labels + s.label_offset, 0) for s in strips])
    return whole, result, result.group_of_patch[global_labels]


@pytest.mark.parametrize("block_rows", [1, 2, 3, 5, 7, 40])
@pytest.mark.parametrize(
    "method",
    [
        LandcoverMethod(gap_distance_m=0, neighbourhood=8),
        LandcoverMethod(gap_distance_m=0, neighbourhood=4),
        LandcoverMethod(gap_distance_m=25),
        LandcoverMethod(gap_distance_m=30.5),
        LandcoverMethod(gap_distance_m=100),
    ],
    ids=["gap0-n8", "gap0-n4", "gap25", "gap30.5", "gap100"],
)
def test_strips_give_identical_groups_and_values(crossing_city, method, block_rows):
    raster, boundary = crossing_city
    whole, strips, strip_groups = whole_and_strips(raster, boundary, method, block_rows)
    np.testing.assert_array_equal(strip_groups, whole.groups.labels)
    assert strips.n_patches == whole.groups.n_patches
    assert strips.n_groups == whole.groups.n_groups
    np.testing.assert_allclose(strips.group_areas_m2, whole.group_areas_m2, rtol=1e-12)
    for value in whole.values:
        assert strips.value_of(value.indicator) == pytest.approx(value.value, rel=1e-12), value.indicator


def test_gap_rule_joins_across_a_strip_edge(crossing_city):
    raster, boundary = crossing_city
    _, _, groups = whole_and_strips(raster, boundary, LandcoverMethod(gap_distance_m=25), block_rows=5)
    assert groups[4, 15] == groups[7, 15]  # 20 m apart across the edge between rows 4 and 5
    _, _, groups = whole_and_strips(raster, boundary, LandcoverMethod(gap_distance_m=20), block_rows=5)
    assert groups[4, 15] != groups[7, 15]  # exactly 20 m apart: distinct


@pytest.mark.parametrize("block_rows", [13, 100])
@pytest.mark.parametrize("rule", ["centre", "exact"])
def test_real_geographic_raster_in_strips(block_rows, rule):
    """Freetown 2020 (EPSG:4326, 10 m): per-row cell areas survive the strips."""
    raster = REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif"
    boundary = read_city_boundary(REPO / "data/freetown/SLE-Freetown_core-boundary.geojson")
    legend = load_legend(REPO / "config/legends/dynamic_world.yaml")
    method = LandcoverMethod(boundary_rule=rule)
    grid = read_city_grid(raster, boundary, boundary_rule=rule, nodata_codes=legend.nodata)
    whole = compute_landcover_in_memory(grid, legend=legend, method=method)
    strips = compute_landcover_indicators_blockwise(
        raster, boundary, legend=legend, method=method, block_rows=block_rows
    )
    assert strips.n_groups == whole.groups.n_groups
    for value in whole.values:
        assert strips.value_of(value.indicator) == pytest.approx(value.value, rel=1e-9), value.indicator


def test_only_the_city_window_is_read(tmp_path):
    """A small city on a large raster reads a window of its own size, not the raster."""
    codes = np.full((2000, 2000), TREES, dtype=np.uint8)
    raster = write_raster(tmp_path / "big.tif", codes, transform=Affine(10, 0, 0, 0, -10, 20_000), crs="EPSG:32648")
    city = write_vector(tmp_path / "c.gpkg", [shapely.box(1000, 1000, 1500, 1300)], crs="EPSG:32648")
    strips = []
    compute_landcover_indicators_blockwise(
        raster,
        read_city_boundary(city),
        legend=WORLDCOVER,
        method=LandcoverMethod(),
        block_rows=16,
        on_strip=strips.append,
    )
    assert sum(s.grid.codes.shape[0] for s in strips) == 30
    assert {s.grid.codes.shape[1] for s in strips} == {50}
