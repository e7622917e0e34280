"""Class areas of one year: a hand-checked 3 × 3 case, the stage on a raster (1 ha cells, whole numbers), strips,
and the sum of the classes equal to the land-cover stage's city_area on a real sample year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.legends import load_legend, natural_codes
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.class_areas import CLASS_AREA_COLUMNS, class_areas_m2, compute_class_areas
from tests.helpers import REPO, write_raster, write_vector

WORLDCOVER = REPO / "config" / "legends" / "esa_worldcover_v100.yaml"
TREES, BUILT, WATER = 10, 50, 80
ORIGIN = Affine(100.0, 0.0, 4_000_000.0, 0.0, -100.0, 3_000_000.0)  # 1 ha cells in EPSG:3035


def test_three_by_three_by_hand():
    # T T B      row areas 1, 2, 3 m²; the centre cell does not count (weight 0)
    # T B B
    # W W B
    codes = np.array([[TREES, TREES, BUILT], [TREES, BUILT, BUILT], [WATER, WATER, BUILT]])
    weight = np.ones((3, 3))
    weight[1, 1] = 0.0
    areas = class_areas_m2(codes, weight=weight, row_area_m2=np.array([1.0, 2.0, 3.0]), classes=[TREES, BUILT, WATER])
    assert areas.tolist() == [1 + 1 + 2, 1 + 2 + 3, 3 + 3]


def test_unknown_code_counts_only_where_the_weight_is_positive():
    codes = np.array([[TREES, 99]])
    areas = class_areas_m2(codes, weight=np.array([[0.5, 0.0]]), row_area_m2=np.array([10.0]), classes=[TREES])
    assert areas.tolist() == [5.0]
    with pytest.raises(ValueError, match=r"codes \[99\]"):
        class_areas_m2(codes, weight=np.ones((1, 2)), row_area_m2=np.array([10.0]), classes=[TREES])


def write_city(tmp_path):
    codes = np.zeros((6, 8), dtype=np.uint8)  # 0 = no data in WorldCover
    codes[1:5, 1:7] = BUILT
    codes[1:3, 1:4] = TREES  # 6 ha
    codes[4, 5:7] = WATER  # 2 ha
    codes[2, 6] = 0  # one cell without data inside the city
    raster = write_raster(tmp_path / "landcover.tif", codes, transform=ORIGIN, crs="EPSG:3035", nodata=0)
    city = shapely.box(4_000_100.0, 2_999_500.0, 4_000_700.0, 2_999_900.0)  # rows 1-4, columns 1-6
    boundary = write_vector(tmp_path / "city.gpkg", [city], crs="EPSG:3035", name=["city"])
    return raster, boundary


@pytest.mark.parametrize("block_rows", [1, 2, 512])
def test_stage_writes_every_class_in_hectares_and_shares(tmp_path, block_rows):
    raster, boundary = write_city(tmp_path)
    output = tmp_path / "class_areas.csv"
    compute_class_areas(
        city="city",
        year=2020,
        raster=str(raster),
        boundary=BoundarySpec(str(boundary)),
        legend_path=str(WORLDCOVER),
        boundary_rule="centre",
        class_areas_csv=str(output),
        block_rows=block_rows,
    )
    table = pd.read_csv(output, encoding="utf-8-sig")
    assert list(table.columns) == CLASS_AREA_COLUMNS
    assert len(table) == 11  # every WorldCover class, absent ones with 0 ha
    areas = dict(zip(table["code"], table["area_ha"], strict=True))
    # 24 city cells: 6 trees, 2 water, 1 without data, 15 built
    assert areas[TREES] == pytest.approx(6.0) and areas[WATER] == pytest.approx(2.0)
    assert areas[BUILT] == pytest.approx(15.0) and areas[20] == 0.0
    shares = dict(zip(table["code"], table["share_percent"], strict=True))
    assert shares[TREES] == pytest.approx(100 * 6 / 23)
    assert table["share_percent"].sum() == pytest.approx(100.0)
    assert set(table["year"]) == {2020} and set(table["legend"]) == {"esa_worldcover_v100"}
    assert table.loc[table["code"] == TREES, "class_zh"].item() == "树木"


def test_classes_add_up_to_the_land_cover_stages_city_area(tmp_path):
    """Chengdu 2020 (the sample): Σ class areas = the indicators' city_area, computed by the other pass."""
    boundary = BoundarySpec(
        str(REPO / "data/chengdu/admin_boundaries_CHN-Chengdu.geojson"),
        filter_column="boundary_use",
        filter_value="TRUE",
    )
    raster = str(REPO / "data/chengdu/world_cover_CHN-Chengdu.tif")
    output = tmp_path / "class_areas.csv"
    compute_class_areas(
        city="chengdu",
        year=2020,
        raster=raster,
        boundary=boundary,
        legend_path=str(WORLDCOVER),
        boundary_rule="centre",
        class_areas_csv=str(output),
    )
    table = pd.read_csv(output, encoding="utf-8-sig")
    result = compute_landcover_indicators_blockwise(
        raster, boundary.read(), legend=load_legend(WORLDCOVER), method=LandcoverMethod(), block_rows=512
    )
    assert table["area_ha"].sum() == pytest.approx(result.value_of("city_area"), rel=1e-9)
    method = LandcoverMethod()
    codes = natural_codes(
        load_legend(WORLDCOVER), bare_is_natural=method.bare_is_natural, snow_is_natural=method.snow_is_natural
    )
    natural = table[table["code"].isin(codes)]["area_ha"].sum()
    assert natural == pytest.approx(result.value_of("natural_area"), rel=1e-9)
