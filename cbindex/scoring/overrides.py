"""City scoring overrides: a city may change bands or leave indicators out for local use (the version gets +city)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cbindex.core.config_files import check_against_schema, read_yaml_file
from cbindex.core.errors import CBIInputError
from cbindex.scoring.rule_sets import RULE_SET_SCHEMA_PATH, indicator_problems, load_rule_set, raise_problems
from cbindex.scoring.rules import Band, IndicatorRule, Level, RuleSet

OVERRIDE_VERSION_SUFFIX = "+city"


def load_overrides(path: str | Path) -> dict[str, Any]:
    """Read a city's scoring-overrides file (the city sheet's ``scoring_overrides`` column).

    Returns
    -------
    dict
        ``{indicator_id: {...}}`` as :func:`apply_overrides` takes it (checked there against the schema).

    Raises
    ------
    CBIInputError
        If the file is missing, not valid YAML or empty.
    """
    document = read_yaml_file(path, what="Scoring overrides file")
    if document is None:
        raise CBIInputError(
            f"Scoring overrides file {path} is empty; write indicator changes such as 'I18: {{bands: [...]}}' "
            "or clear the city's scoring_overrides column."
        )
    return document


def load_city_rule_set(rule_set_path: str | Path, *, overrides_path: str | Path | None = None) -> RuleSet:
    """The rule set a city is scored with: the file, changed by the city's scoring overrides when given."""
    rule_set = load_rule_set(rule_set_path)
    if overrides_path:
        rule_set = apply_overrides(rule_set, load_overrides(overrides_path), origin=str(overrides_path))
    return rule_set


def apply_overrides(
    rule_set: RuleSet, overrides: Mapping[str, Mapping[str, Any]] | None, *, origin: str = "scoring overrides"
) -> RuleSet:
    """Return a copy of a rule set with a city's local changes to some indicators.

    Parameters
    ----------
    rule_set : RuleSet
        The edition as loaded.
    overrides : dict
        ``{indicator_id: {"bands": [...]}}`` for numeric indicators, ``{"levels": [...]}`` for categorical
        ones, or ``{"include": False}`` to leave an indicator out (schema ``$defs/overrides``); ``name``,
        ``name_zh``, ``unit``, ``unit_zh`` and ``kind`` fill in an indicator the edition could not define.
    origin : str, optional
        The file or config key the overrides came from, named in error messages.

    Returns
    -------
    RuleSet
        The changed rule set, its version suffixed with ``"+city"`` and the changed ids in `overridden`; the
        same rule set when `overrides` is empty.  New bands get ``bands_status: city``.

    Raises
    ------
    CBIInputError
        If an id is unknown, bands are given for a categorical indicator (or levels for a numeric one), or the
        new bands break the schema or leave gaps or overlaps.
    """
    if not overrides:
        return rule_set
    check_against_schema(overrides, schema_path=RULE_SET_SCHEMA_PATH, origin=origin, definition="overrides")
    indicators = dict(rule_set.indicators)
    for indicator_id, change in overrides.items():
        if indicator_id not in indicators:
            raise CBIInputError(
                f"{origin}: {indicator_id} is not an indicator of {rule_set.id}; use one of {', '.join(indicators)}."
            )
        indicators[indicator_id] = _overridden_rule(indicators[indicator_id], change, origin=origin)
        raise_problems(indicator_problems(indicators[indicator_id]), origin=origin)
    version = rule_set.version
    if not version.endswith(OVERRIDE_VERSION_SUFFIX):
        version += OVERRIDE_VERSION_SUFFIX
    overridden = tuple(dict.fromkeys([*rule_set.overridden, *overrides]))
    return dataclasses.replace(rule_set, version=version, indicators=indicators, overridden=overridden)


def _overridden_rule(rule: IndicatorRule, change: Mapping[str, Any], *, origin: str) -> IndicatorRule:
    kind = change.get("kind", rule.kind)
    expected_key, wrong_key = ("levels", "bands") if kind == "categorical" else ("bands", "levels")
    if wrong_key in change:
        raise CBIInputError(f"{origin}: {rule.id} is {kind}, so override it with {expected_key}, not {wrong_key}.")
    updates: dict[str, Any] = {key: change[key] for key in ("name", "name_zh", "unit", "unit_zh") if key in change}
    if kind != rule.kind:
        updates.update(kind=kind, bands=(), levels=(), bands_status="unknown")
    if "bands" in change:
        updates.update(bands=tuple(Band(**band) for band in change["bands"]), bands_status="city")
    if "levels" in change:
        updates.update(levels=tuple(Level(**level) for level in change["levels"]), bands_status="city")
    if "include" in change:
        updates["included"] = change["include"]
    if "note" in change:
        updates["note"] = change["note"]
    return dataclasses.replace(rule, **updates)
