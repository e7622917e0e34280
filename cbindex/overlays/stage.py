"""The overlay stage of the workflow for one city and year: protected areas (I9), red line, parks (I13)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely
from rasterio.transform import array_bounds
from shapely.geometry.base import BaseGeometry

from cbindex.core.geopackage import write_geopackage
from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, IndicatorValue, write_csv, write_indicator_table
from cbindex.core.method import OVERLAY_METHOD_KEYS, LandcoverMethod
from cbindex.core.output_names import (
    COUNTED_LAYER,
    DISTRICTS_LAYER,
    OVERLAY_LAYER_NAMES,
    SCENARIO_CHANGES_LAYER,
    overlay_layer_names,
)
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import BoundarySpec, dissolve_polygons
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, CityWindow, open_city_window
from cbindex.geo.districts import DistrictsSpec
from cbindex.geo.legends import load_legend
from cbindex.geo.overlay_polygons import AttributeFilter, OverlayPolygons, read_overlay_polygons
from cbindex.geo.population import city_population
from cbindex.landcover.area_shares import area_rule_text
from cbindex.landcover.scenarios import CHANGE_COLUMNS
from cbindex.landcover.stage import LandcoverInputs, boundary_area_ha
from cbindex.overlays.areas import OverlayAreas, measure_overlays
from cbindex.overlays.coverage_shares import coverage_values
from cbindex.overlays.district_indicators import district_frame, district_rows, measure_districts
from cbindex.overlays.parks import parks_values
from cbindex.overlays.protected_areas import category_values, protected_values
from cbindex.overlays.scenario_overlays import (
    OverlayChange,
    apply_overlay_changes,
    overlay_changes,
    scenario_population,
)
from cbindex.scoring.consistency import check_district_sums
from cbindex.scoring.district_scores import DISTRICT_COLUMNS, add_change_since_previous_year, score_district_rows
from cbindex.scoring.overrides import load_city_rule_set

LOGGER = logging.getLogger(__name__)

DEFAULT_COVERAGE_LAYERS = ({"id": "redline", "name": "ecological protection red line", "name_zh": "生态保护红线"},)
"""The coverage layers when none are given: the red line alone."""


def compute_overlay_indicators(
    *,
    city: str,
    year: int,
    raster_path: str,
    boundary: BoundarySpec,
    legend_path: str,
    method: Mapping[str, object],
    overlay_rules: Mapping[str, dict | None],
    overlay_paths: Mapping[str, str | None],
    overlay_layers: Mapping[str, str | None],
    population: str | None,
    population_raster_path: str | None,
    equal_area_crs: str,
    boundary_coverage_tolerance_percent: float,
    indicators_csv: str,
    overlays_gpkg: str,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    overlay_encodings: Mapping[str, Mapping[str, str | None]] | None = None,
    coverage_layers: Sequence[Mapping[str, str]] | None = None,
    scenario_changes: Sequence[Mapping[str, object]] = (),
    changes_csv: str | None = None,
) -> None:
    """Compute the overlay indicators of one city and year; write their table and the counted polygons.

    For a what-if scenario (rule ``compute_scenario_overlay_indicators``) ``raster_path`` is the scenario's land
    cover and ``scenario_changes`` its list of changes: its ``overlay`` changes are applied to the year's overlays
    and its ``population`` replaces the year's (:mod:`cbindex.overlays.scenario_overlays`); the region each changed
    is measured and written to ``changes_csv`` (columns :data:`~cbindex.landcover.scenarios.CHANGE_COLUMNS`, one
    row per overlay or population change).

    Parameters
    ----------
    overlay_rules : dict
        Config ``overlays``: per kind (``protected_areas``, ``redline``, ``parks``) its ``where`` and
        ``exclude`` attribute filters.
    overlay_paths, overlay_layers : dict
        Per kind, the file (city-sheet column ``<kind>``, empty = not assessed) and its layer.
    overlay_encodings : dict, optional
        Per kind, how the file's text is decoded: ``encoding`` (city-sheet column ``<kind>_encoding``) and
        ``default_encoding`` (config ``vector_encoding``), keywords of
        :func:`~cbindex.geo.overlay_polygons.read_overlay_polygons`; a kind left out gets what its file declares.
    population, population_raster_path : str or None
        The sheet's population number, or a population-count raster (at most one).
    method : dict
        The method settings this stage reads, :data:`~cbindex.core.method.OVERLAY_METHOD_KEYS` (natural
        classes, boundary rule; the others do not change its outputs); the ``method`` column names them.
    coverage_layers : list of dict, optional
        Config ``coverage_layers`` (``id``, ``name``, ``name_zh``): the kinds of ``overlay_paths`` that are
        coverage layers; default the red line alone (:data:`DEFAULT_COVERAGE_LAYERS`).

    Writes ``indicators_csv`` (columns city, year, indicator, value, unit, method: I9 and its areas when
    protected areas are given, and the area per category of China's protected-area system with a category
    column; ``<id>_coverage``, ``<id>_natural_share`` and their areas for each coverage layer given, e.g.
    ``redline_coverage``; I13 with parks, NaN without a population) and ``overlays_gpkg`` (layers
    ``protected_natural_areas``, ``<id>_areas`` per configured coverage layer, ``parks_counted``: the dissolved
    polygons clipped to the city, with ``area_ha`` and ``natural_area_ha`` measured on the raster; empty when not
    given).
    """
    legend = load_legend(legend_path)
    city_boundary = boundary.read()
    landcover_method = LandcoverMethod(**method)
    window = open_city_window(raster_path, city_boundary)
    layers, geometries = read_overlay_layers(
        window,
        overlay_rules=overlay_rules,
        overlay_paths=overlay_paths,
        overlay_layers=overlay_layers,
        overlay_encodings=overlay_encodings,
    )
    kinds = {kind: layer.geometry for kind, layer in layers.items()}
    categories = dict(layers["protected_areas"].categories) if "protected_areas" in layers else {}
    sources = {kind: layer.describe() for kind, layer in layers.items()}
    changes = overlay_changes(scenario_changes)
    changed = {}
    if changes:
        kinds, categories, changed = apply_overlay_changes(
            kinds,
            categories,
            changes=changes,
            target_crs=window.crs,
            clip_bounds=array_bounds(*window.shape, window.transform),
            with_categories=bool(AttributeFilter.from_config(overlay_rules.get("protected_areas")).category_column),
            default_encoding=(overlay_encodings or {}).get("protected_areas", {}).get("default_encoding"),
        )
        for change in changes:
            sources[change.kind] = "; ".join(filter(None, [sources.get(change.kind), f"scenario: {change.describe()}"]))
        geometries = {
            **measured_sets(kinds, categories),
            **{changed_set(step): region for step, region in changed.items()},
        }
    areas = measure_overlays(
        window,
        legend=legend,
        codes=CategoryCodes.from_legend(legend, landcover_method),
        geometries=geometries,
        boundary_rule=landcover_method.boundary_rule,
        block_rows=block_rows,
    )
    area_rule = area_rule_text(boundary_rule=landcover_method.boundary_rule, crs_name=window.crs.name)
    how = f"{area_rule}; {landcover_method.describe(keys=OVERLAY_METHOD_KEYS)}"
    values: list[IndicatorValue] = []
    if "protected_areas" in kinds:
        values += protected_values(areas=areas, name="protected_areas", source=sources["protected_areas"], how=how)
        values += category_values(
            areas=areas,
            names={category_id: category_set(category_id) for category_id in categories},
            source=sources["protected_areas"],
            how=how,
        )
    for layer in coverage_layers if coverage_layers is not None else DEFAULT_COVERAGE_LAYERS:
        if layer["id"] in kinds:
            values += coverage_values(
                areas=areas, layer_id=layer["id"], name=layer["name"], source=sources[layer["id"]], how=how
            )
    scenario_people = scenario_population(scenario_changes)
    if scenario_people is not None:
        population, population_raster_path = f"{scenario_people[1]:.0f}", None
    if "parks" in kinds:
        people = city_population(
            population=population,
            raster_path=population_raster_path or None,
            boundary=city_boundary,
            block_rows=block_rows,
            boundary_area_ha=boundary_area_ha(city_boundary, equal_area_crs=equal_area_crs),
            coverage_tolerance_percent=boundary_coverage_tolerance_percent,
        )
        source = "; ".join(sources[kind] for kind in ("parks", "protected_areas") if kind in kinds)
        values += parks_values(
            areas=areas,
            parks_name="parks",
            counted_name=COUNTED_LAYER,
            source=source,
            how=how,
            persons=people.persons if people else None,
            population_method=people.method
            if people
            else "no population (give population or population_raster in the city sheet)",
        )
    elif population or population_raster_path:
        LOGGER.warning("City %s %s: a population is given but no parks, so I13 is not computed.", city, year)
    layer_names = overlay_layer_names(
        [layer["id"] for layer in (coverage_layers if coverage_layers is not None else DEFAULT_COVERAGE_LAYERS)]
    )
    frames = overlay_frames(window, geometries=geometries, areas=areas, layer_names=layer_names)
    if changes:
        frames[SCENARIO_CHANGES_LAYER] = changed_regions_frame(window, changes=changes, changed=changed, areas=areas)
    write_overlay_layers(overlays_gpkg, layers=frames)
    if changes_csv is not None:
        effects = scenario_change_rows(
            changes, areas=areas, population_step=scenario_people, parks_given="parks" in kinds
        )
        write_csv(effects, changes_csv, encoding=csv_encoding)
    write_indicator_table(indicators_csv, city=city, year=year, values=values, encoding=csv_encoding)
    LOGGER.info(
        "City %s %s: %s",
        city,
        year,
        ", ".join(f"{v.indicator} {v.value:.3f} {v.unit}" for v in values if not v.indicator.endswith("area")),
    )


def category_set(category_id: str) -> str:
    """The name under which one protected-area category's polygons are measured (``protected_areas:<id>``)."""
    return f"protected_areas:{category_id}"


def read_overlay_layers(
    window: CityWindow,
    *,
    overlay_rules: Mapping[str, dict | None],
    overlay_paths: Mapping[str, str | None],
    overlay_layers: Mapping[str, str | None],
    overlay_encodings: Mapping[str, Mapping[str, str | None]] | None = None,
) -> tuple[dict[str, OverlayPolygons], dict[str, BaseGeometry]]:
    """The overlay files given (arguments as :func:`compute_overlay_indicators`'s), filtered and dissolved in the
    raster's CRS, and the polygon sets measured: each kind's, plus parks ∪ protected areas (``parks_counted``,
    I13's) when parks are given, and each category of China's protected-area system when the protected areas have
    a category column (:func:`category_set`)."""
    clip_bounds = array_bounds(*window.shape, window.transform)
    layers = {
        kind: read_overlay_polygons(
            path,
            kind=kind,
            target_crs=window.crs,
            clip_bounds=clip_bounds,
            layer=overlay_layers.get(kind) or None,
            attribute_filter=AttributeFilter.from_config(overlay_rules.get(kind)),
            **(overlay_encodings or {}).get(kind, {}),
        )
        for kind, path in overlay_paths.items()
        if path
    }
    categories = layers["protected_areas"].categories if "protected_areas" in layers else {}
    return layers, measured_sets({kind: layer.geometry for kind, layer in layers.items()}, categories)


def measured_sets(kinds: Mapping[str, BaseGeometry], categories: Mapping[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    """The polygon sets the overlay stage measures: each kind's, each protected-area category's
    (:func:`category_set`) and, when parks are given, parks ∪ protected areas (``parks_counted``, I13's)."""
    geometries = dict(kinds)
    for category_id, geometry in categories.items():
        geometries[category_set(category_id)] = geometry
    if "parks" in kinds:
        geometries[COUNTED_LAYER] = shapely.union_all(
            [geometry for kind, geometry in kinds.items() if kind in ("parks", "protected_areas")]
        )
    return geometries


def changed_set(step: int) -> str:
    """The name under which the region a scenario's overlay change ``step`` changed is measured."""
    return f"scenario_step:{step}"


def changed_regions_frame(
    window: CityWindow,
    *,
    changes: Sequence[OverlayChange],
    changed: Mapping[int, BaseGeometry],
    areas: OverlayAreas,
) -> gpd.GeoDataFrame:
    """Layer ``scenario_changes`` of a scenario's ``overlays.gpkg``: per overlay change that changed something inside
    the city, the region it added or removed, clipped to the city, with its ``area_ha`` (as in ``changes.csv``)."""
    rows: dict[str, list] = {"step": [], "overlay": [], "action": [], "area_ha": []}
    geometry = []
    for change in changes:
        clipped = shapely.intersection(changed[change.step], window.geometry)
        if clipped.is_empty:
            continue
        polygonal, _ = dissolve_polygons([clipped], origin=f"Scenario change {change.step}")
        if polygonal.is_empty:
            continue
        rows["step"].append(change.step)
        rows["overlay"].append(change.kind)
        rows["action"].append(change.action)
        rows["area_ha"].append(areas.under[changed_set(change.step)].area_m2 / SQUARE_METRES_PER_HECTARE)
        geometry.append(shapely.MultiPolygon(list(shapely.get_parts(polygonal))))
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geometry, crs=window.crs), crs=window.crs)


def scenario_change_rows(
    changes: Sequence[OverlayChange],
    *,
    areas: OverlayAreas,
    population_step: tuple[int, float] | None,
    parks_given: bool,
) -> pd.DataFrame:
    """A scenario's overlay and population changes as rows of ``changes.csv``
    (:data:`~cbindex.landcover.scenarios.CHANGE_COLUMNS`): ``area_changed_ha`` is the city area (any land cover)
    under the region the change added or removed, measured on the scenario's land cover; a change with none inside
    the city, or a population without parks (I13 is then not computed), is noted as changing nothing."""
    rows = []
    for change in changes:
        area_ha = areas.under[changed_set(change.step)].area_m2 / SQUARE_METRES_PER_HECTARE
        note = "" if area_ha > 0 else "changed nothing inside the city"
        rows.append(dict(zip(CHANGE_COLUMNS, [change.step, change.describe(), None, area_ha, note], strict=True)))
    if population_step is not None:
        step, persons = population_step
        note = "" if parks_given else "changed nothing: the city has no parks, so I13 is not computed"
        values = [step, f"population {persons:.0f} persons", None, None, note]
        rows.append(dict(zip(CHANGE_COLUMNS, values, strict=True)))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS).sort_values("step", kind="stable")


def overlay_frames(
    window: CityWindow,
    *,
    geometries: Mapping[str, BaseGeometry],
    areas: OverlayAreas,
    layer_names: Mapping[str, str] = OVERLAY_LAYER_NAMES,
) -> dict[str, gpd.GeoDataFrame]:
    """One GeoDataFrame per output layer: the polygon set clipped to the city, with its areas in ha.

    ``area_ha`` is the ground area of the city under the polygons (any land cover) and ``natural_area_ha``
    the natural area under them, both measured on the raster as the indicators are. Polygon sets that were
    not given become empty layers.
    """
    frames = {}
    for name, layer in layer_names.items():
        rows = {"area_ha": [], "natural_area_ha": []}
        geometry = []
        if name in geometries:
            clipped = shapely.intersection(geometries[name], window.geometry)
            if not clipped.is_empty:
                rows["area_ha"].append(areas.under[name].area_m2 / SQUARE_METRES_PER_HECTARE)
                rows["natural_area_ha"].append(areas.under[name].natural_m2 / SQUARE_METRES_PER_HECTARE)
                polygonal, _ = dissolve_polygons([clipped], origin=f"Overlay layer {layer}")
                geometry.append(shapely.MultiPolygon(list(shapely.get_parts(polygonal))))
        frames[layer] = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geometry, crs=window.crs), crs=window.crs)
    return frames


def write_overlay_layers(path: str, *, layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Write every layer into one new GeoPackage, reproducibly and atomically (empty layers stay MultiPolygon)."""
    write_geopackage(path, layers, geometry_type="MultiPolygon")


def compute_district_indicators(
    *,
    city: str,
    year: int,
    districts: DistrictsSpec,
    city_tables: list[str],
    rule_set_path: str,
    districts_csv: str,
    districts_gpkg: str,
    overrides_path: str | None = None,
    previous_districts_csv: str | None = None,
    overlay_rules: Mapping[str, dict | None] | None = None,
    overlay_paths: Mapping[str, str | None] | None = None,
    overlay_layers: Mapping[str, str | None] | None = None,
    overlay_encodings: Mapping[str, Mapping[str, str | None]] | None = None,
    coverage_layers: Sequence[Mapping[str, str]] | None = None,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    **inputs,
) -> None:
    """Every spatial indicator per district of one city and year, scored with the city's rule set.

    ``inputs`` are those of :meth:`cbindex.landcover.stage.LandcoverInputs.read` (raster, boundary, legend,
    method, barriers, block rows). One strip pass with a district id per cell
    (:func:`cbindex.overlays.district_indicators.measure_districts`) gives I1, I2 (the city's groups cut at the
    district edge), I11, I12 and, with overlay files, I9, the shares of every coverage layer the city gives
    (``coverage_layers``, config ``coverage_layers`` as :func:`compute_overlay_indicators` takes it; default the red
    line alone: ``<id>_coverage``, ``<id>_natural_share``, ``<id>_area``, ``<id>_natural_area``) and I13 (with
    residents per district). The district areas summed (with the "no district" row) must equal the city's
    land-cover and overlay tables (``city_tables``, the same year's; every coverage layer's areas included), else
    :class:`~cbindex.core.errors.CBIDefectError` (:func:`cbindex.scoring.consistency.check_district_sums`).

    Writes ``districts_csv`` (columns :data:`~cbindex.scoring.district_scores.DISTRICT_COLUMNS`: one row per district
    and indicator, points as the city would score, the change since ``previous_districts_csv``, the previous
    land-cover year's table, when given) and ``districts_gpkg`` (layer ``districts``: the polygons joined to their
    values). Gaps, overlaps and district parts outside the city are logged as a warning and written as rows.
    """
    job = LandcoverInputs.read(city=city, year=year, **inputs)
    city_districts = districts.read(city=job.boundary)
    tiling = city_districts.tiling
    if not tiling.tiles:
        LOGGER.warning("City %s: the districts do not tile the city: %s.", city, tiling.describe())
    window = open_city_window(job.raster_path, job.boundary)
    _, geometries = read_overlay_layers(
        window,
        overlay_rules=overlay_rules or {},
        overlay_paths=overlay_paths or {},
        overlay_layers=overlay_layers or {},
        overlay_encodings=overlay_encodings,
    )
    layers = coverage_layers if coverage_layers is not None else DEFAULT_COVERAGE_LAYERS
    measured = measure_districts(
        job, city_districts, overlays=geometries, coverage_ids=[layer["id"] for layer in layers]
    )
    rows = district_rows(measured, city_districts, city=city, year=year)
    city_table = pd.concat([pd.read_csv(path) for path in city_tables], ignore_index=True)
    check_district_sums(
        rows, city_table[city_table["year"] == year], city_id=city, tables=[*city_tables, districts_csv]
    )
    scored = score_district_rows(rows, rule_set=load_city_rule_set(rule_set_path, overrides_path=overrides_path))
    previous = pd.read_csv(previous_districts_csv) if previous_districts_csv else None
    table = add_change_since_previous_year(scored, previous)[DISTRICT_COLUMNS]
    write_csv(table, districts_csv, encoding=csv_encoding)
    write_geopackage(
        districts_gpkg, {DISTRICTS_LAYER: district_frame(table, city_districts)}, geometry_type="MultiPolygon"
    )
    LOGGER.info(
        "City %s %s: %d districts, I1 from %.1f to %.1f %%",
        city,
        year,
        len(city_districts.names),
        *(lambda v: (v.min(), v.max()))(table[(table["indicator"] == "I1") & (table["district_id"] > 0)]["value"]),
    )
