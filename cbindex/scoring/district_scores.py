"""Points each district would score under the city's rule set, and the change of each district across years.

A district row is scored exactly as the city's row of the same quantity (:func:`cbindex.scoring.points.score_value`
with the city's rule set and overrides; rows renamed as :meth:`~cbindex.scoring.rules.RuleSet.table_name` renames
the city's, so si-2021 scores a district's ``I2_coherence`` as its I2). These points are indicative: the editions
define their bands for a whole city, not for its parts, and the report says so.
"""

from __future__ import annotations

import math

import pandas as pd

from cbindex.scoring.points import score_value
from cbindex.scoring.rules import RuleSet

DISTRICT_COLUMNS = [
    "city",
    "year",
    "district_id",
    "district",
    "indicator",
    "name",
    "name_zh",
    "value",
    "unit",
    "points",
    "status",
    "band",
    "change_since_previous_year",
    "method",
]
"""Columns of ``results/{city}/{year}/districts.csv``."""
STATUS_SUPPORTING = "supporting"


def score_district_rows(rows: pd.DataFrame, *, rule_set: RuleSet) -> pd.DataFrame:
    """Name and score district rows (columns district_id, district, indicator, value, unit, method, ...).

    Adds ``name``, ``name_zh``, ``points`` (empty unless scored), ``status`` and ``band``; rows that are no
    indicator of the rule set are ``supporting``. The "no district" row (id 0) is never scored.
    """
    out = rows.assign(indicator=rows["indicator"].map(rule_set.table_name))
    names, names_zh, points, statuses, bands = [], [], [], [], []
    for record in out.to_dict("records"):
        rule = rule_set.indicators.get(record["indicator"])
        if rule is None or record["district_id"] == 0:
            names.append(rule.name if rule else "")
            names_zh.append(rule.name_zh if rule else "")
            points.append(None)
            statuses.append(STATUS_SUPPORTING)
            bands.append("")
            continue
        value = record["value"]
        score = score_value(rule, None if value is None or math.isnan(value) else float(value), origin="districts")
        names.append(rule.name)
        names_zh.append(rule.name_zh)
        points.append(score.points)
        statuses.append(score.status)
        bands.append(score.band_label or "")
    return out.assign(name=names, name_zh=names_zh, points=pd.array(points, dtype="Int64"), status=statuses, band=bands)


def add_change_since_previous_year(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """``change_since_previous_year`` = this year's value − the previous land-cover year's, per district and
    indicator (matched by district name); empty for the first year or a district or indicator new this year."""
    if previous is None or previous.empty:
        return current.assign(change_since_previous_year=float("nan"))
    before = previous.set_index(["district", "indicator"])["value"]
    before = before[~before.index.duplicated()]
    keys = pd.MultiIndex.from_frame(current[["district", "indicator"]])
    earlier = before.reindex(keys).to_numpy(dtype=float)
    return current.assign(change_since_previous_year=current["value"].to_numpy(dtype=float) - earlier)
