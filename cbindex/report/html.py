"""The city report as one self-contained HTML page: tables, embedded PNG figures, inline CSS, no script.

:func:`render_report` turns a :class:`ReportContent` (everything already read and drawn) into the page; the
summary, components and scores sections and the HTML building blocks are in :mod:`cbindex.report.html_tables`.  The
page references nothing outside itself: images are ``data:`` URIs, the CSS is inline, the CJK font is embedded
(see :func:`cbindex.report.fonts.embedded_font_css`), and sources are cited as plain text, never as links.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from cbindex.geo.legends import Legend
from cbindex.landcover.transitions import transition_matrix_ha
from cbindex.report.content import ReportContent
from cbindex.report.districts import districts_section
from cbindex.report.figures import POINT_COLOURS
from cbindex.report.fonts import EMBEDDED_FAMILY
from cbindex.report.html_tables import (
    components_section,
    escape,
    figure_html,
    html_table,
    scores_section,
    summary_section,
)
from cbindex.report.landcover_section import landcover_section, products_by_year, shared_noise_threshold, within_noise
from cbindex.report.scenarios_section import scenarios_section
from cbindex.report.targets_section import targets_section
from cbindex.report.text import format_change, format_number, format_percent, localized, method_html, text, text_html
from cbindex.scoring.rules import STATUS_NO_BANDS, STATUS_NOT_ASSESSED, RuleSet

SECTIONS = (
    "summary",
    "components",
    "scores",
    "plots",
    "land",
    "maps",
    "districts",
    "change",
    "targets",
    "scenarios",
    "provenance",
)
"""Section ids of the page, in order (each is an ``<section id=...>``)."""
STATUS_SUPPORTING = "supporting"


# ------------------------------------------------------------------------------------------------ sections
# summary, components and scores: cbindex.report.html_tables


def _plots(content: ReportContent) -> str:
    figures = [figure for figure in content.plots if figure.key != "components"]
    if not figures:
        return f"<p>{escape(text('band_plot_none', content.language))}</p>"
    return "".join(figure_html(figure) for figure in figures)


def _land(content: ReportContent) -> str:
    if content.landcover_facts is None:
        return ""
    return landcover_section(
        facts=content.landcover_facts,
        legend=content.legends[max(content.years)],
        threshold_pp=shared_noise_threshold(content.legends),
        products=products_by_year(content.legends),
        indicators=content.indicators,
        years=content.years,
        language=content.language,
    )


def _maps(content: ReportContent) -> str:
    notes = "".join(f'<p class="muted">{escape(note)}</p>' for note in content.map_notes)
    maps = "".join(figure_html(figure) for figure in content.maps)
    return maps + notes + _links_table(content) + _overlay_tables(content)


def _links_table(content: ReportContent) -> str:
    """The best candidate links of I2 (scorecard ``candidate_links``, :mod:`cbindex.scoring.link_advice`): the
    groups each joins, its length, the gain, I2 and the points after it, the land it crosses."""
    links = content.scorecard.get("candidate_links")
    if not links or not links["top"]:
        return ""
    language = content.language
    i2 = content.rule_set.indicators.get("I2")
    unit = "" if i2 is None else (i2.unit if language == "en" else i2.unit_zh or i2.unit)
    keys = ("link_column", "link_groups", "link_length", "link_gain", "link_i2_after", "link_points_after")
    header = [text(key, language) for key in (*keys, "link_crosses")]
    rows = [
        [
            str(link["link_id"]),
            escape(
                f"{link['group_a']} ({format_number(link['area_a_ha'])}) + {link['group_b']} "
                f"({format_number(link['area_b_ha'])})"
            ),
            escape(format_number(link["length_m"])),
            escape(format_number(link["gain_ha"])),
            escape(f"{format_number(link['value_after'])} {unit}".strip()),
            _points_cell(link["points_after"]),
            escape(link["classes_crossed" if language == "en" else "classes_crossed_zh"]),
        ]
        for link in links["top"]
    ]
    search = content.method.get("link_search_m")
    intro = text(
        "candidate_links_intro",
        language,
        count=links["count"],
        year=content.scorecard.get("landcover_year", ""),
        search=format_number(search) if search is not None else "",
    )
    return f"<h3>{escape(text('candidate_links', language))}</h3><p>{escape(intro)}</p>" + html_table(header, rows)


def _overlay_tables(content: ReportContent) -> str:
    """The coverage layers (control lines) per year, and the protected area per category, when the city has them."""
    language = content.language
    parts = []
    if content.coverage_rows:
        header = [text(key, language) for key in ("coverage_layer", "year", "coverage", "natural_share", "area_ha")]
        parts += [
            f"<h3>{escape(text('coverage_layers', language))}</h3>",
            html_table(header, [[escape(cell) for cell in row] for row in content.coverage_rows]),
        ]
    if content.category_rows:
        header = [text(key, language) for key in ("protected_category", "year", "area_ha", "natural_area_ha")]
        parts += [
            f"<h3>{escape(text('protected_categories', language))}</h3>",
            html_table(header, [[escape(cell) for cell in row] for row in content.category_rows]),
        ]
    return "".join(parts)


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
    value_rows, point_rows, marked = [], [], False
    for indicator, rows in yearly.groupby("indicator", sort=False):
        rule = content.rule_set.indicators[indicator]
        unit = localized(rule, "unit", language)
        by_year = {int(year): float(value) for year, value in zip(rows["year"], rows["value"], strict=True)}
        points = {int(year): value for year, value in zip(rows["year"], rows["points"], strict=True)}
        cells, previous = [], None
        threshold = shared_noise_threshold(content.legends) if rule.unit == "%" else None
        for year in years:
            value = by_year.get(year)
            change = None if value is None or previous is None else value - previous
            noise = "≈ " if within_noise(change, threshold) else ""
            marked = marked or bool(noise)
            changed = (
                f' <span class="change{" noise" if noise else ""}">({noise}{escape(format_change(change))})</span>'
                if change is not None
                else ""
            )
            cells.append(escape(format_number(value)) + changed)
            previous = value if value is not None else previous
        label = f"<strong>{escape(indicator)}</strong> {escape(localized(rule, 'name', language))}"
        value_rows.append([label, escape(unit), *cells])
        point_rows.append([label, *[_points_cell(points.get(year)) for year in years]])
    value_header = [text("indicator", language), "", *[str(year) for year in years]]
    threshold = shared_noise_threshold(content.legends)
    note = (
        f'<p class="small">{escape(text("noise_note", language, threshold=f"{threshold:.3g}"))}</p>' if marked else ""
    )
    return (
        f"<h3>{escape(text('values_by_year', language))}</h3>{html_table(value_header, value_rows)}{note}"
        f"<h3>{escape(text('points_by_year', language))}</h3>"
        f"{html_table([text('indicator', language), *[str(year) for year in years]], point_rows)}"
    )


def _points_cell(points: Any) -> str:
    if points is None or pd.isna(points):
        return "—"
    return f'<span class="band p{int(points)}">{int(points)}</span>'


def _transition_table(
    table: pd.DataFrame, *, year_from: int, year_to: int, language: str, legends: Mapping[int, Legend]
) -> str:
    matrix = transition_matrix_ha(table, names="from_class_zh" if language == "zh" else "from_class")
    total = float(matrix.to_numpy().sum())
    stayed = float(sum(matrix.iat[position, position] for position in range(len(matrix))))
    changed = total - stayed
    rows = []
    for position, name in enumerate(matrix.index):
        cells = [
            (
                f'<span class="diagonal">{escape(format_number(area))}</span>'
                if column == position
                else escape(format_number(area))
            )
            for column, area in enumerate(matrix.iloc[position])
        ]
        rows.append(
            [f"<strong>{escape(name)}</strong>", *cells, escape(format_number(float(matrix.iloc[position].sum())))]
        )
    rows.append(
        [
            f"<strong>{escape(text('row_total', language))}</strong>",
            *[escape(format_number(float(area))) for area in matrix.sum(axis=0)],
            escape(format_number(total)),
        ]
    )
    header = [text("from_to", language), *matrix.columns, text("row_total", language)]
    by_category = "basis" in table.columns  # two products: compared on their classes' categories
    caption = text(
        "transitions_categories_caption" if by_category else "transitions_caption",
        language,
        year_from=year_from,
        year_to=year_to,
        product_from=legends[year_from].name,
        product_to=legends[year_to].name,
        changed=format_number(changed),
        total=format_number(total),
        share=format_percent(100.0 * changed / total if total else None),
    )
    title = text(
        "transitions_categories" if by_category else "transitions", language, year_from=year_from, year_to=year_to
    )
    return (
        f'<div class="transition" id="transitions-{year_from}-{year_to}"><h3>{escape(title)}</h3>'
        f'<p class="small">{escape(caption)}</p>{html_table(header, rows, css_class="matrix")}</div>'
    )


def _change(content: ReportContent) -> str:
    language = content.language
    if len(content.years) < 2:
        return f"<p>{escape(text('single_year', language, year=content.years[0]))}</p>"
    parts = [figure_html(figure) for figure in content.change_figures]
    parts.append(_change_tables(content))
    for (year_from, year_to), table in sorted(content.transitions.items()):
        parts.append(
            _transition_table(table, year_from=year_from, year_to=year_to, language=language, legends=content.legends)
        )
    return "".join(parts)


def _setting_rows(settings: Mapping[str, Any], *, prefix: str = "") -> list[list[str]]:
    """One row per leaf key (dotted path) of a nested settings mapping."""
    rows = []
    for key, value in settings.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            rows += _setting_rows(value, prefix=f"{path}.")
        else:
            rows.append(
                [f"<code>{escape(path)}</code>", f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"]
            )
    return rows


def _method_rows(indicators: pd.DataFrame, *, language: str) -> list[list[str]]:
    """One row per indicator and distinct method text, with the years it applies to."""
    rows = []
    anchored = set()
    frame = indicators.assign(method=indicators["method"].fillna(""))
    for (indicator, method), group in frame.groupby(["indicator", "method"], sort=False):
        years = sorted(int(year) for year in group["year"].dropna().unique())
        years_text = ", ".join(str(year) for year in years) if years else text("not_available", language)
        anchor = f' id="method-{escape(indicator)}"' if indicator not in anchored else ""
        anchored.add(indicator)
        rows.append([f"<code{anchor}>{escape(indicator)}</code>", escape(years_text), method_html(method, language)])
    return rows


GLOSSARY = "docs/glossary.md"
"""The glossary page in the repository; the report links to it relative to ``results/{city}/``."""


def _glossary_link(language: str) -> str:
    link = f'<a href="../../{GLOSSARY}"><code>{GLOSSARY}</code></a>'
    return escape(text("glossary", language)).format(link=link)


class _Cited(str):
    """A source or version note quoted as its producer wrote it (in English): shown as ``<cite>``."""


def _value_html(value: str) -> str:
    return f"<cite>{escape(value)}</cite>" if isinstance(value, _Cited) else escape(value)


def _provenance(content: ReportContent) -> str:
    language, rule_set = content.language, content.rule_set
    card = content.scorecard
    rule_rows = [
        [escape(text(key, language)), _value_html(value)]
        for key, value in (
            ("rule_set_id", rule_set.id),
            ("name", localized(rule_set, "name", language)),
            ("version", rule_set.version),
            ("source", _Cited(rule_set.source)),
            ("based_on", rule_set.based_on or "—"),
            ("overrides", card.get("scoring_overrides_file") or "—"),
        )
    ]
    landcover_tables = [
        html_table(
            ["", ""],
            [
                [escape(text(key, language)), _value_html(value)]
                for key, value in (
                    ("legend", legend.id),
                    ("name", legend.name),
                    ("version", _Cited(legend.version)),
                    ("source", _Cited(legend.source)),
                    ("years", ", ".join(str(year) for year in years)),
                )
            ],
            css_class="keyvalue",
        )
        for legend, years in products_by_year(content.legends)
    ]
    key_header = [text("key", language), text("setting", language)]
    input_rows = [
        [f"<code>{escape(item.path)}</code>", escape(f"{item.size_bytes:,}"), f"<code>{item.sha256}</code>"]
        for item in content.checksums
    ]
    software_rows = [[f"<code>{escape(name)}</code>", escape(version)] for name, version in content.software.items()]
    font = text_html("font", language, **content.font)
    return "".join(
        [
            f"<h3>{escape(text('rule_set', language))}</h3>",
            html_table(["", ""], rule_rows, css_class="keyvalue"),
            f"<h3>{escape(text('landcover', language))}</h3>",
            *landcover_tables,
            f'<details class="config"><summary>{escape(text("configuration", language))}</summary>',
            f"<h3>{escape(text('method_keys', language))}</h3>",
            html_table(key_header, _setting_rows(content.method)),
            f"<h3>{escape(text('other_settings', language))}</h3>",
            html_table(key_header, _setting_rows(content.settings)),
            "</details>",
            f"<h3>{text_html('indicator_methods', language, column='method')}</h3>",
            html_table(
                [text("indicator", language), text("years", language), text("method", language)],
                _method_rows(content.indicators, language=language),
                css_class="methods",
            ),
            f'<details class="config"><summary>{escape(text("inputs_and_software", language))}</summary>',
            f"<h3>{escape(text('inputs', language))}</h3>",
            html_table([text("file", language), text("size", language), "SHA-256"], input_rows, css_class="inputs"),
            f"<h3>{escape(text('software', language))}</h3>",
            html_table([text("package", language), text("version", language)], software_rows),
            "</details>",
            f'<p class="small">{font}</p>',
            f'<p class="small">{_glossary_link(language)}</p>',
        ]
    )


_SECTION_BUILDERS = {
    "summary": summary_section,
    "components": components_section,
    "scores": scores_section,
    "plots": _plots,
    "land": _land,
    "maps": _maps,
    "districts": districts_section,
    "change": _change,
    "targets": targets_section,
    "scenarios": scenarios_section,
    "provenance": _provenance,
}


def product_with_cells(content: ReportContent) -> str:
    """The product's name with the cell size of the raster used (the name may say 10 m of a resampled copy)."""
    facts = content.landcover_facts
    name = content.legends[max(content.years)].name
    if facts is None or facts.cell_size_m is None:
        return name
    size = f"{max(facts.cell_size_m):.0f}" if max(facts.cell_size_m) >= 20 else f"{max(facts.cell_size_m):.1f}"
    return text("product_cells", content.language, product=name, size=size)


def render_report_body(content: ReportContent) -> str:
    """The page's ``<body>`` content: a header, a table of contents and every section of :data:`SECTIONS`."""
    language = content.language
    rule_set_name = localized(content.rule_set, "name", language)
    products = products_by_year(content.legends)
    if len(products) == 1:
        years = ", ".join(str(year) for year in content.years)
        subtitle = text("subtitle", language, rule_set=rule_set_name, product=product_with_cells(content), years=years)
    else:
        named = text("list_separator", language).join(
            text("product_years", language, product=legend.name, years=", ".join(str(year) for year in years))
            for legend, years in products
        )
        subtitle = text("subtitle_products", language, rule_set=rule_set_name, products=named)
    shown = [section for section in SECTIONS if section != "districts" or content.districts is not None]
    navigation = " · ".join(f'<a href="#{section}">{escape(text(section, language))}</a>' for section in shown)
    sections = "".join(
        f'<section id="{section}"><h2>{escape(text(section, language))}</h2>'
        f"{_SECTION_BUILDERS[section](content)}</section>"
        for section in shown
    )
    return (
        f"<header><h1>{escape(content.city_name)}: {escape(text('title', language))}</h1><p>{escape(subtitle)}</p>"
        f'<nav aria-label="{escape(text("contents", language))}">{navigation}</nav></header><main>{sections}</main>'
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
.progress {{ padding: 0.1em 0.4em; border-radius: 0.3em; white-space: nowrap; background: #eeeeee; }}
.progress.on_track, .progress.target_met {{ background: #e3f2e3; }}
.progress.off_track, .progress.target_year_passed {{ background: #f8d7da; }}
.unverified {{ color: #a15c00; }}
.warning {{ background: #fff3cd; border-left: 4px solid #e0a800; padding: 0.5em; }}
.totals {{ display: flex; gap: 1.5em; align-items: center; }}
.total-box {{ text-align: center; border: 2px solid #2e7d32; border-radius: 0.5em; padding: 0.5em 1.2em;
  max-width: 22em; }}
.total-box .headline {{ margin: 0.2em 0; font-weight: bold; }}
.total-label {{ color: #2e7d32; font-weight: bold; }}
.big {{ font-size: 2.4em; font-weight: bold; color: #2e7d32; line-height: 1.1; }}
.muted {{ color: #666; }} .small {{ font-size: 0.85em; }} .change {{ color: #555; font-size: 0.85em; }}
.diagonal {{ font-weight: bold; }}
figure {{ margin: 1em 0; }} figure img {{ max-width: 100%; height: auto; border: 1px solid #ddd; }}
figcaption {{ font-size: 0.9em; color: #333; }}
.change.noise {{ color: #8a8a8a; font-style: italic; }}
table.composition td + td, table.areas td + td {{ text-align: right; white-space: nowrap; }}
details.config > summary {{ cursor: pointer; font-weight: bold; margin: 1em 0 0.5em; }}
table.inputs code {{ overflow-wrap: anywhere; word-break: break-all; }}
@media print {{
  @page {{ size: A4; margin: 14mm 12mm 14mm 12mm; }}
  body {{ max-width: none; padding: 0; font-size: 9pt; line-height: 1.3; }}
  nav {{ display: none; }}
  h1 {{ font-size: 17pt; }} h2 {{ font-size: 13pt; margin-top: 1.2em; }} h3 {{ font-size: 10.5pt; }}
  h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
  table {{ font-size: 7.5pt; max-width: 100%; }}
  th, td {{ padding: 0.15em 0.35em; }}
  tr, li, .warning, .keep, .total-box {{ break-inside: avoid; page-break-inside: avoid; }}
  thead {{ display: table-header-group; }}
  table.scores {{ table-layout: fixed; }}
  table.scores td:first-child, table.scores td:nth-child(5), table.scores td:last-child {{ min-width: 0; }}
  table.scores th:nth-child(1) {{ width: 18%; }} table.scores th:nth-child(2) {{ width: 9%; }}
  table.scores th:nth-child(3) {{ width: 6%; }} table.scores th:nth-child(4) {{ width: 9%; }}
  table.scores th:nth-child(5) {{ width: 22%; }} table.scores th:nth-child(6) {{ width: 9%; }}
  table.scores th:last-child {{ width: 27%; }}
  table.scores td {{ overflow-wrap: anywhere; }}
  table.scores td:nth-child(2), table.scores td:nth-child(3), table.scores td:nth-child(4) {{ white-space: normal; }}
  .status {{ white-space: normal; }}
  figure {{ break-inside: avoid; page-break-inside: avoid; margin: 0.6em 0; }}
  figure img {{ max-height: 125mm; width: auto; max-width: 100%; border: none; }}
  figcaption {{ break-before: avoid; page-break-before: avoid; }}
  code {{ overflow-wrap: anywhere; word-break: break-all; }}
  a {{ color: inherit; text-decoration: none; }}
  .big {{ font-size: 2em; }}
}}
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
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{_stylesheet(content.language, font_css)}</style></head>"
        f"<body>{render_report_body(content)}</body></html>\n"
    )
