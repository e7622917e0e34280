"""Candidate links for SI indicator 2: which gap between two groups of natural patches, once closed, raises the
effective mesh size most.

I2 is ``MESH = Σ A_Gi² ÷ A_total`` (ha). Joining groups i and j (a corridor closing the gap between them, so that
they are less than the gap distance apart) replaces ``A_i² + A_j²`` by ``(A_i + A_j)²`` in the sum, so

    MESH' = MESH + 2·A_i·A_j ÷ A_total

with A_total unchanged: the corridor's own area is left out (it would add to the group and, with
``mesh_denominator: natural``, to A_total). Every pair of distinct groups at most ``link_search_m`` apart, edge to
edge, is a candidate (config ``method.link_search_m``). Distinct groups are at least the gap distance apart unless
a barrier keeps them apart; such closer pairs are kept (a crossing of the barrier is the link) and the land-cover
stage marks them ``crosses_barrier``. The candidate is the shortest segment between the groups: their outlines
(the outlines of their cells, with a vertex at every cell corner) are measured in a metric CRS (the groups' own
when projected, else the UTM zone of their centre), and the nearest two vertices are the edge-to-edge distance of
the groups' nearest cells, ``√((h·max(0, |Δr| − 1))² + (w·max(0, |Δc| − 1))²)`` for cells Δr rows and Δc columns
apart (docs/method.md A.5). Never all pairs: an STRtree on the outlines' boxes finds the pairs that may be close
enough, and a k-d tree on the larger outline's vertices measures each. Candidates are ranked by the gain
``2·A_i·A_j ÷ A_total``, largest first (ties: the shorter link first, then the group ids).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

LINK_COLUMNS = ["link_id", "group_a", "group_b", "length_m", "area_a_ha", "area_b_ha", "gain_ha", "mesh_after_ha"]

QUERY_CHUNK = 4096
"""Groups queried against the spatial index at once: bounds the pairs held before the distance filter."""


def candidate_links(
    groups: gpd.GeoDataFrame,
    *,
    total_ha: float,
    link_search_m: float,
    cell_size: float | None = None,
) -> gpd.GeoDataFrame:
    """Rank the links that would join two groups of natural patches by their gain in I2 (SI indicator 2, ha).

    Parameters
    ----------
    groups : geopandas.GeoDataFrame
        The connectivity groups as the land-cover rule writes them (layer ``connectivity_groups``): ``group_id``,
        ``area_ha`` (the group's ground area A_Gi, as I2 counts it) and one (multi)polygon per group.
    total_ha : float
        A_total of I2 (ha): the natural area, or the city area with ``mesh_denominator: landscape``.
    link_search_m : float
        The longest link considered, edge to edge, metres (config ``method.link_search_m``).
    cell_size : float, optional
        The raster's cell side in the groups' CRS units (the smaller of width and height). The outlines are
        given a vertex at every cell corner, so that the nearest two vertices of two groups are their nearest
        points (the outlines run along the grid, so the nearest points of two of their edges include a corner);
        None takes the outlines' vertices as they are (exact for polygons whose nearest points are vertices).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per candidate, best first: ``link_id`` (1 for the best), ``group_a``, ``group_b`` (ids,
        ``group_a`` the larger group), ``length_m`` (edge to edge), ``area_a_ha``, ``area_b_ha``,
        ``gain_ha`` = 2·A_a·A_b ÷ A_total, ``mesh_after_ha`` = MESH + gain, and the link as a two-point line from
        group a to group b in the metric CRS used.
    """
    outlines = shapely.boundary(np.asarray(groups.geometry.values, dtype=object))
    if cell_size is not None:
        outlines = shapely.segmentize(outlines, max_segment_length=cell_size)
    outlines = gpd.GeoSeries(outlines, crs=groups.crs)
    metric_crs = groups.crs
    if metric_crs is not None and not metric_crs.is_projected and len(groups):
        metric_crs = groups.estimate_utm_crs()
        outlines = outlines.to_crs(metric_crs)
    geometries = np.asarray(outlines.values, dtype=object)
    ids = groups["group_id"].to_numpy()
    areas = groups["area_ha"].to_numpy(dtype=np.float64)
    mesh = float(np.sum(np.square(areas)) / total_ha) if len(areas) else 0.0
    first, second = _pairs_within(geometries, link_search_m)
    swap = (areas[second] > areas[first]) | ((areas[second] == areas[first]) & (ids[second] < ids[first]))
    first, second = np.where(swap, second, first), np.where(swap, first, second)
    lengths, ends_a, ends_b = _nearest_points(geometries, first, second, within_m=2.0 * link_search_m)
    keep = lengths <= link_search_m
    first, second, lengths, ends_a, ends_b = first[keep], second[keep], lengths[keep], ends_a[keep], ends_b[keep]
    gains = 2.0 * areas[first] * areas[second] / total_ha
    order = np.lexsort((ids[second], ids[first], lengths, -gains))
    first, second, lengths, gains = first[order], second[order], lengths[order], gains[order]
    frame = pd.DataFrame(
        {
            "link_id": np.arange(1, len(first) + 1, dtype=np.int64),
            "group_a": ids[first],
            "group_b": ids[second],
            "length_m": lengths,
            "area_a_ha": areas[first],
            "area_b_ha": areas[second],
            "gain_ha": gains,
            "mesh_after_ha": mesh + gains,
        },
        columns=LINK_COLUMNS,
    )
    lines = shapely.linestrings(np.stack([ends_a[order], ends_b[order]], axis=1).reshape(-1, 2, 2))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=metric_crs), crs=metric_crs)


def _pairs_within(outlines: np.ndarray, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of outlines whose pieces' boxes are at most ``distance_m`` apart: every pair at most that
    far apart, and a few more that :func:`_nearest_points` measures and drops.

    The outlines are cut into pieces of :data:`PIECE_VERTICES` consecutive vertices (each piece also holds the
    next piece's first vertex, so every segment lies in a piece); an STRtree on the pieces' boxes, queried a
    chunk at a time with the boxes grown by ``distance_m`` (overlapping boxes: no geometry test), finds the close
    pieces of different outlines. A large group's outline (a million vertices) then costs no more than its many
    small pieces.
    """
    (low, high), owner = _piece_boxes(outlines)
    tree = shapely.STRtree(shapely.box(low[:, 0], low[:, 1], high[:, 0], high[:, 1]))
    grown = shapely.box(
        low[:, 0] - distance_m, low[:, 1] - distance_m, high[:, 0] + distance_m, high[:, 1] + distance_m
    )
    found = [np.zeros(0, dtype=np.int64)]
    n = len(outlines)
    for start in range(0, len(grown), QUERY_CHUNK):
        query, other = tree.query(grown[start : start + QUERY_CHUNK])  # boxes overlapping: the tree alone
        first, second = owner[query + start], owner[other]
        keep = first < second
        found.append(np.unique(first[keep].astype(np.int64) * n + second[keep]))
    pairs = np.unique(np.concatenate(found))
    return pairs // n, pairs % n


PIECE_VERTICES = 64
"""Vertices per piece of an outline in :func:`_pairs_within` (its box is then at most 64 cells across)."""


def _piece_boxes(outlines: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The boxes of the outlines' pieces (their lowest and highest x, y) and the outline each belongs to."""
    parts, owner_of_part = shapely.get_parts(outlines, return_index=True)
    coordinates, part_of = shapely.get_coordinates(parts, return_index=True)
    if len(coordinates) == 0:
        return (np.zeros((0, 2)), np.zeros((0, 2))), np.zeros(0, dtype=np.intp)
    part_start = np.searchsorted(part_of, np.arange(len(parts) + 1))
    position = np.arange(len(coordinates)) - part_start[part_of]
    step = PIECE_VERTICES - 1
    pieces_per_part = np.maximum(1, -(-(np.diff(part_start) - 1) // step))
    piece_offset = np.concatenate([[0], np.cumsum(pieces_per_part)])
    piece = piece_offset[part_of] + np.minimum(position // step, pieces_per_part[part_of] - 1)
    starts = np.searchsorted(piece, np.arange(piece_offset[-1]))
    low = np.minimum.reduceat(coordinates, starts, axis=0)
    high = np.maximum.reduceat(coordinates, starts, axis=0)
    following = np.append(starts[1:], len(coordinates))  # the next piece's first vertex, when on the same part
    same_part = (following < len(coordinates)) & (
        part_of[np.minimum(following, len(coordinates) - 1)] == part_of[starts]
    )
    extra = coordinates[np.minimum(following, len(coordinates) - 1)]
    low = np.where(same_part[:, None], np.minimum(low, extra), low)
    high = np.where(same_part[:, None], np.maximum(high, extra), high)
    return (low, high), owner_of_part[part_of[starts]]


def _nearest_points(
    outlines: np.ndarray, first: np.ndarray, second: np.ndarray, *, within_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of outlines (``first[k]``, ``second[k]``), the distance between their nearest vertices and
    those two vertices (k × 2 arrays, the first outline's then the second's); vertices farther than ``within_m``
    from the other outline are not measured (the k-d tree stops there), so a pair farther apart gets ``inf``.

    Each outline with more vertices than its partner gets a k-d tree once; every partner's vertices are looked
    up in it together, so a large group with thousands of small neighbours costs one tree and one query.
    """
    coordinates, owner = shapely.get_coordinates(outlines, return_index=True)
    starts = np.searchsorted(owner, np.arange(len(outlines) + 1))
    counts = np.diff(starts)
    lengths = np.full(len(first), np.inf)
    ends_first, ends_second = np.zeros((len(first), 2)), np.zeros((len(first), 2))
    first_is_big = counts[first] >= counts[second]
    big = np.where(first_is_big, first, second)
    small = np.where(first_is_big, second, first)
    order = np.argsort(big, kind="stable")
    bounds = np.flatnonzero(np.diff(big[order])) + 1
    for pairs in np.split(order, bounds) if len(order) else []:
        tree_points = coordinates[starts[big[pairs[0]]] : starts[big[pairs[0]] + 1]]
        pieces = [np.arange(starts[index], starts[index + 1]) for index in small[pairs]]
        rows = np.concatenate(pieces)
        distance, nearest = cKDTree(tree_points).query(coordinates[rows], distance_upper_bound=within_m)
        nearest = np.minimum(nearest, len(tree_points) - 1)  # past the bound: index n, distance inf
        piece_of = np.repeat(np.arange(len(pairs)), [len(piece) for piece in pieces])
        best = np.lexsort((distance, piece_of))
        best = best[np.r_[0, np.flatnonzero(np.diff(piece_of[best])) + 1]]
        near_small, near_big = coordinates[rows[best]], tree_points[nearest[best]]
        lengths[pairs] = distance[best]
        flip = first_is_big[pairs][:, None]
        ends_first[pairs] = np.where(flip, near_big, near_small)
        ends_second[pairs] = np.where(flip, near_small, near_big)
    return lengths, ends_first, ends_second
