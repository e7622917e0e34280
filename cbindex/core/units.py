"""Unit conversions and the percent formula, defined once for every stage."""

from __future__ import annotations

SQUARE_METRES_PER_HECTARE = 10_000.0
PERCENT = 100.0


def percent(numerator: float, denominator: float) -> float:
    """``100 · numerator ÷ denominator``; NaN (not assessed) when the denominator is not positive."""
    return float("nan") if denominator <= 0 else PERCENT * numerator / denominator
