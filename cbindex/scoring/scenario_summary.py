"""The scorecard's ``scenarios`` section: each what-if scenario of the city with its title, base year, the changes it
made (``changes.csv``) and its comparison with the base year (``scenario_comparison.csv``,
:mod:`cbindex.scoring.scenario_comparison`), with the points of the base year and of the scenario totalled over the
indicators the scenario's land cover gives.

The totals are sums of the comparison's points over the compared indicators scored on both sides; an indicator
whose value the scenario does not change keeps its points, so the totals' difference is the points the changed
indicators gain or lose. An indicator not scored on one side (held for partial coverage, not assessed) is left out
of both totals and listed under ``not_scored``, never counted as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cbindex.core.errors import CBIDefectError
from cbindex.core.messages import message, messages
from cbindex.scoring.scenario_comparison import COMPARISON_COLUMNS

SUPPORTING_STATUS = "supporting"
VALUE_COLUMNS = ("base_value", "scenario_value", "change")
POINT_COLUMNS = ("base_points", "scenario_points", "points_change")


def scenario_summaries(
    scenarios: Sequence[Mapping[str, Any]],
    *,
    comparison_csvs: Sequence[str],
    changes_csvs: Sequence[str],
) -> list[dict[str, Any]]:
    """The ``scenarios`` section: one entry per scenario (its params, :meth:`Scenario.as_params`), read from the
    ``scenario_comparison.csv`` and ``changes.csv`` of its folder (``results/{city}/scenarios/{name}/``).

    Raises
    ------
    CBIDefectError
        When a scenario's two tables are not among the files given (the rule's inputs and params disagree).
    """
    by_folder = {
        kind: {Path(path).parent.name: path for path in paths}
        for kind, paths in (("comparison", comparison_csvs), ("changes", changes_csvs))
    }
    summaries = []
    for scenario in scenarios:
        paths = {kind: files.get(scenario["name"]) for kind, files in by_folder.items()}
        if None in paths.values():
            raise CBIDefectError(
                f"Scenario {scenario['name']!r} has no comparison or changes table among the scoring inputs "
                f"({', '.join(comparison_csvs)}); please report this."
            )
        summaries.append(
            summarize_scenario(
                scenario,
                comparison=pd.read_csv(paths["comparison"], encoding="utf-8-sig"),
                changes=pd.read_csv(paths["changes"], encoding="utf-8-sig", keep_default_na=False),
            )
        )
    return summaries


def summarize_scenario(
    scenario: Mapping[str, Any], *, comparison: pd.DataFrame, changes: pd.DataFrame
) -> dict[str, Any]:
    """One scenario's entry: ``name``, ``title`` (en, zh; the name when the file gives none), ``base_year``,
    ``changes`` (per step: what it did in both languages, cells and hectares changed inside the city),
    ``indicators`` (the comparison's scored rows: values in the indicator's unit, points, their change),
    ``supporting`` (natural area and city area in ha, connectivity groups) and ``points`` (base and scenario totals
    over the indicators scored on both sides, their change, and the indicators left out)."""
    rows = [_plain(row) for row in comparison[COMPARISON_COLUMNS].to_dict("records")]
    indicators = [row for row in rows if row["base_status"] != SUPPORTING_STATUS]
    scored = [row for row in indicators if row["base_points"] is not None and row["scenario_points"] is not None]
    base_points = sum(row["base_points"] for row in scored)
    scenario_points = sum(row["scenario_points"] for row in scored)
    return {
        "name": scenario["name"],
        "title": {"en": scenario.get("title") or scenario["name"], "zh": scenario.get("title_zh") or scenario["name"]},
        "base_year": int(scenario["base_year"]),
        "changes": [
            _change(spec, step) for spec, step in zip(scenario["changes"], changes.to_dict("records"), strict=True)
        ],
        "indicators": indicators,
        "supporting": [
            {key: row[key] for key in ("indicator", *VALUE_COLUMNS)}
            for row in rows
            if row["base_status"] == SUPPORTING_STATUS
        ],
        "points": {
            "indicators": [row["indicator"] for row in scored],
            "base": base_points,
            "scenario": scenario_points,
            "change": scenario_points - base_points,
            "not_scored": [row["indicator"] for row in indicators if row not in scored],
        },
    }


def describe_change(spec: Mapping[str, Any]) -> dict[str, str]:
    """What one change of a scenario does, in English and Chinese (``restore`` or ``landcover``, as the scenarios
    file gives it)."""
    if "restore" in spec:
        return {
            language: message(
                "scenarios.change_restore",
                language,
                category=message(f"categories.{spec['restore']}", language),
                since_year=spec["since_year"],
            )
            for language in ("en", "zh")
        }
    key = "scenarios.change_landcover_from" if spec.get("from") else "scenarios.change_landcover"
    return messages(
        key, file=Path(spec["landcover"]).name, to=spec["to"], from_codes=", ".join(map(str, spec.get("from") or ()))
    )


def _change(spec: Mapping[str, Any], step: Mapping[str, Any]) -> dict[str, Any]:
    cells = int(step["cells_changed"])
    return {
        "step": int(step["step"]),
        "kind": "restore" if "restore" in spec else "landcover",
        "text": describe_change(spec),
        "cells_changed": cells,
        "area_changed_ha": float(step["area_changed_ha"]),
        "note": messages("scenarios.changed_nothing") if cells == 0 else None,
    }


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """A comparison row for JSON: missing values None, points as integers."""
    plain = {key: None if _missing(value) else value for key, value in row.items()}
    for key in POINT_COLUMNS:
        if plain[key] is not None:
            plain[key] = int(plain[key])
    for key in VALUE_COLUMNS:
        if plain[key] is not None:
            plain[key] = float(plain[key])
    return plain


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
