"""Names of output files' layers that one rule writes and another reads (one definition for both)."""

from __future__ import annotations

from dataclasses import dataclass

GROUPS_LAYER = "connectivity_groups"
"""Layer of ``{year}/connectivity_groups.gpkg``: one multipolygon per I2 group (land-cover rule writes it)."""

NATURAL_PATCHES_LAYER = "natural_patches"
"""Layer of ``{year}/connectivity_groups.gpkg``: one multipolygon per natural patch (the land-cover rule writes it,
the QGIS package copies it)."""

LINKS_LAYER = "candidate_links"
"""Layer of ``{year}/connectivity_groups.gpkg``: one line per candidate link between two I2 groups (the land-cover
rule writes it, the scoring stage, the report and the QGIS package read it)."""

COUNTED_LAYER = "parks_counted"
"""Overlay layer of parks and protected areas dissolved together: the natural area I13 counts."""

OVERLAY_LAYER_NAMES = {
    "protected_areas": "protected_natural_areas",
    "redline": "redline_areas",
    COUNTED_LAYER: COUNTED_LAYER,
}
"""GeoPackage layer of ``{year}/overlays.gpkg`` for each measured polygon set (always all three; empty when not
assessed)."""

SCENARIO_CHANGES_LAYER = "scenario_changes"
"""Layer of a scenario's ``overlays.gpkg``: the region each overlay change added or removed inside the city (columns
``step``, ``overlay``, ``action``, ``area_ha``), drawn in the report's scenarios section."""

DISTRICTS_LAYER = "districts"
"""Layer of ``{year}/districts.gpkg``: the district polygons joined to their values (the district rule writes it)."""


def overlay_layer_names(coverage_ids) -> dict[str, str]:
    """The layers of ``{year}/overlays.gpkg`` with config ``coverage_layers``: protected areas, one
    ``<id>_areas`` per coverage layer (the red line's is ``redline_areas``), parks ∪ protected areas."""
    return {
        "protected_areas": OVERLAY_LAYER_NAMES["protected_areas"],
        **{layer_id: f"{layer_id}_areas" for layer_id in coverage_ids},
        COUNTED_LAYER: COUNTED_LAYER,
    }


MASK_OUTSIDE = 255
"""Value of ``{year}/natural_areas.tif`` outside the city or without data (1 natural, 0 not natural)."""


@dataclass(frozen=True)
class YearOutputs:
    """The spatial outputs of one land-cover year (read by the QGIS package and the report): the natural-area mask,
    the groups GeoPackage (layers :data:`GROUPS_LAYER` and :data:`NATURAL_PATCHES_LAYER`) and, when the city has
    overlays, the overlay GeoPackage; with districts, the districts GeoPackage (layer :data:`DISTRICTS_LAYER`)."""

    year: int
    natural_mask: str
    groups: str
    overlays: str | None = None
    districts: str | None = None
