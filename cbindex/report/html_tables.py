"""The building blocks and the score tables of the city report page: escaping, tables, embedded figures, and the
summary, components and scores sections.

:mod:`cbindex.report.html` assembles the page from these and its other sections; each builder here takes the
page's :class:`cbindex.report.html.ReportContent` and returns an HTML fragment.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cbindex.report.figures import IMAGE_SCALE
from cbindex.report.text import format_number, format_percent, localized, text
from cbindex.scoring.headline import SEPARATOR, headline_parts
from cbindex.scoring.rules import STATUS_NOT_ASSESSED, STATUS_SCORED, IndicatorRule

if TYPE_CHECKING:
    from cbindex.report.content import ReportContent, ReportFigure


def escape(value: Any) -> str:
    """Text escaped for HTML, quotes included."""
    return html.escape(str(value), quote=True)


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, css_class: str = "") -> str:
    """An HTML table; header cells are escaped here, body cells must be HTML already."""
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    head = f"<thead><tr>{head}</tr></thead>" if any(header) else ""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}>{head}<tbody>{body}</tbody></table>"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height (pixels) of a PNG, from its header chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def figure_html(figure: ReportFigure) -> str:
    """A ``<figure>`` with its PNG embedded as a ``data:`` URI, its title and caption.

    The image is declared at 1 / :data:`~cbindex.report.figures.IMAGE_SCALE` of its pixel size, so the 2× PNG is
    shown at its drawn size and stays sharp on high-density screens and in print.
    """
    encoded = base64.b64encode(figure.png).decode("ascii")
    width, height = (round(side / IMAGE_SCALE) for side in png_size(figure.png))
    return (
        f'<figure id="figure-{escape(figure.key)}"><img alt="{escape(figure.title)}" width="{width}" '
        f'height="{height}" src="data:image/png;base64,{encoded}"><figcaption><strong>{escape(figure.title)}.</strong> '
        f"{escape(figure.caption)}</figcaption></figure>"
    )


def _status_badge(row: Mapping[str, Any], language: str) -> str:
    return f'<span class="status {escape(row["status"])}">{escape(localized(row, "status_label", language))}</span>'


def _unit(row: Mapping[str, Any], language: str) -> str:
    return localized(row, "unit", language) or ""


_POINTS_MARK = "\x00"  # stands for the points in the headline until the text is escaped


def _headline_html(scorecard: Mapping[str, Any], *, language: str) -> str:
    """The headline with its points set large (the rest escaped)."""
    line = escape(SEPARATOR.join(headline_parts(scorecard, language=language, points=_POINTS_MARK)))
    return line.replace(_POINTS_MARK, f'<span class="big">{scorecard["totals"]["points"]}</span>', 1)


def summary_section(content: ReportContent) -> str:
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
        partial=totals.get("indicators_partial_coverage", 0),
    )
    notes = content.scorecard["notes_zh" if language == "zh" else "notes"]
    warning = (
        f'<p class="warning">{escape(text("unverified_warning", language))}</p>'
        if totals.get("any_unverified_bands")
        else ""
    )
    warning += coverage_warning(content.scorecard, language=language)
    return (
        f'<div class="totals"><div class="total-box"><div class="total-label">{escape(text("total", language))}</div>'
        f'<p class="headline">{_headline_html(content.scorecard, language=language)}</p></div>'
        f"<ul><li>{escape(assessed)}</li><li>{escape(maximum)}</li>"
        f"<li>{escape(counts)}</li></ul></div>{warning}<h3>{escape(text('notes', language))}</h3>"
        f'<ul class="notes">{"".join(f"<li>{escape(note)}</li>" for note in notes)}</ul>'
    )


def coverage_warning(scorecard: Mapping[str, Any], *, language: str) -> str:
    """A warning box per land-cover year whose raster covers too little of the city (empty when none does).

    Names the covered share, the no-data area inside the city and the area outside the raster, and whether the
    year's spatial indicators were held (not scored) or scored anyway (config ``on_partial_coverage``).
    """
    held = scorecard.get("on_partial_coverage", "hold") == "hold"
    hectares = text("hectares", language)
    boxes = []
    for entry in scorecard.get("coverage", []):
        if not entry["partial"]:
            continue
        message = text(
            "coverage_held" if held else "coverage_scored",
            language,
            year=entry["year"],
            share=format_number(entry["covered_share_percent"], unit="%"),
            nodata=format_number(entry["nodata_area_ha"], unit=hectares),
            outside=format_number(entry["uncovered_area_ha"], unit=hectares),
        )
        boxes.append(f'<p class="warning coverage">{escape(message)}</p>')
    return "".join(boxes)


def components_section(content: ReportContent) -> str:
    language = content.language
    rows = []
    for component in content.scorecard["components"]:
        assessed = component["indicators_scored"] > 0
        rows.append(
            [
                escape(localized(component, "name", language)),
                escape(component["points"]) if assessed else not_assessed_badge(language),
                escape(component["assessed_max"]),
                escape(format_percent(component["share_of_assessed"])),
                escape(component["max_points"]),
                escape(format_percent(component["share_of_max"] if assessed else None)),
                escape(component["indicators_scored"]),
            ]
        )
    totals = content.scorecard["totals"]
    assessed = totals["indicators_scored"] > 0
    rows.append(
        [
            f"<strong>{escape(text('total', language))}</strong>",
            f"<strong>{totals['points']}</strong>" if assessed else not_assessed_badge(language),
            escape(totals["assessed_max"]),
            escape(format_percent(totals["share_of_assessed"])),
            escape(totals["max_points"]),
            escape(format_percent(totals["share_of_max"] if assessed else None)),
            escape(totals["indicators_scored"]),
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
    figures = "".join(figure_html(figure) for figure in content.plots if figure.key == "components")
    return html_table(header, rows) + figures


def not_assessed_badge(language: str) -> str:
    """The words "not assessed" / "未评估", where a count of points would read as a score of 0."""
    return f'<span class="status {STATUS_NOT_ASSESSED}">{escape(text("not_assessed", language))}</span>'


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
        return f'<span class="muted">{escape(text("no_bands_known", language))}</span>'
    items = "".join(
        f'<li class="band p{points}{" reached" if reached else ""}">'
        f"{'▶ ' if reached else ''}{points}: {escape(label)}</li>"
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
    keys = ("text", "area_text", "connectivity_text", "link_text", "margin_text", "margin_area_text")
    parts = [localized(distance, key, language) for key in keys if distance.get(key)]
    return "<br>".join(escape(part) for part in parts if part)


def scores_section(content: ReportContent) -> str:
    language = content.language
    rows = []
    for row in content.scorecard["indicators"]:
        rule = content.rule_set.indicators[row["id"]]
        points = "" if row["points"] is None else f"<strong>{row['points']}</strong> / 4"
        band = localized(row, "band_label", language) or ""
        name = (
            f"<strong>{escape(row['id'])}</strong> {escape(localized(row, 'name', language))}"
            f'<br><a class="small" href="#method-{escape(row["id"])}">{escape(text("how_computed", language))}</a>'
        )
        rows.append(
            [
                name,
                escape(_value_text(rule, row, language)),
                points or escape(text("not_available", language)),
                escape(band),
                _band_items(rule, row, language),
                _status_badge(row, language),
                _next_band_text(row, language),
            ]
        )
    header = [
        text(key, language)
        for key in ("indicator", "value", "points", "band_reached", "all_bands", "status", "next_band")
    ]
    return html_table(header, rows, css_class="scores")
