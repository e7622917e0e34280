"""The gap rule's geometry for SI indicator 2: which cell offsets lie within the gap distance, the cells between two
cells, and the touching neighbourhoods.
"""

from __future__ import annotations

import numpy as np

NEIGHBOURHOODS = (4, 8)


def gap_offsets(*, cell_width_m: float, cell_height_m: float, gap_distance_m: float) -> list[tuple[int, int]]:
    """Cell offsets (Δr, Δc) in one half-plane whose edge-to-edge distance is below the gap distance.

    Offsets within the 8-neighbourhood are left out (those cells touch: distance 0, joined by the
    patch labelling itself). Only one of each symmetric pair is returned (Δr > 0, or Δr = 0 and Δc > 0).
    """
    if gap_distance_m <= 0:
        return []
    max_rows = int(np.ceil(gap_distance_m / cell_height_m)) + 1
    max_cols = int(np.ceil(gap_distance_m / cell_width_m)) + 1
    offsets = []
    for dr in range(0, max_rows + 1):
        for dc in range(-max_cols, max_cols + 1):
            if dr == 0 and dc <= 0:
                continue
            if abs(dr) <= 1 and abs(dc) <= 1:
                continue
            gap_rows = cell_height_m * max(0, abs(dr) - 1)
            gap_cols = cell_width_m * max(0, abs(dc) - 1)
            if gap_rows**2 + gap_cols**2 < gap_distance_m**2:
                offsets.append((dr, dc))
    return offsets


def touching_offsets(neighbourhood: int) -> list[tuple[int, int]]:
    """Offsets (one half-plane) of the cells that touch a cell in the given pixel neighbourhood."""
    return [(0, 1), (1, -1), (1, 0), (1, 1)] if neighbourhood == 8 else [(0, 1), (1, 0)]


def cells_between(dr: int, dc: int, *, samples_per_cell: int = 8) -> list[tuple[int, int]]:
    """Cells the straight line between the centres of cell (0, 0) and cell (dr, dc) passes through.

    The segment is sampled ``samples_per_cell`` times per cell length; the two end cells are left out.
    Used by the barrier rule: a gap may not be bridged when one of these cells is a barrier.
    """
    steps = max(abs(dr), abs(dc)) * samples_per_cell
    if steps == 0:
        return []
    fractions = np.linspace(0.0, 1.0, steps + 1)
    rows = np.floor(fractions * dr + 0.5).astype(int)
    cols = np.floor(fractions * dc + 0.5).astype(int)
    seen = dict.fromkeys(zip(rows.tolist(), cols.tolist(), strict=True))
    seen.pop((0, 0), None)
    seen.pop((dr, dc), None)
    return list(seen)
