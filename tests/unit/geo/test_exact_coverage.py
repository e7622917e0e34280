"""Exact coverage fractions computed on the crossed cells only: hand-checked shares, interior cells exactly 1.0,
holes, polygons beyond the window, and agreement with exactextract (the reference, tests/helpers.py)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.geo.exact_coverage import crossed_cell_fractions, exact_coverage_fractions
from tests.helpers import exactextract_fractions

UNIT = Affine(1.0, 0, 0.0, 0, -1.0, 10.0)  # 1 × 1 cells, row 0 spans y 9..10
UTM = CRS.from_epsg(32648)


def test_a_triangle_by_hand():
    # the triangle (0,10) (2,10) (0,8): covers cell (0,0) whole? no — half of the 2 × 2 block above the diagonal
    #   row 0: cell 0 covered 1 - 0 = 1.0 (the diagonal passes its lower-right corner), cell 1 half (0.5)
    #   row 1: cell 0 half (0.5), cell 1 none
    triangle = shapely.Polygon([(0, 10), (2, 10), (0, 8)])
    fractions = exact_coverage_fractions(triangle, shape=(3, 3), transform=UNIT)
    np.testing.assert_array_equal(fractions, np.array([[1.0, 0.5, 0], [0.5, 0, 0], [0, 0, 0]], dtype=np.float32))


def test_a_quarter_cell_offset_square():
    # the square 0.25..2.75 × 7.25..9.75: corner cells 0.5625 (0.75²), edge cells 0.75, the centre cell whole
    square = shapely.box(0.25, 7.25, 2.75, 9.75)
    fractions = exact_coverage_fractions(square, shape=(4, 4), transform=UNIT)
    expected = np.zeros((4, 4))
    expected[:3, :3] = [[0.5625, 0.75, 0.5625], [0.75, 1.0, 0.75], [0.5625, 0.75, 0.5625]]
    np.testing.assert_allclose(fractions, expected, atol=1e-7)
    assert fractions[1, 1] == 1.0  # never crossed: decided by its centre, exactly


def test_cells_along_grid_lines_and_inside_are_exactly_zero_or_one():
    # a box on cell edges, with a hole on cell edges: every share is exactly 0 or 1 (no 0.9999999)
    polygon = shapely.box(1, 2, 7, 9).difference(shapely.box(3, 4, 5, 6))
    fractions = exact_coverage_fractions(polygon, shape=(10, 10), transform=UNIT)
    expected = np.zeros((10, 10), dtype=np.float32)
    expected[1:8, 1:7] = 1.0
    expected[4:6, 3:5] = 0.0
    np.testing.assert_array_equal(fractions, expected)


def test_a_polygon_beyond_the_window_on_every_side():
    # a strip of a large city: rows 3..5 of a grid lying wholly inside a polygon that extends far beyond it, but
    # for a notch cutting half of cell (4, 6)
    polygon = shapely.box(-50, -50, 60, 60).difference(shapely.box(6.25, 5, 6.75, 6))
    strip = UNIT @ Affine.translation(0, 3)
    fractions = exact_coverage_fractions(polygon, shape=(3, 10), transform=strip)
    expected = np.ones((3, 10), dtype=np.float32)
    expected[1, 6] = 0.5
    np.testing.assert_array_equal(fractions, expected)
    cells, shares = crossed_cell_fractions(polygon, shape=(3, 10), transform=strip)
    assert cells.tolist() == [16] and shares.tolist() == pytest.approx([0.5], abs=1e-12)  # only the notched cell


@pytest.mark.parametrize("seed", range(12))
def test_random_polygons_with_holes_equal_exactextract(seed):
    rng = np.random.default_rng(100 + seed)
    blobs = [shapely.Point(*(rng.random(2) * 24 - 2)).buffer(1 + 5 * rng.random(), quad_segs=3) for _ in range(4)]
    polygon = shapely.union_all(blobs)
    polygon = polygon.difference(shapely.Point(*(rng.random(2) * 20)).buffer(2 * rng.random()))
    polygon = shapely.make_valid(polygon.union(shapely.Polygon(rng.random((9, 2)) * 20).buffer(0)))
    transform = Affine(0.3 + rng.random(), 0, -1.0 + rng.random(), 0, -(0.3 + rng.random()), 21.0 + rng.random())
    shape = (int(rng.integers(5, 60)), int(rng.integers(5, 60)))
    ours = exact_coverage_fractions(polygon, shape=shape, transform=transform)
    reference = exactextract_fractions(polygon, shape=shape, transform=transform, crs=UTM)
    np.testing.assert_allclose(ours, reference, atol=2e-7)
    inside = (reference == 1.0) & (ours > 0)
    assert (ours[inside] == 1.0).all()


def test_an_empty_geometry_and_an_empty_grid():
    assert not exact_coverage_fractions(shapely.Polygon(), shape=(3, 3), transform=UNIT).any()
    assert exact_coverage_fractions(shapely.box(0, 0, 5, 5), shape=(0, 4), transform=UNIT).shape == (0, 4)
    far = shapely.box(100, 100, 101, 101)
    assert not exact_coverage_fractions(far, shape=(3, 3), transform=UNIT).any()
