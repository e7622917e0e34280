"""Loading a scoring rule set (an edition, with inheritance) and checking its bands: coverage without gaps or overlaps,
order, status.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cbindex.core.config_files import check_against_schema, read_yaml_file, schema_path
from cbindex.core.errors import CBIInputError
from cbindex.scoring.rules import (
    CUT_AFTER,
    CUT_BEFORE,
    POINTS_PER_INDICATOR,
    UNVERIFIED_BAND_STATUSES,
    AreaEquivalent,
    Band,
    Component,
    IndicatorRule,
    Level,
    RuleSet,
)

RULE_SET_SCHEMA_PATH = schema_path("scoring")


def load_rule_set(path: str | Path) -> RuleSet:
    """Load and check a scoring rule-set file.

    Parameters
    ----------
    path : str or Path
        A ``config/scoring/*.yaml`` file.

    Returns
    -------
    RuleSet
        Components and indicators in file order.

    Raises
    ------
    CBIInputError
        If the file (or the rule set it extends) is missing, breaks the schema, or its bands leave gaps or
        overlap, its components do not add up, or an indicator refers to an unknown component.
    """
    document, _ = _read_rule_set_document(Path(path), chain=())
    indicator_ids = [entry["id"] for entry in document["indicators"]]
    component_ids = [entry["id"] for entry in document["components"]]
    for kind, ids in (("indicator", indicator_ids), ("component", component_ids)):
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        if duplicates:
            raise CBIInputError(f"{path}: {kind} id {duplicates[0]} appears twice; give each {kind} its own id.")
    rule_set = RuleSet(
        id=document["id"],
        name=document["name"],
        name_zh=document["name_zh"],
        version=document["version"],
        source=document["source"],
        max_points=document["max_points"],
        components={entry["id"]: Component(**entry) for entry in document["components"]},
        indicators={entry["id"]: _indicator_rule(entry) for entry in document["indicators"]},
        primary_language=document.get("primary_language", "en"),
        inputs_by_id=document.get("inputs_by_id", True),
        based_on=document.get("based_on"),
        note=document.get("note"),
    )
    raise_problems(rule_set_problems(rule_set), origin=str(path))
    return rule_set


def rule_set_files(path: str | Path) -> list[str]:
    """Return a rule-set file and the files it extends, nearest first (every file its scores depend on).

    Raises
    ------
    CBIInputError
        As :func:`load_rule_set`.
    """
    return [str(file) for file in _read_rule_set_document(Path(path), chain=())[1]]


def _read_rule_set_document(path: Path, *, chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[Path]]:
    """The rule set's document, merged with the rule sets it extends, checked against the schema; and the files."""
    document = read_yaml_file(path, what="Scoring rule set")
    files = [path]
    if isinstance(document, dict) and "extends" in document:
        check_against_schema(document, schema_path=RULE_SET_SCHEMA_PATH, origin=str(path), definition="extension")
        name = document["extends"]["rule_set"]
        base_path = path.parent / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
        if not base_path.exists():
            raise CBIInputError(
                f"{path}: extends.rule_set {name} names {base_path}, which does not exist; put the base rule set "
                "there or give its path relative to this file."
            )
        if base_path.resolve() in (link.resolve() for link in (*chain, path)):
            raise CBIInputError(f"{path}: extends.rule_set {name} leads back to this file; break the cycle.")
        base, base_files = _read_rule_set_document(base_path, chain=(*chain, path))
        document, files = _merged_document(base, document), files + base_files
    check_against_schema(document, schema_path=RULE_SET_SCHEMA_PATH, origin=str(path))
    return document, files


def _merged_document(base: Mapping[str, Any], extension: Mapping[str, Any]) -> dict[str, Any]:
    """Apply an extension to its base: its own identity, the base's entries changed or extended by its own.

    The base's bands and levels are kept, marked ``bands_status`` adapted with the extension's band source
    appended, or dropped (``bands_status`` unknown), as ``extends.bands_status`` says.
    """
    extends = extension["extends"]
    inherited = [_inherited_indicator(entry, **extends) for entry in base["indicators"]]
    merged = {key: value for key, value in extension.items() if key not in ("extends", "components", "indicators")}
    merged["based_on"] = base["id"]
    merged["components"] = _merged_entries(base["components"], extension.get("components", ()))
    merged["indicators"] = _merged_entries(inherited, extension.get("indicators", ()))
    return merged


def _inherited_indicator(
    entry: Mapping[str, Any], *, rule_set: str, bands_status: str, band_source: str
) -> dict[str, Any]:
    entry = dict(entry)
    key = "levels" if entry["kind"] == "categorical" else "bands"
    if not entry.get(key):
        return entry
    if bands_status == "unknown":
        return {**entry, key: [], "bands_status": "unknown"}
    kept = [{**band, "source": f"{band['source']}; {band_source}", "verified": False} for band in entry[key]]
    return {**entry, key: kept, "bands_status": bands_status}


def _merged_entries(base: Iterable[Mapping[str, Any]], changes: Iterable[Mapping[str, Any]]) -> list[dict]:
    merged = {entry["id"]: dict(entry) for entry in base}
    for change in changes:
        merged[change["id"]] = {**merged.get(change["id"], {}), **change}
    return list(merged.values())


def _indicator_rule(entry: Mapping[str, Any]) -> IndicatorRule:
    area = entry.get("area_equivalent")
    return IndicatorRule(
        **{
            **entry,
            "bands": tuple(Band(**band) for band in entry.get("bands", ())),
            "levels": tuple(Level(**level) for level in entry.get("levels", ())),
            "area_equivalent": AreaEquivalent(**area) if area else None,
        }
    )


def raise_problems(problems: Sequence[str], *, origin: str) -> None:
    if not problems:
        return
    others = len(problems) - 1
    more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
    raise CBIInputError(f"{origin}: {problems[0]}{more}.")


def band_coverage_problems(indicator_rule: IndicatorRule) -> list[str]:
    """List gaps and overlaps of an indicator's bands over its value range.

    The value range is ``[value_min, value_max]`` (each end infinite when not set).  Categorical indicators
    are checked for duplicate level keys instead; an indicator without bands has nothing to cover.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        The indicator to check.

    Returns
    -------
    list of str
        One message per problem, each naming the indicator and the fix; empty when every value of the range
        falls in exactly one band.
    """
    rule = indicator_rule
    if rule.is_categorical:
        keys = rule.level_keys
        return [
            f"{rule.id}: level key {key} appears more than once; give each level its own key"
            for key in sorted({key for key in keys if keys.count(key) > 1})
        ]
    if not rule.bands:
        return []
    range_start, range_end = _value_range_cuts(rule)
    if range_start >= range_end:
        return [f"{rule.id}: value_min {rule.value_min} lies above value_max {rule.value_max}; swap them"]
    problems: list[str] = []
    spans = []
    for band in rule.bands:
        if band.start_cut >= band.end_cut:
            problems.append(f"{rule.id}: {band.describe()} is empty; check its min, max and inclusive ends")
            continue
        start, end = max(band.start_cut, range_start), min(band.end_cut, range_end)
        if start >= end:
            problems.append(
                f"{rule.id}: {band.describe()} lies outside the value range "
                f"{_region(range_start, range_end)}; remove it or widen value_min/value_max"
            )
            continue
        spans.append((start, end, band))
    if not spans:
        return problems
    cursor, previous = range_start, None
    for start, end, band in sorted(spans, key=lambda span: span[:2]):
        if start > cursor:
            where = f"between {previous.describe()} and" if previous else "below"
            after = f" {where} {band.describe()}"
            problems.append(f"{rule.id}: no band covers {_region(cursor, start)}{after}; extend one of them")
        elif start < cursor:
            problems.append(
                f"{rule.id}: {previous.describe()} and {band.describe()} overlap on "
                f"{_region(start, min(cursor, end))}; shrink one so that they only meet"
            )
        if end > cursor:
            cursor, previous = end, band
    if cursor < range_end:
        problems.append(
            f"{rule.id}: no band covers {_region(cursor, range_end)} above {previous.describe()}; extend it"
        )
    return problems


def band_order_problems(indicator_rule: IndicatorRule) -> list[str]:
    """Check that points rise with the value, or fall when the indicator is flagged `reverse_scale`.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        A numeric indicator (categorical ones and ones without bands have no order to check).

    Returns
    -------
    list of str
        At most one message naming the indicator and the fix.
    """
    rule = indicator_rule
    points = [band.points for band in sorted(rule.bands, key=lambda band: (band.start_cut, band.end_cut))]
    pairs = list(itertools.pairwise(points))
    if rule.reverse_scale and any(higher > lower for lower, higher in pairs):
        return [f"{rule.id}: points rise with the value although reverse_scale is true; fix the points"]
    if not rule.reverse_scale and any(higher < lower for lower, higher in pairs):
        return [f"{rule.id}: points fall as the value rises; set reverse_scale: true or fix the points"]
    return []


def band_status_problems(indicator_rule: IndicatorRule) -> list[str]:
    """Check that `bands_status` agrees with the bands and with their `verified` flags.

    Returns
    -------
    list of str
        Messages naming the indicator and the fix.
    """
    rule = indicator_rule
    entries = rule.levels if rule.is_categorical else rule.bands
    status = rule.bands_status
    if status == "unknown":
        return [f"{rule.id}: bands_status is unknown but bands are given; set the status"] if entries else []
    if not entries:
        return [f"{rule.id}: has no bands although bands_status is {status}; add bands or mark them unknown"]
    if status == "verified" and not all(entry.verified for entry in entries):
        return [f"{rule.id}: bands_status is verified but a band says verified: false; make them agree"]
    if status in UNVERIFIED_BAND_STATUSES and any(entry.verified for entry in entries):
        return [f"{rule.id}: bands_status is {status} but a band says verified: true; make them agree"]
    return []


def indicator_problems(indicator_rule: IndicatorRule) -> list[str]:
    """All band problems of one indicator: coverage, order and status (see the three checks)."""
    return (
        band_coverage_problems(indicator_rule)
        + band_order_problems(indicator_rule)
        + band_status_problems(indicator_rule)
    )


def rule_set_problems(rule_set: RuleSet) -> list[str]:
    """Check a rule set as a whole: components add up and every indicator's bands are sound.

    Returns
    -------
    list of str
        Messages naming the key and the fix; empty when the rule set is consistent.
    """
    problems = []
    scored_quantities: dict[str, str] = {}
    for rule in rule_set.indicators.values():
        if rule.component not in rule_set.components:
            known = ", ".join(rule_set.components)
            problems.append(f"{rule.id}: component {rule.component} is not defined; use one of {known}")
        quantity = rule_set.quantity_of(rule.id)
        if quantity is not None and quantity in scored_quantities:
            problems.append(
                f"{rule.id} and {scored_quantities[quantity]} both score the stage-table row {quantity}; "
                "give one of them another input"
            )
        elif quantity is not None:
            scored_quantities[quantity] = rule.id
        problems += indicator_problems(rule)
    for component in rule_set.components.values():
        expected = POINTS_PER_INDICATOR * len(rule_set.indicators_of(component.id))
        if component.max_points is not None and component.max_points != expected:
            problems.append(
                f"component {component.id} has max_points {component.max_points} but its indicators give "
                f"{expected}; set max_points to {expected}"
            )
    if rule_set.max_points is not None:
        component_total = sum(rule_set.component_max_points(component) for component in rule_set.components)
        if rule_set.max_points != component_total:
            problems.append(
                f"max_points is {rule_set.max_points} but the components add up to {component_total}; make them agree"
            )
    return problems


def _value_range_cuts(rule: IndicatorRule) -> tuple[tuple[float, int], tuple[float, int]]:
    start = (-math.inf, CUT_BEFORE) if rule.value_min is None else (rule.value_min, CUT_BEFORE)
    end = (math.inf, CUT_AFTER) if rule.value_max is None else (rule.value_max, CUT_AFTER)
    return start, end


def _region(start: tuple[float, int], end: tuple[float, int]) -> str:
    """Interval text for the stretch between two cuts, e.g. ``(6.9, 7)``."""
    left = "[" if start[1] == CUT_BEFORE and math.isfinite(start[0]) else "("
    right = "]" if end[1] == CUT_AFTER and math.isfinite(end[0]) else ")"
    return f"{left}{start[0]:g}, {end[0]:g}{right}"
