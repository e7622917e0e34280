"""The coverage layers' shares (config ``coverage_layers``): how much of the city each control line or zone covers
and how natural the land inside it is, per land-cover year."""

from __future__ import annotations

from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.units import SQUARE_METRES_PER_HECTARE, percent
from cbindex.overlays.areas import OverlayAreas

REDLINE_TEXTS = {
    "area": "city area inside the red line, any land cover",
    "natural_area": "natural area inside the red line",
    "coverage": "red-line area / city area x 100",
    "natural_share": "natural area in the red line / red-line area x 100",
}
"""The red line's method texts (kept as they were before the coverage layers were generalised)."""


def coverage_values(*, areas: OverlayAreas, layer_id: str, name: str, source: str, how: str) -> list[IndicatorValue]:
    """One coverage layer's shares, %, and areas, ha.

    ``{layer}_coverage = area of the layer in the city ÷ city area × 100`` (any land cover; the city area is I1's
    denominator); ``{layer}_natural_share = natural area in the layer ÷ area of the layer in the city × 100`` (NaN,
    not assessed, when none of the layer lies in the city). Supporting rows (ha): ``{layer}_area`` and
    ``{layer}_natural_area``. The ecological protection red line (生态保护红线, layer ``redline``) gives
    ``redline_coverage`` (cn-ubi indicator 24), ``redline_natural_share``, ``redline_area`` and
    ``redline_natural_area``; the basic ecological control line, priority ecological protection space and urban
    development boundary of the shipped config give theirs under their ids.

    Parameters
    ----------
    layer_id : str
        The layer's id (config ``coverage_layers``), the prefix of its rows and its polygon set in ``areas.under``.
    name : str
        Its English name, for the method texts.
    """
    under = areas.under[layer_id]
    texts = (
        REDLINE_TEXTS
        if layer_id == "redline"
        else {
            "area": f"city area inside coverage layer {layer_id} ({name}), any land cover",
            "natural_area": f"natural area inside coverage layer {layer_id} ({name})",
            "coverage": f"area of coverage layer {layer_id} ({name}) / city area x 100",
            "natural_share": f"natural area in coverage layer {layer_id} ({name}) / its area x 100",
        }
    )
    return [
        IndicatorValue(
            f"{layer_id}_area", under.area_m2 / SQUARE_METRES_PER_HECTARE, "ha", f"{texts['area']}; {source}; {how}"
        ),
        IndicatorValue(
            f"{layer_id}_natural_area",
            under.natural_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"{texts['natural_area']}; {source}; {how}",
        ),
        IndicatorValue(
            f"{layer_id}_coverage",
            percent(under.area_m2, areas.city.city_m2),
            "%",
            f"{texts['coverage']}; {source}; {how}",
        ),
        IndicatorValue(
            f"{layer_id}_natural_share",
            percent(under.natural_m2, under.area_m2),
            "%",
            f"{texts['natural_share']}; {source}; {how}",
        ),
    ]
