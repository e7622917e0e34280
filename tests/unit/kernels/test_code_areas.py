"""One-pass code areas and natural mask equal the numpy computation, for every integer dtype and fallbacks."""

import numpy as np
import pytest

from cbindex.geo.legends import codes_mask
from cbindex.kernels.code_areas import area_and_natural_by_code

NATURAL = (10, 20, 95)


def numpy_reference(codes, weight, row_area):
    cell_area = weight.astype(np.float64) * row_area[:, None]
    present = np.unique(codes)
    return {int(code): float(cell_area[codes == code].sum()) for code in present}


def test_hand_checked():
    codes = np.array([[10, 10, 50], [20, 50, 50]], dtype=np.uint8)
    weight = np.array([[1, 0.5, 1], [0, 1, 1]], dtype=np.float32)
    areas, natural = area_and_natural_by_code(
        codes, weight=weight, row_area_m2=np.array([100.0, 200.0]), natural_codes=NATURAL
    )
    assert areas == {10: 150.0, 20: 0.0, 50: 500.0}
    np.testing.assert_array_equal(natural, [[True, True, False], [False, False, False]])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.int32, np.int64, np.float32])
def test_equals_numpy(dtype):
    rng = np.random.default_rng(7)
    codes = (
        rng.choice([-5, 0, 10, 20, 50, 95, 200], size=(40, 33)).astype(dtype)
        if np.dtype(dtype).kind != "u"
        else rng.choice([0, 10, 20, 50, 95, 200], size=(40, 33)).astype(dtype)
    )
    weight = rng.random(codes.shape).astype(np.float32)
    weight[weight < 0.2] = 0
    row_area = rng.random(codes.shape[0]) * 500
    areas, natural = area_and_natural_by_code(codes, weight=weight, row_area_m2=row_area, natural_codes=NATURAL)
    expected = numpy_reference(codes, weight, row_area)
    assert areas.keys() == expected.keys()
    for code, area in expected.items():
        assert areas[code] == pytest.approx(area, rel=1e-12, abs=1e-9)
    np.testing.assert_array_equal(natural, codes_mask(codes, NATURAL) & (weight > 0))


def test_wide_code_range_falls_back():
    codes = np.array([[0, 1_000_000], [10, 10]], dtype=np.int64)
    areas, natural = area_and_natural_by_code(
        codes, weight=np.ones((2, 2), np.float32), row_area_m2=np.array([1.0, 2.0]), natural_codes=NATURAL
    )
    assert areas == {0: 1.0, 10: 4.0, 1_000_000: 1.0}
    np.testing.assert_array_equal(natural, [[False, False], [True, True]])
