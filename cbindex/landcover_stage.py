"""The land-cover stage of the workflow for one city and year: read, compute, write."""

from __future__ import annotations

import logging

from pyproj import CRS

from cbindex.barriers import BarrierRule, read_barriers
from cbindex.boundary import CityBoundary, read_city_boundary
from cbindex.city_grid import open_city_window
from cbindex.indicator_table import write_indicator_table
from cbindex.landcover_blockwise import DEFAULT_BLOCK_ROWS, StripCells, compute_landcover_indicators_blockwise
from cbindex.landcover_indicators import IndicatorValue, LandcoverMethod
from cbindex.legends import load_legend
from cbindex.spatial_outputs import GroupPolygonCollector, NaturalMaskWriter, write_geopackage_layer

LOGGER = logging.getLogger(__name__)
SQUARE_METRES_PER_HECTARE = 10_000.0
GROUPS_LAYER = "connectivity_groups"


def run_landcover_stage(
    *, city: str, year: int, raster_path: str, boundary_path: str, boundary_layer: str | None,
    boundary_filter_column: str | None, boundary_filter_value: str | None, legend_path: str, method: dict,
    equal_area_crs: str, boundary_coverage_tolerance_percent: float, indicators_csv: str,
    natural_mask_tif: str, groups_gpkg: str, block_rows: int = DEFAULT_BLOCK_ROWS, barriers_path: str | None = None,
    barrier_rule: dict | None = None,
) -> None:
    """Compute the land-cover indicators of one city and year and write the table, mask and groups.

    ``method`` holds the :class:`~cbindex.landcover_indicators.LandcoverMethod` fields (config ``method``).
    The raster is processed in strips of ``block_rows`` rows (:mod:`cbindex.landcover_blockwise`), so memory
    is bounded by the strip size. The table's rows also compare the boundary's own area (in
    ``equal_area_crs``) with the area covered by raster cells, and a warning is logged when they differ by
    more than the tolerance (raster not covering the whole city, or nodata holes).
    """
    legend = load_legend(legend_path)
    boundary = read_city_boundary(
        boundary_path, layer=boundary_layer or None, filter_column=boundary_filter_column or None,
        filter_value=boundary_filter_value,
    )
    landcover_method = LandcoverMethod(**method)
    barriers = None
    if barriers_path:
        barriers = read_barriers(barriers_path, rule=BarrierRule(**(barrier_rule or {})), city=boundary)
    city_window = open_city_window(raster_path, boundary)
    polygons = GroupPolygonCollector()
    with NaturalMaskWriter(natural_mask_tif, shape=city_window.shape, transform=city_window.transform,
                           crs=city_window.crs) as mask_writer:

        def write_strip(strip: StripCells) -> None:
            mask_writer.write_strip(weight=strip.grid.weight, natural=strip.natural, row_start=strip.row_start)
            polygons.add_strip(local_labels=strip.local_labels, label_offset=strip.label_offset,
                               transform=strip.grid.transform)

        result = compute_landcover_indicators_blockwise(
            raster_path, boundary, legend=legend, method=landcover_method, block_rows=block_rows,
            on_strip=write_strip, barriers=barriers,
        )
        groups = polygons.frame(group_of_patch=result.group_of_patch, group_areas_m2=result.group_areas_m2,
                                crs=city_window.crs)
        write_geopackage_layer(groups_gpkg, groups, layer=GROUPS_LAYER)
    LOGGER.info("City %s %s: read %d x %d cells of %s", city, year, *city_window.shape, raster_path)
    boundary_ha = boundary_area_ha(boundary, equal_area_crs=equal_area_crs)
    covered_ha = result.value_of("city_area") + result.value_of("nodata_area")
    result.values.append(IndicatorValue(
        "boundary_area", boundary_ha, "ha", f"area of the boundary polygon in {equal_area_crs} equal-area CRS",
    ))
    difference = abs(covered_ha - boundary_ha) / boundary_ha * 100 if boundary_ha else 0.0
    if difference > boundary_coverage_tolerance_percent:
        LOGGER.warning(
            "City %s %s: raster cells cover %.1f ha but the boundary is %.1f ha (%.2f %% apart); the raster may "
            "not cover the whole city.", city, year, covered_ha, boundary_ha, difference,
        )
    write_indicator_table(indicators_csv, city=city, year=year, values=result.values)
    LOGGER.info("City %s %s: I1 %.2f %%, I2 %.1f ha, %d groups", city, year, result.value_of("I1"),
                result.value_of("I2"), result.n_groups)


def boundary_area_ha(boundary: CityBoundary, *, equal_area_crs: str) -> float:
    """Area of the boundary polygon in an equal-area CRS, hectares.

    ``equal_area_crs="auto"`` uses a Lambert azimuthal equal-area projection centred on the boundary.
    """
    if equal_area_crs == "auto":
        centre = boundary.to_crs(CRS.from_epsg(4326)).centroid
        crs = CRS.from_proj4(f"+proj=laea +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
    else:
        crs = CRS.from_user_input(equal_area_crs)
    return boundary.to_crs(crs, max_segment_length=boundary.densify_step()).area / SQUARE_METRES_PER_HECTARE
