"""The report's scenarios section: per what-if scenario its changes, a table of the indicators it changes (base
value, scenario value, change, points before → after) and maps of the base year, the scenario and the cells it
changed.

The words and numbers come from ``scorecard.json`` ``scenarios`` (:mod:`cbindex.scoring.scenario_summary`); the
maps are drawn by :func:`cbindex.report.stage.draw_scenario_maps`, whose changed cells come from
:func:`changed_codes` here: the base and scenario rasters compared at full resolution, strip by strip, so that a
change smaller than a display cell still shows; GDAL's block cache is held to
:data:`~cbindex.geo.city_grid.GDAL_CACHE_MB` while they are read (its default, 5 % of the machine's
memory, filled with the tiles of the whole-width strips: 1,500 MiB of the report's 1,960 MiB peak on the São Tomé
tile, benchmarks/measured/2026-12-02-tile-scenario.txt).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import rasterio
import rasterio.windows

from cbindex.core.messages import message
from cbindex.geo.city_grid import GDAL_CACHE_MB
from cbindex.report.content import ReportContent
from cbindex.report.display_rasters import DataGrid
from cbindex.report.html_tables import escape, figure_html, html_table
from cbindex.report.text import format_change, format_number, localized, text_html
from cbindex.scoring.next_band import change_unit
from cbindex.scoring.rules import RuleSet
from cbindex.scoring.scenario_summary import change_line

STRIP_ROWS = 512
"""Full-resolution rows read at a time (memory: two strips of this many rows of the raster's width)."""


def words(key: str, language: str, **fields: Any) -> str:
    """The section's wording (catalogue section ``scenarios``)."""
    return message(f"scenarios.{key}", language, **fields)


def changed_codes(base_path: str, scenario_path: str, *, like: DataGrid) -> tuple[np.ndarray, np.ndarray]:
    """The cells a scenario changed, pooled onto a display grid: for each cell of ``like`` (a raster read at display
    resolution over the city's window of the base grid), whether any full-resolution cell under it differs between
    the base raster and the scenario's, and the scenario's code there (the largest code when several changed).

    Both rasters are read over ``like``'s bounds in strips of about :data:`STRIP_ROWS` full-resolution rows (whole
    display rows), with GDAL's block cache held to :data:`~cbindex.geo.city_grid.GDAL_CACHE_MB` MiB
    (a row of tiles of the widest raster), so a 1.3-billion-cell tile never sits in memory, neither in these
    arrays nor in GDAL's cache.

    Returns
    -------
    tuple of ndarray
        ``(codes, changed)`` in ``like``'s shape; ``codes`` is meaningful where ``changed`` is True.
    """
    rows, cols = like.array.shape
    with (
        rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB),
        rasterio.open(base_path) as base,
        rasterio.open(scenario_path) as scenario,
    ):
        windows = [
            rasterio.windows.from_bounds(*like.bounds, transform=dataset.transform).round_offsets().round_lengths()
            for dataset in (base, scenario)
        ]
        height, width = int(windows[1].height), int(windows[1].width)
        row_edges = np.linspace(0, height, rows + 1).round().astype(int)
        col_starts = np.linspace(0, width, cols + 1).round().astype(int)[:-1]
        codes = np.zeros((rows, cols), dtype=scenario.dtypes[0])
        changed = np.zeros((rows, cols), dtype=bool)
        step = max(1, STRIP_ROWS * rows // max(height, 1))  # display rows per read
        for first in range(0, rows, step):
            top, bottom = int(row_edges[first]), int(row_edges[min(first + step, rows)])
            before, after = (
                dataset.read(
                    1, window=rasterio.windows.Window(window.col_off, window.row_off + top, width, bottom - top)
                )
                for dataset, window in zip((base, scenario), windows, strict=True)
            )
            differs = before != after
            new = np.where(differs, after, 0)
            for row in range(first, min(first + step, rows)):
                lower, upper = row_edges[row] - top, row_edges[row + 1] - top
                if upper <= lower:
                    continue
                changed[row] = np.logical_or.reduceat(differs[lower:upper].any(axis=0), col_starts)
                codes[row] = np.maximum.reduceat(new[lower:upper].max(axis=0), col_starts)
    return codes, changed


def _points(before: Any, after: Any) -> str:
    return f"{format_number(before)} → {format_number(after)}"


def _indicator_rows(entry: Mapping[str, Any], *, rule_set: RuleSet, language: str) -> list[list[str]]:
    """The table's rows: the indicators (name and unit from the rule set, in the language), then the supporting
    rows (labelled by the scorecard: natural area and city area in ha, connectivity groups, overlay areas,
    population, control-line shares)."""
    rows = []
    for row in entry["indicators"]:
        rule = rule_set.indicators[row["indicator"]]
        unit = localized(rule, "unit", language)
        rows.append(
            [
                escape(f"{rule.id} {localized(rule, 'name', language)}"),
                escape(format_number(row["base_value"], unit=unit)),
                escape(format_number(row["scenario_value"], unit=unit)),
                escape(format_change(row["change"], unit=change_unit(rule.unit, rule.unit_zh, language)) or "—"),
                escape(_points(row["base_points"], row["scenario_points"])),
            ]
        )
    for row in entry["supporting"]:
        unit = row["unit"][language]
        rows.append(
            [
                escape(row["label"][language]),
                escape(format_number(row["base_value"], unit=unit)),
                escape(format_number(row["scenario_value"], unit=unit)),
                escape(format_change(_rounded(row["change"]), unit=change_unit(unit, unit, language)) or "—"),
                "",
            ]
        )
    return rows


def _rounded(change: float | None) -> float | None:
    """A supporting row's change to 6 decimals (float noise shown as no change); None when one side has no value
    (e.g. protected areas a scenario adds to a city that gives none)."""
    return None if change is None else round(change, 6)


def _changes_list(entry: Mapping[str, Any], *, language: str) -> str:
    items = [f"<li>{escape(change_line(change, language))}</li>" for change in entry["changes"]]
    return "<ol>" + "".join(items) + "</ol>"


def scenarios_section(content: ReportContent) -> str:
    """The HTML of the scenarios section (a sentence saying so when the city has no scenarios file)."""
    language = content.language
    scenarios = content.scorecard.get("scenarios") or []
    if not scenarios:
        return f"<p>{text_html('no_scenarios', language, column='scenarios')}</p>"
    header = [words(key, language) for key in ("indicator", "base_value", "scenario_value", "change", "points")]
    parts = [f"<p>{escape(words('intro', language))}</p>"]
    figures = {figure.key: figure for figure in content.scenario_figures}
    for index, entry in enumerate(scenarios):
        points = entry["points"]
        parts += [
            f"<h3>{escape(entry['title'][language])}</h3>",
            f"<p>{escape(words('based_on', language, year=entry['base_year']))}</p>",
            _changes_list(entry, language=language),
            html_table(
                [header[0], words("base_value", language, year=entry["base_year"]), *header[2:]],
                _indicator_rows(entry, rule_set=content.rule_set, language=language),
            ),
            "<p>"
            + escape(
                words(
                    "points_total",
                    language,
                    before=points["base"],
                    after=points["scenario"],
                    change=format_change(points["change"]),
                    count=len(points["indicators"]),
                )
            )
            + "</p>",
        ]
        if points["not_scored"]:
            parts.append(f"<p>{escape(words('not_scored', language, ids=', '.join(points['not_scored'])))}</p>")
        for key in (f"scenario-{index}", f"scenario-overlays-{index}"):
            if key in figures:
                parts.append(figure_html(figures[key]))
    return "".join(parts)
