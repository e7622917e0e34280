"""Progress towards a city's targets: the linear trajectory from the baseline to the target, and whether the latest
land-cover year is on track.

For a target T due in year Y_T with baseline year Y_0, whose indicator had the value B in Y_0 (both in the
indicator's unit, or both in points for a points target), the trajectory is the straight line

    trajectory(y) = B + (T − B) × (y − Y_0) ÷ (Y_T − Y_0)

With d = +1 for an indicator where higher is better and d = −1 where lower is better (from the rule set's bands:
:func:`indicator_direction`; points are always higher-is-better), the latest year Y_L with a value V_L is

- ``target_met`` when d × (V_L − T) ≥ 0 (nothing more needed);
- ``target_year_passed`` when Y_L ≥ Y_T and the target is not met;
- ``on_track`` when d × (V_L − trajectory(Y_L)) ≥ 0, otherwise ``off_track``;
- ``baseline_only`` when Y_L = Y_0 (no year after the baseline yet);
- ``no_baseline_value`` when the indicator has no value in Y_0, ``not_assessed`` when it has none at all.

The change per year still needed is (T − V_L) ÷ (Y_T − Y_L) in the indicator's unit (or points), signed: negative
for a lower-is-better indicator that must fall.  Comparisons with the trajectory and the target allow a relative
tolerance of 1e-9 so that a value exactly on the line counts as on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cbindex.scoring.rules import IndicatorRule
from cbindex.scoring.targets_file import KIND_POINTS, CityTarget

HIGHER_IS_BETTER, LOWER_IS_BETTER = "higher_is_better", "lower_is_better"
STATUS_TARGET_MET = "target_met"
STATUS_ON_TRACK = "on_track"
STATUS_OFF_TRACK = "off_track"
STATUS_TARGET_YEAR_PASSED = "target_year_passed"
STATUS_BASELINE_ONLY = "baseline_only"
STATUS_NO_BASELINE_VALUE = "no_baseline_value"
STATUS_NOT_ASSESSED = "not_assessed"

PROGRESS_STATUSES = (
    STATUS_TARGET_MET,
    STATUS_ON_TRACK,
    STATUS_OFF_TRACK,
    STATUS_TARGET_YEAR_PASSED,
    STATUS_BASELINE_ONLY,
    STATUS_NO_BASELINE_VALUE,
    STATUS_NOT_ASSESSED,
)
"""Every progress status; its words are the catalogue's ``targets.progress_<status>``."""

_TOLERANCE = 1e-9


def indicator_direction(rule: IndicatorRule) -> str:
    """Whether higher or lower values of an indicator are better, read from its bands.

    The band starting lowest and the band ending highest are compared: more points at the top means higher is
    better.  Without numeric bands (categorical, or bands unknown) the rule's ``reverse_scale`` decides (True:
    lower is better).
    """
    if rule.bands and not rule.is_categorical:
        lowest = min(rule.bands, key=lambda band: band.start_cut)
        highest = max(rule.bands, key=lambda band: band.end_cut)
        if highest.points != lowest.points:
            return HIGHER_IS_BETTER if highest.points > lowest.points else LOWER_IS_BETTER
    return LOWER_IS_BETTER if rule.reverse_scale else HIGHER_IS_BETTER


def trajectory_value(
    *, baseline_year: int, baseline_value: float, target_year: int, target_value: float, year: int
) -> float:
    """The linear trajectory's value in `year`: B + (T − B) × (year − Y_0) ÷ (Y_T − Y_0) (module docstring)."""
    return baseline_value + (target_value - baseline_value) * (year - baseline_year) / (target_year - baseline_year)


def _at_or_beyond(value: float, reference: float, sign: int) -> bool:
    """d × (value − reference) ≥ 0, with a relative tolerance of 1e-9."""
    if math.isclose(value, reference, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE):
        return True
    return sign * (value - reference) > 0


def assess_target(target: CityTarget, *, series: Mapping[int, float | None], rule: IndicatorRule) -> dict[str, Any]:
    """Follow one target through the indicator's values by year.

    Parameters
    ----------
    target : CityTarget
        The checked target.
    series : mapping of int to float or None
        The indicator's value (or its points, for a points target) in each land-cover year; None or NaN where it
        has none (not assessed, or not scored).
    rule : IndicatorRule
        The indicator's rule (its direction; points targets are higher-is-better).

    Returns
    -------
    dict
        ``direction``, ``baseline_value``, ``latest_year``, ``latest_value``, ``trajectory_latest`` (the trajectory
        in the latest year), ``on_track`` (True, False or None when it cannot be said), ``progress`` (a status of
        the module docstring), ``change_per_year_needed``, ``gap_to_target`` (T − V_L) and ``values``: one
        ``{year, value, trajectory}`` per year of `series` and the target year (trajectory None before the
        baseline year).
    """
    direction = HIGHER_IS_BETTER if target.kind == KIND_POINTS else indicator_direction(rule)
    sign = 1 if direction == HIGHER_IS_BETTER else -1
    known = {int(year): float(value) for year, value in series.items() if value is not None and not math.isnan(value)}
    baseline_value = known.get(target.baseline_year)
    later = [year for year in known if year >= target.baseline_year]
    latest_year = max(later) if later else (max(known) if known else None)
    latest_value = None if latest_year is None else known[latest_year]
    result: dict[str, Any] = {
        "direction": direction,
        "baseline_value": baseline_value,
        "latest_year": latest_year,
        "latest_value": latest_value,
        "trajectory_latest": None,
        "on_track": None,
        "change_per_year_needed": None,
        "gap_to_target": None if latest_value is None else target.target - latest_value,
    }

    def trajectory(year: int) -> float | None:
        if baseline_value is None or year < target.baseline_year:
            return None
        return trajectory_value(
            baseline_year=target.baseline_year,
            baseline_value=baseline_value,
            target_year=target.year,
            target_value=target.target,
            year=year,
        )

    years = sorted({*(int(year) for year in series), target.year})
    result["values"] = [{"year": year, "value": known.get(year), "trajectory": trajectory(year)} for year in years]
    if latest_value is None:
        return {**result, "progress": STATUS_NOT_ASSESSED}
    if baseline_value is None:
        return {**result, "progress": STATUS_NO_BASELINE_VALUE}
    result["trajectory_latest"] = trajectory(latest_year)
    if _at_or_beyond(latest_value, target.target, sign):
        return {**result, "progress": STATUS_TARGET_MET, "on_track": True, "change_per_year_needed": 0.0}
    if latest_year >= target.year:
        return {**result, "progress": STATUS_TARGET_YEAR_PASSED, "on_track": False}
    result["change_per_year_needed"] = (target.target - latest_value) / (target.year - latest_year)
    if latest_year == target.baseline_year:
        return {**result, "progress": STATUS_BASELINE_ONLY}
    on_track = _at_or_beyond(latest_value, result["trajectory_latest"], sign)
    return {**result, "progress": STATUS_ON_TRACK if on_track else STATUS_OFF_TRACK, "on_track": on_track}
