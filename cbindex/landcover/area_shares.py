"""SI indicators derived from one land-cover raster: I1 natural share, I2 connectivity, I11 permeable share,
I12 tree-canopy share, with the supporting areas each one is computed from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.method import INDICATOR_METHOD_KEYS, MESH_DENOMINATORS, LandcoverMethod
from cbindex.core.units import SQUARE_METRES_PER_HECTARE, percent
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import CityGrid
from cbindex.geo.legends import Legend, check_codes
from cbindex.kernels.code_areas import area_and_natural_by_code
from cbindex.landcover.connectivity import (
    coherence_percent,
    effective_mesh_size_ha,
)

NO_NATURAL_AREA = "not assessed: no natural area in the city, so there is no natural patch to connect"
"""Method text of I2 and I2_coherence when the city has no natural area (``Σ A_Gi² / A_total`` with 0 / 0)."""


@dataclass
class CategoryAreas:
    """Ground areas (m²) inside the city, summed over any number of strips of the raster."""

    city_m2: float = 0.0
    nodata_m2: float = 0.0
    natural_m2: float = 0.0
    water_m2: float = 0.0
    permeable_m2: float = 0.0
    tree_canopy_m2: float = 0.0

    def add(self, other: CategoryAreas) -> None:
        """Add another strip's areas to these."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def measure_categories(grid: CityGrid, *, legend: Legend, codes: CategoryCodes) -> tuple[CategoryAreas, np.ndarray]:
    """Check the grid's codes against the legend, then measure each category's area and mask natural cells.

    Returns the areas and the boolean mask of natural cells inside the city.

    Raises
    ------
    CBIInputError
        The raster holds codes the legend does not define.
    """
    area_of_code, natural = area_and_natural_by_code(
        grid.codes, weight=grid.weight, row_area_m2=grid.row_area_m2, natural_codes=codes.natural
    )
    invalid = set(grid.invalid_codes)
    check_codes(legend, [code for code in area_of_code if code not in invalid], raster_path=grid.path)

    def total(selected: frozenset[int]) -> float:
        return float(sum(area for code, area in area_of_code.items() if code in selected))

    areas = CategoryAreas(
        city_m2=float(sum(area for code, area in area_of_code.items() if code not in invalid)),
        nodata_m2=grid.nodata_area_m2,
        natural_m2=total(codes.natural),
        water_m2=total(codes.water),
        permeable_m2=total(codes.permeable),
        tree_canopy_m2=total(codes.tree_canopy),
    )
    return areas, natural


def landcover_values(
    *,
    areas: CategoryAreas,
    group_areas_m2_: np.ndarray,
    n_patches: int,
    n_groups: int,
    method: LandcoverMethod,
    legend: Legend,
    codes: CategoryCodes,
    area_rule: str,
) -> list[IndicatorValue]:
    """The indicator rows of one city and year from its category areas and connectivity groups.

    Formulas (docs/method.md Part A.4–A.5, areas are ground areas Σ weight · cell area):

    - I1 natural share (%) = natural area ÷ city area × 100, city area = all valid cells in the city.
    - I2 MESH (ha) = Σ A_Gi² ÷ A_total, A_total = natural area (or city area with
      ``mesh_denominator="landscape"``); ``I2_coherence`` (%) = Σ A_Gi² ÷ (Σ A_Gi)² × 100 (SI 2021 I2). Both
      are NaN (not assessed, the method says why) when the city has no natural area: with no natural patch
      there is nothing to connect (A_total = 0 for the SI, FRAGSTATS leaves an absent class out), never 0 points.
    - I11 permeable share (%) = permeable area ÷ terrestrial area × 100, terrestrial = city − water.
    - I12 tree-canopy share (%) = tree-canopy area ÷ terrestrial area × 100.

    Supporting rows: ``city_area``, ``nodata_area``, ``terrestrial_area``, ``natural_area`` (ha),
    ``natural_patches`` and ``natural_groups`` (counts).
    """
    if method.mesh_denominator not in MESH_DENOMINATORS:
        raise ValueError(f"mesh_denominator must be one of {MESH_DENOMINATORS}")
    terrestrial_m2 = areas.city_m2 - areas.water_m2
    mesh_denominator_m2 = areas.natural_m2 if method.mesh_denominator == "natural" else areas.city_m2
    how = method.describe(keys=INDICATOR_METHOD_KEYS)
    codes_text = ",".join(str(code) for code in sorted(codes.natural))
    mesh = effective_mesh_size_ha(group_areas_m2_, denominator_m2=mesh_denominator_m2)
    mesh_method = f"effective mesh size sum(A_Gi^2)/A_total, A_total={method.mesh_denominator} area; {how}"
    coherence = coherence_percent(group_areas_m2_)
    coherence_method = f"SI 2021 coherence sum(A_Gi^2)/(sum A_Gi)^2 x 100; {how}"
    if areas.natural_m2 <= 0:  # no natural patch: nothing to connect, MESH and coherence are undefined, not 0
        mesh = coherence = float("nan")
        mesh_method, coherence_method = (f"{NO_NATURAL_AREA}; {text}" for text in (mesh_method, coherence_method))
    return [
        IndicatorValue(
            "city_area", areas.city_m2 / SQUARE_METRES_PER_HECTARE, "ha", f"valid cells in the city; {area_rule}"
        ),
        IndicatorValue(
            "nodata_area",
            areas.nodata_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"cells in the city without data, excluded everywhere; {area_rule}",
        ),
        IndicatorValue(
            "terrestrial_area",
            terrestrial_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"city area minus legend category water; {area_rule}",
        ),
        IndicatorValue(
            "natural_area",
            areas.natural_m2 / SQUARE_METRES_PER_HECTARE,
            "ha",
            f"classes {codes_text} of legend {legend.id}; {area_rule}",
        ),
        IndicatorValue(
            "I1",
            percent(areas.natural_m2, areas.city_m2),
            "%",
            f"natural area / city area x 100; natural classes {codes_text}; {how}",
        ),
        IndicatorValue("I2", mesh, "ha", mesh_method),
        IndicatorValue("I2_coherence", coherence, "%", coherence_method),
        IndicatorValue(
            "natural_patches", float(n_patches), "count", f"{method.neighbourhood}-connected natural patches"
        ),
        IndicatorValue(
            "natural_groups",
            float(n_groups),
            "count",
            f"patches joined when less than {method.gap_distance_m:g} m apart edge to edge",
        ),
        IndicatorValue(
            "I11",
            percent(areas.permeable_m2, terrestrial_m2),
            "%",
            f"permeable area / terrestrial area x 100; legend {legend.id} category permeable; {how}",
        ),
        IndicatorValue(
            "I12",
            percent(areas.tree_canopy_m2, terrestrial_m2),
            "%",
            f"tree-canopy area / terrestrial area x 100; legend {legend.id} category tree_canopy; {how}",
        ),
    ]


def area_rule_text(*, boundary_rule: str, crs_name: str) -> str:
    """How areas were measured, for the method column."""
    return f"ground areas ({boundary_rule} boundary rule, {crs_name})"


def class_shares_by_cell_count(grid: CityGrid) -> dict[int, float]:
    """Share of each class among the valid cells inside the city, counted as cells (not areas), percent.

    This is how WRI's UrbanShift pipeline counted its published natural-area shares; it is kept to test the
    legend and masking code against those numbers, not as the workflow's method (cells in EPSG:4326 are not
    equal-area).
    """
    inside = grid.weight > 0
    codes, counts = np.unique(grid.codes[inside], return_counts=True)
    total = counts.sum()
    return {int(code): 100.0 * count / total for code, count in zip(codes, counts, strict=False)}
