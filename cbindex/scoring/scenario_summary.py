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
import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cbindex.core.errors import CBIDefectError
from cbindex.core.messages import message, messages
from cbindex.geo.protected_area_categories import category as protected_area_category
from cbindex.geo.protected_area_categories import category_of
from cbindex.scoring.scenario_comparison import COMPARISON_COLUMNS

SUPPORTING_STATUS = "supporting"
VALUE_COLUMNS = ("base_value", "scenario_value", "change")
POINT_COLUMNS = ("base_points", "scenario_points", "points_change")


def scenario_summaries(
    scenarios: Sequence[Mapping[str, Any]],
    *,
    comparison_csvs: Sequence[str],
    changes_csvs: Sequence[str],
    coverage_layers: Sequence[Mapping[str, str]] = (),
) -> list[dict[str, Any]]:
    """The ``scenarios`` section: one entry per scenario (its params, :meth:`Scenario.as_params`), read from the
    ``scenario_comparison.csv`` and the changes tables of its folder (``results/{city}/scenarios/{name}/``:
    ``changes.csv`` for its land-cover changes, ``overlay_changes.csv`` for its overlay and population changes);
    ``coverage_layers`` (config ``coverage_layers``: id, name, name_zh) name the control lines.

    Raises
    ------
    CBIDefectError
        When a scenario's two tables are not among the files given (the rule's inputs and params disagree).
    """
    by_folder: dict[str, dict[str, list[str]]] = {"comparison": {}, "changes": {}}
    for kind, paths in (("comparison", comparison_csvs), ("changes", changes_csvs)):
        for path in paths:
            by_folder[kind].setdefault(Path(path).parent.name, []).append(path)
    names = overlay_names(coverage_layers)
    summaries = []
    for scenario in scenarios:
        paths = {kind: files.get(scenario["name"]) for kind, files in by_folder.items()}
        if None in paths.values():
            raise CBIDefectError(
                f"Scenario {scenario['name']!r} has no comparison or changes table among the scoring inputs "
                f"({', '.join(comparison_csvs)}); please report this."
            )
        changes = pd.concat(
            [pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False) for path in paths["changes"]],
            ignore_index=True,
        ).sort_values("step", kind="stable")
        summaries.append(
            summarize_scenario(
                scenario,
                comparison=pd.read_csv(paths["comparison"][0], encoding="utf-8-sig"),
                changes=changes,
                names=names,
            )
        )
    return summaries


def overlay_names(coverage_layers: Sequence[Mapping[str, str]] = ()) -> dict[str, dict[str, str]]:
    """Each overlay kind's name in both languages: protected areas, parks (catalogue) and the control lines of
    config ``coverage_layers`` (their ``name`` and ``name_zh``)."""
    names = {kind: messages(f"scenarios.overlay_{kind}") for kind in ("protected_areas", "parks")}
    for layer in coverage_layers:
        names[layer["id"]] = {"en": layer["name"], "zh": layer.get("name_zh") or layer["name"]}
    return names


def summarize_scenario(
    scenario: Mapping[str, Any],
    *,
    comparison: pd.DataFrame,
    changes: pd.DataFrame,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """One scenario's entry: ``name``, ``title`` (en, zh; the name when the file gives none), ``base_year``,
    ``changes`` (per step: what it did in both languages, cells and hectares changed inside the city — for a
    land-use city's land-cover change ``polygons_changed``, the polygon pieces, and no cells; for an overlay change
    the city area it added or removed, no cells; for a population change neither),
    ``indicators`` (the comparison's scored rows: values in the indicator's unit, points, their change),
    ``supporting`` (natural area and city area in ha, connectivity groups, the overlay areas, population and the
    control lines' shares, each with its ``label`` and ``unit`` in both languages) and ``points`` (base and scenario
    totals over the indicators scored on both sides, their change, and the indicators left out)."""
    names = names if names is not None else overlay_names()
    steps = {int(row["step"]): row for row in changes.to_dict("records")}
    if sorted(steps) != list(range(1, len(scenario["changes"]) + 1)):
        raise CBIDefectError(
            f"Scenario {scenario['name']!r}: its changes tables hold steps {sorted(steps)} for "
            f"{len(scenario['changes'])} changes; please report this."
        )
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
            _change(spec, steps[number], names=names) for number, spec in enumerate(scenario["changes"], start=1)
        ],
        "indicators": indicators,
        "supporting": [
            {key: row[key] for key in ("indicator", *VALUE_COLUMNS)} | supporting_label(row["indicator"], names=names)
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


def supporting_label(quantity: str, *, names: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """A supporting row's ``label`` and ``unit`` in both languages (a control line's share is named after it)."""
    for suffix, key in (("_natural_share", "supporting_natural_share"), ("_coverage", "supporting_coverage")):
        layer_id = quantity.removesuffix(suffix)
        if quantity.endswith(suffix) and layer_id in names:
            return {
                "label": {
                    language: message(f"scenarios.{key}", language, layer=names[layer_id][language])
                    for language in ("en", "zh")
                },
                "unit": {"en": "%", "zh": "%"},
            }
    unit = {"natural_groups": {"en": "", "zh": ""}, "population": messages("scenarios.persons")}.get(
        quantity, messages("scenarios.hectares")
    )
    return {"label": messages(f"scenarios.supporting_{quantity}"), "unit": unit}


def describe_change(spec: Mapping[str, Any], *, names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
    """What one change of a scenario does, in English and Chinese (``restore``, ``landcover``, ``overlay`` or
    ``population``, as the scenarios file gives it); ``names`` are the overlays' (:func:`overlay_names`)."""
    if "population" in spec:
        return messages("scenarios.change_population", persons=f"{float(spec['population']):,.0f}")
    if "overlay" in spec:
        names = names if names is not None else overlay_names()
        overlay = names.get(spec["overlay"], {"en": spec["overlay"], "zh": spec["overlay"]})
        action = "add" if "add" in spec else "remove"
        file = Path(spec[action]).name
        category_id = category_of(spec["category"]) if spec.get("category") else None
        key = f"scenarios.change_overlay_{action}" + ("_category" if category_id else "")
        return {
            language: message(
                key,
                language,
                file=file,
                overlay=overlay[language],
                category=_category_name(category_id, language) if category_id else "",
            )
            for language in ("en", "zh")
        }
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


def _category_name(category_id: str, language: str) -> str:
    item = protected_area_category(category_id)
    return item.name_zh if language == "zh" else item.name.lower()


CHANGE_KINDS = ("restore", "landcover", "overlay", "population")
NOTHING_CHANGED = {
    "restore": "scenarios.changed_nothing",
    "landcover": "scenarios.changed_nothing",
    "overlay": "scenarios.overlay_changed_nothing",
    "population": "scenarios.population_no_parks",
}
"""The note of a change that changed nothing, by kind (the changes table's ``note`` column is then not empty)."""


def _change(spec: Mapping[str, Any], step: Mapping[str, Any], *, names: Mapping[str, Mapping[str, str]]) -> dict:
    kind = next(kind for kind in CHANGE_KINDS if kind in spec)
    cells = None if _blank(step.get("cells_changed")) else int(step["cells_changed"])
    # a land-use city's land-cover changes count polygon pieces (cbindex.landcover.landuse_scenarios), not cells
    polygons = None if _blank(step.get("polygons_changed")) else int(step["polygons_changed"])
    nothing = bool(str(step["note"]).strip()) or cells == 0 or polygons == 0
    entry = {
        "step": int(step["step"]),
        "kind": kind,
        "text": describe_change(spec, names=names),
        "cells_changed": cells,
        "area_changed_ha": None if _blank(step["area_changed_ha"]) else float(step["area_changed_ha"]),
        "note": messages(NOTHING_CHANGED[kind]) if nothing else None,
    }
    if polygons is not None:
        entry["polygons_changed"] = polygons
    return entry


def plain_number(value: float | int) -> str:
    """A number in a sentence as the report prints it (:func:`cbindex.report.text.format_number`, which the
    scoring layer cannot import): whole numbers plain, others to 1 decimal from 100 up, else 2; thousands
    separated."""
    if isinstance(value, numbers.Integral) or (float(value).is_integer() and abs(value) >= 1):
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.2f}"


def change_amount(change: Mapping[str, Any]) -> dict[str, str] | None:
    """What one change of a summary changed, in both languages: its note when it changed nothing, else the cells
    (polygon pieces for a land-use city) and hectares (land cover), the hectares of the city (overlay), or None
    (population)."""
    if change["note"]:
        return dict(change["note"])
    if change.get("polygons_changed") is not None:
        return messages(
            "scenarios.change_amount_polygons",
            polygons=plain_number(change["polygons_changed"]),
            area=plain_number(change["area_changed_ha"]),
        )
    if change["cells_changed"] is not None:
        return messages(
            "scenarios.change_amount",
            cells=plain_number(change["cells_changed"]),
            area=plain_number(change["area_changed_ha"]),
        )
    if change["area_changed_ha"] is not None:
        return messages("scenarios.overlay_amount", area=plain_number(change["area_changed_ha"]))
    return None


def change_line(change: Mapping[str, Any], language: str) -> str:
    """One change of a summary as the report and the workbook list it: ``<what it did> (<amount>)``."""
    amount = change_amount(change)
    if amount is None:
        return change["text"][language]
    return message("scenarios.change_line", language, change=change["text"][language], amount=amount[language])


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() in ("", "nan")


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
