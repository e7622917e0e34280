"""The scorecard's ``coverage_layers``: each control line or zone the city gives (config ``coverage_layers``), with
its coverage of the city and natural share per land-cover year, in both languages' names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

ROWS = {"coverage_percent": "coverage", "natural_share_percent": "natural_share", "area_ha": "area"}
"""Scorecard field → suffix of the layer's row (``<id>_coverage``, ``<id>_natural_share``, ``<id>_area``)."""


def add_coverage_layers(
    scorecard: dict[str, Any], *, layers: Sequence[Mapping[str, str]], spatial: pd.DataFrame
) -> None:
    """Add ``coverage_layers``: per configured layer with rows in ``spatial`` (the stage tables: city, year,
    indicator, value), its ``id``, ``name``, ``name_zh`` and per year ``coverage_percent``, ``natural_share_percent``
    and ``area_ha`` (the layer is not scored unless the rule set names ``<id>_coverage``; its score, if any, is in
    ``indicators``). Nothing is added when the city gives no coverage layer."""
    entries = []
    for layer in layers:
        years = []
        rows = spatial[spatial["indicator"].isin([f"{layer['id']}_{suffix}" for suffix in ROWS.values()])]
        for year, group in rows.groupby("year", sort=True):
            values = dict(zip(group["indicator"], pd.to_numeric(group["value"], errors="coerce"), strict=True))
            years.append(
                {"year": int(year)}
                | {field: _number(values.get(f"{layer['id']}_{suffix}")) for field, suffix in ROWS.items()}
            )
        if years:
            entries.append({"id": layer["id"], "name": layer["name"], "name_zh": layer["name_zh"], "years": years})
    if entries:
        scorecard["coverage_layers"] = entries


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
