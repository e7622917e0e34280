"""City-supplied figures: the values a city reports by hand for indicators the workflow does not derive.

A figures file (schema ``workflow/schemas/figures.schema.yaml``, template ``config/figures_template.yaml``)
looks like ``{rule_set: si-2014, city: id, year: 2023, figures: {I15: {value: 1.2, source: ...}, ...}}``.
Only indicators whose rule says ``source: city`` may appear: an indicator the workflow computes
(``source: spatial``) is rejected rather than silently replacing the computed value.  A missing file, a
missing figure and ``value: null`` all mean "not assessed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from cbindex.errors import CBIInputError
from cbindex.scoring import (
    SCHEMA_DIR,
    IndicatorRule,
    RuleSet,
    check_against_schema,
    is_missing,
    read_yaml_file,
    value_problem,
)

FIGURES_SCHEMA_PATH = SCHEMA_DIR / "figures.schema.yaml"

FigureValue = float | int | str | None


@dataclass(frozen=True)
class CityFigures:
    """The figures of one city, for every city-supplied indicator of a rule set.

    Attributes
    ----------
    city : str or None
        City id written in the file (None when there is no file).
    year : int or None
        Year the figures refer to.
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


def city_supplied_rules(rule_set: RuleSet) -> list[IndicatorRule]:
    """Return the indicators a city supplies in its figures file (``source: city``), in rule-set order."""
    return [rule for rule in rule_set.indicators.values() if rule.source == "city"]


def read_city_figures(path: str | PathLike | None, *, rule_set: RuleSet) -> CityFigures:
    """Read and check a city's figures file against a rule set.

    Parameters
    ----------
    path : str, PathLike or None
        The figures file; None or a file that does not exist gives no figures (all not assessed).
    rule_set : RuleSet
        The rule set the city is scored with (after overrides, so overridden levels are accepted).

    Returns
    -------
    CityFigures
        Values for every city-supplied indicator (None where the file gives none), with sources and notes.

    Raises
    ------
    CBIInputError
        If the file is not valid YAML or breaks the schema, was written for another rule set, names an unknown
        indicator or one the workflow computes, or gives a value of the wrong type, range or level.
    """
    values: dict[str, FigureValue] = {rule.id: None for rule in city_supplied_rules(rule_set)}
    if path is None or not Path(path).exists():
        return CityFigures(city=None, year=None, values=values)
    origin = str(path)
    document = read_yaml_file(path, what="City figures file")
    check_against_schema(document, schema_path=FIGURES_SCHEMA_PATH, origin=origin)
    written_for = document.get("rule_set")
    if written_for is not None and written_for != rule_set.id:
        raise CBIInputError(
            f"{origin}: the figures were written for rule set {written_for} but the city is scored with "
            f"{rule_set.id}, whose indicator numbers differ; renumber the figures and set "
            f"rule_set: {rule_set.id}."
        )
    sources, notes = {}, {}
    for indicator_id, figure in (document.get("figures") or {}).items():
        rule = _city_supplied_rule(rule_set, indicator_id, origin=origin)
        value = figure["value"]
        problem = None if is_missing(value) else value_problem(rule, value)
        if problem is not None:
            raise CBIInputError(f"{origin}: figures.{indicator_id}.value is wrong: {problem}.")
        values[indicator_id] = None if is_missing(value) else value
        if figure.get("source"):
            sources[indicator_id] = figure["source"]
        if figure.get("note"):
            notes[indicator_id] = figure["note"]
    return CityFigures(
        city=document["city"], year=document["year"], values=values, sources=sources, notes=notes
    )


def load_city_figures(path: str | PathLike | None, *, rule_set: RuleSet) -> dict[str, FigureValue]:
    """Return the values of a city's figures file for every city-supplied indicator of a rule set.

    Parameters
    ----------
    path : str, PathLike or None
        The figures file; None or a missing file gives all None (not assessed).
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


def _city_supplied_rule(rule_set: RuleSet, indicator_id: str, *, origin: str) -> IndicatorRule:
    rule = rule_set.indicators.get(indicator_id)
    if rule is None:
        supplied = ", ".join(rule.id for rule in city_supplied_rules(rule_set))
        raise CBIInputError(
            f"{origin}: {indicator_id} is not an indicator of {rule_set.id}; use one of {supplied}."
        )
    if rule.source != "city":
        raise CBIInputError(
            f"{origin}: {indicator_id} is computed by the workflow from spatial data, so remove it from "
            "the figures file."
        )
    return rule


def render_figures_template(rule_set: RuleSet, *, city: str = "my-city", year: int = 2024) -> str:
    """Write the text of a figures template listing every city-supplied indicator of a rule set.

    Parameters
    ----------
    rule_set : RuleSet
        The rule set; each of its city-supplied indicators gets its English and Chinese name, unit, allowed
        level keys (categorical) and band status as comments, and ``value: null``.
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
    lines = [
        f"# Figures a city supplies for rule set {rule_set.id}: {rule_set.name}.",
        f"# 城市自报数据模板，规则集 {rule_set.id}：{rule_set.name_zh}。",
        "# Copy this file, give each indicator's value in the unit shown (null = not assessed, never",
        "# 0 points) and say where it comes from in `source`.  The workflow computes the other",
        f"# indicators ({spatial}); do not list them.",
        "# 复制本文件，按所示单位填写各指标的 value（null 表示未评估，不计为 0 分），",
        "# 并在 source 中注明数据来源。",
        f"# 工作流自动计算的指标（{spatial}）不要填写在此。",
        "# Schema: workflow/schemas/figures.schema.yaml",
        f"rule_set: {rule_set.id}",
        f"city: {city}",
        f"year: {year}",
        "figures:",
    ]
    for rule in city_supplied_rules(rule_set):
        unit = f"{rule.unit}, whole number" if rule.integer else rule.unit
        lines += [f"  # {rule.id} {rule.name} [{unit}]", f"  # {rule.id} {rule.name_zh}"]
        if rule.levels:
            lines.append(f"  # value: one of {', '.join(rule.level_keys)}")
        if not rule.has_bands:
            lines.append("  # bands unknown: reported but not scored unless the city configures bands")
        lines.append(f"  {rule.id}: {{value: null, source: null, note: null}}")
    return "\n".join(lines) + "\n"
