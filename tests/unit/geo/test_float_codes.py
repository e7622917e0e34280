"""Float land-cover rasters: whole-number codes work as integers do; fractional codes (a raster resampled with an
averaging method) fail with one sentence instead of colliding with their integer part."""

import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.core.errors import CBIInputError
from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import open_city_window, read_city_grid
from cbindex.geo.legends import load_legend
from cbindex.geo.population import sum_population_raster
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from tests.helpers import REPO, write_raster, write_vector

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
UTM = "EPSG:32648"
X0, Y0 = 400_000.0, 3_380_000.0
TRANSFORM = Affine(10, 0, X0, 0, -10, Y0 + 120)


@pytest.fixture
def city(tmp_path):
    return read_city_boundary(write_vector(tmp_path / "city.gpkg", [shapely.box(X0, Y0, X0 + 120, Y0 + 120)], crs=UTM))


def codes() -> np.ndarray:
    """12 × 12 WorldCover codes: trees west, built-up east, water in the last two rows."""
    array = np.full((12, 12), 50, dtype=np.uint8)
    array[:, :5] = 10
    array[10:, :] = 80
    return array


def indicators(raster, city, *, block_rows=4) -> dict[str, float]:
    result = compute_landcover_indicators_blockwise(
        str(raster), city, legend=WORLDCOVER, method=LandcoverMethod(), block_rows=block_rows
    )
    return {value.indicator: value.value for value in result.values}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_raster_of_whole_codes_scores_as_the_integer_raster(tmp_path, city, dtype):
    integer = write_raster(tmp_path / "int.tif", codes(), transform=TRANSFORM, crs=UTM, nodata=0)
    floating = write_raster(tmp_path / "float.tif", codes().astype(dtype), transform=TRANSFORM, crs=UTM, nodata=0)
    expected = indicators(integer, city)
    assert indicators(floating, city) == pytest.approx(expected)
    assert expected["natural_area"] > 0


def test_fractional_codes_fail_naming_the_file_values_and_fix(tmp_path, city):
    array = codes().astype(np.float32)
    array[0, 0] = 10.4  # averaged at a forest edge: would count as 10 (trees) ...
    array[0, 6] = 50.6  # ... and as 50 (built-up), silently
    raster = write_raster(tmp_path / "bilinear.tif", array, transform=TRANSFORM, crs=UTM, nodata=0)
    with pytest.raises(CBIInputError, match="not whole class codes") as error:
        indicators(raster, city)
    text = str(error.value)
    assert str(raster) in text and "10.4" in text and "50.6" in text and "nearest neighbour" in text
    assert text.endswith(".") and "\n" not in text
    with pytest.raises(CBIInputError, match="not whole class codes"):
        read_city_grid(raster, city, nodata_codes=WORLDCOVER.nodata)


def test_fractional_codes_are_found_in_the_strip_that_holds_them(tmp_path, city):
    array = codes().astype(np.float64)
    array[11, :7] = [80.1, 80.2, 80.3, 80.4, 80.5, 80.6, 80.7]  # the last row only: the last strip of 4 rows
    raster = write_raster(tmp_path / "lc.tif", array, transform=TRANSFORM, crs=UTM, nodata=0)
    strips = open_city_window(raster, city).read_strips(4)
    assert next(strips)[0] == 0 and next(strips)[0] == 4
    with pytest.raises(CBIInputError, match=r"\(80\.1, 80\.2, 80\.3, 80\.4, 80\.5 and more\)"):
        next(strips)


def test_nodata_cells_are_not_checked(tmp_path, city):
    array = codes().astype(np.float32)
    array[0, :3] = -9999.5
    raster = write_raster(tmp_path / "lc.tif", array, transform=TRANSFORM, crs=UTM, nodata=-9999.5)
    grid = read_city_grid(raster, city)
    assert not grid.valid[0, :3].any() and grid.valid[1:].all()


def test_nan_cells_without_a_nodata_value_fail_with_the_fix(tmp_path, city):
    array = codes().astype(np.float32)
    array[5, 5] = np.nan
    raster = write_raster(tmp_path / "lc.tif", array, transform=TRANSFORM, crs=UTM)
    with pytest.raises(CBIInputError, match=r"\(nan\);.*whole-number nodata value\.$"):
        indicators(raster, city)


def test_population_counts_may_be_fractional(tmp_path, city):
    counts = np.full((12, 12), 2.5, dtype=np.float32)
    raster = write_raster(tmp_path / "population.tif", counts, transform=TRANSFORM, crs=UTM)
    assert sum_population_raster(raster, city, block_rows=5).persons == pytest.approx(144 * 2.5)
