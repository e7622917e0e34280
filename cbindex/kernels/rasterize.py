"""Polygons burnt into a small raster (a map's display grid), compiled: every cell a polygon touches gets its value.

The counterpart of ``rasterio.features.rasterize(..., all_touched=True)`` for many polygons with many vertices,
without turning each vertex into a Python object: the polygons come as flat coordinate arrays (shapely's
``to_ragged_array``), already in the grid's column and row units. A polygon burns the cells whose centre lies
inside it (even-odd rule over all its rings, so holes stay empty) and every cell whose interior one of its edges
passes through (a cell the outline only touches along its side or at a corner is not burnt, as in GDAL); later
polygons are burnt over earlier ones.
"""

from __future__ import annotations

import math

import numba
import numpy as np


def burn_polygons(
    xy: np.ndarray,
    ring_offsets: np.ndarray,
    geometry_ring_offsets: np.ndarray,
    values: np.ndarray,
    *,
    shape: tuple[int, int],
) -> np.ndarray:
    """Burn polygons into an int32 raster of ``shape`` (0 where none).

    Parameters
    ----------
    xy : ndarray of float, shape (n, 2)
        Ring vertices in grid units (column, row; row 0 at the top), each ring closed (first vertex repeated).
    ring_offsets : ndarray of int
        Ring i is ``xy[ring_offsets[i]:ring_offsets[i + 1]]``.
    geometry_ring_offsets : ndarray of int
        Polygon (or multipolygon) g is rings ``geometry_ring_offsets[g]:geometry_ring_offsets[g + 1]``.
    values : ndarray of int
        Value of each polygon, burnt in order.
    shape : (rows, columns)
    """
    out = np.zeros(shape, dtype=np.int32)
    _burn(
        np.ascontiguousarray(xy, dtype=np.float64),
        np.asarray(ring_offsets, dtype=np.int64),
        np.asarray(geometry_ring_offsets, dtype=np.int64),
        np.asarray(values, dtype=np.int32),
        out,
    )
    return out


@numba.njit(cache=True, nogil=True)
def _burn(xy, ring_offsets, geometry_ring_offsets, values, out) -> None:
    rows, cols = out.shape
    for geometry in range(values.size):
        first_ring, stop_ring = geometry_ring_offsets[geometry], geometry_ring_offsets[geometry + 1]
        if ring_offsets[stop_ring] - ring_offsets[first_ring] < 2:
            continue
        value = values[geometry]
        # interior: cell centres (row + 0.5) crossed by an odd number of edges to their left
        n_crossings = 0
        for ring in range(first_ring, stop_ring):
            for index in range(ring_offsets[ring], ring_offsets[ring + 1] - 1):
                y0, y1 = xy[index, 1], xy[index + 1, 1]
                low, high = min(y0, y1), max(y0, y1)
                top = max(0, math.ceil(low - 0.5))
                bottom = min(rows - 1, math.ceil(high - 0.5) - 1)
                if bottom >= top:
                    n_crossings += bottom - top + 1
        keys = np.empty(n_crossings, dtype=np.float64)
        n = 0
        span = cols + 4.0
        for ring in range(first_ring, stop_ring):
            for index in range(ring_offsets[ring], ring_offsets[ring + 1] - 1):
                x0, y0 = xy[index, 0], xy[index, 1]
                x1, y1 = xy[index + 1, 0], xy[index + 1, 1]
                low, high = min(y0, y1), max(y0, y1)
                top = max(0, math.ceil(low - 0.5))
                bottom = min(rows - 1, math.ceil(high - 0.5) - 1)
                for row in range(top, bottom + 1):  # centre lines y = row + 0.5 with low <= y < high
                    centre = row + 0.5
                    x = x0 + (centre - y0) * (x1 - x0) / (y1 - y0)
                    keys[n] = row * span + min(max(x, -1.0), cols + 1.0) + 2.0
                    n += 1
        keys = np.sort(keys[:n])
        for index in range(0, n - 1, 2):
            row = int(keys[index] // span)
            start = keys[index] - row * span - 2.0
            end = keys[index + 1] - row * span - 2.0
            for col in range(max(0, math.ceil(start - 0.5)), min(cols, math.ceil(end - 0.5))):
                out[row, col] = value
        # outline: every cell an edge passes through
        for ring in range(first_ring, stop_ring):
            for index in range(ring_offsets[ring], ring_offsets[ring + 1] - 1):
                _burn_edge(xy[index, 0], xy[index, 1], xy[index + 1, 0], xy[index + 1, 1], value, out)


@numba.njit(cache=True, nogil=True)
def _burn_edge(x0, y0, x1, y1, value, out) -> None:
    """Burn the cells whose open interior the edge passes through (not those it only touches, as GDAL)."""
    rows, cols = out.shape
    low, high = min(y0, y1), max(y0, y1)
    for row in range(max(0, math.floor(low)), min(rows - 1, math.ceil(high) - 1) + 1):
        if y1 == y0:
            if low <= row or low >= row + 1:  # along a row boundary: no cell's interior
                continue
            left, right = min(x0, x1), max(x0, x1)
        else:
            ya, yb = max(low, float(row)), min(high, row + 1.0)
            if yb <= ya:
                continue
            xa = x0 + (ya - y0) * (x1 - x0) / (y1 - y0)
            xb = x0 + (yb - y0) * (x1 - x0) / (y1 - y0)
            left, right = min(xa, xb), max(xa, xb)
        if right > left:
            first, last = math.floor(left), math.ceil(right) - 1
        elif left != math.floor(left):  # vertical, inside a column
            first = last = math.floor(left)
        else:  # vertical, along a column boundary
            continue
        for col in range(max(0, first), min(cols - 1, last) + 1):
            out[row, col] = value


def wkb_polygon_rings(wkbs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rings of (multi)polygons given as little-endian 2D WKB (GeoPackage features read by pyogrio).

    Returns the vertices (float64, shape (n, 2)), the ring offsets and each geometry's first ring (offsets into
    the rings, one entry more than geometries), as :func:`burn_polygons` takes them. Raises ``ValueError`` for
    another geometry type, 3D or big-endian WKB.
    """
    pieces = [bytes(wkb) if wkb is not None else b"" for wkb in wkbs]
    ends = np.cumsum([len(piece) for piece in pieces], dtype=np.int64)
    starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    buffer = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    point_bytes, ring_points, geometry_rings, status = _parse_wkb(buffer, starts, ends)
    if status:
        raise ValueError("only little-endian 2D Polygon and MultiPolygon WKB can be read here")
    xy = point_bytes.view(np.float64).reshape(-1, 2)
    ring_offsets = np.concatenate([[0], np.cumsum(ring_points)]).astype(np.int64)
    geometry_ring_offsets = np.concatenate([[0], np.cumsum(geometry_rings)]).astype(np.int64)
    return xy, ring_offsets, geometry_ring_offsets


@numba.njit(cache=True, nogil=True)
def _uint32(buffer, at) -> int:
    return (
        np.int64(buffer[at])
        | (np.int64(buffer[at + 1]) << 8)
        | (np.int64(buffer[at + 2]) << 16)
        | (np.int64(buffer[at + 3]) << 24)
    )


@numba.njit(cache=True, nogil=True)
def _polygon_at(buffer, at, ring_points, n_rings, point_bytes, n_bytes, fill):
    """Parse one WKB polygon at ``at`` (after its header); returns the position after it, rings and bytes so far."""
    count = _uint32(buffer, at)
    at += 4
    for _ in range(count):
        points = _uint32(buffer, at)
        at += 4
        size = points * 16
        if fill:
            ring_points[n_rings] = points
            point_bytes[n_bytes : n_bytes + size] = buffer[at : at + size]
        n_rings += 1
        n_bytes += size
        at += size
    return at, n_rings, n_bytes, count


@numba.njit(cache=True, nogil=True)
def _parse_wkb(buffer, starts, ends):
    ring_points = np.zeros(0, dtype=np.int64)
    point_bytes = np.zeros(0, dtype=np.uint8)
    geometry_rings = np.zeros(starts.size, dtype=np.int64)
    for fill in (False, True):
        n_rings = 0
        n_bytes = 0
        for geometry in range(starts.size):
            at = starts[geometry]
            if at == ends[geometry]:
                continue
            if buffer[at] != 1:
                return point_bytes, ring_points, geometry_rings, 1
            kind = _uint32(buffer, at + 1)
            at += 5
            rings_before = n_rings
            if kind == 3:
                at, n_rings, n_bytes, _ = _polygon_at(buffer, at, ring_points, n_rings, point_bytes, n_bytes, fill)
            elif kind == 6:
                count = _uint32(buffer, at)
                at += 4
                for _ in range(count):
                    if buffer[at] != 1 or _uint32(buffer, at + 1) != 3:
                        return point_bytes, ring_points, geometry_rings, 1
                    at += 5
                    at, n_rings, n_bytes, _ = _polygon_at(buffer, at, ring_points, n_rings, point_bytes, n_bytes, fill)
            else:
                return point_bytes, ring_points, geometry_rings, 1
            geometry_rings[geometry] = n_rings - rings_before
        if not fill:
            ring_points = np.zeros(n_rings, dtype=np.int64)
            point_bytes = np.zeros(n_bytes, dtype=np.uint8)
    return point_bytes, ring_points, geometry_rings, 0
