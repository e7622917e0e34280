"""Patches and gap-rule groups of natural cells accumulated strip by strip (SI indicator 2 in bounded memory).

Each strip's natural cells are labelled into patches (:mod:`cbindex.run_labels`); local labels become global
by adding the number of labels of the strips above. Patches cut by a strip edge are joined by comparing the
runs of the two rows that meet there; groups are joined by the gap rule (:mod:`cbindex.gap_joins`) over the
strip stacked under the last rows of the strip above (as many as the rule reaches). Both joins go into
union-finds, so memory holds one strip, a few carried rows and a few numbers per patch. The result equals the
whole-array computation (:func:`cbindex.connectivity.label_natural_groups`) on any strip height.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cbindex.connectivity import gap_offsets, touching_offsets
from cbindex.gap_joins import OffsetTable, join_labels_within_offsets
from cbindex.run_labels import join_touching_rows, label_runs, paint_runs, run_areas_m2
from cbindex.union_find import LabelSets

MAX_LABELS = np.iinfo(np.int32).max


@dataclass(frozen=True)
class GroupTotals:
    """Patches and groups of all strips.

    Attributes
    ----------
    group_of_patch : ndarray of int64
        Group number (1..n_groups, in the order of each group's first cell) of each global patch label; index 0
        is 0.
    group_areas_m2 : ndarray of float64
        Ground area of each group, m² (index 0 is 0).
    n_patches, n_groups : int
        Patches under the pixel neighbourhood alone, and groups after the gap rule.
    strip_label_offsets : list of int
        Offset added to each strip's local labels to make them global.
    """

    group_of_patch: np.ndarray
    group_areas_m2: np.ndarray
    n_patches: int
    n_groups: int
    strip_label_offsets: list[int]


@dataclass
class StripGroups:
    """Accumulate patches and groups over strips of natural cells given top to bottom.

    Parameters
    ----------
    width : int
        Columns of every strip.
    cell_width_m, cell_height_m : float
        Ground size of a cell, metres (for the gap rule).
    gap_distance_m : float
        Patches less than this far apart (edge to edge) are one group; 0 disables the rule.
    neighbourhood : {4, 8}
        Pixel neighbourhood of a patch.
    """

    width: int
    cell_width_m: float
    cell_height_m: float
    gap_distance_m: float
    neighbourhood: int = 8
    _patches: LabelSets = field(default_factory=LabelSets, init=False)
    _groups: LabelSets = field(default_factory=LabelSets, init=False)
    _areas: list[np.ndarray] = field(default_factory=list, init=False)
    _offsets: list[int] = field(default_factory=list, init=False)
    _n_labels: int = field(default=0, init=False)
    _last_row: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        gap = gap_offsets(cell_width_m=self.cell_width_m, cell_height_m=self.cell_height_m,
                          gap_distance_m=self.gap_distance_m)
        # with the gap rule, touching cells (diagonals included) always join groups
        touching = touching_offsets(8)
        never_blocked = tuple(touching) if self.neighbourhood == 8 else ()
        self._table = OffsetTable([*touching, *gap], never_blocked=never_blocked) if gap else None
        reach = self._table.reach_rows if self._table else 0
        self._carried = np.zeros((reach, self.width), dtype=np.int64)
        self._carried_barrier = np.zeros((reach, self.width), dtype=bool)

    @property
    def strip_label_offsets(self) -> list[int]:
        """Offset added to each strip's local labels so far."""
        return list(self._offsets)

    def add_strip(
        self, habitat: np.ndarray, *, row_area_m2: np.ndarray, weight: np.ndarray | None = None,
        barrier: np.ndarray | None = None, keep_labels: bool = False,
    ) -> np.ndarray | None:
        """Add the next strip.

        Parameters
        ----------
        habitat : ndarray of bool, shape (rows, width)
            Natural cells inside the city that are not barriers.
        row_area_m2 : ndarray of float
            Ground area of a whole cell in each row, m².
        weight : ndarray of float, optional
            Share of each cell inside the city (exact boundary rule); None counts habitat cells whole.
        barrier : ndarray of bool, optional
            Barrier cells (the gap rule does not bridge them); give it for every strip or for none.
        keep_labels : bool
            Return the strip's local labels (int32; global = local + the strip's offset).

        Returns
        -------
        ndarray or None
            Local labels when ``keep_labels`` (or the gap rule needs them anyway), else None.
        """
        runs = label_runs(habitat, neighbourhood=self.neighbourhood)
        offset = self._n_labels
        if offset + runs.n_labels > MAX_LABELS:
            raise ValueError(f"more than {MAX_LABELS} natural patches; use a coarser raster or smaller city")
        self._offsets.append(offset)
        self._n_labels += runs.n_labels
        self._patches.grow(self._n_labels)
        self._areas.append(run_areas_m2(runs, row_area_m2=row_area_m2, weight=weight)[1:])
        if self._last_row is not None and habitat.shape[0]:
            start, stop, label = runs.row(0)
            join_touching_rows(self._patches.parent, self._last_row, (start, stop, label.astype(np.int64) + offset),
                               neighbourhood=self.neighbourhood)
        if habitat.shape[0]:
            start, stop, label = runs.row(habitat.shape[0] - 1)
            self._last_row = (start, stop, label.astype(np.int64) + offset)
        local = paint_runs(runs) if keep_labels or self._table is not None else None
        if self._table is not None:
            self._join_gap(local, offset, barrier)
        return local

    def _join_gap(self, local: np.ndarray, offset: int, barrier: np.ndarray | None) -> None:
        self._groups.grow(self._n_labels)
        join_labels_within_offsets(
            self._groups.parent, carried=self._carried, local=local, label_offset=offset, table=self._table,
            carried_barrier=self._carried_barrier if barrier is not None else None, barrier=barrier,
        )
        reach = self._carried.shape[0]
        last_rows = local[-reach:]
        global_labels = np.where(last_rows != 0, last_rows.astype(np.int64) + offset, 0)
        self._carried = np.vstack([self._carried, global_labels])[-reach:]
        if barrier is not None:
            self._carried_barrier = np.vstack([self._carried_barrier, barrier[-reach:]])[-reach:]

    def finish(self) -> GroupTotals:
        """Patches, groups and group areas of everything added."""
        patch_areas = np.concatenate([[0.0], *self._areas])
        patch_of_label = self._patches.set_numbers()
        group_of_patch = self._groups.set_numbers() if self._table is not None else patch_of_label
        n_patches = int(patch_of_label.max()) if self._n_labels else 0
        n_groups = int(group_of_patch.max()) if self._n_labels else 0
        group_areas = np.bincount(group_of_patch, weights=patch_areas, minlength=n_groups + 1)
        group_areas[0] = 0.0
        return GroupTotals(group_of_patch=group_of_patch.astype(np.int64), group_areas_m2=group_areas,
                           n_patches=n_patches, n_groups=n_groups, strip_label_offsets=list(self._offsets))


def natural_group_areas_m2(
    habitat: np.ndarray, *, row_area_m2: np.ndarray, cell_width_m: float, cell_height_m: float,
    gap_distance_m: float, neighbourhood: int = 8, weight: np.ndarray | None = None,
    barrier: np.ndarray | None = None, block_rows: int = 512,
) -> GroupTotals:
    """Groups of an in-memory natural mask, taken in strips of ``block_rows`` (see :class:`StripGroups`).

    The I2 engine of the workflow for an array already in memory (tests, benchmarks, other tools):
    ``MESH = Σ A_Gi² / A_total`` follows with :func:`cbindex.connectivity.effective_mesh_size_ha`.
    """
    accumulator = StripGroups(width=habitat.shape[1], cell_width_m=cell_width_m, cell_height_m=cell_height_m,
                              gap_distance_m=gap_distance_m, neighbourhood=neighbourhood)
    row_area_m2 = np.asarray(row_area_m2, dtype=np.float64)
    for start in range(0, habitat.shape[0], block_rows):
        rows = slice(start, start + block_rows)
        accumulator.add_strip(habitat[rows], row_area_m2=row_area_m2[rows],
                              weight=None if weight is None else weight[rows],
                              barrier=None if barrier is None else barrier[rows])
    return accumulator.finish()
