"""Run-length patch labelling equals scipy.ndimage.label: same patches, same numbering, same areas."""

import numpy as np
import pytest
from scipy import ndimage

from cbindex.kernels.run_labels import join_touching_rows, label_runs, paint_runs, run_areas_m2
from cbindex.kernels.union_find import LabelSets

DIAGONAL = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1]], dtype=bool)


def test_hand_checked_diagonals():
    assert label_runs(DIAGONAL, neighbourhood=8).n_labels == 1
    runs = label_runs(DIAGONAL, neighbourhood=4)
    assert runs.n_labels == 4
    np.testing.assert_array_equal(paint_runs(runs), [[1, 0, 0], [0, 2, 0], [3, 0, 4]])


def test_u_shape_joined_from_below_gets_first_label():
    mask = np.array([[1, 0, 1], [1, 0, 1], [1, 1, 1]], dtype=bool)
    runs = label_runs(mask, neighbourhood=4)
    assert runs.n_labels == 1
    assert (paint_runs(runs)[mask] == 1).all()


def test_areas_use_row_areas_and_weights():
    mask = np.array([[1, 1, 0], [0, 0, 0], [0, 1, 1]], dtype=bool)
    runs = label_runs(mask)
    np.testing.assert_allclose(run_areas_m2(runs, row_area_m2=np.array([10.0, 20.0, 30.0])), [0, 20, 60])
    weight = np.full(mask.shape, 0.5, dtype=np.float32)
    np.testing.assert_allclose(run_areas_m2(runs, row_area_m2=np.array([10.0, 20.0, 30.0]), weight=weight), [0, 10, 30])


def test_empty_and_full():
    assert label_runs(np.zeros((3, 4), bool)).n_labels == 0
    runs = label_runs(np.ones((3, 4), bool), neighbourhood=4)
    assert runs.n_labels == 1
    assert run_areas_m2(runs, row_area_m2=np.ones(3))[1] == 12


@pytest.mark.parametrize("neighbourhood", [4, 8])
@pytest.mark.parametrize("density", [0.2, 0.45, 0.6, 0.8])
def test_equals_scipy_label(neighbourhood, density):
    rng = np.random.default_rng(int(density * 100) + neighbourhood)
    structure = ndimage.generate_binary_structure(2, 2 if neighbourhood == 8 else 1)
    for _ in range(20):
        mask = rng.random((int(rng.integers(1, 80)), int(rng.integers(1, 80)))) < density
        expected, count = ndimage.label(mask, structure=structure)
        runs = label_runs(mask, neighbourhood=neighbourhood)
        assert runs.n_labels == count
        np.testing.assert_array_equal(paint_runs(runs), expected)
        row_area = rng.random(mask.shape[0]) * 100
        np.testing.assert_allclose(
            run_areas_m2(runs, row_area_m2=row_area),
            np.bincount(
                expected.ravel(), weights=np.broadcast_to(row_area[:, None], mask.shape).ravel(), minlength=count + 1
            )
            * (np.arange(count + 1) > 0),
            rtol=1e-12,
        )


def test_join_touching_rows_across_a_cut():
    mask = np.array([[1, 1, 0, 0, 1], [0, 0, 1, 0, 0]], dtype=bool)
    top, bottom = label_runs(mask[:1]), label_runs(mask[1:])
    sets = LabelSets()
    sets.grow(top.n_labels + bottom.n_labels)
    above = (*top.row(0)[:2], top.row(0)[2].astype(np.int64))
    below = (*bottom.row(0)[:2], bottom.row(0)[2].astype(np.int64) + top.n_labels)
    join_touching_rows(sets.parent, above, below, neighbourhood=8)
    np.testing.assert_array_equal(sets.set_numbers(), [0, 1, 2, 1])  # (0,1)-(1,2) diagonal; (0,4) apart
    sets4 = LabelSets()
    sets4.grow(3)
    join_touching_rows(sets4.parent, above, below, neighbourhood=4)
    np.testing.assert_array_equal(sets4.set_numbers(), [0, 1, 2, 3])


def test_rejects_other_neighbourhoods():
    with pytest.raises(ValueError, match="4 or 8"):
        label_runs(DIAGONAL, neighbourhood=6)
