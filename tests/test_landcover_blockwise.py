"""Strip-by-strip computation equals the whole-array computation: same groups, same areas, same values."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.boundary import read_city_boundary
from cbindex.city_grid import read_city_grid
from cbindex.landcover_blockwise import (
    compute_landcover_band,
    compute_landcover_indicators_blockwise,
    merge_bands,
    plan_bands,
)
from cbindex.landcover_indicators import LandcoverMethod, compute_landcover_indicators
from cbindex.legends import load_legend
from tests.conftest import write_raster, write_vector

REPO = Path(__file__).resolve().parents[1]
WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
TREES, BUILT = 10, 50


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


def whole_and_strips(raster, boundary, method, block_rows):
    grid = read_city_grid(raster, boundary, boundary_rule=method.boundary_rule, nodata_codes=WORLDCOVER.nodata)
    whole = compute_landcover_indicators(grid, legend=WORLDCOVER, method=method)
    strips = []
    result = compute_landcover_indicators_blockwise(raster, boundary, legend=WORLDCOVER, method=method,
                                                    block_rows=block_rows, on_strip=strips.append)
    global_labels = np.vstack([np.where(s.local_labels > 0, s.local_labels + s.label_offset, 0) for s in strips])
    return whole, result, result.group_of_patch[global_labels]


@pytest.mark.parametrize("block_rows", [1, 2, 3, 5, 7, 40])
@pytest.mark.parametrize(
    "method",
    [LandcoverMethod(gap_distance_m=0, neighbourhood=8), LandcoverMethod(gap_distance_m=0, neighbourhood=4),
     LandcoverMethod(gap_distance_m=25), LandcoverMethod(gap_distance_m=30.5), LandcoverMethod(gap_distance_m=100)],
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
    whole = compute_landcover_indicators(grid, legend=legend, method=method)
    strips = compute_landcover_indicators_blockwise(raster, boundary, legend=legend, method=method,
                                                    block_rows=block_rows)
    assert strips.n_groups == whole.groups.n_groups
    for value in whole.values:
        assert strips.value_of(value.indicator) == pytest.approx(value.value, rel=1e-9), value.indicator


def test_only_the_city_window_is_read(tmp_path):
    """A small city on a large raster reads a window of its own size, not the raster."""
    codes = np.full((2000, 2000), TREES, dtype=np.uint8)
    raster = write_raster(tmp_path / "big.tif", codes, transform=Affine(10, 0, 0, 0, -10, 20_000), crs="EPSG:32648")
    city = write_vector(tmp_path / "c.gpkg", [shapely.box(1000, 1000, 1500, 1300)], crs="EPSG:32648")
    strips = []
    compute_landcover_indicators_blockwise(raster, read_city_boundary(city), legend=WORLDCOVER,
                                           method=LandcoverMethod(), block_rows=16, on_strip=strips.append)
    assert sum(s.grid.codes.shape[0] for s in strips) == 30
    assert {s.grid.codes.shape[1] for s in strips} == {50}


def test_plan_bands_whole_strips_and_minimum_rows():
    assert plan_bands(40, n_bands=3, block_rows=5, min_rows=3) == [(0, 15), (15, 30), (30, 40)]
    bands = plan_bands(12, n_bands=3, block_rows=5, min_rows=3)  # strips 5+5+2: the 2-row band joins the one above
    assert bands == [(0, 5), (5, 12), (12, 12)]
    assert plan_bands(7, n_bands=4, block_rows=5, min_rows=1) == [(0, 5), (5, 7), (7, 7), (7, 7)]


def band_run(raster, boundary, *, legend, method, block_rows, n_bands, tmp_path, barriers=None):
    """Compute a city as n_bands separate bands, then merge; also collect each band's strips."""
    paths, strips = [], []
    for band in range(n_bands):
        paths.append(str(tmp_path / f"band_{band}.npz"))
        seen = []
        compute_landcover_band(raster, boundary, legend=legend, method=method, band=band, n_bands=n_bands,
                               state_path=paths[-1], block_rows=block_rows, on_strip=seen.append, barriers=barriers)
        strips.append(seen)
    merged = merge_bands(raster, boundary, legend=legend, method=method, state_paths=paths, block_rows=block_rows,
                         barriers=barriers)
    labels = [np.where(s.local_labels > 0, s.local_labels + s.label_offset + shift, 0)
              for seen, shift in zip(strips, merged.band_label_shifts, strict=True) for s in seen]
    return merged, merged.result.group_of_patch[np.vstack(labels)]


@pytest.mark.parametrize("n_bands", [2, 3, 5])
@pytest.mark.parametrize("method", [LandcoverMethod(gap_distance_m=0), LandcoverMethod(gap_distance_m=25),
                                    LandcoverMethod(gap_distance_m=30.5, neighbourhood=4)],
                         ids=["gap0", "gap25", "gap30.5-n4"])
def test_bands_as_separate_jobs_equal_one_job(crossing_city, tmp_path, method, n_bands):
    """Bands cut through every crossing pattern; the merged values and groups are identical to one pass."""
    raster, boundary = crossing_city
    strips = []
    one = compute_landcover_indicators_blockwise(raster, boundary, legend=WORLDCOVER, method=method, block_rows=4,
                                                 on_strip=strips.append)
    one_labels = one.group_of_patch[np.vstack([np.where(s.local_labels > 0, s.local_labels + s.label_offset, 0)
                                               for s in strips])]
    merged, labels = band_run(raster, boundary, legend=WORLDCOVER, method=method, block_rows=4, n_bands=n_bands,
                              tmp_path=tmp_path)
    assert [value.value for value in merged.result.values] == [value.value for value in one.values]  # identical
    np.testing.assert_array_equal(labels, one_labels)
    np.testing.assert_array_equal(merged.result.group_areas_m2, one.group_areas_m2)
    assert merged.result.strip_label_offsets == one.strip_label_offsets


def test_bands_on_a_real_geographic_raster_with_barriers(tmp_path):
    """Freetown 2020 (EPSG:4326) in 4 bands with a road barrier crossing them equals one pass, value for value."""
    raster = REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif"
    boundary = read_city_boundary(REPO / "data/freetown/SLE-Freetown_core-boundary.geojson")
    legend = load_legend(REPO / "config/legends/dynamic_world.yaml")
    centre = boundary.geometry.centroid
    road = gpd.GeoSeries([shapely.LineString([(centre.x - 0.2, centre.y - 0.2), (centre.x + 0.2, centre.y + 0.2)])
                          .buffer(0.0002)], crs=boundary.crs)
    method = LandcoverMethod(gap_distance_m=100)
    one = compute_landcover_indicators_blockwise(raster, boundary, legend=legend, method=method, block_rows=64,
                                                 barriers=road)
    merged, _ = band_run(raster, boundary, legend=legend, method=method, block_rows=64, n_bands=4,
                         tmp_path=tmp_path, barriers=road)
    assert [value.value for value in merged.result.values] == [value.value for value in one.values]
    assert merged.result.n_groups == one.n_groups > 1


def test_bands_from_other_settings_are_refused(crossing_city, tmp_path):
    raster, boundary = crossing_city
    method = LandcoverMethod(gap_distance_m=25)
    paths = [str(tmp_path / f"band_{band}.npz") for band in range(2)]
    for band, path in enumerate(paths):
        compute_landcover_band(raster, boundary, legend=WORLDCOVER, method=method, band=band, n_bands=2,
                               state_path=path, block_rows=4)
    with pytest.raises(ValueError, match="other settings"):
        merge_bands(raster, boundary, legend=WORLDCOVER, method=LandcoverMethod(gap_distance_m=100),
                    state_paths=paths, block_rows=4)
    with pytest.raises(ValueError, match="expected"):  # rows 0-20, 20-40 in strips of 4; 0-24, 24-40 in 8
        merge_bands(raster, boundary, legend=WORLDCOVER, method=method, state_paths=paths, block_rows=8)
