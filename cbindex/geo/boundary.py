"""Reading the city boundary: pick the city's features, check the CRS, repair geometries, dissolve."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from cbindex.core.errors import CBIInputError
from cbindex.geo.datum_shift import WGS84_DATUM, check_datum
from cbindex.geo.vector_layers import (
    encoding_hint,
    equal_area_ha,
    found_values,
    open_vector_layer,
    read_vector_frame,
)

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class CityBoundary:
    """The city's area of assessment: one (multi)polygon and its CRS.

    Attributes
    ----------
    geometry : shapely geometry
        The dissolved (multi)polygon.
    crs : pyproj.CRS
    path : str
        The file read.
    repaired : bool
        Whether an invalid geometry was repaired with ``make_valid``.
    layer : str or None
        The layer read (None when the boundary was not read from a file).
    datum : str
        City-sheet ``boundary_datum``: ``wgs84``, or ``gcj02``/``bd09`` when the outline was converted to WGS 84.
    n_features : int
        Non-empty features dissolved into ``geometry`` (those the filter matched, or all): more than one
        with a filter is logged as a warning and belongs in the scorecard's provenance and the report.
    features_area_ha : float or None
        Sum of those features' own areas in an equal-area projection centred on them, hectares (overlaps
        counted each time, so it exceeds the dissolved area when features overlap); None when not measured.
    """

    geometry: BaseGeometry
    crs: CRS
    path: str
    repaired: bool
    layer: str | None = None
    n_features: int = 1
    features_area_ha: float | None = None
    datum: str = WGS84_DATUM
    """The datum the file's longitudes/latitudes were in (``wgs84``, ``gcj02``, ``bd09``), converted to WGS 84."""

    def densify_step(self, *, segments_across: int = 1000) -> float:
        """A segment length, in the boundary's own units, of 1/``segments_across`` of its larger extent."""
        left, bottom, right, top = self.geometry.bounds
        return max(right - left, top - bottom) / segments_across

    def to_crs(self, crs: CRS, *, max_segment_length: float | None = None) -> BaseGeometry:
        """The boundary in another CRS; edges are densified first so long edges follow the projection."""
        geometry = self.geometry
        if max_segment_length:
            geometry = shapely.segmentize(geometry, max_segment_length)
        series = gpd.GeoSeries([geometry], crs=self.crs).to_crs(crs)
        return series.iloc[0]


@dataclass(frozen=True)
class BoundarySpec:
    """Where a city's boundary is: the file, which of its features make up the city and how its text is decoded
    (city-sheet columns ``boundary``, ``boundary_layer``, ``boundary_filter_column``, ``boundary_filter_value``,
    ``boundary_encoding``, and config ``vector_encoding`` as ``default_encoding``).

    Empty texts mean "not given", as in the sheet: the file's only layer, every feature, the file's own encoding.
    """

    path: str
    layer: str | None = None
    filter_column: str | None = None
    filter_value: str | None = None
    encoding: str | None = None
    default_encoding: str | None = None
    datum: str | None = None

    def read(self) -> CityBoundary:
        """The city boundary (:func:`read_city_boundary`)."""
        return read_city_boundary(
            self.path,
            layer=self.layer or None,
            filter_column=self.filter_column or None,
            filter_value=self.filter_value,
            encoding=self.encoding or None,
            default_encoding=self.default_encoding or None,
            datum=self.datum or WGS84_DATUM,
        )


def read_city_boundary(
    path: str | Path,
    *,
    layer: str | None = None,
    filter_column: str | None = None,
    filter_value: str | None = None,
    encoding: str | None = None,
    default_encoding: str | None = None,
    datum: str = WGS84_DATUM,
) -> CityBoundary:
    """Read the features that make up a city and dissolve them into one polygonal geometry.

    Parameters
    ----------
    path : path-like
        Any vector file GDAL reads (GeoPackage, GeoJSON, Shapefile).
    layer : str, optional
        Layer name (city-sheet column ``boundary_layer``); required when the file has several layers.
    filter_column, filter_value : str, optional
        Keep only features whose ``filter_column`` equals ``filter_value`` (compared as text, so
        ``"TRUE"`` matches a boolean ``True`` too). Without a filter, all features are used. A filter matching
        several features dissolves them all, with a warning in the log giving their number and area.
    encoding : str, optional
        Encoding of the file's text attributes, passed to GDAL whatever the file declares (e.g. ``"gbk"`` for a
        Chinese Shapefile without a ``.cpg``; city-sheet column ``boundary_encoding``); None lets GDAL decide.
    default_encoding : str, optional
        Encoding used when ``encoding`` is not given and the file declares none (config ``vector_encoding``;
        :func:`~cbindex.geo.vector_layers.text_encoding`).
    datum : {"wgs84", "gcj02", "bd09"}
        Datum of the file's longitudes/latitudes (city-sheet column ``boundary_datum``); converted to WGS 84 before
        anything else (:mod:`cbindex.geo.datum_shift`), so the boundary is then in EPSG:4326.

    Returns
    -------
    CityBoundary
        Invalid geometries are repaired with ``shapely.make_valid`` (and the repair is logged); only the
        polygonal parts of GeometryCollections are kept. ``layer``, ``n_features`` and ``features_area_ha``
        say what was dissolved.

    Raises
    ------
    CBIInputError
        Missing or unreadable file, several layers and none named, an unknown layer, text the encoding cannot
        decode, no CRS, unknown filter column, a filter matching nothing (the message lists values found and,
        when they look mis-decoded, asks for the encoding), or an empty result.
    """
    path = str(path)
    layer, encoding = open_vector_layer(
        path,
        what="Boundary file",
        input_column="boundary",
        layer=layer,
        encoding=encoding,
        default_encoding=default_encoding,
    )
    datum = check_datum(datum, sheet_column="boundary_datum")
    frame = read_vector_frame(
        path, what="Boundary file", input_column="boundary", layer=layer, encoding=encoding, datum=datum
    )
    if filter_column:
        columns = list(map(str, frame.columns.drop("geometry")))
        if filter_column not in frame.columns:
            raise CBIInputError(
                f"Boundary file {path} has no column {filter_column!r} (columns: {', '.join(columns)}); "
                f"{encoding_hint(columns, sheet_column='boundary_encoding', what='column names')}fix "
                "boundary_filter_column in the city sheet."
            )
        text = frame[filter_column].astype(str)
        selected = frame[text.str.lower() == str(filter_value).lower()]
        if selected.empty:
            raise CBIInputError(
                f"No feature of boundary file {path} has {filter_column} = {filter_value!r} (values found: "
                f"{found_values(text)}); {encoding_hint(text, sheet_column='boundary_encoding')}fix "
                "boundary_filter_value in the city sheet."
            )
        frame = selected
    geometries = [g for g in frame.geometry if g is not None and not g.is_empty]
    if not geometries:
        raise CBIInputError(f"Boundary file {path} holds only empty geometries; give the city's polygon.")
    dissolved, repaired = dissolve_polygons(geometries, origin=f"Boundary {path}")
    if dissolved.is_empty or dissolved.area == 0:
        raise CBIInputError(
            f"Boundary file {path} has no polygon area after repair; give the city's polygon, not lines or points."
        )
    features_area_ha = equal_area_ha(gpd.GeoSeries(geometries, crs=frame.crs))
    if filter_column and len(geometries) > 1:
        LOGGER.warning(
            "Boundary file %s: the filter %s = %r matches %d features (%.1f ha in total, equal-area), dissolved "
            "into one boundary; if one feature was meant, make the filter match it alone.",
            path,
            filter_column,
            filter_value,
            len(geometries),
            features_area_ha,
        )
    return CityBoundary(
        geometry=dissolved,
        crs=CRS.from_user_input(frame.crs),
        path=path,
        repaired=repaired,
        layer=layer,
        n_features=len(geometries),
        features_area_ha=features_area_ha,
        datum=datum,
    )


def dissolve_polygons(geometries: Iterable[BaseGeometry], *, origin: str) -> tuple[BaseGeometry, bool]:
    """Repair invalid geometries, keep their polygonal parts and dissolve them into one geometry.

    Parameters
    ----------
    geometries : iterable of shapely geometries
        Non-empty geometries of any type; lines and points are dropped.
    origin : str
        What the geometries are (e.g. ``"Boundary city.gpkg"``), named in the log when one is repaired.

    Returns
    -------
    tuple of (geometry, bool)
        The union of the polygonal parts (an empty Polygon when there are none; overlaps count once) and
        whether any geometry was invalid and repaired with ``shapely.make_valid``.
    """
    repaired = False
    fixed = []
    for geometry in geometries:
        if not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = shapely.make_valid(geometry)
            repaired = True
            LOGGER.warning("%s: repaired an invalid geometry with make_valid (%s).", origin, reason)
        fixed.append(_polygonal_part(geometry))
    return _polygonal_part(shapely.union_all(fixed)), repaired


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only the polygons of a geometry (GeometryCollections from make_valid may hold lines)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    if geometry.geom_type == "GeometryCollection":
        parts = [_polygonal_part(part) for part in geometry.geoms]
        polygons = [p for p in parts if not p.is_empty]
        return shapely.union_all(polygons) if polygons else shapely.Polygon()
    return shapely.Polygon()
