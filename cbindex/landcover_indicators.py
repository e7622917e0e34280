"""SI indicators derived from one land-cover raster: I1 natural share, I2 connectivity, I11 permeable share,
I12 tree-canopy share, with the supporting areas each one is computed from."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from cbindex.city_grid import CityGrid
from cbindex.connectivity import (
    NaturalGroups,
    coherence_percent,
    effective_mesh_size_ha,
    group_areas_m2,
    label_natural_groups,
)
from cbindex.legends import Legend, check_codes, codes_mask, natural_codes, unique_codes

SQUARE_METRES_PER_HECTARE = 10_000.0
MESH_DENOMINATORS = ("natural", "landscape")


@dataclass(frozen=True)
class LandcoverMethod:
    """Every method choice behind the land-cover indicators (each is a config key, see config/README.md).

    Attributes
    ----------
    gap_distance_m : float
        I2: natural patches less than this far apart (edge to edge) are one group. SI 2014: 100 m.
    neighbourhood : int
        Pixel neighbourhood of a patch, 4 or 8.
    boundary_rule : str
        ``centre`` (cell centre inside the boundary) or ``exact`` (coverage fractions).
    mesh_denominator : str
        I2 A_total: ``natural`` (SI: the city's natural area) or ``landscape`` (FRAGSTATS: the city area).
    bare_is_natural, snow_is_natural : bool
        Whether bare ground and snow/ice count as natural (reference Part A.3).
    natural_codes_override : tuple of int, optional
        Replace the legend's natural classes for this city.
    """

    gap_distance_m: float = 100.0
    neighbourhood: int = 8
    boundary_rule: str = "centre"
    mesh_denominator: str = "natural"
    bare_is_natural: bool = False
    snow_is_natural: bool = True
    natural_codes_override: tuple[int, ...] | None = None

    def describe(self) -> str:
        """One line naming every choice, for the ``method`` column of the outputs."""
        parts = [f"{key}={value}" for key, value in asdict(self).items() if value is not None]
        return "; ".join(parts)


@dataclass(frozen=True)
class IndicatorValue:
    """One computed figure with its unit and how it was computed."""

    indicator: str
    value: float
    unit: str
    method: str


@dataclass
class LandcoverResult:
    """Indicator values of one city and land-cover year, plus the rasters they came from."""

    values: list[IndicatorValue]
    natural: np.ndarray
    groups: NaturalGroups
    group_areas_m2: np.ndarray

    def value_of(self, indicator: str) -> float:
        """The value of one indicator id (raises KeyError when absent)."""
        for item in self.values:
            if item.indicator == indicator:
                return item.value
        raise KeyError(indicator)


def compute_landcover_indicators(grid: CityGrid, *, legend: Legend, method: LandcoverMethod) -> LandcoverResult:
    """Compute I1, I2 (MESH and coherence), I11 and I12 for one city grid.

    Formulas (reference Part A.4–A.5, areas are ground areas Σ weight · cell area):

    - I1 natural share (%) = natural area ÷ city area × 100, city area = all valid cells in the city.
    - I2 MESH (ha) = Σ A_Gi² ÷ A_total, A_total = natural area (or city area with
      ``mesh_denominator="landscape"``); coherence (%) = Σ A_Gi² ÷ (Σ A_Gi)² × 100 (SI 2021).
    - I11 permeable share (%) = permeable area ÷ terrestrial area × 100, terrestrial = city − water.
    - I12 tree-canopy share (%) = tree-canopy area ÷ terrestrial area × 100.

    Raises
    ------
    CBIInputError
        The raster holds codes the legend does not define.
    """
    if method.mesh_denominator not in MESH_DENOMINATORS:
        raise ValueError(f"mesh_denominator must be one of {MESH_DENOMINATORS}")
    check_codes(legend, unique_codes(grid.codes[grid.valid]), raster_path=grid.path)
    natural_set = natural_codes(
        legend, bare_is_natural=method.bare_is_natural, snow_is_natural=method.snow_is_natural,
        override_codes=method.natural_codes_override,
    )
    in_city = grid.weight > 0
    natural = codes_mask(grid.codes, natural_set) & in_city
    water = codes_mask(grid.codes, legend.codes_in("water"))
    permeable = codes_mask(grid.codes, legend.codes_in("permeable"))
    tree = codes_mask(grid.codes, legend.codes_in("tree_canopy"))

    city_m2 = grid.area_m2(in_city)
    natural_m2 = grid.area_m2(natural)
    water_m2 = grid.area_m2(water)
    terrestrial_m2 = city_m2 - water_m2
    groups = label_natural_groups(
        natural, cell_width_m=grid.cell_width_m, cell_height_m=grid.cell_height_m,
        gap_distance_m=method.gap_distance_m, neighbourhood=method.neighbourhood,
    )
    areas = group_areas_m2(groups.labels, weight=grid.weight, row_area_m2=grid.row_area_m2, n_groups=groups.n_groups)
    mesh_denominator_m2 = natural_m2 if method.mesh_denominator == "natural" else city_m2

    how = method.describe()
    codes_text = ",".join(str(code) for code in sorted(natural_set))
    area_rule = f"ground areas ({grid.boundary_rule} boundary rule, {grid.crs.name})"
    values = [
        IndicatorValue("city_area", city_m2 / SQUARE_METRES_PER_HECTARE, "ha", f"valid cells in the city; {area_rule}"),
        IndicatorValue("nodata_area", grid.nodata_area_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"cells in the city without data, excluded everywhere; {area_rule}"),
        IndicatorValue("terrestrial_area", terrestrial_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"city area minus legend category water; {area_rule}"),
        IndicatorValue("natural_area", natural_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"classes {codes_text} of legend {legend.id}; {area_rule}"),
        IndicatorValue("I1", _percent(natural_m2, city_m2), "%",
                       f"natural area / city area x 100; natural classes {codes_text}; {how}"),
        IndicatorValue("I2", effective_mesh_size_ha(areas, denominator_m2=mesh_denominator_m2), "ha",
                       f"effective mesh size sum(A_Gi^2)/A_total, A_total={method.mesh_denominator} area; {how}"),
        IndicatorValue("I2_coherence", coherence_percent(areas), "%",
                       f"SI 2021 coherence sum(A_Gi^2)/(sum A_Gi)^2 x 100; {how}"),
        IndicatorValue("natural_patches", float(groups.n_patches), "count",
                       f"{method.neighbourhood}-connected natural patches"),
        IndicatorValue("natural_groups", float(groups.n_groups), "count",
                       f"patches joined when less than {method.gap_distance_m:g} m apart edge to edge"),
        IndicatorValue("I11", _percent(grid.area_m2(permeable & in_city), terrestrial_m2), "%",
                       f"permeable area / terrestrial area x 100; legend {legend.id} category permeable; {how}"),
        IndicatorValue("I12", _percent(grid.area_m2(tree & in_city), terrestrial_m2), "%",
                       f"tree-canopy area / terrestrial area x 100; legend {legend.id} category tree_canopy; {how}"),
    ]
    return LandcoverResult(values=values, natural=natural, groups=groups, group_areas_m2=areas)


def _percent(numerator: float, denominator: float) -> float:
    return float("nan") if denominator <= 0 else 100.0 * numerator / denominator


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
