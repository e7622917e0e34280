"""Distance to the next band: what a scored numeric indicator needs to earn more points.

The change is given in the indicator's own unit (``+1.7 percentage points``), signed (negative for
reverse-scale indicators such as the share of invasive species), and, where the rule says what the indicator is
a share of (``area_equivalent``) and the stage tables give that area, also in hectares
(``+412 ha of natural area``).  A next band whose lower end is exclusive, e.g. ``(20, +inf)``, needs a value
strictly above 20: the threshold is reported with ``threshold_inclusive: false``.  For whole-number indicators
the threshold is the first whole number inside the next band, so it is always inclusive.

The functions only read attributes of the rule (bands, reverse_scale, integer, unit, area_equivalent), so this
module does not import :mod:`cbindex.scoring.rules`, which calls it when building a scorecard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cbindex.core.messages import LANGUAGES, message, pair
from cbindex.core.units import PERCENT

if TYPE_CHECKING:
    from cbindex.scoring.rules import AreaEquivalent, Band, IndicatorRule

TOP_BAND_TEXT, TOP_BAND_TEXT_ZH = pair("next_band.top_band")
_UNIT_PHRASES = {"%": "next_band.unit_percent", "ha": "next_band.unit_ha"}
"""Units said differently in a change (catalogue keys); others are the rule's own ``unit`` / ``unit_zh``."""
_DIGITS_KEPT = 10  # change_needed is rounded to this many decimals, to drop floating-point noise (1.6999…)


def next_band_target(rule: IndicatorRule, value: float) -> dict[str, Any] | None:
    """Return what it takes to move a value into the nearest band that awards more points.

    Parameters
    ----------
    rule : IndicatorRule
        A numeric indicator with bands; for a `reverse_scale` indicator the better bands lie below.
    value : float
        The indicator's value, inside one of its bands.

    Returns
    -------
    dict or None
        ``points_now``, ``points_next``, ``threshold`` (the next band's near end, moved to the first whole
        number inside the band for whole-number indicators), ``threshold_inclusive``, ``change_needed``
        (threshold − value, signed, in the indicator's unit; with an exclusive threshold the change must exceed
        it), ``unit``, ``next_band_label`` and ``next_band_label_zh``; None when no band in the better
        direction awards more points (top band reached).

    Raises
    ------
    ValueError
        If the rule is categorical or has no bands, or the value lies in none of its bands.
    """
    current = _band_of(rule, value)
    upward = not rule.reverse_scale
    if upward:
        better = [band for band in rule.bands if band.start_cut >= current.end_cut and band.points > current.points]
        target = min(better, key=lambda band: band.start_cut, default=None)
    else:
        better = [band for band in rule.bands if band.end_cut <= current.start_cut and band.points > current.points]
        target = max(better, key=lambda band: band.end_cut, default=None)
    if target is None:
        return None
    threshold, inclusive = (target.min, target.min_inclusive) if upward else (target.max, target.max_inclusive)
    if rule.integer:
        threshold, inclusive = _first_whole_number(threshold, inclusive, upward=upward), True
    return {
        "points_now": current.points,
        "points_next": target.points,
        "threshold": threshold,
        "threshold_inclusive": inclusive,
        "change_needed": round(threshold - value, _DIGITS_KEPT),
        "unit": rule.unit,
        "next_band_label": target.label,
        "next_band_label_zh": target.label_zh or target.label,
    }


def margin_to_band_below(rule: IndicatorRule, value: float) -> dict[str, Any] | None:
    """How far a value may move in the worse direction before it earns fewer points.

    The nearest band in the worse direction (below, or above for a `reverse_scale` indicator) that awards fewer
    points decides; bands with the same points in between are passed through.

    Returns
    -------
    dict or None
        ``points_below``, ``threshold`` (the near end of that band, moved to the last whole number still
        scoring ``points_now`` for whole-number indicators), ``margin`` (signed, in the indicator's unit:
        negative for a fall), ``margin_inclusive`` (True when moving by exactly ``margin`` keeps the points; False
        when the points are lost exactly there, so the move must stay short of it), ``below_band_label`` and
        ``below_band_label_zh``; None in the lowest-scoring band (no points to lose).
    """
    current = _band_of(rule, value)
    upward = not rule.reverse_scale
    if upward:
        worse = [band for band in rule.bands if band.end_cut <= current.start_cut and band.points < current.points]
        target = max(worse, key=lambda band: band.end_cut, default=None)
    else:
        worse = [band for band in rule.bands if band.start_cut >= current.end_cut and band.points < current.points]
        target = min(worse, key=lambda band: band.start_cut, default=None)
    if target is None:
        return None
    threshold, lost_at_threshold = (target.max, target.max_inclusive) if upward else (target.min, target.min_inclusive)
    inclusive = not lost_at_threshold
    if rule.integer:
        # the last whole number that still scores points_now, beyond which the points are lost
        threshold = _first_whole_number(threshold, lost_at_threshold is False, upward=upward)
        inclusive = True
    return {
        "points_below": target.points,
        "threshold": threshold,
        "margin": round(threshold - value, _DIGITS_KEPT),
        "margin_inclusive": inclusive,
        "below_band_label": target.label,
        "below_band_label_zh": target.label_zh or target.label,
    }


def percentage_points_to_hectares(change_pp: float, denominator_ha: float) -> float:
    """Hectares that a change of a percentage share amounts to: ``change_pp × denominator_ha ÷ 100``.

    E.g. +1.7 percentage points of natural area in a city of 24,235 ha is +412 ha of natural area.
    """
    return change_in_hectares(change_pp, per=denominator_ha, divisor=PERCENT)


def change_in_hectares(change: float, *, per: float, divisor: float) -> float:
    """Hectares that a change of a ratio amounts to: ``change × per ÷ divisor`` (divisor 100 for a percentage
    of an area in hectares, 1000 for hectares per 1000 persons with `per` the population)."""
    return change * per / divisor


def area_change_ha(area: AreaEquivalent | None, change: float, quantities: Mapping[str, float] | None) -> float | None:
    """The change in hectares as the rule's `area_equivalent` defines it, or None when the rule defines none
    or the stage tables do not give the row it is a ratio of."""
    if area is None:
        return None
    if area.per is None:
        return change
    per = (quantities or {}).get(area.per)
    if per is None or not math.isfinite(per):
        return None
    return change_in_hectares(change, per=per, divisor=area.divisor)


def describe_next_band(
    rule: IndicatorRule, value: float, *, quantities: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """The scorecard's ``next_band`` object: :func:`next_band_target` with hectares and texts.

    Parameters
    ----------
    rule : IndicatorRule
        A numeric indicator with bands.
    value : float
        Its value.
    quantities : dict of str to float, optional
        Stage-table rows of the same city (``city_area``, ``natural_area``, ``terrestrial_area``,
        ``population``, ...), for the conversion to hectares.

    Returns
    -------
    dict
        The keys of :func:`next_band_target` plus ``area_change_ha``, ``text``, ``text_zh``, ``area_text`` and
        ``area_text_zh``, e.g. ``"+1.7 percentage points to reach 3 points (14.0–20.0 %)"`` and
        ``"+412 ha of natural area"`` / ``"需增加自然区域 412 公顷"``.  In the top band every key but
        ``points_now``, ``unit`` and the texts ``"top band reached"`` / ``"已达最高档"`` is None.
    """
    margin = describe_margin(rule, value, quantities=quantities)
    target = next_band_target(rule, value)
    if target is None:
        return {
            **margin,
            "points_now": _band_of(rule, value).points,
            "points_next": None,
            "threshold": None,
            "threshold_inclusive": None,
            "change_needed": None,
            "unit": rule.unit,
            "next_band_label": None,
            "next_band_label_zh": None,
            "area_change_ha": None,
            "text": TOP_BAND_TEXT,
            "text_zh": TOP_BAND_TEXT_ZH,
            "area_text": None,
            "area_text_zh": None,
        }
    change, inclusive = target["change_needed"], target["threshold_inclusive"]
    whole = 0 if rule.integer else None
    area = area_change_ha(rule.area_equivalent, change, quantities)
    texts: dict[str, str | None] = {}
    for language, suffix in zip(LANGUAGES, ("", "_zh"), strict=True):
        label = target[f"next_band_label{suffix}"]
        change_text = _change(language, change, inclusive, _unit(rule, language), decimals=whole)
        points = points_text(language, target["points_next"])
        texts[f"text{suffix}"] = message("next_band.reach", language, change=change_text, points=points, label=label)
        texts[f"area_text{suffix}"] = None
        if area is not None:
            quantity = rule.area_equivalent
            unit = message("next_band.area_unit", language, quantity=quantity.quantity)
            texts[f"area_text{suffix}"] = _change(language, area, inclusive, unit, what=quantity.quantity_zh)
    return {
        **margin,
        **target,
        "area_change_ha": area,
        **texts,
    }


def describe_margin(
    rule: IndicatorRule, value: float, *, quantities: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """The margin part of the scorecard's ``next_band`` object: :func:`margin_to_band_below` with texts.

    Keys ``margin``, ``margin_inclusive``, ``points_below``, ``below_band_label(_zh)``, ``margin_area_ha``,
    ``margin_text(_zh)`` and ``margin_area_text(_zh)``, e.g. ``"may fall by 1.43 percentage points and keep 3
    points (below: 2 points, 7.0–13.9 %)"`` / ``"可下降 1.43 个百分点仍保持 3 分（再低为 2 分档：7.0–13.9 %）"``;
    the printed amounts are rounded down (and kept short of an exclusive end) so that they are safe. All None in
    the lowest-scoring band.
    """
    found = margin_to_band_below(rule, value)
    keys = ("margin", "margin_inclusive", "points_below", "below_band_label", "below_band_label_zh")
    if found is None:
        return {
            key: None
            for key in (
                *keys,
                "margin_area_ha",
                "margin_text",
                "margin_text_zh",
                "margin_area_text",
                "margin_area_text_zh",
            )
        }
    whole = 0 if rule.integer else None
    change, inclusive, now = found["margin"], found["margin_inclusive"], _band_of(rule, value).points
    amount = _display(abs(change), whole, strictly_more=not inclusive, round_down=True)
    area = area_change_ha(rule.area_equivalent, change, quantities)
    texts: dict[str, str | None] = {}
    for language, suffix in zip(LANGUAGES, ("", "_zh"), strict=True):
        texts[f"margin_text{suffix}"] = message(
            "next_band.margin",
            language,
            direction=message("next_band.fall" if change <= 0 else "next_band.rise", language),
            amount=amount,
            unit=_unit(rule, language),
            now=points_text(language, now),
            below=points_text(language, found["points_below"]),
            label=found[f"below_band_label{suffix}"],
        )
        texts[f"margin_area_text{suffix}"] = None
        if area is not None:
            quantity = rule.area_equivalent
            texts[f"margin_area_text{suffix}"] = message(
                "next_band.margin_area_lose" if area <= 0 else "next_band.margin_area_gain",
                language,
                amount=_display(abs(area), None, strictly_more=not inclusive, round_down=True),
                quantity=quantity.quantity_zh if language == "zh" else quantity.quantity,
            )
    return {
        **found,
        "margin_area_ha": area,
        **texts,
    }


def describe_next_level(rule: IndicatorRule, value: str) -> dict[str, Any]:
    """The ``next_band`` object of a categorical indicator: the next answer on its ladder is the step to take.

    E.g. I17 at "LBSAP exists but not aligned with the NBSAP" gets ``"next step: <the 3-point level's wording> →
    3 points"``. In the top level the texts say so; ``level_below``/``points_below`` name the answer one step down.
    """
    keys = [level.value for level in rule.levels]
    current = rule.levels[keys.index(value)]
    better = [level for level in rule.levels if level.points > current.points]
    worse = [level for level in rule.levels if level.points < current.points]
    target = min(better, key=lambda level: level.points, default=None)
    below = max(worse, key=lambda level: level.points, default=None)
    result: dict[str, Any] = {
        "points_now": current.points,
        "points_next": None if target is None else target.points,
        "next_level": None if target is None else target.value,
        "next_band_label": None if target is None else target.label,
        "next_band_label_zh": None if target is None else target.label_zh,
        "points_below": None if below is None else below.points,
        "level_below": None if below is None else below.value,
        "unit": rule.unit,
        "text": TOP_BAND_TEXT,
        "text_zh": TOP_BAND_TEXT_ZH,
    }
    if target is not None:
        for language, label in (("en", target.label), ("zh", target.label_zh)):
            points = points_text(language, target.points)
            result["text_zh" if language == "zh" else "text"] = message(
                "next_band.next_step", language, label=label, points=points
            )
    return result


# -------------------------------------------------------------------------------- helpers


def _band_of(rule: IndicatorRule, value: float) -> Band:
    if rule.kind != "numeric" or not rule.bands:
        raise ValueError(f"{rule.id} has no numeric bands, so it has no next band")
    band = next((band for band in rule.bands if band.contains(value)), None)
    if band is None:
        raise ValueError(f"{rule.id} value {value!r} lies in none of its bands")
    return band


def _first_whole_number(threshold: float, inclusive: bool, *, upward: bool) -> float:
    """The first whole number inside a band beyond `threshold` (above it when `upward`, else below)."""
    if upward:
        return math.ceil(threshold) if inclusive else math.floor(threshold) + 1
    return math.floor(threshold) if inclusive else math.ceil(threshold) - 1


def _display(amount: float, decimals: int | None, *, strictly_more: bool = False, round_down: bool = False) -> str:
    """A non-negative amount printed so that it is safe to act on, to 3 significant digits (or ``decimals``).

    Rounded up (a change that must be reached: the printed amount suffices) or, with ``round_down``, down (a
    margin that may be used up: the printed amount is safe). With ``strictly_more`` the threshold itself is not
    enough (an exclusive band end), so when the rounded amount equals the exact one it moves one printed step
    further (up, or down for a margin). Trailing zeros are dropped; thousands are separated by commas.
    """
    if decimals is None:
        decimals = 0 if amount == 0 else max(0, 2 - math.floor(math.log10(amount)))
    scale = 10**decimals
    scaled = round(amount * scale, 6)
    steps = math.floor(scaled) if round_down else math.ceil(scaled)
    if strictly_more and steps == scaled:
        steps += -1 if round_down else 1
    text = f"{max(steps, 0) / scale:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unit(rule: IndicatorRule, language: str) -> str:
    """The unit as a change says it: ``percentage points`` / ``个百分点`` for %, else the rule's unit."""
    return change_unit(rule.unit, rule.unit_zh, language)


def change_unit(unit: str, unit_zh: str | None, language: str) -> str:
    """A unit as a change of a value in it says it: ``percentage points`` / ``个百分点`` for %, else the unit."""
    if unit in _UNIT_PHRASES:
        return message(_UNIT_PHRASES[unit], language)
    return (unit_zh or unit) if language == "zh" else unit


def points_text(language: str, points: int) -> str:
    """``1 point`` / ``3 points`` / ``3 分``."""
    return message("next_band.points_one" if points == 1 else "next_band.points_many", language, points=points)


def _change(
    language: str, change: float, inclusive: bool, unit: str, *, what: str = "", decimals: int | None = None
) -> str:
    """``+1.7 percentage points`` / ``需增加自然区域 412 公顷``: a signed change, safe to act on."""
    amount = _display(abs(change), decimals, strictly_more=not inclusive)
    key = "next_band.increase" if change >= 0 else "next_band.decrease"
    return message(key, language, amount=amount, unit=unit, what=what)
