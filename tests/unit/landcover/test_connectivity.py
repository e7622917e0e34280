"""I2 effective mesh size: hand-made cases for the gap rule and the FRAGSTATS cross-check on real data."""

import numpy as np
import pandas as pd
import pytest
import rasterio

from cbindex.kernels.gap_offsets import gap_offsets
from cbindex.landcover.connectivity import (
    class_effective_mesh_sizes_ha,
    coherence_percent,
    effective_mesh_size_ha,
    group_areas_m2,
    label_natural_groups,
)
from tests.helpers import FIXTURES

FIXTURES = FIXTURES / "fragstats"


def two_squares(gap_cells: int) -> np.ndarray:
    """Two 2×2 patches in one row band, ``gap_cells`` empty columns between them."""
    natural = np.zeros((4, 4 + gap_cells + 2), dtype=bool)
    natural[1:3, 0:2] = True
    natural[1:3, 2 + gap_cells : 4 + gap_cells] = True
    return natural


@pytest.mark.parametrize(
    ("gap_cells", "gap_distance_m", "expected_groups"),
    [
        (4, 50, 1),  # 40 m apart < 50 m
        (4, 40, 2),  # exactly 40 m apart is not connected
        (4, 40.01, 1),
        (10, 100, 2),  # the SI default: 100 m apart is distinct
        (9, 100, 1),  # 90 m apart is connected
        (1, 0, 2),  # gap rule off
    ],
)
def test_gap_rule_along_a_row(gap_cells, gap_distance_m, expected_groups):
    groups = label_natural_groups(
        two_squares(gap_cells), cell_width_m=10, cell_height_m=10, gap_distance_m=gap_distance_m
    )
    assert groups.n_patches == 2
    assert groups.n_groups == expected_groups


def test_diagonal_gap_uses_edge_to_edge_euclidean_distance():
    natural = np.zeros((10, 10), dtype=bool)
    natural[0, 0] = True
    natural[4, 5] = True  # 3 empty rows, 4 empty columns: 10·√(3² + 4²) = 50 m apart
    for gap, expected in [(50, 2), (50.001, 1)]:
        groups = label_natural_groups(natural, cell_width_m=10, cell_height_m=10, gap_distance_m=gap)
        assert groups.n_groups == expected


def test_anisotropic_cells_measure_rows_and_columns_separately():
    natural = np.zeros((3, 8), dtype=bool)
    natural[1, 0] = natural[1, 7] = True  # 6 empty columns of 10 m = 60 m
    assert label_natural_groups(natural, cell_width_m=10, cell_height_m=30, gap_distance_m=61).n_groups == 1
    natural = natural.T.copy()  # now 6 empty rows of 30 m = 180 m
    assert label_natural_groups(natural, cell_width_m=10, cell_height_m=30, gap_distance_m=61).n_groups == 2


def test_neighbourhood_decides_diagonal_patches_without_gap_rule():
    natural = np.eye(3, dtype=bool)
    assert (
        label_natural_groups(natural, cell_width_m=1, cell_height_m=1, gap_distance_m=0, neighbourhood=4).n_groups == 3
    )
    assert (
        label_natural_groups(natural, cell_width_m=1, cell_height_m=1, gap_distance_m=0, neighbourhood=8).n_groups == 1
    )
    # with a gap rule diagonal cells are 0 m apart, hence joined whatever the neighbourhood
    assert (
        label_natural_groups(natural, cell_width_m=1, cell_height_m=1, gap_distance_m=0.5, neighbourhood=4).n_groups
        == 1
    )


def test_chain_of_patches_joins_transitively_and_keeps_far_patch_apart():
    natural = np.zeros((3, 30), dtype=bool)
    natural[1, [0, 5, 10, 15, 29]] = True  # 4 empty cells between the first four, 13 before the last
    groups = label_natural_groups(natural, cell_width_m=10, cell_height_m=10, gap_distance_m=50)
    assert groups.n_patches == 5
    assert groups.n_groups == 2
    assert len({groups.labels[1, c] for c in [0, 5, 10, 15]}) == 1


def test_interior_cells_do_not_change_groups():
    natural = np.zeros((20, 20), dtype=bool)
    natural[2:10, 2:10] = True  # a big patch with interior cells
    natural[2:10, 14:18] = True  # 4 empty columns = 40 m
    assert label_natural_groups(natural, cell_width_m=10, cell_height_m=10, gap_distance_m=45).n_groups == 1


def test_gap_offsets_are_one_half_plane_without_touching_cells():
    offsets = gap_offsets(cell_width_m=10, cell_height_m=10, gap_distance_m=20)
    assert (0, 2) in offsets and (0, 3) not in offsets  # 10 m < 20 m; exactly 20 m is not
    assert (0, -2) not in offsets and (1, 0) not in offsets
    assert (2, 2) in offsets  # √(10² + 10²) = 14.1 < 20
    assert (3, 3) not in offsets  # √(20² + 20²) = 28.3


def test_mesh_and_coherence_by_hand():
    natural = np.zeros((4, 10), dtype=bool)
    natural[0:2, 0:2] = True  # 4 cells of 100 m² = 400 m²
    natural[3, 5:9] = True  # 4 cells but rows differ in area below
    row_area = np.array([100.0, 100.0, 100.0, 50.0])
    groups = label_natural_groups(natural, cell_width_m=10, cell_height_m=10, gap_distance_m=0)
    areas = group_areas_m2(
        groups.labels, weight=np.ones(natural.shape, np.float32), row_area_m2=row_area, n_groups=groups.n_groups
    )
    assert sorted(areas[1:]) == [200.0, 400.0]
    # MESH = (400² + 200²) / 600 m² = 333.33 m² = 0.033333 ha
    assert effective_mesh_size_ha(areas, denominator_m2=600.0) == pytest.approx(200_000 / 600 / 10_000)
    assert coherence_percent(areas) == pytest.approx(200_000 / 600**2 * 100)


def test_partial_weights_scale_group_areas():
    labels = np.array([[1, 1], [0, 2]], dtype=np.int32)
    weight = np.array([[1.0, 0.5], [1.0, 0.25]], dtype=np.float32)
    areas = group_areas_m2(labels, weight=weight, row_area_m2=np.array([10.0, 20.0]), n_groups=2)
    assert areas.tolist() == [0.0, 15.0, 5.0]


def fragstats_classes():
    table = pd.read_csv(FIXTURES / "fragstats_class_level.csv")
    return table[table["LID"] == "augusta_nlcd"].to_dict("records")


@pytest.fixture(scope="module")
def augusta():
    with rasterio.open(FIXTURES / "augusta_nlcd.tif") as source:
        return source.read(1)


@pytest.mark.parametrize("row", fragstats_classes(), ids=lambda row: row["TYPE"])
def test_fragstats_patches_and_mesh_on_augusta(augusta, row):
    """Gap 0, 8-neighbour patches reproduce FRAGSTATS NP, CA and class MESH (landscape denominator)."""
    code = int(row["TYPE"].split("_")[1])
    groups = label_natural_groups(augusta == code, cell_width_m=30, cell_height_m=30, gap_distance_m=0, neighbourhood=8)
    areas = group_areas_m2(
        groups.labels,
        weight=np.ones(augusta.shape, np.float32),
        row_area_m2=np.full(augusta.shape[0], 900.0),
        n_groups=groups.n_groups,
    )
    landscape_m2 = np.count_nonzero(augusta) * 900.0
    assert groups.n_patches == row["NP"]
    assert areas.sum() / 10_000 == pytest.approx(row["CA"], abs=0.005)
    assert effective_mesh_size_ha(areas, denominator_m2=landscape_m2) == pytest.approx(row["MESH"], abs=5e-5)
    # the SI's denominator is the class (natural) area itself: MESH_SI = MESH_FRAGSTATS · landscape / class
    si_mesh = effective_mesh_size_ha(areas, denominator_m2=areas.sum())
    rounding_ha = 5e-5 * landscape_m2 / areas.sum()  # FRAGSTATS prints MESH to 4 decimals
    assert si_mesh == pytest.approx(row["MESH"] * landscape_m2 / areas.sum(), abs=rounding_ha)


def test_class_mesh_of_every_augusta_class_in_one_pass(augusta):
    """The run-labelling class MESH reproduces FRAGSTATS for all 15 classes at once."""
    mesh = class_effective_mesh_sizes_ha(augusta, row_area_m2=np.full(augusta.shape[0], 900.0))
    expected = {int(row["TYPE"].split("_")[1]): row["MESH"] for row in fragstats_classes()}
    assert mesh.keys() == expected.keys()
    for code, value in expected.items():
        assert mesh[code] == pytest.approx(value, abs=5e-5), code


def test_pylandstats_patch_areas_agree_on_augusta(augusta):
    pylandstats = pytest.importorskip("pylandstats")
    landscape = pylandstats.Landscape(augusta, res=(30, 30), nodata=0, neighborhood_rule="8")
    code = 41
    groups = label_natural_groups(augusta == code, cell_width_m=30, cell_height_m=30, gap_distance_m=0)
    areas = group_areas_m2(
        groups.labels,
        weight=np.ones(augusta.shape, np.float32),
        row_area_m2=np.full(augusta.shape[0], 900.0),
        n_groups=groups.n_groups,
    )
    theirs = np.sort(landscape.area(class_val=code, hectares=True))
    assert np.allclose(np.sort(areas[1:] / 10_000), theirs)
    assert effective_mesh_size_ha(areas, denominator_m2=np.count_nonzero(augusta) * 900.0) == pytest.approx(
        landscape.effective_mesh_size(class_val=code), rel=1e-9
    )
    every_class = class_effective_mesh_sizes_ha(augusta, row_area_m2=np.full(augusta.shape[0], 900.0))
    for value in np.unique(augusta[augusta != 0]):
        assert every_class[int(value)] == pytest.approx(landscape.effective_mesh_size(class_val=int(value)), rel=1e-9)
