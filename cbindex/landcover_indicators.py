"""SI indicators derived from one land-cover raster: I1 natural share, I2 connectivity, I11 permeable share,
I12 tree-canopy share, with the supporting areas each one is computed from."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np

from cbindex.barriers import barrier_mask
from cbindex.city_grid import CityGrid
from cbindex.code_areas import area_and_natural_by_code
from cbindex.connectivity import (
    NaturalGroups,
    coherence_percent,
    effective_mesh_size_ha,
    group_areas_m2,
    label_natural_groups,
)
from cbindex.legends import Legend, check_codes, codes_mask, natural_codes

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
    builtup_is_barrier : bool
        Treat the legend category ``built_up`` as a barrier for I2 (SI 2014: "heavily built-up areas").
    natural_codes_override : tuple of int, optional
        Replace the legend's natural classes for this city.
    """

    gap_distance_m: float = 100.0
    neighbourhood: int = 8
    boundary_rule: str = "centre"
    mesh_denominator: str = "natural"
    bare_is_natural: bool = False
    snow_is_natural: bool = True
    builtup_is_barrier: bool = False
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


class IndicatorValues:
    """Mixin for results holding ``values: list[IndicatorValue]``: look one up by indicator id."""

    values: list[IndicatorValue]

    def value_of(self, indicator: str) -> float:
        """The value of one indicator id (raises KeyError when absent)."""
        for item in self.values:
            if item.indicator == indicator:
                return item.value
        raise KeyError(indicator)


@dataclass
class LandcoverResult(IndicatorValues):
    """Indicator values of one city and land-cover year, plus the rasters they came from."""

    values: list[IndicatorValue]
    natural: np.ndarray
    groups: NaturalGroups
    group_areas_m2: np.ndarray


@dataclass(frozen=True)
class CategoryCodes:
    """Class codes of each category an indicator needs, resolved from the legend and the method."""

    natural: frozenset[int]
    water: frozenset[int]
    permeable: frozenset[int]
    tree_canopy: frozenset[int]
    built_up: frozenset[int]

    @classmethod
    def from_legend(cls, legend: Legend, method: LandcoverMethod) -> CategoryCodes:
        natural = natural_codes(
            legend, bare_is_natural=method.bare_is_natural, snow_is_natural=method.snow_is_natural,
            override_codes=method.natural_codes_override,
        )
        return cls(natural=natural, water=legend.codes_in("water"), permeable=legend.codes_in("permeable"),
                   tree_canopy=legend.codes_in("tree_canopy"), built_up=legend.codes_in("built_up"))


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
    area_of_code, natural = area_and_natural_by_code(grid.codes, weight=grid.weight, row_area_m2=grid.row_area_m2,
                                                     natural_codes=codes.natural)
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
    *, areas: CategoryAreas, group_areas_m2_: np.ndarray, n_patches: int, n_groups: int, method: LandcoverMethod,
    legend: Legend, codes: CategoryCodes, area_rule: str,
) -> list[IndicatorValue]:
    """The indicator rows of one city and year from its category areas and connectivity groups.

    Formulas (reference Part A.4–A.5, areas are ground areas Σ weight · cell area):

    - I1 natural share (%) = natural area ÷ city area × 100, city area = all valid cells in the city.
    - I2 MESH (ha) = Σ A_Gi² ÷ A_total, A_total = natural area (or city area with
      ``mesh_denominator="landscape"``); coherence (%) = Σ A_Gi² ÷ (Σ A_Gi)² × 100 (SI 2021).
    - I11 permeable share (%) = permeable area ÷ terrestrial area × 100, terrestrial = city − water.
    - I12 tree-canopy share (%) = tree-canopy area ÷ terrestrial area × 100.
    """
    if method.mesh_denominator not in MESH_DENOMINATORS:
        raise ValueError(f"mesh_denominator must be one of {MESH_DENOMINATORS}")
    terrestrial_m2 = areas.city_m2 - areas.water_m2
    mesh_denominator_m2 = areas.natural_m2 if method.mesh_denominator == "natural" else areas.city_m2
    how = method.describe()
    codes_text = ",".join(str(code) for code in sorted(codes.natural))
    return [
        IndicatorValue("city_area", areas.city_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"valid cells in the city; {area_rule}"),
        IndicatorValue("nodata_area", areas.nodata_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"cells in the city without data, excluded everywhere; {area_rule}"),
        IndicatorValue("terrestrial_area", terrestrial_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"city area minus legend category water; {area_rule}"),
        IndicatorValue("natural_area", areas.natural_m2 / SQUARE_METRES_PER_HECTARE, "ha",
                       f"classes {codes_text} of legend {legend.id}; {area_rule}"),
        IndicatorValue("I1", percent(areas.natural_m2, areas.city_m2), "%",
                       f"natural area / city area x 100; natural classes {codes_text}; {how}"),
        IndicatorValue("I2", effective_mesh_size_ha(group_areas_m2_, denominator_m2=mesh_denominator_m2), "ha",
                       f"effective mesh size sum(A_Gi^2)/A_total, A_total={method.mesh_denominator} area; {how}"),
        IndicatorValue("I2_coherence", coherence_percent(group_areas_m2_), "%",
                       f"SI 2021 coherence sum(A_Gi^2)/(sum A_Gi)^2 x 100; {how}"),
        IndicatorValue("natural_patches", float(n_patches), "count",
                       f"{method.neighbourhood}-connected natural patches"),
        IndicatorValue("natural_groups", float(n_groups), "count",
                       f"patches joined when less than {method.gap_distance_m:g} m apart edge to edge"),
        IndicatorValue("I11", percent(areas.permeable_m2, terrestrial_m2), "%",
                       f"permeable area / terrestrial area x 100; legend {legend.id} category permeable; {how}"),
        IndicatorValue("I12", percent(areas.tree_canopy_m2, terrestrial_m2), "%",
                       f"tree-canopy area / terrestrial area x 100; legend {legend.id} category tree_canopy; {how}"),
    ]


def area_rule_text(*, boundary_rule: str, crs_name: str) -> str:
    """How areas were measured, for the method column."""
    return f"ground areas ({boundary_rule} boundary rule, {crs_name})"


def connectivity_barrier(
    grid: CityGrid, *, codes: CategoryCodes, method: LandcoverMethod, barriers: gpd.GeoSeries | None,
) -> np.ndarray | None:
    """Barrier cells of a grid for I2: rasterised barrier polygons, plus built-up cells when configured."""
    barrier = None
    if barriers is not None and not barriers.empty:
        barrier = barrier_mask(barriers, crs=grid.crs, shape=grid.codes.shape, transform=grid.transform)
    if method.builtup_is_barrier:
        built = codes_mask(grid.codes, codes.built_up)
        barrier = built if barrier is None else barrier | built
    return barrier


def compute_landcover_indicators(
    grid: CityGrid, *, legend: Legend, method: LandcoverMethod, barriers: gpd.GeoSeries | None = None,
) -> LandcoverResult:
    """Compute I1, I2 (MESH and coherence), I11 and I12 for one city grid held whole in memory.

    This is the reference implementation; :mod:`cbindex.landcover_blockwise` computes the same values strip
    by strip in bounded memory. Formulas: see :func:`landcover_values`. ``barriers`` (polygons from
    :func:`cbindex.barriers.read_barriers`) split patches and may not be bridged by the gap rule.

    Raises
    ------
    CBIInputError
        The raster holds codes the legend does not define.
    """
    codes = CategoryCodes.from_legend(legend, method)
    areas, natural = measure_categories(grid, legend=legend, codes=codes)
    groups = label_natural_groups(
        natural, cell_width_m=grid.cell_width_m, cell_height_m=grid.cell_height_m,
        gap_distance_m=method.gap_distance_m, neighbourhood=method.neighbourhood,
        barrier=connectivity_barrier(grid, codes=codes, method=method, barriers=barriers),
    )
    group_areas = group_areas_m2(groups.labels, weight=grid.weight, row_area_m2=grid.row_area_m2,
                                 n_groups=groups.n_groups)
    values = landcover_values(
        areas=areas, group_areas_m2_=group_areas, n_patches=groups.n_patches, n_groups=groups.n_groups,
        method=method, legend=legend, codes=codes,
        area_rule=area_rule_text(boundary_rule=grid.boundary_rule, crs_name=grid.crs.name),
    )
    return LandcoverResult(values=values, natural=natural, groups=groups, group_areas_m2=group_areas)


def percent(numerator: float, denominator: float) -> float:
    """``100 · numerator ÷ denominator``; NaN (not assessed) when the denominator is not positive."""
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
