"""SI indicator 2: connectivity as the effective mesh size of groups of natural patches.

Patches are 8- (or 4-) connected natural cells. With a gap distance d > 0, two patches belong to one group
when some cell of one is less than d from some cell of the other, measured edge to edge:
``dist = √((h · max(0, |Δr| − 1))² + (w · max(0, |Δc| − 1))²) < d`` for cells Δr rows and Δc columns apart,
cells of ground width w and height h (docs/method.md Part A.5). Exactly d apart is not connected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.kernels.gap_offsets import NEIGHBOURHOODS, cells_between, gap_offsets, touching_offsets
from cbindex.kernels.run_labels import label_runs, run_areas_m2


@dataclass(frozen=True)
class NaturalGroups:
    """Labelled groups of natural cells.

    Attributes
    ----------
    labels : ndarray of int32
        0 outside natural areas, 1..n_groups for the group of each natural cell.
    n_patches : int
        Number of patches (components under the pixel neighbourhood alone).
    n_groups : int
        Number of groups after joining patches closer than the gap distance.
    """

    labels: np.ndarray
    n_patches: int
    n_groups: int


def label_natural_groups(
    natural: np.ndarray,
    *,
    cell_width_m: float,
    cell_height_m: float,
    gap_distance_m: float,
    neighbourhood: int = 8,
    barrier: np.ndarray | None = None,
) -> NaturalGroups:
    """Label patches of natural cells, then join patches closer than the gap distance into groups.

    Parameters
    ----------
    natural : ndarray of bool
        True for natural cells inside the city.
    cell_width_m, cell_height_m : float
        Ground size of a cell, metres.
    gap_distance_m : float
        Patches less than this far apart (edge to edge) form one group; 0 disables the rule (groups are
        patches). SI 2014 default: 100 m.
    neighbourhood : {4, 8}
        Pixel neighbourhood of a patch. With a positive gap distance diagonal neighbours are 0 m apart and
        always joined, so 4 and 8 then give the same groups.
    barrier : ndarray of bool, optional
        Anthropogenic barriers (SI 2014: roads ≥ 15 m wide, concretised canals, heavily built-up areas). Barrier
        cells are never natural, and a gap is not bridged when the straight line between two cells crosses a
        barrier cell.

    Returns
    -------
    NaturalGroups
    """
    if barrier is not None:
        natural = natural & ~barrier
    patches, n_patches = label_patches(natural, neighbourhood=neighbourhood)
    offsets = gap_offsets(cell_width_m=cell_width_m, cell_height_m=cell_height_m, gap_distance_m=gap_distance_m)
    if gap_distance_m > 0:
        offsets = [*touching_offsets(8), *offsets]  # touching cells join whatever the neighbourhood
    if n_patches < 2 or not offsets:
        return NaturalGroups(labels=patches.astype(np.int32), n_patches=n_patches, n_groups=n_patches)
    edge_labels = np.where(patch_edges(natural), patches, 0)
    first, second = label_pairs_at_offsets(edge_labels, offsets, barrier=barrier)
    group_of_patch = merge_labels(n_patches, first, second)
    return NaturalGroups(
        labels=group_of_patch[patches],
        n_patches=n_patches,
        n_groups=int(group_of_patch.max()),
    )


def label_patches(natural: np.ndarray, *, neighbourhood: int = 8) -> tuple[np.ndarray, int]:
    """Label 4- or 8-connected patches of natural cells (1..n in raster scan order of their first cell)."""
    if neighbourhood not in NEIGHBOURHOODS:
        raise ValueError(f"neighbourhood must be 4 or 8, not {neighbourhood}")
    structure = ndimage.generate_binary_structure(2, 2 if neighbourhood == 8 else 1)
    return ndimage.label(natural, structure=structure)


def patch_edges(natural: np.ndarray) -> np.ndarray:
    """Natural cells with at least one 4-neighbour that is not natural (or off the array).

    The closest pair of cells of two different patches can always be found among edge cells, so only they
    need comparing.
    """
    interior = ndimage.binary_erosion(natural, structure=ndimage.generate_binary_structure(2, 1), border_value=0)
    return natural & ~interior


def label_pairs_at_offsets(
    labels: np.ndarray,
    offsets: list[tuple[int, int]],
    *,
    barrier: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs of different non-zero labels found at the given offsets (Δr ≥ 0) of each other.

    Works on the non-zero cells only (callers pass patch-edge labels, a small share of the cells): the array
    is padded so that every offset of every non-zero cell is a valid flat index, then each offset costs one
    gather over the non-zero cells. With a ``barrier`` mask (same shape), a pair is dropped when the straight
    line between the two cells crosses a barrier cell (:func:`cells_between`).
    """
    if not offsets or labels.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows, cols = labels.shape
    reach_rows = max(dr for dr, _ in offsets)
    reach_cols = max(abs(dc) for _, dc in offsets)
    padded = np.zeros((rows + reach_rows, cols + 2 * reach_cols), dtype=labels.dtype)
    padded[:rows, reach_cols : reach_cols + cols] = labels
    flat = padded.ravel()
    padded_width = padded.shape[1]
    flat_barrier = None
    if barrier is not None and barrier.any():
        padded_barrier = np.zeros(padded.shape, dtype=bool)
        padded_barrier[:rows, reach_cols : reach_cols + cols] = barrier
        flat_barrier = padded_barrier.ravel()
    positions = np.flatnonzero(flat)
    own = flat[positions]
    keys = []
    for dr, dc in offsets:
        partner = flat[positions + (dr * padded_width + dc)]
        hit = (partner != 0) & (partner != own)
        if flat_barrier is not None and hit.any():
            for between_row, between_col in cells_between(dr, dc):
                hit &= ~flat_barrier[positions + (between_row * padded_width + between_col)]
        if hit.any():
            first, second = own[hit].astype(np.int64), partner[hit].astype(np.int64)
            keys.append(np.unique(np.minimum(first, second) << 32 | np.maximum(first, second)))
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    unique = np.unique(np.concatenate(keys))
    return unique >> 32, unique & 0xFFFFFFFF


def merge_labels(n_labels: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Map labels 0..n to group numbers 0..k (0 stays 0), merging every (first, second) pair.

    Groups are numbered 1..k in the order of their smallest patch label.
    """
    graph = coo_matrix((np.ones(first.size, dtype=np.int8), (first, second)), shape=(n_labels + 1, n_labels + 1))
    _, component = connected_components(graph, directed=False)
    _, first_seen, inverse = np.unique(component[1:], return_index=True, return_inverse=True)
    rank = np.empty(first_seen.size, dtype=np.int32)
    rank[np.argsort(first_seen)] = np.arange(1, first_seen.size + 1, dtype=np.int32)
    return np.concatenate([[0], rank[inverse]]).astype(np.int32)


def group_areas_m2(labels: np.ndarray, *, weight: np.ndarray, row_area_m2: np.ndarray, n_groups: int) -> np.ndarray:
    """Ground area of each group ``A_Gi = Σ weight · cell area`` over its cells, m²; index 0 (no group) is 0."""
    cell_area = (weight * row_area_m2[:, None].astype(np.float64)).ravel()
    areas = np.bincount(labels.ravel(), weights=cell_area, minlength=n_groups + 1)
    areas[0] = 0.0
    return areas


def effective_mesh_size_ha(group_areas_m2_: np.ndarray, *, denominator_m2: float) -> float:
    """Effective mesh size, SI indicator 2: ``MESH = Σ A_Gi² / A_total``, hectares.

    Parameters
    ----------
    group_areas_m2_ : ndarray
        Areas of the groups A_Gi in m² (a leading 0 for the background is harmless).
    denominator_m2 : float
        A_total in m²: the city's total natural area for the SI (MESH ≤ A_total), or the landscape area to
        compare with FRAGSTATS' class-level MESH.

    Returns NaN (not assessed, never 0 ha) when ``denominator_m2`` is not positive: with no natural area there is
    nothing to connect and ``Σ A_Gi² / A_total`` is 0 / 0.
    """
    if denominator_m2 <= 0:
        return float("nan")
    return float(np.sum(np.square(group_areas_m2_, dtype=np.float64)) / denominator_m2 / SQUARE_METRES_PER_HECTARE)


def coherence_percent(group_areas_m2_: np.ndarray) -> float:
    """SI 2021 coherence: ``MESH / A_total × 100 = Σ A_Gi² / (Σ A_Gi)² × 100``, percent, in (0, 100]."""
    total = float(np.sum(group_areas_m2_, dtype=np.float64))
    if total <= 0:
        return 0.0
    return float(np.sum(np.square(group_areas_m2_, dtype=np.float64)) / total**2 * 100.0)


def class_effective_mesh_sizes_ha(
    codes: np.ndarray, *, row_area_m2: np.ndarray, neighbourhood: int = 8
) -> dict[int, float]:
    """FRAGSTATS' class-level effective mesh size of every class of a code raster, in one pass, hectares.

    ``MESH_i = Σ_j a_ij² / A`` over the patches j of class i (gap 0, pixel neighbourhood only), with A the
    landscape area: every cell whose code is not 0 (0 is background / no data). The SI's I2 with the gap rule
    is :class:`cbindex.kernels.strip_groups.StripGroups`; this function is the peer comparison with FRAGSTATS and
    pylandstats, and uses the same run labelling.

    Parameters
    ----------
    codes : ndarray of int
        Class codes, 0 for background.
    row_area_m2 : ndarray of float
        Ground area of a cell in each row, m².
    neighbourhood : {4, 8}
    """
    runs = label_runs(codes, neighbourhood=neighbourhood)
    areas = run_areas_m2(runs, row_area_m2=row_area_m2)
    landscape_m2 = float(areas.sum())
    if runs.n_labels == 0 or landscape_m2 <= 0:
        return {}
    values = runs.label_value[1:]
    lowest = int(values.min())
    sum_of_squares = np.bincount(values.astype(np.int64) - lowest, weights=np.square(areas[1:]))
    present = np.bincount(values.astype(np.int64) - lowest)
    return {
        int(index) + lowest: float(sum_of_squares[index] / landscape_m2 / SQUARE_METRES_PER_HECTARE)
        for index in np.flatnonzero(present)
    }
