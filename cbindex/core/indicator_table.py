"""The indicator value every stage computes, the indicator table every stage writes and scoring combines, and how
every CSV output is written (config ``csv_encoding``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cbindex.core.atomic_write import atomic_path
from cbindex.core.errors import CBIInputError

TABLE_COLUMNS = ["city", "year", "indicator", "value", "unit", "method"]
CSV_ENCODINGS = ("utf-8-sig", "utf-8")
"""Encodings of the CSV outputs (config ``csv_encoding``): UTF-8 with a byte-order mark, which Excel needs to open
Chinese text as UTF-8 (without it, Excel on a Chinese Windows reads GBK and garbles it), or plain UTF-8."""
DEFAULT_CSV_ENCODING = CSV_ENCODINGS[0]


def write_csv(table: pd.DataFrame, path: str | Path, *, encoding: str = DEFAULT_CSV_ENCODING) -> None:
    """Write a table as CSV atomically, without index, in one of :data:`CSV_ENCODINGS`.

    Raises
    ------
    CBIInputError
        When ``encoding`` is not one of :data:`CSV_ENCODINGS`.
    """
    if encoding not in CSV_ENCODINGS:
        raise CBIInputError(
            f"Config key csv_encoding is {encoding!r}; use utf-8-sig (Excel opens Chinese text correctly) or utf-8."
        )
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False, encoding=encoding)


def write_indicator_table(
    path: str | Path,
    *,
    city: str,
    year: int | None,
    values: Iterable[IndicatorValue],
    encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Write an indicator table (columns city, year, indicator, value, unit, method) atomically (:func:`write_csv`).

    ``year`` None leaves the year empty: the values hold for the city whatever the land-cover year.
    """
    table = pd.DataFrame(
        [
            {"city": city, "year": year, "indicator": v.indicator, "value": v.value, "unit": v.unit, "method": v.method}
            for v in values
        ],
        columns=TABLE_COLUMNS,
    )
    write_csv(table, path, encoding=encoding)


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
