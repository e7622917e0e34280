"""Polygons burnt into a display grid: as rasterio's all-touched rasterize, from WKB without geometry objects."""

import numpy as np
import pytest
import rasterio.features
import shapely
from affine import Affine

from cbindex.kernels.rasterize import burn_polygons, wkb_polygon_rings

GRID = Affine(10.0, 0.0, 1000.0, 0.0, -10.0, 2000.0)


def burn(geometries, values, shape, transform=GRID):
    xy, ring_offsets, geometry_rings = wkb_polygon_rings(shapely.to_wkb(np.asarray(geometries, dtype=object)))
    inverse = ~transform
    grid_xy = np.column_stack(
        [
            inverse.c + xy[:, 0] * inverse.a + xy[:, 1] * inverse.b,
            inverse.f + xy[:, 0] * inverse.d + xy[:, 1] * inverse.e,
        ]
    )
    return burn_polygons(grid_xy, ring_offsets, geometry_rings, np.asarray(values), shape=shape)


def test_wkb_rings_are_shapely_coordinates():
    geometries = [
        shapely.box(0, 0, 1, 1),
        shapely.MultiPolygon([shapely.box(2, 2, 3, 3), shapely.box(5, 5, 9, 9).difference(shapely.box(6, 6, 7, 7))]),
        None,
    ]
    xy, ring_offsets, geometry_rings = wkb_polygon_rings(shapely.to_wkb(np.asarray(geometries, dtype=object)))
    np.testing.assert_array_equal(xy, shapely.get_coordinates(np.asarray(geometries, dtype=object)))
    assert geometry_rings.tolist() == [0, 1, 4, 4]
    assert np.diff(ring_offsets).tolist() == [5, 5, 5, 5]


def test_other_geometry_types_are_refused():
    with pytest.raises(ValueError):
        wkb_polygon_rings([shapely.to_wkb(shapely.Point(0, 0))])


def test_cells_only_touched_by_an_outline_on_grid_lines_are_not_burnt():
    ranks = burn([shapely.box(1020, 1970, 1040, 2000), shapely.box(1000, 1990, 1010, 2000)], [1, 2], (4, 5))
    expected = rasterio.features.rasterize(
        [(shapely.box(1020, 1970, 1040, 2000), 1), (shapely.box(1000, 1990, 1010, 2000), 2)],
        out_shape=(4, 5),
        transform=GRID,
        all_touched=True,
        dtype="int32",
    )
    np.testing.assert_array_equal(ranks, expected)


def test_a_hole_stays_empty_and_later_polygons_are_burnt_over():
    outer = shapely.box(1000, 1900, 1100, 2000).difference(shapely.box(1030, 1930, 1070, 1970))  # 10 × 10, 4 × 4 hole
    small = shapely.box(1000, 1990, 1010, 2000)
    ranks = burn([outer, small], [1, 2], (12, 12))
    assert ranks[0, 0] == 2 and ranks[5, 5] == 0 and ranks[5, 1] == 1 and ranks[11, 11] == 0
    assert (ranks[4:6, 4:6] == 0).all()  # the hole's inner cells, touched by no edge


@pytest.mark.parametrize("seed", range(4))
def test_random_polygons_burn_as_rasterio_all_touched(seed):
    rng = np.random.default_rng(seed)
    geometries = []
    for _ in range(30):
        x, y = rng.uniform(1000, 1200), rng.uniform(1800, 2000)
        blob = shapely.Point(x, y).buffer(rng.uniform(2, 40), quad_segs=rng.integers(1, 6))
        if rng.random() < 0.4:
            blob = blob.difference(shapely.Point(x, y).buffer(rng.uniform(1, 15)))
        geometries.append(blob)
    values = np.arange(1, len(geometries) + 1)
    ours = burn(geometries, values, (25, 25))
    theirs = rasterio.features.rasterize(
        zip(geometries, values.tolist(), strict=True),
        out_shape=(25, 25),
        transform=GRID,
        all_touched=True,
        dtype="int32",
    )
    assert (ours != theirs).mean() < 0.005  # a cell the outline crosses within rounding of its side may differ
    assert set(np.unique(ours)) == set(np.unique(theirs))
