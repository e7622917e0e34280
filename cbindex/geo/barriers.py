"""Anthropogenic barriers for the connectivity indicator (SI 2014, indicator 2).

The 2014 manual: patches less than 100 m apart are not connected across roads 15 m or more in width or with
more than 5,000 cars a day, highly modified rivers, concretised canals, heavily built-up areas, and any other
structure the city considers a barrier. Lines (roads, canals) become barriers when wide or busy enough and
are buffered by half their width; polygons are barriers as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from affine import Affine
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.vector_layers import (
    encoding_hint,
    found_values,
    open_vector_layer,
    read_vector_frame,
)

LOGGER = logging.getLogger(__name__)
LINE_TYPES = ("LineString", "MultiLineString")
POLYGON_TYPES = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class BarrierRule:
    """Which features of a barrier layer cut connections (config ``barriers``).

    Attributes
    ----------
    width_column : str or None
        Column with a line's width in metres (e.g. OSM ``width``); used when present and numeric.
    class_column : str or None
        Column with a road class (e.g. OSM ``highway``), mapped to a width by ``class_widths_m``.
    class_widths_m : dict of str to float
        Typical carriageway width of each class, metres, for lines without a width.
    min_width_m : float
        Lines at least this wide are barriers (SI 2014: 15 m).
    traffic_column : str or None
        Column with vehicles per day; lines busier than ``min_daily_traffic`` are barriers whatever their width.
    min_daily_traffic : float
        SI 2014: 5,000 vehicles a day.
    builtup_is_barrier : bool
        Also treat the land-cover category ``built_up`` as a barrier ("heavily built-up areas").
    """

    width_column: str | None = "width"
    class_column: str | None = "highway"
    class_widths_m: dict[str, float] = field(default_factory=dict)
    min_width_m: float = 15.0
    traffic_column: str | None = None
    min_daily_traffic: float = 5000.0
    builtup_is_barrier: bool = False


@dataclass(frozen=True)
class BarrierSpec:
    """Where a city's barriers are and how to read them: the file (city-sheet column ``barriers``), the rule of
    what cuts connections (config ``barriers``), and ``layer``, ``encoding``, ``default_encoding`` (sheet columns
    ``barriers_layer``, ``barriers_encoding``, config ``vector_encoding``; empty texts mean "not given")."""

    path: str
    rule: BarrierRule
    layer: str | None = None
    encoding: str | None = None
    default_encoding: str | None = None

    @classmethod
    def of_files(cls, files: Sequence[str], *, rule: Mapping, **read_settings: str | None) -> BarrierSpec | None:
        """The spec of a rule's optional barrier input: None when the sheet names no file."""
        return cls(str(files[0]), BarrierRule(**rule), **read_settings) if files else None

    def read(self, *, city: CityBoundary) -> gpd.GeoSeries:
        """The barrier polygons within reach of the city (:func:`read_barriers`)."""
        return read_barriers(
            self.path,
            rule=self.rule,
            city=city,
            layer=self.layer,
            encoding=self.encoding,
            default_encoding=self.default_encoding,
        )


def read_barriers(
    path: str,
    *,
    rule: BarrierRule,
    city: CityBoundary,
    layer: str | None = None,
    encoding: str | None = None,
    default_encoding: str | None = None,
) -> gpd.GeoSeries:
    """Barrier polygons of a vector layer, in a local equal-area metric CRS, clipped near the city.

    Parameters
    ----------
    path : str
        Any vector file GDAL reads (city-sheet column ``barriers``).
    rule : BarrierRule
    city : CityBoundary
    layer : str, optional
        Layer name (city-sheet column ``barriers_layer``); required when the file has several layers.
    encoding : str, optional
        Encoding of the file's text attributes, passed to GDAL whatever the file declares (e.g. ``"gbk"`` for a
        Chinese Shapefile without a ``.cpg``; city-sheet column ``barriers_encoding``); None lets GDAL decide.
    default_encoding : str, optional
        Encoding used when ``encoding`` is not given and the file declares none (config ``vector_encoding``;
        :func:`~cbindex.geo.vector_layers.text_encoding`).

    Returns
    -------
    geopandas.GeoSeries
        Qualifying lines buffered by half their width, and every polygon; empty when nothing qualifies.

    Raises
    ------
    CBIInputError
        Missing or unreadable file, several layers and none named, an unknown layer, no CRS, a configured
        column that the layer lacks, or road classes that look mis-decoded and match none of
        ``class_widths_m`` for lines without a width.
    """
    layer, encoding = open_vector_layer(
        path,
        what="Barrier file",
        input_column="barriers",
        layer=layer,
        encoding=encoding,
        default_encoding=default_encoding,
    )
    frame = read_vector_frame(path, what="Barrier file", input_column="barriers", layer=layer, encoding=encoding)
    for key in ("traffic_column",):
        column = getattr(rule, key)
        if column and column not in frame.columns:
            raise CBIInputError(f"Barrier file {path} has no column {column!r}; fix barriers.{key} in the config.")
    metric = local_metric_crs(city)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty].to_crs(metric)
    lines = frame[frame.geometry.geom_type.isin(LINE_TYPES)]
    polygons = frame[frame.geometry.geom_type.isin(POLYGON_TYPES)]
    _check_classes_decoded(lines, rule=rule, path=path)
    widths = line_widths_m(lines, rule=rule)
    busy = pd.Series(False, index=lines.index)
    if rule.traffic_column:
        busy = pd.to_numeric(lines[rule.traffic_column], errors="coerce").fillna(0) > rule.min_daily_traffic
    qualifying = (widths >= rule.min_width_m) | busy
    buffered = lines.geometry[qualifying].buffer(widths[qualifying].clip(lower=1.0) / 2, cap_style="flat")
    LOGGER.info(
        "Barriers %s: %d of %d lines qualify (width >= %g m or busy), %d polygons",
        path,
        int(qualifying.sum()),
        len(lines),
        rule.min_width_m,
        len(polygons),
    )
    return gpd.GeoSeries(pd.concat([buffered, polygons.geometry.make_valid()]), crs=metric)


def line_widths_m(lines: gpd.GeoDataFrame, *, rule: BarrierRule) -> pd.Series:
    """Width of each line in metres: the width column where numeric, else the class's width, else 0."""
    widths = pd.Series(np.nan, index=lines.index, dtype=float)
    if rule.width_column and rule.width_column in lines.columns:
        widths = pd.to_numeric(lines[rule.width_column], errors="coerce")
    if rule.class_column and rule.class_column in lines.columns:
        by_class = lines[rule.class_column].map(rule.class_widths_m).astype(float)
        widths = widths.fillna(by_class)
    return widths.fillna(0.0)


def _check_classes_decoded(lines: gpd.GeoDataFrame, *, rule: BarrierRule, path: str) -> None:
    """Fail when the lines that need their class for a width have mis-decoded classes matching no configured one.

    A Chinese Shapefile read without its encoding turns ``高速公路`` into ``¸ßËÙ¹«Â·``: no class would match
    ``class_widths_m`` and every such road would silently count as 0 m wide (no barrier).
    """
    if not (rule.class_column and rule.class_widths_m and rule.class_column in lines.columns):
        return
    without_width = pd.Series(True, index=lines.index)
    if rule.width_column and rule.width_column in lines.columns:
        without_width = pd.to_numeric(lines[rule.width_column], errors="coerce").isna()
    classes = lines.loc[without_width, rule.class_column].dropna().astype(str)
    if classes.empty or classes.isin(set(rule.class_widths_m)).any():
        return
    hint = encoding_hint(classes, sheet_column="barriers_encoding")
    if hint:
        raise CBIInputError(
            f"Barrier file {path} has no {rule.class_column} value matching barriers.class_widths_m (values found: "
            f"{found_values(classes)}); {hint}fix barriers.class_widths_m in the config."
        )


def local_metric_crs(city: CityBoundary) -> CRS:
    """Lambert azimuthal equal-area CRS centred on the city (metres)."""
    centre = city.to_crs(CRS.from_epsg(4326)).centroid
    return CRS.from_proj4(f"+proj=laea +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")


def barrier_mask(geometries: gpd.GeoSeries, *, crs: CRS, shape: tuple[int, int], transform: Affine) -> np.ndarray:
    """Cells touched by any barrier polygon (all-touched rasterisation, so no barrier slips between cells)."""
    if geometries is None or geometries.empty:
        return np.zeros(shape, dtype=bool)
    in_raster_crs: list[BaseGeometry] = list(geometries.to_crs(crs).geometry)
    shapes = [geometry for geometry in in_raster_crs if not shapely.is_empty(geometry)]
    if not shapes:
        return np.zeros(shape, dtype=bool)
    return rasterio.features.geometry_mask(shapes, out_shape=shape, transform=transform, invert=True, all_touched=True)
