"""The scorecard of one city: points per indicator with band and source, totals per component, next band, bilingual
notes.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from cbindex.core.errors import CBIInputError
from cbindex.core.messages import message, pair
from cbindex.scoring import connectivity_advice, link_advice, next_band
from cbindex.scoring.points import held_score, is_missing, score_value
from cbindex.scoring.rules import (
    POINTS_PER_INDICATOR,
    STATUS_EXCLUDED,
    STATUS_LABELS,
    STATUS_NO_BANDS,
    STATUS_NOT_ASSESSED,
    STATUS_PARTIAL_COVERAGE,
    STATUS_SCORED,
    Component,
    IndicatorRule,
    RuleSet,
)


def build_scorecard(
    rule_set: RuleSet,
    *,
    values: Mapping[str, float | int | str | None],
    methods: Mapping[str, str] | None = None,
    quantities: Mapping[str, float] | None = None,
    held: Collection[str] = (),
    origin: str = "values",
    connectivity: connectivity_advice.MeshGroups | None = None,
    candidate_links: Sequence[link_advice.CandidateLink] | None = None,
) -> dict[str, Any]:
    """Score every indicator of a rule set and total the points per component and overall.

    Parameters
    ----------
    rule_set : RuleSet
        The (possibly overridden) rule set.
    values : dict
        Indicator id to value; ids left out, None and NaN are "not assessed" (never 0 points).
    methods : dict, optional
        Indicator id to a short text on how the value was obtained (data set, option, city source).
    quantities : dict, optional
        Stage-table rows of the city (``city_area``, ``natural_area``, ``terrestrial_area``, ``population``),
        to give the distance to the next band in hectares too.
    held : collection of str, optional
        Indicator ids whose value is kept but not scored (status ``partial_coverage``): their land cover covers
        too little of the city (see :mod:`cbindex.geo.coverage`).
    origin : str, optional
        Where the values came from, named in error messages.
    connectivity : MeshGroups, optional
        The latest year's groups of natural patches (I2): I2's next band then says how much natural area to add
        to the largest (or second-largest) group and what the same area would do as an isolated patch, and I1's
        what its hectares would do to I2 (:mod:`cbindex.scoring.connectivity_advice`).
    candidate_links : sequence of CandidateLink, optional
        With ``connectivity``: the latest year's candidate links, best first; the scorecard then lists the best
        (key ``candidate_links``, :func:`cbindex.scoring.link_advice.describe_links`) and I2's next band says
        which single link reaches it (``link_text``, ``link_text_zh``, ``links_reaching_next_band``,
        ``best_link``).

    Returns
    -------
    dict
        JSON-ready: ``rule_set`` (id, names, version, source, note, based_on, primary_language, overridden,
        max_points — None when the edition's is not known), ``indicators`` (one row per indicator: id, number,
        name, name_zh, component, unit, unit_zh, derived_by, value, points, status, status_label,
        status_label_zh, band_label, band_label_zh, band_min, band_max, verified, source, bands_status, method,
        next_band — see :func:`cbindex.scoring.next_band.describe_next_band`; None unless a numeric value was scored),
        ``components`` (points, assessed_max = 4 × scored, max_points, max_points_known), ``totals`` (points,
        assessed_max, max_points — the edition's, or 4 × the included indicators when ``max_points_known`` is
        false —, share_of_assessed and share_of_max in %, indicators_scored, indicators_not_assessed,
        indicators_without_bands, indicators_excluded, any_unverified_bands — true when a score rests on an
        unverified band) and plain-language ``notes`` / ``notes_zh``.

    Raises
    ------
    CBIInputError
        If `values` or `methods` name an unknown indicator or a value is invalid.
    """
    methods = methods or {}
    for mapping_name, mapping in (("values", values), ("methods", methods)):
        unknown = [key for key in mapping if key not in rule_set.indicators]
        if unknown:
            raise CBIInputError(
                f"{origin}: {mapping_name} name {unknown[0]}, which is not an indicator of {rule_set.id}; "
                f"use one of {', '.join(rule_set.indicators)}."
            )
    rows = [
        _indicator_row(
            rule,
            values.get(rule.id),
            method=methods.get(rule.id),
            quantities=quantities,
            origin=origin,
            held=rule.id in held,
        )
        for rule in rule_set.indicators.values()
    ]
    links_summary = None
    if connectivity is not None:
        _add_connectivity_advice(rows, rule_set, connectivity=connectivity, quantities=quantities or {})
        if candidate_links is not None:
            links_summary = _add_link_advice(rows, rule_set, connectivity=connectivity, links=candidate_links)
    components = [
        _points_summary(rows, component, max_points=rule_set.component_max_points(component.id))
        for component in rule_set.components.values()
    ]
    totals = _points_summary(rows, None)
    totals.update(
        max_points=rule_set.total_max_points,
        max_points_known=rule_set.max_points is not None,
        share_of_max=_percent(totals["points"], rule_set.total_max_points),
        indicators_not_assessed=_count_status(rows, STATUS_NOT_ASSESSED),
        indicators_without_bands=_count_status(rows, STATUS_NO_BANDS),
        indicators_excluded=_count_status(rows, STATUS_EXCLUDED),
        indicators_partial_coverage=_count_status(rows, STATUS_PARTIAL_COVERAGE),
        any_unverified_bands=any(row["status"] == STATUS_SCORED and not row["verified"] for row in rows),
    )
    notes, notes_zh = _scorecard_notes(rule_set, rows, totals)
    extra = {} if links_summary is None else {"candidate_links": links_summary}
    return {
        "rule_set": {
            "id": rule_set.id,
            "name": rule_set.name,
            "name_zh": rule_set.name_zh,
            "version": rule_set.version,
            "source": rule_set.source,
            "note": rule_set.note,
            "based_on": rule_set.based_on,
            "primary_language": rule_set.primary_language,
            "overridden": list(rule_set.overridden),
            "max_points": rule_set.max_points,
        },
        "indicators": rows,
        "components": components,
        "totals": totals,
        "notes": notes,
        "notes_zh": notes_zh,
        **extra,
    }


def _indicator_row(
    rule: IndicatorRule,
    value: Any,
    *,
    method: str | None,
    quantities: Mapping[str, float] | None,
    origin: str,
    held: bool = False,
) -> dict[str, Any]:
    score = score_value(rule, value, origin=origin)
    if held and score.status == STATUS_SCORED:
        score = held_score()
    status_label, status_label_zh = STATUS_LABELS[score.status]
    return {
        "id": rule.id,
        "number": rule.number,
        "name": rule.name,
        "name_zh": rule.name_zh,
        "component": rule.component,
        "unit": rule.unit,
        "unit_zh": rule.unit_zh,
        "derived_by": rule.source,
        "value": _plain_value(value),
        "points": score.points,
        "status": score.status,
        "status_label": status_label,
        "status_label_zh": status_label_zh,
        "band_label": score.band_label,
        "band_label_zh": score.band_label_zh,
        "band_min": score.band_min,
        "band_max": score.band_max,
        "verified": score.verified,
        "source": score.source,
        "bands_status": rule.bands_status,
        "method": method,
        "next_band": _next_step(rule, value, score_status=score.status, quantities=quantities),
    }


def _next_step(
    rule: IndicatorRule, value: Any, *, score_status: str, quantities: Mapping[str, float] | None
) -> dict[str, Any] | None:
    """What reaching the next band takes and how much loss the current one allows (None unless scored)."""
    if score_status != STATUS_SCORED:
        return None
    if rule.is_categorical:
        return next_band.describe_next_level(rule, value)
    return next_band.describe_next_band(rule, value, quantities=quantities)


def _add_connectivity_advice(
    rows: Sequence[dict[str, Any]],
    rule_set: RuleSet,
    *,
    connectivity: connectivity_advice.MeshGroups,
    quantities: Mapping[str, float],
) -> None:
    """Add to the ``next_band`` of the scored I2 (the row scoring the effective mesh size or the coherence) the
    natural area to add and where (:func:`~cbindex.scoring.connectivity_advice.describe_i2_advice`), and to I1's
    what its hectares would do to I2 (:func:`~cbindex.scoring.connectivity_advice.describe_i2_effect`)."""
    by_quantity = {rule_set.quantity_of(row["id"]): row for row in rows}
    i2_quantity = next((name for name in connectivity_advice.I2_QUANTITIES if name in by_quantity), None)
    if i2_quantity is None or by_quantity[i2_quantity]["status"] != STATUS_SCORED:
        return
    i2_row, kind = by_quantity[i2_quantity], connectivity_advice.I2_QUANTITIES[i2_quantity]
    i2_rule = rule_set.indicators[i2_row["id"]]
    city, natural = quantities.get("city_area"), quantities.get("natural_area")
    non_natural = city - natural if city is not None and natural is not None else None
    if i2_row["next_band"] is not None:
        i2_row["next_band"].update(
            connectivity_advice.describe_i2_advice(
                connectivity,
                i2_rule,
                i2_row["value"],
                next_step=i2_row["next_band"],
                kind=kind,
                non_natural_ha=non_natural,
            )
        )
    i1_row = by_quantity.get("I1")
    i1_step = None if i1_row is None else i1_row["next_band"]
    if i1_step and i1_step.get("area_change_ha"):
        i1_step.update(
            connectivity_advice.describe_i2_effect(
                connectivity,
                i2_rule,
                i2_row["value"],
                added_ha=i1_step["area_change_ha"],
                inclusive=i1_step["threshold_inclusive"],
                kind=kind,
            )
        )


def _add_link_advice(
    rows: Sequence[dict[str, Any]],
    rule_set: RuleSet,
    *,
    connectivity: connectivity_advice.MeshGroups,
    links: Sequence[link_advice.CandidateLink],
) -> dict[str, Any] | None:
    """The scorecard's ``candidate_links`` (the best links with I2 and its points after each) and, in the scored
    I2's ``next_band``, which single link reaches the next band (:func:`cbindex.scoring.link_advice.describe_links`);
    None when I2 is not scored."""
    by_quantity = {rule_set.quantity_of(row["id"]): row for row in rows}
    i2_quantity = next((name for name in connectivity_advice.I2_QUANTITIES if name in by_quantity), None)
    if i2_quantity is None or by_quantity[i2_quantity]["status"] != STATUS_SCORED:
        return None
    i2_row = by_quantity[i2_quantity]
    summary = link_advice.describe_links(
        links,
        connectivity,
        rule_set.indicators[i2_row["id"]],
        next_step=i2_row["next_band"],
        kind=connectivity_advice.I2_QUANTITIES[i2_quantity],
    )
    if i2_row["next_band"] is not None:
        i2_row["next_band"].update(
            link_text=summary["text"],
            link_text_zh=summary["text_zh"],
            links_reaching_next_band=summary["reaching_next_band"],
            best_link=summary["best_reaching"],
        )
    return summary


def _plain_value(value: Any) -> float | int | str | None:
    """Value as a plain JSON type (numpy numbers become int or float, NaN becomes None)."""
    if is_missing(value):
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def _points_summary(
    rows: Sequence[dict[str, Any]], component: Component | None, *, max_points: int | None = None
) -> dict[str, Any]:
    """Points, assessed maximum and counts over one component's rows (all rows when `component` is None);
    `max_points` is the component's maximum."""
    selected = [row for row in rows if component is None or row["component"] == component.id]
    scored = [row for row in selected if row["status"] == STATUS_SCORED]
    points = sum(row["points"] for row in scored)
    assessed_max = POINTS_PER_INDICATOR * len(scored)
    summary: dict[str, Any] = {}
    if component is not None:
        summary.update(id=component.id, name=component.name, name_zh=component.name_zh)
    summary.update(
        points=points,
        assessed_max=assessed_max,
        share_of_assessed=_percent(points, assessed_max),
        indicators_scored=len(scored),
    )
    if component is not None:
        summary.update(
            max_points=max_points,
            max_points_known=component.max_points is not None,
            share_of_max=_percent(points, max_points),
        )
    return summary


def _percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _count_status(rows: Sequence[dict[str, Any]], status: str) -> int:
    return sum(row["status"] == status for row in rows)


def _ids_with_status(rows: Sequence[dict[str, Any]], status: str) -> list[str]:
    return [row["id"] for row in rows if row["status"] == status]


def _ids_text(ids: Sequence[str], *, order: Sequence[str]) -> str:
    """Indicator ids with runs of three or more neighbours (in `order`) shortened, e.g. ``I1–I8, I10``."""
    positions = [order.index(indicator_id) for indicator_id in ids]
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{order[run[0]]}–{order[run[-1]]}")
        else:
            parts.extend(order[position] for position in run)
    return ", ".join(parts)


def _indicators_phrase(ids_text: str, count: int) -> str:
    return f"{count} {'indicator' if count == 1 else 'indicators'} ({ids_text})"


BAND_STATUS_NOTES = ("adapted", "recalled", "transcribed", "city")
"""The statuses of unverified bands the notes name, each a ``scorecard.bands_<status>`` message."""
STATUS_NOTES = (STATUS_NO_BANDS, STATUS_NOT_ASSESSED, STATUS_EXCLUDED, STATUS_PARTIAL_COVERAGE)
"""The indicator statuses the notes name, each a ``scorecard.status_<status>`` message."""


def _scorecard_notes(
    rule_set: RuleSet, rows: Sequence[dict[str, Any]], totals: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """Plain-language notes in English and Chinese on the rules used, their firmness and the totals."""
    order = list(rule_set.indicators)
    notes, notes_zh = [], []

    def note(key: str, **fields: Any) -> None:
        english, chinese = pair(f"scorecard.{key}", **fields)
        notes.append(english)
        notes_zh.append(chinese)

    note("rule_set", id=rule_set.id, version=rule_set.version, name=rule_set.name, name_zh=rule_set.name_zh)
    if rule_set.overridden:
        note("overridden", ids=_ids_text(rule_set.overridden, order=order))
    included = [rule for rule in rule_set.indicators.values() if rule.included and rule.has_bands]
    for bands_status in BAND_STATUS_NOTES:
        ids = [rule.id for rule in included if rule.bands_status == bands_status]
        if ids:
            ids_text = _ids_text(ids, order=order)
            note(
                f"bands_{bands_status}",
                phrase=_indicators_phrase(ids_text, len(ids)),
                count=len(ids),
                ids=ids_text,
                edition=rule_set.name,
                edition_zh=rule_set.name_zh,
                base=rule_set.based_on,
            )
    for status in STATUS_NOTES:
        ids = _ids_with_status(rows, status)
        if ids:
            ids_text = _ids_text(ids, order=order)
            single = len(ids) == 1
            note(
                f"status_{status}",
                phrase=_indicators_phrase(ids_text, len(ids)),
                count=len(ids),
                ids=ids_text,
                has="has" if single else "have",
                is_="is" if single else "are",
                was="was" if single else "were",
            )
    maximum, maximum_zh = _maximum_phrases(rule_set)
    scored = totals["indicators_scored"]
    if scored:
        total = {"points": totals["points"], "assessed_max": totals["assessed_max"], "scored": scored}
        notes.append(message("scorecard.total", "en", **total, share=totals["share_of_assessed"], maximum=maximum))
        notes_zh.append(
            message("scorecard.total", "zh", **total, share=totals["share_of_assessed"], maximum=maximum_zh)
        )
    else:
        notes.append(message("scorecard.total_none", "en", maximum=maximum))
        notes_zh.append(message("scorecard.total_none", "zh", maximum=maximum_zh))
    return notes, notes_zh


def _maximum_phrases(rule_set: RuleSet) -> tuple[str, str]:
    """The clause on the edition's maximum, in English and Chinese."""
    total = rule_set.total_max_points
    if rule_set.max_points is not None:
        return pair("scorecard.maximum", total=total)
    return pair("scorecard.maximum_unknown", per=POINTS_PER_INDICATOR, count=total // POINTS_PER_INDICATOR, total=total)
