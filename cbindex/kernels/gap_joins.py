"""The gap rule of SI indicator 2 as a compiled kernel: join patch labels whose edge cells lie within offsets.

Works on a strip of local patch labels stacked under the last rows of the strip above (global labels), without
copying them into one array. For every patch-edge cell (a natural cell with a 4-neighbour that is not
natural, or on the raster's border) and every offset (Δr ≥ 0, one half-plane) whose cell is a patch-edge cell
of another label, the two labels are joined in a union-find, unless a barrier cell lies on the straight line
between the two cells. This is :func:`cbindex.landcover.connectivity.label_pairs_at_offsets` applied to patch edges,
without materialising the pairs: a pair already in one set costs two lookups.

Edges are the true edges of the whole raster, whatever the strips: the caller passes the row above the first
row it wants examined (the first carried row) and the row below the strip, so the joins, and therefore the
groups, do not depend on where strips or bands are cut.
"""

from __future__ import annotations

import numba
import numpy as np

from cbindex.kernels.gap_offsets import cells_between
from cbindex.kernels.union_find import find_root, join


class OffsetTable:
    """Offsets to test and, per offset, the cells between (for the barrier rule), as arrays for the kernel.

    Offsets listed in ``never_blocked`` get no cells between: with the 8-neighbourhood, diagonal neighbours
    are one patch whatever lies beside them, so a barrier cannot separate them.
    """

    def __init__(self, offsets: list[tuple[int, int]], *, never_blocked: tuple[tuple[int, int], ...] = ()) -> None:
        self.offsets = np.array(offsets, dtype=np.int64).reshape(-1, 2)
        between = [[] if (dr, dc) in never_blocked else cells_between(dr, dc) for dr, dc in offsets]
        self.between_first = np.zeros(len(offsets) + 1, dtype=np.int64)
        self.between_first[1:] = np.cumsum([len(cells) for cells in between])
        self.between = np.array([cell for cells in between for cell in cells], dtype=np.int64).reshape(-1, 2)
        self.reach_rows = int(self.offsets[:, 0].max()) if len(offsets) else 0


NO_BARRIER = np.zeros((0, 0), dtype=bool)


def join_labels_within_offsets(
    parent: np.ndarray,
    *,
    carried: np.ndarray,
    local: np.ndarray,
    label_offset: int,
    below: np.ndarray,
    table: OffsetTable,
    own_row_first: int = 1,
    carried_barrier: np.ndarray | None = None,
    barrier: np.ndarray | None = None,
) -> None:
    """Join, in the union-find ``parent``, the labels of patch-edge cells within the table's offsets.

    Parameters
    ----------
    parent : ndarray of int64
        Union-find over global labels (:class:`cbindex.kernels.union_find.LabelSets.parent`).
    carried : ndarray of int64, shape (reach + 1, width)
        Global labels of the last rows above the strip (0 = no patch); rows of zeros above the raster.
    local : ndarray of int32, shape (rows, width)
        The strip's local labels (0 = no patch); global label = local + ``label_offset``.
    below : ndarray, shape (width,)
        The row under the strip, non-zero where it is natural (only its emptiness is read); zeros below the
        raster.
    table : OffsetTable
    own_row_first : int
        First row of the stack (carried rows first) whose cells are examined; rows above it are only
        neighbours (at least 1: row 0 has no row above it).
    carried_barrier, barrier : ndarray of bool, optional
        Barrier cells of the carried rows and of the strip (both or neither).
    """
    if len(table.offsets) == 0:
        return
    has_barrier = barrier is not None
    _join_within_offsets(
        parent,
        np.ascontiguousarray(carried, dtype=np.int64),
        np.ascontiguousarray(local, dtype=np.int32),
        np.int64(label_offset),
        np.ascontiguousarray(below != 0),
        np.int64(max(1, own_row_first)),
        table.offsets,
        table.between_first,
        table.between,
        np.ascontiguousarray(carried_barrier) if has_barrier else NO_BARRIER,
        np.ascontiguousarray(barrier) if has_barrier else NO_BARRIER,
        has_barrier,
    )


@numba.njit(cache=True, nogil=True, inline="always")
def _label_at(carried, local, label_offset, row, col, below):
    """Label at a row of the stack: carried rows, then the strip, then the row below (-1 where natural)."""
    reach = carried.shape[0]
    if row < reach:
        return carried[row, col]
    if row - reach < local.shape[0]:
        value = local[row - reach, col]
        return value + label_offset if value != 0 else 0
    return -1 if below[col] else 0


@numba.njit(cache=True, nogil=True, inline="always")
def _barrier_at(carried_barrier, barrier, row, col):
    reach = carried_barrier.shape[0]
    if row < reach:
        return carried_barrier[row, col]
    return barrier[row - reach, col]


@numba.njit(cache=True, nogil=True, inline="always")
def _is_edge(carried, local, label_offset, below, row, col, cols):
    """True edge: a 4-neighbour off the raster or not natural (row ≥ 1: the row above is in the stack)."""
    if col == 0 or col == cols - 1:
        return True
    return (
        _label_at(carried, local, label_offset, row - 1, col, below) == 0
        or _label_at(carried, local, label_offset, row + 1, col, below) == 0
        or _label_at(carried, local, label_offset, row, col - 1, below) == 0
        or _label_at(carried, local, label_offset, row, col + 1, below) == 0
    )


@numba.njit(cache=True, nogil=True)
def _join_within_offsets(
    parent,
    carried,
    local,
    label_offset,
    below,
    own_row_first,
    offsets,
    between_first,
    between,
    carried_barrier,
    barrier,
    has_barrier,
) -> None:
    rows = carried.shape[0] + local.shape[0]
    cols = local.shape[1]
    n_offsets = offsets.shape[0]
    last_own = -1
    last_partner = -1
    for row in range(own_row_first, rows):
        for col in range(cols):
            own = _label_at(carried, local, label_offset, row, col, below)
            if own == 0 or not _is_edge(carried, local, label_offset, below, row, col, cols):
                continue
            for index in range(n_offsets):
                partner_row = row + offsets[index, 0]
                partner_col = col + offsets[index, 1]
                if partner_row >= rows or partner_col < 0 or partner_col >= cols:
                    continue
                partner = _label_at(carried, local, label_offset, partner_row, partner_col, below)
                if partner == 0 or partner == own or (own == last_own and partner == last_partner):
                    continue
                if not _is_edge(carried, local, label_offset, below, partner_row, partner_col, cols):
                    continue
                if has_barrier:
                    blocked = False
                    for cell in range(between_first[index], between_first[index + 1]):
                        if _barrier_at(carried_barrier, barrier, row + between[cell, 0], col + between[cell, 1]):
                            blocked = True
                            break
                    if blocked:
                        continue
                if find_root(parent, own) != find_root(parent, partner):
                    join(parent, own, partner)
                last_own = own
                last_partner = partner
