"""A city's districts (区/县, cantons): reading the polygon layer, how it tiles the city, and the district-id raster.

Every district-level figure comes from one district id per land-cover cell (:func:`district_ids`), burnt with the
boundary rule the city uses, so that each cell of the city counts in exactly one district (or in none, id 0) and
the district areas add up to the city's own. How the polygons themselves tile the city is measured on the
polygons, in hectares on an equal-area projection (:func:`district_tiling`): the city area in no district (gaps),
the area in more than one district (overlaps: counted once, in the first district of the file), and district area
outside the city; the workflow reports each of them and never silently accepts them.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
import shapely
from affine import Affine
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import CityBoundary, dissolve_polygons
from cbindex.geo.datum_shift import check_datum
from cbindex.geo.exact_coverage import exact_coverage_fractions
from cbindex.geo.vector_layers import encoding_hint, equal_area_ha, open_vector_layer, read_vector_frame

LOGGER = logging.getLogger(__name__)

NO_DISTRICT = 0
"""District id of a city cell that lies in no district (a gap between the district polygons)."""
WHAT = "Districts file"
AREA_SLACK_HA = 1e-4
"""Gaps, overlaps and parts outside smaller than this (1 m²) are rounding of the polygon arithmetic, not a finding."""


@dataclass(frozen=True)
class DistrictTiling:
    """How the district polygons cover the city, hectares on an equal-area projection centred on them.

    Attributes
    ----------
    gap_ha : float
        City area in no district: ``area(city − ∪ districts)``.
    overlap_ha : float
        Area shared by districts: the sum over pairs of districts of ``area(d_i ∩ d_j)`` (land in three districts
        counts in each of its pairs); on the land-cover grid an overlapping cell counts in one district only.
    outside_ha : float
        District area outside the city: ``area(∪ districts − city)``.
    overlaps : tuple of (str, str, float)
        Each pair of districts that overlap, with the area they share (ha).
    outside : tuple of (str, float)
        Each district with part of its area outside the city, and that area (ha).
    """

    gap_ha: float
    overlap_ha: float
    outside_ha: float
    overlaps: tuple[tuple[str, str, float], ...] = ()
    outside: tuple[tuple[str, float], ...] = ()

    @property
    def tiles(self) -> bool:
        """Whether the districts tile the city: no gap, overlap or part outside larger than :data:`AREA_SLACK_HA`."""
        return max(self.gap_ha, self.overlap_ha, self.outside_ha) <= AREA_SLACK_HA

    def describe(self) -> str:
        """One sentence for the log, the table's method column and the report."""
        overlaps = "; ".join(f"{a} / {b} {ha:.4g} ha" for a, b, ha in self.overlaps)
        return (
            f"city area in no district {self.gap_ha:.4g} ha, area in more than one district {self.overlap_ha:.4g} ha"
            f"{f' ({overlaps})' if overlaps else ''}, district area outside the city {self.outside_ha:.4g} ha"
        )


@dataclass(frozen=True)
class CityDistricts:
    """The districts of a city: names in file order, one dissolved polygon each, optional residents.

    Attributes
    ----------
    names : tuple of str
        District names (district id = position + 1; :data:`NO_DISTRICT` = 0 is no district).
    geometries : tuple of shapely geometry
        One (multi)polygon per district in ``crs`` (features of the same name dissolved, invalid ones repaired).
    crs : pyproj.CRS
    path : str
    population : tuple of (float or None), optional
        Residents per district (column ``districts_population_column`` or the CSV ``districts_population``), None
        when not given; an entry is None for a district the CSV has no row for.
    tiling : DistrictTiling
    """

    names: tuple[str, ...]
    geometries: tuple[BaseGeometry, ...]
    crs: CRS
    path: str
    tiling: DistrictTiling
    population: tuple[float | None, ...] | None = None

    def to_crs(self, crs: CRS, *, max_segment_length: float | None = None) -> list[BaseGeometry]:
        """The district polygons in another CRS, edges densified first so that long edges follow the projection."""
        geometries = list(self.geometries)
        if max_segment_length:
            geometries = list(shapely.segmentize(np.asarray(geometries, dtype=object), max_segment_length))
        return list(gpd.GeoSeries(geometries, crs=self.crs).to_crs(crs))


@dataclass(frozen=True)
class DistrictsSpec:
    """Where a city's districts are and how to read them (city-sheet columns ``districts``, ``districts_layer``,
    ``districts_name_column``, ``districts_population_column``, ``districts_encoding``, ``districts_datum``, config
    ``vector_encoding`` as ``default_encoding``; ``districts_population`` as ``population_csv``); empty texts mean
    "not given"."""

    path: str
    layer: str | None = None
    name_column: str | None = None
    population_column: str | None = None
    encoding: str | None = None
    default_encoding: str | None = None
    population_csv: str | None = None
    datum: str | None = None

    def read(self, *, city: CityBoundary) -> CityDistricts:
        """The districts (:func:`read_districts`), with residents from ``population_csv`` (the sheet's
        ``districts_population``, :func:`read_population_csv`) when given."""
        districts = read_districts(
            self.path,
            city=city,
            layer=self.layer or None,
            name_column=self.name_column or None,
            population_column=self.population_column or None,
            encoding=self.encoding or None,
            default_encoding=self.default_encoding or None,
            datum=self.datum or None,
        )
        if not self.population_csv:
            return districts
        if self.population_column:
            raise CBIInputError(
                f"City sheet gives residents per district twice (districts_population_column {self.population_column!r}"
                f" and districts_population {self.population_csv}); keep one."
            )
        people = read_population_csv(self.population_csv, names=districts.names)
        return dataclasses.replace(districts, population=tuple(people.get(name) for name in districts.names))


def read_population_csv(path: str, *, names: tuple[str, ...]) -> dict[str, float]:
    """Residents per district from a CSV (UTF-8, with or without BOM) with columns ``district`` (the names of the
    districts file's ``districts_name_column``) and ``population`` (a non-negative number). A district without a
    row gets no I13 (logged).

    Raises
    ------
    CBIInputError
        Missing file or column, a repeated or unknown district, or a population that is not a non-negative number.
    """
    if not Path(path).is_file():
        raise CBIInputError(
            f"District population file {path} does not exist; check the city sheet's districts_population."
        )
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.columns = [str(column).strip().lower() for column in table.columns]
    missing = [column for column in ("district", "population") if column not in table.columns]
    if missing:
        raise CBIInputError(
            f"District population file {path} has no column {', '.join(missing)} (columns: {', '.join(table.columns)});"
            " give columns district and population."
        )
    table["district"] = table["district"].str.strip()
    repeated = sorted(set(table["district"][table["district"].duplicated()]))
    unknown = sorted(set(table["district"]) - set(names))
    if repeated or unknown:
        problem = f"repeats {', '.join(repeated)}" if repeated else f"names unknown districts {', '.join(unknown)}"
        raise CBIInputError(
            f"District population file {path} {problem}; give one row per district, named as in the districts file."
        )
    values = _population(table, column="population", path=path)
    absent = [name for name in names if name not in set(table["district"])]
    if absent:
        LOGGER.warning("%s: no population for %s; their I13 is not computed.", path, ", ".join(absent))
    return dict(zip(table["district"], values.astype(float), strict=True))


def read_districts(
    path: str,
    *,
    city: CityBoundary,
    layer: str | None = None,
    name_column: str | None = None,
    population_column: str | None = None,
    encoding: str | None = None,
    default_encoding: str | None = None,
    datum: str | None = None,
) -> CityDistricts:
    """Read a district layer (any format and CRS GDAL reads) and measure how it tiles ``city``.

    Features with the same name are dissolved into one district (logged); without ``name_column`` each feature is
    a district named by its position (``1``, ``2``, ...). ``datum`` (sheet ``districts_datum``: ``wgs84``,
    ``gcj02``, ``bd09``) converts a web-map outline to WGS 84 on reading, as for the boundary. Invalid geometries
    are repaired with ``make_valid`` and only polygonal parts are kept. ``population_column`` gives residents per
    district (for I13); features of one district add up.

    Raises
    ------
    CBIInputError
        Missing or unreadable file, unknown layer or column, empty names, a population that is not a
        non-negative number, or no district polygon.
    """
    layer, encoding = open_vector_layer(
        path,
        what=WHAT,
        input_column="districts",
        layer=layer,
        encoding=encoding,
        default_encoding=default_encoding,
    )
    datum = check_datum(datum, sheet_column="districts_datum")
    frame = read_vector_frame(path, what=WHAT, input_column="districts", layer=layer, encoding=encoding, datum=datum)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise CBIInputError(f"{WHAT} {path} holds no polygon; give the districts' polygons.")
    columns = [str(column) for column in frame.columns.drop("geometry")]
    for sheet_column, column in (
        ("districts_name_column", name_column),
        ("districts_population_column", population_column),
    ):
        if column and column not in frame.columns:
            raise CBIInputError(
                f"{WHAT} {path} has no column {column!r} (columns: {', '.join(columns)}); "
                f"{encoding_hint(columns, sheet_column='districts_encoding', what='column names')}fix {sheet_column} "
                "in the city sheet."
            )
    names = (
        frame[name_column].astype(str).str.strip()
        if name_column
        else pd.Series([str(index + 1) for index in range(len(frame))], index=frame.index)
    )
    if name_column and (frame[name_column].isna().any() or (names == "").any()):
        raise CBIInputError(
            f"{WHAT} {path} has features without a name in column {name_column!r}; name every district."
        )
    population = _population(frame, column=population_column, path=path) if population_column else None
    order = list(dict.fromkeys(names))
    geometries, people = [], []
    for name in order:
        rows = names == name
        if rows.sum() > 1:
            LOGGER.warning("%s %s: %d features named %r dissolved into one district.", WHAT, path, rows.sum(), name)
        geometry, _ = dissolve_polygons(list(frame.geometry[rows]), origin=f"{WHAT} {path}, district {name}")
        if geometry.is_empty:
            raise CBIInputError(f"{WHAT} {path}: district {name!r} has no polygon area; give its polygon.")
        geometries.append(geometry)
        if population is not None:
            people.append(float(population[rows].sum()))
    crs = CRS.from_user_input(frame.crs)
    tiling = district_tiling(geometries, names=order, city=city.to_crs(crs), crs=crs)
    LOGGER.info("%s %s: %d districts; %s", WHAT, path, len(order), tiling.describe())
    return CityDistricts(
        names=tuple(order),
        geometries=tuple(geometries),
        crs=crs,
        path=path,
        tiling=tiling,
        population=tuple(people) if population is not None else None,
    )


def _population(frame: gpd.GeoDataFrame, *, column: str, path: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
    if bad.any():
        shown = ", ".join(map(repr, frame[column][bad].astype(str).unique()[:5]))
        raise CBIInputError(
            f"{path}: column {column!r} holds values that are not numbers of residents ({shown}); "
            "give a non-negative number for every district."
        )
    return values


def district_tiling(
    geometries: list[BaseGeometry], *, names: list[str], city: BaseGeometry, crs: CRS
) -> DistrictTiling:
    """Gaps, overlaps and district area outside the city (formulas in :class:`DistrictTiling`), in ha."""

    def hectares(items: list[BaseGeometry]) -> float:
        return equal_area_ha(gpd.GeoSeries(items, crs=crs)) if items else 0.0

    union = shapely.union_all(geometries)
    tree = shapely.STRtree(geometries)
    overlaps = []
    for first, second in zip(*tree.query(geometries, predicate="intersects"), strict=True):
        if first < second:
            shared = shapely.intersection(geometries[first], geometries[second])
            area = hectares([shared]) if shared.area > 0 else 0.0
            if area > 0:
                overlaps.append((names[first], names[second], area))
    outside = []
    for name, geometry in zip(names, geometries, strict=True):
        beyond = shapely.difference(geometry, city)
        area = hectares([beyond]) if beyond.area > 0 else 0.0
        if area > 0:
            outside.append((name, area))
    return DistrictTiling(
        gap_ha=hectares([shapely.difference(city, union)]),
        overlap_ha=sum(area for _, _, area in overlaps),
        outside_ha=hectares([shapely.difference(union, city)]),
        overlaps=tuple(overlaps),
        outside=tuple(outside),
    )


def district_ids(
    geometries: list[BaseGeometry], *, shape: tuple[int, int], transform: Affine, crs: CRS, boundary_rule: str
) -> np.ndarray:
    """The district of every cell of a grid (int32, 1..n in the order of ``geometries``, 0 = no district).

    ``centre`` rule: the district whose polygon holds the cell's centre (as the city boundary is burnt);
    ``exact`` rule: the district covering the largest fraction of the cell (exact coverage), a cell no
    district touches being 0. Where districts overlap, the first one in file order wins (ties too), so that a
    cell is never counted twice. ``geometries`` are in the grid's CRS.
    """
    ids = np.zeros(shape, dtype=np.int32)
    if not geometries or 0 in shape:
        return ids
    if boundary_rule == "centre":
        shapes = [(geometry, index + 1) for index, geometry in reversed(list(enumerate(geometries)))]
        return rasterio.features.rasterize(
            shapes, out_shape=shape, transform=transform, fill=NO_DISTRICT, dtype="int32"
        )
    best = np.zeros(shape, dtype=np.float32)
    window = shapely.box(*rasterio.transform.array_bounds(*shape, transform))
    for index, geometry in enumerate(geometries):
        if not shapely.intersects(geometry, window):
            continue
        fractions = exact_coverage_fractions(geometry, shape=shape, transform=transform)
        wins = fractions > best
        ids[wins] = index + 1
        best[wins] = fractions[wins]
    return ids
