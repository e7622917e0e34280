"""City targets: the quantitative targets a city sets for its indicators (its LBSAP's), read and checked.

A targets file is YAML (schema ``cbindex/core/schemas/targets.schema.yaml``, template
``config/targets_template.yaml``): ``{rule_set: si-2014, city: id, status: draft, targets: [{indicator: I1, value:
30, year: 2030, baseline_year: 2016, source: ...}, ...]}``, or a spreadsheet-friendly CSV (template
``config/targets_template.csv``) with the columns :data:`CSV_COLUMNS`, one row per target.  Each target gives either
a ``value`` in the indicator's unit or a number of ``points`` (not both), the ``year`` it is due and optionally the
``baseline_year`` its trajectory starts from (default: the city's first land-cover year), a free-text ``source``
and a ``status`` (``adopted``, ``draft`` or ``example``; YAML: the file's ``status`` by default).

Every problem stops the run with one sentence naming the file, the row (CSV line, or ``targets[i]`` in YAML) and
the fix: an indicator the rule set does not have (or that the city excludes), both or neither of value and points,
points above the indicator's maximum or for an indicator without bands, a value for a categorical indicator or
outside the indicator's range, a target year not after the baseline year, the same indicator and year twice.

Templates: ``python -m cbindex.scoring.targets_file`` writes ``config/targets_template.{yaml,csv}``.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from cbindex.core.config_files import check_against_schema, read_yaml_file, schema_path
from cbindex.core.errors import CBIInputError
from cbindex.scoring.csv_rows import CSV_ENCODING, read_csv_rows
from cbindex.scoring.points import value_problem
from cbindex.scoring.rules import POINTS_PER_INDICATOR, IndicatorRule, RuleSet

TARGETS_SCHEMA_PATH = schema_path("targets")
CSV_COLUMNS = ("indicator", "value", "points", "year", "baseline_year", "source", "status", "note")
CSV_REQUIRED_COLUMNS = ("indicator", "year")
YAML_SUFFIXES = (".yaml", ".yml")
TARGET_STATUSES = ("adopted", "draft", "example")
STATUS_UNSTATED = "unstated"
KIND_VALUE, KIND_POINTS = "value", "points"


@dataclass(frozen=True)
class CityTarget:
    """One checked target of one indicator.

    Attributes
    ----------
    indicator : str
        Indicator id of the rule set.
    kind : {"value", "points"}
        Whether ``target`` is a value in the indicator's unit or a number of points.
    target : float
        The target value or points.
    year, baseline_year : int
        Year the target is due and year the trajectory starts from (``baseline_year < year``).
    source, note : str or None
        Where the target comes from; a remark.
    status : str
        ``adopted``, ``draft``, ``example`` or ``unstated``.
    where : str
        Where the target sits in its file (``row 3``, ``targets[0]``), for messages.
    """

    indicator: str
    kind: str
    target: float
    year: int
    baseline_year: int
    source: str | None
    note: str | None
    status: str
    where: str


def max_points(rule: IndicatorRule) -> int:
    """The most points an indicator can score: its best band or level (4 in every shipped rule set)."""
    awarded = [band.points for band in rule.bands] + [level.points for level in rule.levels]
    return max(awarded, default=POINTS_PER_INDICATOR)


def read_city_targets(
    path: str | PathLike | None, *, rule_set: RuleSet, landcover_years: list[int]
) -> list[CityTarget]:
    """Read and check a city's targets file (YAML or CSV, by suffix) against its rule set and land-cover years.

    Parameters
    ----------
    path : str, PathLike or None
        The targets file; None (no ``targets`` in the sheet) gives no targets.
    rule_set : RuleSet
        The city's rule set (after its overrides, so an excluded indicator cannot get a target).
    landcover_years : list of int
        The city's land-cover years; the first is the default baseline year.

    Returns
    -------
    list of CityTarget
        In file order.

    Raises
    ------
    CBIInputError
        For every problem listed in the module docstring, naming the file, the row and the fix.
    """
    if path is None:
        return []
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        entries, file_status = _csv_entries(path), None
    elif suffix in YAML_SUFFIXES:
        entries, file_status = _yaml_entries(path, rule_set=rule_set)
    else:
        raise CBIInputError(
            f"Targets file {path} must end in .yaml, .yml or .csv; save it in one of those formats (see "
            "config/targets_template.yaml or config/targets_template.csv)."
        )
    default_baseline = min(landcover_years)
    targets: list[CityTarget] = []
    first: dict[tuple[str, int], str] = {}
    for where, entry in entries:
        target = _checked_target(
            entry,
            origin=f"{path}: {where}",
            where=where,
            rule_set=rule_set,
            default_baseline=default_baseline,
            file_status=file_status,
        )
        key = (target.indicator, target.year)
        if key in first:
            raise CBIInputError(
                f"{path}: {where} repeats the {target.year} target of {target.indicator} (first given in "
                f"{first[key]}); keep one target per indicator and year."
            )
        first[key] = where
        targets.append(target)
    return targets


def _checked_target(
    entry: dict[str, Any],
    *,
    origin: str,
    where: str,
    rule_set: RuleSet,
    default_baseline: int,
    file_status: str | None,
) -> CityTarget:
    indicator = entry["indicator"]
    rule = rule_set.indicators.get(indicator)
    if rule is None:
        raise CBIInputError(
            f"{origin} sets a target for {indicator}, which is not an indicator of {rule_set.id}; use one of "
            f"{', '.join(rule_set.indicators)}."
        )
    if not rule.included:
        raise CBIInputError(
            f"{origin} sets a target for {indicator}, which the city's scoring overrides leave out of the "
            "scorecard; delete the target or include the indicator again."
        )
    value, points = entry.get("value"), entry.get("points")
    if value is not None and points is not None:
        raise CBIInputError(
            f"{origin} gives {indicator} both a target value ({value}) and target points ({points}); keep one."
        )
    if value is None and points is None:
        raise CBIInputError(f"{origin} gives {indicator} neither a target value nor target points; fill in one.")
    if points is not None:
        target, kind = _checked_points(rule, points, origin=origin, rule_set=rule_set), KIND_POINTS
    else:
        target, kind = _checked_value(rule, value, origin=origin), KIND_VALUE
    year = entry["year"]
    baseline_year = entry.get("baseline_year")
    baseline_year = default_baseline if baseline_year is None else baseline_year
    if year <= baseline_year:
        given = "baseline_year" if entry.get("baseline_year") is not None else "the first land-cover year"
        raise CBIInputError(
            f"{origin}: the target year {year} of {indicator} is not after its baseline year {baseline_year} "
            f"({given}); give a later target year or an earlier baseline_year."
        )
    return CityTarget(
        indicator=indicator,
        kind=kind,
        target=target,
        year=year,
        baseline_year=baseline_year,
        source=entry.get("source") or None,
        note=entry.get("note") or None,
        status=entry.get("status") or file_status or STATUS_UNSTATED,
        where=where,
    )


def _checked_points(rule: IndicatorRule, points: Any, *, origin: str, rule_set: RuleSet) -> float:
    if isinstance(points, bool) or not isinstance(points, int):
        raise CBIInputError(f"{origin}: target points of {rule.id} must be a whole number, not {points!r}; round it.")
    if not rule.has_bands:
        raise CBIInputError(
            f"{origin} sets target points for {rule.id}, which has no bands in {rule_set.id}, so its points cannot "
            "be followed; give a target value instead, or set bands in the city's scoring overrides."
        )
    top = max_points(rule)
    if not 0 <= points <= top:
        raise CBIInputError(
            f"{origin}: target points {points} of {rule.id} are outside 0 to its maximum of {top} points; give at "
            f"most {top}."
        )
    return float(points)


def _checked_value(rule: IndicatorRule, value: Any, *, origin: str) -> float:
    if rule.is_categorical:
        raise CBIInputError(
            f"{origin} gives {rule.id} a target value, but {rule.id} is categorical (levels, not numbers); give "
            "the target in points instead."
        )
    problem = value_problem(rule, value)
    if problem is not None:
        raise CBIInputError(f"{origin}: the target value is wrong: {problem}.")
    return float(value)


def _yaml_entries(path: Path, *, rule_set: RuleSet) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    document = read_yaml_file(path, what="Targets file")
    check_against_schema(document, schema_path=TARGETS_SCHEMA_PATH, origin=str(path))
    written_for = document.get("rule_set")
    if written_for is not None and written_for != rule_set.id:
        raise CBIInputError(
            f"{path}: the targets were written for rule set {written_for} but the city is scored with "
            f"{rule_set.id}, whose indicator numbers differ; renumber the targets and set rule_set: {rule_set.id}."
        )
    entries = [(f"targets[{index}] ({entry['indicator']})", entry) for index, entry in enumerate(document["targets"])]
    return entries, document.get("status")


def _csv_entries(path: Path) -> list[tuple[str, dict[str, Any]]]:
    rows = read_csv_rows(
        path,
        what="Targets file",
        columns=CSV_COLUMNS,
        required=CSV_REQUIRED_COLUMNS,
        template="config/targets_template.csv",
    )
    entries = []
    for line, row in rows:
        where = f"row {line}"
        if not row["indicator"]:
            raise CBIInputError(f"{path}: {where} has no indicator; fill in the indicator id (e.g. I1) or delete it.")
        origin = f"{path}: {where} ({row['indicator']})"
        status = row.get("status") or None
        if status is not None and status not in TARGET_STATUSES:
            raise CBIInputError(
                f"{origin}: status {status!r} is not one of {', '.join(TARGET_STATUSES)}; write one or leave it empty."
            )
        entry = {
            "indicator": row["indicator"],
            "value": _number(row.get("value", ""), column="value", origin=origin),
            "points": _number(row.get("points", ""), column="points", origin=origin, whole=True),
            "year": _number(row["year"], column="year", origin=origin, whole=True, required=True),
            "baseline_year": _number(row.get("baseline_year", ""), column="baseline_year", origin=origin, whole=True),
            "source": row.get("source") or None,
            "status": status,
            "note": row.get("note") or None,
        }
        entries.append((f"{where} ({row['indicator']})", entry))
    if not entries:
        raise CBIInputError(
            f"Targets file {path} has no target rows; add one row per target or leave the sheet cell empty."
        )
    return entries


def _number(text: str, *, column: str, origin: str, whole: bool = False, required: bool = False) -> float | int | None:
    if not text:
        if required:
            raise CBIInputError(f"{origin}: {column} is empty; fill in a year (e.g. 2030).")
        return None
    try:
        number = float(text)
    except ValueError:
        raise CBIInputError(f"{origin}: {column} {text!r} is not a number; write a number.") from None
    if whole:
        if not number.is_integer():
            raise CBIInputError(f"{origin}: {column} {text!r} must be a whole number; round it.")
        return int(number)
    return number


# -------------------------------------------------------------------------------- templates

TEMPLATE_HEADER = """\
# Targets a city sets for its indicators (e.g. from its Local Biodiversity Strategy and Action Plan).
# 城市为各指标设定的目标（例如来自其地方生物多样性战略与行动计划）。
# Copy this file, name it in the city sheet's `targets` column and give, per target, EITHER a `value` in the
# indicator's unit OR a number of `points` (0-4), the `year` it is due and, optionally, `baseline_year` (default:
# the first land-cover year) and where it comes from (`source`).  The report draws each target's trajectory, says
# whether the latest year is on track and how much change per year is still needed.
# 复制本文件并在城市表格的 targets 列中填写其路径；每个目标给出指标单位下的 value 或得分 points（二者选一）、
# 目标年份 year，可选基准年 baseline_year（默认为第一个土地覆盖年份）及来源 source。
# status: adopted (adopted by the city / 已通过), draft (proposed / 草案) or example (an illustration / 示例).
# Schema: cbindex/core/schemas/targets.schema.yaml
"""


def render_targets_template(rule_set: RuleSet) -> str:
    """The text of the YAML targets template: one commented example target of each kind for a rule set, which
    :func:`read_city_targets` accepts as it is (the example targets are marked ``status: example``)."""
    value_rule = next(rule for rule in rule_set.indicators.values() if not rule.is_categorical and rule.has_bands)
    lines = [
        TEMPLATE_HEADER.rstrip("\n"),
        f"rule_set: {rule_set.id}",
        "city: my-city",
        "status: example",
        "targets:",
        f"  # {value_rule.id} {value_rule.name} [{value_rule.unit}] / {value_rule.name_zh}",
        f"  - {{indicator: {value_rule.id}, value: {_template_value(value_rule)}, year: 2030, baseline_year: null, "
        "source: null}",
        "  # the same indicator in points instead / 以得分表示",
        f"  - {{indicator: {value_rule.id}, points: 4, year: 2035, baseline_year: null, source: null}}",
    ]
    return "\n".join(lines) + "\n"


def _template_value(rule: IndicatorRule) -> str:
    best = max(rule.bands, key=lambda band: band.points)
    edge = best.min if best.min is not None else best.max
    return f"{edge:g}"


def render_targets_csv_template(rule_set: RuleSet) -> str:
    """The text of the CSV targets template: the header and the same two example rows as the YAML template."""
    value_rule = next(rule for rule in rule_set.indicators.values() if not rule.is_categorical and rule.has_bands)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(
        [value_rule.id, _template_value(value_rule), "", 2030, "", "", "example", "value in " + value_rule.unit]
    )
    writer.writerow([value_rule.id, "", 4, 2035, "", "", "example", "points instead of a value / 以得分表示"])
    return buffer.getvalue()


def write_targets_templates(rule_set_path: str | Path, config_dir: str | Path) -> list[Path]:
    """Write ``targets_template.yaml`` and ``.csv`` for a rule set into `config_dir`; return the paths."""
    from cbindex.scoring.rule_sets import load_rule_set

    rule_set = load_rule_set(rule_set_path)
    yaml_path, csv_path = Path(config_dir) / "targets_template.yaml", Path(config_dir) / "targets_template.csv"
    yaml_path.write_text(render_targets_template(rule_set), encoding="utf-8")
    csv_path.write_text(render_targets_csv_template(rule_set), encoding=CSV_ENCODING)
    return [yaml_path, csv_path]


if __name__ == "__main__":  # python -m cbindex.scoring.targets_file [rule_set_path [config_dir]]
    arguments = sys.argv[1:] + ["config/scoring/si-2014.yaml", "config"][len(sys.argv[1:]) :]
    for written_path in write_targets_templates(*arguments[:2]):
        print(written_path)
