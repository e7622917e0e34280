"""The land-cover coverage of each year in the scorecard: covered share, no-data and uncovered areas, and the
notes that say which years' indicators were held (or scored anyway) because the raster covers too little; the
boundary's features and the polygon inputs converted from a Chinese web-map datum, with their notes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from cbindex.core.messages import message, pair
from cbindex.geo.coverage import RasterCoverage, raster_coverage
from cbindex.geo.datum_shift import WGS84_DATUM

COVERAGE_ROWS = ("boundary_area", "city_area", "nodata_area")
"""Land-cover table rows the coverage is computed from (boundary polygon, cells with data, cells without)."""


def coverage_by_year(table: pd.DataFrame) -> dict[int, RasterCoverage]:
    """The coverage of every land-cover year of the stage tables (years lacking the rows are left out)."""
    coverage = {}
    rows = table[table["indicator"].isin(COVERAGE_ROWS) & table["year"].notna()]
    for year, group in rows.groupby("year"):
        values = dict(zip(group["indicator"], pd.to_numeric(group["value"]), strict=False))
        if all(name in values for name in COVERAGE_ROWS):
            coverage[int(year)] = raster_coverage(
                boundary_ha=values["boundary_area"], valid_ha=values["city_area"], nodata_ha=values["nodata_area"]
            )
    return coverage


def add_coverage(
    scorecard: dict[str, Any],
    *,
    coverage: Mapping[int, RasterCoverage],
    partial_years: Collection[int],
    tolerance_percent: float,
    on_partial_coverage: str,
) -> None:
    """Add ``coverage`` (one entry per year) and, for partly covered years, a note in both languages."""
    scorecard["coverage"] = [
        {
            "year": year,
            "boundary_area_ha": covered.boundary_ha,
            "covered_share_percent": covered.covered_share_percent,
            "nodata_area_ha": covered.nodata_ha,
            "uncovered_area_ha": covered.uncovered_ha,
            "partial": year in partial_years,
        }
        for year, covered in sorted(coverage.items())
    ]
    scorecard["coverage_tolerance_percent"] = tolerance_percent
    scorecard["on_partial_coverage"] = on_partial_coverage
    for year in sorted(partial_years):
        covered = coverage[year]
        numbers = {"share": covered.covered_share_percent, "nodata": covered.nodata_ha}
        numbers |= {"outside": covered.uncovered_ha, "tolerance": tolerance_percent, "year": year}
        key = "scorecard.coverage_held" if on_partial_coverage == "hold" else "scorecard.coverage_scored"
        for language, notes in (("en", scorecard["notes"]), ("zh", scorecard["notes_zh"])):
            notes.append(message(key, language, facts=message("scorecard.coverage_facts", language, **numbers)))


def add_boundary_features(scorecard: dict[str, Any], *, quantities: Mapping[str, float]) -> None:
    """Add ``boundary`` (features dissolved into the city and their area) and, when a filter matched several
    features, a note in both languages: the city is their union, which the analyst should confirm."""
    count, area = quantities.get("boundary_features"), quantities.get("boundary_features_area")
    if count is None or pd.isna(count):
        return
    count = int(count)
    area = None if area is None or pd.isna(area) else float(area)
    scorecard["boundary"] = {"features": count, "features_area_ha": area}
    if count > 1:
        key = "scorecard.boundary_features" if area is None else "scorecard.boundary_features_area"
        english, chinese = pair(key, count=count, area=area)
        scorecard["notes"].append(english)
        scorecard["notes_zh"].append(chinese)


def add_boundary_note(scorecard: dict[str, Any], *, notes: Mapping[str, str]) -> None:
    """Add ``boundary_note`` (what the boundary is, from the city sheet's ``boundary_note`` and
    ``boundary_note_zh``) and the same as a note in both languages (catalogue ``scorecard.boundary_note``)."""
    if not any(notes.values()):
        return
    scorecard["boundary_note"] = {language: notes.get(language, "") for language in ("en", "zh")}
    for language, key in (("en", "notes"), ("zh", "notes_zh")):
        scorecard[key].append(message("scorecard.boundary_note", language, note=scorecard["boundary_note"][language]))


def add_input_datums(scorecard: dict[str, Any], *, input_datums: Mapping[str, str]) -> None:
    """Add ``input_datums`` (city-sheet column → datum, for the polygon inputs converted to WGS 84 on reading:
    ``gcj02`` or ``bd09``) and one note per converted input in both languages (catalogue
    ``scorecard.input_datum``), so the scorecard's provenance and the report say which outlines were shifted
    (:mod:`cbindex.geo.datum_shift`)."""
    converted = {column: datum for column, datum in input_datums.items() if datum and datum != WGS84_DATUM}
    if not converted:
        return
    scorecard["input_datums"] = dict(sorted(converted.items()))
    for column, datum in scorecard["input_datums"].items():
        for language, notes in (("en", "notes"), ("zh", "notes_zh")):
            scorecard[notes].append(
                message(
                    "scorecard.input_datum",
                    language,
                    input=message(f"scorecard.input_{column}", language),
                    datum=message(f"scorecard.datum_{datum}", language),
                    column=f"{column}_datum",
                )
            )
