"""Scoring one value by its indicator's bands: points, band, status; missing values are not assessed, never 0."""

from __future__ import annotations

import math
import numbers
from typing import Any

from cbindex.core.errors import CBIInputError
from cbindex.scoring.rules import (
    STATUS_EXCLUDED,
    STATUS_NO_BANDS,
    STATUS_NOT_ASSESSED,
    STATUS_PARTIAL_COVERAGE,
    STATUS_SCORED,
    IndicatorRule,
    Score,
)


def is_missing(value: Any) -> bool:
    """True for None and NaN: the value was not assessed."""
    if value is None:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value)


def value_problem(indicator_rule: IndicatorRule, value: Any) -> str | None:
    """Say what is wrong with a (non-missing) value for an indicator, or None when it is acceptable.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        The indicator the value is for.
    value : float, int or str
        A number for numeric indicators, a level key for categorical ones.

    Returns
    -------
    str or None
        A clause naming the indicator, the problem and the fix (no final full stop).
    """
    rule = indicator_rule
    if rule.is_categorical:
        keys = ", ".join(rule.level_keys)
        if not isinstance(value, str):
            expected = f"one of the keys {keys}" if keys else "a text key"
            return f"{rule.id} is categorical, so its value must be {expected}, not {value!r}; quote it"
        if rule.levels and value not in rule.level_keys:
            return f"{rule.id} value {value!r} is not one of its levels; write one of {keys}"
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"{rule.id} must be a number in {rule.unit}, not {value!r}; write a number or null"
    if not math.isfinite(value):
        return f"{rule.id} must be a finite number, not {value!r}; write a number or null"
    if rule.integer and not float(value).is_integer():
        return f"{rule.id} counts {rule.unit}, so its value must be a whole number, not {value!r}; round it"
    below = rule.value_min is not None and value < rule.value_min
    above = rule.value_max is not None and value > rule.value_max
    if below or above:
        low = "-inf" if rule.value_min is None else f"{rule.value_min:g}"
        high = "+inf" if rule.value_max is None else f"{rule.value_max:g}"
        return f"{rule.id} must lie between {low} and {high} {rule.unit}, not {value!r}; check the figure"
    return None


def score_value(indicator_rule: IndicatorRule, value: Any, *, origin: str = "values") -> Score:
    """Score one value with one indicator's bands or levels.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        The indicator.
    value : float, int, str or None
        The indicator's value; a level key for categorical indicators; None or NaN when not assessed.
    origin : str, optional
        Where the value came from, named in error messages.

    Returns
    -------
    Score
        ``excluded`` when a city override left the indicator out, ``no_bands`` when the bands are unknown,
        ``not_assessed`` for a missing value (points None, never 0), otherwise ``scored``.

    Raises
    ------
    CBIInputError
        If the value has the wrong type, lies outside the indicator's range or is not a known level.
    """
    rule = indicator_rule
    if not rule.included:
        return Score(points=None, status=STATUS_EXCLUDED)
    missing = is_missing(value)
    problem = None if missing else value_problem(rule, value)
    if problem is not None:
        raise CBIInputError(f"{origin}: {problem}.")
    if not rule.has_bands:
        return Score(points=None, status=STATUS_NO_BANDS)
    if missing:
        return Score(points=None, status=STATUS_NOT_ASSESSED)
    if rule.is_categorical:
        level = rule.levels[rule.level_keys.index(value)]
        return Score(
            points=level.points,
            status=STATUS_SCORED,
            band_label=level.label,
            band_label_zh=level.label_zh,
            verified=level.verified,
            source=level.source,
        )
    band = next((band for band in rule.bands if band.contains(value)), None)
    if band is None:
        raise CBIInputError(f"{origin}: {rule.id} value {value!r} is in no band; fix the bands of {rule.id}.")
    return Score(
        points=band.points,
        status=STATUS_SCORED,
        band_label=band.label,
        band_label_zh=band.label_zh,
        band_min=band.min,
        band_max=band.max,
        verified=band.verified,
        source=band.source,
    )


def held_score() -> Score:
    """The outcome for a value kept but not scored because its land cover covers too little of the city.

    Points None (never 0) and status ``partial_coverage``; the caller keeps the value for reference.
    """
    return Score(points=None, status=STATUS_PARTIAL_COVERAGE)
