"""The report's districts section: a choropleth per indicator and a ranking table of the latest year
(``results/{city}/{year}/districts.csv`` and ``districts.gpkg``, :mod:`cbindex.overlays.district_indicators`).

The choropleths are maps like every other of the report: drawn in the display CRS with the frame of
:func:`cbindex.report.figures.map_frame`, so they get its graticule, scale bar and north arrow."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely

from cbindex.core.output_names import DISTRICTS_LAYER
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.display_crs import AUTO, city_display_crs
from cbindex.report.content import ReportContent, ReportFigure
from cbindex.report.figures import choropleth_map, map_frame, png_bytes
from cbindex.report.html_tables import escape, figure_html, html_table
from cbindex.report.text import format_change, format_number, localized, text
from cbindex.scoring.rules import RuleSet

DISTRICT_INDICATORS = ("I1", "I2", "I11", "I12", "I9", "redline_coverage", "I13")
"""The stage-table rows a district can have that are indicators, in report order (renamed by the rule set)."""
RANKED_BY = "I1"
MAP_MARGIN = 0.02
"""Share of the districts' larger side left around them on a choropleth (the raster maps' edges are the cells')."""


def read_district_tables(paths: Sequence[str]) -> pd.DataFrame | None:
    """Every year's ``districts.csv`` in one table (None when the city has no districts)."""
    return pd.concat([pd.read_csv(path) for path in paths], ignore_index=True) if paths else None


def shown_indicators(table: pd.DataFrame, rule_set: RuleSet) -> list[str]:
    """The district indicators with a value in the table, as the rule set names them, in report order."""
    present = set(table.loc[table["value"].notna(), "indicator"])
    names = [rule_set.table_name(quantity) for quantity in DISTRICT_INDICATORS]
    return [name for name in dict.fromkeys(names) if name in present and name in rule_set.indicators]


def district_maps(
    table: pd.DataFrame,
    *,
    layer_path: str,
    boundary: CityBoundary,
    rule_set: RuleSet,
    language: str,
    display_crs: str = AUTO,
) -> list[ReportFigure]:
    """A choropleth of every district indicator of the latest year (polygons of ``layer_path``, layer
    :data:`~cbindex.core.output_names.DISTRICTS_LAYER`), drawn like every map of the report: polygons and boundary
    in the display CRS (config ``display_crs``, :func:`cbindex.geo.display_crs.city_display_crs`), the frame of
    :func:`~cbindex.report.figures.map_frame` around the districts and the city (plus :data:`MAP_MARGIN`), with a
    graticule in °E/°N, a scale bar and a north arrow."""
    year = int(table["year"].max())
    latest = table[(table["year"] == year) & (table["district_id"] > 0)]
    crs = city_display_crs(display_crs, boundary=boundary)
    polygons = gpd.read_file(layer_path, layer=DISTRICTS_LAYER).to_crs(crs)
    outline = boundary.to_crs(crs)
    left, bottom, right, top = shapely.total_bounds([*polygons.geometry, outline])
    pad = MAP_MARGIN * max(right - left, top - bottom)
    frame = map_frame((left - pad, right + pad, bottom - pad, top + pad), crs=crs, boundary=boundary, language=language)
    figures = []
    for indicator in shown_indicators(latest, rule_set):
        rule = rule_set.indicators[indicator]
        values = latest[latest["indicator"] == indicator].set_index("district_id")["value"]
        title = text("district_map", language, indicator=localized(rule, "name", language), year=year)
        unit = localized(rule, "unit", language) or rule.unit
        figure = choropleth_map(
            list(polygons.geometry),
            [float(values.get(district_id, float("nan"))) for district_id in polygons["district_id"]],
            frame=frame,
            title=title,
            unit=unit,
            language=language,
        )
        figures.append(
            ReportFigure(
                key=f"district-{indicator}",
                title=title,
                caption=text("district_map_caption", language, unit=unit, crs=frame.crs_name),
                png=png_bytes(figure, language=language),
            )
        )
    return figures


def districts_section(content: ReportContent) -> str:
    """The section's HTML: how the districts were computed, whether they tile the city, the choropleths and the
    districts ranked by I1 (latest year) with every indicator's value, points and change since the previous year."""
    table, language, rule_set = content.districts, content.language, content.rule_set
    year = int(table["year"].max())
    latest = table[table["year"] == year]
    named = latest[latest["district_id"] > 0]
    parts = [f"<p>{escape(text('districts_note', language, n=named['district_id'].nunique(), year=year))}</p>"]
    tiling = latest[latest["district_id"] == -1].set_index("indicator")["value"]
    gap, overlap, outside = (float(tiling.get(f"district_{name}_area", 0.0)) for name in ("gap", "overlap", "outside"))
    if max(gap, overlap, outside) > 1e-4:
        areas = {"gap": gap, "overlap": overlap, "outside": outside}
        sentence = text(
            "districts_tiling",
            language,
            **{name: format_number(area) for name, area in areas.items()},
            no_district=text("no_district", language),
        )
        parts.append(f"<p><strong>{escape(sentence)}</strong></p>")
    else:
        parts.append(f'<p class="muted">{escape(text("districts_tile", language))}</p>')
    parts += [figure_html(figure) for figure in content.district_figures]
    parts.append(_ranking(latest, table, year=year, rule_set=rule_set, language=language))
    return "".join(parts)


def _ranking(latest: pd.DataFrame, table: pd.DataFrame, *, year: int, rule_set: RuleSet, language: str) -> str:
    indicators = shown_indicators(latest[latest["district_id"] > 0], rule_set)
    rows = latest[latest["district_id"] >= 0]
    index = ["district_id", "district"]
    values, points, changes = (
        rows.pivot(index=index, columns="indicator", values=column)
        for column in ("value", "points", "change_since_previous_year")
    )
    ranked_by = rule_set.table_name(RANKED_BY)
    named = values[values.index.get_level_values("district_id") > 0]
    if ranked_by in named:
        named = named.sort_values(ranked_by, ascending=False, na_position="last", kind="stable")
    order = [*named.index, *values.index[values.index.get_level_values("district_id") == 0]]
    earlier = sorted(year_ for year_ in table["year"].unique() if year_ < year)
    header = [text("district_rank", language), text("district", language)]
    for indicator in indicators:
        name = localized(rule_set.indicators[indicator], "name", language)
        header += [f"{indicator} {name}", text("points", language)]
    if earlier:
        header.append(f"{ranked_by} " + text("district_change", language, year=int(earlier[-1])))
    body, rank = [], 0
    for district_id, district in order:
        label = text("no_district", language) if district_id == 0 else district
        rank_cell = "" if district_id == 0 else str(rank := rank + 1)
        # a district's name is a name: shown as written, marked not to be translated
        row = [rank_cell, escape(label) if district_id == 0 else f'<span translate="no">{escape(label)}</span>']
        for indicator in indicators:
            value = values.loc[(district_id, district)].get(indicator)
            point = points.loc[(district_id, district)].get(indicator)
            row += [escape(format_number(value)), "" if point is None or pd.isna(point) else str(int(point))]
        if earlier:
            change = changes.loc[(district_id, district)].get(ranked_by)
            row.append(escape(format_change(None if change is None or pd.isna(change) else float(change))))
        body.append(row)
    title = (
        localized(rule_set.indicators[ranked_by], "name", language) if ranked_by in rule_set.indicators else ranked_by
    )
    caption = text("district_ranking", language, indicator=title, year=year)
    return f"<h3>{escape(caption)}</h3>" + html_table(header, body, css_class="districts")
