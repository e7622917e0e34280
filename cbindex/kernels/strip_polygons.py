"""Polygons of the patches of a labelled raster given strip by strip, in memory bounded by the strip size.

Raster to vector as GDAL's polygonize with 4-connectivity does it, without the whole raster in memory: the
boundary of the natural cells is walked along cell edges with the natural cells on the left (turning left
first, so that cells touching only at a corner stay apart: each ring bounds one 4-connected piece), and only
corners are kept. A strip's walks that leave it through its top or bottom edge are chains; chains are joined
with those of the strips above and below by the cell edge they cross (:class:`StripPolygons`), so a ring may
span any number of strips and holds no vertex where it crosses a strip edge. A ring that touches itself at a
corner (two cells of its piece meeting diagonally round a hole) is split there into a shell and a hole.

Each 4-connected piece (:func:`cbindex.kernels.run_labels.label_runs` with the 4-neighbourhood, joined across
strips in a union-find) gets its outer ring (shell) and its holes; its patch is the label the caller gives its
cells (8- or 4-connected patches, the natural patches or the habitat patches of I2), so the polygon of a patch
is the multipolygon of its pieces, the one of a group the multipolygon of its patches' pieces: geometrically
equal to polygonizing the whole patch (or group) raster at once. Vertices are corners of cells, in columns
and rows of the whole raster (:meth:`PieceRings.world_coordinates` applies the raster's transform as GDAL does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from cbindex.kernels.run_labels import Runs, join_touching_rows, label_runs
from cbindex.kernels.union_find import LabelSets, find_root, join

EAST, SOUTH, WEST, NORTH = 0, 1, 2, 3
_DX = np.array([1, 0, -1, 0], dtype=np.int64)
_DY = np.array([0, 1, 0, -1], dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def _cell(mask, above, row, col, height, width) -> bool:
    """Whether a cell is natural; row -1 is the row above the strip, cells beyond the raster are not."""
    if col < 0 or col >= width or row >= height:
        return False
    if row < 0:
        return above[col]
    return mask[row, col]


@numba.njit(cache=True, nogil=True)
def _row_runs(row, above_start, above_stop, row_first, start, stop, height):
    """Start and stop columns of the natural runs of a strip row (-1: the row above; ``height``: none)."""
    if row < 0:
        return above_start, above_stop
    if row >= height:
        return start[:0], stop[:0]
    return start[row_first[row] : row_first[row + 1]], stop[row_first[row] : row_first[row + 1]]


@numba.njit(cache=True, nogil=True)
def _run_end(starts, stops, index):
    """The index-th run endpoint of a row: start, stop, start, stop, ... (strictly increasing)."""
    return starts[index // 2] if index % 2 == 0 else stops[index // 2]


@numba.njit(cache=True, nogil=True)
def _count_corners(mask, above, above_start, above_stop, row_first, start, stop, n_vertex_rows) -> int:
    """Corners of the boundary at the vertex rows this strip handles (one per turn of a walk), visiting only the
    columns where a run of the row above or below the vertex row starts or stops."""
    height, width = mask.shape
    count = 0
    for y in range(n_vertex_rows):
        upper_start, upper_stop = _row_runs(y - 1, above_start, above_stop, row_first, start, stop, height)
        lower_start, lower_stop = _row_runs(y, above_start, above_stop, row_first, start, stop, height)
        n_upper, n_lower = 2 * upper_start.size, 2 * lower_start.size
        i = 0
        j = 0
        while i < n_upper or j < n_lower:
            x_upper = _run_end(upper_start, upper_stop, i) if i < n_upper else width + 1
            x_lower = _run_end(lower_start, lower_stop, j) if j < n_lower else width + 1
            x = min(x_upper, x_lower)
            i += x_upper == x
            j += x_lower == x
            nw = _cell(mask, above, y - 1, x - 1, height, width)
            ne = _cell(mask, above, y - 1, x, height, width)
            sw = _cell(mask, above, y, x - 1, height, width)
            se = _cell(mask, above, y, x, height, width)
            inside = int(nw) + int(ne) + int(sw) + int(se)
            if inside == 1 or inside == 3:
                count += 1
            elif inside == 2 and nw == se:
                count += 2
    return count


@numba.njit(cache=True, nogil=True)
def _turn(mask, above, x, y, heading, height, width):
    """Heading out of vertex (x, y) of a walk arriving with ``heading`` (natural cells on its left), and whether
    the vertex is a saddle (natural cells only on one diagonal)."""
    nw = _cell(mask, above, y - 1, x - 1, height, width)
    ne = _cell(mask, above, y - 1, x, height, width)
    sw = _cell(mask, above, y, x - 1, height, width)
    se = _cell(mask, above, y, x, height, width)
    if heading == EAST:
        left_ahead, right_ahead = ne, se
    elif heading == SOUTH:
        left_ahead, right_ahead = se, sw
    elif heading == WEST:
        left_ahead, right_ahead = sw, nw
    else:
        left_ahead, right_ahead = nw, ne
    if not left_ahead:
        out = (heading + 3) % 4  # turn left: round the cell on the left, never across a corner
    elif right_ahead:
        out = (heading + 1) % 4
    else:
        out = heading
    saddle = nw == se and ne == sw and nw != ne
    return out, saddle


@numba.njit(cache=True, nogil=True)
def _walk(mask, above, x, y, heading, closed, n_vertex_rows, row0, xy, saddles, n, visited, dx, dy):
    """Walk from vertex (x, y), arrived at with ``heading``, until back there (``closed``) or out of the strip.

    Corners go to ``xy``/``saddles`` from index ``n``; returns the new count and the exit: 0 none, else the
    crossed edge as (cell row, column, heading) packed by the caller's convention (row, col, 1 south / 2 north).
    """
    height, width = mask.shape
    start_x, start_y, start_heading = x, y, heading
    while True:
        out, saddle = _turn(mask, above, x, y, heading, height, width)
        if out != heading:
            xy[n, 0] = x
            xy[n, 1] = row0 + y
            saddles[n] = saddle
            n += 1
        if out == EAST:
            visited[y, x] = True
        elif out == WEST:
            visited[y, x - 1] = True
        x += dx[out]
        y += dy[out]
        heading = out
        if closed:
            if x == start_x and y == start_y and heading == start_heading:
                return n, -1, 0, 0
        elif y < 0:
            return n, row0 - 1, x, NORTH
        elif y >= n_vertex_rows:
            return n, row0 + y - 1, x, SOUTH


@numba.njit(cache=True, nogil=True)
def _trace_strip(mask, above, above_start, above_stop, row_first, start, stop, is_last, row0, dx, dy):
    """Every walk of one strip: chains entering from above or below, then the rings closed inside it.

    ``mask`` is the strip's natural cells and ``above`` the row above it; ``above_start``/``above_stop`` and
    ``row_first``/``start``/``stop`` their runs (the work follows runs and boundaries, not every cell). Returns
    the corners (x, y in whole-raster vertex columns and rows), their saddle flags, and per walk its first and
    last corner index, its entry and exit edges (cell row, column, heading; -1 none) and a cell on its left
    (row, column), the cell whose piece the walk bounds.
    """
    height, width = mask.shape
    n_vertex_rows = height + 1 if is_last else height
    n_corners = _count_corners(mask, above, above_start, above_stop, row_first, start, stop, n_vertex_rows)
    xy = np.empty((n_corners, 2), dtype=np.int32)
    saddles = np.zeros(n_corners, dtype=np.bool_)
    visited = np.zeros((n_vertex_rows, width), dtype=np.bool_)
    last_start, last_stop = _row_runs(height - 1, above_start, above_stop, row_first, start, stop, height)
    n_entries = above_start.size + (0 if is_last else last_stop.size)
    capacity = n_entries + n_corners // 4 + 1
    walk_first = np.empty(capacity, dtype=np.int64)
    walk_stop = np.empty(capacity, dtype=np.int64)
    entry = np.full((capacity, 3), -1, dtype=np.int64)
    exit_ = np.full((capacity, 3), -1, dtype=np.int64)
    left_cell = np.empty((capacity, 2), dtype=np.int64)
    n = 0
    k = 0
    for x in above_start:  # chains entering from the strip above: south along the west side of a run above
        walk_first[k] = n
        n, row, col, heading = _walk(
            mask, above, x, 0, SOUTH, False, n_vertex_rows, row0, xy, saddles, n, visited, dx, dy
        )
        walk_stop[k] = n
        entry[k, 0], entry[k, 1], entry[k, 2] = row0 - 1, x, SOUTH
        exit_[k, 0], exit_[k, 1], exit_[k, 2] = row, col, heading
        left_cell[k, 0], left_cell[k, 1] = row0 - 1, x
        k += 1
    if not is_last:
        for x in last_stop:  # chains entering from the strip below: north along the east side of a last-row run
            walk_first[k] = n
            n, row, col, heading = _walk(
                mask, above, x, height - 1, NORTH, False, n_vertex_rows, row0, xy, saddles, n, visited, dx, dy
            )
            walk_stop[k] = n
            entry[k, 0], entry[k, 1], entry[k, 2] = row0 + height - 1, x, NORTH
            exit_[k, 0], exit_[k, 1], exit_[k, 2] = row, col, heading
            left_cell[k, 0], left_cell[k, 1] = row0 + height - 1, x - 1
            k += 1
    for y in range(n_vertex_rows):  # rings closed inside the strip: from each edge along a row not yet walked
        upper_start, upper_stop = _row_runs(y - 1, above_start, above_stop, row_first, start, stop, height)
        lower_start, lower_stop = _row_runs(y, above_start, above_stop, row_first, start, stop, height)
        n_upper, n_lower = 2 * upper_start.size, 2 * lower_start.size
        i = 0
        j = 0
        in_upper = False
        in_lower = False
        previous = 0
        while i < n_upper or j < n_lower:  # columns between run ends where exactly one side is natural
            x_upper = _run_end(upper_start, upper_stop, i) if i < n_upper else width + 1
            x_lower = _run_end(lower_start, lower_stop, j) if j < n_lower else width + 1
            following = min(x_upper, x_lower)
            if in_upper != in_lower:
                for x in range(previous, following):
                    if visited[y, x]:
                        continue
                    visited[y, x] = True
                    walk_first[k] = n
                    if in_upper:  # natural above: the edge runs east, (x, y) -> (x + 1, y)
                        n = _walk(
                            mask, above, x + 1, y, EAST, True, n_vertex_rows, row0, xy, saddles, n, visited, dx, dy
                        )[0]
                        left_cell[k, 0], left_cell[k, 1] = row0 + y - 1, x
                    else:  # natural below: the edge runs west, (x + 1, y) -> (x, y)
                        n = _walk(mask, above, x, y, WEST, True, n_vertex_rows, row0, xy, saddles, n, visited, dx, dy)[
                            0
                        ]
                        left_cell[k, 0], left_cell[k, 1] = row0 + y, x
                    walk_stop[k] = n
                    k += 1
            if x_upper == following:
                in_upper = not in_upper
                i += 1
            if x_lower == following:
                in_lower = not in_lower
                j += 1
            previous = following
    return xy[:n], saddles[:n], walk_first[:k], walk_stop[:k], entry[:k], exit_[:k], left_cell[:k]


@numba.njit(cache=True, nogil=True)
def _label_runs_4(row_first, start, stop):
    """4-connected pieces of given runs (runs of consecutive rows overlapping by a column): a label per run,
    1..n in the order of each piece's first run, and n."""
    n_runs = start.size
    parent = np.arange(n_runs, dtype=np.int64)
    for row in range(1, row_first.size - 1):
        candidate = row_first[row - 1]
        above_stop = row_first[row]
        for run in range(row_first[row], row_first[row + 1]):
            while candidate < above_stop and stop[candidate] <= start[run]:
                candidate += 1
            other = candidate
            while other < above_stop and start[other] < stop[run]:
                join(parent, other, run)
                other += 1
    label = np.empty(n_runs, dtype=np.int32)
    n_labels = 0
    for run in range(n_runs):
        root = find_root(parent, run)
        if root == run:
            n_labels += 1
            label[run] = n_labels
        else:
            label[run] = label[root]
    return label, n_labels


@numba.njit(cache=True, nogil=True)
def _run_of_cells(row_first, start, rows, cols) -> np.ndarray:
    """Index of the run holding each (row, col) cell (rows local to the runs' array)."""
    found = np.empty(rows.size, dtype=np.int64)
    for index in range(rows.size):
        first, last = row_first[rows[index]], row_first[rows[index] + 1]
        low, high = first, last
        while low < high:  # the last run starting at or before the column
            middle = (low + high) // 2
            if start[middle] <= cols[index]:
                low = middle + 1
            else:
                high = middle
        found[index] = low - 1
    return found


@numba.njit(cache=True, nogil=True)
def _split_pinched(xy, ring_first, ring_stop, partner):
    """Split rings at corners they pass twice (``partner``: the other pass's index, or -1).

    Returns the corners of the simple rings, their first and stop indices and the ring each came from.
    """
    out = np.empty_like(xy)
    first_out = np.empty(xy.shape[0] + 1, dtype=np.int64)
    stop_out = np.empty(xy.shape[0] + 1, dtype=np.int64)
    source = np.empty(xy.shape[0] + 1, dtype=np.int64)
    stack = np.empty(xy.shape[0], dtype=np.int64)
    place = np.full(xy.shape[0], -1, dtype=np.int64)  # where a corner sits on the stack, -1 if not there
    n = 0
    k = 0
    for ring in range(ring_first.size):
        depth = 0
        for index in range(ring_first[ring], ring_stop[ring]):
            other = partner[index]
            if other >= 0 and place[other] >= 0:  # back at a corner passed before: the loop since is a ring
                at = place[other]
                first_out[k] = n
                for position in range(at, depth):
                    out[n] = xy[stack[position]]
                    n += 1
                    if position > at:
                        place[stack[position]] = -1
                stop_out[k] = n
                source[k] = ring
                k += 1
                depth = at + 1
            else:
                stack[depth] = index
                place[index] = depth
                depth += 1
        first_out[k] = n
        for position in range(depth):
            out[n] = xy[stack[position]]
            place[stack[position]] = -1
            n += 1
        stop_out[k] = n
        source[k] = ring
        k += 1
    return out[:n], first_out[:k], stop_out[:k], source[:k]


@numba.njit(cache=True, nogil=True)
def _signed_areas(xy, ring_first, ring_stop) -> np.ndarray:
    """Twice the signed area of each ring (shoelace, exact in integers): negative for shells here (x east, y
    down, natural cells on the left), positive for holes."""
    areas = np.zeros(ring_first.size, dtype=np.int64)
    for ring in range(ring_first.size):
        first, stop = ring_first[ring], ring_stop[ring]
        total = 0
        for index in range(first, stop):
            following = index + 1 if index + 1 < stop else first
            total += np.int64(xy[index, 0]) * xy[following, 1] - np.int64(xy[following, 0]) * xy[index, 1]
        areas[ring] = total
    return areas


@dataclass(frozen=True)
class PieceRings:
    """The rings of every 4-connected piece, in whole-raster cell-corner coordinates.

    Attributes
    ----------
    xy : ndarray of int32, shape (n, 2)
        Corners (column, row of the cell-corner lattice) of every ring, ring after ring (not repeated at the end).
    ring_first : ndarray of int64
        First corner of each ring; ring i is ``xy[ring_first[i]:ring_first[i + 1]]`` (one entry more than rings).
    ring_piece : ndarray of int64
        Piece (1..n_pieces, raster-scan order of its first cell) of each ring.
    ring_is_hole : ndarray of bool
        False for the one shell of each piece, True for its holes.
    piece_label : ndarray of int64
        The caller's (global) label of each piece's cells (index 0 unused).
    """

    xy: np.ndarray
    ring_first: np.ndarray
    ring_piece: np.ndarray
    ring_is_hole: np.ndarray
    piece_label: np.ndarray

    @property
    def n_pieces(self) -> int:
        return self.piece_label.size - 1

    def world_coordinates(self, transform) -> np.ndarray:
        """Corners in the raster's coordinates: ``(c + x·a + y·b, f + x·d + y·e)``, as GDAL applies a geotransform."""
        x = self.xy[:, 0].astype(np.float64)
        y = self.xy[:, 1].astype(np.float64)
        return np.column_stack(
            [transform.c + x * transform.a + y * transform.b, transform.f + x * transform.d + y * transform.e]
        )


class StripPolygons:
    """Accumulate the pieces of labelled strips given top to bottom; :meth:`finish` returns their rings.

    Parameters
    ----------
    width : int
        Columns of every strip.
    """

    def __init__(self, *, width: int) -> None:
        self.width = width
        self._rows = 0
        self._above = np.zeros(width, dtype=bool)
        self._above_runs = (np.zeros(0, np.int32), np.zeros(0, np.int32))
        self._above_pieces = np.zeros(width, dtype=np.int64)
        self._last_runs = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))
        self._pieces = LabelSets()
        self._piece_label: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self._n_pieces = 0
        self._pending: tuple | None = None  # the last strip, traced once the next one is known
        self._closed: list[tuple[np.ndarray, np.ndarray]] = []  # (corners, left-cell piece label) per ring
        self._chains_by_start: dict[tuple[int, int, int], _Chain] = {}
        self._chains_by_end: dict[tuple[int, int, int], _Chain] = {}
        self._finished = False

    def add_strip(
        self,
        labels: np.ndarray,
        *,
        label_offset: int = 0,
        mask: np.ndarray | None = None,
        runs: Runs | None = None,
        row_area_m2: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Add the next strip: the caller's labels of its cells (0 outside every patch; global = local + offset).

        ``mask`` (``labels > 0``) and ``runs`` (the caller's :func:`~cbindex.kernels.run_labels.label_runs` of
        the strip, whose labels are ``labels``) spare passes over the cells when the caller has them. With
        ``row_area_m2``, returns the cells and whole-cell ground area (m²) of each local label (index 0 is 0).
        The strip is traced when the next one arrives (or at :meth:`finish`), once the row below it is known to
        be inside the raster or not.
        """
        if self._finished:
            raise RuntimeError("StripPolygons.add_strip after finish()")
        if labels.shape[0] == 0:
            return None
        if labels.shape[1] != self.width:
            raise ValueError(f"strip of width {labels.shape[1]}, expected {self.width}")
        mask = labels > 0 if mask is None else np.ascontiguousarray(mask, dtype=bool)
        if runs is None:
            runs = label_runs(mask, neighbourhood=4)
            pieces, n_pieces = runs.label, runs.n_labels
            run_rows = np.repeat(np.arange(mask.shape[0]), np.diff(runs.row_first))
            caller = labels[run_rows, runs.start].astype(np.int64)
        else:
            pieces, n_pieces = _label_runs_4(runs.row_first, runs.start, runs.stop)
            caller = runs.label.astype(np.int64)
        counts = None
        if row_area_m2 is not None:
            lengths = (runs.stop - runs.start).astype(np.float64)
            run_rows = np.repeat(np.arange(mask.shape[0]), np.diff(runs.row_first))
            size = int(caller.max()) + 1 if caller.size else 1
            cells = np.rint(np.bincount(caller, weights=lengths, minlength=size)).astype(np.int64)
            areas = np.bincount(caller, weights=lengths * np.asarray(row_area_m2, np.float64)[run_rows], minlength=size)
            counts = (cells, areas)
        if self._pending is not None:
            self._trace(*self._pending, is_last=False)
        self._pending = (
            mask,
            (runs.row_first, runs.start, runs.stop),
            pieces,
            n_pieces,
            caller,
            int(label_offset),
            self._rows,
        )
        self._rows += labels.shape[0]
        return counts

    def _trace(self, mask, runs, pieces, n_pieces, caller, offset, row0, *, is_last: bool) -> None:
        row_first, start, stop = runs
        piece_offset = self._n_pieces
        self._n_pieces += n_pieces
        self._pieces.grow(self._n_pieces)
        first = slice(row_first[0], row_first[1])
        first_row = (start[first], stop[first], pieces[first].astype(np.int64) + piece_offset)
        join_touching_rows(self._pieces.parent, self._last_runs, first_row, neighbourhood=4)
        last = slice(row_first[-2], row_first[-1])
        if n_pieces:  # each piece's patch: the caller's label of its first run
            _, first_run = np.unique(pieces, return_index=True)
            self._piece_label.append(caller[first_run] + offset)
        xy, saddles, walk_first, walk_stop, entry, exit_, left_cell = _trace_strip(
            mask, self._above, self._above_runs[0], self._above_runs[1], row_first, start, stop, is_last, row0, _DX, _DY
        )
        walk_pieces = self._left_pieces(left_cell, row_first, start, pieces, row0, piece_offset)
        for index in range(walk_first.size):
            corners = (xy[walk_first[index] : walk_stop[index]], saddles[walk_first[index] : walk_stop[index]])
            if entry[index, 2] < 0:  # a ring closed inside the strip
                self._closed.append((*corners, walk_pieces[index]))
            else:
                self._link(_Segment(tuple(entry[index]), tuple(exit_[index]), corners, int(walk_pieces[index])))
        self._last_runs = (start[last], stop[last], pieces[last].astype(np.int64) + piece_offset)
        self._above = mask[-1].copy()
        self._above_runs = (start[last].copy(), stop[last].copy())
        painted = np.zeros(self.width, dtype=np.int64)
        for run_start, run_stop, label in zip(*self._last_runs, strict=True):
            painted[run_start:run_stop] = label
        self._above_pieces = painted

    def _left_pieces(self, left_cell, row_first, start, pieces, row0: int, piece_offset: int) -> np.ndarray:
        """Global piece label of the cell on the left of each walk (in this strip or the row above it)."""
        rows = left_cell[:, 0] - row0
        cols = left_cell[:, 1]
        labels = np.empty(rows.size, dtype=np.int64)
        above = rows < 0
        labels[above] = self._above_pieces[cols[above]]
        inside = ~above
        if inside.any():
            found = _run_of_cells(row_first, start, rows[inside], cols[inside])
            labels[inside] = pieces[found].astype(np.int64) + piece_offset
        return labels

    def _link(self, segment: _Segment) -> None:
        """Join a chain segment to the chains it continues and is continued by; close rings."""
        before = self._chains_by_end.pop(segment.entry, None)  # a chain leaving through the edge it enters by
        after = self._chains_by_start.pop(segment.exit, None)  # a chain entering through the edge it leaves by
        if before is not None and before is after:
            before.parts.append(segment.corners)
            self._closed.append((*_joined(before.parts), before.piece))
            return
        if before is None and after is None:
            chain = _Chain(segment.entry, segment.exit, [segment.corners], segment.piece)
        elif after is None:
            chain = before
            chain.parts.append(segment.corners)
            chain.end = segment.exit
        elif before is None:
            chain = after
            chain.parts.insert(0, segment.corners)
            chain.start = segment.entry
        else:
            chain = before
            chain.parts += [segment.corners, *after.parts]
            chain.end = after.end
            self._chains_by_start.pop(after.start, None)
        self._chains_by_start[chain.start] = chain
        self._chains_by_end[chain.end] = chain

    def finish(self) -> PieceRings:
        """The rings of every piece, pieces numbered in raster-scan order of their first cell."""
        if not self._finished:
            if self._pending is not None:
                self._trace(*self._pending, is_last=True)
                self._pending = None
            self._finished = True
            if self._chains_by_start or self._chains_by_end:
                raise RuntimeError("StripPolygons: a ring was left open; the strips were not given top to bottom")
        number = self._pieces.set_numbers()
        labels = np.concatenate(self._piece_label)
        piece_label = np.zeros(int(number.max()) + 1 if number.size else 1, dtype=np.int64)
        piece_label[number[1:]] = labels[1:]
        if not self._closed:
            return PieceRings(
                xy=np.zeros((0, 2), np.int32),
                ring_first=np.zeros(1, np.int64),
                ring_piece=np.zeros(0, np.int64),
                ring_is_hole=np.zeros(0, bool),
                piece_label=piece_label,
            )
        lengths = np.array([corners.shape[0] for corners, _, _ in self._closed], dtype=np.int64)
        xy = np.concatenate([corners for corners, _, _ in self._closed])
        saddles = np.concatenate([flags for _, flags, _ in self._closed])
        ring_piece = number[np.array([piece for _, _, piece in self._closed], dtype=np.int64)].astype(np.int64)
        ring_first = np.concatenate([[0], np.cumsum(lengths)])
        xy, ring_first, ring_piece = _simple_rings(xy, saddles, ring_first, ring_piece)
        areas = _signed_areas(xy, ring_first[:-1], ring_first[1:])
        order = np.lexsort((areas > 0, ring_piece))  # by piece, shell first
        lengths = np.diff(ring_first)[order]
        xy = np.concatenate([xy[ring_first[ring] : ring_first[ring + 1]] for ring in order]) if order.size else xy
        ring_is_hole = areas[order] > 0
        ring_piece = ring_piece[order]
        shells = np.bincount(ring_piece[~ring_is_hole], minlength=piece_label.size)
        if (shells[1:] != 1).any():
            raise RuntimeError("StripPolygons: a piece without exactly one outer ring")
        return PieceRings(
            xy=xy,
            ring_first=np.concatenate([[0], np.cumsum(lengths)]),
            ring_piece=ring_piece,
            ring_is_hole=ring_is_hole,
            piece_label=piece_label,
        )


@dataclass(frozen=True)
class _Segment:
    entry: tuple[int, int, int]
    exit: tuple[int, int, int]
    corners: tuple[np.ndarray, np.ndarray]
    piece: int


@dataclass
class _Chain:
    start: tuple[int, int, int]
    end: tuple[int, int, int]
    parts: list[tuple[np.ndarray, np.ndarray]]
    piece: int


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([xy for xy, _ in parts]), np.concatenate([flags for _, flags in parts])


def _simple_rings(xy, saddles, ring_first, ring_piece):
    """Split the rings that pass a saddle corner twice into simple rings (a shell and a hole touching there)."""
    ring_of = np.repeat(np.arange(ring_first.size - 1), np.diff(ring_first))
    candidates = np.flatnonzero(saddles)
    if candidates.size < 2:
        return xy, ring_first, ring_piece
    keys = np.lexsort((xy[candidates, 1], xy[candidates, 0], ring_of[candidates]))
    ordered = candidates[keys]
    same = (
        (ring_of[ordered[1:]] == ring_of[ordered[:-1]])
        & (xy[ordered[1:], 0] == xy[ordered[:-1], 0])
        & (xy[ordered[1:], 1] == xy[ordered[:-1], 1])
    )
    if not same.any():
        return xy, ring_first, ring_piece
    partner = np.full(xy.shape[0], -1, dtype=np.int64)
    pairs = np.flatnonzero(same)
    partner[ordered[pairs + 1]] = ordered[pairs]  # the later pass points back at the earlier one
    xy, first, stop, source = _split_pinched(xy, ring_first[:-1], ring_first[1:], partner)
    return xy, np.concatenate([first, [stop[-1] if stop.size else 0]]), ring_piece[source]
