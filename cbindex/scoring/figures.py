"""City-supplied figures: the values a city reports by hand for indicators the workflow does not derive.

A figures file is either YAML (schema ``cbindex/core/schemas/figures.schema.yaml``, template
``config/figures_template.yaml``), ``{rule_set: si-2014, city: id, year: 2023, figures: {I15: {value: 1.2,
source: ...}, ...}}``, or a spreadsheet-friendly CSV (template ``config/figures_template.csv``) with the columns
``indicator, name_en, name_zh, unit, value, source, note``, one row per indicator; the file's suffix says which.
A CSV carries no rule-set id, so its ``unit`` and names, where filled in, are checked against the rule set
instead.  Only indicators whose rule says ``source: city`` or ``source: records`` (derived from species records
when the city sheet names them, otherwise supplied) may appear: an indicator the workflow computes from spatial
data (``source: spatial``) is rejected rather than silently replacing the computed value.  A missing file, a missing
figure and an empty value (``value: null`` in YAML, an empty cell in CSV) all mean "not assessed".

Templates for every shipped rule set are generated from the rule sets: ``python -m cbindex.scoring.figures``.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from cbindex.core.config_files import check_against_schema, read_yaml_file, schema_path
from cbindex.core.errors import CBIInputError
from cbindex.core.messages import message, pair
from cbindex.scoring.csv_rows import CSV_ENCODING, read_csv_rows
from cbindex.scoring.points import is_missing, value_problem
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.rules import IndicatorRule, RuleSet

FIGURES_SCHEMA_PATH = schema_path("figures")
CSV_COLUMNS = ("indicator", "name_en", "name_zh", "unit", "value", "source", "note")
CSV_REQUIRED_COLUMNS = ("indicator", "value")
YAML_SUFFIXES = (".yaml", ".yml")
DEFAULT_TEMPLATE_RULE_SET = "si-2014"  # config/figures_template.{yaml,csv}; others get a _<id> suffix

FigureValue = float | int | str | None


@dataclass(frozen=True)
class CityFigures:
    """The figures of one city, for every city-supplied indicator of a rule set.

    Attributes
    ----------
    city : str or None
        City id written in the file (None when there is no file, or it is a CSV).
    year : int or None
        Year the figures refer to (None when there is no file, or it is a CSV).
    values : dict of str to float, int, str or None
        Every city-supplied indicator of the rule set, in rule-set order; None = not assessed.
    sources, notes : dict of str to str
        Source and remark per indicator, where the file gives them.
    """

    city: str | None
    year: int | None
    values: dict[str, FigureValue]
    sources: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Figure:
    """One figure as read from either format, with where it sits in the file for messages."""

    value: Any
    source: str | None
    note: str | None
    where: str


FIGURE_SOURCES = ("city", "records")
"""Rule ``source`` values a figures file may give: ``records`` indicators are otherwise derived from the city's
species data (city sheet), and a value from both stops the scoring (:mod:`cbindex.scoring.stage`)."""


def city_supplied_rules(rule_set: RuleSet) -> list[IndicatorRule]:
    """Return the indicators a city may supply in its figures file (``source`` city or records), in rule-set order."""
    return [rule for rule in rule_set.indicators.values() if rule.source in FIGURE_SOURCES]


def read_city_figures(path: str | PathLike | None, *, rule_set: RuleSet) -> CityFigures:
    """Read and check a city's figures file (YAML or CSV, by suffix) against a rule set.

    The file may give every indicator whose rule says ``source: city`` or ``source: records`` (the latter only
    when not derived from the city's species data): in si-2014 and cn-ubi I3–I8, I10 and I14–I23; in si-2021
    (its own numbers) I3–I7, I9 and I13–I28.

    Parameters
    ----------
    path : str, PathLike or None
        The figures file (``.yaml``, ``.yml`` or ``.csv``); None or a file that does not exist gives no figures
        (all not assessed).
    rule_set : RuleSet
        The rule set the city is scored with (after overrides, so overridden levels are accepted).

    Returns
    -------
    CityFigures
        Values for every city-supplied indicator (None where the file gives none), with sources and notes.

    Raises
    ------
    CBIInputError
        If the file has another suffix, is not valid YAML or CSV, breaks the schema (YAML) or the column list
        (CSV), was written for another rule set, names an unknown indicator or one the workflow computes, or
        gives a value of the wrong type, range or level.
    """
    values: dict[str, FigureValue] = {rule.id: None for rule in city_supplied_rules(rule_set)}
    if path is None or not Path(path).exists():
        return CityFigures(city=None, year=None, values=values)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        figures, city, year = _csv_figures(Path(path), rule_set=rule_set), None, None
    elif suffix in YAML_SUFFIXES:
        figures, city, year = _yaml_figures(Path(path), rule_set=rule_set)
    else:
        raise CBIInputError(
            f"City figures file {path} must end in .yaml, .yml or .csv; save it in one of those formats "
            "(see config/figures_template.yaml or config/figures_template.csv)."
        )
    sources, notes = {}, {}
    for indicator_id, figure in figures.items():
        rule = _city_supplied_rule(rule_set, indicator_id, origin=str(path))
        problem = None if is_missing(figure.value) else value_problem(rule, figure.value)
        if problem is not None:
            raise CBIInputError(f"{path}: {figure.where} is wrong: {problem}.")
        values[indicator_id] = None if is_missing(figure.value) else figure.value
        if figure.source:
            sources[indicator_id] = figure.source
        if figure.note:
            notes[indicator_id] = figure.note
    return CityFigures(city=city, year=year, values=values, sources=sources, notes=notes)


def load_city_figures(path: str | PathLike | None, *, rule_set: RuleSet) -> dict[str, FigureValue]:
    """Return the values of a city's figures file for every city-supplied indicator of a rule set.

    Parameters
    ----------
    path : str, PathLike or None
        The figures file, YAML or CSV; None or a missing file gives all None (not assessed).
    rule_set : RuleSet
        The rule set the city is scored with.

    Returns
    -------
    dict of str to float, int, str or None
        Indicator id to value, in rule-set order.

    Raises
    ------
    CBIInputError
        As :func:`read_city_figures`.
    """
    return read_city_figures(path, rule_set=rule_set).values


def _yaml_figures(path: Path, *, rule_set: RuleSet) -> tuple[dict[str, _Figure], str, int]:
    document = read_yaml_file(path, what="City figures file")
    check_against_schema(document, schema_path=FIGURES_SCHEMA_PATH, origin=str(path))
    written_for = document.get("rule_set")
    if written_for is not None and written_for != rule_set.id:
        raise CBIInputError(
            f"{path}: the figures were written for rule set {written_for} but the city is scored with "
            f"{rule_set.id}, whose indicator numbers differ; renumber the figures and set "
            f"rule_set: {rule_set.id}."
        )
    figures = {
        indicator_id: _Figure(
            figure["value"], figure.get("source"), figure.get("note"), where=f"figures.{indicator_id}.value"
        )
        for indicator_id, figure in (document.get("figures") or {}).items()
    }
    return figures, document["city"], document["year"]


def _csv_figures(path: Path, *, rule_set: RuleSet) -> dict[str, _Figure]:
    """The figures of a CSV file, values converted to numbers for numeric indicators where they parse."""
    rows = read_csv_rows(
        path,
        what="City figures file",
        columns=CSV_COLUMNS,
        required=CSV_REQUIRED_COLUMNS,
        template="config/figures_template.csv",
    )
    figures: dict[str, _Figure] = {}
    first_row: dict[str, int] = {}
    for line, row in rows:
        indicator_id = row["indicator"]
        if not indicator_id:
            raise CBIInputError(
                f"{path}: row {line} has no indicator; fill in the indicator id (e.g. I15) or delete the row."
            )
        if indicator_id in first_row:
            raise CBIInputError(
                f"{path}: row {line} repeats {indicator_id} (first given in row {first_row[indicator_id]}); keep "
                "one row per indicator."
            )
        first_row[indicator_id] = line
        rule = _city_supplied_rule(rule_set, indicator_id, origin=str(path))
        where = f"row {line} ({indicator_id})"
        _check_csv_labels(rule, row, rule_set=rule_set, origin=f"{path}: {where}")
        figures[indicator_id] = _Figure(
            _csv_value(rule, row["value"]), row.get("source") or None, row.get("note") or None, where=f"{where} value"
        )
    return figures


def _check_csv_labels(rule: IndicatorRule, row: Mapping[str, str], *, rule_set: RuleSet, origin: str) -> None:
    """A filled-in unit must be the rule's, and filled-in names must include the rule's: a CSV names no rule
    set, so this is what catches figures written for another edition (2014 I9 is protected areas, 2021 I9 is
    invasive species)."""
    unit = row.get("unit", "")
    if unit and unit not in (rule.unit, rule.unit_zh):
        raise CBIInputError(
            f"{origin}: unit {unit!r} is not the unit of {rule.id} in {rule_set.id} ({rule.unit}); the figure may "
            f"be for another rule set, so convert it and write {rule.unit!r}."
        )
    given = {key: row.get(key, "") for key in ("name_en", "name_zh") if row.get(key, "")}
    expected = {_folded(rule.name), _folded(rule.name_zh)}
    if given and not expected.intersection(_folded(name) for name in given.values()):
        key, name = next(iter(given.items()))
        raise CBIInputError(
            f"{origin}: {key} {name!r} is not the name of {rule.id} in {rule_set.id} ({rule.name}); the figures "
            f"may be for another rule set, so check the indicator id or copy the names from the template."
        )


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _csv_value(rule: IndicatorRule, text: str) -> FigureValue:
    """The cell as a number for numeric indicators (kept as text when it does not parse, so the value check
    names it), as text for categorical ones, None when empty."""
    if not text:
        return None
    if rule.is_categorical:
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if rule.integer and number.is_integer() else number


def _city_supplied_rule(rule_set: RuleSet, indicator_id: str, *, origin: str) -> IndicatorRule:
    rule = rule_set.indicators.get(indicator_id)
    if rule is None:
        supplied = ", ".join(rule.id for rule in city_supplied_rules(rule_set))
        raise CBIInputError(f"{origin}: {indicator_id} is not an indicator of {rule_set.id}; use one of {supplied}.")
    if rule.source not in FIGURE_SOURCES:
        raise CBIInputError(
            f"{origin}: {indicator_id} is computed by the workflow from spatial data, so remove it from "
            "the figures file."
        )
    return rule


# -------------------------------------------------------------------------------- templates


def _template_hints(rule: IndicatorRule) -> list[str]:
    """Short remarks on what to write for one indicator ("English / 中文"), shared by both template formats."""
    keys = []
    if rule.source == "records":
        keys.append(("hint_records", {}))
    if rule.integer:
        keys.append(("hint_integer", {}))
    if rule.levels:
        keys.append(("hint_levels", {"keys": ", ".join(rule.level_keys)}))
    if not rule.has_bands:
        keys.append(("hint_no_bands", {}))
    return [" / ".join(pair(f"figures_template.{key}", **fields)) for key, fields in keys]


def render_figures_template(rule_set: RuleSet, *, city: str = "my-city", year: int = 2024) -> str:
    """Write the text of a YAML figures template listing every city-supplied indicator of a rule set.

    Parameters
    ----------
    rule_set : RuleSet
        The rule set; each of its city-supplied indicators gets its English and Chinese name (Chinese first
        when the rule set's primary language is zh), unit, allowed level keys (categorical) and band status as
        comments (the hints of the CSV template's ``note``), and ``value: null``.
    city : str, optional
        Placeholder city id.
    year : int, optional
        Placeholder year.

    Returns
    -------
    str
        YAML text that :func:`read_city_figures` accepts as it is (every figure not assessed).
    """
    spatial = ", ".join(rule.id for rule in rule_set.indicators.values() if rule.source == "spatial")
    names = {"id": rule_set.id, "name": rule_set.name, "name_zh": rule_set.name_zh}
    english, chinese = (
        [
            "# " + message("figures_template.title", language, **names),
            *("# " + line for line in message("figures_template.instructions", language, spatial=spatial).splitlines()),
        ]
        for language in ("en", "zh")
    )
    zh_first = rule_set.primary_language == "zh"
    first, second = (chinese, english) if zh_first else (english, chinese)
    lines = [first[0], second[0], *first[1:], *second[1:]]
    lines += [
        "# Schema: cbindex/core/schemas/figures.schema.yaml",
        f"rule_set: {rule_set.id}",
        f"city: {city}",
        f"year: {year}",
        "figures:",
    ]
    for rule in city_supplied_rules(rule_set):
        names = [f"  # {rule.id} {rule.name} [{rule.unit}]", f"  # {rule.id} {rule.name_zh}"]
        lines += names[::-1] if zh_first else names
        lines += [f"  # {hint}" for hint in _template_hints(rule)]
        lines.append(f"  {rule.id}: {{value: null, source: null, note: null}}")
    return "\n".join(lines) + "\n"


def render_figures_csv_template(rule_set: RuleSet) -> str:
    """Write the text of a CSV figures template: one row per city-supplied indicator of a rule set.

    The columns are :data:`CSV_COLUMNS`; ``value`` and ``source`` are empty (not assessed) and ``note`` holds
    hints (whole number, level keys, bands unknown) that the city may overwrite.  :func:`read_city_figures`
    accepts the text as it is.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rule in city_supplied_rules(rule_set):
        writer.writerow([rule.id, rule.name, rule.name_zh, rule.unit, "", "", "; ".join(_template_hints(rule))])
    return buffer.getvalue()


def figures_template_paths(rule_set_id: str, config_dir: str | Path) -> tuple[Path, Path]:
    """The YAML and CSV template paths of a rule set: ``figures_template.*`` for si-2014,
    ``figures_template_<id>.*`` for the others."""
    stem = "figures_template" if rule_set_id == DEFAULT_TEMPLATE_RULE_SET else f"figures_template_{rule_set_id}"
    return Path(config_dir) / f"{stem}.yaml", Path(config_dir) / f"{stem}.csv"


def write_figures_templates(scoring_dir: str | Path, config_dir: str | Path) -> list[Path]:
    """Write the YAML and CSV templates of every rule set in `scoring_dir` into `config_dir`; return the paths."""
    written = []
    for rule_set_path in sorted(Path(scoring_dir).glob("*.yaml")):
        rule_set = load_rule_set(rule_set_path)
        yaml_path, csv_path = figures_template_paths(rule_set.id, config_dir)
        yaml_path.write_text(render_figures_template(rule_set), encoding="utf-8")
        csv_path.write_text(render_figures_csv_template(rule_set), encoding=CSV_ENCODING)
        written += [yaml_path, csv_path]
    return written


if __name__ == "__main__":  # python -m cbindex.scoring.figures [scoring_dir [config_dir]]
    arguments = sys.argv[1:] + ["config/scoring", "config"][len(sys.argv[1:]) :]
    for written_path in write_figures_templates(*arguments[:2]):
        print(written_path)
