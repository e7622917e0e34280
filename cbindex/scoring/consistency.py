"""Internal consistency of a city's computed values, checked before anything is scored.

Each check is a relation that holds by construction of the indicators; a violation is a defect of the
workflow (or of a corrupt intermediate file), so the city stops with a :class:`CBIDefectError` instead of
being scored:

- natural area ≤ city area, and terrestrial area ≤ city area (areas of subsets of the city's cells);
- I2 effective mesh size ≤ natural area: ``Σ A_Gi² ÷ A_total ≤ (Σ A_Gi)² ÷ A_total ≤ A_nat`` for
  ``A_total ≥ Σ A_Gi = A_nat`` (SI 2014 indicator 2, either denominator); for land-use polygons the natural area
  of the rasterized grid (``natural_area_grid``), I2's own A_total, as ``natural_area`` is the exact polygon area;
- shares (I1, I11, I12, covered parts) within 0–100 % (covered share may exceed 100 % only by the
  boundary-cell rule, so it is not checked).

- district sums equal the city totals (:func:`check_district_sums`): every city cell lies in exactly one district
  or in none (the "no district" row), so each area summed over the districts' rows equals the city's area over the
  same cells; an overlap of district polygons is never counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from cbindex.core.errors import CBIDefectError

RELATIVE_TOLERANCE = 1e-9
"""Floating-point slack of the checks: sums of the same cells in a different order differ by rounding only."""

SUBSET_RELATIONS = (
    ("natural_area", "city_area"),
    ("terrestrial_area", "city_area"),
    ("I2", "natural_area"),
)
SHARES_PERCENT = ("I1", "I11", "I12")


def consistency_problems(table: pd.DataFrame) -> list[str]:
    """Every violated relation in a stage table (columns indicator, year, value), one phrase each.

    Rows are compared within a year; relations whose rows are absent (a stage that does not produce them) are
    skipped. Names are the stage tables' own row names (before any rule-set renaming).
    """
    problems = []
    for year, rows in table.groupby(table["year"].fillna(-1), sort=True):
        values = dict(zip(rows["indicator"], pd.to_numeric(rows["value"], errors="coerce"), strict=False))
        label = "" if year == -1 else f" in {int(year)}"
        for part, whole in SUBSET_RELATIONS:
            if part == "I2" and "natural_area_grid" in values:
                whole = "natural_area_grid"  # land-use polygons: I2's A_total is the rasterized natural area
            small, large = values.get(part), values.get(whole)
            if _finite(small, large) and small > large * (1 + RELATIVE_TOLERANCE) + RELATIVE_TOLERANCE:
                problems.append(f"{part} {small:.6g} exceeds {whole} {large:.6g}{label}")
        for share in SHARES_PERCENT:
            value = values.get(share)
            if _finite(value) and not -RELATIVE_TOLERANCE <= value <= 100 * (1 + RELATIVE_TOLERANCE):
                problems.append(f"{share} {value:.6g} % lies outside 0-100 %{label}")
    return problems


def check_consistency(table: pd.DataFrame, *, city: str, tables: Iterable[str]) -> None:
    """Stop the city when its computed values contradict each other.

    Raises
    ------
    CBIDefectError
        Naming every violated relation, the tables they come from, and that this is a defect to report.
    """
    problems = consistency_problems(table)
    if problems:
        raise CBIDefectError(
            f"City {city}: internal consistency check failed ({'; '.join(problems)}) in "
            f"{', '.join(map(str, tables))}; this is a defect of the workflow, not a result: nothing was scored — "
            "please report it with the logs in results/"
            f"{city}/logs/."
        )


def _finite(*values: float | None) -> bool:
    return all(value is not None and math.isfinite(value) for value in values)


DISTRICT_SUMMED_AREAS = ("city_area", "natural_area", "terrestrial_area")
"""Area rows (ha) of ``districts.csv`` whose sum over the districts and "no district" is the city's row."""


def district_sum_problems(districts: pd.DataFrame, city: pd.DataFrame) -> list[str]:
    """Every area of :data:`DISTRICT_SUMMED_AREAS` (and any overlay area both tables hold) whose sum over the
    district rows (``district_id`` ≥ 0, so "no district" included) differs from the city table's row of the same
    year by more than :data:`RELATIVE_TOLERANCE` (summation order), one phrase each.
    """
    problems = []
    parts = districts[(districts["district_id"] >= 0) & (districts["unit"] == "ha")]
    for year, rows in city.groupby("year"):
        totals = dict(zip(rows["indicator"], pd.to_numeric(rows["value"], errors="coerce"), strict=False))
        in_year = parts[parts["year"] == year]
        summed = {name: math.fsum(group["value"]) for name, group in in_year.groupby("indicator")}
        names = set(DISTRICT_SUMMED_AREAS) | (set(summed) & set(totals) - {"I2"})
        for name in sorted(names):
            total, part_sum = totals.get(name), summed.get(name)
            if total is None or part_sum is None:
                problems.append(f"{name} in {int(year)} is missing from the district or the city table")
            elif not math.isclose(part_sum, total, rel_tol=RELATIVE_TOLERANCE, abs_tol=RELATIVE_TOLERANCE):
                problems.append(
                    f"districts' {name} sums to {part_sum:.9g} ha, the city's is {total:.9g} ha in {int(year)}"
                )
    return problems


def check_district_sums(districts: pd.DataFrame, city: pd.DataFrame, *, city_id: str, tables: Iterable[str]) -> None:
    """Stop when the district areas do not add up to the city's (:func:`district_sum_problems`).

    Raises
    ------
    CBIDefectError
        Naming every area that does not add up and the tables compared.
    """
    problems = district_sum_problems(districts, city)
    if problems:
        raise CBIDefectError(
            f"City {city_id}: district sums differ from the city totals ({'; '.join(problems)}) in "
            f"{', '.join(map(str, tables))}; this is a defect of the workflow, not a result — please report it with "
            f"the logs in results/{city_id}/logs/."
        )
