"""Overlay polygon layers (protected areas, ecological red lines, parks): read, filter, repair, dissolve.

The overlay indicators (SI 2014 indicators 9 and 13, the Chinese edition's red-line coverage) measure the part
of the city under a polygon layer. Whatever the file's format and CRS, a layer becomes one dissolved geometry
in the land-cover raster's CRS, so that overlapping polygons count once. Only the features near the city are
read (a national or global layer such as the WDPA can be given whole), and WDPA-style attribute filters choose
which features count (config ``overlays``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import dissolve_polygons
from cbindex.geo.datum_shift import MAX_SHIFT_DEGREES, WGS84_DATUM, check_datum, describe_datum
from cbindex.geo.protected_area_categories import CATEGORY_IDS, categorise
from cbindex.geo.vector_layers import (
    encoding_hint,
    equal_area_ha,
    no_crs_message,
    open_vector_layer,
    read_vector_frame,
    undecodable,
)

LOGGER = logging.getLogger(__name__)

OVERLAY_LABELS: Mapping[str, str] = {
    "protected_areas": "Protected-area file",
    "redline": "Red-line file",
    "parks": "Park file",
}
"""Overlay kinds (the city-sheet column naming each file) and how messages name their files."""

NON_POLYGON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "LinearRing")
BOUNDS_MARGIN = 0.01
"""Relative margin added around the city's window when it is turned into a read filter in the file's CRS."""
DENSIFY_PARTS = 1000
"""Polygons are densified to edges no longer than 1/1000 of the read extent before reprojection."""
MAX_VALUES_IN_MESSAGE = 10
METRES_PER_DEGREE = 111_320.0
"""Metres per degree of latitude (rounded up), to widen a read window in a projected file's units."""


@dataclass(frozen=True)
class AttributeFilter:
    """Which features of an overlay layer count (config ``overlays.<kind>.where`` and ``.exclude``).

    Values are compared as trimmed, case-insensitive text, so ``designated`` matches ``Designated`` and
    ``1`` matches an integer column holding 1.

    Attributes
    ----------
    where : dict of str to tuple of str
        Keep a feature only when, for every column listed, its value is one of the listed values
        (e.g. WDPA ``{"STATUS": ("Designated", "Inscribed", "Adopted", "Established")}``).
    exclude : dict of str to tuple of str
        Drop a feature when, for any column listed, its value is one of the listed values
        (e.g. ``{"DESIG_ENG": ("UNESCO-MAB Biosphere Reserve",)}``).
    """

    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    category_column: str | None = None
    """Column naming each feature's category of China's protected-area system (config
    ``overlays.protected_areas.category_column``): a feature is kept only when its value names one
    (:mod:`cbindex.geo.protected_area_categories`), and the area per category is reported."""

    @classmethod
    def from_config(cls, rules: Mapping[str, Mapping[str, Sequence[object]] | None] | None) -> AttributeFilter:
        """Build the filter from one ``overlays.<kind>`` block of the config (``None`` = keep everything)."""
        rules = rules or {}
        return cls(
            where={str(k): tuple(str(v) for v in values) for k, values in (rules.get("where") or {}).items()},
            exclude={str(k): tuple(str(v) for v in values) for k, values in (rules.get("exclude") or {}).items()},
            category_column=str(rules["category_column"]) if rules.get("category_column") else None,
        )

    @property
    def columns(self) -> list[str]:
        """Every column the filter reads."""
        category = [self.category_column] if self.category_column else []
        return list(dict.fromkeys([*self.where, *self.exclude, *category]))

    def keeps(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean Series: True for the features the filter keeps."""
        kept = pd.Series(True, index=frame.index)
        for column, values in self.where.items():
            kept &= _as_text(frame[column]).isin({_normalise(v) for v in values})
        for column, values in self.exclude.items():
            kept &= ~_as_text(frame[column]).isin({_normalise(v) for v in values})
        if self.category_column:
            kept &= pd.Series(categorise(frame[self.category_column]), index=frame.index).notna()
        return kept

    def describe(self) -> str:
        """The filter in words, for the ``method`` column."""
        parts = [f"{column} in [{', '.join(values)}]" for column, values in self.where.items()]
        parts += [f"{column} not in [{', '.join(values)}]" for column, values in self.exclude.items()]
        if self.category_column:
            parts.append(f"{self.category_column} names a category of China's protected-area system")
        return " and ".join(parts) if parts else "every feature"


@dataclass(frozen=True)
class OverlayPolygons:
    """One overlay layer near the city, dissolved into a single geometry in the raster's CRS.

    Attributes
    ----------
    kind : str
        ``protected_areas``, ``redline`` or ``parks``.
    geometry : shapely geometry
        Union of the kept polygons, clipped to ``clip_bounds``; empty when no kept polygon lies there.
    crs : pyproj.CRS
        CRS of ``geometry`` (the land-cover raster's).
    path, layer : str
        The file and layer read.
    n_near : int
        Features whose envelope meets the city's window (read from the file).
    n_kept : int
        Polygonal features among them that the attribute filter keeps.
    attribute_filter : AttributeFilter
    repaired : bool
        Whether an invalid geometry was repaired with ``make_valid``.
    features_area_ha : float
        Sum of the ``n_kept`` features' own areas, whole (not clipped to the city) and measured in an
        equal-area projection centred on them, hectares (overlaps counted each time). When a filter keeps more
        than one feature, the number and this area are logged as a warning; they belong in the scorecard's
        provenance and the report.
    """

    kind: str
    geometry: BaseGeometry
    crs: CRS
    path: str
    layer: str
    n_near: int
    n_kept: int
    attribute_filter: AttributeFilter
    repaired: bool
    features_area_ha: float = 0.0
    datum: str = WGS84_DATUM
    """The datum the file's longitudes/latitudes were in (``gcj02``, ``bd09``: converted to WGS 84 on reading)."""
    categories: Mapping[str, BaseGeometry] = field(default_factory=dict)
    """With a category column: per category id present near the city, its polygons in ``crs`` minus those of
    the categories before it (:data:`~cbindex.geo.protected_area_categories.CATEGORIES` order), so the categories
    partition ``geometry`` and every cell counts once."""

    @property
    def n_features(self) -> int:
        """Features dissolved into ``geometry`` (``n_kept``; same name as :attr:`CityBoundary.n_features`)."""
        return self.n_kept

    def describe(self) -> str:
        """Where the polygons come from, for the ``method`` column."""
        text = (
            f"{Path(self.path).name} layer {self.layer}: {self.n_kept} of {self.n_near} features near the "
            f"city kept ({self.attribute_filter.describe()}; {self.features_area_ha:,.1f} ha as features), dissolved"
        )
        if self.datum != WGS84_DATUM:
            text += f"; {describe_datum(self.datum)}"
        return text + (
            "; no kept polygon lies in the city's extent (check the CRS if unexpected)"
            if self.geometry.is_empty
            else ""
        )


def read_overlay_polygons(
    path: str | Path,
    *,
    kind: str,
    target_crs: CRS,
    clip_bounds: tuple[float, float, float, float],
    layer: str | None = None,
    attribute_filter: AttributeFilter | None = None,
    encoding: str | None = None,
    default_encoding: str | None = None,
    datum: str = WGS84_DATUM,
) -> OverlayPolygons:
    """Read the polygons of an overlay layer near the city, filter them, and dissolve them in ``target_crs``.

    Steps: read the features whose envelope meets ``clip_bounds`` (transformed to the file's CRS, with a 1 %
    margin); keep those the attribute filter keeps; drop points and lines; repair invalid geometries; dissolve
    (union, so overlapping polygons count once); clip to the read extent; densify edges to 1/1000 of it and
    reproject to ``target_crs``; clip to ``clip_bounds``.

    Parameters
    ----------
    path : path-like
        Any vector file GDAL reads (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, ...), any CRS.
    kind : {"protected_areas", "redline", "parks"}
        The overlay kind: names the city-sheet columns and config keys in messages.
    target_crs : pyproj.CRS
        The land-cover raster's CRS.
    clip_bounds : tuple of float
        ``(left, bottom, right, top)`` of the city's raster window, in ``target_crs``.
    layer : str, optional
        Layer of a multi-layer file (city-sheet column ``<kind>_layer``); required when the file has several.
    attribute_filter : AttributeFilter, optional
        Which features count; default keeps all. A filter keeping several features dissolves them, with a
        warning in the log giving their number and area.
    encoding : str, optional
        Encoding of the file's text attributes, passed to GDAL whatever the file declares (e.g. ``"gbk"`` for a
        Chinese Shapefile without a ``.cpg``; city-sheet column ``<kind>_encoding``: ``protected_areas_encoding``,
        ``redline_encoding``, ``parks_encoding``); None lets GDAL decide.
    default_encoding : str, optional
        Encoding used when ``encoding`` is not given and the file declares none (config ``vector_encoding``;
        :func:`~cbindex.geo.vector_layers.text_encoding`).
    datum : {"wgs84", "gcj02", "bd09"}
        Datum of the file's longitudes/latitudes (city-sheet column ``<kind>_datum``); converted to WGS 84 on
        reading (:mod:`cbindex.geo.datum_shift`), the read window widened by the largest shift.

    Returns
    -------
    OverlayPolygons
        With an empty geometry (and a warning in the log) when no kept polygon lies near the city: the
        indicator is then 0, not an error, since a city may have no protected area.

    Raises
    ------
    CBIInputError
        Missing or unreadable file, several layers and none named, an unknown layer, text the encoding cannot
        decode, no CRS, a layer without features or without polygons, or a filter column the layer lacks.
    """
    label = OVERLAY_LABELS.get(kind, f"Coverage-layer file ({kind})")
    path = str(path)
    attribute_filter = attribute_filter or AttributeFilter()
    layer, encoding = open_vector_layer(
        path, what=label, input_column=kind, layer=layer, encoding=encoding, default_encoding=default_encoding
    )
    try:
        info = pyogrio.read_info(path, layer=layer, encoding=encoding)
    except UnicodeDecodeError as error:
        raise CBIInputError(
            undecodable(path, error, what=label, encoding=encoding, sheet_column=f"{kind}_encoding")
        ) from error
    if info["crs"] is None:
        raise CBIInputError(no_crs_message(path, what=label))
    if info["features"] == 0:
        raise CBIInputError(
            f"{label} {path} holds no features; give the polygons or leave the city sheet's {kind} column empty."
        )
    missing = [column for column in attribute_filter.columns if column not in set(info["fields"])]
    if missing:
        fields = list(map(str, info["fields"]))
        raise CBIInputError(
            f"{label} {path} has no column {missing[0]!r} (columns: {', '.join(fields)}); "
            f"{encoding_hint(fields, sheet_column=f'{kind}_encoding', what='column names')}fix "
            f"overlays.{kind} in config/config.yaml."
        )
    datum = check_datum(datum, sheet_column=f"{kind}_datum")
    source_crs = CRS.from_user_input(info["crs"])
    source_bounds = _bounds_in(clip_bounds, source=target_crs, destination=source_crs)
    if datum != WGS84_DATUM:
        shift = MAX_SHIFT_DEGREES if source_crs.is_geographic else MAX_SHIFT_DEGREES * METRES_PER_DEGREE
        source_bounds = (*(b - shift for b in source_bounds[:2]), *(b + shift for b in source_bounds[2:]))
    frame = read_vector_frame(
        path, what=label, input_column=kind, layer=layer, encoding=encoding, datum=datum, bbox=source_bounds
    )
    if datum != WGS84_DATUM:
        source_crs = CRS.from_user_input(frame.crs)
        source_bounds = _bounds_in(clip_bounds, source=target_crs, destination=source_crs)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    n_near = len(frame)
    kept = frame[attribute_filter.keeps(frame)] if n_near else frame
    polygonal = kept[~kept.geometry.geom_type.isin(NON_POLYGON_TYPES)]
    if len(polygonal) < len(kept):
        if polygonal.empty:
            raise CBIInputError(
                f"{label} {path} holds no polygons near the city (only {', '.join(kept.geom_type.unique())}); "
                "give a polygon layer."
            )
        LOGGER.warning("%s %s: ignored %d point or line features.", label, path, len(kept) - len(polygonal))
    dissolved, repaired = dissolve_polygons(polygonal.geometry, origin=f"{label} {path}")
    features_area_ha = equal_area_ha(polygonal.geometry)
    if attribute_filter.columns and len(polygonal) > 1:
        LOGGER.warning(
            "%s %s: the filter (%s) keeps %d features near the city (%.1f ha in total, whole, equal-area), "
            "dissolved into one layer.",
            label,
            path,
            attribute_filter.describe(),
            len(polygonal),
            features_area_ha,
        )

    def to_target(geometry: BaseGeometry) -> BaseGeometry:
        return _to_target(
            geometry,
            source=source_crs,
            target=target_crs,
            source_bounds=source_bounds,
            clip_bounds=clip_bounds,
            origin=f"{label} {path}",
        )

    geometry = to_target(dissolved)
    categories = {}
    if attribute_filter.category_column:
        categories = {
            name: to_target(part)
            for name, part in exclusive_categories(polygonal, column=attribute_filter.category_column).items()
        }
    if geometry.is_empty:
        _warn_nothing_near(
            label, path, kind=kind, frame=frame, n_kept=len(polygonal), attribute_filter=attribute_filter
        )
    LOGGER.info(
        "%s %s: %d features near the city, %d kept (%s)",
        label,
        path,
        n_near,
        len(polygonal),
        attribute_filter.describe(),
    )
    return OverlayPolygons(
        kind=kind,
        geometry=geometry,
        crs=target_crs,
        path=path,
        layer=layer,
        n_near=n_near,
        n_kept=len(polygonal),
        attribute_filter=attribute_filter,
        repaired=repaired,
        features_area_ha=features_area_ha,
        datum=datum,
        categories=categories,
    )


def exclusive_categories(frame: gpd.GeoDataFrame, *, column: str) -> dict[str, BaseGeometry]:
    """Per category of China's protected-area system present in ``frame``, its polygons dissolved, minus the land
    of every category before it in :data:`~cbindex.geo.protected_area_categories.CATEGORIES` (national park, nature
    reserve, then the natural-park types), in ``frame``'s CRS: the parts partition the union of ``frame``."""
    labels = pd.Series(categorise(frame[column]), index=frame.index)
    taken: BaseGeometry = shapely.Polygon()
    parts = {}
    for category_id in CATEGORY_IDS:
        members = frame.geometry[labels == category_id]
        if members.empty:
            continue
        dissolved, _ = dissolve_polygons(members, origin=f"Protected areas of category {category_id}")
        parts[category_id] = shapely.difference(dissolved, taken)
        taken = shapely.union(taken, dissolved)
    return parts


def _bounds_in(bounds: tuple[float, float, float, float], *, source: CRS, destination: CRS) -> tuple[float, ...]:
    """``bounds`` in ``destination`` (densified edges), widened by :data:`BOUNDS_MARGIN` of its size."""
    if source != destination:
        transformer = Transformer.from_crs(source, destination, always_xy=True)
        bounds = transformer.transform_bounds(*bounds, densify_pts=21)
    left, bottom, right, top = bounds
    margin_x, margin_y = (right - left) * BOUNDS_MARGIN, (top - bottom) * BOUNDS_MARGIN
    return (left - margin_x, bottom - margin_y, right + margin_x, top + margin_y)


def _to_target(
    geometry: BaseGeometry,
    *,
    source: CRS,
    target: CRS,
    source_bounds: tuple[float, ...],
    clip_bounds: tuple[float, float, float, float],
    origin: str,
) -> BaseGeometry:
    """Clip to the read extent, densify, reproject, repair what reprojection broke, clip to the window."""
    if geometry.is_empty:
        return geometry
    geometry = shapely.clip_by_rect(geometry, *source_bounds)
    if source != target and not geometry.is_empty:
        left, bottom, right, top = source_bounds
        step = max(right - left, top - bottom) / DENSIFY_PARTS
        geometry = gpd.GeoSeries([geometry], crs=source).segmentize(step).to_crs(target).iloc[0]
        geometry, _ = dissolve_polygons([geometry], origin=f"{origin} (reprojected)")
    return shapely.clip_by_rect(geometry, *clip_bounds)


def _warn_nothing_near(
    label: str,
    path: str,
    *,
    kind: str,
    frame: gpd.GeoDataFrame,
    n_kept: int,
    attribute_filter: AttributeFilter,
) -> None:
    if frame.empty or n_kept:
        LOGGER.warning(
            "%s %s: no polygon lies within the city's extent, so its area in the city is 0; if the city does have "
            "such areas, check the file's CRS and extent.",
            label,
            path,
        )
        return
    found = []
    hint = ""
    for column in attribute_filter.columns:
        values = sorted(frame[column].astype(str).str.strip().unique())
        found.append(f"{column}: {', '.join(values[:MAX_VALUES_IN_MESSAGE])}")
        hint = hint or encoding_hint(values, sheet_column=f"{kind}_encoding")
    LOGGER.warning(
        "%s %s: the filter (%s) keeps none of the %d features near the city, so the area is 0; values found there: "
        "%s; %sfix overlays.%s in config/config.yaml if the city has such areas.",
        label,
        path,
        attribute_filter.describe(),
        len(frame),
        "; ".join(found),
        hint,
        kind,
    )


def _normalise(value: object) -> str:
    return str(value).strip().casefold()


def _as_text(column: pd.Series) -> pd.Series:
    return column.map(_normalise)
