"""The scoring stage of the workflow for one city: all land-cover years plus the city's figures, scored."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd
import pyogrio

from cbindex import __version__
from cbindex.core.atomic_write import atomic_path
from cbindex.core.errors import CBIDefectError, CBIInputError
from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, write_csv
from cbindex.core.output_names import GROUPS_LAYER, LINKS_LAYER
from cbindex.geo.coverage import ON_PARTIAL_COVERAGE
from cbindex.scoring.connectivity_advice import MeshGroups, mesh_ha
from cbindex.scoring.consistency import check_consistency
from cbindex.scoring.coverage import (
    add_boundary_features,
    add_boundary_note,
    add_coverage,
    add_input_datums,
    coverage_by_year,
)
from cbindex.scoring.coverage_layers import add_coverage_layers
from cbindex.scoring.figures import read_city_figures
from cbindex.scoring.frameworks import check_framework_indicators, load_framework
from cbindex.scoring.link_advice import FLOAT_FIELDS, CandidateLink
from cbindex.scoring.next_band import describe_next_band, describe_next_level
from cbindex.scoring.overrides import load_city_rule_set
from cbindex.scoring.points import score_value
from cbindex.scoring.rules import STATUS_PARTIAL_COVERAGE, STATUS_SCORED, IndicatorRule, RuleSet
from cbindex.scoring.scenario_comparison import compare_scenario
from cbindex.scoring.scenario_summary import scenario_summaries
from cbindex.scoring.scorecard import build_scorecard
from cbindex.scoring.target_summary import follow_targets, targets_table
from cbindex.scoring.targets_file import read_city_targets
from cbindex.scoring.workbook import write_scorecard_workbook

LOGGER = logging.getLogger(__name__)
INDICATOR_COLUMNS = [
    "city",
    "indicator",
    "name",
    "name_zh",
    "year",
    "value",
    "unit",
    "points",
    "status",
    "band",
    "verified",
    "method",
    "change_to_next_band",
    "margin_to_band_below",
    "next_step",
]
STATUS_SUPPORTING = "supporting"


def score_city(
    *,
    city: str,
    tables: Sequence[str],
    rule_set_path: str,
    figures_path: str | None,
    indicators_csv: str,
    scorecard_json: str,
    overrides_path: str | None = None,
    boundary_coverage_tolerance_percent: float,
    on_partial_coverage: str,
    connectivity_groups: str | None = None,
    mesh_denominator: str = "natural",
    scorecard_xlsx: str | None = None,
    city_names: Mapping[str, str] | None = None,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    input_datums: Mapping[str, str] | None = None,
    targets_path: str | None = None,
    framework_path: str | None = None,
    targets_csv: str | None = None,
    boundary_notes: Mapping[str, str] | None = None,
    coverage_layers: Sequence[Mapping[str, str]] = (),
    scenarios: Sequence[Mapping[str, object]] = (),
    scenario_comparisons: Sequence[str] = (),
    scenario_changes: Sequence[str] = (),
) -> None:
    """Score every land-cover year and the city's figures; write ``indicators.csv``, ``scorecard.json`` and, when
    ``scorecard_xlsx`` is given, the scorecard workbook (:mod:`cbindex.scoring.workbook`; ``city_names`` under
    ``en`` and ``zh`` title its sheets).

    The rule set is changed by the city's scoring overrides (``overrides_path``, the sheet's
    ``scoring_overrides``) when given; the stage tables' rows are renamed to the rule set's indicator ids
    (:meth:`RuleSet.table_name`: si-2021 scores ``I2_coherence`` as its I2); each scored numeric indicator gets
    its distance to the next band, in hectares too where the tables give the area it is a share of.

    ``indicators.csv`` holds one row per indicator and land-cover year (spatial indicators), per supplied
    figure, and per indicator of the rule set that could not be assessed; rows that are not indicators of
    the rule set (areas, patch counts, 2021 coherence under si-2014) have status ``supporting`` and empty names
    (``name``, ``name_zh``: the rule set's English and Chinese names). ``csv_encoding`` is config ``csv_encoding``
    (:data:`~cbindex.core.indicator_table.CSV_ENCODINGS`).
    ``scorecard.json`` scores the latest year of each indicator together with the figures. Every table has
    the columns city, year, indicator, value, unit, method; an empty year means the value holds for the city
    as a whole (it is then used whatever the year).

    Before anything is scored the stage tables are checked for internal consistency
    (:mod:`cbindex.scoring.consistency`; a violation raises :class:`CBIDefectError`). A year whose land cover covers
    less than ``100 − boundary_coverage_tolerance_percent`` % of the boundary with data has its derived indicators
    kept with status ``partial_coverage`` and no points (``on_partial_coverage="hold"``) or scored anyway
    (``"score"``); either way ``scorecard.json`` lists every year's ``coverage`` and says so in its notes.
    ``input_datums`` (the city sheet's ``<input>_datum`` of each polygon input) puts the inputs converted from
    GCJ-02 or BD-09 in ``scorecard.json``'s ``input_datums`` and notes; ``boundary_notes`` (the sheet's
    ``boundary_note`` and ``boundary_note_zh``: what the boundary is) becomes ``boundary_note`` and a note;
    ``coverage_layers`` (config ``coverage_layers``) lists each control line the city gives with its coverage and
    natural share per year (:mod:`cbindex.scoring.coverage_layers`).

    ``connectivity_groups`` is the latest land-cover year's ``connectivity_groups.gpkg`` (config
    ``method.mesh_denominator`` says what I2 divides by): with it, I2's next band says how much natural area to add,
    and where, and I1's what its hectares do to I2 (:func:`read_mesh_groups`,
    :mod:`cbindex.scoring.connectivity_advice`).

    ``targets_path`` is the city's targets file (sheet column ``targets``; :mod:`cbindex.scoring.targets_file`) and
    ``framework_path`` the framework mapping its indicators are linked with (sheet column ``framework``, default
    ``config/frameworks/kmgbf.yaml``; :mod:`cbindex.scoring.frameworks`): every target is followed through the
    land-cover years (:mod:`cbindex.scoring.target_progress`) into ``scorecard.json`` (``targets``) and
    ``targets_csv`` (one row per target and year; header only without targets).

    ``scenarios`` are the city's what-if scenarios (sheet column ``scenarios``, each as
    :meth:`~cbindex.landcover.scenarios.Scenario.as_params` gives it) with their ``scenario_comparisons`` and
    ``scenario_changes`` tables: ``scorecard.json``'s ``scenarios`` (:mod:`cbindex.scoring.scenario_summary`).
    """
    if on_partial_coverage not in ON_PARTIAL_COVERAGE:
        raise CBIInputError(
            f"Config key on_partial_coverage is {on_partial_coverage!r}; use one of {', '.join(ON_PARTIAL_COVERAGE)}."
        )
    rule_set = load_city_rule_set(rule_set_path, overrides_path=overrides_path)
    figures = read_city_figures(figures_path, rule_set=rule_set)
    framework = None if framework_path is None else load_framework(framework_path)
    if framework is not None:
        check_framework_indicators(framework, rule_set)
    raw = {path: pd.read_csv(path) for path in tables}
    check_consistency(pd.concat(list(raw.values()), ignore_index=True), city=city, tables=tables)
    coverage = coverage_by_year(pd.concat(list(raw.values()), ignore_index=True))
    partial_years = {
        year
        for year, covered in coverage.items()
        if covered.is_partial(tolerance_percent=boundary_coverage_tolerance_percent)
    }
    held_years = partial_years if on_partial_coverage == "hold" else set()
    frames = {path: named_for_rule_set(frame, rule_set) for path, frame in raw.items()}
    reject_figures_also_derived(frames, figures_values=figures.values, figures_path=figures_path)
    spatial = pd.concat(list(frames.values()), ignore_index=True)
    latest_year = int(spatial["year"].max())
    landcover_years = sorted(int(year) for year in spatial["year"].dropna().unique())
    targets = read_city_targets(targets_path, rule_set=rule_set, landcover_years=landcover_years)
    table = indicator_table(
        city=city,
        spatial=spatial,
        figures_values=figures.values,
        figures_year=figures.year,
        figures_sources=figures.sources,
        rule_set=rule_set,
        held_years=held_years,
    )
    latest = latest_rows(spatial)
    values: dict[str, object] = {key: value for key, value in figures.values.items() if value is not None}
    methods: dict[str, str] = {
        key: f"supplied by the city: {source}" for key, source in figures.sources.items() if source and key in values
    }
    for indicator in latest.index.intersection(list(rule_set.indicators)):
        values[indicator] = float(latest.loc[indicator, "value"])
        methods[indicator] = str(latest.loc[indicator, "method"])
    quantities = {
        name: value
        for name, value in pd.to_numeric(latest["value"], errors="coerce").items()
        if name not in rule_set.indicators
    }
    held = {
        indicator
        for indicator in latest.index.intersection(list(rule_set.indicators))
        if not pd.isna(latest.loc[indicator, "year"]) and int(latest.loc[indicator, "year"]) in held_years
    }
    connectivity = links = None
    if connectivity_groups:
        connectivity = read_mesh_groups(
            connectivity_groups, latest=latest, rule_set=rule_set, mesh_denominator=mesh_denominator
        )
        links = read_candidate_links(connectivity_groups)
    scorecard = build_scorecard(
        rule_set,
        values=values,
        methods=methods,
        quantities=quantities,
        held=held,
        origin=f"city {city}",
        connectivity=connectivity,
        candidate_links=links,
    )
    add_boundary_features(scorecard, quantities=quantities)
    add_input_datums(scorecard, input_datums=input_datums or {})
    add_boundary_note(scorecard, notes=boundary_notes or {})
    add_coverage_layers(scorecard, layers=coverage_layers, spatial=spatial)
    add_coverage(
        scorecard,
        coverage=coverage,
        partial_years=partial_years,
        tolerance_percent=boundary_coverage_tolerance_percent,
        on_partial_coverage=on_partial_coverage,
    )
    followed = follow_targets(targets, table=table, rule_set=rule_set, framework=framework, targets_path=targets_path)
    scorecard = {
        "city": city,
        "landcover_year": latest_year,
        "landcover_years": landcover_years,
        "figures_file": figures_path,
        "scoring_overrides_file": overrides_path,
        "generated_by": f"cbindex {__version__}",
        **scorecard,
        "targets": followed,
        "scenarios": scenario_summaries(
            scenarios,
            comparison_csvs=scenario_comparisons,
            changes_csvs=scenario_changes,
            coverage_layers=coverage_layers,
        ),
    }
    write_csv(table, indicators_csv, encoding=csv_encoding)
    if targets_csv:
        write_csv(targets_table(followed, city=city), targets_csv, encoding=csv_encoding)
    with atomic_path(scorecard_json) as temporary:
        temporary.write_text(json.dumps(scorecard, ensure_ascii=False, indent=2), encoding="utf-8")
    if scorecard_xlsx:
        write_scorecard_workbook(scorecard_xlsx, scorecard, rule_set=rule_set, city_names=city_names or {})
    totals = scorecard["totals"]
    LOGGER.info(
        "City %s: %s points of %s assessed, of %s in all (%s)",
        city,
        totals["points"],
        totals["assessed_max"],
        totals["max_points"],
        rule_set.id,
    )


def read_mesh_groups(path: str, *, latest: pd.DataFrame, rule_set: RuleSet, mesh_denominator: str) -> MeshGroups | None:
    """The group areas of a ``connectivity_groups.gpkg`` (column ``area_ha``) with I2's denominator A_total: the
    natural area, or the city area with ``mesh_denominator="landscape"``, from the latest year's table rows (for a
    city given as land-use polygons the grid's, rows ``natural_area_grid`` and ``city_area_grid``, as I2 was computed
    on the grid).

    Returns None when the year has no natural area (I2 is then not assessed). The file must be the latest year's:
    ``Σ A_Gi² ÷ A_total`` must give the table's effective mesh size (row I2, ``stage_I2`` under si-2021).

    Raises
    ------
    CBIDefectError
        When the groups do not give the table's effective mesh size (a file of another year or run).
    """
    areas = pyogrio.read_dataframe(path, layer=GROUPS_LAYER, columns=["area_ha"], read_geometry=False)["area_ha"]
    total_row = "natural_area" if mesh_denominator == "natural" else "city_area"
    if f"{total_row}_grid" in latest.index:
        total_row = f"{total_row}_grid"  # a land-use city: the row is the exact polygon area, I2's is the grid's
    mesh_row = rule_set.table_name("I2")
    total, mesh = (float(latest.loc[row, "value"]) for row in (total_row, mesh_row))
    if not total > 0 or not np.isfinite(mesh):
        return None
    groups = MeshGroups.from_areas(areas.to_numpy(), total_ha=total, mesh_denominator=mesh_denominator)
    if not np.isclose(mesh_ha(groups), mesh, rtol=1e-9, atol=1e-9):
        raise CBIDefectError(
            f"The connectivity groups {path} give an effective mesh size of {mesh_ha(groups)} ha with A_total = "
            f"{total_row} {total} ha, but the latest land-cover table says {mesh} ha; the groups file is not the "
            "latest year's. Please report this."
        )
    return groups


def read_candidate_links(path: str) -> list[CandidateLink] | None:
    """The candidate links of a ``connectivity_groups.gpkg`` (layer ``candidate_links``, best first) as plain
    Python values (ids int, lengths and areas float, ``crosses_barrier`` bool or None when no barrier was given);
    None, with a warning, for a file written before the land-cover rule wrote links (no such layer)."""
    if LINKS_LAYER not in pyogrio.list_layers(path)[:, 0]:
        LOGGER.warning(
            "%s has no layer %s: the scorecard lists no candidate links; run the land-cover rule again.",
            path,
            LINKS_LAYER,
        )
        return None
    frame = pyogrio.read_dataframe(path, layer=LINKS_LAYER, read_geometry=False)
    barrier = frame["crosses_barrier"].astype(bool).tolist() if "crosses_barrier" in frame else [None] * len(frame)
    columns = [field.name for field in dataclasses.fields(CandidateLink) if field.name in frame]
    records = zip(*(frame[name].tolist() for name in columns), strict=True)
    links = []
    for record, crossing in zip(records, barrier, strict=True):
        values = dict(zip(columns, record, strict=True))
        links.append(
            CandidateLink(
                **{key: int(values[key]) for key in ("link_id", "group_a", "group_b")},
                **{key: float(values[key]) for key in FLOAT_FIELDS},
                classes_crossed=str(values.get("classes_crossed", "")),
                classes_crossed_zh=str(values.get("classes_crossed_zh", "")),
                crosses_barrier=crossing,
            )
        )
    return links


def reject_figures_also_derived(
    frames: Mapping[str, pd.DataFrame],
    *,
    figures_values: Mapping[str, object],
    figures_path: str | None,
) -> None:
    """Stop when the figures file gives a value for an indicator that a derived table also holds.

    A stage derives an indicator (e.g. I4 from the city's species lists) only when the city sheet gives the
    data for it, so one indicator supplied twice is a contradiction the city must resolve.

    Raises
    ------
    CBIInputError
        Naming the indicator, the figures file and the table that derives it.
    """
    for path, frame in frames.items():
        for indicator in frame["indicator"]:
            if figures_values.get(indicator) is not None:
                raise CBIInputError(
                    f"{indicator} is given both in figures file {figures_path} and by the workflow in {path} "
                    f"({frame.loc[frame['indicator'] == indicator, 'method'].iloc[0]}); delete figures.{indicator} "
                    "from the figures file or remove the city-sheet data it is derived from."
                )


def named_for_rule_set(table: pd.DataFrame, rule_set: RuleSet) -> pd.DataFrame:
    """A stage table with its rows named by the rule set's indicator ids (supporting rows keep their names)."""
    return table.assign(indicator=table["indicator"].map(rule_set.table_name))


def latest_rows(table: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator, indexed by indicator: the latest year's row (a row without year counts as latest)."""
    ordered = table.assign(_order=table["year"].fillna(float("inf"))).sort_values("_order", kind="stable")
    return ordered.drop_duplicates("indicator", keep="last").drop(columns="_order").set_index("indicator")


def indicator_table(
    *,
    city: str,
    spatial: pd.DataFrame,
    figures_values: dict,
    figures_year: int | None,
    figures_sources: dict,
    rule_set: RuleSet,
    held_years: Collection[int] = (),
) -> pd.DataFrame:
    """One scored row per (indicator, year) of the land-cover tables, per figure, per missing indicator.

    Rows of ``held_years`` (land cover covering too little of the city) keep their value with status
    ``partial_coverage`` and no points.
    """
    rows = []
    for record in spatial.to_dict("records"):
        rule = rule_set.indicators.get(record["indicator"])
        row = _row(city, record["indicator"], record["year"], record["value"], record["unit"], record["method"], rule)
        year = record["year"]
        if row["status"] == STATUS_SCORED and not pd.isna(year) and int(year) in held_years:
            row.update(points=None, status=STATUS_PARTIAL_COVERAGE, band=None, verified=None, **_NO_STEP)
        rows.append(row)
    derived = set(spatial["indicator"])
    for indicator, rule in rule_set.indicators.items():
        if indicator in derived:
            continue
        value = figures_values.get(indicator)
        source = figures_sources.get(indicator)
        method = (
            f"supplied by the city: {source}"
            if source
            else "supplied by the city"
            if value is not None
            else f"no value: add it to the city's figures file ({rule.source})"
        )
        if value is None and rule.source == "spatial":
            method = "no value: give its spatial inputs in the city sheet (see config/README.md)"
        if value is None and rule.source == "records":
            method = (
                "no value: add it to the city's figures file, or give the city's species data in the city "
                "sheet (see config/README.md)"
            )
        rows.append(_row(city, indicator, figures_year, value, rule.unit, method, rule))
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS).astype({"year": "Int64", "points": "Int64"})


def _row(city, indicator, year, value, unit, method, rule) -> dict:
    if rule is None:
        return {
            "city": city,
            "indicator": indicator,
            "name": "",
            "name_zh": "",
            "year": year,
            "value": value,
            "unit": unit,
            "points": None,
            "status": STATUS_SUPPORTING,
            "band": None,
            "verified": None,
            "method": method,
            **_NO_STEP,
        }
    score = score_value(rule, value)
    return {
        "city": city,
        "indicator": indicator,
        "name": rule.name,
        "name_zh": rule.name_zh or "",
        "year": year,
        "value": value,
        "unit": unit,
        "points": score.points,
        "status": score.status,
        "band": score.band_label,
        "verified": score.verified,
        "method": method,
        **(_next_step_columns(rule, value) if score.status == STATUS_SCORED else _NO_STEP),
    }


_NO_STEP = {"change_to_next_band": None, "margin_to_band_below": None, "next_step": None}


def _next_step_columns(rule: IndicatorRule, value: object) -> dict:
    """The table's next-band columns of a scored row: signed change to the next band and margin before a point
    is lost (indicator unit; empty in the top or bottom band and for categorical indicators) and the next step
    in words (English; the scorecard and report give both languages)."""
    if rule.is_categorical:
        return {**_NO_STEP, "next_step": describe_next_level(rule, value)["text"]}
    described = describe_next_band(rule, value)
    return {
        "change_to_next_band": described["change_needed"],
        "margin_to_band_below": described["margin"],
        "next_step": "; ".join(part for part in (described["text"], described["margin_text"]) if part),
    }


def compare_city_scenario(
    *,
    base_csv: str | Sequence[str],
    scenario_csv: str | Sequence[str],
    rule_set_path: str,
    overrides_path: str | None,
    comparison_csv: str,
    boundary_coverage_tolerance_percent: float,
    on_partial_coverage: str,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Score a scenario's indicator tables beside its base year's with the city's rules
    (:func:`cbindex.scoring.scenario_comparison.compare_scenario`) and write the comparison.

    ``base_csv`` and ``scenario_csv`` are each one table or several (land cover, then overlays), concatenated."""
    rule_set = load_city_rule_set(rule_set_path, overrides_path=overrides_path or None)
    comparison = compare_scenario(
        base=_read_tables(base_csv),
        scenario=_read_tables(scenario_csv),
        rule_set=rule_set,
        tolerance_percent=boundary_coverage_tolerance_percent,
        on_partial_coverage=on_partial_coverage,
    )
    write_csv(comparison, comparison_csv, encoding=csv_encoding)
    for row in comparison.itertuples():
        if row.base_status != "supporting":
            LOGGER.info(
                "%s: %s -> %s (%s points -> %s)",
                row.indicator,
                row.base_value,
                row.scenario_value,
                row.base_points,
                row.scenario_points,
            )


def _read_tables(paths: str | Sequence[str]) -> pd.DataFrame:
    paths = [paths] if isinstance(paths, str) else list(paths)
    return pd.concat([pd.read_csv(path, encoding="utf-8-sig") for path in paths], ignore_index=True)
