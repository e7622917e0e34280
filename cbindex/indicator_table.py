"""The indicator table every stage writes and the scoring stage combines."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from cbindex.atomic_write import atomic_path
from cbindex.landcover_indicators import IndicatorValue

TABLE_COLUMNS = ["city", "year", "indicator", "value", "unit", "method"]


def write_indicator_table(path: str | Path, *, city: str, year: int | None, values: Iterable[IndicatorValue]) -> None:
    """Write an indicator table (columns city, year, indicator, value, unit, method) atomically.

    ``year`` None leaves the year empty: the values hold for the city whatever the land-cover year.
    """
    table = pd.DataFrame([
        {"city": city, "year": year, "indicator": v.indicator, "value": v.value, "unit": v.unit, "method": v.method}
        for v in values
    ], columns=TABLE_COLUMNS)
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)
