"""``scorecard.xlsx``: a city's scorecard as a spreadsheet laid out like the Singapore Index scoring sheet.

One sheet per language, ``Scorecard`` and ``评分表``: a title, the rule set and the score with its coverage
(:mod:`cbindex.scoring.headline`), then one row per indicator of the edition (number, id, name, value, unit, band
reached, points, status, next step), the totals per component and overall, and the scorecard's notes. The header
row is frozen and the columns sized to their text. The file is reproducible: no creation or modification time is
written and every entry of the archive carries the same fixed timestamp, so one scorecard gives the same bytes.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
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
from cbindex.scoring.rules import STATUS_LABELS, STATUS_NOT_ASSESSED, RuleSet

SHEET_NAMES = messages("workbook.sheet_name")
HEADER_ROW = 5
"""Row of the indicator table's header (rows above: title, rule set, score, a blank row); frozen with all above."""
COLUMNS = ("number", "id", "name", "value", "unit", "band", "points", "status", "next_step")
NEXT_STEP_KEYS = ("text", "area_text", "connectivity_text", "link_text", "margin_text", "margin_area_text")
"""The parts of an indicator's ``next_band`` joined in the next-step column (those it has)."""
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP entry can carry; written for every entry
_CORE_PROPERTIES = "docProps/core.xml"
_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")
_MAX_WIDTH = {"name": 48, "next_step": 70}  # wider text wraps
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
    """Write the scorecard workbook (one sheet per language) atomically.

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
    for language in ("en", "zh"):
        city = city_names.get(language) or scorecard["city"]
        _fill_sheet(
            workbook.create_sheet(SHEET_NAMES[language]), scorecard, rule_set=rule_set, city=city, language=language
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


def _format_value(cell) -> None:
    if isinstance(cell.value, numbers.Real) and not isinstance(cell.value, bool):
        cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
        cell.alignment = Alignment(horizontal="right")


def display_width(value: Any) -> int:
    """Characters a cell's text takes, East Asian wide characters counting two (Excel's column width unit)."""
    text = f"{value:,.2f}" if isinstance(value, float) else "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _set_widths(sheet: Worksheet, *, first_row: int, last_row: int) -> None:
    """Each column as wide as its longest text from the header on (at least 6, wrapping columns capped)."""
    for index, column in enumerate(COLUMNS, start=1):
        cells: Sequence = [sheet.cell(row=row, column=index) for row in range(first_row, last_row + 1)]
        widest = max(display_width(cell.value) for cell in cells)
        width = min(widest, _MAX_WIDTH.get(column, widest)) + 2
        sheet.column_dimensions[get_column_letter(index)].width = max(width, 6)
