"""Strip-by-strip patches and gap-rule groups equal the whole-array reference, whatever the strip height."""

import numpy as np
import pytest
from scipy import ndimage

from cbindex.kernels.strip_groups import StripGroups, natural_group_areas_m2
from cbindex.landcover.connectivity import effective_mesh_size_ha, group_areas_m2, label_natural_groups


def strip_labels(habitat, *, block_rows, barrier=None, weight=None, row_area=None, **method):
    """Run StripGroups and return (totals, group number of every cell)."""
    row_area = np.ones(habitat.shape[0]) if row_area is None else row_area
    groups = StripGroups(width=habitat.shape[1], **method)
    strips = []
    for start in range(0, habitat.shape[0], block_rows):
        rows = slice(start, start + block_rows)
        local = groups.add_strip(
            habitat[rows],
            row_area_m2=row_area[rows],
            keep_labels=True,
            weight=None if weight is None else weight[rows],
            barrier=None if barrier is None else barrier[rows],
        )
        strips.append(np.where(local > 0, local.astype(np.int64) + groups.strip_label_offsets[-1], 0))
    totals = groups.finish()
    return totals, totals.group_of_patch[np.vstack(strips)]


def test_two_forests_joined_only_by_the_gap_across_a_strip_edge():
    habitat = np.zeros((8, 5), dtype=bool)
    habitat[:3, 1:4] = True  # forest A, rows 0-2
    habitat[5:, 1:4] = True  # forest B, rows 5-7: two empty rows (20 m) between them
    method = dict(cell_width_m=10.0, cell_height_m=10.0, neighbourhood=8)
    for block_rows in (1, 2, 3, 4, 8):
        joined, _ = strip_labels(habitat, block_rows=block_rows, gap_distance_m=25.0, **method)
        assert (joined.n_patches, joined.n_groups) == (2, 1)
        apart, _ = strip_labels(habitat, block_rows=block_rows, gap_distance_m=20.0, **method)  # exactly 20 m
        assert (apart.n_patches, apart.n_groups) == (2, 2)
    barrier = np.zeros(habitat.shape, dtype=bool)
    barrier[3, :] = True  # a road across the gap
    cut, _ = strip_labels(habitat, block_rows=3, gap_distance_m=25.0, barrier=barrier, **method)
    assert cut.n_groups == 2


def test_mesh_of_a_hand_checked_array():
    habitat = np.zeros((4, 6), dtype=bool)
    habitat[:2, :2] = True  # 4 cells
    habitat[3, 3:] = True  # 3 cells
    totals = natural_group_areas_m2(
        habitat, row_area_m2=np.full(4, 100.0), cell_width_m=10.0, cell_height_m=10.0, gap_distance_m=0.0, block_rows=1
    )
    np.testing.assert_allclose(totals.group_areas_m2, [0, 400, 300])
    assert effective_mesh_size_ha(totals.group_areas_m2, denominator_m2=700.0) == pytest.approx(
        (400**2 + 300**2) / 700 / 10_000
    )


@pytest.mark.parametrize("neighbourhood", [4, 8])
@pytest.mark.parametrize("gap_distance_m", [0.0, 15.0, 25.0, 45.0])
def test_random_rasters_equal_the_whole_array_reference(neighbourhood, gap_distance_m):
    rng = np.random.default_rng(int(gap_distance_m) * 10 + neighbourhood)
    for trial in range(25):
        shape = (int(rng.integers(3, 50)), int(rng.integers(3, 50)))
        natural = ndimage.binary_dilation(rng.random(shape) < 0.05, iterations=int(rng.integers(0, 2)))
        barrier = rng.random(shape) < 0.05 if trial % 2 else None
        weight = rng.random(shape).astype(np.float32) + 0.01 if trial % 3 == 0 else None
        row_area = np.linspace(90.0, 130.0, shape[0])
        reference = label_natural_groups(
            natural,
            cell_width_m=10.0,
            cell_height_m=12.0,
            gap_distance_m=gap_distance_m,
            neighbourhood=neighbourhood,
            barrier=barrier,
        )
        reference_areas = group_areas_m2(
            reference.labels,
            weight=np.ones(shape, np.float32) if weight is None else weight,
            row_area_m2=row_area,
            n_groups=reference.n_groups,
        )
        habitat = natural if barrier is None else natural & ~barrier
        for block_rows in (1, 2, 5, 64):
            totals, labels = strip_labels(
                habitat,
                block_rows=block_rows,
                barrier=barrier,
                weight=weight,
                row_area=row_area,
                cell_width_m=10.0,
                cell_height_m=12.0,
                gap_distance_m=gap_distance_m,
                neighbourhood=neighbourhood,
            )
            assert (totals.n_patches, totals.n_groups) == (reference.n_patches, reference.n_groups)
            np.testing.assert_array_equal(labels, reference.labels)
            np.testing.assert_allclose(totals.group_areas_m2, reference_areas, rtol=1e-12)


def band_totals(habitat, cuts, tmp_path, *, block_rows, barrier=None, row_area=None, **method):
    """Process rows between cuts as separate bands (saved to disk), then join them top to bottom."""
    row_area = np.ones(habitat.shape[0]) if row_area is None else row_area
    bounds = [0, *cuts, habitat.shape[0]]
    paths = []
    for index, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        band = StripGroups(width=habitat.shape[1], row_above=habitat[start - 1] if start else None, **method)
        for first in range(start, stop, block_rows):
            rows = slice(first, min(first + block_rows, stop))
            band.add_strip(
                habitat[rows], row_area_m2=row_area[rows], barrier=None if barrier is None else barrier[rows]
            )
        band.finish(row_below=habitat[stop] if stop < habitat.shape[0] else None)
        paths.append(tmp_path / f"band_{index}.npz")
        band.save(paths[-1])
    merged = StripGroups(width=habitat.shape[1], **method)
    merged.finish()  # an empty accumulator absorbs every band in turn
    for path in paths:
        merged.absorb(path)
    return merged.finish()


@pytest.mark.parametrize("gap_distance_m", [0.0, 25.0, 45.0])
def test_bands_joined_equal_one_pass(tmp_path, gap_distance_m):
    rng = np.random.default_rng(int(gap_distance_m) + 11)
    method = dict(cell_width_m=10.0, cell_height_m=12.0, gap_distance_m=gap_distance_m, neighbourhood=8)
    for trial in range(12):
        shape = (int(rng.integers(30, 70)), int(rng.integers(5, 40)))
        natural = ndimage.binary_dilation(rng.random(shape) < 0.05, iterations=int(rng.integers(0, 2)))
        barrier = rng.random(shape) < 0.05 if trial % 2 else None
        habitat = natural if barrier is None else natural & ~barrier
        row_area = np.linspace(90.0, 130.0, shape[0])
        one_pass = natural_group_areas_m2(habitat, row_area_m2=row_area, barrier=barrier, block_rows=4, **method)
        cuts = sorted(rng.choice(np.arange(8, shape[0] - 8, 8), size=2, replace=False).tolist())
        bands = band_totals(habitat, cuts, tmp_path, block_rows=4, barrier=barrier, row_area=row_area, **method)
        assert (bands.n_patches, bands.n_groups) == (one_pass.n_patches, one_pass.n_groups)
        np.testing.assert_array_equal(bands.group_of_patch, one_pass.group_of_patch)
        np.testing.assert_array_equal(bands.group_areas_m2, one_pass.group_areas_m2)  # identical, not close
        assert bands.strip_label_offsets == one_pass.strip_label_offsets
