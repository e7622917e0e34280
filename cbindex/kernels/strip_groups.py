"""Patches and gap-rule groups of natural cells accumulated strip by strip (SI indicator 2 in bounded memory).

Each strip's natural cells are labelled into patches (:mod:`cbindex.kernels.run_labels`); local labels become global
by adding the number of labels of the strips above. Patches cut by a strip edge are joined by comparing the
runs of the two rows that meet there; groups are joined by the gap rule (:mod:`cbindex.kernels.gap_joins`) over the
strip stacked under the last rows of the strip above (one more than the rule reaches, for edge tests). The gap
rule runs one strip late, once the first row of the next strip is known, so patch edges are the true edges of
the whole raster. Both joins go into union-finds, so memory holds two strips, a few carried rows and a few
numbers per patch. The result equals the whole-array computation
(:func:`cbindex.landcover.connectivity.label_natural_groups`) whatever the strip height.

Bands (one huge city as separate jobs): an accumulator can cover only rows ``band_start:band_stop`` of the
raster, given the natural row just above and just below the band (``row_above`` / ``row_below``); its state
is saved with :meth:`StripGroups.save` and bands are joined top to bottom with :meth:`StripGroups.absorb`. The
joined result is identical to one accumulator over all rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cbindex.kernels.gap_joins import OffsetTable, join_labels_within_offsets
from cbindex.kernels.gap_offsets import gap_offsets, touching_offsets
from cbindex.kernels.run_labels import Runs, join_touching_rows, label_runs, paint_runs, run_areas_m2
from cbindex.kernels.union_find import LabelSets

MAX_LABELS = np.iinfo(np.int32).max
EMPTY_ROW = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64))


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
    patch_of_label : ndarray of int64
        Patch number (1..n_patches, in the order of each patch's first cell, as
        :func:`cbindex.landcover.connectivity.label_patches` numbers them) of each global label; index 0 is 0.
    """

    group_of_patch: np.ndarray
    group_areas_m2: np.ndarray
    n_patches: int
    n_groups: int
    strip_label_offsets: list[int]
    patch_of_label: np.ndarray | None = None


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
    row_above : ndarray of bool, optional
        Natural cells of the row just above the first strip, when the strips start inside a raster (a band);
        None at the raster's top.
    """

    def __init__(
        self,
        *,
        width: int,
        cell_width_m: float,
        cell_height_m: float,
        gap_distance_m: float,
        neighbourhood: int = 8,
        row_above: np.ndarray | None = None,
    ) -> None:
        self.width = width
        self.neighbourhood = neighbourhood
        self._table = _group_offsets(
            cell_width_m=cell_width_m,
            cell_height_m=cell_height_m,
            gap_distance_m=gap_distance_m,
            neighbourhood=neighbourhood,
        )
        self.reach = self._table.reach_rows if self._table else 0
        self._patches = LabelSets()
        self._groups = LabelSets()
        self._areas: list[np.ndarray] = []
        self._offsets: list[int] = []
        self._n_labels = 0
        self._rows = 0
        self._first_row = self._last_row = EMPTY_ROW
        # the last reach + 1 rows above the pending strip (global labels; the top row serves edge tests only)
        self._carried = np.zeros((self.reach + 1, width), dtype=np.int64)
        self._carried_barrier = np.zeros((self.reach + 1, width), dtype=bool)
        if row_above is not None:
            self._carried[-1] = np.where(row_above, -1, 0)  # natural, but no label: a neighbour, never joined
        self._head = np.zeros((0, width), dtype=np.int64)  # first reach + 1 rows, for joining a band above
        self._head_barrier = np.zeros((0, width), dtype=bool)
        self._pending: tuple[np.ndarray, int, np.ndarray | None] | None = None
        self._uses_barrier = False
        self._gap_rows_done = 0
        self._finished = False
        self.last_runs: Runs | None = None
        """The runs of the last strip added (their labels are its local labels), for callers tracing polygons."""

    @property
    def strip_label_offsets(self) -> list[int]:
        """Offset added to each strip's local labels so far."""
        return list(self._offsets)

    def add_strip(
        self,
        habitat: np.ndarray,
        *,
        row_area_m2: np.ndarray,
        weight: np.ndarray | None = None,
        barrier: np.ndarray | None = None,
        keep_labels: bool = False,
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
        if self._finished:
            raise RuntimeError("StripGroups.add_strip after finish()")
        if habitat.shape[0] == 0:
            return np.zeros(habitat.shape, dtype=np.int32) if keep_labels else None
        runs = label_runs(habitat, neighbourhood=self.neighbourhood)
        self.last_runs = runs
        offset = self._n_labels
        if offset + runs.n_labels > MAX_LABELS:
            raise ValueError(f"more than {MAX_LABELS} natural patches; use a coarser raster or smaller city")
        self._offsets.append(offset)
        self._n_labels += runs.n_labels
        self._patches.grow(self._n_labels)
        self._areas.append(run_areas_m2(runs, row_area_m2=row_area_m2, weight=weight)[1:])
        first_row = _shifted(runs.row(0), offset)
        join_touching_rows(self._patches.parent, self._last_row, first_row, neighbourhood=self.neighbourhood)
        if not self._rows:
            self._first_row = first_row
        self._last_row = _shifted(runs.row(habitat.shape[0] - 1), offset)
        self._rows += habitat.shape[0]
        local = paint_runs(runs) if keep_labels or self._table is not None else None
        if self._table is not None:
            self._uses_barrier |= barrier is not None
            self._keep_head(local, offset, barrier)
            if self._pending is not None:
                self._join_gap(*self._pending, below=local[0])
            self._pending = (local, offset, barrier)
        return local

    def _keep_head(self, local: np.ndarray, offset: int, barrier: np.ndarray | None) -> None:
        missing = self.reach + 1 - self._head.shape[0]
        if missing > 0:
            self._head = np.vstack([self._head, _global(local[:missing], offset)])
            self._head_barrier = np.vstack([self._head_barrier, _barrier_rows(barrier, local, slice(None, missing))])

    def _join_gap(self, local: np.ndarray, offset: int, barrier: np.ndarray | None, *, below: np.ndarray) -> None:
        self._groups.grow(self._n_labels)
        join_labels_within_offsets(
            self._groups.parent,
            carried=self._carried,
            local=local,
            label_offset=offset,
            below=below,
            table=self._table,
            own_row_first=self._own_row_first(),
            carried_barrier=self._carried_barrier if self._uses_barrier else None,
            barrier=_barrier_rows(barrier, local, slice(None)) if self._uses_barrier else None,
        )
        keep = self.reach + 1
        self._carried = np.vstack([self._carried, _global(local[-keep:], offset)])[-keep:]
        self._carried_barrier = np.vstack([self._carried_barrier, _barrier_rows(barrier, local, slice(-keep, None))])[
            -keep:
        ]
        self._gap_rows_done += local.shape[0]

    def _own_row_first(self) -> int:
        """Carried rows holding this accumulator's own labels are examined; rows above them are neighbours."""
        return max(1, self._carried.shape[0] - self._gap_rows_done)

    # --- bands: one huge city as separate jobs ---------------------------------------------------------------

    STATE_VERSION = 1

    def save(self, path: str | Path, *, extra: dict[str, np.ndarray] | None = None) -> None:
        """Write the state of a finished accumulator (a band) to an ``.npz`` file (see :meth:`absorb`).

        ``extra`` arrays are saved alongside and handed back by :meth:`absorb`.
        """
        if not self._finished:
            raise RuntimeError("save() needs finish() first: the band's last strip must see the row below it")
        n = self._n_labels
        self._patches.grow(n)
        self._groups.grow(n)  # unused without the gap rule, but saved alike
        arrays = {
            "version": np.array(self.STATE_VERSION),
            "n_labels": np.array(n),
            "rows": np.array(self._rows),
            "reach": np.array(self.reach),
            "neighbourhood": np.array(self.neighbourhood),
            "gap_rows_done": np.array(self._gap_rows_done),
            "uses_barrier": np.array(self._uses_barrier),
            "patches_parent": self._patches.parent[: n + 1],
            "groups_parent": self._groups.parent[: n + 1],
            "areas": np.concatenate([np.zeros(0), *self._areas]),
            "offsets": np.array(self._offsets, np.int64),
            "carried": self._carried,
            "carried_barrier": self._carried_barrier,
            "head": self._head,
            "head_barrier": self._head_barrier,
        }
        for name, row in (("first_row", self._first_row), ("last_row", self._last_row)):
            for part, values in zip(("start", "stop", "label"), row, strict=True):
                arrays[f"{name}_{part}"] = values
        arrays.update({f"extra_{name}": np.asarray(values) for name, values in (extra or {}).items()})
        with open(path, "wb") as file:
            np.savez_compressed(file, **arrays)

    def absorb(self, path: str | Path) -> tuple[int, dict[str, np.ndarray]]:
        """Append the band saved at ``path`` (the rows just below this one's) to this finished accumulator.

        Returns the number added to the band's labels to make them global here, and its ``extra`` arrays.

        Its labels follow this accumulator's; patches cut by the band edge are joined by the runs of the two
        rows that meet there, and groups by the gap rule over this band's last rows and the other's first
        rows. Both bands must hold at least ``reach + 1`` rows (:func:`plan_bands` sees to it).
        """
        if not self._finished:
            raise RuntimeError("absorb() needs finish() first")
        with np.load(path) as saved:
            state = {name: saved[name] for name in saved.files}
        if (
            int(state["version"]) != self.STATE_VERSION
            or int(state["reach"]) != self.reach
            or int(state["neighbourhood"]) != self.neighbourhood
        ):
            raise ValueError(f"band state {path} was computed with other settings; recompute the bands")
        other_rows = int(state["rows"])
        if self._rows == 0:  # the first band: take it as it is
            self._first_row = (state["first_row_start"], state["first_row_stop"], state["first_row_label"])
            self._head, self._head_barrier = state["head"], state["head_barrier"]
        elif other_rows and min(self._rows, other_rows) < self.reach + 1:
            raise ValueError(f"bands must hold at least {self.reach + 1} rows to be joined")
        shift, n = self._n_labels, int(state["n_labels"])
        self._n_labels += n
        for sets, name in ((self._patches, "patches_parent"), (self._groups, "groups_parent")):
            sets.grow(self._n_labels)
            sets.parent[shift + 1 : shift + n + 1] = state[name][1 : n + 1] + shift
        first_row = _shifted((state["first_row_start"], state["first_row_stop"], state["first_row_label"]), shift)
        join_touching_rows(self._patches.parent, self._last_row, first_row, neighbourhood=self.neighbourhood)
        uses_barrier = self._uses_barrier or bool(state["uses_barrier"])
        if self._table is not None and other_rows and self._rows:
            head = state["head"]
            join_labels_within_offsets(
                self._groups.parent,
                carried=self._carried,
                local=head[: self.reach].astype(np.int32),
                label_offset=shift,
                below=head[self.reach],
                table=self._table,
                own_row_first=1,
                carried_barrier=self._carried_barrier if uses_barrier else None,
                barrier=state["head_barrier"][: self.reach] if uses_barrier else None,
            )
        self._areas.append(state["areas"])
        self._offsets += [int(offset) + shift for offset in state["offsets"]]
        if other_rows:
            self._last_row = _shifted((state["last_row_start"], state["last_row_stop"], state["last_row_label"]), shift)
            self._carried = _global(state["carried"], shift)
            self._carried_barrier = state["carried_barrier"]
        self._rows += other_rows
        self._gap_rows_done += int(state["gap_rows_done"])
        self._uses_barrier = uses_barrier
        return shift, {
            name.removeprefix("extra_"): values for name, values in state.items() if name.startswith("extra_")
        }

    def finish(self, *, row_below: np.ndarray | None = None) -> GroupTotals:
        """Patches, groups and group areas of everything added.

        ``row_below``: natural cells of the row just below the last strip when the strips end inside a raster
        (a band); None at the raster's bottom.
        """
        if not self._finished:
            if self._pending is not None:
                below = np.zeros(self.width, bool) if row_below is None else np.asarray(row_below, bool)
                self._join_gap(*self._pending, below=below)
                self._pending = None
            self._finished = True
        patch_areas = np.concatenate([[0.0], *self._areas])
        patch_of_label = self._patches.set_numbers()
        group_of_patch = self._groups.set_numbers() if self._table is not None else patch_of_label
        n_patches = int(patch_of_label.max()) if self._n_labels else 0
        n_groups = int(group_of_patch.max()) if self._n_labels else 0
        group_areas = np.bincount(group_of_patch, weights=patch_areas, minlength=n_groups + 1)
        group_areas[0] = 0.0
        return GroupTotals(
            group_of_patch=group_of_patch.astype(np.int64),
            group_areas_m2=group_areas,
            n_patches=n_patches,
            n_groups=n_groups,
            strip_label_offsets=list(self._offsets),
            patch_of_label=patch_of_label.astype(np.int64),
        )


def _group_offsets(
    *, cell_width_m: float, cell_height_m: float, gap_distance_m: float, neighbourhood: int
) -> OffsetTable | None:
    """Offsets that join groups: touching cells (diagonals included, always joined) and the gap rule's; None
    without the gap rule (groups are then the patches)."""
    gap = gap_offsets(cell_width_m=cell_width_m, cell_height_m=cell_height_m, gap_distance_m=gap_distance_m)
    if not gap:
        return None
    touching = touching_offsets(8)
    return OffsetTable([*touching, *gap], never_blocked=tuple(touching) if neighbourhood == 8 else ())


def gap_reach_rows(*, cell_width_m: float, cell_height_m: float, gap_distance_m: float) -> int:
    """Rows the gap rule reaches below a cell (0 without it): a strip needs this many rows of the one above."""
    table = _group_offsets(
        cell_width_m=cell_width_m, cell_height_m=cell_height_m, gap_distance_m=gap_distance_m, neighbourhood=8
    )
    return table.reach_rows if table else 0


def _global(local: np.ndarray, offset: int) -> np.ndarray:
    return np.where(local > 0, local.astype(np.int64) + offset, local.astype(np.int64))


def _barrier_rows(barrier: np.ndarray | None, local: np.ndarray, rows: slice) -> np.ndarray:
    """Rows of a strip's barrier mask; zeros of those rows' shape when the strip has none."""
    return np.zeros(local[rows].shape, dtype=bool) if barrier is None else barrier[rows]


def _shifted(row: tuple[np.ndarray, np.ndarray, np.ndarray], offset: int):
    start, stop, label = row
    return start, stop, label.astype(np.int64) + offset


def natural_group_areas_m2(
    habitat: np.ndarray,
    *,
    row_area_m2: np.ndarray,
    cell_width_m: float,
    cell_height_m: float,
    gap_distance_m: float,
    neighbourhood: int = 8,
    weight: np.ndarray | None = None,
    barrier: np.ndarray | None = None,
    block_rows: int = 512,
) -> GroupTotals:
    """Groups of an in-memory natural mask, taken in strips of ``block_rows`` (see :class:`StripGroups`).

    The I2 engine of the workflow for an array already in memory (tests, benchmarks, other tools):
    ``MESH = Σ A_Gi² / A_total`` follows with :func:`cbindex.landcover.connectivity.effective_mesh_size_ha`.
    """
    accumulator = StripGroups(
        width=habitat.shape[1],
        cell_width_m=cell_width_m,
        cell_height_m=cell_height_m,
        gap_distance_m=gap_distance_m,
        neighbourhood=neighbourhood,
    )
    row_area_m2 = np.asarray(row_area_m2, dtype=np.float64)
    for start in range(0, habitat.shape[0], block_rows):
        rows = slice(start, start + block_rows)
        accumulator.add_strip(
            habitat[rows],
            row_area_m2=row_area_m2[rows],
            weight=None if weight is None else weight[rows],
            barrier=None if barrier is None else barrier[rows],
        )
    return accumulator.finish()
