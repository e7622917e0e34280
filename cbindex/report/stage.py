"""The report stage of the workflow for one city and language: read every output, draw, write one HTML page."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import rasterio
import rasterio.features
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.errors import CBIInputError
from cbindex.core.output_names import (
    GROUPS_LAYER,
    LINKS_LAYER,
    MASK_OUTSIDE,
    OVERLAY_LAYER_NAMES,
    SCENARIO_CHANGES_LAYER,
    YearOutputs,
)
from cbindex.core.provenance import file_checksums, software_versions
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.cell_area import cell_size_m
from cbindex.geo.display_crs import AUTO, city_display_crs
from cbindex.geo.legends import Legend, load_legend
from cbindex.geo.protected_area_categories import CATEGORIES
from cbindex.report.content import ReportContent, ReportFigure
from cbindex.report.display_rasters import (
    DataGrid,
    DisplayGrid,
    display_grid,
    read_display_raster,
    read_display_window,
    to_display,
)
from cbindex.report.districts import district_maps, read_district_tables
from cbindex.report.figures import (
    BandedValues,
    BandSpan,
    MapClass,
    MapFrame,
    band_strips,
    component_bars,
    connectivity_groups_map,
    indicator_time_series,
    landcover_map,
    landcover_small_multiples,
    map_frame,
    natural_areas_map,
    natural_areas_small_multiples,
    overlay_map,
    png_bytes,
)
from cbindex.report.fonts import FONT_DISTRIBUTION, embedded_font_css, font_version, register_cjk_font
from cbindex.report.html import render_report, render_report_body, yearly_indicator_rows
from cbindex.report.landcover_section import LandcoverFacts
from cbindex.report.scenarios_section import changed_codes, words
from cbindex.report.targets_section import draw_target_charts
from cbindex.report.text import LANGUAGES, localized, text
from cbindex.scoring.link_advice import TOP_LINKS
from cbindex.scoring.overrides import load_city_rule_set
from cbindex.scoring.rules import STATUS_SCORED, IndicatorRule, RuleSet

LOGGER = logging.getLogger(__name__)
COMPILED_BURN_BYTES = 2_000_000
"""Groups with more WKB than this (about 120,000 vertices) are burnt onto the map by the compiled kernel."""
HIGHLIGHTED_GROUPS = 5
MAP_OVERLAYS = ("protected_areas", "redline")
OVERLAY_AREA_ROWS = {"protected_areas": "protected_area", "redline": "redline_area"}
"""The overlay stage's row that says a kind of overlay was given for a year (its area in the city, 0 or not)."""
COVERAGE_COLOURS = ("#e6550d", "#31a354", "#756bb1", "#636363", "#dd1c77")
"""Map colours of the coverage layers other than the red line, in config order (as the QGIS project's)."""


def landcover_indexes(codes: np.ndarray, *, inside: np.ndarray, legend: Legend) -> np.ndarray:
    """Each cell's class position in the legend (1 = first class), 0 outside the city, without data or unknown."""
    order = list(legend.classes)
    indexes = np.zeros(codes.shape, dtype=np.uint8 if len(order) < 255 else np.uint16)
    for position, code in enumerate(order, start=1):
        indexes[(codes == code) & inside] = position
    return indexes


def map_classes(legend: Legend, indexes: Collection[int], *, language: str) -> list[MapClass]:
    """The legend's classes present among `indexes` (positions as :func:`landcover_indexes` gives), in its order."""
    return [
        MapClass(index=position, name=localized(legend_class, "name", language), colour=legend_class.colour)
        for position, legend_class in enumerate(legend.classes.values(), start=1)
        if position in indexes
    ]


@dataclass(frozen=True)
class YearDisplay:
    """One land-cover year on the display grid: the natural-area mask, the class indexes (None without a
    land-cover raster) and the data grid the mask was read on (for burning the groups)."""

    year: int
    mask: np.ndarray
    classes: np.ndarray | None
    data: DataGrid


def year_display(year: YearOutputs, *, grid: DisplayGrid | None, crs: CRS, landcover: str | None, legend: Legend):
    """Read a year's mask (and land cover) at display resolution and warp them onto `grid` (made from the mask
    when None). Returns the year's display rasters and the grid."""
    data = read_display_raster(year.natural_mask)
    grid = grid or display_grid(data, crs=crs)
    classes = None
    if landcover is not None:
        codes = read_display_window(landcover, like=data)
        indexes = landcover_indexes(codes.array, inside=data.array != MASK_OUTSIDE, legend=legend)
        classes = to_display(DataGrid(indexes, data.transform, data.crs), grid, fill=0)
    mask = to_display(data, grid, fill=MASK_OUTSIDE)
    return YearDisplay(year=year.year, mask=mask, classes=classes, data=data), grid


def group_ranks(groups: gpd.GeoDataFrame, *, shape: tuple[int, int], transform: Affine) -> tuple[np.ndarray, list]:
    """Rasterise the connectivity groups by size rank (1 = largest) onto a display grid.

    Every cell a group touches gets its rank, smaller groups drawn over larger ones so that none vanishes.

    Returns
    -------
    tuple
        The rank raster (0 = no group) and the group areas in hectares, largest first.
    """
    areas = groups["area_ha"].to_numpy(dtype=float)
    return _ranks_from_wkb(shapely.to_wkb(np.asarray(groups.geometry.values)), areas, shape=shape, transform=transform)


def read_group_ranks(path: str, *, crs: Any, shape: tuple[int, int], transform: Affine) -> tuple[np.ndarray, list]:
    """:func:`group_ranks` of the groups GeoPackage, read as WKB without a geometry object per group (reprojected
    to ``crs`` only when the layer is in another CRS)."""
    meta, _, wkbs, fields = pyogrio.raw.read(path, layer=GROUPS_LAYER)
    areas = np.asarray(fields[list(meta["fields"]).index("area_ha")], dtype=float)
    if meta["crs"] and crs is not None and CRS.from_user_input(meta["crs"]) != CRS.from_user_input(crs):
        geometries = gpd.GeoSeries(shapely.from_wkb(wkbs), crs=meta["crs"]).to_crs(crs)
        wkbs = shapely.to_wkb(np.asarray(geometries.values))
    return _ranks_from_wkb(wkbs, areas, shape=shape, transform=transform)


def _ranks_from_wkb(wkbs, areas: np.ndarray, *, shape: tuple[int, int], transform: Affine) -> tuple[np.ndarray, list]:
    """Burn the groups by rank, largest first: GDAL's all-touched rasterize for a few polygons; past
    :data:`COMPILED_BURN_BYTES` of WKB the compiled burner (:mod:`cbindex.kernels.rasterize`, same rule), which
    needs no geometry object per group but costs half a second to load."""
    order = np.argsort(-areas, kind="stable")  # largest first, drawn first
    if order.size == 0:
        return np.zeros(shape, dtype=np.int32), []
    ordered = [wkbs[index] for index in order]
    ranks = np.arange(1, order.size + 1)
    if sum(len(wkb) for wkb in ordered) < COMPILED_BURN_BYTES:
        shapes = zip(shapely.from_wkb(ordered), ranks.tolist(), strict=True)
        burnt = rasterio.features.rasterize(
            shapes, out_shape=shape, transform=transform, fill=0, all_touched=True, dtype="int32"
        )
        return burnt, areas[order].tolist()
    from cbindex.kernels.rasterize import burn_polygons, wkb_polygon_rings

    xy, ring_offsets, geometry_rings = wkb_polygon_rings(ordered)
    inverse = ~transform
    grid_xy = np.column_stack(
        [
            inverse.c + xy[:, 0] * inverse.a + xy[:, 1] * inverse.b,
            inverse.f + xy[:, 0] * inverse.d + xy[:, 1] * inverse.e,
        ]
    )
    return burn_polygons(grid_xy, ring_offsets, geometry_rings, ranks, shape=shape), areas[order].tolist()


def banded_values(rule: IndicatorRule, values: Sequence[tuple[int | None, float]], *, language: str) -> BandedValues:
    """An indicator's numeric bands and values for the band plots, titled in the language."""
    name, unit = localized(rule, "name", language), localized(rule, "unit", language)
    bands = tuple(
        BandSpan(low=band.min, high=band.max, points=band.points, label=localized(band, "label", language))
        for band in sorted(rule.bands, key=lambda band: band.start_cut)
    )
    return BandedValues(
        title=f"{rule.id} {_shortened(name)}",
        unit=unit,
        bands=bands,
        values=tuple(values),
        value_min=rule.value_min,
        value_max=rule.value_max,
    )


def _shortened(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _overlay_geometries(path: str | None, *, crs: Any, kinds: Sequence[str] = MAP_OVERLAYS) -> dict[str, Any]:
    """The non-empty protected-area and coverage layers of an overlays GeoPackage, dissolved, in `crs`."""
    if not path:
        return {}
    present = set(pyogrio.list_layers(path)[:, 0])
    geometries = {}
    for kind in kinds:
        layer = OVERLAY_LAYER_NAMES.get(kind, f"{kind}_areas")
        if layer not in present:
            continue
        frame = gpd.read_file(path, layer=layer)
        if not frame.empty:
            geometries[kind] = frame.to_crs(crs).union_all()
    return geometries


def _figure(key: str, figure, *, title: str, caption: str, language: str) -> ReportFigure:
    return ReportFigure(key=key, title=title, caption=caption, png=png_bytes(figure, language=language))


def draw_maps(
    latest: YearOutputs,
    *,
    boundary,
    gap_distance_m: float,
    language: str,
    overlay_kinds: Collection[str] = (),
    coverage_layers: Sequence[Mapping[str, Any]] = (),
    display_crs: str = AUTO,
    landcover: str | None = None,
    legend: Legend | None = None,
) -> tuple[list[ReportFigure], list[str]]:
    """The maps of the latest year: land cover (with ``landcover`` and ``legend``), natural areas, connectivity
    groups and (when given) overlays; and notes.

    Every map is drawn in the display CRS (config ``display_crs``, :func:`cbindex.geo.display_crs.city_display_crs`)
    from rasters read at display resolution (:mod:`cbindex.report.display_rasters`), with a graticule in °E/°N, a
    scale bar and a north arrow. A map with nothing to show is replaced by a note saying so: no connectivity group,
    or a kind of overlay in ``overlay_kinds`` (the kinds the city sheet gives, see :func:`given_overlay_kinds`)
    with no polygon inside the city.
    """
    crs = city_display_crs(display_crs, boundary=boundary)
    shown, grid = year_display(latest, grid=None, crs=crs, landcover=landcover, legend=legend)
    frame = map_frame(grid.extent, crs=grid.crs, boundary=boundary, language=language)
    mask, year = shown.mask, latest.year
    maps = []
    if shown.classes is not None:
        maps.append(_landcover_figure(shown.classes, legend=legend, frame=frame, year=year, language=language))
    labels = {key: text(key, language) for key in ("natural", "not_natural", "boundary")}
    title = text("natural_map", language, year=year)
    figure = natural_areas_map(mask, frame=frame, title=title, labels=labels, language=language)
    maps.append(
        _figure(
            "natural-areas",
            figure,
            title=title,
            language=language,
            caption=text("natural_map_caption", language, year=year, crs=frame.crs_name),
        )
    )
    data = shown.data
    ranks, areas = read_group_ranks(latest.groups, crs=data.crs, shape=data.array.shape, transform=data.transform)
    notes = []
    if areas:
        ranks = to_display(DataGrid(ranks, data.transform, data.crs), grid, fill=0)
        ids = largest_group_ids(latest.groups, count=HIGHLIGHTED_GROUPS)
        links = best_links(latest.groups, crs=grid.crs)
        maps.append(
            _groups_figure(
                ranks, areas, ids, links, frame=frame, year=year, gap_distance_m=gap_distance_m, language=language
            )
        )
    else:  # no natural patch: an empty map would say nothing
        notes.append(text("no_groups", language, year=year))
    others = {layer["id"]: layer for layer in coverage_layers if layer["id"] not in MAP_OVERLAYS}
    kinds = (*MAP_OVERLAYS, *others)
    overlays = _overlay_geometries(latest.overlays, crs=grid.crs, kinds=kinds)
    notes += [
        text(f"no_{kind}_inside", language, year=year)
        if kind in MAP_OVERLAYS
        else text("no_coverage_layer_inside", language, year=year, name=_layer_name(others[kind], language))
        for kind in kinds
        if kind in overlay_kinds and kind not in overlays
    ]
    if not overlays:
        if not any(kind in overlay_kinds for kind in kinds):
            notes.append(text("no_overlays", language))
        return maps, notes
    title = text("coverage_overlay_map" if set(overlays) & set(others) else "overlay_map", language, year=year)
    figure = overlay_map(
        mask,
        overlays=overlays,
        overlay_labels={
            kind: text(kind, language) if kind in MAP_OVERLAYS else _layer_name(others[kind], language)
            for kind in overlays
        },
        frame=frame,
        title=title,
        language=language,
        colours={kind: COVERAGE_COLOURS[index % len(COVERAGE_COLOURS)] for index, kind in enumerate(others)},
    )
    maps.append(
        _figure(
            "overlays", figure, title=title, caption=text("overlay_map_caption", language, year=year), language=language
        )
    )
    return maps, notes


def _landcover_figure(indexes: np.ndarray, *, legend: Legend, frame: MapFrame, year: int, language: str):
    title = text("landcover_map", language, year=year)
    classes = map_classes(legend, set(np.unique(indexes).tolist()), language=language)
    figure = landcover_map(
        indexes, classes=classes, frame=frame, title=title, boundary_label=text("boundary", language), language=language
    )
    caption = text("landcover_map_caption", language, product=legend.name, year=year, crs=frame.crs_name)
    return _figure("landcover", figure, title=title, caption=caption, language=language)


def largest_group_ids(path: str, *, count: int) -> list[int]:
    """``group_id`` of the `count` largest groups of a groups GeoPackage, largest first (ties in file order, as
    :func:`group_ranks` ranks them); positions 1, 2, ... when the layer has no ``group_id``."""
    frame = pyogrio.read_dataframe(path, layer=GROUPS_LAYER, read_geometry=False)
    order = np.argsort(-frame["area_ha"].to_numpy(dtype=float), kind="stable")[:count]
    if "group_id" not in frame:
        return [int(position) + 1 for position in order]
    return [int(frame["group_id"].iloc[position]) for position in order]


def best_links(groups_gpkg: str, *, crs: Any, count: int = TOP_LINKS) -> list[tuple[int, float, float, float, float]]:
    """The first ``count`` candidate links of a year (layer ``candidate_links``, best first) as ``(link_id, x0, y0,
    x1, y1)`` in ``crs``; none for a file written before the land-cover rule wrote links."""
    if LINKS_LAYER not in pyogrio.list_layers(groups_gpkg)[:, 0]:
        return []
    links = pyogrio.read_dataframe(groups_gpkg, layer=LINKS_LAYER, columns=["link_id"], max_features=count)
    if links.empty:
        return []
    coordinates = shapely.get_coordinates(links.to_crs(crs).geometry.values).reshape(-1, 4)
    return [(int(link_id), *map(float, row)) for link_id, row in zip(links["link_id"], coordinates, strict=True)]


def _groups_figure(
    ranks: np.ndarray,
    areas: list,
    group_ids: Sequence[int],
    links: Sequence[tuple[int, float, float, float, float]],
    *,
    frame: MapFrame,
    year: int,
    gap_distance_m: float,
    language: str,
) -> ReportFigure:
    title = text("groups_map", language, year=year)
    figure = connectivity_groups_map(
        ranks,
        areas_ha=areas,
        highlighted=HIGHLIGHTED_GROUPS,
        frame=frame,
        title=title,
        group_label=text("group_label", language, rank="{rank}", group_id="{group_id}", area="{area}"),
        other_label=text("other_groups", language),
        language=language,
        group_ids=group_ids,
        links=links,
        link_label=text("links_on_map", language, count=len(links)),
    )
    caption = text(
        "groups_map_caption",
        language,
        gap=f"{gap_distance_m:g}",
        count=len(areas),
        year=year,
        top=min(HIGHLIGHTED_GROUPS, len(areas)),
    )
    return _figure("connectivity-groups", figure, title=title, caption=caption, language=language)


def given_overlay_kinds(indicators: pd.DataFrame, *, year: int, coverage_ids: Sequence[str] = ()) -> set[str]:
    """The overlay kinds of :data:`MAP_OVERLAYS` and the coverage layers the city sheet gives for a year (their
    area rows in ``indicators``)."""
    rows = set(indicators.loc[indicators["year"] == year, "indicator"])
    area_rows = OVERLAY_AREA_ROWS | {layer_id: f"{layer_id}_area" for layer_id in coverage_ids}
    return {kind for kind, row in area_rows.items() if row in rows}


def _layer_name(layer: Mapping[str, Any], language: str) -> str:
    return str(layer["name_zh"] if language == "zh" else layer["name"])


def coverage_rows(scorecard: Mapping[str, Any], *, language: str) -> list[list[str]]:
    """The report's table of coverage layers: name, year, coverage (%), natural share inside (%), area (ha), one row
    per layer and land-cover year, from ``scorecard.json``'s ``coverage_layers``."""
    rows = []
    for layer in scorecard.get("coverage_layers", []):
        for year in layer["years"]:
            rows.append(
                [
                    _layer_name(layer, language),
                    str(year["year"]),
                    *(_number(year[field], "{:.2f}") for field in ("coverage_percent", "natural_share_percent")),
                    _number(year["area_ha"], "{:,.1f}"),
                ]
            )
    return rows


def category_rows(indicators: pd.DataFrame, *, language: str) -> list[list[str]]:
    """The report's table of protected area per category of China's protected-area system (beside I9): category,
    year, area (ha), natural area (ha), from the ``protected_area_<category>`` rows of ``indicators``."""
    rows = []
    for category in CATEGORIES:
        area = indicators[indicators["indicator"] == f"protected_area_{category.id}"]
        natural = indicators[indicators["indicator"] == f"protected_natural_area_{category.id}"].set_index("year")
        for year, value in zip(area["year"], area["value"], strict=True):
            rows.append(
                [
                    category.name_zh if language == "zh" else category.name,
                    str(int(year)),
                    _number(value, "{:,.1f}"),
                    _number(natural["value"].get(year), "{:,.1f}"),
                ]
            )
    return rows


def _number(value: Any, pattern: str) -> str:
    return "—" if value is None or pd.isna(value) else pattern.format(float(value))


def natural_area_notes(indicators: pd.DataFrame, *, language: str) -> list[str]:
    """One note per land-cover year whose natural area is 0 (I1 = 0 %, I2 not assessed), from ``indicators``."""
    rows = indicators[(indicators["indicator"] == "natural_area") & indicators["year"].notna()]
    years = sorted({int(year) for year, value in zip(rows["year"], rows["value"], strict=True) if float(value) <= 0})
    return [text("no_natural_area", language, year=year) for year in years]


def draw_plots(scorecard: Mapping[str, Any], *, rule_set: RuleSet, language: str) -> list[ReportFigure]:
    """Points per component as bars, and the scored numeric indicators' values against their bands."""
    components = [
        {**component, "name": localized(component, "name", language)} for component in scorecard["components"]
    ]
    labels = {key: text(key, language) for key in ("points", "assessed_max", "component_max", "not_assessed")}
    labels["axis"] = text("points", language)
    title = text("components", language)
    plots = [
        _figure(
            "components",
            component_bars(components, labels=labels, language=language),
            title=title,
            caption=text("component_bars", language),
            language=language,
        )
    ]
    scored = [
        banded_values(rule_set.indicators[row["id"]], [(None, float(row["value"]))], language=language)
        for row in scorecard["indicators"]
        if row["status"] == STATUS_SCORED and not rule_set.indicators[row["id"]].is_categorical
    ]
    if scored:
        figure = band_strips(scored, point_label=text("legend_points", language, points="{points}"), language=language)
        plots.append(
            _figure(
                "bands", figure, title=text("plots", language), caption=text("band_plot", language), language=language
            )
        )
    return plots


def draw_change(
    indicators: pd.DataFrame,
    *,
    rule_set: RuleSet,
    years_maps: Sequence[YearOutputs],
    boundary,
    language: str,
    display_crs: str = AUTO,
    landcover: Mapping[int, str] | None = None,
    legends: Mapping[int, Legend] | None = None,
) -> list[ReportFigure]:
    """Indicators through the years over their bands, and the land cover (with ``landcover`` and ``legends``, the
    legend of each year; only when every year has the same one) and natural areas of every year as small maps on
    the latest year's display grid (several years only)."""
    if len(years_maps) < 2:
        return []
    yearly = yearly_indicator_rows(indicators, rule_set=rule_set)
    series = [
        banded_values(
            rule_set.indicators[indicator],
            list(zip(rows["year"].astype(int), rows["value"].astype(float), strict=True)),
            language=language,
        )
        for indicator, rows in yearly.groupby("indicator", sort=False)
    ]
    figures = []
    if series:
        title = text("time_series", language)
        figures.append(
            _figure(
                "time-series",
                indicator_time_series(series, year_label=text("x_year", language), language=language),
                title=title,
                caption=text("band_plot", language),
                language=language,
            )
        )
    crs = city_display_crs(display_crs, boundary=boundary)
    legends = legends or {}
    one_legend = len({legend.path for legend in legends.values()}) == 1
    landcover = landcover if one_legend and landcover else {}
    legend = next(iter(legends.values()), None)
    grid, shown = None, []
    for year_maps in sorted(years_maps, key=lambda item: -item.year):  # the latest year's grid for all
        display, grid = year_display(
            year_maps, grid=grid, crs=crs, landcover=landcover.get(year_maps.year), legend=legend
        )
        shown.insert(0, display)
    frame = map_frame(grid.extent, crs=grid.crs, boundary=boundary, language=language)
    if all(display.classes is not None for display in shown):
        present = set().union(*(np.unique(display.classes).tolist() for display in shown))
        title = text("landcover_years", language)
        figure = landcover_small_multiples(
            [(str(display.year), display.classes) for display in shown],
            classes=map_classes(legend, present, language=language),
            frame=frame,
            boundary_label=text("boundary", language),
            language=language,
        )
        caption = text("landcover_years_caption", language, product=legend.name, crs=frame.crs_name)
        figures.append(_figure("landcover-years", figure, title=title, caption=caption, language=language))
    title = text("natural_years", language)
    figures.append(
        _figure(
            "natural-years",
            natural_areas_small_multiples(
                [(str(display.year), display.mask) for display in shown], frame=frame, language=language
            ),
            title=title,
            caption=text("natural_years_caption", language, crs=frame.crs_name),
            language=language,
        )
    )
    return figures


def draw_scenario_maps(
    scenarios: Sequence[Mapping[str, Any]],
    *,
    rasters: Mapping[str, str],
    years: Sequence[YearOutputs],
    landcover: Mapping[int, str],
    legends: Mapping[int, Legend],
    boundary,
    language: str,
    display_crs: str = AUTO,
) -> list[ReportFigure]:
    """Per scenario of ``scorecard.json`` (``rasters``: its ``landcover.tif`` by name), three small land-cover maps on
    its base year's display grid: the base year, the scenario, and the cells it changed in their new class
    (:func:`cbindex.report.scenarios_section.changed_codes`). None for a base year without its land-cover raster."""
    crs = city_display_crs(display_crs, boundary=boundary)
    by_year = {item.year: item for item in years}
    figures = []
    for index, entry in enumerate(scenarios):
        year, raster = entry["base_year"], rasters[entry["name"]]
        if landcover.get(year) is None:
            continue
        legend = legends[year]
        shown, grid = year_display(by_year[year], grid=None, crs=crs, landcover=landcover[year], legend=legend)
        data = shown.data
        inside = data.array != MASK_OUTSIDE
        after = landcover_indexes(read_display_window(raster, like=data).array, inside=inside, legend=legend)
        codes, changed = changed_codes(landcover[year], raster, like=data)
        changed = landcover_indexes(codes, inside=inside & changed, legend=legend)
        panels = [
            (words(key, language, year=year), to_display(DataGrid(indexes, data.transform, data.crs), grid, fill=0))
            for key, indexes in (("panel_base", shown.classes), ("panel_scenario", after), ("panel_changed", changed))
        ]
        frame = map_frame(grid.extent, crs=grid.crs, boundary=boundary, language=language)
        present = set().union(*(np.unique(indexes).tolist() for _, indexes in panels))
        figure = landcover_small_multiples(
            panels,
            classes=map_classes(legend, present, language=language),
            frame=frame,
            boundary_label=text("boundary", language),
            language=language,
        )
        title = words("map_title", language, year=year)
        caption = words("map_caption", language, product=legend.name, crs=frame.crs_name)
        figures.append(_figure(f"scenario-{index}", figure, title=title, caption=caption, language=language))
    return figures


ADDED_COLOURS = ("#2166ac", "#4393c3", "#92c5de")
REMOVED_COLOURS = ("#b2182b", "#ef8a62", "#f4a582")
"""Map colours of the regions a scenario adds to or removes from an overlay, in the order of its changes."""


def draw_scenario_overlay_maps(
    scenarios: Sequence[Mapping[str, Any]],
    *,
    overlays: Mapping[str, str],
    masks: Mapping[str, str],
    boundary,
    language: str,
    display_crs: str = AUTO,
) -> list[ReportFigure]:
    """Per scenario of ``scorecard.json`` with overlay changes (``overlays``: its ``overlays.gpkg`` by name, layer
    :data:`~cbindex.core.output_names.SCENARIO_CHANGES_LAYER`), a map of the regions each change added (blues) or
    removed (reds) inside the city, over the scenario's natural areas (``masks``: its ``natural_areas.tif``); none
    for a scenario whose overlay changes changed nothing inside the city (its changes list says so)."""
    crs = city_display_crs(display_crs, boundary=boundary)
    figures = []
    for index, entry in enumerate(scenarios):
        path = overlays.get(entry["name"])
        if not path or SCENARIO_CHANGES_LAYER not in set(pyogrio.list_layers(path)[:, 0]):
            continue
        regions = gpd.read_file(path, layer=SCENARIO_CHANGES_LAYER)
        if regions.empty:
            continue
        regions = regions.to_crs(crs)
        data = read_display_raster(masks[entry["name"]])
        grid = display_grid(data, crs=crs)
        frame = map_frame(grid.extent, crs=grid.crs, boundary=boundary, language=language)
        texts = {change["step"]: change["text"][language] for change in entry["changes"]}
        keys = [f"step-{row.step}" for row in regions.itertuples()]
        counts = {"add": 0, "remove": 0}
        colours = {}
        for key, action in zip(keys, regions["action"], strict=True):
            palette = ADDED_COLOURS if action == "add" else REMOVED_COLOURS
            colours[key] = palette[counts[action] % len(palette)]
            counts[action] += 1
        title = words("overlay_map_title", language)
        figure = overlay_map(
            to_display(data, grid, fill=MASK_OUTSIDE),
            overlays=dict(zip(keys, regions.geometry, strict=True)),
            overlay_labels={
                key: words("overlay_map_entry", language, step=row.step, change=texts[row.step])
                for key, row in zip(keys, regions.itertuples(), strict=True)
            },
            frame=frame,
            title=title,
            language=language,
            colours=colours,
        )
        caption = words("overlay_map_caption", language, crs=frame.crs_name)
        figures.append(_figure(f"scenario-overlays-{index}", figure, title=title, caption=caption, language=language))
    return figures


def landcover_facts(class_areas: Sequence[str], *, boundary, latest: YearOutputs) -> LandcoverFacts | None:
    """The land-cover section's facts: the class-area tables stacked, the cell size (m) of the latest year's
    raster at the city's latitude (the mask is that raster's window over the city), the boundary's repairs."""
    if not class_areas:
        return None
    with rasterio.open(latest.natural_mask) as dataset:
        size = cell_size_m(crs=CRS.from_user_input(dataset.crs), transform=dataset.transform, height=dataset.height)
    return LandcoverFacts(
        class_areas=pd.concat([pd.read_csv(path) for path in class_areas], ignore_index=True),
        cell_size_m=size,
        latitude=boundary.to_crs(CRS.from_epsg(4326)).centroid.y,
        boundary_path=boundary.path,
        boundary_features=boundary.n_features,
        boundary_repaired=boundary.repaired,
    )


def _year_pair(path: str) -> tuple[int, int]:
    table = pd.read_csv(path, usecols=["year_from", "year_to"], nrows=1)
    if table.empty:
        raise CBIInputError(f"Transition table {path} is empty; re-run its rule.")
    return int(table["year_from"].iloc[0]), int(table["year_to"].iloc[0])


def write_city_report(
    *,
    city: str,
    language: str,
    city_name: str,
    scorecard_json: str,
    indicators_csv: str,
    rule_set_path: str,
    overrides_path: str | None,
    legend_paths: Mapping[int, str],
    boundary: BoundarySpec,
    years: Sequence[YearOutputs],
    transitions: Sequence[str],
    method: Mapping[str, Any],
    settings: Mapping[str, Any],
    input_files: Sequence[str],
    report_html: str,
    district_tables: Sequence[str] = (),
    district_layers: Sequence[str] = (),
    landcover: Mapping[int, str] | None = None,
    display_crs: str = AUTO,
    class_areas: Sequence[str] = (),
    scenario_rasters: Sequence[str] = (),
    scenario_overlays: Sequence[str] = (),
    scenario_masks: Sequence[str] = (),
) -> None:
    """Write the city's report in one language: scores, bands, totals, maps, plots, districts, change, provenance.

    ``district_tables`` and ``district_layers`` are every year's ``districts.csv`` and ``districts.gpkg`` (empty
    when the city has no districts): the districts section maps the latest year's and ranks its districts.

    ``legend_paths`` gives the legend of each year (their products are named per year). ``landcover`` maps each
    year to its land-cover raster (drawn in its legend's class colours) and ``display_crs`` is config
    ``display_crs``, the CRS every map is drawn in; ``class_areas`` are the years' class-area tables (the
    land-cover section is left out without them). ``scenario_rasters`` are the ``landcover.tif`` of each scenario
    (``results/{city}/scenarios/{name}/``), drawn in the scenarios section, with the ``overlays.gpkg`` of those that
    have overlays (``scenario_overlays``: the regions their overlay changes changed) and every scenario's
    ``natural_areas.tif`` (``scenario_masks``, under those regions). ``input_files`` are every file the
    report rule depends on; their SHA-256 checksums are listed, so the report says exactly what it was computed
    from. Matplotlib's warnings (a glyph missing from the fonts, for example) are written to the log.

    Raises
    ------
    CBIInputError
        If the language is not supported or the scorecard was scored with another rule-set version.
    """
    if language not in LANGUAGES:
        raise CBIInputError(f"Report language {language!r} is not supported; use one of {', '.join(LANGUAGES)}.")
    scorecard = json.loads(Path(scorecard_json).read_text(encoding="utf-8"))
    rule_set = load_city_rule_set(rule_set_path, overrides_path=overrides_path)
    if scorecard["rule_set"]["version"] != rule_set.version or scorecard["rule_set"]["id"] != rule_set.id:
        raise CBIInputError(
            f"{scorecard_json} was scored with {scorecard['rule_set']['id']} {scorecard['rule_set']['version']}, "
            f"not {rule_set.id} {rule_set.version} of {rule_set_path}; re-run the scoring."
        )
    city_boundary = boundary.read()
    indicators = pd.read_csv(indicators_csv)
    years = sorted(years, key=lambda item: item.year)
    legends = {int(year): load_legend(path) for year, path in sorted(legend_paths.items())}
    landcover = landcover or {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots = draw_plots(scorecard, rule_set=rule_set, language=language)
        maps, map_notes = draw_maps(
            years[-1],
            boundary=city_boundary,
            gap_distance_m=method.get("gap_distance_m", 0),
            language=language,
            overlay_kinds=given_overlay_kinds(
                indicators,
                year=years[-1].year,
                coverage_ids=[layer["id"] for layer in scorecard.get("coverage_layers", [])],
            ),
            coverage_layers=scorecard.get("coverage_layers", []),
            display_crs=display_crs,
            landcover=landcover.get(years[-1].year),
            legend=legends[years[-1].year],
        )
        change_figures = draw_change(
            indicators,
            rule_set=rule_set,
            years_maps=years,
            boundary=city_boundary,
            language=language,
            display_crs=display_crs,
            landcover=landcover,
            legends=legends,
        )
        target_figures = draw_target_charts(scorecard.get("targets"), language=language)
        scenario_figures = draw_scenario_maps(
            scorecard.get("scenarios") or [],
            rasters={Path(path).parent.name: path for path in scenario_rasters},
            years=years,
            landcover=landcover,
            legends=legends,
            boundary=city_boundary,
            language=language,
            display_crs=display_crs,
        )
        scenario_figures += draw_scenario_overlay_maps(
            scorecard.get("scenarios") or [],
            overlays={Path(path).parent.name: path for path in scenario_overlays},
            masks={Path(path).parent.name: path for path in scenario_masks},
            boundary=city_boundary,
            language=language,
            display_crs=display_crs,
        )
        districts = read_district_tables(district_tables)
        district_figures = (
            district_maps(
                districts,
                layer_path=district_layers[-1],
                boundary=city_boundary,
                rule_set=rule_set,
                language=language,
                display_crs=display_crs,
            )
            if districts is not None
            else []
        )
    for warning in caught:
        if issubclass(warning.category, UserWarning):  # matplotlib's, e.g. a glyph missing from the fonts
            LOGGER.warning("While drawing: %s", warning.message)
    content = ReportContent(
        language=language,
        city=city,
        city_name=city_name,
        scorecard=scorecard,
        rule_set=rule_set,
        legends=legends,
        years=tuple(item.year for item in years),
        indicators=indicators,
        transitions={_year_pair(path): pd.read_csv(path) for path in transitions},
        method=method,
        settings=settings,
        checksums=file_checksums(input_files),
        software=software_versions(),
        font={"family": register_cjk_font(), "distribution": FONT_DISTRIBUTION, "version": font_version()},
        plots=plots,
        maps=maps,
        change_figures=change_figures,
        map_notes=[*natural_area_notes(indicators, language=language), *map_notes],
        coverage_rows=coverage_rows(scorecard, language=language),
        category_rows=category_rows(indicators, language=language),
        target_figures=target_figures,
        districts=districts,
        district_figures=district_figures,
        landcover_facts=landcover_facts(class_areas, boundary=city_boundary, latest=years[-1]),
        scenario_figures=scenario_figures,
    )
    page = render_report(content, font_css=embedded_font_css([render_report_body(content)]))
    with atomic_path(report_html) as temporary:
        temporary.write_text(page, encoding="utf-8")
    LOGGER.info(
        "City %s: report in %s with %d figures, %d input files checksummed (%s)",
        city,
        language,
        len(plots)
        + len(maps)
        + len(change_figures)
        + len(target_figures)
        + len(district_figures)
        + len(scenario_figures),
        len(content.checksums),
        report_html,
    )
