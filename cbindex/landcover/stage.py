"""The land-cover stage of the workflow for one city and year: read, compute, write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.windows
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.geopackage import atomic_geopackage
from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, IndicatorValue, write_csv, write_indicator_table
from cbindex.core.method import LandcoverMethod
from cbindex.core.output_names import GROUPS_LAYER, LINKS_LAYER, NATURAL_PATCHES_LAYER
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo import area_crs
from cbindex.geo.barriers import BarrierSpec
from cbindex.geo.boundary import BoundarySpec, CityBoundary
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, CityWindow, open_city_window, strips
from cbindex.geo.coverage import raster_coverage
from cbindex.geo.legends import Legend, load_legend
from cbindex.landcover.bands import compute_band, merge_bands, window_bands
from cbindex.landcover.blockwise import (
    BlockwiseResult,
    StripCells,
    compute_landcover_indicators_blockwise,
    habitat_is_natural,
)
from cbindex.landcover.landuse_polygons import (
    LandUseSpec,
    exact_class_areas,
    polygon_area_values,
    read_landuse_polygons,
)
from cbindex.landcover.landuse_raster import LandUseGrid, nodata_code, rasterize_landuse
from cbindex.landcover.link_crossings import classes_along_links, crosses_barriers
from cbindex.landcover.links import candidate_links
from cbindex.landcover.scenarios import Scenario, apply_scenario
from cbindex.landcover.spatial_outputs import NaturalMaskWriter, PassPolygons, StripRasterWriter
from cbindex.landcover.transitions import compute_landcover_transitions  # noqa: F401 - the rule's stage

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandcoverInputs:
    """The inputs every land-cover job of one city and year reads (config ``method``, the city sheet row)."""

    city: str
    year: int
    raster_path: str
    boundary: CityBoundary
    legend: Legend
    method: LandcoverMethod
    barriers: gpd.GeoSeries | None
    block_rows: int

    @classmethod
    def read(
        cls,
        *,
        city: str,
        year: int,
        raster_path: str,
        boundary: BoundarySpec,
        legend_path: str,
        method: dict,
        block_rows: int = DEFAULT_BLOCK_ROWS,
        barriers: BarrierSpec | None = None,
    ) -> LandcoverInputs:
        """Read the boundary, legend and barriers of a job; ``method`` holds every
        :class:`~cbindex.core.method.LandcoverMethod` field (config ``method`` and the sheet's natural classes),
        ``barriers`` the city's barrier file and how to read it (None when the sheet names none)."""
        city_boundary = boundary.read()
        return cls(
            city=city,
            year=year,
            raster_path=raster_path,
            boundary=city_boundary,
            legend=load_legend(legend_path),
            method=LandcoverMethod(**method),
            barriers=None if barriers is None else barriers.read(city=city_boundary),
            block_rows=block_rows,
        )

    def polygons(self, *, width: int) -> PassPolygons:
        """Collectors of the pass's group and natural patch polygons (the patches are labelled apart only when
        barriers make I2's habitat differ from the natural cells)."""
        return PassPolygons(
            width=width,
            neighbourhood=self.method.neighbourhood,
            habitat_is_natural=habitat_is_natural(self.method, self.barriers),
        )

    def computation(self) -> dict:
        """Keyword arguments of the land-cover computations in :mod:`cbindex.landcover.blockwise`."""
        return {"legend": self.legend, "method": self.method, "block_rows": self.block_rows, "barriers": self.barriers}


def compute_landcover_indicators(
    *,
    indicators_csv: str,
    natural_mask_tif: str,
    groups_gpkg: str,
    equal_area_crs: str,
    boundary_coverage_tolerance_percent: float,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    landuse: LandUseOutputs | None = None,
    **inputs,
) -> None:
    """Compute the land-cover indicators of one city and year and write the table, mask and groups.

    ``inputs`` are those of :meth:`LandcoverInputs.read` (``method`` holds the
    :class:`~cbindex.core.method.LandcoverMethod` fields, config ``method``). The raster is processed
    in strips of ``block_rows`` rows (:mod:`cbindex.landcover.blockwise`), so memory is bounded by the strip
    size. The table's rows also compare the boundary's own area (in ``equal_area_crs``) with the area covered
    by raster cells, and a warning is logged when they differ by more than the tolerance (raster not covering
    the whole city, or nodata holes). ``landuse``: the raster was burnt from land-use polygons
    (:func:`rasterize_landcover_vector`), whose exact areas give the area rows and I1, I11, I12.
    """
    job = LandcoverInputs.read(**inputs)
    city_window = open_city_window(job.raster_path, job.boundary)
    polygons = job.polygons(width=city_window.shape[1])
    with NaturalMaskWriter(
        natural_mask_tif, shape=city_window.shape, transform=city_window.transform, crs=city_window.crs
    ) as mask_writer:

        def write_strip(strip: StripCells) -> None:
            mask_writer.write_strip(weight=strip.grid.weight, natural=strip.natural, row_start=strip.row_start)
            polygons.add_strip(
                local_labels=strip.local_labels,
                label_offset=strip.label_offset,
                natural=strip.natural,
                row_area_m2=strip.grid.row_area_m2,
                transform=strip.grid.transform,
                habitat=strip.habitat,
                runs=strip.runs,
            )

        result = compute_landcover_indicators_blockwise(
            job.raster_path, job.boundary, on_strip=write_strip, window=city_window, **job.computation()
        )
    write_groups(groups_gpkg, polygons, result, job=job)
    write_landcover_table(
        indicators_csv,
        job,
        result,
        equal_area_crs=equal_area_crs,
        boundary_coverage_tolerance_percent=boundary_coverage_tolerance_percent,
        csv_encoding=csv_encoding,
        landuse=landuse,
    )


@dataclass(frozen=True)
class LandUseOutputs:
    """What :func:`rasterize_landcover_vector` wrote beside the raster: the exact class areas and the polygon check."""

    class_areas_csv: str
    check_csv: str

    def values(self, computed: list[IndicatorValue], *, job: LandcoverInputs, city_ha: float) -> list[IndicatorValue]:
        """The grid's rows with the area rows and I1, I11, I12 from the exact polygon areas, and the check's rows."""
        class_areas = pd.read_csv(self.class_areas_csv, encoding="utf-8-sig")
        check = pd.read_csv(self.check_csv, encoding="utf-8-sig")
        exact = polygon_area_values(
            computed,
            class_areas=class_areas,
            city_ha=city_ha,
            codes=CategoryCodes.from_legend(job.legend, job.method),
            legend=job.legend,
        )
        return exact + [IndicatorValue(row.indicator, row.value, row.unit, row.method) for row in check.itertuples()]


def rasterize_landcover_vector(
    *,
    city: str,
    year: int,
    landuse: LandUseSpec,
    boundary: BoundarySpec,
    legend_path: str,
    cell_size_m: float,
    raster_tif: str,
    class_areas_csv: str,
    check_csv: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Land-use polygons of one city and year as a land-cover raster, their exact class areas and their check.

    The raster (:func:`cbindex.landcover.landuse_raster.rasterize_landuse`, cells of ``cell_size_m`` in the
    layer's projected CRS) is the land-cover input of the year's other rules; the class areas
    (:func:`cbindex.landcover.landuse_polygons.exact_class_areas`) give I1, I11 and I12 exactly; the check table
    holds the rows ``landuse_polygons``, ``landuse_repaired`` (counts) and ``landuse_overlap_area`` (ha).
    """
    city_boundary = boundary.read()
    legend = load_legend(legend_path)
    extent = shapely.segmentize(shapely.box(*city_boundary.geometry.bounds), city_boundary.densify_step())
    polygons = read_landuse_polygons(landuse, legend=legend, bbox=gpd.GeoSeries([extent], crs=city_boundary.crs))
    LOGGER.info("City %s %s: %s", city, year, polygons.summary())
    grid = LandUseGrid.covering(city_boundary, crs=polygons.crs, cell_size_m=cell_size_m)
    covered = rasterize_landuse(
        polygons, grid=grid, out_tif=raster_tif, nodata=nodata_code(legend), block_rows=block_rows
    )
    LOGGER.info("City %s %s: %d x %d cells of %g m, %d covered", city, year, *grid.shape, cell_size_m, covered)
    write_csv(
        exact_class_areas(polygons, boundary=city_boundary, legend=legend), class_areas_csv, encoding=csv_encoding
    )
    source = f"{polygons.path} field {landuse.code_column}"
    write_indicator_table(
        check_csv,
        city=city,
        year=year,
        encoding=csv_encoding,
        values=[
            IndicatorValue(
                "landuse_polygons", float(polygons.n_features), "count", f"land-use polygons read; {source}"
            ),
            IndicatorValue(
                "landuse_repaired",
                float(polygons.n_repaired),
                "count",
                f"invalid polygons repaired with make_valid; {source}",
            ),
            IndicatorValue(
                "landuse_overlap_area",
                polygons.overlap_area_ha,
                "ha",
                f"area where {polygons.n_overlapping} polygons overlapped an earlier one, counted once (first feature "
                f"wins); {source}",
            ),
        ],
    )


def compute_landcover_band(
    *,
    band: int,
    n_bands: int,
    state_npz: str,
    mask_part_tif: str,
    labels_part_tif: str,
    **inputs,
) -> None:
    """One band of a city computed as a separate job: its state, its part of the mask, its patch labels.

    :func:`merge_landcover_bands` joins the bands into the outputs of :func:`compute_landcover_indicators`,
    identical to them.
    """
    job = LandcoverInputs.read(**inputs)
    window = open_city_window(job.raster_path, job.boundary)
    start, stop = window_bands(window, method=job.method, n_bands=n_bands, block_rows=job.block_rows)[band]
    part = {
        "shape": (stop - start, window.shape[1]),
        "transform": window.transform @ Affine.translation(0, start),
        "crs": window.crs,
        "cloud_optimised": False,
    }
    with (
        NaturalMaskWriter(mask_part_tif, **part) as mask_writer,
        StripRasterWriter(labels_part_tif, dtype="int32", nodata=None, **part) as labels_writer,
    ):

        def write_strip(strip: StripCells) -> None:
            mask_writer.write_strip(weight=strip.grid.weight, natural=strip.natural, row_start=strip.row_start - start)
            labels = np.where(strip.local_labels > 0, strip.local_labels + strip.label_offset, 0)
            labels_writer.write(labels.astype(np.int32), row_start=strip.row_start - start)

        with atomic_path(state_npz) as temporary:
            compute_band(
                job.raster_path,
                job.boundary,
                band=band,
                n_bands=n_bands,
                state_path=str(temporary),
                on_strip=write_strip,
                window=window,
                **job.computation(),
            )
    LOGGER.info("City %s %s: band %d of %d, rows %d-%d", job.city, job.year, band + 1, n_bands, start, stop)


def merge_landcover_bands(
    *,
    state_npzs: list[str],
    mask_part_tifs: list[str],
    labels_part_tifs: list[str],
    indicators_csv: str,
    natural_mask_tif: str,
    groups_gpkg: str,
    equal_area_crs: str,
    boundary_coverage_tolerance_percent: float,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    landuse: LandUseOutputs | None = None,
    **inputs,
) -> None:
    """Join the bands of a city (:func:`compute_landcover_band`) into the land-cover stage's outputs."""
    job = LandcoverInputs.read(**inputs)
    merged = merge_bands(job.raster_path, job.boundary, state_paths=list(state_npzs), **job.computation())
    window = merged.result.window
    polygons = job.polygons(width=window.shape[1])
    with NaturalMaskWriter(
        natural_mask_tif, shape=window.shape, transform=window.transform, crs=window.crs
    ) as mask_writer:
        for (start, stop), mask_part, labels_part, shift in zip(
            merged.band_rows, mask_part_tifs, labels_part_tifs, merged.band_label_shifts, strict=True
        ):
            if stop <= start:
                continue
            with rasterio.open(mask_part) as masks, rasterio.open(labels_part) as labels:
                for row, row_stop in strips(stop - start, job.block_rows):
                    part_window = rasterio.windows.Window(0, row, window.shape[1], row_stop - row)
                    mask = masks.read(1, window=part_window)
                    mask_writer.write(mask, row_start=start + row)
                    polygons.add_strip(
                        local_labels=labels.read(1, window=part_window),
                        label_offset=shift,
                        natural=mask == 1,
                        row_area_m2=window.row_area_m2[start + row : start + row_stop],
                        transform=window.transform @ Affine.translation(0, start + row),
                    )
    write_groups(groups_gpkg, polygons, merged.result, job=job)
    write_landcover_table(
        indicators_csv,
        job,
        merged.result,
        equal_area_crs=equal_area_crs,
        boundary_coverage_tolerance_percent=boundary_coverage_tolerance_percent,
        csv_encoding=csv_encoding,
        landuse=landuse,
    )


def write_groups(groups_gpkg: str, polygons: PassPolygons, result: BlockwiseResult, *, job: LandcoverInputs) -> None:
    """The groups GeoPackage: layer ``connectivity_groups`` (one multipolygon per I2 group with its I2 area), layer
    ``natural_patches`` (one multipolygon per natural patch with its cells and ground area) and layer
    ``candidate_links`` (:func:`link_layer`)."""
    layers = polygons.frames(result)
    started = time.perf_counter()
    links = link_layer(layers[GROUPS_LAYER], result, job=job)
    with atomic_geopackage(groups_gpkg) as package:
        for name, frame in layers.items():
            package.add_layer(name, frame, geometry_type="MultiPolygon")
        package.add_layer(LINKS_LAYER, links, geometry_type="LineString")
    LOGGER.info(
        "Wrote %d group and %d natural patch polygons and %d candidate links (found in %.1f s) to %s",
        len(layers[GROUPS_LAYER]),
        len(layers[NATURAL_PATCHES_LAYER]),
        len(links),
        time.perf_counter() - started,
        groups_gpkg,
    )


def link_layer(groups: gpd.GeoDataFrame, result: BlockwiseResult, *, job: LandcoverInputs) -> gpd.GeoDataFrame:
    """The candidate links of I2 (:func:`cbindex.landcover.links.candidate_links`, pairs of groups at most
    ``method.link_search_m`` apart) with the land cover under each (:func:`classes_along_links`), as lines in the
    raster's CRS; with barriers (a barrier file, or ``method.builtup_is_barrier``) also ``crosses_barrier``: the
    link crosses a barrier polygon, or built-up cells when they are barriers."""
    method = job.method
    total = result.value_of("natural_area" if method.mesh_denominator == "natural" else "city_area")
    window: CityWindow = result.window
    cell_size = min(abs(window.transform.a), abs(window.transform.e))
    links = candidate_links(groups, total_ha=total, link_search_m=method.link_search_m, cell_size=cell_size)
    links = links.to_crs(window.crs)
    crossed = classes_along_links(
        links.geometry, window=window, legend=job.legend, method=method, block_rows=job.block_rows
    )
    links = gpd.GeoDataFrame(
        pd.concat([links.drop(columns="geometry"), crossed, links.geometry], axis=1),
        geometry="geometry",
        crs=window.crs,
    )
    if job.barriers is not None or method.builtup_is_barrier:
        crossing = (
            np.zeros(len(links), dtype=bool) if job.barriers is None else crosses_barriers(links.geometry, job.barriers)
        )
        if method.builtup_is_barrier:
            crossing |= links["built_up_share"].to_numpy() > 0
        links.insert(links.columns.get_loc("geometry"), "crosses_barrier", crossing)
    return gpd.GeoDataFrame(links, geometry="geometry", crs=window.crs)


def write_landcover_table(
    indicators_csv: str,
    job: LandcoverInputs,
    result: BlockwiseResult,
    *,
    equal_area_crs: str,
    boundary_coverage_tolerance_percent: float,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    landuse: LandUseOutputs | None = None,
) -> None:
    """The indicator table, with the boundary's own area and how much of it the raster covers with data.

    Rows added to the computation's: ``boundary_area`` (ha, the polygon in ``equal_area_crs``), ``covered_share``
    (%, valid land-cover cells ÷ boundary area × 100), ``uncovered_area`` (ha, boundary land under no raster cell:
    boundary − valid − no-data cells, never negative) beside ``nodata_area`` (cells without data inside the city),
    ``boundary_features`` (count of the boundary file's features dissolved into the city: more than one means the
    filter matched several) and ``boundary_features_area`` (ha, their own equal-area areas summed).
    The scoring stage holds the year's spatial indicators as ``partial_coverage`` when the covered share falls
    short of 100 % by more than ``boundary_coverage_tolerance_percent``.
    """
    city, year = job.city, job.year
    LOGGER.info("City %s %s: read %d x %d cells of %s", city, year, *result.window.shape, job.raster_path)
    boundary_ha = boundary_area_ha(job.boundary, equal_area_crs=equal_area_crs)
    area_description = boundary_area_crs(job.boundary, equal_area_crs=equal_area_crs).description
    area_description = f"; {area_description}" if area_description else ""
    computed = result.values if landuse is None else landuse.values(result.values, job=job, city_ha=boundary_ha)
    value_of = {value.indicator: value.value for value in computed}
    coverage = raster_coverage(
        boundary_ha=boundary_ha, valid_ha=value_of["city_area"], nodata_ha=value_of["nodata_area"]
    )
    values = [
        *computed,
        IndicatorValue(
            "boundary_area",
            boundary_ha,
            "ha",
            f"area of the boundary polygon in {equal_area_crs} equal-area CRS{area_description}",
        ),
        IndicatorValue(
            "boundary_features",
            float(job.boundary.n_features),
            "count",
            f"features of {job.boundary.path} layer {job.boundary.layer} dissolved into the city",
        ),
        IndicatorValue(
            "covered_share",
            coverage.covered_share_percent,
            "%",
            "land-cover cells with data / boundary area x 100",
        ),
        IndicatorValue(
            "uncovered_area",
            coverage.uncovered_ha,
            "ha",
            "boundary area under no land-cover cell: boundary - cells with data - cells without data",
        ),
    ]
    if job.boundary.features_area_ha is not None:
        values.append(
            IndicatorValue(
                "boundary_features_area",
                job.boundary.features_area_ha,
                "ha",
                "the dissolved boundary features' own areas summed, equal-area projection centred on them",
            )
        )
    if coverage.shortfall_percent > boundary_coverage_tolerance_percent:
        LOGGER.warning(
            "City %s %s: land-cover cells with data cover %.2f %% of the boundary (%.1f ha without data, %.1f ha "
            "outside the raster); the year's spatial indicators are held as partial_coverage unless config "
            "on_partial_coverage is score.",
            city,
            year,
            coverage.covered_share_percent,
            value_of["nodata_area"],
            coverage.uncovered_ha,
        )
    write_indicator_table(indicators_csv, city=city, year=year, values=values, encoding=csv_encoding)
    LOGGER.info(
        "City %s %s: I1 %.2f %%, I2 %.1f ha, %d groups",
        city,
        year,
        value_of["I1"],
        value_of["I2"],
        result.n_groups,
    )


def boundary_area_ha(boundary: CityBoundary, *, equal_area_crs: str) -> float:
    """Area of the boundary polygon in the equal-area CRS config ``equal_area_crs`` gives, hectares.

    ``auto`` is a Lambert azimuthal equal-area projection centred on the boundary; a CRS that is not equal-area
    (e.g. a CGCS2000 Gauss-Krüger zone) is measured in such a projection on its own ellipsoid
    (:func:`boundary_area_crs`, :mod:`cbindex.geo.area_crs`).
    """
    crs = boundary_area_crs(boundary, equal_area_crs=equal_area_crs).crs
    return boundary.to_crs(crs, max_segment_length=boundary.densify_step()).area / SQUARE_METRES_PER_HECTARE


def boundary_area_crs(boundary: CityBoundary, *, equal_area_crs: str) -> area_crs.AreaCRS:
    """The CRS (and its description) the boundary's area is measured in, centred on the boundary's centroid."""
    centre = boundary.to_crs(CRS.from_epsg(4326)).centroid
    return area_crs.equal_area_crs(equal_area_crs, centre_lon=centre.x, centre_lat=centre.y)


def apply_city_scenario(
    *,
    scenario: dict,
    years: list[int],
    year_rasters: list[str],
    boundary: BoundarySpec,
    legend_path: str,
    raster_tif: str,
    changes_csv: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Write a scenario's land-cover raster and the effect of each of its changes
    (:func:`cbindex.landcover.scenarios.apply_scenario`); ``scenario`` is :meth:`Scenario.as_params`,
    ``year_rasters`` the rasters of ``years``."""
    plan = Scenario(
        **{key: value for key, value in scenario.items() if key != "changes"}, changes=tuple(scenario["changes"])
    )
    rasters = dict(zip(years, year_rasters, strict=True))
    effects = apply_scenario(
        plan,
        base_raster=rasters[plan.base_year],
        year_rasters=rasters,
        boundary=boundary.read(),
        legend=load_legend(legend_path),
        out_tif=raster_tif,
        block_rows=block_rows,
        encodings={"default_encoding": boundary.default_encoding},
    )
    write_csv(effects, changes_csv, encoding=csv_encoding)
