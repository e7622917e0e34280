"""How much of a city's boundary a raster covers with data: the covered share, no-data and uncovered areas.

A raster may stop short of the city (a tile edge, a clipped download) or hold no-data cells inside it (clouds,
masked pixels). Neither may count as land: every indicator that is a share of the city would be computed on
the part that has data and silently generalised to the whole city. The land-cover stage writes these figures as
rows of its table; the scoring stage reads them back and holds a year's spatial indicators as
``partial_coverage`` when the shortfall exceeds ``boundary_coverage_tolerance_percent``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cbindex.core.units import PERCENT

ON_PARTIAL_COVERAGE = ("hold", "score")
"""Config ``on_partial_coverage``: ``hold`` (default: the affected indicators are not scored, their values kept
with status ``partial_coverage``) or ``score`` (scored anyway; the scorecard and report still say so)."""


@dataclass(frozen=True)
class RasterCoverage:
    """Coverage of a boundary by a raster's cells with data.

    Attributes
    ----------
    boundary_ha : float
        Area of the boundary polygon (equal-area CRS), ha.
    valid_ha : float
        Ground area of the cells with data inside the boundary (the indicators' city area), ha.
    nodata_ha : float
        Ground area of the cells without data inside the boundary, ha.
    """

    boundary_ha: float
    valid_ha: float
    nodata_ha: float

    @property
    def covered_share_percent(self) -> float:
        """``valid ÷ boundary × 100`` (%); 0 for an empty boundary. May exceed 100 by the boundary-cell rule."""
        return PERCENT * self.valid_ha / self.boundary_ha if self.boundary_ha > 0 else 0.0

    @property
    def uncovered_ha(self) -> float:
        """Boundary land under no raster cell at all: ``max(0, boundary − valid − no-data)`` (ha)."""
        return max(0.0, self.boundary_ha - self.valid_ha - self.nodata_ha)

    @property
    def shortfall_percent(self) -> float:
        """How far the covered share falls short of 100 % (percentage points; 0 when it does not)."""
        return max(0.0, PERCENT - self.covered_share_percent)

    def is_partial(self, *, tolerance_percent: float) -> bool:
        """Whether the shortfall exceeds the tolerance (config ``boundary_coverage_tolerance_percent``)."""
        return self.shortfall_percent > tolerance_percent


def raster_coverage(*, boundary_ha: float, valid_ha: float, nodata_ha: float) -> RasterCoverage:
    """The coverage of a boundary of ``boundary_ha`` by ``valid_ha`` of cells with data and ``nodata_ha`` without."""
    return RasterCoverage(boundary_ha=float(boundary_ha), valid_ha=float(valid_ha), nodata_ha=float(nodata_ha))
