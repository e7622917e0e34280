"""Exact coverage fractions of a strip whose polygon has a part touching the strip's top edge (exactextract, used
before, crashed with a segmentation fault on that input): the strip's fractions equal the whole grid's rows."""

import numpy as np
import shapely
from affine import Affine

from cbindex.geo.exact_coverage import exact_coverage_fractions

X0, Y0, CELL = 4_000_000.0, 3_000_000.0, 100.0


def cells(c0: float, r0: float, c1: float, r1: float) -> shapely.Polygon:
    return shapely.box(X0 + c0 * CELL, Y0 - r1 * CELL, X0 + c1 * CELL, Y0 - r0 * CELL)


def test_a_part_touching_the_strip_edge_neither_crashes_nor_changes_the_fractions():
    # rows 0-1 block ends exactly on the top edge of the strip of rows 2-3
    polygons = shapely.union_all([cells(2.5, 2.5, 5, 5), cells(0, 0, 2.5, 2), cells(3.5, 0.5, 6, 4)])
    whole = exact_coverage_fractions(polygons, shape=(6, 6), transform=Affine(CELL, 0, X0, 0, -CELL, Y0))
    strip = exact_coverage_fractions(polygons, shape=(2, 6), transform=Affine(CELL, 0, X0, 0, -CELL, Y0 - 2 * CELL))
    np.testing.assert_allclose(strip, whole[2:4], atol=1e-6)
    np.testing.assert_allclose(strip[0], [0, 0, 0.25, 0.75, 1, 1], atol=1e-6)  # by hand: parks ∪ protected, row 2
