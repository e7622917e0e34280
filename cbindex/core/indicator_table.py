"""The indicator value every stage computes, and the indicator table every stage writes and scoring combines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cbindex.core.atomic_write import atomic_path

TABLE_COLUMNS = ["city", "year", "indicator", "value", "unit", "method"]


def write_indicator_table(path: str | Path, *, city: str, year: int | None, values: Iterable[IndicatorValue]) -> None:
    """Write an indicator table (columns city, year, indicator, value, unit, method) atomically.

    ``year`` None leaves the year empty: the values hold for the city whatever the land-cover year.
    """
    table = pd.DataFrame(
        [
            {"city": city, "year": year, "indicator": v.indicator, "value": v.value, "unit": v.unit, "method": v.method}
            for v in values
        ],
        columns=TABLE_COLUMNS,
    )
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)


@dataclass(frozen=True)
class IndicatorValue:
    """One computed figure with its unit and how it was computed."""

    indicator: str
    value: float
    unit: str
    method: str


class IndicatorValues:
    """Mixin for results holding ``values: list[IndicatorValue]``: look one up by indicator id."""

    values: list[IndicatorValue]

    def value_of(self, indicator: str) -> float:
        """The value of one indicator id (raises KeyError when absent)."""
        for item in self.values:
            if item.indicator == indicator:
                return item.value
        raise KeyError(indicator)
