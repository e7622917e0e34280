"""Every spatial indicator per district and year, from one strip pass over the city: I1, I2, I11, I12
(:mod:`cbindex.landcover.district_areas`) and, where the city has overlays, I9, every coverage layer's shares and
I13.

Per district ``d`` (areas summed over the cells whose district id is ``d``, :func:`cbindex.geo.districts.district_ids`;
each cell's share under the polygons as :func:`cbindex.overlays.areas.cell_shares` gives it for the city):

- ``I9_d = natural area under protected areas in d ÷ district area × 100`` (SI 2014 indicator 9);
- per coverage layer ``<id>`` of config ``coverage_layers`` the city gives (the red line ``redline``, the basic
  ecological control line ``eco_control_line``, ...; :mod:`cbindex.overlays.coverage_shares` for the city):
  ``<id>_coverage_d = area of the layer in d ÷ district area × 100`` (any land cover; ``redline_coverage`` is cn-ubi
  indicator 24) and ``<id>_natural_share_d = natural area in the layer in d ÷ area of the layer in d × 100`` (NaN,
  not assessed, where none of the layer lies in d), with the areas ``<id>_area`` and ``<id>_natural_area`` (ha);
- ``I13_d = natural area under parks ∪ protected areas in d [ha] ÷ (residents of d ÷ 1000)`` (SI 2014 indicator
  13), only where the districts layer gives residents (``districts_population_column``); else not computed.

Row 0 of every result is "no district": the city's cells no district polygon covers, so that each area summed over
the districts and row 0 equals the city's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from cbindex.core.coverage_layers import REDLINE
from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.output_names import COUNTED_LAYER
from cbindex.core.units import SQUARE_METRES_PER_HECTARE, percent
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import open_city_window
from cbindex.geo.districts import CityDistricts, district_ids
from cbindex.landcover.area_shares import area_rule_text
from cbindex.landcover.blockwise import BlockwiseResult, StripCells, compute_landcover_indicators_blockwise
from cbindex.landcover.district_areas import DistrictAreas, district_landcover_values
from cbindex.landcover.stage import LandcoverInputs
from cbindex.overlays.areas import cell_shares, prepare_for_rule
from cbindex.overlays.parks import PERSONS_PER_THOUSAND

NO_DISTRICT_NAME = "(no district)"
"""Name of row 0: city cells in no district polygon."""


@dataclass(frozen=True)
class DistrictPass:
    """The outcome of the pass: the city's own result and every district's rows (index 0 = no district)."""

    city: BlockwiseResult
    areas: DistrictAreas
    rows: dict[int, list[IndicatorValue]]
    names: tuple[str, ...]
    """``names[d]`` of district id ``d`` (``names[0]`` = :data:`NO_DISTRICT_NAME`)."""


def measure_districts(
    job: LandcoverInputs,
    districts: CityDistricts,
    *,
    overlays: Mapping[str, BaseGeometry] | None = None,
    coverage_ids: Sequence[str] = (REDLINE,),
) -> DistrictPass:
    """Run the city's land-cover strip pass once, with a district id per cell, and compute every district's rows.

    ``overlays``: name (``protected_areas``, a coverage layer's id such as ``redline``, ``parks_counted``) →
    dissolved polygons in the raster's CRS; ``coverage_ids``: the ids of config ``coverage_layers``, in config
    order (those among ``overlays`` give their shares). Returns the city's
    :class:`~cbindex.landcover.blockwise.BlockwiseResult` of the same pass, so that the district sums can be checked
    against the city totals of the very same cells.
    """
    window = open_city_window(job.raster_path, job.boundary)
    step = None if window.crs == districts.crs else job.boundary.densify_step()
    geometries = districts.to_crs(window.crs, max_segment_length=step)
    rule = job.method.boundary_rule
    prepared = {
        name: prepare_for_rule(geometry, city_geometry=window.geometry, boundary_rule=rule)
        for name, geometry in (overlays or {}).items()
    }
    areas = DistrictAreas(n_districts=len(geometries))

    def add_strip(strip: StripCells) -> None:
        ids = district_ids(
            geometries, shape=strip.grid.codes.shape, transform=strip.grid.transform, crs=window.crs, boundary_rule=rule
        )
        shares = {name: cell_shares(strip.grid, geometry) for name, geometry in prepared.items()}
        areas.add_strip(strip, ids, shares=shares)

    city = compute_landcover_indicators_blockwise(
        job.raster_path, job.boundary, on_strip=add_strip, window=window, **job.computation()
    )
    rows = district_landcover_values(
        areas,
        group_of_patch=city.group_of_patch,
        codes=CategoryCodes.from_legend(job.legend, job.method),
        method=job.method,
        area_rule=area_rule_text(boundary_rule=rule, crs_name=window.crs.name),
    )
    for district, values in rows.items():
        persons = None
        if districts.population is not None and district > 0:
            persons = districts.population[district - 1]  # None: the population CSV has no row for it
        values += overlay_values(areas, district=district, persons=persons, coverage_ids=coverage_ids)
    return DistrictPass(city=city, areas=areas, rows=rows, names=(NO_DISTRICT_NAME, *districts.names))


def overlay_values(
    areas: DistrictAreas, *, district: int, persons: float | None, coverage_ids: Sequence[str] = (REDLINE,)
) -> list[IndicatorValue]:
    """I9, each coverage layer's shares (%) and areas (ha) and I13 of one district (formulas in the module
    docstring), for the overlays measured in the pass; the coverage layers in the order of ``coverage_ids``."""
    district_m2 = areas.category_m2(None)[district]
    how = "district of each cell as for the land-cover rows; overlay share per cell as for the city"
    values = []
    if "protected_areas" in areas.under_m2:
        natural = areas.under_natural_m2["protected_areas"][district]
        values += [
            IndicatorValue("protected_natural_area", natural / SQUARE_METRES_PER_HECTARE, "ha", how),
            IndicatorValue("I9", percent(natural, district_m2), "%", f"natural under protected / district; {how}"),
        ]
    for layer_id in coverage_ids:
        if layer_id not in areas.under_m2:
            continue
        under = areas.under_m2[layer_id][district]
        natural = areas.under_natural_m2[layer_id][district]
        layer = "red line" if layer_id == REDLINE else f"coverage layer {layer_id}"
        values += [
            IndicatorValue(f"{layer_id}_area", under / SQUARE_METRES_PER_HECTARE, "ha", how),
            IndicatorValue(f"{layer_id}_natural_area", natural / SQUARE_METRES_PER_HECTARE, "ha", how),
            IndicatorValue(f"{layer_id}_coverage", percent(under, district_m2), "%", f"{layer} / district; {how}"),
            IndicatorValue(f"{layer_id}_natural_share", percent(natural, under), "%", f"natural / {layer}; {how}"),
        ]
    if COUNTED_LAYER in areas.under_m2 and persons is not None:
        counted_ha = areas.under_natural_m2[COUNTED_LAYER][district] / SQUARE_METRES_PER_HECTARE
        value = counted_ha / (persons / PERSONS_PER_THOUSAND) if persons > 0 else float("nan")
        values += [
            IndicatorValue("parks_and_protected_natural_area", counted_ha, "ha", how),
            IndicatorValue("population", persons, "persons", "districts layer, districts_population_column"),
            IndicatorValue(
                "I13",
                value,
                "ha per 1000 persons",
                f"natural under parks and protected [ha] / (residents / 1000); {how}",
            ),
        ]
    return values


def district_sums(result: DistrictPass) -> dict[str, float]:
    """Each summable area row (ha) added over the districts and "no district" (math.fsum)."""
    names = {value.indicator for values in result.rows.values() for value in values if value.unit == "ha"}
    sums = {}
    for name in sorted(names - {"I2"}):
        sums[name] = math.fsum(v.value for values in result.rows.values() for v in values if v.indicator == name)
    return sums


def piece_total_m2(areas: DistrictAreas) -> float:
    """All group pieces added up: the habitat area of the city's I2 groups (m²)."""
    return float(np.sum(list(areas.piece_m2.values()))) if areas.piece_m2 else 0.0


ALL_DISTRICTS_ID = -1
"""``district_id`` of the rows that describe the district layer as a whole (how it tiles the city)."""
ALL_DISTRICTS_NAME = "(all districts)"


def district_rows(result: DistrictPass, districts: CityDistricts, *, city: str, year: int) -> pd.DataFrame:
    """The unscored rows of ``districts.csv``: every district's values (id 0 = no district), each district's area
    outside the city (``outside_city_area``, ha), and the tiling rows of the layer (``district_gap_area``,
    ``district_overlap_area``, ``district_outside_area``, ha, measured on the polygons; id -1)."""
    records = []
    for district, values in result.rows.items():
        for value in values:
            records.append((district, result.names[district], value.indicator, value.value, value.unit, value.method))
    outside = dict(districts.tiling.outside)
    polygons = f"measured on the polygons of {districts.path}, equal-area projection"
    for district, name in enumerate(districts.names, start=1):
        records.append((district, name, "outside_city_area", outside.get(name, 0.0), "ha", polygons))
    tiling = districts.tiling
    for indicator, value, what in (
        ("district_gap_area", tiling.gap_ha, "city area in no district (its cells are the '(no district)' row)"),
        ("district_overlap_area", tiling.overlap_ha, "area in two or more districts (a cell counts in the first)"),
        ("district_outside_area", tiling.outside_ha, "district area outside the city (not counted)"),
    ):
        records.append((ALL_DISTRICTS_ID, ALL_DISTRICTS_NAME, indicator, value, "ha", f"{what}; {polygons}"))
    frame = pd.DataFrame(records, columns=["district_id", "district", "indicator", "value", "unit", "method"])
    return frame.assign(city=city, year=year)


def district_frame(table: pd.DataFrame, districts: CityDistricts) -> gpd.GeoDataFrame:
    """The district polygons joined to their values: one feature per district (``district_id``, ``district``),
    per indicator a column of its value and, when scored, ``<indicator>_points``."""
    rows = table[table["district_id"] > 0]
    values = rows.pivot(index="district_id", columns="indicator", values="value")
    points = rows[rows["status"] == "scored"].pivot(index="district_id", columns="indicator", values="points")
    frame = values.join(points.add_suffix("_points")).reindex(range(1, len(districts.names) + 1))
    frame.insert(0, "district", list(districts.names))
    frame.insert(0, "district_id", frame.index.astype("int64"))
    geometries = [shapely.MultiPolygon(list(shapely.get_parts(g))) for g in districts.geometries]
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometries, crs=districts.crs)
