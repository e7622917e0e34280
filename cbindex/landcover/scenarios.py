"""What-if scenarios: a land-cover year of the city changed as a plan would change it, written as one more
land-cover raster that the land-cover rules then compute exactly as a year (no second implementation of any
indicator).

A scenario (city-sheet column ``scenarios``, a YAML file; schema ``scenarios.schema.yaml``) starts from one land-cover
year (``base_year``) and applies its ``changes`` in order, strip by strip over the city's window of the base raster:

- ``landcover``: inside the polygons of a vector file (any CRS; a cell changes when its centre lies inside, GDAL's
  rule), cells take the legend code ``to`` — only cells holding one of the codes ``from`` when given ("restore
  cropland to tree cover", "develop these plots to built-up");
- ``restore``: every cell whose code in the year ``since_year`` belongs to a legend category (``tree_canopy``,
  ``natural``, ...) and whose current code does not gets its ``since_year`` code back ("restore the tree cover
  lost 2016–2020"); both years must lie on the same grid, as the transitions need.

Two more kinds of change are applied by the overlay rule (:mod:`cbindex.overlays.scenario_overlays`), on the
scenario's land cover: ``overlay`` (polygons added to or removed from the protected areas, the parks or a coverage
layer such as the red line) and ``population`` (the persons I13 divides by). This module checks them (the overlay
must be one the city sheet knows).

Each change's effect is counted (cells and ground area changed inside the city) so that a change that changes
nothing (polygons outside the city, or no cell of the ``from`` codes) is said, not silent.

A city whose land cover is land-use polygons has the same scenarios file applied to its polygons instead, by an
exact vector cut (:mod:`cbindex.landcover.landuse_scenarios`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import shapely
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.city_sheet import CitySheet
from cbindex.core.config_files import check_against_schema, read_yaml_file, schema_path
from cbindex.core.errors import CBIInputError
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.city_grid import GDAL_CACHE_MB, CityWindow, open_city_window, strips
from cbindex.geo.legends import CATEGORIES, Legend
from cbindex.geo.protected_area_categories import CATEGORY_IDS, category_of
from cbindex.geo.vector_layers import open_vector_layer, read_vector_frame

LOGGER = logging.getLogger(__name__)
SCHEMA_PATH = schema_path("scenarios")
CHANGE_COLUMNS = ["step", "change", "cells_changed", "area_changed_ha", "note"]
"""Columns of a scenario's ``changes.csv`` (its land-cover changes) and ``overlay_changes.csv`` (its overlay and
population changes, :mod:`cbindex.overlays.scenario_overlays`): one row per change, ``step`` its position among
all the scenario's changes."""
LAND_COVER_CHANGES = frozenset({"landcover", "restore"})
"""The change kinds applied to the land-cover raster (the others, ``overlay`` and ``population``, by the overlay
rule)."""


@dataclass(frozen=True)
class Scenario:
    """One named scenario of a city: its base year and its changes, as the scenarios file gives them."""

    name: str
    base_year: int
    changes: tuple[dict[str, Any], ...]
    title: str = ""
    title_zh: str = ""

    def polygon_files(self) -> list[str]:
        """The vector files the scenario's land-cover changes read (inputs of its job)."""
        return [change["landcover"] for change in self.changes if "landcover" in change]

    def overlay_files(self) -> list[str]:
        """The vector files the scenario's overlay changes read (inputs of its overlay job)."""
        return [change.get("add") or change["remove"] for change in self.changes if "overlay" in change]

    def changes_overlays(self) -> bool:
        """Whether the scenario changes an overlay or the population (then its overlay job runs even for a city
        without overlays)."""
        return any("overlay" in change or "population" in change for change in self.changes)

    def years_read(self) -> list[int]:
        """The base year and every year a ``restore`` change reads."""
        return sorted({self.base_year, *(int(change["since_year"]) for change in self.changes if "restore" in change)})

    def as_params(self) -> dict[str, Any]:
        """The scenario as plain data (a rule parameter: editing it re-runs only this scenario's jobs)."""
        return {
            "name": self.name,
            "base_year": self.base_year,
            "changes": [dict(change) for change in self.changes],
            "title": self.title,
            "title_zh": self.title_zh,
        }


def read_scenarios(path: str | Path, *, years: Sequence[int]) -> dict[str, Scenario]:
    """Read and check a city's scenarios file; ``years`` are the city's land-cover years.

    Raises
    ------
    CBIInputError
        One sentence naming the file, the scenario and the fix: schema violations, a repeated name, a base or
        ``since_year`` that is not one of the city's years.
    """
    path = Path(path)
    document = read_yaml_file(path, what="Scenarios file")
    check_against_schema(document, schema_path=SCHEMA_PATH, origin=str(path))
    scenarios: dict[str, Scenario] = {}
    for entry in document["scenarios"]:
        name = entry["name"]
        if name in scenarios:
            raise CBIInputError(f"Scenarios file {path} defines scenario {name!r} twice; give each its own name.")
        scenario = Scenario(
            name=name,
            base_year=int(entry["base_year"]),
            changes=tuple(entry.get("changes", ())),
            title=entry.get("title", ""),
            title_zh=entry.get("title_zh", ""),
        )
        unknown = [year for year in scenario.years_read() if year not in years]
        if unknown:
            raise CBIInputError(
                f"Scenarios file {path}: scenario {name!r} reads year {unknown[0]}, which is not one of the city's "
                f"land-cover years ({', '.join(map(str, years))}); use one of them."
            )
        scenarios[name] = scenario
    return scenarios


def city_scenarios(sheet: CitySheet, city: str) -> dict[str, Scenario]:
    """The scenarios of a city (sheet column ``scenarios``), none when the column is empty.

    A city whose land cover is land-use polygons (sheet ``landcover_vector``) has its scenarios applied to the
    polygons (:mod:`cbindex.landcover.landuse_scenarios`), with the same file and checks.

    Raises
    ------
    CBIInputError
        The scenarios file is broken (:func:`read_scenarios`), a scenario restores from a year of another legend,
        or an overlay change names an overlay the city sheet does not know (:func:`check_overlay_change`).
    """
    if not sheet.has(city, "scenarios"):
        return {}
    path = sheet.cell(city, "scenarios")
    scenarios = read_scenarios(path, years=sheet.years(city))
    for scenario in scenarios.values():
        base_legend = sheet.legend(city, scenario.base_year)
        for year in scenario.years_read():
            if sheet.legend(city, year) != base_legend:
                raise CBIInputError(
                    f"Scenarios file {sheet.cell(city, 'scenarios')}: scenario {scenario.name!r} restores classes of "
                    f"{year}, whose legend differs from {scenario.base_year}'s; restore from a year of that product."
                )
        for number, change in enumerate(scenario.changes, start=1):
            if "overlay" in change:
                check_overlay_change(
                    change,
                    kinds=list(sheet.overlay_inputs),
                    origin=f"Scenarios file {path}, scenario {scenario.name!r}, change {number}",
                )
    return scenarios


@dataclass
class ChangeEffect:
    """How much one change changed, inside the city."""

    step: int
    change: str
    cells_changed: int = 0
    area_changed_m2: float = 0.0

    def row(self) -> dict[str, Any]:
        note = "" if self.cells_changed else "changed nothing inside the city"
        area_ha = self.area_changed_m2 / SQUARE_METRES_PER_HECTARE
        return dict(zip(CHANGE_COLUMNS, [self.step, self.change, self.cells_changed, area_ha, note], strict=True))


def apply_scenario(
    scenario: Scenario,
    *,
    base_raster: str | Path,
    year_rasters: Mapping[int, str | Path],
    boundary: CityBoundary,
    legend: Legend,
    out_tif: str | Path,
    block_rows: int,
    encodings: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """Write the scenario's land-cover raster (the base year's city window, changed) and return its effects
    (:data:`CHANGE_COLUMNS`, one row per change).

    Strip by strip (``block_rows`` rows of the window's width at a time), with GDAL's block cache held to
    :data:`~cbindex.geo.city_grid.GDAL_CACHE_MB`: memory does not grow with the city (the 1.3-billion-cell São Tomé
    tile, benchmarks/measured/2026-12-02-tile-scenario.txt).

    Raises
    ------
    CBIInputError
        A ``to`` or ``from`` code the legend does not define (naming the code and the legend), an unknown
        category, polygon files that cannot be read, or a ``since_year`` raster on another grid.
    """
    window = open_city_window(base_raster, boundary)
    numbered = [
        (index + 1, _prepare(change, legend=legend, window=window, encodings=encodings or {}))
        for index, change in enumerate(scenario.changes)
        if LAND_COVER_CHANGES & change.keys()
    ]
    steps = [step for _, step in numbered]
    earlier = {
        year: open_city_window(path, boundary) for year, path in year_rasters.items() if year != scenario.base_year
    }
    for year, other in earlier.items():
        if other.shape != window.shape or not other.transform.almost_equals(window.transform):
            raise CBIInputError(
                f"Land-cover raster {other.path} ({year}) is not on the grid of {window.path} ({scenario.base_year}); "
                "a restore change needs both years on one grid (resample one onto the other, nearest neighbour)."
            )
    effects = [ChangeEffect(step=number, change=step.describe()) for number, step in numbered]
    with rasterio.open(base_raster) as source:
        profile = source.profile | {
            "height": window.shape[0],
            "width": window.shape[1],
            "transform": window.transform,
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
            "compress": "deflate",
        }
        profile.pop("photometric", None)
        with (
            rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB),
            atomic_path(out_tif) as temporary,
            rasterio.open(temporary, "w", **profile) as target,
        ):
            for row_start, row_stop in strips(window.shape[0], block_rows):
                strip = window.read_rows(row_start, row_stop)
                codes = np.array(strip.codes, copy=True)
                inside = strip.weight > 0
                for step, effect in zip(steps, effects, strict=True):
                    changed = step.apply(codes, row_start=row_start, row_stop=row_stop, window=window, earlier=earlier)
                    counted = changed & inside
                    effect.cells_changed += int(counted.sum())
                    effect.area_changed_m2 += float((strip.weight * counted).sum(axis=1) @ strip.row_area_m2)
                rows = rasterio.windows.Window(0, row_start, window.shape[1], row_stop - row_start)
                target.write(codes.astype(profile["dtype"]), 1, window=rows)
    for effect in effects:
        LOGGER.info(
            "Scenario %s, change %d (%s): %d cells, %.2f ha inside the city%s",
            scenario.name,
            effect.step,
            effect.change,
            effect.cells_changed,
            effect.area_changed_m2 / SQUARE_METRES_PER_HECTARE,
            "" if effect.cells_changed else " — it changes nothing",
        )
    return pd.DataFrame([effect.row() for effect in effects], columns=CHANGE_COLUMNS)


@dataclass
class _LandcoverChange:
    path: str
    to: int
    from_codes: frozenset[int] | None
    geometries: Any

    def describe(self) -> str:
        source = "" if self.from_codes is None else f" from {', '.join(map(str, sorted(self.from_codes)))}"
        return f"land cover{source} to {self.to} inside the polygons of {self.path}"

    def apply(self, codes, *, row_start, row_stop, window: CityWindow, earlier) -> np.ndarray:
        height, width = row_stop - row_start, window.shape[1]
        transform = window.transform * rasterio.Affine.translation(0, row_start)
        if len(self.geometries) == 0:
            return np.zeros((height, width), dtype=bool)
        inside = rasterio.features.geometry_mask(
            self.geometries, out_shape=(height, width), transform=transform, all_touched=False, invert=True
        )
        if self.from_codes is not None:
            inside &= np.isin(codes, list(self.from_codes))
        changed = inside & (codes != self.to)
        codes[changed] = self.to
        return changed


@dataclass
class _Restore:
    category: str
    codes: frozenset[int]
    since_year: int

    def describe(self) -> str:
        return f"restore {self.category} lost since {self.since_year} (cells back to their {self.since_year} class)"

    def apply(self, codes, *, row_start, row_stop, window: CityWindow, earlier) -> np.ndarray:
        then = earlier[self.since_year].read_rows(row_start, row_stop).codes
        selected = list(self.codes)
        changed = np.isin(then, selected) & ~np.isin(codes, selected)
        codes[changed] = then[changed]
        return changed


def _prepare(change: Mapping[str, Any], *, legend: Legend, window: CityWindow, encodings: Mapping[str, Any]):
    if "restore" in change:
        category, codes = restore_codes(change, legend=legend)
        return _Restore(category=category, codes=codes, since_year=int(change["since_year"]))
    to, from_codes = landcover_codes(change, legend=legend)
    geometries = change_polygons(change, crs=window.crs, city=window.geometry, encodings=encodings)
    return _LandcoverChange(path=str(change["landcover"]), to=to, from_codes=from_codes, geometries=geometries)


def restore_codes(change: Mapping[str, Any], *, legend: Legend) -> tuple[str, frozenset[int]]:
    """A ``restore`` change's legend category and its codes.

    Raises
    ------
    CBIInputError
        The category is not a legend category.
    """
    category = change["restore"]
    if category not in CATEGORIES:
        raise CBIInputError(
            f"Scenario change restore: {category!r} is not a legend category; use one of {', '.join(CATEGORIES)}."
        )
    return category, legend.codes_in(category)


def landcover_codes(change: Mapping[str, Any], *, legend: Legend) -> tuple[int, frozenset[int] | None]:
    """A ``landcover`` change's ``to`` code and ``from`` codes (None = every code).

    Raises
    ------
    CBIInputError
        A code the legend does not define, naming the code and the legend.
    """
    to = int(change["to"])
    from_codes = None if change.get("from") is None else frozenset(int(code) for code in change["from"])
    for code in [to, *(from_codes or ())]:
        if code not in legend.classes:
            raise CBIInputError(
                f"Scenario change of {change['landcover']}: class code {code} is not in legend {legend.path}; use one "
                f"of its codes ({', '.join(map(str, sorted(legend.classes)))})."
            )
    return to, from_codes


def change_polygons(change: Mapping[str, Any], *, crs: CRS, city, encodings: Mapping[str, Any]) -> list:
    """The polygons of a ``landcover`` change's file (its ``layer`` and ``encoding``, config ``vector_encoding`` as
    ``encodings["default_encoding"]``) in ``crs``, empty geometries, points and lines left out; a warning when none
    meets ``city`` (the change then changes nothing, and says so in its effects)."""
    path = change["landcover"]
    layer, encoding = open_vector_layer(
        path,
        what="Scenario polygons",
        input_column="scenarios",
        layer=change.get("layer"),
        encoding=change.get("encoding"),
        default_encoding=encodings.get("default_encoding"),
    )
    frame = read_vector_frame(path, what="Scenario polygons", input_column="scenarios", layer=layer, encoding=encoding)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if CRS.from_user_input(frame.crs) != crs:
        frame = frame.to_crs(crs)
    geometries = [geometry for geometry in frame.geometry if geometry.geom_type in ("Polygon", "MultiPolygon")]
    if not geometries or not shapely.intersects(shapely.union_all(shapely.make_valid(geometries)), city):
        LOGGER.warning("Scenario polygons %s lie outside the city: the change changes nothing.", path)
    return geometries


def check_overlay_change(spec: Mapping[str, Any], *, kinds: Sequence[str], origin: str) -> None:
    """Check one ``overlay`` change against the city's overlay kinds.

    Raises
    ------
    CBIInputError
        An overlay kind the city sheet does not know, a ``category`` on another kind than the protected areas or
        on a removal, or a category that names none of China's protected-area system.
    """
    kind = spec["overlay"]
    if kind not in kinds:
        raise CBIInputError(
            f"{origin}: overlay {kind!r} is not an overlay of the city sheet; use one of {', '.join(kinds)}."
        )
    category = spec.get("category")
    if category is None:
        return
    if kind != "protected_areas" or "add" not in spec:
        raise CBIInputError(
            f"{origin}: category {category!r} is given for {'adding to' if 'add' in spec else 'removing from'} "
            f"{kind}; give a category only when adding protected areas."
        )
    if category_of(category) is None:
        raise CBIInputError(
            f"{origin}: category {category!r} names no category of China's protected-area system; use one of "
            f"{', '.join(CATEGORY_IDS)}."
        )
