"""What-if scenarios of a city whose land cover is land-use survey polygons (sheet column ``landcover_vector``):
the scenario's changes cut the base year's POLYGONS, exactly, and the changed layer is written as one more land-use
layer (``landuse.gpkg``) that the land-use rules then rasterize and compute exactly as a year (no second
implementation of any indicator: I1, I11 and I12 from its exact polygon areas, I2 on its rasterized grid).

The scenarios file and its checks are those of raster cities (:mod:`cbindex.landcover.scenarios`); the land-cover
changes apply in order to the polygons of the base year (read as the year's rule reads them, overlaps removed), the
overlay and population changes are the overlay rule's, on the scenario's rasterized land cover, as for a raster city:

- ``landcover`` (polygons of a vector file in any CRS, legend code ``to``, optional codes ``from``): each land-use
  polygon holding a ``from`` code (any code when ``from`` is not given) is cut by the change polygons; the part
  inside takes the code ``to``, the part outside keeps its code (an exact vector cut, not cell centres);
- ``restore`` (legend category, ``since_year``): each part of a base polygon whose code is not in the category and
  that lay, in ``since_year``, in a polygon whose code is, gets that polygon's ``since_year`` code back (the
  intersection of the two years' polygons; the other year is the city's ``landcover_vector`` file of that year).

Codes are written as the layer's own text: unchanged polygons keep theirs (``'0201K'``), changed parts take the
text of their legend code (:func:`legend_text_code`: the class's first ``vector_codes`` entry, ``'0301'`` for 301),
which :func:`cbindex.landcover.landuse_polygons.landuse_code` maps back to the same code.

Each change's effect is the count of polygon pieces it changed inside the city (``polygons_changed``) and their
ground area inside the city (``area_changed_ha``, exact, in the ``auto`` equal-area CRS centred on the city that the
exact class areas use, :mod:`cbindex.geo.area_crs`); a change that changes nothing inside the city says so.

Scale: a survey layer may hold a million polygons. A change looks its polygons up in a spatial index (STRtree) a
chunk of land-use polygons at a time (as :func:`cbindex.landcover.landuse_polygons.overlapping_pairs`), never all
pairs, and only the polygons whose interiors meet a change polygon are cut.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from cbindex.core.errors import CBIInputError
from cbindex.core.geopackage import write_geopackage
from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, write_csv
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import BoundarySpec, CityBoundary
from cbindex.geo.legends import Legend, load_legend
from cbindex.landcover.landuse_polygons import (
    MULTIPOLYGON_TYPE_ID,
    POLYGON_TYPE_ID,
    TEXT_COLUMN,
    LandUsePolygons,
    LandUseSpec,
    _equal_area_crs,
    _polygonal,
    clipped_areas_m2,
    landuse_code,
    read_landuse_polygons,
)
from cbindex.landcover.scenarios import LAND_COVER_CHANGES, Scenario, change_polygons, landcover_codes, restore_codes

LOGGER = logging.getLogger(__name__)
CHANGE_COLUMNS = ["step", "change", "polygons_changed", "area_changed_ha", "note"]
"""Columns of a land-use scenario's ``changes.csv``: one row per land-cover change, ``step`` its position among all
the scenario's changes (a raster city's has ``cells_changed`` where this has ``polygons_changed``, the polygon pieces
changed inside the city)."""
CHUNK_SIZE = 100_000
"""Land-use polygons looked up in a change's spatial index at a time."""
LAYER_NAME = "landuse"
"""Layer of ``landuse.gpkg``."""


def legend_text_code(code: int, *, legend: Legend) -> str:
    """The text a land-use layer holds for a legend raster code: the class's first ``vector_codes`` entry
    (``'0301'`` for 301, ``'05H1'`` for 591), else the code's digits padded to four (``'0101'``); the inverse of
    :func:`cbindex.landcover.landuse_polygons.landuse_code`.

    Raises
    ------
    CBIInputError
        The legend does not define the code.
    """
    if code not in legend.classes:
        raise CBIInputError(
            f"Class code {code} is not in legend {legend.path}; use one of its codes "
            f"({', '.join(map(str, sorted(legend.classes)))})."
        )
    vector_codes = legend.classes[code].vector_codes
    return vector_codes[0] if vector_codes else str(code).zfill(4)


@dataclass
class PolygonEffect:
    """How much one change changed inside the city: polygon pieces and their ground area (m²)."""

    step: int
    change: str
    polygons_changed: int = 0
    area_changed_m2: float = 0.0

    def row(self) -> dict[str, Any]:
        note = "" if self.polygons_changed else "changed nothing inside the city"
        area_ha = self.area_changed_m2 / SQUARE_METRES_PER_HECTARE
        values = [self.step, self.change, self.polygons_changed, area_ha, note]
        return dict(zip(CHANGE_COLUMNS, values, strict=True))


def apply_landuse_scenario(
    scenario: Scenario,
    *,
    base: LandUsePolygons,
    since: Mapping[int, LandUsePolygons],
    boundary: CityBoundary,
    legend: Legend,
    encodings: Mapping[str, str | None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The scenario's land-use polygons (columns ``code``, :data:`TEXT_COLUMN` and geometry, in the base layer's
    CRS and order, each changed polygon replaced by its pieces) and the effect of each change
    (:data:`CHANGE_COLUMNS`, one row per change).

    ``base`` is the base year's layer read with ``keep_text``; ``since`` holds the layer of each ``since_year`` a
    ``restore`` change reads (any CRS: reprojected to the base layer's).

    Raises
    ------
    CBIInputError
        A ``to`` or ``from`` code the legend does not define (naming the code and the legend), an unknown
        category, or change polygons that cannot be read.
    """
    crs = base.crs
    frame = base.frame[["code", TEXT_COLUMN, "geometry"]].reset_index(drop=True)
    city = boundary.to_crs(crs, max_segment_length=boundary.densify_step())
    equal_area = _equal_area_crs(city, crs)
    effects = []
    for index, change in enumerate(scenario.changes):
        if not LAND_COVER_CHANGES & change.keys():
            continue  # overlay and population changes: the overlay rule applies them
        if "restore" in change:
            step = _restore_step(change, legend=legend, since=since, crs=crs)
        else:
            step = _landcover_step(change, legend=legend, crs=crs, city=city, encodings=encodings or {})
        frame, changed = step.apply(frame, chunk_size=chunk_size)
        areas_m2 = clipped_areas_m2(frame.geometry.values[changed], city=city, crs=crs, equal_area_crs=equal_area)
        effect = PolygonEffect(
            step=index + 1,
            change=step.describe(),
            polygons_changed=int(np.count_nonzero(areas_m2 > 0)),
            area_changed_m2=float(areas_m2.sum()),
        )
        LOGGER.info(
            "Scenario %s, change %d (%s): %d polygon pieces, %.4f ha inside the city%s",
            scenario.name,
            effect.step,
            effect.change,
            effect.polygons_changed,
            effect.area_changed_m2 / SQUARE_METRES_PER_HECTARE,
            "" if effect.polygons_changed else " — it changes nothing",
        )
        effects.append(effect)
    return frame, pd.DataFrame([effect.row() for effect in effects], columns=CHANGE_COLUMNS)


def apply_city_landuse_scenario(
    *,
    scenario: dict,
    years: list[int],
    year_layers: list[str],
    landuse_spec: Mapping[str, Any],
    boundary: BoundarySpec,
    legend_path: str,
    landuse_gpkg: str,
    changes_csv: str,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Rule apply_landuse_scenario: write a land-use city's scenario layer (``landuse_gpkg``, the code field of
    ``landuse_spec`` holding text codes) and the effect of each change (``changes_csv``).

    ``scenario`` is :meth:`Scenario.as_params`; ``year_layers`` the ``landcover_vector`` files of ``years`` (the
    base year and each ``since_year``), read with ``landuse_spec`` (:class:`LandUseSpec` keywords besides the path)
    over the city's extent, exactly as rule rasterize_landcover_vector reads them.
    """
    plan = Scenario(
        **{key: value for key, value in scenario.items() if key != "changes"}, changes=tuple(scenario["changes"])
    )
    city_boundary = boundary.read()
    legend = load_legend(legend_path)
    extent = shapely.segmentize(shapely.box(*city_boundary.geometry.bounds), city_boundary.densify_step())
    bbox = gpd.GeoSeries([extent], crs=city_boundary.crs)
    layers = {
        year: read_landuse_polygons(LandUseSpec(path, **landuse_spec), legend=legend, bbox=bbox, keep_text=True)
        for year, path in zip(years, year_layers, strict=True)
    }
    frame, effects = apply_landuse_scenario(
        plan,
        base=layers[plan.base_year],
        since={year: layer for year, layer in layers.items() if year != plan.base_year},
        boundary=city_boundary,
        legend=legend,
        encodings={"default_encoding": landuse_spec.get("default_encoding")},
    )
    write_landuse_layer(frame, landuse_gpkg, code_column=landuse_spec["code_column"])
    write_csv(effects, changes_csv, encoding=csv_encoding)


def write_landuse_layer(frame: gpd.GeoDataFrame, path: str | Path, *, code_column: str) -> None:
    """Write scenario polygons as a GeoPackage land-use layer (layer :data:`LAYER_NAME`): the code texts in
    ``code_column`` (the city's own field name), multipolygons, written reproducibly and atomically."""
    layer = gpd.GeoDataFrame(
        {code_column: frame[TEXT_COLUMN].to_numpy()},
        geometry=_as_multipolygons(frame.geometry.values),
        crs=frame.crs,
    )
    write_geopackage(path, {LAYER_NAME: layer}, geometry_type="MultiPolygon")


def _as_multipolygons(geometries) -> np.ndarray:
    geometries = np.asarray(geometries, dtype=object)
    single = shapely.get_type_id(geometries) == POLYGON_TYPE_ID
    result = geometries.copy()
    result[single] = [shapely.MultiPolygon([geometry]) for geometry in geometries[single]]
    return result


# ------------------------------------------------------------------------------------------------ the changes


@dataclass
class _Cut:
    """Pieces that replace some polygons: each affected polygon's remainder keeps its code, its pieces take theirs."""

    affected: np.ndarray
    remainders: np.ndarray
    owners: np.ndarray
    pieces: np.ndarray
    codes: np.ndarray
    texts: np.ndarray

    def into(self, frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        """The frame with the cut applied, in file order (each polygon's pieces where it stood), and which rows
        changed."""
        keep = np.ones(len(frame), dtype=bool)
        keep[self.affected] = False
        remainder_kept = ~shapely.is_empty(self.remainders)
        piece_kept = ~shapely.is_empty(self.pieces)
        old = frame.iloc[np.flatnonzero(keep)]
        parts = [
            (np.flatnonzero(keep), 0, old["code"].to_numpy(), old[TEXT_COLUMN].to_numpy(), old.geometry.values),
            (
                self.affected[remainder_kept],
                0,
                frame["code"].to_numpy()[self.affected[remainder_kept]],
                frame[TEXT_COLUMN].to_numpy()[self.affected[remainder_kept]],
                self.remainders[remainder_kept],
            ),
            (
                self.owners[piece_kept],
                1,
                self.codes[piece_kept],
                self.texts[piece_kept],
                self.pieces[piece_kept],
            ),
        ]
        position = np.concatenate([part[0] for part in parts])
        rank = np.concatenate([np.full(len(part[0]), part[1]) for part in parts])
        order = np.lexsort((rank, position))
        changed = np.concatenate([np.zeros(len(part[0]), dtype=bool) | (part[1] == 1) for part in parts])
        result = gpd.GeoDataFrame(
            {
                "code": np.concatenate([np.asarray(part[2], dtype=np.int64) for part in parts])[order],
                TEXT_COLUMN: np.concatenate([np.asarray(part[3], dtype=object) for part in parts])[order],
            },
            geometry=np.concatenate([np.asarray(part[4], dtype=object) for part in parts])[order],
            crs=frame.crs,
        )
        return result, changed[order]


def _meeting_pairs(geometries: np.ndarray, candidates: np.ndarray, tree: shapely.STRtree, *, chunk_size: int):
    """(polygon, tree item) pairs whose interiors meet, the polygons taken from ``candidates`` a chunk at a time;
    sorted by polygon, then item."""
    found_polygons, found_items = [], []
    for start in range(0, len(candidates), chunk_size):
        chunk = candidates[start : start + chunk_size]
        index, items = tree.query(geometries[chunk], predicate="intersects")
        polygons = chunk[index]
        meet = shapely.relate_pattern(geometries[polygons], tree.geometries[items], "T********")
        found_polygons.append(polygons[meet])
        found_items.append(items[meet])
    polygons = np.concatenate([np.zeros(0, np.intp), *found_polygons])
    items = np.concatenate([np.zeros(0, np.intp), *found_items])
    order = np.lexsort((items, polygons))
    return polygons[order], items[order]


def _covers(polygons: np.ndarray, items: np.ndarray, geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The affected polygons and, for each, the union of the items whose interiors meet it (one item: itself)."""
    affected, first, counts = np.unique(polygons, return_index=True, return_counts=True)
    covers = np.asarray(geometries, dtype=object)[items[first]].copy()
    for position in np.flatnonzero(counts > 1):
        start = first[position]
        covers[position] = shapely.union_all(geometries[items[start : start + counts[position]]])
    return affected, covers


def _polygonal_all(geometries: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (an intersection or difference may add lines or points)."""
    geometries = np.asarray(geometries, dtype=object)
    other = ~np.isin(shapely.get_type_id(geometries), [POLYGON_TYPE_ID, MULTIPOLYGON_TYPE_ID])
    if other.any():
        geometries = geometries.copy()
        geometries[other] = [_polygonal(geometry) for geometry in geometries[other]]
    return geometries


@dataclass
class _LandcoverStep:
    path: str
    to: int
    to_text: str
    from_codes: frozenset[int] | None
    geometries: np.ndarray

    def describe(self) -> str:
        source = "" if self.from_codes is None else f" from {', '.join(map(str, sorted(self.from_codes)))}"
        return f"land use{source} to {self.to} inside the polygons of {self.path}"

    def apply(self, frame: gpd.GeoDataFrame, *, chunk_size: int) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        codes = frame["code"].to_numpy()
        eligible = codes != self.to
        if self.from_codes is not None:
            eligible &= np.isin(codes, list(self.from_codes))
        geometries = np.asarray(frame.geometry.values, dtype=object)
        tree = shapely.STRtree(self.geometries)
        polygons, items = _meeting_pairs(geometries, np.flatnonzero(eligible), tree, chunk_size=chunk_size)
        affected, covers = _covers(polygons, items, self.geometries)
        inside = _polygonal_all(shapely.intersection(geometries[affected], covers))
        outside = _polygonal_all(shapely.difference(geometries[affected], covers))
        cut = _Cut(
            affected=affected,
            remainders=outside,
            owners=affected,
            pieces=inside,
            codes=np.full(len(affected), self.to, dtype=np.int64),
            texts=np.full(len(affected), self.to_text, dtype=object),
        )
        return cut.into(frame)


@dataclass
class _RestoreStep:
    category: str
    codes: frozenset[int]
    since_year: int
    then: gpd.GeoDataFrame

    def describe(self) -> str:
        year = self.since_year
        return f"restore {self.category} lost since {year} (polygon parts back to their {year} class)"

    def apply(self, frame: gpd.GeoDataFrame, *, chunk_size: int) -> tuple[gpd.GeoDataFrame, np.ndarray]:
        selected = list(self.codes)
        geometries = np.asarray(frame.geometry.values, dtype=object)
        eligible = np.flatnonzero(~np.isin(frame["code"].to_numpy(), selected))
        then = self.then[np.isin(self.then["code"].to_numpy(), selected)]
        then_geometries = np.asarray(then.geometry.values, dtype=object)
        tree = shapely.STRtree(then_geometries)
        polygons, items = _meeting_pairs(geometries, eligible, tree, chunk_size=chunk_size)
        affected, covers = _covers(polygons, items, then_geometries)
        cut = _Cut(
            affected=affected,
            remainders=_polygonal_all(shapely.difference(geometries[affected], covers)),
            owners=polygons,
            pieces=_polygonal_all(shapely.intersection(geometries[polygons], then_geometries[items])),
            codes=then["code"].to_numpy()[items].astype(np.int64),
            texts=then[TEXT_COLUMN].to_numpy()[items],
        )
        return cut.into(frame)


def _restore_step(change: Mapping[str, Any], *, legend: Legend, since: Mapping[int, LandUsePolygons], crs: CRS):
    category, codes = restore_codes(change, legend=legend)
    year = int(change["since_year"])
    then = since[year].frame
    if CRS.from_user_input(then.crs) != crs:
        then = then.to_crs(crs)
    return _RestoreStep(category=category, codes=codes, since_year=year, then=then)


def _landcover_step(
    change: Mapping[str, Any], *, legend: Legend, crs: CRS, city, encodings: Mapping[str, Any]
) -> _LandcoverStep:
    to, from_codes = landcover_codes(change, legend=legend)
    geometries = np.asarray(change_polygons(change, crs=crs, city=city, encodings=encodings), dtype=object)
    geometries = _polygonal_all(shapely.make_valid(geometries)) if len(geometries) else geometries
    to_text = legend_text_code(to, legend=legend)
    assert_maps_back(to_text, to, legend=legend)
    return _LandcoverStep(
        path=str(change["landcover"]), to=to, to_text=to_text, from_codes=from_codes, geometries=geometries
    )


def assert_maps_back(text: str, code: int, *, legend: Legend) -> None:
    """Raise when a legend's ``vector_codes`` make ``text`` read back as another code than ``code``."""
    aliases = {alias: c for c, entry in legend.classes.items() for alias in entry.vector_codes}
    if landuse_code(text, aliases=aliases) != code:
        raise CBIInputError(
            f"Legend {legend.path}: code text {text!r} of class {code} reads back as another class; give the class "
            "a vector_codes entry of its own."
        )
