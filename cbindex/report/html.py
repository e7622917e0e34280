"""The city report as one self-contained HTML page: tables, embedded PNG figures, inline CSS, no script.

:func:`render_report` turns a :class:`ReportContent` (everything already read and drawn) into the page.  The
page references nothing outside itself: images are ``data:`` URIs, the CSS is inline, the CJK font is embedded
(see :func:`cbindex.report.fonts.embedded_font_css`), and sources are cited as plain text, never as links.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cbindex.core.provenance import FileChecksum
from cbindex.geo.legends import Legend
from cbindex.landcover.transitions import transition_matrix_ha
from cbindex.report.figures import POINT_COLOURS
from cbindex.report.fonts import EMBEDDED_FAMILY
from cbindex.report.text import LABELS, format_change, format_number, format_percent, localized, text
from cbindex.scoring.rules import STATUS_NO_BANDS, STATUS_NOT_ASSESSED, STATUS_SCORED, IndicatorRule, RuleSet

SECTIONS = ("summary", "components", "scores", "plots", "maps", "change", "provenance")
"""Section ids of the page, in order (each is an ``<section id=...>``)."""
STATUS_SUPPORTING = "supporting"


@dataclass(frozen=True)
class ReportFigure:
    """A drawn figure: its PNG bytes, title and caption."""

    key: str
    title: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class ReportContent:
    """Everything one report page shows, in one language.

    Attributes
    ----------
    language : {"en", "zh"}
    city, city_name : str
        Id and name (in the language) of the city.
    scorecard : dict
        ``scorecard.json`` as written by the scoring stage.
    rule_set : RuleSet
        The rule set the scorecard was scored with (bands of every indicator).
    legend : Legend
        The land-cover legend (product, version, class names).
    years : tuple of int
        Land-cover years.
    indicators : pandas.DataFrame
        ``indicators.csv`` (one row per indicator and year).
    transitions : dict
        ``(year_from, year_to)`` to its transition table (:func:`cbindex.landcover.transitions.transition_table`).
    method, settings : dict
        The method keys and the other configuration keys of the run.
    checksums : list of FileChecksum
        Every input file of the report.
    software : dict
        Package to version.
    font : dict
        ``family``, ``distribution`` and ``version`` of the CJK font.
    plots, maps, change_figures : list of ReportFigure
        The figures of the plots, maps and change sections.
    map_notes : list of str
        Sentences shown under the maps (e.g. why a map is absent).
    """

    language: str
    city: str
    city_name: str
    scorecard: Mapping[str, Any]
    rule_set: RuleSet
    legend: Legend
    years: tuple[int, ...]
    indicators: pd.DataFrame
    transitions: Mapping[tuple[int, int], pd.DataFrame]
    method: Mapping[str, Any]
    settings: Mapping[str, Any]
    checksums: Sequence[FileChecksum]
    software: Mapping[str, str]
    font: Mapping[str, str]
    plots: Sequence[ReportFigure] = field(default_factory=list)
    maps: Sequence[ReportFigure] = field(default_factory=list)
    change_figures: Sequence[ReportFigure] = field(default_factory=list)
    map_notes: Sequence[str] = field(default_factory=list)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, css_class: str = "") -> str:
    """An HTML table; header cells are escaped here, body cells must be HTML already."""
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    head = f"<thead><tr>{head}</tr></thead>" if any(header) else ""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}>{head}<tbody>{body}</tbody></table>"


def _figure_html(figure: ReportFigure) -> str:
    encoded = base64.b64encode(figure.png).decode("ascii")
    return (
        f'<figure id="figure-{_e(figure.key)}"><img alt="{_e(figure.title)}" '
        f'src="data:image/png;base64,{encoded}"><figcaption><strong>{_e(figure.title)}.</strong> '
        f"{_e(figure.caption)}</figcaption></figure>"
    )


def _status_badge(row: Mapping[str, Any], language: str) -> str:
    return f'<span class="status {_e(row["status"])}">{_e(localized(row, "status_label", language))}</span>'


def _unit(row: Mapping[str, Any], language: str) -> str:
    return localized(row, "unit", language) or ""


# ------------------------------------------------------------------------------------------------ sections


def _summary(content: ReportContent) -> str:
    language, totals = content.language, content.scorecard["totals"]
    assessed = text(
        "of_assessed",
        language,
        points=totals["points"],
        assessed=totals["assessed_max"],
        scored=totals["indicators_scored"],
        share=format_percent(totals["share_of_assessed"]),
    )
    maximum_key = "of_max" if totals.get("max_points_known", True) else "of_max_unknown"
    maximum = text(
        maximum_key,
        language,
        points=totals["points"],
        maximum=totals["max_points"],
        share=format_percent(totals["share_of_max"]),
    )
    counts = text(
        "counts",
        language,
        scored=totals["indicators_scored"],
        not_assessed=totals["indicators_not_assessed"],
        no_bands=totals["indicators_without_bands"],
        excluded=totals.get("indicators_excluded", 0),
    )
    notes = content.scorecard["notes_zh" if language == "zh" else "notes"]
    warning = (
        f'<p class="warning">{_e(text("unverified_warning", language))}</p>'
        if totals.get("any_unverified_bands")
        else ""
    )
    return (
        f'<div class="totals"><div class="total-box"><div class="big">{totals["points"]}</div>'
        f"<div>{_e(text('total', language))}</div></div><ul><li>{_e(assessed)}</li><li>{_e(maximum)}</li>"
        f"<li>{_e(counts)}</li></ul></div>{warning}<h3>{_e(text('notes', language))}</h3>"
        f'<ul class="notes">{"".join(f"<li>{_e(note)}</li>" for note in notes)}</ul>'
    )


def _components(content: ReportContent) -> str:
    language = content.language
    rows = []
    for component in content.scorecard["components"]:
        rows.append(
            [
                _e(localized(component, "name", language)),
                _e(component["points"]),
                _e(component["assessed_max"]),
                _e(format_percent(component["share_of_assessed"])),
                _e(component["max_points"]),
                _e(format_percent(component["share_of_max"])),
                _e(component["indicators_scored"]),
            ]
        )
    totals = content.scorecard["totals"]
    rows.append(
        [
            f"<strong>{_e(text('total', language))}</strong>",
            f"<strong>{totals['points']}</strong>",
            _e(totals["assessed_max"]),
            _e(format_percent(totals["share_of_assessed"])),
            _e(totals["max_points"]),
            _e(format_percent(totals["share_of_max"])),
            _e(totals["indicators_scored"]),
        ]
    )
    header = [
        text(key, language)
        for key in (
            "component",
            "points",
            "assessed_max",
            "share_assessed",
            "component_max",
            "share_max",
            "indicators_scored",
        )
    ]
    figures = "".join(_figure_html(figure) for figure in content.plots if figure.key == "components")
    return _table(header, rows) + figures


def _band_items(rule: IndicatorRule, row: Mapping[str, Any], language: str) -> str:
    """Every band (or level) of an indicator, the one reached marked."""
    if rule.is_categorical:
        entries = [
            (
                level.points,
                localized(level, "label", language),
                row["status"] == STATUS_SCORED and level.value == row["value"],
            )
            for level in rule.levels
        ]
    else:
        value = row["value"]
        entries = [
            (
                band.points,
                localized(band, "label", language),
                row["status"] == STATUS_SCORED and value is not None and band.contains(float(value)),
            )
            for band in sorted(rule.bands, key=lambda band: band.start_cut)
        ]
    if not entries:
        return f'<span class="muted">{_e(text("no_bands_known", language))}</span>'
    items = "".join(
        f'<li class="band p{points}{" reached" if reached else ""}">{"▶ " if reached else ""}{points}: {_e(label)}</li>'
        for points, label, reached in entries
    )
    return f'<ol class="bands">{items}</ol>'


def _value_text(rule: IndicatorRule, row: Mapping[str, Any], language: str) -> str:
    value = row["value"]
    if rule.is_categorical and value is not None:
        for level in rule.levels:
            if level.value == value:
                return localized(level, "label", language)
    return format_number(value, unit=_unit(row, language) if value is not None else None)


def _next_band_text(row: Mapping[str, Any], language: str) -> str:
    distance = row.get("next_band")
    if not isinstance(distance, Mapping):
        return ""
    parts = [localized(distance, "text", language), localized(distance, "area_text", language)]
    return "<br>".join(_e(part) for part in parts if part)


def _verified_text(rule: IndicatorRule, row: Mapping[str, Any], language: str) -> str:
    if not rule.has_bands:
        return _e(text("not_available", language))
    if rule.bands_status == "verified":
        return _e(text("yes", language))
    key = f"bands_{rule.bands_status}"
    status = text(key, language) if key in LABELS else rule.bands_status
    return f'<span class="unverified">{_e(text("bands_status", language, status=status))}</span>'


def _scores(content: ReportContent) -> str:
    language = content.language
    rows = []
    for row in content.scorecard["indicators"]:
        rule = content.rule_set.indicators[row["id"]]
        points = "" if row["points"] is None else f"<strong>{row['points']}</strong> / 4"
        band = localized(row, "band_label", language) or ""
        name = (
            f"<strong>{_e(row['id'])}</strong> {_e(localized(row, 'name', language))}"
            f'<br><a class="small" href="#method-{_e(row["id"])}">{_e(text("how_computed", language))}</a>'
        )
        rows.append(
            [
                name,
                _e(_value_text(rule, row, language)),
                points or _e(text("not_available", language)),
                _e(band),
                _band_items(rule, row, language),
                _status_badge(row, language),
                _verified_text(rule, row, language),
                _next_band_text(row, language),
            ]
        )
    header = [
        text(key, language)
        for key in ("indicator", "value", "points", "band_reached", "all_bands", "status", "verified", "next_band")
    ]
    return _table(header, rows, css_class="scores")


def _plots(content: ReportContent) -> str:
    figures = [figure for figure in content.plots if figure.key != "components"]
    if not figures:
        return f"<p>{_e(text('band_plot_none', content.language))}</p>"
    return "".join(_figure_html(figure) for figure in figures)


def _maps(content: ReportContent) -> str:
    notes = "".join(f'<p class="muted">{_e(note)}</p>' for note in content.map_notes)
    return "".join(_figure_html(figure) for figure in content.maps) + notes


def yearly_indicator_rows(indicators: pd.DataFrame, *, rule_set: RuleSet) -> pd.DataFrame:
    """The rows of the rule set's indicators that have a land-cover year, in the rule set's order.

    Parameters
    ----------
    indicators : pandas.DataFrame
        ``indicators.csv``.
    rule_set : RuleSet

    Returns
    -------
    pandas.DataFrame
        Rows with a year and a value, indicators with at least two years only.
    """
    yearly = indicators[
        (indicators["status"] != STATUS_SUPPORTING)
        & indicators["year"].notna()
        & indicators["indicator"].isin(list(rule_set.indicators))
    ]
    yearly = yearly[pd.to_numeric(yearly["value"], errors="coerce").notna()]
    counts = yearly.groupby("indicator")["year"].nunique()
    kept = [indicator for indicator in rule_set.indicators if counts.get(indicator, 0) >= 2]
    return (
        yearly[yearly["indicator"].isin(kept)]
        .assign(_order=lambda frame: frame["indicator"].map(kept.index))
        .sort_values(["_order", "year"])
        .drop(columns="_order")
    )


def _change_tables(content: ReportContent) -> str:
    language = content.language
    yearly = yearly_indicator_rows(content.indicators, rule_set=content.rule_set)
    if yearly.empty:
        return ""
    years = sorted(int(year) for year in yearly["year"].unique())
    value_rows, point_rows = [], []
    for indicator, rows in yearly.groupby("indicator", sort=False):
        rule = content.rule_set.indicators[indicator]
        unit = localized(rule, "unit", language)
        by_year = {int(year): float(value) for year, value in zip(rows["year"], rows["value"], strict=True)}
        points = {int(year): value for year, value in zip(rows["year"], rows["points"], strict=True)}
        cells, previous = [], None
        for year in years:
            value = by_year.get(year)
            change = None if value is None or previous is None else value - previous
            changed = f' <span class="change">({_e(format_change(change))})</span>' if change is not None else ""
            cells.append(_e(format_number(value)) + changed)
            previous = value if value is not None else previous
        label = f"<strong>{_e(indicator)}</strong> {_e(localized(rule, 'name', language))}"
        value_rows.append([label, _e(unit), *cells])
        point_rows.append([label, *[_points_cell(points.get(year)) for year in years]])
    value_header = [text("indicator", language), "", *[str(year) for year in years]]
    return (
        f"<h3>{_e(text('values_by_year', language))}</h3>{_table(value_header, value_rows)}"
        f"<h3>{_e(text('points_by_year', language))}</h3>"
        f"{_table([text('indicator', language), *[str(year) for year in years]], point_rows)}"
    )


def _points_cell(points: Any) -> str:
    if points is None or pd.isna(points):
        return "—"
    return f'<span class="band p{int(points)}">{int(points)}</span>'


def _transition_table(table: pd.DataFrame, *, year_from: int, year_to: int, language: str) -> str:
    matrix = transition_matrix_ha(table, names="from_class_zh" if language == "zh" else "from_class")
    total = float(matrix.to_numpy().sum())
    stayed = float(sum(matrix.iat[position, position] for position in range(len(matrix))))
    changed = total - stayed
    rows = []
    for position, name in enumerate(matrix.index):
        cells = [
            (
                f'<span class="diagonal">{_e(format_number(area))}</span>'
                if column == position
                else _e(format_number(area))
            )
            for column, area in enumerate(matrix.iloc[position])
        ]
        rows.append([f"<strong>{_e(name)}</strong>", *cells, _e(format_number(float(matrix.iloc[position].sum())))])
    rows.append(
        [
            f"<strong>{_e(text('row_total', language))}</strong>",
            *[_e(format_number(float(area))) for area in matrix.sum(axis=0)],
            _e(format_number(total)),
        ]
    )
    header = [text("from_to", language), *matrix.columns, text("row_total", language)]
    caption = text(
        "transitions_caption",
        language,
        year_from=year_from,
        year_to=year_to,
        changed=format_number(changed),
        total=format_number(total),
        share=format_percent(100.0 * changed / total if total else None),
    )
    title = text("transitions", language, year_from=year_from, year_to=year_to)
    return (
        f'<div class="transition" id="transitions-{year_from}-{year_to}"><h3>{_e(title)}</h3>'
        f'<p class="small">{_e(caption)}</p>{_table(header, rows, css_class="matrix")}</div>'
    )


def _change(content: ReportContent) -> str:
    language = content.language
    if len(content.years) < 2:
        return f"<p>{_e(text('single_year', language, year=content.years[0]))}</p>"
    parts = [_figure_html(figure) for figure in content.change_figures]
    parts.append(_change_tables(content))
    for (year_from, year_to), table in sorted(content.transitions.items()):
        parts.append(_transition_table(table, year_from=year_from, year_to=year_to, language=language))
    return "".join(parts)


def _setting_rows(settings: Mapping[str, Any], *, prefix: str = "") -> list[list[str]]:
    """One row per leaf key (dotted path) of a nested settings mapping."""
    rows = []
    for key, value in settings.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            rows += _setting_rows(value, prefix=f"{path}.")
        else:
            rows.append([f"<code>{_e(path)}</code>", f"<code>{_e(json.dumps(value, ensure_ascii=False))}</code>"])
    return rows


def _method_rows(indicators: pd.DataFrame, *, language: str) -> list[list[str]]:
    """One row per indicator and distinct method text, with the years it applies to."""
    rows = []
    anchored = set()
    frame = indicators.assign(method=indicators["method"].fillna(""))
    for (indicator, method), group in frame.groupby(["indicator", "method"], sort=False):
        years = sorted(int(year) for year in group["year"].dropna().unique())
        years_text = ", ".join(str(year) for year in years) if years else text("not_available", language)
        anchor = f' id="method-{_e(indicator)}"' if indicator not in anchored else ""
        anchored.add(indicator)
        rows.append([f"<code{anchor}>{_e(indicator)}</code>", _e(years_text), _e(method or "—")])
    return rows


def _provenance(content: ReportContent) -> str:
    language, rule_set, legend = content.language, content.rule_set, content.legend
    card = content.scorecard
    rule_rows = [
        [_e(text(key, language)), _e(value)]
        for key, value in (
            ("rule_set_id", rule_set.id),
            ("name", localized(rule_set, "name", language)),
            ("version", rule_set.version),
            ("source", rule_set.source),
            ("based_on", rule_set.based_on or "—"),
            ("overrides", card.get("scoring_overrides_file") or "—"),
        )
    ]
    landcover_rows = [
        [_e(text(key, language)), _e(value)]
        for key, value in (
            ("legend", legend.id),
            ("name", legend.name),
            ("version", legend.version),
            ("source", legend.source),
            ("years", ", ".join(str(year) for year in content.years)),
        )
    ]
    key_header = [text("key", language), text("setting", language)]
    input_rows = [
        [f"<code>{_e(item.path)}</code>", _e(f"{item.size_bytes:,}"), f"<code>{item.sha256}</code>"]
        for item in content.checksums
    ]
    software_rows = [[_e(name), _e(version)] for name, version in content.software.items()]
    font = text("font", language, **content.font)
    return "".join(
        [
            f"<h3>{_e(text('rule_set', language))}</h3>",
            _table(["", ""], rule_rows, css_class="keyvalue"),
            f"<h3>{_e(text('landcover', language))}</h3>",
            _table(["", ""], landcover_rows, css_class="keyvalue"),
            f"<h3>{_e(text('method_keys', language))}</h3>",
            _table(key_header, _setting_rows(content.method)),
            f"<h3>{_e(text('indicator_methods', language))}</h3>",
            _table(
                [text("indicator", language), text("years", language), text("method", language)],
                _method_rows(content.indicators, language=language),
                css_class="methods",
            ),
            f"<h3>{_e(text('other_settings', language))}</h3>",
            _table(key_header, _setting_rows(content.settings)),
            f"<h3>{_e(text('inputs', language))}</h3>",
            _table([text("file", language), text("size", language), "SHA-256"], input_rows, css_class="inputs"),
            f"<h3>{_e(text('software', language))}</h3>",
            _table([text("package", language), text("version", language)], software_rows),
            f'<p class="small">{_e(font)}</p>',
        ]
    )


_SECTION_BUILDERS = {
    "summary": _summary,
    "components": _components,
    "scores": _scores,
    "plots": _plots,
    "maps": _maps,
    "change": _change,
    "provenance": _provenance,
}


def render_report_body(content: ReportContent) -> str:
    """The page's ``<body>`` content: a header, a table of contents and every section of :data:`SECTIONS`."""
    language = content.language
    rule_set_name = localized(content.rule_set, "name", language)
    years = ", ".join(str(year) for year in content.years)
    subtitle = text("subtitle", language, rule_set=rule_set_name, product=content.legend.name, years=years)
    navigation = " · ".join(f'<a href="#{section}">{_e(text(section, language))}</a>' for section in SECTIONS)
    sections = "".join(
        f'<section id="{section}"><h2>{_e(text(section, language))}</h2>{_SECTION_BUILDERS[section](content)}</section>'
        for section in SECTIONS
    )
    return (
        f"<header><h1>{_e(content.city_name)}: {_e(text('title', language))}</h1><p>{_e(subtitle)}</p>"
        f'<nav aria-label="{_e(text("contents", language))}">{navigation}</nav></header><main>{sections}</main>'
    )


def _stylesheet(language: str, font_css: str) -> str:
    cjk = f'"{EMBEDDED_FAMILY}"'
    families = (
        f'{cjk}, "Noto Sans SC", "Noto Sans CJK SC", sans-serif'
        if language == "zh"
        else f'"DejaVu Sans", "Helvetica Neue", Arial, {cjk}, sans-serif'
    )
    points = "".join(
        f".band.p{points} {{ background: {colour}33; border-left: 4px solid {colour}; }}"
        f".band.p{points}.reached {{ background: {colour}; font-weight: bold; }}"
        for points, colour in enumerate(POINT_COLOURS)
    )
    return f"""{font_css}
body {{ font-family: {families}; margin: 0 auto; max-width: 1200px; padding: 0 1.5em 3em; color: #1d1d1d;
  line-height: 1.4; }}
h1 {{ margin-bottom: 0.2em; }} h2 {{ border-bottom: 2px solid #2e7d32; padding-bottom: 0.2em; margin-top: 2em; }}
nav a {{ margin-right: 0.3em; }}
table {{ border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }}
th, td {{ border: 1px solid #cfcfcf; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }}
th {{ background: #f0f4f0; }}
table.matrix td, table.matrix th {{ text-align: right; }}
code {{ font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace, {cjk}; }}
table.inputs code, table.methods td {{ font-size: 0.85em; }}
table.methods td:last-child {{ overflow-wrap: anywhere; }}
table.keyvalue td:first-child, table.scores td:nth-child(2), table.scores td:nth-child(3) {{ white-space: nowrap; }}
ol.bands {{ list-style: none; margin: 0; padding: 0; }}
ol.bands li {{ margin: 1px 0; padding: 0 0.4em; }}
table.scores {{ width: 100%; }}
table.scores td:first-child {{ min-width: 13em; }}
table.scores td:nth-child(5) {{ min-width: 14em; }}
span.band {{ display: inline-block; min-width: 1.5em; text-align: center; }}
{points}
.status {{ padding: 0.1em 0.4em; border-radius: 0.3em; white-space: nowrap; }}
.status.scored {{ background: #e3f2e3; }}
.status.{STATUS_NOT_ASSESSED} {{ background: #eeeeee; color: #555; font-style: italic; }}
.status.{STATUS_NO_BANDS} {{ background: #fff3cd; }}
.status.excluded {{ background: #f8d7da; }}
.unverified {{ color: #a15c00; }}
.warning {{ background: #fff3cd; border-left: 4px solid #e0a800; padding: 0.5em; }}
.totals {{ display: flex; gap: 1.5em; align-items: center; }}
.total-box {{ text-align: center; border: 2px solid #2e7d32; border-radius: 0.5em; padding: 0.5em 1.2em; }}
.big {{ font-size: 2.4em; font-weight: bold; color: #2e7d32; }}
.muted {{ color: #666; }} .small {{ font-size: 0.85em; }} .change {{ color: #555; font-size: 0.85em; }}
.diagonal {{ font-weight: bold; }}
figure {{ margin: 1em 0; }} figure img {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}
figcaption {{ font-size: 0.9em; color: #333; }}
"""


def render_report(content: ReportContent, *, font_css: str = "") -> str:
    """The whole HTML page.

    Parameters
    ----------
    content : ReportContent
    font_css : str, optional
        An ``@font-face`` rule embedding the CJK font (:func:`cbindex.report.fonts.embedded_font_css`).

    Returns
    -------
    str
        A complete HTML5 document without scripts or external references.
    """
    title = f"{content.city_name}: {text('title', content.language)}"
    lang = "zh-Hans" if content.language == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
        f"<style>{_stylesheet(content.language, font_css)}</style></head>"
        f"<body>{render_report_body(content)}</body></html>\n"
    )
