"""A city's targets as outputs: the scorecard's ``targets`` section and the rows of ``targets.csv``.

Each target (:mod:`cbindex.scoring.targets_file`) is followed through the indicator's values by land-cover year
(:mod:`cbindex.scoring.target_progress`), linked to the framework targets its indicator informs
(:mod:`cbindex.scoring.frameworks`) and described in English and Chinese.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from cbindex.core.messages import message, pair
from cbindex.scoring.frameworks import BASIS_PROPOSAL, Framework
from cbindex.scoring.next_band import change_unit
from cbindex.scoring.rules import RuleSet
from cbindex.scoring.target_progress import assess_target
from cbindex.scoring.targets_file import KIND_POINTS, CityTarget

TARGETS_CSV_COLUMNS = [
    "city",
    "indicator",
    "name",
    "name_zh",
    "kind",
    "unit",
    "target",
    "target_year",
    "baseline_year",
    "year",
    "value",
    "trajectory",
    "latest_year",
    "on_track",
    "progress",
    "change_per_year_needed",
    "direction",
    "framework_targets",
    "target_status",
    "source",
]


def indicator_series(table: pd.DataFrame, *, indicator: str, column: str) -> dict[int, float | None]:
    """One indicator's `column` (``value`` or ``points``) by year from an ``indicators.csv``-shaped table; rows
    without a year (a value for the city as a whole) cannot be placed on a trajectory and are left out."""
    rows = table[(table["indicator"] == indicator) & table["year"].notna()]
    series: dict[int, float | None] = {}
    for year, value in zip(rows["year"], rows[column], strict=True):
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        series[int(year)] = None if pd.isna(number) else float(number)
    return series


def _number_text(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _signed_text(value: float) -> str:
    return ("+" if value > 0 else "") + _number_text(value)


def _amount(value: float, unit: str, language: str) -> str:
    """A value with its unit; a number of points says point or points (分)."""
    if unit == "points":
        return (
            f"{_number_text(value)} {message('targets.unit_point' if value == 1 else 'targets.unit_points', language)}"
        )
    return f"{_number_text(value)} {unit}"


def _describe(item: dict[str, Any], language: str) -> str:
    unit = item["unit_zh"] if language == "zh" else item["unit"]
    unit = "points" if item["kind"] == KIND_POINTS else unit

    def amount(value: float) -> str:
        return _amount(value, unit, language)

    label = message(f"targets.progress_{item['progress']}", language)
    target = message("targets.target_by", language, amount=amount(item["target"]), year=item["year"])
    if item["latest_value"] is None:
        return message("targets.text_no_value", language, label=label, indicator=item["indicator"], target=target)
    sentence = message(
        "targets.text_latest",
        language,
        label=label,
        latest=amount(item["latest_value"]),
        latest_year=item["latest_year"],
        target=target,
    )
    if item["trajectory_latest"] is not None and item["latest_year"] != item["baseline_year"]:
        sentence += message(
            "targets.text_trajectory",
            language,
            baseline=amount(item["baseline_value"]),
            baseline_year=item["baseline_year"],
            trajectory=amount(item["trajectory_latest"]),
            latest_year=item["latest_year"],
        )
    change = item["change_per_year_needed"]
    if change is not None and change != 0:
        unit = change_unit(item["unit"], item["unit_zh"], language)
        sentence += message("targets.text_change", language, change=_signed_text(change), unit=unit)
    return sentence + message("targets.text_end", language)


def describe_target(item: dict[str, Any]) -> tuple[str, str]:
    """One sentence in English and one in Chinese on a followed target (the scorecard's ``text`` / ``text_zh``), e.g.
    "off track: 17.46 % in 2020; target 20 % by 2030; the trajectory from 18.37 % in 2016 passes 18.83 % in 2020;
    +0.25 percentage points a year still needed."."""
    return _describe(item, "en"), _describe(item, "zh")


def follow_targets(
    targets: Sequence[CityTarget],
    *,
    table: pd.DataFrame,
    rule_set: RuleSet,
    framework: Framework | None,
    targets_path: str | None,
) -> dict[str, Any]:
    """The scorecard's ``targets`` section: every target followed through the years and grouped by framework target.

    Parameters
    ----------
    targets : sequence of CityTarget
        The city's checked targets (none without a targets file).
    table : pandas.DataFrame
        The city's ``indicators.csv`` rows (columns indicator, year, value, points), named by the rule set's ids.
    rule_set : RuleSet
        The city's rule set.
    framework : Framework or None
        The framework mapping (sheet column ``framework``, default KMGBF); None links no target.
    targets_path : str or None
        The targets file, named in the output.

    Returns
    -------
    dict
        ``file``, ``framework`` (:meth:`Framework.header`), ``items`` (one per target: the target, its indicator's
        names and unit, :func:`cbindex.scoring.target_progress.assess_target`'s keys, ``progress_label(_zh)``,
        ``status_label(_zh)``, ``framework_targets`` and ``text(_zh)``), ``by_framework_target`` (framework targets
        in number order, each with the indexes of ``items`` whose indicator informs it, then ``unlinked``) and
        ``notes`` / ``notes_zh``.
    """
    items = []
    for target in targets:
        rule = rule_set.indicators[target.indicator]
        column = "points" if target.kind == KIND_POINTS else "value"
        series = indicator_series(table, indicator=target.indicator, column=column)
        links = () if framework is None else framework.links_of(rule_set.id, target.indicator)
        unit, unit_zh = (
            pair("targets.unit_points") if target.kind == KIND_POINTS else (rule.unit, rule.unit_zh or rule.unit)
        )
        item = {
            "indicator": target.indicator,
            "name": rule.name,
            "name_zh": rule.name_zh,
            "kind": target.kind,
            "unit": unit,
            "unit_zh": unit_zh,
            "target": target.target,
            "year": target.year,
            "baseline_year": target.baseline_year,
            "source": target.source,
            "note": target.note,
            "status": target.status,
            "status_label": message(f"targets.status_{target.status}", "en"),
            "status_label_zh": message(f"targets.status_{target.status}", "zh"),
            **assess_target(target, series=series, rule=rule),
            "framework_targets": [link.as_dict() for link in links],
        }
        item["progress_label"], item["progress_label_zh"] = pair(f"targets.progress_{item['progress']}")
        item["text"], item["text_zh"] = describe_target(item)
        items.append(item)
    numbers = sorted({link["number"] for item in items for link in item["framework_targets"]})
    by_target = [
        {
            "number": number,
            "title": framework.targets[number].title,  # numbers come from links, so framework is not None
            "title_zh": framework.targets[number].title_zh,
            "title_zh_is_translation": framework.targets[number].title_zh_is_translation,
            "items": [
                index
                for index, item in enumerate(items)
                if any(link["number"] == number for link in item["framework_targets"])
            ],
        }
        for number in numbers
    ]
    unlinked = [index for index, item in enumerate(items) if not item["framework_targets"]]
    notes, notes_zh = _notes(items, framework=framework, rule_set_id=rule_set.id)
    return {
        "file": targets_path,
        "framework": None if framework is None else framework.header(),
        "items": items,
        "by_framework_target": by_target,
        "unlinked": unlinked,
        "notes": notes,
        "notes_zh": notes_zh,
    }


def _notes(
    items: Sequence[dict[str, Any]], *, framework: Framework | None, rule_set_id: str
) -> tuple[list[str], list[str]]:
    keys: list[str] = []
    fields: dict[str, str] = {"rule_set": rule_set_id}
    if any(item["status"] == "example" for item in items):
        keys.append("targets.note_example")
    if items and framework is not None and rule_set_id not in framework.links:
        keys.append("targets.note_no_rule_set")
        fields["file"] = framework.path
    links = [link for item in items for link in item["framework_targets"]]
    if framework is not None and any(link["basis"] == BASIS_PROPOSAL for link in links):
        keys.append("targets.note_proposal")
        fields |= {"framework": framework.name, "framework_zh": framework.name_zh, "file": framework.path}
    if any(link["title_zh_is_translation"] for link in links):
        keys.append("targets.note_translation")
    return [message(key, "en", **fields) for key in keys], [message(key, "zh", **fields) for key in keys]


def targets_table(section: dict[str, Any], *, city: str) -> pd.DataFrame:
    """``targets.csv``: one row per target and year (every land-cover year and the target year) with the value,
    the trajectory and the target's progress; empty (header only) without targets."""
    rows = []
    for item in section["items"]:
        prefix = (section["framework"] or {}).get("id", "")
        framework = "; ".join(f"{prefix} {link['number']}" for link in item["framework_targets"])
        for point in item["values"]:
            rows.append(
                {
                    "city": city,
                    "indicator": item["indicator"],
                    "name": item["name"],
                    "name_zh": item["name_zh"],
                    "kind": item["kind"],
                    "unit": item["unit"],
                    "target": item["target"],
                    "target_year": item["year"],
                    "baseline_year": item["baseline_year"],
                    "year": point["year"],
                    "value": point["value"],
                    "trajectory": point["trajectory"],
                    "latest_year": item["latest_year"],
                    "on_track": item["on_track"],
                    "progress": item["progress"],
                    "change_per_year_needed": item["change_per_year_needed"],
                    "direction": item["direction"],
                    "framework_targets": framework,
                    "target_status": item["status"],
                    "source": item["source"],
                }
            )
    return pd.DataFrame(rows, columns=TARGETS_CSV_COLUMNS).astype({"latest_year": "Int64"})
