"""``scorecard.xlsx``: a city's scorecard as a spreadsheet laid out like the Singapore Index scoring sheet.

One sheet per language, ``Scorecard`` and ``评分表``: a title, the rule set and the score with its coverage
(:mod:`cbindex.scoring.headline`), then one row per indicator of the edition (number, id, name, value, unit, band
reached, points, status, next step), the totals per component and overall, and the scorecard's notes.

When the scorecard has them, two more sheets per language follow (``Targets`` / ``目标`` and ``Scenarios`` /
``情景分析``):

- the city's targets (scorecard ``targets``, :mod:`cbindex.scoring.target_summary`): one row per target with the
  framework targets its indicator informs, baseline, target and latest year and value, the trajectory's value in
  the latest year, progress, the change per year still needed, the target's status (an example is marked as the
  report marks it) and its source (the city's own words, shown as written);
- the what-if scenarios (scorecard ``scenarios``, :mod:`cbindex.scoring.scenario_summary`): per scenario its title,
  base year and changes, then every row of its comparison (values, change, points of both sides, their change; a
  side not scored shows no points and says why in words, never 0) and the points totals over the indicators scored
  on both sides, with those left out listed.

Every header row is frozen and the columns sized to their text; numbers stay numbers with number formats (years
plain, changes signed). The file is reproducible: no creation or modification time is written and every entry of
the archive carries the same fixed timestamp, so one scorecard gives the same bytes.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import unicodedata
import zipfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from cbindex import __version__
from cbindex.core.atomic_write import atomic_path
from cbindex.core.messages import message, messages
from cbindex.scoring.headline import headline
from cbindex.scoring.next_band import change_unit
from cbindex.scoring.rules import STATUS_LABELS, STATUS_NOT_ASSESSED, RuleSet
from cbindex.scoring.scenario_summary import change_line

SHEET_NAMES = messages("workbook.sheet_name")
TARGETS_SHEET_NAMES = messages("workbook.sheet_targets")
SCENARIOS_SHEET_NAMES = messages("workbook.sheet_scenarios")
HEADER_ROW = 5
"""Row of the indicator table's header (rows above: title, rule set, score, a blank row); frozen with all above."""
COLUMNS = ("number", "id", "name", "value", "unit", "band", "points", "status", "next_step")
NEXT_STEP_KEYS = ("text", "area_text", "connectivity_text", "link_text", "margin_text", "margin_area_text")
"""The parts of an indicator's ``next_band`` joined in the next-step column (those it has)."""
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP entry can carry; written for every entry
_CORE_PROPERTIES = "docProps/core.xml"
_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")
TARGET_COLUMNS = (
    "id",
    "name",
    "framework_targets",
    "unit",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "latest_year",
    "latest_value",
    "trajectory",
    "progress",
    "change_per_year",
    "change_unit",
    "target_status",
    "target_source",
)
"""Columns of the targets sheet, one row per target."""
SCENARIO_COLUMNS = (
    "id",
    "name",
    "unit",
    "base_value",
    "scenario_value",
    "change",
    "base_points",
    "scenario_points",
    "points_change",
    "status",
)
"""Columns of the scenarios sheet, one row per row of a scenario's comparison."""
_HEADER_KEYS = {  # column -> catalogue key of its header where the workbook section does not hold it
    "trajectory": "report.trajectory",
    "progress": "report.progress",
    "change_per_year": "report.change_per_year",
    "target_status": "report.target_status",
    "target_source": "report.target_source",
    "scenario_value": "scenarios.scenario_value",
    "change": "scenarios.change",
}
_YEAR_COLUMNS = frozenset({"baseline_year", "target_year", "latest_year"})
_SIGNED_COLUMNS = frozenset({"change_per_year", "change", "points_change"})
_MAX_WIDTH = {"name": 48, "next_step": 70}  # wider text wraps
_TARGET_MAX_WIDTH = {"name": 48, "framework_targets": 60, "target_source": 48}
_SCENARIO_MAX_WIDTH = {"name": 48, "status": 48}
_HEADER_FILL = PatternFill("solid", start_color="DCEBDC")
_TOTAL_FILL = PatternFill("solid", start_color="F0F4F0")


def _words(key: str, language: str, **values: Any) -> str:
    return message(f"workbook.{key}", language, **values)


def _localized(record: Mapping[str, Any], key: str, language: str) -> Any:
    chinese = record.get(f"{key}_zh")
    return chinese if language == "zh" and chinese else record.get(key)


def _level_label(level: Any, language: str) -> str:
    return level.label_zh if language == "zh" and level.label_zh else level.label


def write_scorecard_workbook(
    path: str | Path, scorecard: Mapping[str, Any], *, rule_set: RuleSet, city_names: Mapping[str, str]
) -> None:
    """Write the scorecard workbook atomically: per language the scorecard sheet, then the targets and the scenarios
    sheets when the scorecard has targets or scenarios (English sheets first).

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` to write.
    scorecard : dict
        ``scorecard.json`` as :func:`cbindex.scoring.stage.score_city` writes it.
    rule_set : RuleSet
        The rule set it was scored with (the answers of categorical indicators).
    city_names : dict
        The city's name under ``en`` and ``zh`` (a missing one falls back to the city id).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    targets = (scorecard.get("targets") or {}).get("items")
    scenarios = scorecard.get("scenarios")
    for language in ("en", "zh"):
        city = city_names.get(language) or scorecard["city"]
        _fill_sheet(
            workbook.create_sheet(SHEET_NAMES[language]), scorecard, rule_set=rule_set, city=city, language=language
        )
        if targets:
            _fill_targets_sheet(
                workbook.create_sheet(TARGETS_SHEET_NAMES[language]), scorecard["targets"], city=city, language=language
            )
        if scenarios:
            _fill_scenarios_sheet(
                workbook.create_sheet(SCENARIOS_SHEET_NAMES[language]),
                scenarios,
                rule_set=rule_set,
                city=city,
                language=language,
            )
    workbook.properties.creator = f"cbindex {__version__}"
    workbook.properties.title = _words("title", "en", city=city_names.get("en") or scorecard["city"])
    with atomic_path(path) as temporary:
        temporary.write_bytes(reproducible_xlsx(workbook))


def reproducible_xlsx(workbook: Workbook) -> bytes:
    """The workbook's ``.xlsx`` bytes with every archive entry at :data:`ZIP_TIMESTAMP` and no creation or
    modification time in its document properties (both optional in Office Open XML): nothing of the time of
    writing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    fixed = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(entry.filename)
            if entry.filename == _CORE_PROPERTIES:
                data = _TIMES.sub(b"", data)
            target.writestr(info, data)
    return fixed.getvalue()


def indicator_cells(row: Mapping[str, Any], *, rule_set: RuleSet, language: str) -> list[Any]:
    """The cells of one indicator row, in :data:`COLUMNS` order (numbers stay numbers; empty cells are None)."""
    rule = rule_set.indicators[row["id"]]
    value = row["value"]
    if rule.is_categorical and value is not None:
        value = next((_level_label(level, language) for level in rule.levels if level.value == value), value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value):
        value = None
    next_band = row.get("next_band") or {}
    separator = "；" if language == "zh" else "; "
    next_step = separator.join(
        text for text in (_localized(next_band, key, language) for key in NEXT_STEP_KEYS if next_band.get(key)) if text
    )
    return [
        row["number"],
        row["id"],
        _localized(row, "name", language),
        value,
        _localized(row, "unit", language) or None,
        _localized(row, "band_label", language),
        row["points"],
        _localized(row, "status_label", language),
        next_step or None,
    ]


def _fill_sheet(sheet: Worksheet, scorecard: Mapping[str, Any], *, rule_set: RuleSet, city: str, language: str) -> None:
    summary = scorecard["rule_set"]
    years = ", ".join(str(year) for year in scorecard.get("landcover_years") or [scorecard.get("landcover_year")])
    sheet.append([_words("title", language, city=city)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _words(
                "rule_set",
                language,
                name=_localized(summary, "name", language),
                id=summary["id"],
                version=summary["version"],
                years=years,
            )
        ]
    )
    sheet.append([_words("score", language, headline=headline(scorecard, language=language))])
    sheet["A3"].font = Font(bold=True)
    sheet.append([])
    sheet.append([_words(column, language) for column in COLUMNS])
    _style_row(sheet, HEADER_ROW, fill=_HEADER_FILL)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    for row in scorecard["indicators"]:
        sheet.append(indicator_cells(row, rule_set=rule_set, language=language))
        _format_value(sheet.cell(row=sheet.max_row, column=COLUMNS.index("value") + 1))
    wrapped = {COLUMNS.index(column) + 1 for column in _MAX_WIDTH}
    for cells in sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=sheet.max_row):
        for cell in cells:
            cell.alignment = Alignment(vertical="top", wrap_text=cell.column in wrapped)
    table_end = sheet.max_row
    _append_totals(sheet, scorecard, language=language)
    _set_widths(sheet, first_row=HEADER_ROW, last_row=sheet.max_row)
    offset = COLUMNS.index("name")
    sheet.append([None] * offset + [_words("coverage", language), headline(scorecard, language=language)])
    sheet.cell(row=sheet.max_row, column=offset + 1).font = Font(bold=True)
    sheet.append([])
    sheet.append([_words("notes", language)])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for note in scorecard.get("notes_zh" if language == "zh" else "notes", []):
        sheet.append([note])
    sheet.append([_words("generated_by", language, software=scorecard.get("generated_by") or f"cbindex {__version__}")])
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{table_end}"


def _append_totals(sheet: Worksheet, scorecard: Mapping[str, Any], *, language: str) -> None:
    """Totals per component and overall under the indicator table: name in the indicator column, the points in the
    value column, then the assessed and the edition's maximum and the indicators scored."""
    not_assessed = STATUS_LABELS[STATUS_NOT_ASSESSED][1 if language == "zh" else 0]
    offset = COLUMNS.index("name")
    sheet.append([])
    sheet.append([None] * offset + [_words("totals", language)])
    sheet.cell(row=sheet.max_row, column=offset + 1).font = Font(bold=True)
    header = ["component", "points", "assessed_max", "component_max", "indicators_scored"]
    sheet.append([None] * offset + [_words(key, language) for key in header])
    _style_row(sheet, sheet.max_row, fill=_HEADER_FILL)
    totals = scorecard["totals"]
    rows = [(_localized(component, "name", language), component) for component in scorecard["components"]]
    rows.append((_words("total", language), totals))
    for name, record in rows:
        assessed = record["indicators_scored"] > 0
        sheet.append(
            [None] * offset
            + [
                name,
                record["points"] if assessed else not_assessed,
                record["assessed_max"],
                record["max_points"],
                record["indicators_scored"],
            ]
        )
    _style_row(sheet, sheet.max_row, fill=_TOTAL_FILL)


def _style_row(sheet: Worksheet, row: int, *, fill: PatternFill) -> None:
    for cell in sheet[row]:
        if cell.value is not None:
            cell.font = Font(bold=True)
            cell.fill = fill


def _format_value(cell, *, signed: bool = False) -> None:
    """A number right-aligned with thousands separators (2 decimals unless whole; ``signed``: a leading + too)."""
    if isinstance(cell.value, numbers.Real) and not isinstance(cell.value, bool):
        number = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
        cell.number_format = f"+{number};-{number};0" if signed else number
        cell.alignment = Alignment(horizontal="right", vertical="top")


def display_width(value: Any) -> int:
    """Characters a cell's text takes, East Asian wide characters counting two (Excel's column width unit)."""
    text = f"{value:,.2f}" if isinstance(value, float) else "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _set_widths(
    sheet: Worksheet,
    *,
    first_row: int,
    last_row: int,
    columns: Sequence[str] = COLUMNS,
    max_width: Mapping[str, int] = _MAX_WIDTH,
    rows: Sequence[int] | None = None,
) -> None:
    """Each column as wide as its longest text from the header on (at least 6; the columns of `max_width` capped,
    their text wraps); `rows`, when given, are the only rows measured (not the text rows that run across a sheet)."""
    measured = range(first_row, last_row + 1) if rows is None else rows
    for index, column in enumerate(columns, start=1):
        cells: Sequence = [sheet.cell(row=row, column=index) for row in measured]
        widest = max(display_width(cell.value) for cell in cells)
        width = min(widest, max_width.get(column, widest)) + 2
        sheet.column_dimensions[get_column_letter(index)].width = max(width, 6)


# ------------------------------------------------------------------------------------------------ targets sheet


def _header(column: str, language: str, **values: Any) -> str:
    """A column's header: the workbook's word, or the report's where the report already names it."""
    key = _HEADER_KEYS.get(column, f"workbook.{column}")
    return message(key, language, **values)


def _framework_links(item: Mapping[str, Any], *, language: str) -> str | None:
    """The framework targets a target's indicator informs, one line each as the report heads and bases them:
    ``Target 12: <title> — proposal (...)`` (the Chinese title marked when it is a translation)."""
    lines = []
    for link in item["framework_targets"]:
        title = message(
            "report.framework_target", language, number=link["number"], title=_localized(link, "title", language)
        )
        if language == "zh" and link.get("title_zh_is_translation"):
            title += message("report.title_translation", language)
        if link["basis"] == "published":
            basis = message("report.basis_published", language, citation=link["citation"])
        else:
            basis = message("report.basis_proposal", language)
        if link.get("note") and language == "en":
            basis += f" ({link['note']})"
        lines.append(f"{title} — {basis}")
    return "\n".join(lines) or None


def target_cells(item: Mapping[str, Any], *, language: str) -> list[Any]:
    """The cells of one target's row, in :data:`TARGET_COLUMNS` order: years and values as numbers (in the
    indicator's unit, or points for a points target), None where there is none (never 0); progress and the target's
    status in words; the source as the city wrote it."""
    change = item["change_per_year_needed"]
    return [
        item["indicator"],
        _localized(item, "name", language),
        _framework_links(item, language=language),
        _localized(item, "unit", language) or None,
        item["baseline_year"],
        item["baseline_value"],
        item["year"],
        item["target"],
        item["latest_year"],
        item["latest_value"],
        item["trajectory_latest"],
        _localized(item, "progress_label", language),
        change,
        None if change is None else change_unit(item["unit"], item["unit_zh"], language),
        _localized(item, "status_label", language),
        item.get("source") or None,
    ]


def _fill_targets_sheet(sheet: Worksheet, targets: Mapping[str, Any], *, city: str, language: str) -> None:
    items = targets["items"]
    framework = targets.get("framework")
    sheet.append([_words("targets_title", language, city=city)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_words("targets_file", language, file=targets.get("file") or "")])
    if framework:
        name = _localized(framework, "name", language)
        source = _localized(framework, "source", language)
        sheet.append([message("report.framework_source", language, file=framework["file"], name=name, source=source)])
    if any(item["status"] == "example" for item in items):
        sheet.append([message("report.targets_example", language)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, color="9C0006")
    sheet.append([])
    frame_name = _localized(framework, "name", language) if framework else None
    sheet.append(
        [
            _header(column, language, framework=frame_name)
            if column != "framework_targets" or frame_name
            else _words("framework_targets_none", language)
            for column in TARGET_COLUMNS
        ]
    )
    header_row = sheet.max_row  # (a blank row appended is not counted in max_row: read it after the header)
    _style_row(sheet, header_row, fill=_HEADER_FILL)
    sheet.freeze_panes = f"A{header_row + 1}"
    for item in items:
        sheet.append(target_cells(item, language=language))
    _format_table(sheet, TARGET_COLUMNS, rows=range(header_row + 1, sheet.max_row + 1), wrapped=_TARGET_MAX_WIDTH)
    table_end = sheet.max_row
    _set_widths(sheet, first_row=header_row, last_row=table_end, columns=TARGET_COLUMNS, max_width=_TARGET_MAX_WIDTH)
    notes = _localized(targets, "notes", language) or []
    if notes:
        sheet.append([])
        sheet.append([_words("targets_notes", language)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for note in notes:
            sheet.append([note])
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(TARGET_COLUMNS))}{table_end}"


def _format_table(sheet: Worksheet, columns: Sequence[str], *, rows: Sequence[int], wrapped: Collection[str]) -> None:
    """Number formats (years plain, changes signed) and alignment of a table's rows; the `wrapped` columns wrap."""
    for row in rows:
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=index)
            cell.alignment = Alignment(vertical="top", wrap_text=column in wrapped)
            if column in _YEAR_COLUMNS and isinstance(cell.value, int):
                cell.number_format = "0"
                cell.alignment = Alignment(horizontal="right", vertical="top")
            else:
                _format_value(cell, signed=column in _SIGNED_COLUMNS)


# ---------------------------------------------------------------------------------------------- scenarios sheet


def change_lines(entry: Mapping[str, Any], *, language: str) -> list[str]:
    """A scenario's changes in order, each as the report lists it (``1. <what it did> (<amount>)``,
    :func:`~cbindex.scoring.scenario_summary.change_line`)."""
    return [f"{change['step']}. {change_line(change, language)}" for change in entry["changes"]]


def _status_words(base: str | None, scenario: str | None, *, language: str) -> str | None:
    """The status of a compared indicator in words: one label when both sides share it, else both sides'."""
    side = 1 if language == "zh" else 0

    def label(status: str | None) -> str:
        return STATUS_LABELS[status][side] if status in STATUS_LABELS else str(status)

    if base == scenario:
        return None if base is None else label(base)
    return _words("scenario_status_sides", language, base=label(base), scenario=label(scenario))


def scenario_cells(row: Mapping[str, Any], *, rule_set: RuleSet, language: str) -> list[Any]:
    """The cells of one compared indicator, in :data:`SCENARIO_COLUMNS` order: name and unit from the rule set
    (the comparison's own when the rule set lacks the indicator), values, change and points as numbers, None where a
    side is not scored (its status says why in words, never 0)."""
    rule = rule_set.indicators.get(row["indicator"])
    if rule is not None:
        name = rule.name_zh if language == "zh" and rule.name_zh else rule.name
        unit = rule.unit_zh if language == "zh" and rule.unit_zh else rule.unit
    else:
        name, unit = _localized(row, "name", language), row.get("unit")
    return [
        row["indicator"],
        name,
        unit or None,
        row["base_value"],
        row["scenario_value"],
        row["change"],
        row["base_points"],
        row["scenario_points"],
        row["points_change"],
        _status_words(row.get("base_status"), row.get("scenario_status"), language=language),
    ]


def _supporting_cells(row: Mapping[str, Any], *, language: str) -> list[Any]:
    """A supporting row (natural area and city area in ha, connectivity groups, overlay areas, population, control
    line shares): labelled as the scorecard labels it, no points."""
    name, unit = row["label"][language], row["unit"][language] or None
    change = None if row["change"] is None else round(row["change"], 6)  # the same city area, not 1e-9 ha
    return [None, name, unit, row["base_value"], row["scenario_value"], change, None, None, None, None]


def _fill_scenarios_sheet(
    sheet: Worksheet, scenarios: Sequence[Mapping[str, Any]], *, rule_set: RuleSet, city: str, language: str
) -> None:
    sheet.append([_words("scenarios_title", language, city=city)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([message("scenarios.intro", language)])
    sheet.append([])
    sheet.append([_header(column, language) for column in SCENARIO_COLUMNS])
    header_row = sheet.max_row
    _style_row(sheet, header_row, fill=_HEADER_FILL)
    sheet.freeze_panes = f"A{header_row + 1}"
    table_rows = [header_row]
    for entry in scenarios:
        sheet.append([entry["title"][language]])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        sheet.append([message("scenarios.based_on", language, year=entry["base_year"])])
        for line in change_lines(entry, language=language):
            sheet.append([line])
        first = sheet.max_row + 1
        for row in entry["indicators"]:
            sheet.append(scenario_cells(row, rule_set=rule_set, language=language))
        for row in entry["supporting"]:
            sheet.append(_supporting_cells(row, language=language))
        points = entry["points"]
        sheet.append(
            [None, _words("scenario_points_total", language, count=len(points["indicators"]))]
            + [None] * 4
            + [points["base"], points["scenario"], points["change"], None]
        )
        _style_row(sheet, sheet.max_row, fill=_TOTAL_FILL)
        rows = range(first, sheet.max_row + 1)
        _format_table(sheet, SCENARIO_COLUMNS, rows=rows, wrapped=_SCENARIO_MAX_WIDTH)
        table_rows += rows
        if points["not_scored"]:
            sheet.append([None, message("scenarios.not_scored", language, ids=", ".join(points["not_scored"]))])
            sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(vertical="top", wrap_text=True)
        sheet.append([])
    _set_widths(
        sheet,
        first_row=header_row,
        last_row=sheet.max_row,
        columns=SCENARIO_COLUMNS,
        max_width=_SCENARIO_MAX_WIDTH,
        rows=table_rows,
    )
    sheet.print_title_rows = f"{header_row}:{header_row}"
