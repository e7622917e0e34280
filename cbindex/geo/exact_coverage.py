"""Exact coverage fractions: the share of each raster cell that a polygon covers (exactextract's quantity), computed
on the cells its boundary crosses only.

A cell the boundary does not cross lies wholly inside or wholly outside the polygon: its centre decides (GDAL's
rasterize, as for the centre rule), so it counts exactly 1.0 or 0.0. A crossed cell gets the area of
polygon ∩ cell ÷ cell area from Green's theorem. In cell coordinates (``u`` = column, ``v`` = row, read through the
raster's inverse transform: every cell is a unit square, and shares are invariant under affine maps) the area of
the polygon ``P`` inside cell ``(r, j)`` is

    A(r, j) = s · ∮ over ∂P within r ≤ v ≤ r + 1 of clamp(u − j, 0, 1) dv,

with ``s`` = ±1 by the orientation of the rings (exteriors counter-clockwise, holes clockwise, then the sign of the
inverse transform's determinant). Cut at every integer ``u`` and ``v``, each piece of the boundary lies in one
cell ``(r, k)``: it adds ``dv · (ū − k)`` to that cell (``ū`` its mean column coordinate: ``u`` is linear along the
piece) and ``dv`` to every cell ``(r, j < k)`` left of it, so a cell's share is its own pieces plus the sum of the
``dv`` of the pieces right of it in its row. Pieces right of the window add to every cell of their row; pieces left
of it to none. The work grows with the number of cells the boundary crosses, not with the city's area; the result
equals exactextract's coverage fractions to float rounding (tested on random polygons and the Freetown boundary).
"""

from __future__ import annotations

import numpy as np
import rasterio.features
import shapely
from affine import Affine

SNAP = 1e-9
"""A crossed cell's share within this of 0 or 1 is taken as 0 or 1 (float rounding of a boundary along a grid line)."""


def exact_coverage_fractions(geometry, *, shape: tuple[int, int], transform: Affine) -> np.ndarray:
    """Exact share of each cell of a grid that ``geometry`` (a polygon or multipolygon) covers.

    Parameters
    ----------
    geometry : shapely geometry
        Polygonal, in the grid's CRS (a valid geometry: rings do not cross, parts do not overlap).
    shape : (rows, cols)
        The grid's size.
    transform : Affine
        The grid's transform (cell edges; any affine, rotation included).

    Returns
    -------
    ndarray of float32, shape ``shape``
        Area of ``geometry ∩ cell`` ÷ cell area, in [0, 1]: 1.0 or 0.0 for every cell the boundary does not cross.
    """
    rows, cols = shape
    fractions = np.zeros(shape, dtype=np.float32)
    if rows == 0 or cols == 0 or geometry is None or geometry.is_empty:
        return fractions
    fractions[rasterio.features.geometry_mask([geometry], out_shape=shape, transform=transform, invert=True)] = 1.0
    cells, shares = crossed_cell_fractions(geometry, shape=shape, transform=transform)
    fractions.reshape(-1)[cells] = shares
    return fractions


def crossed_cell_fractions(geometry, *, shape: tuple[int, int], transform: Affine) -> tuple[np.ndarray, np.ndarray]:
    """The cells of the grid the boundary of ``geometry`` passes through and the share of each it covers.

    Returns
    -------
    cells : ndarray of int64
        Flat indices (``row · cols + col``) of the crossed cells, distinct, ascending.
    shares : ndarray of float64
        Area of ``geometry ∩ cell`` ÷ cell area of each, in [0, 1] (see the module docstring for the formula).
    """
    rows, cols = shape
    u0, v0, u1, v1, sign = _cell_edges(geometry, transform)
    slanted = v0 != v1
    pieces = _pieces(u0[slanted], v0[slanted], u1[slanted], v1[slanted], rows=rows, cols=cols)
    flat = [_flat_pieces(u0[~slanted], v0[~slanted], u1[~slanted], rows=rows, cols=cols), pieces]
    row, col, own, left, crossed = (np.concatenate(parts) for parts in zip(*flat, strict=True))
    key, inverse = np.unique(row * (cols + 1) + col, return_inverse=True)
    own = np.bincount(inverse, weights=own, minlength=key.size)
    left = np.bincount(inverse, weights=left, minlength=key.size)
    crossed = np.bincount(inverse, weights=crossed, minlength=key.size) > 0
    key_row, key_col = np.divmod(key, cols + 1)
    if key.size == 0:
        return key, own
    # Σ of `left` over the keys right of each key in its row: the row's total minus the running sum up to it
    running = np.cumsum(left)
    first = np.flatnonzero(np.r_[True, key_row[1:] != key_row[:-1]])
    last = np.r_[first[1:] - 1, key.size - 1]
    group = np.repeat(np.arange(first.size), last - first + 1)
    right_of = running[last][group] - running
    shares = np.clip(sign * (own + right_of), 0.0, 1.0)
    shares[shares < SNAP] = 0.0
    shares[shares > 1.0 - SNAP] = 1.0
    keep = crossed & (key_col < cols)
    return key_row[keep] * cols + key_col[keep], shares[keep]


def _cell_edges(geometry, transform: Affine):
    """Every ring edge as ``u0, v0, u1, v1`` in cell coordinates, and the sign that makes ∮ u dv the area."""
    polygons = shapely.get_parts(shapely.orient_polygons(geometry, exterior_cw=False))
    polygons = polygons[shapely.get_type_id(polygons) == shapely.GeometryType.POLYGON]
    coords, ring = shapely.get_coordinates(shapely.get_rings(polygons), return_index=True)
    inverse = ~transform
    u = inverse.a * coords[:, 0] + inverse.b * coords[:, 1] + inverse.c
    v = inverse.d * coords[:, 0] + inverse.e * coords[:, 1] + inverse.f
    same_ring = ring[1:] == ring[:-1]
    sign = 1.0 if inverse.determinant > 0 else -1.0
    return u[:-1][same_ring], v[:-1][same_ring], u[1:][same_ring], v[1:][same_ring], sign


def _ranges(first: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i, the integers ``first[i], first[i] + 1, …`` (``counts[i]`` of them): (owner i, integer)."""
    counts = np.maximum(counts, 0)
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return owner, first[owner] + (np.arange(owner.size) - starts[owner])


def _pieces(u0, v0, u1, v1, *, rows: int, cols: int):
    """Slanted edges cut at every integer u (within the window's columns) and v (within its rows): per piece its
    row, column (``cols`` for a piece right of the window), own share ``dv · (ū − k)``, ``dv`` for the cells left
    of it, and whether it crosses a cell of the window."""
    du, dv = u1 - u0, v1 - v0
    t_a, t_b = np.clip(-v0 / dv, 0.0, 1.0), np.clip((rows - v0) / dv, 0.0, 1.0)
    t_lo, t_hi = np.minimum(t_a, t_b), np.maximum(t_a, t_b)
    inside = t_hi > t_lo
    u0, v0, du, dv, t_lo, t_hi = (values[inside] for values in (u0, v0, du, dv, t_lo, t_hi))
    v_lo, v_hi = np.sort([v0 + t_lo * dv, v0 + t_hi * dv], axis=0)
    u_lo, u_hi = np.sort([u0 + t_lo * du, u0 + t_hi * du], axis=0)
    v_first = np.floor(v_lo).astype(np.int64) + 1
    edge_v, line_v = _ranges(v_first, np.ceil(v_hi).astype(np.int64) - v_first)
    u_first = np.maximum(np.floor(u_lo).astype(np.int64) + 1, 0)
    u_counts = np.minimum(np.ceil(u_hi).astype(np.int64) - 1, cols) - u_first + 1
    edge_u, line_u = _ranges(u_first, np.where(du != 0, u_counts, 0))
    edge = np.concatenate([np.arange(t_lo.size), np.arange(t_lo.size), edge_v, edge_u])
    t = np.concatenate([t_lo, t_hi, (line_v - v0[edge_v]) / dv[edge_v], (line_u - u0[edge_u]) / du[edge_u]])
    order = np.lexsort((t, edge))
    edge, t = edge[order], t[order]
    pair = edge[1:] == edge[:-1]
    owner, t_start, t_stop = edge[1:][pair], t[:-1][pair], t[1:][pair]
    t_mid = 0.5 * (t_start + t_stop)
    u_mid = u0[owner] + t_mid * du[owner]
    row = np.floor(v0[owner] + t_mid * dv[owner]).astype(np.int64)
    piece_dv = (t_stop - t_start) * dv[owner]
    keep = (u_mid >= 0) & (row >= 0) & (row < rows)
    row, u_mid, piece_dv = row[keep], u_mid[keep], piece_dv[keep]
    right = u_mid >= cols
    col = np.where(right, cols, np.floor(u_mid)).astype(np.int64)
    own = np.where(right, 0.0, piece_dv * (u_mid - col))
    return row, col, own, piece_dv, (~right).astype(np.float64)


def _flat_pieces(u0, v, u1, *, rows: int, cols: int):
    """Horizontal edges add no area (dv = 0) but cross the cells they run through (inside a row, not on a grid
    line): those cells are marked crossed so that their share is computed rather than decided by the centre."""
    on_line = v == np.floor(v)
    keep = (v > 0) & (v < rows) & ~on_line
    u_lo, u_hi, v = np.minimum(u0, u1)[keep], np.maximum(u0, u1)[keep], v[keep]
    first = np.maximum(np.floor(u_lo).astype(np.int64), 0)
    owner, col = _ranges(first, np.minimum(np.ceil(u_hi).astype(np.int64), cols) - first)
    zeros = np.zeros(owner.size)
    return np.floor(v[owner]).astype(np.int64), col, zeros, zeros, np.ones(owner.size)
