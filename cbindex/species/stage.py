"""The species stages of the workflow: I3 from occurrence records per land-cover year, I4–I8 and I10 from lists."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, IndicatorValue, write_indicator_table
from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, open_city_window
from cbindex.geo.legends import load_legend
from cbindex.species.birds_in_built_up import (
    SKIP_REASONS,
    BirdCount,
    OccurrenceRules,
    built_up_mask,
    check_axes,
    city_point_test,
    count_native_birds,
    landcover_at,
    no_record_in_city_error,
    parse_coordinates,
    read_occurrences,
    summary_counts,
    swapped_axes_error,
)
from cbindex.species.species_change import SpeciesListRules, read_species_lists, species_list_values
from cbindex.species.tables import NAME_RULE, read_non_native_names

LOGGER = logging.getLogger(__name__)


def compute_species_indicators(
    *,
    city: str,
    year: int,
    occurrences_path: str,
    non_native_path: str | None,
    raster_path: str,
    boundary: BoundarySpec,
    legend_path: str,
    method: Mapping[str, object],
    occurrence_rules: Mapping[str, object],
    indicators_csv: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Count the native bird species recorded in built-up areas (SI indicator 3) for one land-cover year.

    I3 = number of distinct bird species with a record inside the city on a cell of legend category
    ``built_up`` that is not natural (``method``'s natural classes), minus the species on the city's
    non-native list.  Writes ``indicators_csv`` (columns city, year, indicator, value, unit, method): I3, the
    record counts (read, skipped per reason, used), the native bird species anywhere in the city, the
    non-native species left out, the 2021 form of the indicator (built-up ÷ city species × 100) and whether
    the coordinate columns were read swapped.

    Parameters
    ----------
    occurrence_rules : dict
        Config ``occurrences`` (:class:`cbindex.species.birds_in_built_up.OccurrenceRules` fields).
    non_native_path : str or None
        The city's list of non-native species (sheet column ``non_native_species``); None counts every species.
    method : dict
        The method settings this stage reads, :data:`~cbindex.core.method.SPECIES_METHOD_KEYS` (the natural
        classes, with the city's natural-code override); the others do not change its outputs.

    Raises
    ------
    CBIInputError
        Unreadable files, missing columns, swapped coordinate columns (with ``on_swapped_axes: error``), or no
        record inside the city.
    """
    rules = OccurrenceRules(**occurrence_rules)
    legend = load_legend(legend_path)
    codes = CategoryCodes.from_legend(legend, LandcoverMethod(**method))
    records = read_occurrences(occurrences_path, rules=rules)
    non_native = read_non_native_names(non_native_path) if non_native_path else frozenset()
    city_boundary = boundary.read()
    window = open_city_window(raster_path, city_boundary)
    coordinates = parse_coordinates(records.latitude, records.longitude)
    axes = check_axes(coordinates, inside=city_point_test(window))
    if axes.count_as_named == 0 and axes.count_swapped == 0:
        raise no_record_in_city_error(records, city_boundary.path)
    in_city = axes.inside_as_named
    if axes.swapped:
        if rules.on_swapped_axes == "error":
            raise swapped_axes_error(records, axes)
        LOGGER.warning(
            "City %s %s: columns %r and %r of %s look swapped (%d records inside the city read swapped, "
            "%d as named), so %r is read as longitude and %r as latitude (occurrences.on_swapped_axes: "
            "swap).",
            city,
            year,
            records.latitude_column,
            records.longitude_column,
            records.path,
            axes.count_swapped,
            axes.count_as_named,
            records.latitude_column,
            records.longitude_column,
        )
        coordinates, in_city = coordinates.swapped(), axes.inside_swapped
    looked_up = in_city & records.is_bird
    cell_codes, has_landcover = np.zeros(len(records), np.int64), np.zeros(len(records), bool)
    cell_codes[looked_up], has_landcover[looked_up] = landcover_at(
        window, coordinates.longitude[looked_up], coordinates.latitude[looked_up], legend=legend, block_rows=block_rows
    )
    in_years = None
    if rules.max_year_difference is not None:
        in_years = np.abs(records.year - year) <= rules.max_year_difference
    count = count_native_birds(
        records=records,
        coordinates=coordinates,
        in_city=in_city,
        has_landcover=has_landcover,
        built_up=has_landcover & built_up_mask(cell_codes, built_up_codes=codes.built_up, natural=codes.natural),
        non_native=non_native,
        in_years=in_years,
    )
    values = occurrence_values(
        count,
        source=_describe_source(records.path, non_native_path, len(non_native)),
        landcover=f"{legend.id} {year}",
        swapped=axes.swapped,
    )
    write_indicator_table(indicators_csv, city=city, year=year, values=values, encoding=csv_encoding)
    skipped = ", ".join(
        f"{count.skipped[reason]} {text}" for reason, text in SKIP_REASONS.items() if count.skipped[reason]
    )
    LOGGER.info(
        "City %s %s: I3 = %d native bird species in built-up areas from %d of %d records%s",
        city,
        year,
        len(count.built_up_species),
        count.records_in_built_up,
        count.records_read,
        f"; skipped {skipped}" if skipped else "",
    )
    if not non_native_path:
        LOGGER.warning(
            "City %s: no non_native_species list in the city sheet, so every bird species counts as native for I3.",
            city,
        )


def occurrence_values(count: BirdCount, *, source: str, landcover: str, swapped: bool) -> list[IndicatorValue]:
    """The rows of the I3 table: I3, the 2021 share, species and record counts (see :func:`compute_species_indicators`).

    I3 (2014) = |native bird species in built-up areas|; I3_built_up_share (2021 form) = I3 ÷ |native bird
    species anywhere in the city| × 100 (NaN without any).
    """
    how = (
        f"{source}; built-up = cells of legend category built_up that are not natural ({landcover}), a record "
        f"counts when its point lies inside the city boundary; {NAME_RULE}"
    )
    in_city = len(count.city_species)
    share = len(count.built_up_species) / in_city * 100 if in_city else float("nan")
    values = [
        IndicatorValue("I3", len(count.built_up_species), "species", how),
        IndicatorValue("I3_bird_species_in_city", in_city, "species", how),
        IndicatorValue("I3_built_up_share", share, "%", f"2021 form of I3: built-up ÷ city species × 100; {how}"),
        IndicatorValue("I3_non_native_species_excluded", len(count.excluded_non_native), "species", how),
        IndicatorValue(
            "occurrences_axes_swapped",
            int(swapped),
            "flag",
            "1 = latitude and longitude columns read swapped (occurrences.on_swapped_axes: swap)",
        ),
    ]
    reasons = {
        "occurrences_read": "records in the file",
        **SKIP_REASONS,
        "bird_records_in_city": "bird records used: inside the city, on land cover, with a species name",
        "bird_records_in_built_up": "bird records used on built-up cells",
    }
    values += [IndicatorValue(name, number, "records", reasons[name]) for name, number in summary_counts(count).items()]
    return values


def compute_species_list_indicators(
    *,
    city: str,
    species_lists_path: str,
    species_list_rules: Mapping[str, object],
    indicators_csv: str,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Net change in native species (SI indicators 4–8) and the invasive share (10) from a city's lists.

    Writes ``indicators_csv`` (columns city, year, indicator, value, unit, method; year empty, the values hold
    for the city as a whole): each change indicator fed by a group of the file (NaN with the reason when a
    group lacks its baseline or current list), the invasive share, and their species counts.

    Parameters
    ----------
    species_list_rules : dict
        Config ``species_lists`` (:class:`cbindex.species.species_change.SpeciesListRules` fields).
    """
    rules = SpeciesListRules(**species_list_rules)
    lists = read_species_lists(species_lists_path, rules=rules)
    values = species_list_values(lists, rules=rules)
    write_indicator_table(indicators_csv, city=city, year=None, values=values, encoding=csv_encoding)
    for value in values:
        if value.indicator in (*rules.change_indicators, rules.invasive_indicator):
            LOGGER.info("City %s: %s = %s (%s)", city, value.indicator, value.value, value.method)
    if lists.duplicates_removed:
        LOGGER.warning("City %s: %d duplicate rows of %s ignored.", city, lists.duplicates_removed, lists.path)


def _describe_source(occurrences_path: str, non_native_path: str | None, n_non_native: int) -> str:
    listed = (
        f"{n_non_native} non-native species of {non_native_path} excluded"
        if non_native_path
        else "no non-native list given, every bird species counted"
    )
    return f"bird records of {occurrences_path}; {listed}"
