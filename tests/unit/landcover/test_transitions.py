"""Land-cover transition matrices: a hand-checked 3 × 3 case, weights, the stage on rasters, grid checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.legends import load_legend
from cbindex.landcover.stage import compute_landcover_transitions
from cbindex.landcover.transitions import CATEGORY_BASIS, same_product, transition_areas_m2, transition_matrix_ha
from tests.helpers import REPO, write_raster, write_vector

WORLDCOVER = REPO / "config" / "legends" / "esa_worldcover_v100.yaml"
DYNAMIC_WORLD = REPO / "config" / "legends" / "dynamic_world.yaml"
TREES, BUILT, WATER = 10, 50, 80


def test_three_by_three_by_hand():
    # year 0          year 1          (row areas 1, 2, 3 m²; the centre cell does not count)
    # T T B           T B B
    # T B B           T B B
    # W W B           W T B
    before = np.array([[TREES, TREES, BUILT], [TREES, BUILT, BUILT], [WATER, WATER, BUILT]])
    after = np.array([[TREES, BUILT, BUILT], [TREES, BUILT, BUILT], [WATER, TREES, BUILT]])
    weight = np.ones((3, 3))
    weight[1, 1] = 0.0
    areas = transition_areas_m2(
        before, after, weight=weight, row_area_m2=np.array([1.0, 2.0, 3.0]), classes=[TREES, BUILT, WATER]
    )
    expected = pd.DataFrame(
        # to:  trees  built  water
        [
            [1 + 2, 1, 0],  # from trees: (0,0) 1 m², (1,0) 2 m² stay; (0,1) 1 m² built
            [0, 1 + 2 + 3, 0],  # from built: (0,2) 1, (1,2) 2, (2,2) 3 stay built; (1,1) weight 0
            [3, 0, 3],
        ],  # from water: (2,0) 3 stays, (2,1) 3 becomes trees
        index=[TREES, BUILT, WATER],
        columns=[TREES, BUILT, WATER],
        dtype=float,
    )
    pd.testing.assert_frame_equal(areas, expected, check_names=False)
    assert areas.index.name == "from_code" and areas.columns.name == "to_code"
    assert areas.to_numpy().sum() == pytest.approx((weight * np.array([[1.0], [2.0], [3.0]])).sum())


def test_partial_weights_scale_the_areas():
    codes = np.array([[TREES, BUILT]])
    areas = transition_areas_m2(
        codes, codes[:, ::-1], weight=np.array([[0.25, 0.5]]), row_area_m2=np.array([100.0]), classes=[TREES, BUILT]
    )
    assert areas.loc[TREES, BUILT] == pytest.approx(25.0)
    assert areas.loc[BUILT, TREES] == pytest.approx(50.0)
    assert areas.loc[TREES, TREES] == 0.0


def test_code_outside_the_classes_is_refused_only_where_it_counts():
    codes = np.array([[TREES, 99]])
    areas = transition_areas_m2(
        codes, codes, weight=np.array([[1.0, 0.0]]), row_area_m2=np.array([1.0]), classes=[TREES]
    )
    assert areas.loc[TREES, TREES] == 1.0
    with pytest.raises(ValueError, match="99"):
        transition_areas_m2(codes, codes, weight=np.ones((1, 2)), row_area_m2=np.array([1.0]), classes=[TREES])


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="shape"):
        transition_areas_m2(
            np.zeros((2, 2)), np.zeros((2, 3)), weight=np.ones((2, 2)), row_area_m2=np.ones(2), classes=[0]
        )


# --------------------------------------------------------------------------------------------- the stage

CELL = 100.0  # metres, EPSG:3035 (equal-area: each cell is exactly 1 ha)
ORIGIN = Affine(CELL, 0, 4_000_000.0, 0, -CELL, 3_000_000.0)


def _stage(
    tmp_path,
    before,
    after,
    *,
    block_rows=512,
    transform_after=ORIGIN,
    boundary_cells=None,
    legend_to=WORLDCOVER,
    nodata_after=0,
):
    first = write_raster(tmp_path / "y0.tif", before, transform=ORIGIN, crs="EPSG:3035", nodata=0)
    second = write_raster(tmp_path / "y1.tif", after, transform=transform_after, crs="EPSG:3035", nodata=nodata_after)
    rows, cols = boundary_cells or before.shape
    box = shapely.box(4_000_000.0, 3_000_000.0 - rows * CELL, 4_000_000.0 + cols * CELL, 3_000_000.0)
    boundary = write_vector(tmp_path / "city.gpkg", [box], crs="EPSG:3035", name=["city"])
    output = tmp_path / f"transitions_{block_rows}.csv"
    compute_landcover_transitions(
        city="test",
        year_from=2020,
        year_to=2021,
        raster_from=str(first),
        raster_to=str(second),
        boundary=BoundarySpec(str(boundary)),
        legend_from_path=str(WORLDCOVER),
        legend_to_path=str(legend_to),
        boundary_rule="centre",
        transitions_csv=str(output),
        block_rows=block_rows,
    )
    return pd.read_csv(output)


def test_stage_writes_hectares_with_class_names_and_skips_cells_without_data(tmp_path):
    before = np.full((4, 5), BUILT, dtype=np.uint8)
    before[:, :2] = TREES
    after = before.copy()
    after[0, :2] = BUILT  # 2 ha of trees built over
    after[3, 4] = WATER  # 1 ha of built-up flooded
    after[2, 2] = 0  # no data in the second year: left out
    table = _stage(tmp_path, before, after)
    assert list(table.columns[:3]) == ["year_from", "year_to", "from_code"]
    matrix = transition_matrix_ha(table)
    assert list(matrix.index) == ["Tree cover", "Built-up", "Permanent water bodies"]
    assert matrix.loc["Tree cover", "Built-up"] == pytest.approx(2.0, rel=1e-9)
    assert matrix.loc["Tree cover", "Tree cover"] == pytest.approx(6.0, rel=1e-9)
    assert matrix.loc["Built-up", "Permanent water bodies"] == pytest.approx(1.0, rel=1e-9)
    assert matrix.loc["Built-up", "Built-up"] == pytest.approx(10.0, rel=1e-9)
    assert table["area_ha"].sum() == pytest.approx(20 - 1, rel=1e-9)
    assert transition_matrix_ha(table, names="from_class_zh").index[0] == "树木"


def test_stage_is_the_same_in_any_strip_size(tmp_path):
    generator = np.random.default_rng(7)
    before = generator.choice([TREES, BUILT, WATER], size=(23, 17)).astype(np.uint8)
    after = generator.choice([TREES, BUILT, WATER], size=(23, 17)).astype(np.uint8)
    whole = _stage(tmp_path, before, after)
    strips = _stage(tmp_path, before, after, block_rows=4)
    pd.testing.assert_frame_equal(whole, strips)
    counted = pd.crosstab(before.ravel(), after.ravel()).stack()
    for (code_from, code_to), cells in counted.items():
        row = whole[(whole["from_code"] == code_from) & (whole["to_code"] == code_to)]
        assert row["area_ha"].iloc[0] == pytest.approx(cells, rel=1e-9)


def test_rasters_on_different_grids_are_refused(tmp_path):
    codes = np.full((4, 4), TREES, dtype=np.uint8)
    shifted = ORIGIN @ Affine.translation(0.5, 0)
    with pytest.raises(CBIInputError, match="not on the same grid"):
        _stage(tmp_path, codes, codes, transform_after=shifted, boundary_cells=(3, 3))


def test_unknown_codes_name_the_raster_and_the_legend(tmp_path):
    codes = np.full((3, 3), TREES, dtype=np.uint8)
    odd = codes.copy()
    odd[1, 1] = 77
    with pytest.raises(CBIInputError, match="class code 77"):
        _stage(tmp_path, codes, odd)


# ------------------------------------------------------------------------------- years of two products
# Dynamic World codes of the WorldCover classes with the same categories
DW_WATER, DW_TREES, DW_GRASS, DW_CROPS, DW_SHRUB, DW_BUILT = 0, 1, 2, 4, 5, 6
GRASS, SHRUB, CROPS = 30, 20, 40


def test_two_products_whose_classes_agree_show_no_change(tmp_path):
    # 2020, ESA WorldCover v100      2021, Dynamic World (other codes, same categories; 1 ha cells)
    # T T B                          Trees Trees Built
    # G W B                          Grass Water Built
    # S C B                          Shrub Crops Built
    before = np.array([[TREES, TREES, BUILT], [GRASS, WATER, BUILT], [SHRUB, CROPS, BUILT]], dtype=np.uint8)
    after = np.array(
        [[DW_TREES, DW_TREES, DW_BUILT], [DW_GRASS, DW_WATER, DW_BUILT], [DW_SHRUB, DW_CROPS, DW_BUILT]],
        dtype=np.uint8,
    )
    table = _stage(tmp_path, before, after, legend_to=DYNAMIC_WORLD, nodata_after=None)
    assert set(table["basis"]) == {CATEGORY_BASIS}
    assert set(table["legend_from"]) == {"esa_worldcover_v100"} and set(table["legend_to"]) == {"dynamic_world"}
    changed = table.loc[table["from_code"] != table["to_code"], "area_ha"]
    assert changed.sum() == 0.0  # a product switch is not a land-cover change
    stayed = table[table["from_code"] == table["to_code"]].set_index("from_code")["area_ha"]
    assert stayed.to_dict() == pytest.approx(
        {
            "natural+tree_canopy+permeable": 2.0,  # Tree cover = Trees
            "natural+permeable": 2.0,  # Grassland, Shrubland = Grass, Shrub and scrub
            "permeable+cropland": 1.0,  # in the order of CATEGORIES
            "built_up": 3.0,
            "natural+water": 1.0,  # Permanent water bodies = Water
        },
        rel=1e-9,
    )
    matrix = transition_matrix_ha(table)
    assert matrix.loc["natural, tree canopy, permeable", "natural, tree canopy, permeable"] == pytest.approx(2.0)
    assert transition_matrix_ha(table, names="from_class_zh").index[0] == "自然区域、树冠覆盖、透水区域"


def test_two_products_show_a_change_of_categories(tmp_path):
    # 2020, WorldCover               2021, Dynamic World
    # T T                            Built Trees        one tree cell built over: 1 ha
    # W B                            Water Grass        one built cell now grass: 1 ha
    before = np.array([[TREES, TREES], [WATER, BUILT]], dtype=np.uint8)
    after = np.array([[DW_BUILT, DW_TREES], [DW_WATER, DW_GRASS]], dtype=np.uint8)
    table = _stage(tmp_path, before, after, legend_to=DYNAMIC_WORLD, nodata_after=None)
    area = table.set_index(["from_code", "to_code"])["area_ha"]
    assert area["natural+tree_canopy+permeable", "built_up"] == pytest.approx(1.0, rel=1e-9)
    assert area["built_up", "natural+permeable"] == pytest.approx(1.0, rel=1e-9)
    assert area["natural+tree_canopy+permeable", "natural+tree_canopy+permeable"] == pytest.approx(1.0, rel=1e-9)
    assert area["natural+water", "natural+water"] == pytest.approx(1.0, rel=1e-9)
    assert table["area_ha"].sum() == pytest.approx(4.0, rel=1e-9)
    assert (
        area.drop([("natural+tree_canopy+permeable", "built_up"), ("built_up", "natural+permeable")])
        .loc[lambda values: [a != b for a, b in values.index]]
        .sum()
        == 0.0
    )


def test_one_product_is_compared_class_by_class():
    worldcover = load_legend(WORLDCOVER)
    assert same_product(worldcover, load_legend(WORLDCOVER))
    assert not same_product(worldcover, load_legend(DYNAMIC_WORLD))
    v200 = load_legend(REPO / "config" / "legends" / "esa_worldcover_v200.yaml")  # same codes, another product
    assert not same_product(worldcover, v200)


def test_repeated_class_names_stay_apart_in_the_matrix():
    table = pd.DataFrame(
        [
            {"from_code": a, "from_class": name_a, "to_code": b, "to_class": name_b, "area_ha": area}
            for (a, name_a), (b, name_b), area in [
                ((1, "Forest"), (1, "Forest"), 5.0),
                ((1, "Forest"), (2, "Forest"), 1.0),
                ((2, "Forest"), (1, "Forest"), 2.0),
                ((2, "Forest"), (2, "Forest"), 3.0),
            ]
        ]
    )
    matrix = transition_matrix_ha(table)
    assert list(matrix.index) == list(matrix.columns) == ["Forest (1)", "Forest (2)"]
    assert matrix.to_numpy().tolist() == [[5.0, 1.0], [2.0, 3.0]]
