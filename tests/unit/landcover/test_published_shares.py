"""Exact reproduction of WRI's published natural-area shares: a test of the legend and masking code.

WRI counted cells (not areas): class shares = round(100 · count / total, 2) over the non-zero cells whose
centre is inside the zone, then the sum of the rounded shares of the natural classes (see
tests/fixtures/PROVENANCE.md). The workflow itself uses true ground areas; this test only checks that our
legends, boundary reading and cell-centre masking select exactly the cells WRI selected.
"""

import pandas as pd
import pytest
import rasterio
import shapely

from cbindex.geo.boundary import CityBoundary, read_city_boundary
from cbindex.geo.city_grid import read_city_grid
from cbindex.geo.legends import load_legend, natural_codes
from cbindex.landcover.area_shares import class_shares_by_cell_count
from tests.helpers import REPO

SAN_JOSE = REPO / "tests" / "fixtures" / "san_jose"
WORLDCOVER = load_legend(REPO / "config" / "legends" / "esa_worldcover_v100.yaml")
DYNAMIC_WORLD = load_legend(REPO / "config" / "legends" / "dynamic_world.yaml")
WRI_WORLDCOVER_NATURAL = natural_codes(
    WORLDCOVER, bare_is_natural=False, snow_is_natural=False, override_codes=[10, 20, 30, 80, 90, 95]
)
WRI_DYNAMIC_WORLD_NATURAL = natural_codes(
    DYNAMIC_WORLD, bare_is_natural=False, snow_is_natural=False, override_codes=[0, 1, 2, 3, 5]
)


def wri_natural_share(raster, boundary, *, natural, nodata_codes) -> float:
    grid = read_city_grid(raster, boundary, boundary_rule="centre", nodata_codes=nodata_codes)
    shares = class_shares_by_cell_count(grid)
    return round(sum(round(share, 2) for code, share in shares.items() if code in natural), 2)


def test_chengdu_inside_boundary():
    boundary = read_city_boundary(
        REPO / "data/chengdu/admin_boundaries_CHN-Chengdu.geojson", filter_column="boundary_use", filter_value="TRUE"
    )
    share = wri_natural_share(
        REPO / "data/chengdu/world_cover_CHN-Chengdu.tif",
        boundary,
        natural=WRI_WORLDCOVER_NATURAL,
        nodata_codes=WORLDCOVER.nodata,
    )
    assert share == pytest.approx(55.37, abs=1e-9)


def test_chengdu_published_value_is_the_bounding_box():
    raster = REPO / "data/chengdu/world_cover_CHN-Chengdu.tif"
    with rasterio.open(raster) as source:
        box = shapely.box(*source.bounds)
    boundary = CityBoundary(geometry=box, crs=4326, path="bounding box", repaired=False)
    published = pd.read_csv(SAN_JOSE / "biodiversity_indicators.csv").set_index("city_id").loc["CHN-Chengdu"]
    share = wri_natural_share(raster, boundary, natural=WRI_WORLDCOVER_NATURAL, nodata_codes=WORLDCOVER.nodata)
    assert share == pytest.approx(float(published["value"]), abs=1e-9)


@pytest.mark.parametrize(
    ("year", "published"), [(2016, 18.37), (2017, 18.35), (2018, 17.36), (2019, 18.05), (2020, 17.46)]
)
def test_freetown_dynamic_world_years(year, published):
    """Freetown's rasters are int32 without nodata and 0 is water: no cell may be dropped as nodata."""
    boundary = read_city_boundary(REPO / "data/freetown/SLE-Freetown_core-boundary.geojson")
    share = wri_natural_share(
        REPO / f"data/freetown/SLE-Freetown_core-landcover{year}.tif",
        boundary,
        natural=WRI_DYNAMIC_WORLD_NATURAL,
        nodata_codes=DYNAMIC_WORLD.nodata,
    )
    assert share == pytest.approx(published, abs=1e-9)
