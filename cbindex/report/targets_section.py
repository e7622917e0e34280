"""The report's targets section: the city's targets grouped by framework target, one small chart per target.

Everything shown comes from ``scorecard.json`` ``targets`` (:mod:`cbindex.scoring.target_summary`): each target's
value by year, its trajectory, progress and the change per year still needed, and the framework targets its
indicator informs with the basis of each link (published with its citation, or this project's proposal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cbindex.report.content import ReportContent, ReportFigure
from cbindex.report.figures import png_bytes, target_chart
from cbindex.report.html_tables import escape, figure_html, html_table
from cbindex.report.text import format_change, format_number, localized, text, text_html
from cbindex.scoring.next_band import change_unit


def _title(item: Mapping[str, Any], language: str) -> str:
    name = localized(item, "name", language)
    return f"{item['indicator']} {name if len(name) <= 60 else name[:59] + '…'}"


def _unit(item: Mapping[str, Any], language: str) -> str:
    return localized(item, "unit", language)


def draw_target_charts(section: Mapping[str, Any] | None, *, language: str) -> list[ReportFigure]:
    """One chart per target of the scorecard's ``targets`` section: values by year, trajectory, target."""
    figures = []
    for index, item in enumerate((section or {}).get("items", [])):
        values = [(point["year"], point["value"]) for point in item["values"]]
        trajectory = [
            (point["year"], point["trajectory"]) for point in item["values"] if point["trajectory"] is not None
        ]
        labels = {
            "title": _title(item, language),
            "unit": _unit(item, language),
            "values": text("chart_values", language),
            "trajectory": text("chart_trajectory", language),
            "target": text("chart_target", language),
            "year": text("x_year", language),
        }
        figure = target_chart(
            values, trajectory=trajectory, target=(item["year"], item["target"]), labels=labels, language=language
        )
        caption = text(
            "target_chart_caption",
            language,
            baseline_year=item["baseline_year"],
            target=format_number(item["target"], unit=_unit(item, language)),
            year=item["year"],
            progress=localized(item, "text", language).rstrip(".。"),
        )
        figures.append(
            ReportFigure(
                key=f"target-{index}",
                title=labels["title"],
                caption=caption,
                png=png_bytes(figure, language=language),
            )
        )
    return figures


def _basis_text(link: Mapping[str, Any] | None, language: str) -> str:
    if link is None:
        return ""
    if link["basis"] == "published":
        basis = text("basis_published", language, citation=link["citation"])
    else:
        basis = text("basis_proposal", language)
    return basis + (f" ({link['note']})" if link.get("note") and language == "en" else "")


def _amount(value: float | None, unit: str) -> str:
    """A value with its unit as the report prints it; one point is "1 point"."""
    if unit == "points" and value == 1:
        return "1 point"
    return format_number(value, unit=unit)


def _change_unit(item: Mapping[str, Any], language: str) -> str:
    """The unit of a change: percentage points for a share in %."""
    return change_unit(item["unit"], item["unit_zh"], language)


def _progress_badge(item: Mapping[str, Any], language: str) -> str:
    label = escape(localized(item, "progress_label", language))
    return f'<span class="progress {escape(item["progress"])}">{label}</span>'


def _rows(items: Sequence[Mapping[str, Any]], indexes: Sequence[int], *, number: int | None, language: str) -> list:
    rows = []
    for index in indexes:
        item = items[index]
        unit = _unit(item, language)
        link = next((link for link in item["framework_targets"] if link["number"] == number), None)
        latest = (
            "—"
            if item["latest_year"] is None
            else f"{format_number(item['latest_value'], unit=unit)} ({item['latest_year']})"
        )
        baseline = f"{format_number(item['baseline_value'], unit=unit)} ({item['baseline_year']})"
        rows.append(
            [
                escape(_title(item, language)),
                escape(f"{_amount(item['target'], unit)} ({item['year']})"),
                escape(baseline),
                escape(latest),
                escape(_amount(item["trajectory_latest"], unit)),
                _progress_badge(item, language),
                escape(format_change(item["change_per_year_needed"], unit=_change_unit(item, language)) or "—"),
                escape(localized(item, "status_label", language)),
                f"<cite>{escape(item['source'])}</cite>" if item["source"] else "",
                escape(_basis_text(link, language)),
            ]
        )
    return rows


def targets_section(content: ReportContent) -> str:
    """The HTML of the targets section (a sentence saying so when the city has no targets file)."""
    language = content.language
    section = content.scorecard.get("targets") or {}
    items = section.get("items", [])
    if not items:
        return f"<p>{text_html('no_targets', language, column='targets')}</p>"
    header = [
        text(key, language)
        for key in (
            "indicator",
            "target",
            "baseline",
            "latest",
            "trajectory",
            "progress",
            "change_per_year",
            "target_status",
            "target_source",
            "basis",
        )
    ]
    parts = [f"<p>{escape(text('targets_intro', language, file=section['file']))}</p>"]
    if any(item["status"] == "example" for item in items):
        parts.append(f'<p class="warning">{escape(text("targets_example", language))}</p>')
    framework = section.get("framework")
    if framework:
        name = localized(framework, "name", language)
        source = localized(framework, "source", language)
        source = text("framework_source", language, file=framework["file"], name=name, source=source)
        parts.append(f"<p>{escape(source)}</p>")
        parts.append(f"<h3>{escape(text('targets_by_framework', language, framework=name))}</h3>")
    for group in section.get("by_framework_target", []):
        title = text("framework_target", language, number=group["number"], title=localized(group, "title", language))
        if language == "zh" and group["title_zh_is_translation"]:
            title += text("title_translation", language)
        parts.append(f"<h4>{escape(title)}</h4>")
        parts.append(html_table(header, _rows(items, group["items"], number=group["number"], language=language)))
    if section.get("unlinked"):
        parts.append(f"<h4>{escape(text('unlinked_targets', language))}</h4>")
        parts.append(html_table(header, _rows(items, section["unlinked"], number=None, language=language)))
    parts.append(f"<h3>{escape(text('target_charts', language))}</h3>")
    parts += [figure_html(figure) for figure in content.target_figures]
    notes = localized(section, "notes", language) or []
    if notes:
        parts.append("<ul>" + "".join(f"<li>{escape(note)}</li>" for note in notes) + "</ul>")
    return "".join(parts)
