"""Patches of a raster found as runs of cells along rows (run-length connected-component labelling).

A run is a maximal horizontal stretch of cells of one non-zero value (True in a boolean mask, one class code
in a code raster; 0 is background) in one row. Runs of consecutive rows with the same value that touch
(overlap, or meet at a corner with the 8-neighbourhood) belong to one patch; runs are joined with a union-find, so each
cell is read once and the work per run is constant. Patches are numbered 1..n in raster-scan order of their
first cell, as :func:`scipy.ndimage.label` numbers them, and the per-cell label array is only written when
asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from cbindex.kernels.union_find import find_root, join


@dataclass(frozen=True)
class Runs:
    """The runs of one boolean array and the patch each belongs to.

    Attributes
    ----------
    row_first : ndarray of int64, shape (rows + 1,)
        Runs of row r are ``row_first[r]:row_first[r + 1]``.
    start, stop : ndarray of int32
        First column and one past the last column of each run.
    label : ndarray of int32
        Patch label (1..n_labels) of each run.
    label_value : ndarray
        Value (class code, or True) of each patch label; index 0 is 0.
    n_labels : int
    shape : tuple of int
    """

    row_first: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    label: np.ndarray
    label_value: np.ndarray
    n_labels: int
    shape: tuple[int, int]

    def row(self, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start, stop and label of the runs of one row."""
        span = slice(self.row_first[row], self.row_first[row + 1])
        return self.start[span], self.stop[span], self.label[span]


def label_runs(values: np.ndarray, *, neighbourhood: int = 8) -> Runs:
    """Label the 4- or 8-connected patches of equal non-zero values as runs (see the module docstring).

    ``values`` is a boolean mask (patches of True cells) or an integer code raster (patches of each code at
    once, as FRAGSTATS' class-level patches; 0 is background).
    """
    if neighbourhood not in (4, 8):
        raise ValueError(f"neighbourhood must be 4 or 8, not {neighbourhood}")
    if values.dtype.kind not in "biu":
        raise ValueError(f"label_runs needs a boolean or integer array, not {values.dtype}")
    values = np.ascontiguousarray(values)
    row_first, start, stop, label, label_value, n_labels = _label_runs(values, neighbourhood == 8)
    return Runs(
        row_first=row_first,
        start=start,
        stop=stop,
        label=label,
        label_value=label_value,
        n_labels=int(n_labels),
        shape=values.shape,
    )


def paint_runs(runs: Runs) -> np.ndarray:
    """The per-cell label array (int32, 0 outside patches) of labelled runs."""
    labels = np.zeros(runs.shape, dtype=np.int32)
    _paint(runs.row_first, runs.start, runs.stop, runs.label, labels)
    return labels


def run_areas_m2(runs: Runs, *, row_area_m2: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Ground area of each patch, m²: ``A_j = Σ weight · cell area`` over its cells (index 0 is 0).

    Without ``weight`` every cell counts whole (the cell-centre boundary rule), so a run of length L in row r
    adds ``L · row_area_m2[r]``.
    """
    areas = np.zeros(runs.n_labels + 1, dtype=np.float64)
    row_area_m2 = np.ascontiguousarray(row_area_m2, dtype=np.float64)
    if weight is None:
        _add_run_lengths(runs.row_first, runs.start, runs.stop, runs.label, row_area_m2, areas)
    else:
        _add_run_weights(
            runs.row_first, runs.start, runs.stop, runs.label, row_area_m2, np.ascontiguousarray(weight), areas
        )
    return areas


def join_touching_rows(
    sets_parent: np.ndarray,
    above: tuple[np.ndarray, np.ndarray, np.ndarray],
    below: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    neighbourhood: int,
) -> None:
    """Join (in a union-find) the labels of runs of two consecutive rows that touch.

    ``above`` and ``below`` are (start, stop, global label) of each row's runs, sorted by start.
    """
    _join_touching(sets_parent, *above, *below, neighbourhood == 8)


@numba.njit(cache=True, nogil=True)
def _count_runs(values: np.ndarray) -> int:
    count = 0
    rows, cols = values.shape
    for row in range(rows):
        previous = values[row, 0]
        count += previous != 0
        for col in range(1, cols):
            value = values[row, col]
            count += (value != 0) & (value != previous)
            previous = value
    return count


@numba.njit(cache=True, nogil=True)
def _label_runs(values: np.ndarray, eight: bool):
    rows, cols = values.shape
    n_runs = _count_runs(values) if cols else 0
    row_first = np.zeros(rows + 1, dtype=np.int64)
    start = np.empty(n_runs, dtype=np.int32)
    stop = np.empty(n_runs, dtype=np.int32)
    run_value = np.empty(n_runs, dtype=values.dtype)
    parent = np.arange(n_runs, dtype=np.int64)
    changes = np.empty(cols + 1, dtype=np.int32)
    reach = 1 if eight else 0
    run = 0
    above_first = 0
    above_stop = 0
    for row in range(rows if cols else 0):
        row_first[row] = run
        n_segments = 1  # segments of equal value, found without branching on the data
        changes[0] = 0
        for col in range(1, cols):
            changes[n_segments] = col
            n_segments += values[row, col] != values[row, col - 1]
        changes[n_segments] = cols
        candidate = above_first
        for segment in range(n_segments):
            run_start = changes[segment]
            value = values[row, run_start]
            if not value:
                continue
            run_stop = changes[segment + 1]
            start[run] = run_start
            stop[run] = run_stop
            run_value[run] = value
            low = run_start - reach
            high = run_stop + reach
            while candidate < above_stop and stop[candidate] <= low:
                candidate += 1
            other = candidate
            root = run  # the run's root so far: itself, until it touches a run above (always a smaller root)
            while other < above_stop and start[other] < high:
                if run_value[other] == value:
                    other_root = find_root(parent, other)
                    if other_root < root:
                        parent[root] = other_root
                        root = other_root
                    elif other_root > root:
                        parent[other_root] = root
                other += 1
            parent[run] = root
            run += 1
        above_first = row_first[row]
        above_stop = run
    row_first[rows] = run
    label = np.empty(n_runs, dtype=np.int32)
    label_value = np.zeros(n_runs + 1, dtype=values.dtype)
    n_labels = 0
    for index in range(n_runs):
        root = find_root(parent, index)
        if root == index:
            n_labels += 1
            label[index] = n_labels
            label_value[n_labels] = run_value[index]
        else:
            label[index] = label[root]
    return row_first, start, stop, label, label_value[: n_labels + 1], n_labels


@numba.njit(cache=True, nogil=True)
def _paint(row_first, start, stop, label, out) -> None:
    for row in range(row_first.size - 1):
        for run in range(row_first[row], row_first[row + 1]):
            value = label[run]
            for col in range(start[run], stop[run]):
                out[row, col] = value


@numba.njit(cache=True, nogil=True)
def _add_run_lengths(row_first, start, stop, label, row_area_m2, areas) -> None:
    for row in range(row_first.size - 1):
        for run in range(row_first[row], row_first[row + 1]):
            areas[label[run]] += (stop[run] - start[run]) * row_area_m2[row]


@numba.njit(cache=True, nogil=True)
def _add_run_weights(row_first, start, stop, label, row_area_m2, weight, areas) -> None:
    for row in range(row_first.size - 1):
        for run in range(row_first[row], row_first[row + 1]):
            total = 0.0
            for col in range(start[run], stop[run]):
                total += weight[row, col]
            areas[label[run]] += total * row_area_m2[row]


@numba.njit(cache=True, nogil=True)
def _join_touching(
    parent, above_start, above_stop, above_label, below_start, below_stop, below_label, eight: bool
) -> None:
    reach = 1 if eight else 0
    candidate = 0
    for run in range(below_start.size):
        low = below_start[run] - reach
        high = below_stop[run] + reach
        while candidate < above_start.size and above_stop[candidate] <= low:
            candidate += 1
        other = candidate
        while other < above_start.size and above_start[other] < high:
            join(parent, above_label[other], below_label[run])
            other += 1
