"""A scenario's overlay changes: polygons added to or removed from the protected areas, the parks or a coverage
layer (the red line, ...) of its base year, and the population it gives for I13.

The scenario's overlays are its base year's, as the overlay rule reads them (each file filtered and dissolved,
:func:`cbindex.geo.overlay_polygons.read_overlay_polygons`), changed in the order the scenarios file gives:

- ``add``: ``P' = P ∪ A`` (the added polygons count as given, without the kind's attribute filter);
- ``remove``: ``P' = P − R``.

With a protected-area category column (config ``overlays.protected_areas.category_column``), added polygons belong
to the category the change names, and land in several categories stays with the first
(:data:`~cbindex.geo.protected_area_categories.CATEGORIES` order), exactly as if the polygons were features of the
file: ``C'_k = (C_k ∪ A_k) − ⋃_{j<k} C'_j``; removed polygons leave every category.

Each change's effect is the region it changed, ``P' △ P`` (symmetric difference), measured on the scenario's land
cover by the overlay rule like every other polygon set, so a change that changes nothing inside the city is said.
The overlay values themselves (SI indicators 9 and 13, the coverage shares) are then computed by the overlay rule's
own code on the changed polygons: a scenario adds no second implementation of any indicator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from cbindex.core.errors import CBIInputError
from cbindex.geo.datum_shift import WGS84_DATUM
from cbindex.geo.overlay_polygons import read_overlay_polygons
from cbindex.geo.protected_area_categories import CATEGORY_IDS, category_of

PROTECTED_AREAS = "protected_areas"
EMPTY = shapely.GeometryCollection()


@dataclass(frozen=True)
class OverlayChange:
    """One ``overlay`` change of a scenario: polygons added to or removed from one overlay kind."""

    step: int
    """Position of the change among all the scenario's changes, from 1."""
    kind: str
    action: str
    """``add`` or ``remove``."""
    path: str
    layer: str | None = None
    encoding: str | None = None
    datum: str = WGS84_DATUM
    category: str | None = None
    """Protected-area category id of added polygons (:data:`~cbindex.geo.protected_area_categories.CATEGORY_IDS`)."""

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], *, step: int) -> OverlayChange:
        """The change as the scenarios file gives it (``overlay``, ``add`` or ``remove``, options)."""
        action = "add" if "add" in spec else "remove"
        category = spec.get("category")
        return cls(
            step=step,
            kind=str(spec["overlay"]),
            action=action,
            path=str(spec[action]),
            layer=spec.get("layer") or None,
            encoding=spec.get("encoding") or None,
            datum=spec.get("datum") or WGS84_DATUM,
            category=category_of(category) if category else None,
        )

    def describe(self) -> str:
        """The change in words (log and ``method`` column)."""
        where = "to" if self.action == "add" else "from"
        category = f" as {self.category}" if self.category else ""
        return f"{self.action} the polygons of {Path(self.path).name}{category} {where} {self.kind}"


def overlay_changes(changes: Sequence[Mapping[str, Any]]) -> list[OverlayChange]:
    """The ``overlay`` changes of a scenario's change list, with their step numbers (all changes counted)."""
    return [OverlayChange.from_spec(spec, step=index + 1) for index, spec in enumerate(changes) if "overlay" in spec]


def scenario_population(changes: Sequence[Mapping[str, Any]]) -> tuple[int, float] | None:
    """The step and persons of the scenario's last ``population`` change, or None when it sets none."""
    given = [(index + 1, float(spec["population"])) for index, spec in enumerate(changes) if "population" in spec]
    return given[-1] if given else None


def apply_overlay_changes(
    geometries: Mapping[str, BaseGeometry],
    categories: Mapping[str, BaseGeometry],
    *,
    changes: Sequence[OverlayChange],
    target_crs,
    clip_bounds: tuple[float, float, float, float],
    with_categories: bool = False,
    default_encoding: str | None = None,
) -> tuple[dict[str, BaseGeometry], dict[str, BaseGeometry], dict[int, BaseGeometry]]:
    """Apply ``changes`` in order to the base year's dissolved overlays (formulas in the module docstring).

    Parameters
    ----------
    geometries : dict of str to shapely geometry
        Per overlay kind given for the base year, its dissolved polygons in ``target_crs``.
    categories : dict of str to shapely geometry
        Per protected-area category id, its exclusive polygons (empty without a category column).
    with_categories : bool
        Whether the protected areas are read with a category column.
    changes : sequence of OverlayChange
    target_crs, clip_bounds
        The land-cover raster's CRS and the city window's bounds in it (the polygons are read as the overlay
        files are, :func:`~cbindex.geo.overlay_polygons.read_overlay_polygons`).
    default_encoding : str, optional
        Config ``vector_encoding``.

    Returns
    -------
    tuple
        The changed ``geometries`` (a kind the base year lacks appears when polygons are added to it; removing from
        it changes nothing, and the kind stays not assessed), the changed
        ``categories``, and per step the region the change changed (``P' △ P``).

    Raises
    ------
    CBIInputError
        Polygons added to protected areas that have categories without naming one (or naming one when they have
        none), or a change file that cannot be read.
    """
    result = dict(geometries)
    classes = dict(categories)
    changed: dict[int, BaseGeometry] = {}
    for change in changes:
        if change.action == "remove" and change.kind not in result:
            changed[change.step] = EMPTY  # nothing to remove from: the kind stays not given (not assessed, never 0)
            continue
        polygons = read_overlay_polygons(
            change.path,
            kind=change.kind,
            target_crs=target_crs,
            clip_bounds=clip_bounds,
            layer=change.layer,
            encoding=change.encoding,
            default_encoding=default_encoding,
            datum=change.datum,
        ).geometry
        before = result.get(change.kind, EMPTY)
        if change.action == "add":
            after = shapely.union(before, polygons)
            if change.kind == PROTECTED_AREAS:
                classes = _add_to_category(classes, polygons, change=change, with_categories=with_categories)
        else:
            after = shapely.difference(before, polygons)
            if change.kind == PROTECTED_AREAS:
                classes = {name: shapely.difference(part, polygons) for name, part in classes.items()}
        result[change.kind] = after
        changed[change.step] = shapely.symmetric_difference(after, before)
    return result, classes, changed


def _add_to_category(
    classes: Mapping[str, BaseGeometry], polygons: BaseGeometry, *, change: OverlayChange, with_categories: bool
) -> dict[str, BaseGeometry]:
    if not with_categories:
        if change.category is not None:
            raise CBIInputError(
                f"Scenario change {change.step} adds {change.path} as {change.category}, but the protected areas "
                "have no category column (config overlays.protected_areas.category_column); remove the category."
            )
        return dict(classes)
    if change.category is None:
        raise CBIInputError(
            f"Scenario change {change.step} adds {change.path} to protected areas that have categories (config "
            f"overlays.protected_areas.category_column); give the change a category ({', '.join(CATEGORY_IDS)})."
        )
    raw = {name: part for name, part in classes.items()}
    raw[change.category] = shapely.union(raw.get(change.category, EMPTY), polygons)
    exclusive: dict[str, BaseGeometry] = {}
    taken = EMPTY
    for category_id in CATEGORY_IDS:
        if category_id in raw:
            exclusive[category_id] = shapely.difference(raw[category_id], taken)
            taken = shapely.union(taken, raw[category_id])
    return exclusive
