"""Polygons traced strip by strip equal GDAL's polygonize (rasterio ``shapes``, 4-connectivity) of the whole raster.

The reference is what the workflow did before: label the whole mask (scipy), polygonize the whole label raster
with rasterio and join each label's pieces into one multipolygon. The traced polygons must be the same point
sets (shapely ``equals``), valid, with the same ids, whatever the strip height.
"""

import numpy as np
import pytest
import rasterio.features
import shapely
from affine import Affine
from scipy import ndimage

from cbindex.kernels.strip_groups import StripGroups
from cbindex.kernels.strip_polygons import StripPolygons
from cbindex.landcover.spatial_outputs import GroupPolygonCollector
from tests.helpers import TREES, crossing_patterns

UTM = Affine(10, 0, 500_000, 0, -10, 4_000_400)
GEOGRAPHIC = Affine(0.0001, 0, 6.5, 0, -0.0001, 0.5)


def whole_raster_polygons(labels: np.ndarray, *, transform) -> dict[int, shapely.MultiPolygon]:
    """The old whole-array path: rasterio's shapes of the whole label raster, one multipolygon per label."""
    pieces: dict[int, list] = {}
    shapes = rasterio.features.shapes(labels.astype(np.int32), mask=labels > 0, transform=transform, connectivity=4)
    for geometry, value in shapes:
        pieces.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    return {label: shapely.MultiPolygon(parts) for label, parts in pieces.items()}


def patch_labels(mask: np.ndarray, neighbourhood: int) -> np.ndarray:
    structure = ndimage.generate_binary_structure(2, 2 if neighbourhood == 8 else 1)
    return ndimage.label(mask, structure=structure)[0]


def traced_patches(mask: np.ndarray, *, neighbourhood: int, block_rows: int, transform) -> dict[int, object]:
    """Patches labelled and traced strip by strip, as the land-cover pass does."""
    groups = StripGroups(
        width=mask.shape[1], cell_width_m=1, cell_height_m=1, gap_distance_m=0, neighbourhood=neighbourhood
    )
    collector = GroupPolygonCollector()
    for start in range(0, mask.shape[0], block_rows):
        strip = mask[start : start + block_rows]
        local = groups.add_strip(strip, row_area_m2=np.ones(strip.shape[0]), keep_labels=True)
        collector.add_strip(
            local_labels=local,
            label_offset=groups.strip_label_offsets[-1],
            transform=transform @ Affine.translation(0, start),
        )
    ids, geometries = collector.geometries(groups.finish().patch_of_label)
    return dict(zip(ids.tolist(), geometries, strict=True))


def assert_same_polygons(expected: dict, got: dict) -> None:
    assert sorted(got) == sorted(expected)
    for key, geometry in expected.items():
        assert shapely.is_valid(got[key]), (key, shapely.is_valid_reason(got[key]))
        assert got[key].equals(geometry), key


PINCHES = {
    "hole touching its shell at a corner": ["11111", "10111", "11011", "11111"],
    "two pieces touching at a corner": ["1100", "1100", "0011", "0011"],
    "checkerboard": ["10101", "01010", "10101", "01010"],
    "ring of diagonal steps": ["0010", "0101", "1010", "0100"],
    "hole with a diagonal exit": ["0111", "1011", "1111"],
    "two holes pinched together": ["111111", "101011", "110101", "111111"],
    "everything": ["111", "111", "111"],
    "nothing": ["000", "000"],
}


@pytest.mark.parametrize("pattern", list(PINCHES), ids=list(PINCHES))
@pytest.mark.parametrize("neighbourhood", [4, 8])
@pytest.mark.parametrize("block_rows", [1, 2, 3, 10])
def test_corners_holes_and_pinches_equal_whole_raster_polygons(pattern, neighbourhood, block_rows):
    mask = np.array([[cell == "1" for cell in row] for row in PINCHES[pattern]])
    expected = whole_raster_polygons(patch_labels(mask, neighbourhood), transform=UTM)
    assert_same_polygons(
        expected, traced_patches(mask, neighbourhood=neighbourhood, block_rows=block_rows, transform=UTM)
    )


@pytest.mark.parametrize("neighbourhood", [4, 8])
@pytest.mark.parametrize("block_rows", [1, 2, 5, 7, 40])
def test_crossing_patterns_equal_whole_raster_polygons(neighbourhood, block_rows):
    mask = crossing_patterns() == TREES
    expected = whole_raster_polygons(patch_labels(mask, neighbourhood), transform=UTM)
    assert_same_polygons(
        expected, traced_patches(mask, neighbourhood=neighbourhood, block_rows=block_rows, transform=UTM)
    )


@pytest.mark.parametrize("seed", range(6))
def test_random_masks_equal_whole_raster_polygons(seed):
    rng = np.random.default_rng(seed)
    for _ in range(15):
        height, width = rng.integers(1, 40, size=2)
        if seed % 2:  # smooth blobs with holes and bays
            field = ndimage.gaussian_filter(rng.random((height, width)), rng.uniform(0.5, 2.5))
            mask = field > np.quantile(field, rng.uniform(0.2, 0.8))
        else:  # noise: many corners, pinches and single cells
            mask = rng.random((height, width)) < rng.uniform(0.2, 0.8)
        for neighbourhood in (4, 8):
            expected = whole_raster_polygons(patch_labels(mask, neighbourhood), transform=GEOGRAPHIC)
            for block_rows in (1, 3, 8, 64):
                got = traced_patches(mask, neighbourhood=neighbourhood, block_rows=block_rows, transform=GEOGRAPHIC)
                assert_same_polygons(expected, got)


def test_groups_are_the_multipolygons_of_their_patches():
    mask = crossing_patterns() == TREES
    labels = patch_labels(mask, 8)
    group_of_patch = np.array([0, *[(patch + 1) // 2 for patch in range(1, labels.max() + 1)]])  # pairs of patches
    expected = whole_raster_polygons(group_of_patch[labels], transform=UTM)
    collector = GroupPolygonCollector()
    for start in range(0, mask.shape[0], 5):
        collector.add_strip(local_labels=labels[start : start + 5], label_offset=0, transform=UTM)
    ids, geometries = collector.geometries(group_of_patch)
    assert_same_polygons(expected, dict(zip(ids.tolist(), geometries, strict=True)))


def test_rings_hold_only_corners_and_close_across_strips():
    mask = np.zeros((12, 6), dtype=bool)
    mask[1:11, 2:4] = True  # a 2-wide bar through every 1-row strip: one rectangle, four corners
    polygons = StripPolygons(width=6)
    for row in range(12):
        polygons.add_strip(mask[row : row + 1].astype(np.int32), label_offset=0)
    rings = polygons.finish()
    assert rings.ring_piece.tolist() == [1] and not rings.ring_is_hole.any()
    assert sorted(map(tuple, rings.xy.tolist())) == [(2, 1), (2, 11), (4, 1), (4, 11)]
