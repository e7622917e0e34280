"""One city as separate band jobs plus a merge equals one job: every value, every group, every polygon."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.legends import load_legend
from cbindex.landcover.bands import compute_band, merge_bands, plan_bands
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from tests.helpers import REPO

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")


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
        compute_band(
            raster,
            boundary,
            legend=legend,
            method=method,
            band=band,
            n_bands=n_bands,
            state_path=paths[-1],
            block_rows=block_rows,
            on_strip=seen.append,
            barriers=barriers,
        )
        strips.append(seen)
    merged = merge_bands(
        raster, boundary, legend=legend, method=method, state_paths=paths, block_rows=block_rows, barriers=barriers
    )
    labels = [
        np.where(s.local_labels > 0, s.local_labels + s.label_offset + shift, 0)
        for seen, shift in zip(strips, merged.band_label_shifts, strict=True)
        for s in seen
    ]
    return merged, merged.result.group_of_patch[np.vstack(labels)]


@pytest.mark.parametrize("n_bands", [2, 3, 5])
@pytest.mark.parametrize(
    "method",
    [
        LandcoverMethod(gap_distance_m=0),
        LandcoverMethod(gap_distance_m=25),
        LandcoverMethod(gap_distance_m=30.5, neighbourhood=4),
    ],
    ids=["gap0", "gap25", "gap30.5-n4"],
)
def test_bands_as_separate_jobs_equal_one_job(crossing_city, tmp_path, method, n_bands):
    """Bands cut through every crossing pattern; the merged values and groups are identical to one pass."""
    raster, boundary = crossing_city
    strips = []
    one = compute_landcover_indicators_blockwise(
        raster, boundary, legend=WORLDCOVER, method=method, block_rows=4, on_strip=strips.append
    )
    one_labels = one.group_of_patch[
        np.vstack([np.where(s.local_labels > 0, s.local_labels + s.label_offset, 0) for s in strips])
    ]
    merged, labels = band_run(
        raster, boundary, legend=WORLDCOVER, method=method, block_rows=4, n_bands=n_bands, tmp_path=tmp_path
    )
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
    road = gpd.GeoSeries(
        [shapely.LineString([(centre.x - 0.2, centre.y - 0.2), (centre.x + 0.2, centre.y + 0.2)]).buffer(0.0002)],
        crs=boundary.crs,
    )
    method = LandcoverMethod(gap_distance_m=100)
    one = compute_landcover_indicators_blockwise(
        raster, boundary, legend=legend, method=method, block_rows=64, barriers=road
    )
    merged, _ = band_run(
        raster, boundary, legend=legend, method=method, block_rows=64, n_bands=4, tmp_path=tmp_path, barriers=road
    )
    assert [value.value for value in merged.result.values] == [value.value for value in one.values]
    assert merged.result.n_groups == one.n_groups > 1


def test_bands_from_other_settings_are_refused(crossing_city, tmp_path):
    raster, boundary = crossing_city
    method = LandcoverMethod(gap_distance_m=25)
    paths = [str(tmp_path / f"band_{band}.npz") for band in range(2)]
    for band, path in enumerate(paths):
        compute_band(
            raster, boundary, legend=WORLDCOVER, method=method, band=band, n_bands=2, state_path=path, block_rows=4
        )
    with pytest.raises(ValueError, match="other settings"):
        merge_bands(
            raster,
            boundary,
            legend=WORLDCOVER,
            method=LandcoverMethod(gap_distance_m=100),
            state_paths=paths,
            block_rows=4,
        )
    with pytest.raises(ValueError, match="expected"):  # rows 0-20, 20-40 in strips of 4; 0-24, 24-40 in 8
        merge_bands(raster, boundary, legend=WORLDCOVER, method=method, state_paths=paths, block_rows=8)
