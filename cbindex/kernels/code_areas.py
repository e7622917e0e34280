"""Ground area of each land-cover code inside the city, and the natural-cell mask, in one pass over a strip.

``area[code] = Σ weight · cell area`` over the cells holding ``code`` (weight: 1/0 under the cell-centre
rule, the covered fraction under the exact rule; cell area: the ground area of a whole cell in that row).
Integer rasters whose codes span fewer than 65,536 values are summed by a compiled loop that reads each cell
once; other rasters fall back to :func:`numpy.unique` and :func:`numpy.bincount` (the same sums).
"""

from __future__ import annotations

from collections.abc import Iterable

import numba
import numpy as np

from cbindex.geo.legends import codes_mask

COMPILED_MAX_SPAN = 1 << 16


def area_and_natural_by_code(
    codes: np.ndarray,
    *,
    weight: np.ndarray,
    row_area_m2: np.ndarray,
    natural_codes: Iterable[int],
) -> tuple[dict[int, float], np.ndarray]:
    """Area (m²) of each code present in ``codes`` (present codes with area 0 included) and the natural mask.

    The natural mask is True where the code is one of ``natural_codes`` and the weight is positive.
    """
    natural_codes = frozenset(int(code) for code in natural_codes)
    row_area_m2 = np.ascontiguousarray(row_area_m2, dtype=np.float64)
    if codes.dtype.kind in "iu" and codes.size:
        lowest, highest = int(codes.min()), int(codes.max())
        span = highest - lowest + 1
        if span <= COMPILED_MAX_SPAN:
            natural_table = np.zeros(span, dtype=bool)
            for code in natural_codes:
                if lowest <= code <= highest:
                    natural_table[code - lowest] = True
            sums = np.zeros(span, dtype=np.float64)
            counts = np.zeros(span, dtype=np.int64)
            natural = np.empty(codes.shape, dtype=bool)
            _sum_by_code(
                np.ascontiguousarray(codes),
                np.ascontiguousarray(weight, dtype=np.float32),
                row_area_m2,
                np.int64(lowest),
                natural_table,
                sums,
                counts,
                natural,
            )
            return {int(index) + lowest: float(sums[index]) for index in np.flatnonzero(counts)}, natural
    cell_area = weight * row_area_m2[:, None]
    present, inverse = np.unique(codes.ravel(), return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=cell_area.ravel(), minlength=present.size)
    natural = codes_mask(codes, natural_codes) & (weight > 0)
    return {int(code): float(area) for code, area in zip(present, sums, strict=True)}, natural


@numba.njit(cache=True, nogil=True)
def _sum_by_code(codes, weight, row_area_m2, lowest, natural_table, sums, counts, natural) -> None:
    """Per row, runs of one code accumulate their weight in a register; the run's total goes to its code."""
    rows, cols = codes.shape
    for row in range(rows if cols else 0):
        row_area = row_area_m2[row]
        index = codes[row, 0] - lowest
        is_natural = natural_table[index]
        run_weight = 0.0
        run_cells = 0
        for col in range(cols):
            code_index = codes[row, col] - lowest
            if code_index != index:
                counts[index] += run_cells
                sums[index] += run_weight * row_area
                index = code_index
                is_natural = natural_table[index]
                run_weight = 0.0
                run_cells = 0
            cell_weight = weight[row, col]
            run_weight += cell_weight
            run_cells += 1
            natural[row, col] = is_natural and cell_weight > 0
        counts[index] += run_cells
        sums[index] += run_weight * row_area


def natural_mask_values(natural: np.ndarray, weight: np.ndarray, *, outside: int) -> np.ndarray:
    """The natural-area mask of a strip in one pass: 1 natural, 0 not natural, ``outside`` where the weight is 0."""
    values = np.empty(natural.shape, dtype=np.uint8)
    _mask_values(
        np.ascontiguousarray(natural, dtype=bool), np.ascontiguousarray(weight, dtype=np.float32), outside, values
    )
    return values


@numba.njit(cache=True, nogil=True)
def _mask_values(natural, weight, outside, values) -> None:
    rows, cols = natural.shape
    for row in range(rows):
        for col in range(cols):
            values[row, col] = 1 if natural[row, col] else (0 if weight[row, col] > 0 else outside)
