"""Occurrence records of birds for SI indicator 3: reading, cleaning, and counting species in built-up areas.

Indicator 3 (2014) is the number of native bird species in built-up areas: impermeable surfaces plus
anthropogenic green spaces, anything counted as natural in indicator 1 excluded (docs/method.md Part B §2.1).
Here a record counts when its point lies inside the city boundary on a land-cover cell of legend category
``built_up`` that is not natural; species on the city's list of non-native species are left out.

Records come from a Darwin Core table or a GBIF download (:func:`cbindex.species.tables.read_text_table`).
Coordinates are WGS84 decimal degrees.  Every record that cannot be used is counted under exactly one reason,
tested in this order: not a bird, outside the year window, missing coordinate, unparseable coordinate,
outside the city, on a cell without land-cover data, no species name.  A file whose latitude and longitude
columns are swapped is recognised because the swapped reading puts more than :data:`SWAP_MAJORITY` times as
many records inside the city.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from cbindex.core.errors import CBIInputError
from cbindex.geo.city_grid import CityWindow
from cbindex.geo.legends import Legend, check_codes, codes_mask, unique_codes
from cbindex.species.tables import TextTable, distinct_names, name_key, read_text_table

SWAP_MAJORITY = 2.0
"""Latitude and longitude are taken as swapped when the swapped reading puts more than this many times as many
records inside the city as the reading by name."""
ON_SWAPPED_AXES = ("error", "swap")
WGS84 = CRS.from_epsg(4326)
CONFIG_FILE = "config/config.yaml"

SKIP_REASONS: dict[str, str] = {
    "occurrences_not_birds": "records of another class than the bird class",
    "occurrences_outside_years": "records outside the year window (or without a year)",
    "occurrences_skipped_missing": "records with an empty latitude or longitude",
    "occurrences_skipped_unparseable": "records whose latitude or longitude is not a number",
    "occurrences_outside_city": "records outside the city boundary",
    "occurrences_on_nodata": "records on a cell without land-cover data",
    "occurrences_skipped_no_species": "bird records without a species name",
}
"""Why a record is not used, in the order the reasons are tested (each record counts under the first)."""


@dataclass(frozen=True)
class OccurrenceRules:
    """How to read an occurrence table (config key ``occurrences``; each ``*_column`` is a name or a list of
    names, the first one present in the file is used, ignoring case when no exact name matches).

    Attributes
    ----------
    latitude_column, longitude_column : str or list of str
        Columns of WGS84 decimal degrees.
    species_column : str or list of str
        Species names (GBIF ``species``, Darwin Core ``scientificName``).
    class_column : str, list of str or None
        Taxonomic class; None means every record is a bird.
    bird_class_value : str
        Value of ``class_column`` marking birds (compared trimmed, ignoring case).
    year_column : str or list of str
        Year of the record; used only with ``max_year_difference``.
    max_year_difference : int or None
        Keep records at most this many years from the land-cover year; None keeps every record.
    on_swapped_axes : {"error", "swap"}
        What to do when latitude and longitude look swapped: stop with an error, or read them swapped.
    """

    latitude_column: str | Sequence[str] = ("decimalLatitude", "latitude", "lat", "纬度")
    longitude_column: str | Sequence[str] = ("decimalLongitude", "longitude", "lon", "long", "lng", "经度")
    species_column: str | Sequence[str] = ("species", "scientificName", "物种", "学名")
    class_column: str | Sequence[str] | None = ("class", "纲")
    bird_class_value: str = "Aves"
    year_column: str | Sequence[str] = ("year", "年份")
    max_year_difference: int | None = None
    on_swapped_axes: str = "error"

    def __post_init__(self) -> None:
        if self.on_swapped_axes not in ON_SWAPPED_AXES:
            raise CBIInputError(
                f"occurrences.on_swapped_axes {self.on_swapped_axes!r} in {CONFIG_FILE} is unknown; use "
                f"{' or '.join(ON_SWAPPED_AXES)}."
            )


@dataclass(frozen=True)
class OccurrenceRecords:
    """The columns of an occurrence table that indicator 3 uses, as text, one entry per record."""

    path: str
    latitude_column: str
    longitude_column: str
    species_column: str
    latitude: pd.Series
    longitude: pd.Series
    species: pd.Series
    is_bird: np.ndarray
    year: np.ndarray

    def __len__(self) -> int:
        return len(self.species)


@dataclass(frozen=True)
class Coordinates:
    """Parsed coordinates: NaN where a cell is empty (``missing``) or not a finite number (``unparseable``)."""

    latitude: np.ndarray
    longitude: np.ndarray
    missing: np.ndarray
    unparseable: np.ndarray

    def swapped(self) -> Coordinates:
        """The same cells read with latitude and longitude exchanged."""
        return Coordinates(
            latitude=self.longitude, longitude=self.latitude, missing=self.missing, unparseable=self.unparseable
        )


@dataclass(frozen=True)
class AxisCheck:
    """Which records lie inside the city with the coordinate columns read as named, and read swapped.

    Attributes
    ----------
    inside_as_named, inside_swapped : ndarray of bool
        Per record (False where a coordinate is missing or unparseable).
    """

    inside_as_named: np.ndarray
    inside_swapped: np.ndarray

    @property
    def count_as_named(self) -> int:
        return int(self.inside_as_named.sum())

    @property
    def count_swapped(self) -> int:
        return int(self.inside_swapped.sum())

    @property
    def swapped(self) -> bool:
        """Whether the swapped reading puts more than :data:`SWAP_MAJORITY` times as many records inside."""
        return self.count_swapped > SWAP_MAJORITY * self.count_as_named


@dataclass
class BirdCount:
    """Indicator 3 and the bookkeeping behind it.

    Attributes
    ----------
    built_up_species : dict of str to str
        Native bird species recorded in built-up areas (key to spelling): their number is indicator 3.
    city_species : dict of str to str
        Native bird species recorded anywhere in the city.
    excluded_non_native : dict of str to str
        Bird species recorded in built-up areas but on the non-native list.
    skipped : dict of str to int
        Records not used, per reason of :data:`SKIP_REASONS`.
    records_in_city, records_in_built_up : int
        Bird records used (inside the city with land cover and a species name), and those on built-up cells.
    """

    built_up_species: dict[str, str]
    city_species: dict[str, str]
    excluded_non_native: dict[str, str]
    skipped: dict[str, int] = field(default_factory=dict)
    records_in_city: int = 0
    records_in_built_up: int = 0

    @property
    def records_read(self) -> int:
        return self.records_in_city + sum(self.skipped.values())


def read_occurrences(path: str, *, rules: OccurrenceRules) -> OccurrenceRecords:
    """Read the columns indicator 3 needs from an occurrence table.

    Parameters
    ----------
    path : str
        Darwin Core table or GBIF download (see :func:`cbindex.species.tables.read_text_table`).
    rules : OccurrenceRules
        Column names and the bird class.

    Returns
    -------
    OccurrenceRecords

    Raises
    ------
    CBIInputError
        A missing or malformed file, or a column the rules name that the file lacks (the message lists the
        file's columns and the config key to set).
    """
    table = read_text_table(path, what="Occurrence file", sheet_column="occurrences")
    latitude = _rule_column(table, rules.latitude_column, what="latitude", key="latitude_column")
    longitude = _rule_column(table, rules.longitude_column, what="longitude", key="longitude_column")
    species = _rule_column(table, rules.species_column, what="species name", key="species_column")
    bird_class = None
    if rules.class_column is not None:
        bird_class = table.column(
            rules.class_column,
            what="taxonomic class",
            fix=(f"set occurrences.class_column in {CONFIG_FILE} to it, or to null when the file holds only birds"),
        )
    year = None
    if rules.max_year_difference is not None:
        year = _rule_column(table, rules.year_column, what="year", key="year_column")
    frame = table.read([column for column in (latitude, longitude, species, bird_class, year) if column])
    is_bird = np.ones(len(frame), dtype=bool)
    if bird_class is not None:
        is_bird = (frame[bird_class].str.strip().str.casefold() == rules.bird_class_value.strip().casefold()).to_numpy()
    years = np.full(len(frame), np.nan)
    if year is not None:
        years = pd.to_numeric(frame[year].str.strip().str[:4], errors="coerce").to_numpy(dtype=float)
    return OccurrenceRecords(
        path=str(path),
        latitude_column=latitude,
        longitude_column=longitude,
        species_column=species,
        latitude=frame[latitude],
        longitude=frame[longitude],
        species=frame[species],
        is_bird=is_bird,
        year=years,
    )


def parse_coordinates(latitude: pd.Series, longitude: pd.Series) -> Coordinates:
    """Parse coordinate text into floats, telling empty cells from cells that are not finite numbers.

    Parameters
    ----------
    latitude, longitude : Series of str
        Cells as read (decimal point; surrounding white space is ignored).

    Returns
    -------
    Coordinates
        ``missing`` where either cell is empty; ``unparseable`` where neither is empty but one is not a finite
        number (e.g. ``"30,5"``, ``"N30"``, ``"inf"``).  Both are NaN in ``latitude`` and ``longitude``.
    """
    texts = [series.astype(str).str.strip() for series in (latitude, longitude)]
    missing = ((texts[0] == "") | (texts[1] == "")).to_numpy()
    values = [pd.to_numeric(text, errors="coerce").to_numpy(dtype=float) for text in texts]
    unparseable = ~missing & ~(np.isfinite(values[0]) & np.isfinite(values[1]))
    bad = missing | unparseable
    return Coordinates(
        latitude=np.where(bad, np.nan, values[0]),
        longitude=np.where(bad, np.nan, values[1]),
        missing=missing,
        unparseable=unparseable,
    )


def check_axes(coordinates: Coordinates, *, inside: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> AxisCheck:
    """Test every record against the city with the coordinate columns read as named and swapped.

    Parameters
    ----------
    coordinates : Coordinates
    inside : callable
        ``inside(longitude, latitude)`` → bool array: whether WGS84 points lie in the city
        (:func:`city_point_test`).

    Returns
    -------
    AxisCheck
        Its ``swapped`` is true when the swapped reading puts more than :data:`SWAP_MAJORITY` times as many
        records inside the city (row ``occurrences_axes_swapped`` = 1 when the columns are read swapped).
    """
    usable = np.isfinite(coordinates.latitude)
    latitude, longitude = coordinates.latitude[usable], coordinates.longitude[usable]
    as_named, swapped = np.zeros(len(usable), dtype=bool), np.zeros(len(usable), dtype=bool)
    as_named[usable] = inside(longitude, latitude)
    swapped[usable] = inside(latitude, longitude)
    return AxisCheck(inside_as_named=as_named, inside_swapped=swapped)


def city_point_test(window: CityWindow) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``inside(longitude, latitude)``: whether WGS84 points lie in the city boundary (edges included).

    Points are projected to the raster's CRS and tested against the boundary as reprojected there, so the
    test agrees with the land-cover cells the points are looked up in.  Latitudes beyond ±90° are outside.
    """
    to_raster = Transformer.from_crs(WGS84, window.crs, always_xy=True)
    geometry = window.geometry
    shapely.prepare(geometry)

    def inside(longitude: np.ndarray, latitude: np.ndarray) -> np.ndarray:
        valid = (np.abs(latitude) <= 90) & (np.abs(longitude) <= 180)
        x, y = to_raster.transform(np.where(valid, longitude, 0.0), np.where(valid, latitude, 0.0))
        return valid & np.isfinite(x) & np.isfinite(y) & shapely.intersects_xy(geometry, x, y)

    return inside


def landcover_at(
    window: CityWindow, longitude: np.ndarray, latitude: np.ndarray, *, legend: Legend, block_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Land-cover code of the cell under each WGS84 point, read strip by strip.

    Parameters
    ----------
    window : CityWindow
        The city's window on the land-cover raster.
    longitude, latitude : ndarray
        Points, all inside the city.
    legend : Legend
        The raster's legend: its ``nodata`` codes mark cells without data, and every other code found must be
        one of its classes.
    block_rows : int
        Rows per strip read (memory bound, as for the land-cover indicators).

    Returns
    -------
    codes, valid : ndarray
        ``valid`` is False for points on a nodata cell or outside the raster; ``codes`` is 0 there.

    Raises
    ------
    CBIInputError
        A code under a point that the legend does not define.
    """
    to_raster = Transformer.from_crs(WGS84, window.crs, always_xy=True)
    x, y = to_raster.transform(longitude, latitude)
    columns, rows = ~window.transform @ (np.asarray(x), np.asarray(y))
    rows, columns = np.floor(rows).astype(np.int64), np.floor(columns).astype(np.int64)
    height, width = window.shape
    codes = np.zeros(len(rows), dtype=np.int64)
    valid = (rows >= 0) & (rows < height) & (columns >= 0) & (columns < width)
    for start in np.unique(rows[valid] // block_rows) * block_rows:
        strip = window.read_rows(int(start), int(min(start + block_rows, height)), nodata_codes=legend.nodata)
        here = valid & (rows >= start) & (rows < start + block_rows)
        codes[here] = strip.codes[rows[here] - start, columns[here]]
        valid[here] = strip.valid[rows[here] - start, columns[here]]
    check_codes(legend, unique_codes(codes[valid]), raster_path=window.path)
    return codes, valid


def count_native_birds(
    *,
    records: OccurrenceRecords,
    coordinates: Coordinates,
    in_city: np.ndarray,
    has_landcover: np.ndarray,
    built_up: np.ndarray,
    non_native: frozenset[str],
    in_years: np.ndarray | None = None,
) -> BirdCount:
    """Indicator 3: the distinct native bird species recorded in built-up areas (SI 2014 indicator 3).

    I3 = |{species s : some bird record of s lies in the city on a built-up, non-natural cell} \\ non-native|.
    Species are distinct by :func:`cbindex.species.tables.name_key` (white space and case normalised; synonyms
    are not resolved).

    Parameters
    ----------
    records : OccurrenceRecords
    coordinates : Coordinates
        Parsed coordinates of ``records`` (after any axis swap).
    in_city, has_landcover, built_up : ndarray of bool
        Per record: inside the boundary; on a cell with land-cover data; on a built-up, non-natural cell.
    non_native : frozenset of str
        Name keys of the city's non-native species.
    in_years : ndarray of bool, optional
        Per record: inside the year window (None = every record).

    Returns
    -------
    BirdCount
        Every record is either used or counted under the first of :data:`SKIP_REASONS` that applies. Its
        species sets give the rows ``I3``, ``I3_bird_species_in_city`` (every native bird species recorded in the
        city) and ``I3_non_native_species_excluded`` (recorded on built-up cells but on the non-native list).
    """
    keys = records.species.map(name_key).to_numpy(dtype=object)
    tests = {
        "occurrences_not_birds": ~records.is_bird,
        "occurrences_outside_years": np.zeros(len(records), bool) if in_years is None else ~in_years,
        "occurrences_skipped_missing": coordinates.missing,
        "occurrences_skipped_unparseable": coordinates.unparseable,
        "occurrences_outside_city": ~in_city,
        "occurrences_on_nodata": ~has_landcover,
        "occurrences_skipped_no_species": keys == "",
    }
    remaining = np.ones(len(records), dtype=bool)
    skipped = {}
    for reason, test in tests.items():
        hit = remaining & np.asarray(test, dtype=bool)
        skipped[reason] = int(hit.sum())
        remaining &= ~hit
    species = records.species.to_numpy(dtype=object)
    in_built_up = remaining & built_up
    native = ~np.isin(keys, list(non_native))
    return BirdCount(
        built_up_species=distinct_names(species[in_built_up & native]),
        city_species=distinct_names(species[remaining & native]),
        excluded_non_native=distinct_names(species[in_built_up & ~native]),
        skipped=skipped,
        records_in_city=int(remaining.sum()),
        records_in_built_up=int(in_built_up.sum()),
    )


def swapped_axes_error(records: OccurrenceRecords, check: AxisCheck) -> CBIInputError:
    """The one-sentence error for a file whose latitude and longitude columns look swapped."""
    lat, lon = records.latitude_column, records.longitude_column
    return CBIInputError(
        f"Occurrence file {records.path}: columns {lat!r} and {lon!r} look swapped ({check.count_swapped} records "
        f"fall inside the city reading {lat!r} as longitude, {check.count_as_named} as named); set "
        f"occurrences.latitude_column: {lon} and longitude_column: {lat} in {CONFIG_FILE}, or "
        "occurrences.on_swapped_axes: swap."
    )


def no_record_in_city_error(records: OccurrenceRecords, boundary_path: str) -> CBIInputError:
    """The one-sentence error for a file none of whose records lies in the city, however read."""
    return CBIInputError(
        f"No record of occurrence file {records.path} lies inside boundary {boundary_path}, with latitude and "
        "longitude read as named or swapped; check that the file covers this city and holds WGS84 decimal degrees."
    )


def built_up_mask(codes: np.ndarray, *, built_up_codes: frozenset[int], natural: frozenset[int]) -> np.ndarray:
    """Cells of legend category ``built_up`` that are not natural (SI: anything natural in I1 is excluded)."""
    return codes_mask(codes, built_up_codes - natural)


def summary_counts(count: BirdCount) -> Mapping[str, int]:
    """The record counts of a :class:`BirdCount`, read first, then every skip reason, then the records used.

    Rows: ``occurrences_read``; the reasons of :data:`SKIP_REASONS` (``occurrences_not_birds``,
    ``occurrences_outside_years``, ``occurrences_skipped_missing``, ``occurrences_skipped_unparseable``,
    ``occurrences_outside_city``, ``occurrences_on_nodata``, ``occurrences_skipped_no_species``);
    ``bird_records_in_city`` and ``bird_records_in_built_up``.
    """
    return {
        "occurrences_read": count.records_read,
        **count.skipped,
        "bird_records_in_city": count.records_in_city,
        "bird_records_in_built_up": count.records_in_built_up,
    }


def _rule_column(table: TextTable, candidates: str | Sequence[str], *, what: str, key: str) -> str:
    return table.column(candidates, what=what, fix=f"set occurrences.{key} in {CONFIG_FILE} to it")
