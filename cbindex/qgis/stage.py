"""A city's outputs packaged for QGIS: one styled GeoPackage, a style beside every GeoTIFF, and a project.

``{city}_layers.gpkg`` holds every vector output as a named layer (city boundary, natural patches and
connectivity groups per year and per what-if scenario, overlay layers when the city has them) and their styles in
its ``layer_styles`` table; ``natural_areas.qml`` beside each natural-area mask styles the GeoTIFF; ``{city}.qgs``
opens all of them, styled, with paths relative to the project file.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
from affine import Affine
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.geopackage import atomic_geopackage
from cbindex.core.output_names import (
    DISTRICTS_LAYER,
    GROUPS_LAYER,
    LINKS_LAYER,
    NATURAL_PATCHES_LAYER,
    SCENARIO_CHANGES_LAYER,
)
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.cell_area import cell_size_m, row_cell_areas_m2
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS
from cbindex.geo.display_crs import AUTO, city_display_crs
from cbindex.geo.legends import Legend, load_legend
from cbindex.landcover.spatial_outputs import (
    NaturalPatchCollector,
    YearOutputs,
    natural_patches_from_mask,
)
from cbindex.qgis.landcover_map import LandcoverMap, landcover_palette, write_city_landcover
from cbindex.qgis.mask_style import NATURAL_MASK_PALETTE, natural_mask_palette, write_natural_areas_style  # noqa: F401
from cbindex.qgis.names import field_aliases, has_qgis_text, qgis_text, style_label
from cbindex.qgis.print_layout import PrintLayout, layouts_element
from cbindex.qgis.project import Extent, ProjectGroup, ProjectLayer, project_layers, project_xml, relative_source
from cbindex.qgis.styles import (
    StyleClass,
    Symbol,
    VectorStyle,
    geometry_kind,
    raster_qml,
    write_layer_styles,
)

LOGGER = logging.getLogger(__name__)
GEOPACKAGE_VERSION = "1.2"  # readable without warnings by the GDAL of every supported QGIS
BOUNDARY_LAYER = "city_boundary"
VIEW_MARGIN = 0.03  # share of the boundary's width and height added around it in the initial view


def city_boundary_style(*, language: str | None = None) -> VectorStyle:
    """The city boundary: a dark outline, no fill (class label in ``language``, both languages for None)."""
    return VectorStyle(
        name="city boundary",
        geometry_kind="fill",
        classes=(
            StyleClass(
                style_label("class_city_boundary", language),
                Symbol(fill=None, outline=(35, 35, 35, 255), width_mm=0.6),
            ),
        ),
        description="The city's area of assessment (boundary after filtering, repair and dissolve)",
    )


def natural_patches_style(*, language: str | None = None) -> VectorStyle:
    """Natural patches: one green fill."""
    return VectorStyle(
        name="natural patches",
        geometry_kind="fill",
        classes=(
            StyleClass(
                style_label("class_natural_patch", language),
                Symbol(fill=(26, 150, 65, 200), outline=(0, 104, 55, 255), width_mm=0.1),
            ),
        ),
        description="Natural patches (I1, I2): connected natural cells of the natural-area mask",
    )


CITY_BOUNDARY_STYLE = city_boundary_style()
"""The boundary's style in the GeoPackage every project shares (labels in both languages)."""
NATURAL_PATCHES_STYLE = natural_patches_style()
"""The natural patches' style in the GeoPackage every project shares (labels in both languages)."""

# ColorBrewer YlGn, light to dark: larger connectivity groups are darker.
GROUP_AREA_COLOURS = (
    (255, 255, 204),
    (217, 240, 163),
    (173, 221, 142),
    (120, 198, 121),
    (65, 171, 93),
    (35, 132, 67),
    (0, 90, 50),
)
GROUP_OUTLINE = (0, 69, 41, 110)  # a faint hairline keeps small light groups visible on grey
OVERLAY_SYMBOLS = {
    "protected_natural_areas": Symbol(fill=(118, 42, 131, 90), outline=(118, 42, 131, 255), width_mm=0.4),
    "redline_areas": Symbol(fill=(215, 25, 28, 60), outline=(215, 25, 28, 255), width_mm=0.5),
    "parks_counted": Symbol(fill=(253, 174, 97, 170), outline=(166, 97, 26, 255), width_mm=0.3),
}
"""Symbol of each overlay layer the workflow writes; other layers get :data:`OTHER_OVERLAY_SYMBOL`."""
COVERAGE_LAYER_COLOURS = ((230, 85, 13), (49, 163, 84), (117, 107, 177), (99, 99, 99), (221, 28, 119))
"""Outline colours of the coverage layers other than the red line, in config order (ColorBrewer Dark2-like)."""
OTHER_OVERLAY_SYMBOL = Symbol(fill=(49, 130, 189, 110), outline=(8, 81, 156, 255), width_mm=0.3)
LAYOUT_FONTS = {"en": "DejaVu Sans", "zh": "Noto Sans CJK SC"}
"""Font of the print layout's text per language (QGIS falls back to another font of the system when it lacks one;
Noto Sans CJK SC is Debian's fonts-noto-cjk)."""


def decade_classes(values: Sequence[float], *, max_classes: int = len(GROUP_AREA_COLOURS)) -> list[tuple[float, float]]:
    """Value ranges by powers of ten covering all positive values, e.g. 0.1–1, 1–10, 10–100.

    Parameters
    ----------
    values : sequence of float
        Positive values (areas); an empty sequence gives one range (0, 1).
    max_classes : int
        At most this many ranges: the lowest ranges are merged into the first.

    Returns
    -------
    list of (lower, upper)
        Contiguous ranges from the decade below the smallest value to the decade above the largest.
    """
    positive = [v for v in values if v > 0]
    if not positive:
        return [(0.0, 1.0)]
    low = math.floor(math.log10(min(positive)))
    high = max(math.ceil(math.log10(max(positive))), low + 1)
    edges = [10.0**k for k in range(low, high + 1)]
    if len(edges) - 1 > max_classes:
        edges = [edges[0], *edges[len(edges) - max_classes :]]
    return list(zip(edges[:-1], edges[1:], strict=True))


def connectivity_groups_style(areas_ha: Sequence[float], *, language: str | None = None) -> VectorStyle:
    """Graduated style of connectivity groups by ``area_ha``, one colour per decade of area (labels in
    ``language``, both languages for None)."""
    classes = decade_classes(areas_ha)
    colours = [
        GROUP_AREA_COLOURS[round(i * (len(GROUP_AREA_COLOURS) - 1) / max(len(classes) - 1, 1))]
        for i in range(len(classes))
    ]
    return VectorStyle(
        name="connectivity groups by area",
        geometry_kind="fill",
        attribute="area_ha",
        classes=tuple(
            StyleClass(
                style_label("class_group_area", language, lower=f"{lower:,g}", upper=f"{upper:,g}"),
                Symbol(fill=(*colour, 255), outline=GROUP_OUTLINE, width_mm=0.0),
                lower,
                upper,
            )
            for (lower, upper), colour in zip(classes, colours, strict=True)
        ),
        description="Connectivity groups of I2 (patches less than the gap distance apart), coloured by area",
    )


LINK_COLOUR = (230, 85, 13, 255)
"""Colour of the candidate links (ColorBrewer Oranges, dark), drawn over the green groups."""


def candidate_links_style(gains_ha: Sequence[float], *, language: str | None = None) -> VectorStyle:
    """Graduated style of I2's candidate links by ``gain_ha``: one line width per decade of gain, 0.4 mm for the
    lowest to 2 mm for the highest, so the links that pay most stand out (labels in ``language``, both for None)."""
    classes = decade_classes(gains_ha, max_classes=5)
    widths = [0.4 + 1.6 * i / max(len(classes) - 1, 1) for i in range(len(classes))]
    return VectorStyle(
        name="candidate links by gain",
        geometry_kind="line",
        attribute="gain_ha",
        classes=tuple(
            StyleClass(
                style_label("class_link_gain", language, lower=f"{lower:,g}", upper=f"{upper:,g}"),
                Symbol(fill=None, outline=LINK_COLOUR, width_mm=width),
                lower,
                upper,
            )
            for (lower, upper), width in zip(classes, widths, strict=True)
        ),
        description="Candidate links of I2 between connectivity groups, wider where joining the two gains more",
    )


def overlay_style(layer: str, *, geometry_type: str, language: str | None = None) -> VectorStyle:
    """Style of an overlay layer (``protected_natural_areas``, ``redline_areas``, ``parks_counted``, others)."""
    title = style_label(
        "other_overlay" if layer not in OVERLAY_SYMBOLS else layer, language, year="", layer=_title(layer)
    )
    return VectorStyle(
        name=layer.replace("_", " "),
        geometry_kind=geometry_kind(geometry_type),
        classes=(StyleClass(title.strip(), OVERLAY_SYMBOLS.get(layer, OTHER_OVERLAY_SYMBOL)),),
        description=f"Overlay: {layer.replace('_', ' ')}",
    )


def coverage_layer_style(
    titles: Mapping[str, str], *, index: int, geometry_type: str, language: str | None = None
) -> VectorStyle:
    """Style of a coverage layer other than the red line: an outlined, lightly filled zone in a colour of
    :data:`COVERAGE_LAYER_COLOURS` (by its place in config ``coverage_layers``), labelled with its name in
    ``language`` (``titles``: ``en``, ``zh``; both for None)."""
    red, green, blue = COVERAGE_LAYER_COLOURS[index % len(COVERAGE_LAYER_COLOURS)]
    title = titles[language] if language else f"{titles['en']} / {titles['zh']}"
    return VectorStyle(
        name=titles["en"].lower(),
        geometry_kind=geometry_kind(geometry_type),
        classes=(
            StyleClass(title, Symbol(fill=(red, green, blue, 50), outline=(red, green, blue, 255), width_mm=0.5)),
        ),
        description=f"Coverage layer: {titles['en']}",
    )


SCENARIO_CHANGE_SYMBOLS = {
    "add": Symbol(fill=(33, 113, 181, 150), outline=(8, 48, 107, 255), width_mm=0.4),
    "remove": Symbol(fill=(203, 24, 29, 150), outline=(103, 0, 13, 255), width_mm=0.4),
}
"""Symbol of each ``action`` of a scenario's overlay changes: blue where it added, red where it removed (the
report's scenario map uses the same hues)."""


def scenario_changes_style(*, geometry_type: str = "MultiPolygon", language: str | None = None) -> VectorStyle:
    """Categorised style of a scenario's ``scenario_changes`` layer by ``action`` (``add``, ``remove``): the region
    each overlay change added to or removed from an overlay (labels in ``language``, both languages for None)."""
    return VectorStyle(
        name="scenario overlay changes",
        geometry_kind=geometry_kind(geometry_type),
        attribute="action",
        classes=tuple(
            StyleClass(style_label(f"class_overlay_{label}", language), symbol, value=action)
            for (action, symbol), label in zip(SCENARIO_CHANGE_SYMBOLS.items(), ("added", "removed"), strict=True)
        ),
        description="Regions a scenario's overlay changes added (blue) or removed (red) inside the city",
    )


@dataclass(frozen=True)
class ScenarioOutputs:
    """The spatial outputs of one what-if scenario (``results/{city}/scenarios/{name}/``), shown as a year's.

    ``outputs.year`` is the scenario's base year; ``outputs.overlays`` its ``overlays.gpkg`` when it has one (with
    layer ``scenario_changes``); ``landcover`` its land-cover map (rule write_scenario_landcover_map) in the base
    year's legend; ``titles`` its title per language (``en``, ``zh``).
    """

    name: str
    titles: Mapping[str, str]
    outputs: YearOutputs
    landcover: LandcoverMap | None = None


def scenario_outputs(
    scenarios: Sequence[Mapping],
    *,
    masks: Sequence[str],
    groups: Sequence[str],
    maps: Sequence[str],
    overlays: Sequence[str] = (),
) -> list[ScenarioOutputs]:
    """The city's scenarios as the rule write_qgis_project gets them: ``scenarios`` in file order (``name``,
    ``title`` per language, ``base_year``, ``legend``, ``overlays``: whether it has an ``overlays.gpkg``) and their
    files in the same order, ``overlays`` one per scenario that has them."""
    files = iter(overlays)
    return [
        ScenarioOutputs(
            name=scenario["name"],
            titles=dict(scenario["title"]),
            outputs=YearOutputs(
                year=int(scenario["base_year"]),
                natural_mask=mask,
                groups=group,
                overlays=next(files) if scenario["overlays"] else None,
            ),
            landcover=LandcoverMap(year=int(scenario["base_year"]), raster=raster, legend=scenario["legend"]),
        )
        for scenario, mask, group, raster in zip(scenarios, masks, groups, maps, strict=True)
    ]


def natural_patches_frame(mask: np.ndarray, *, transform: Affine, crs: CRS, neighbourhood: int) -> gpd.GeoDataFrame:
    """Polygons of the natural patches of a natural-area mask, one multipolygon per patch.

    Parameters
    ----------
    mask : ndarray of uint8
        The natural-area mask (1 natural, 0 not natural, 255 outside).
    transform : affine.Affine
        The mask's georeferencing.
    crs : pyproj.CRS
        The mask's CRS.
    neighbourhood : {4, 8}
        Pixel neighbourhood of a patch (config ``method.neighbourhood``), so the features are the patches
        counted by ``natural_patches``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``patch_id``, ``n_cells`` and ``area_ha``, the ground area of the patch's cells (with the ``exact``
        boundary rule, cells cut by the boundary count whole here). The land-cover rule writes the same frame
        strip by strip (layer ``natural_patches`` of the groups GeoPackage); this labels an array in memory.
    """
    row_area = row_cell_areas_m2(crs=crs, transform=transform, height=mask.shape[0], width=mask.shape[1])
    patches = NaturalPatchCollector(width=mask.shape[1], neighbourhood=neighbourhood)
    for start in range(0, mask.shape[0], DEFAULT_BLOCK_ROWS):
        stop = min(start + DEFAULT_BLOCK_ROWS, mask.shape[0])
        patches.add_strip(
            mask[start:stop] == 1, row_area_m2=row_area[start:stop], transform=transform @ Affine.translation(0, start)
        )
    return patches.frame(crs=crs)


def read_natural_patches(outputs: YearOutputs, *, neighbourhood: int) -> gpd.GeoDataFrame:
    """The natural patches of a year: the ``natural_patches`` layer the land-cover rule wrote beside the groups;
    for outputs written before it did, traced from the mask strip by strip (bounded memory)."""
    if NATURAL_PATCHES_LAYER in pyogrio.list_layers(outputs.groups)[:, 0]:
        return gpd.read_file(outputs.groups, layer=NATURAL_PATCHES_LAYER)
    LOGGER.info(
        "%s has no %s layer; tracing the patches of %s", outputs.groups, NATURAL_PATCHES_LAYER, outputs.natural_mask
    )
    return natural_patches_from_mask(outputs.natural_mask, neighbourhood=neighbourhood)


def write_qgis_project(
    *,
    city: str,
    names: Mapping[str, str],
    boundary: BoundarySpec,
    years: Sequence[YearOutputs],
    neighbourhood: int,
    layers_gpkg: str,
    projects: Mapping[str, str],
    landcover: Sequence[LandcoverMap] = (),
    display_crs: str = AUTO,
    coverage_layers: Sequence[Mapping[str, str]] = (),
    scenarios: Sequence[ScenarioOutputs] = (),
) -> None:
    """Write a city's styled GeoPackage and its QGIS project in each language.

    Parameters
    ----------
    city : str
        City id (prefix of the project's layer ids).
    names : mapping of str to str
        The city's name per language (``en``, ``zh``): the project titles, the boundary's ``name`` and
        ``name_zh`` fields and the print layouts' titles.
    boundary : BoundarySpec
        The city's boundary as in the city sheet (read as the land-cover stage reads it).
    years : sequence of YearOutputs
        Every land-cover year's mask, groups and, when the city has overlays, overlay GeoPackage.
    neighbourhood : {4, 8}
        Pixel neighbourhood of natural patches.
    layers_gpkg : str
        Output GeoPackage of every vector layer (shared by the projects of every language).
    projects : mapping of str to str
        Output project per language (``en``, ``zh``; :func:`cbindex.core.city_sheet.qgis_project_pattern`):
        layer, group and layout names and field aliases in that language; paths to the GeoPackage and
        GeoTIFFs relative to the project.
    landcover : sequence of LandcoverMap
        Each year's land-cover copy and legend (rule write_landcover_map): a paletted layer in the product's
        colours and the map of the year's print layout. A year without one gets its layout drawn from the
        natural-area mask.
    display_crs : str
        Config ``display_crs``: the project's CRS and initial view (``auto`` = the city's UTM zone, see
        :func:`cbindex.geo.display_crs.city_display_crs`); layers keep their own CRS and QGIS reprojects them.
    coverage_layers : list of dict
        Config ``coverage_layers`` (``id``, ``name``, ``name_zh``): layer ``<id>_areas`` is shown under its name
        in the project's language (``Basic ecological control line 2020``, ``2020年基本生态控制线``) in a colour of
        its own.
    scenarios : sequence of ScenarioOutputs
        The city's what-if scenarios, in the scenarios file's order: each a group after the years' holding the
        same layers as a year (land cover, natural-area mask, connectivity groups, overlays) and, when its
        overlays changed, the regions each change added or removed (:func:`scenario_changes_style`). Its
        GeoPackage layers are named ``<layer>_scenario_<name>``.

    Notes
    -----
    The layers panel shows the city boundary, then one group per year, latest first; only the latest
    year's group is ticked; then one group per scenario, unticked and collapsed (no print layout). Within a year
    or a scenario: overlays, connectivity groups, natural patches (unticked, as the groups cover them), the
    natural-area mask and the land cover. Each year has a print layout (A4 landscape): the land cover in the city
    boundary, legend, scale bar, north arrow, title and source line (:mod:`cbindex.qgis.print_layout`).
    """
    city_boundary = boundary.read()
    ordered = sorted(years, key=lambda outputs: outputs.year, reverse=True)
    maps = {item.year: item for item in landcover}
    project_crs = city_display_crs(display_crs, boundary=city_boundary)
    boundary_frame = gpd.GeoDataFrame(
        {"city": [city], "name": [names["en"]], "name_zh": [names["zh"]]},
        geometry=[city_boundary.geometry],
        crs=city_boundary.crs,
    )
    package = [PackageLayer(BOUNDARY_LAYER, "city_boundary", None, boundary_frame, city_boundary_style, "MultiPolygon")]
    for outputs in ordered:
        package += _year_package_layers(outputs, neighbourhood=neighbourhood, coverage_layers=coverage_layers)
    for scenario in scenarios:
        package += _year_package_layers(
            scenario.outputs, neighbourhood=neighbourhood, coverage_layers=coverage_layers, scenario=scenario.name
        )
    with atomic_geopackage(layers_gpkg, version=GEOPACKAGE_VERSION) as geopackage:
        for layer in package:
            geopackage.add_layer(layer.layer, layer.frame, geometry_type=layer.wkb_type, promote_to_multi=True)
        write_layer_styles(geopackage.path, styles={layer.layer: layer.style() for layer in package})
    city_extent = city_boundary.to_crs(project_crs, max_segment_length=city_boundary.densify_step()).bounds
    view = _view_extent(city_extent)
    scenario_maps = [scenario.landcover for scenario in scenarios if scenario.landcover is not None]
    legends = {item.legend: load_legend(item.legend) for item in (*landcover, *scenario_maps)}
    for language, project_qgs in projects.items():
        context = _ProjectContext(city, language, layers_gpkg, project_qgs)
        by_table = {layer.layer: context.vector_layer(layer) for layer in package}
        boundary_layer = by_table[BOUNDARY_LAYER]
        tree: list[ProjectLayer | ProjectGroup] = [boundary_layer]
        layouts = []
        for index, outputs in enumerate(ordered):
            year = outputs.year
            nodes = [by_table[layer.layer] for layer in package if layer.year == year and layer.scenario is None]
            nodes.append(context.natural_mask_layer(outputs))
            year_map = maps.get(year)
            if year_map is not None:
                nodes.append(context.landcover_layer(year_map, legends[year_map.legend]))
            name = qgis_text("year_group", language, year=year)
            tree.append(ProjectGroup(name, tuple(nodes), visible=index == 0, expanded=index == 0))
            layouts.append(
                _year_layout(
                    context,
                    names[language],
                    year,
                    (boundary_layer, nodes[-1]),
                    raster_path=year_map.raster if year_map else outputs.natural_mask,
                    crs=project_crs,
                    city_extent=tuple(city_extent),
                    boundary_source=Path(boundary.path).name,
                    legend=legends[year_map.legend] if year_map else None,
                )
            )
        for scenario in scenarios:
            nodes = [by_table[layer.layer] for layer in package if layer.scenario == scenario.name]
            nodes.append(context.natural_mask_layer(scenario.outputs, scenario=scenario.name))
            if scenario.landcover is not None:
                legend = legends[scenario.landcover.legend]
                nodes.append(context.landcover_layer(scenario.landcover, legend, scenario=scenario.name))
            name = qgis_text("scenario_group", language, title=scenario.titles[language])
            tree.append(ProjectGroup(name, tuple(nodes), visible=False, expanded=False))
        title = qgis_text("project_title", language, city=names[language])
        xml = project_xml(title=title, crs=project_crs, view_extent=view, tree=tree, layouts=layouts_element(layouts))
        _write_text(project_qgs, xml)
        LOGGER.info("City %s: project %s with %d layers", city, project_qgs, len(project_layers(tree)))
    LOGGER.info("City %s: %d vector layers in %s", city, len(package), layers_gpkg)


@dataclass(frozen=True)
class PackageLayer:
    """One layer of the city's GeoPackage: its table name, what it shows (a key of the catalogue's ``qgis``
    section), its year, features and style (a function of the label language), and whether it is ticked."""

    layer: str
    kind: str
    year: int | None
    frame: gpd.GeoDataFrame
    style: Callable[..., VectorStyle]
    wkb_type: str
    visible: bool = True
    titles: Mapping[str, str] | None = None
    """The layer's own name per language (a coverage layer's names from config), for kind ``coverage_layer``."""
    scenario: str | None = None
    """The what-if scenario the layer belongs to (its ``year`` is then the scenario's base year), None for a year's."""

    def name(self, language: str) -> str:
        """The name QGIS shows in ``language`` (a scenario's layers: catalogue key ``scenario_<kind>``); an empty
        layer's name says why it is empty."""
        own = self.titles[language] if self.titles else _title(self.layer.removesuffix(_layer_suffix(self)))
        kind = f"scenario_{self.kind}" if self.scenario else self.kind
        name = qgis_text(kind, language, year=self.year, layer=own)
        if len(self.frame):
            return name
        note_key = next((key for key in (f"empty_{kind}", f"empty_{self.kind}") if has_qgis_text(key)), "empty_other")
        return f"{name} — {qgis_text(note_key, language, year=self.year, layer=own)}"


def _layer_suffix(layer: PackageLayer) -> str:
    """The end of a GeoPackage layer's name that says whose it is: ``_2020``, ``_scenario_<name>``."""
    return f"_scenario_{layer.scenario}" if layer.scenario else f"_{layer.year}"


@dataclass(frozen=True)
class _ProjectContext:
    """What every layer of one project shares: the city, the language and where the project lies."""

    city: str
    language: str
    layers_gpkg: str
    project_qgs: str

    def vector_layer(self, layer: PackageLayer) -> ProjectLayer:
        frame = layer.frame
        return ProjectLayer(
            layer_id=f"{self.city}_{layer.layer}",
            name=layer.name(self.language),
            style=layer.style(language=self.language),
            crs=CRS.from_user_input(frame.crs),
            source=relative_source(self.layers_gpkg, project_path=self.project_qgs, layer=layer.layer),
            wkb_type=layer.wkb_type,
            extent=tuple(frame.total_bounds) if len(frame) else (0.0, 0.0, 0.0, 0.0),
            visible=layer.visible,
            aliases=field_aliases([c for c in frame.columns if c != frame.geometry.name], self.language),
        )

    def natural_mask_layer(self, outputs: YearOutputs, *, scenario: str | None = None) -> ProjectLayer:
        with rasterio.open(outputs.natural_mask) as source:
            crs, bounds = CRS.from_user_input(source.crs), tuple(source.bounds)
        whose = f"scenario_{scenario}" if scenario else outputs.year
        return ProjectLayer(
            layer_id=f"{self.city}_natural_mask_{whose}",
            name=qgis_text("scenario_natural_mask" if scenario else "natural_mask", self.language, year=outputs.year),
            style=natural_mask_palette(language=self.language),
            source=relative_source(outputs.natural_mask, project_path=self.project_qgs),
            crs=crs,
            extent=bounds,
        )

    def landcover_layer(self, year_map: LandcoverMap, legend: Legend, *, scenario: str | None = None) -> ProjectLayer:
        with rasterio.open(year_map.raster) as source:
            crs, bounds = CRS.from_user_input(source.crs), tuple(source.bounds)
        whose = f"scenario_{scenario}" if scenario else year_map.year
        return ProjectLayer(
            layer_id=f"{self.city}_landcover_{whose}",
            name=qgis_text("scenario_landcover" if scenario else "landcover", self.language, year=year_map.year),
            style=landcover_palette(legend, language=self.language),
            source=relative_source(year_map.raster, project_path=self.project_qgs),
            crs=crs,
            extent=bounds,
        )


def _year_layout(
    context: _ProjectContext,
    city_name: str,
    year: int,
    layers: tuple[ProjectLayer, ...],
    *,
    raster_path: str,
    crs: CRS,
    city_extent: tuple[float, float, float, float],
    boundary_source: str,
    legend: Legend | None,
) -> PrintLayout:
    """The print layout of one year: the year's land cover (or natural-area mask) in the city boundary."""
    language = context.language
    with rasterio.open(raster_path) as source:
        width_m, height_m = cell_size_m(
            crs=CRS.from_user_input(source.crs), transform=source.transform, height=source.height
        )
    product = legend.name if legend else qgis_text("natural_mask", language, year=year)
    authority = crs.to_authority()
    return PrintLayout(
        name=qgis_text("layout_name", language, year=year),
        title=qgis_text("layout_title", language, city=city_name, year=year),
        source=qgis_text(
            "layout_source",
            language,
            product=product,
            year=year,
            cell_m=f"{(width_m + height_m) / 2:.3g}",
            boundary=boundary_source,
            crs_name=crs.name,  # the EPSG name is English: the Chinese line gives the code alone
            crs_id=":".join(authority) if authority else crs.name,
            version=cbindex_version(),
        ),
        legend_title=qgis_text("layout_legend", language),
        font_family=LAYOUT_FONTS.get(language, LAYOUT_FONTS["en"]),
        crs=crs,
        city_extent=city_extent,
        layers=layers,
    )


def write_landcover_map(*, landcover: str, boundary: BoundarySpec, legend: str, map_tif: str, map_style: str) -> None:
    """Rule write_landcover_map: the city's cells of a year's land-cover raster as a COG, and its style beside it.

    Parameters
    ----------
    landcover : str
        The year's land-cover raster (sheet column ``landcover``).
    boundary : BoundarySpec
        The city's boundary as in the city sheet.
    legend : str
        The raster's legend file (codes, names, colours).
    map_tif, map_style : str
        Outputs: the copy (:func:`cbindex.qgis.landcover_map.write_city_landcover`: cells outside the city are
        nodata) and its ``.qml`` (paletted, the legend's colours, class names in English and Chinese).
    """
    product = load_legend(legend)
    nodata = write_city_landcover(landcover, boundary=boundary.read(), legend=product, path=map_tif)
    _write_text(map_style, raster_qml(landcover_palette(product)))
    LOGGER.info("Land cover %s: the city's cells in %s (nodata %d), style %s", landcover, map_tif, nodata, map_style)


def cbindex_version() -> str:
    """The installed cbindex's version (printed on every map)."""
    try:
        return metadata.version("cbindex")
    except metadata.PackageNotFoundError:
        return "unknown"


def _year_package_layers(
    outputs: YearOutputs,
    *,
    neighbourhood: int,
    coverage_layers: Sequence[Mapping[str, str]] = (),
    scenario: str | None = None,
) -> list[PackageLayer]:
    """The GeoPackage layers of one year or of a what-if ``scenario`` (on its base year), top to bottom: a
    scenario's overlay changes, overlays, districts, candidate links, connectivity groups, natural patches."""
    year = outputs.year
    suffix = f"scenario_{scenario}" if scenario else str(year)
    layers = []
    coverage = {f"{entry['id']}_areas": entry for entry in coverage_layers if entry["id"] != "redline"}
    overlays = list(pyogrio.list_layers(outputs.overlays)) if outputs.overlays else []
    overlays.sort(key=lambda item: item[0] != SCENARIO_CHANGES_LAYER)  # the changes on top, the rest in file order
    for layer, geometry_type in overlays:
        multi = _multi(geometry_type if geometry_type not in (None, "Unknown") else "Polygon")
        frame = gpd.read_file(outputs.overlays, layer=layer)
        if layer == SCENARIO_CHANGES_LAYER:
            titles, kind, style = None, layer, scenario_changes_style
        elif layer in coverage:
            entry = coverage[layer]
            titles = {"en": f"{entry['name'][:1].upper()}{entry['name'][1:]}", "zh": entry["name_zh"]}
            index = list(coverage).index(layer)
            kind, style = "coverage_layer", functools.partial(coverage_layer_style, titles, index=index)
        else:
            titles = None
            kind = layer if layer in OVERLAY_SYMBOLS else "other_overlay"
            style = functools.partial(overlay_style, layer)
        layers.append(
            PackageLayer(
                f"{layer}_{suffix}",
                kind,
                year,
                frame,
                functools.partial(style, geometry_type=multi),
                multi,
                titles=titles,
                scenario=scenario,
            )
        )
    layers += _districts_layer(outputs)
    layers += _links_layer(outputs, scenario=scenario)
    groups = gpd.read_file(outputs.groups, layer=GROUPS_LAYER)
    layers.append(
        PackageLayer(
            f"connectivity_groups_{suffix}",
            "connectivity_groups",
            year,
            groups,
            functools.partial(connectivity_groups_style, groups["area_ha"].tolist()),
            "MultiPolygon",
            scenario=scenario,
        )
    )
    patches = read_natural_patches(outputs, neighbourhood=neighbourhood)
    layers.append(
        PackageLayer(
            f"natural_areas_{suffix}",
            "natural_patches",
            year,
            patches,
            natural_patches_style,
            "MultiPolygon",
            visible=False,
            scenario=scenario,
        )
    )
    return layers


DISTRICT_SHARE_CLASSES = ((0.0, 20.0), (20.0, 40.0), (40.0, 60.0), (60.0, 80.0), (80.0, 100.0))
"""I1 ranges (%) of the districts layer's graduated style, light to dark."""


def districts_style(*, language: str | None = None) -> VectorStyle:
    """Graduated style of the districts layer by ``I1`` (natural share, %), ColorBrewer YlGn in five ranges (the
    range labels are the same in every language)."""
    colours = GROUP_AREA_COLOURS[::-1][: len(DISTRICT_SHARE_CLASSES)][::-1]
    return VectorStyle(
        name="districts by natural share",
        geometry_kind="fill",
        attribute="I1",
        classes=tuple(
            StyleClass(
                f"{lower:g} – {upper:g} %",
                Symbol(fill=(*colour, 220), outline=(60, 60, 60, 255), width_mm=0.2),
                lower,
                upper,
            )
            for (lower, upper), colour in zip(DISTRICT_SHARE_CLASSES, colours, strict=True)
        ),
        description="Districts coloured by their natural share I1 (every district value is a column of the layer)",
    )


def _links_layer(outputs: YearOutputs, *, scenario: str | None = None) -> list[PackageLayer]:
    """Layer ``candidate_links_{year}`` (the year's ``candidate_links``, styled by gain; a scenario's
    ``candidate_links_scenario_{name}``); none for a groups file written before the land-cover rule wrote links."""
    if LINKS_LAYER not in pyogrio.list_layers(outputs.groups)[:, 0]:
        return []
    links = gpd.read_file(outputs.groups, layer=LINKS_LAYER)
    style = functools.partial(candidate_links_style, links["gain_ha"].tolist())
    year = outputs.year
    name = f"candidate_links_scenario_{scenario}" if scenario else f"candidate_links_{year}"
    return [PackageLayer(name, "candidate_links", year, links, style, "MultiLineString", scenario=scenario)]


def _districts_layer(outputs: YearOutputs) -> list[PackageLayer]:
    """The year's districts joined to their values (none when the city has no districts)."""
    if not outputs.districts:
        return []
    frame = gpd.read_file(outputs.districts, layer=DISTRICTS_LAYER)
    return [
        PackageLayer(f"districts_{outputs.year}", "districts", outputs.year, frame, districts_style, "MultiPolygon")
    ]


def _multi(geometry_type: str) -> str:
    return geometry_type if geometry_type.startswith("Multi") else f"Multi{geometry_type}"


def _view_extent(bounds: Sequence[float]) -> Extent:
    xmin, ymin, xmax, ymax = bounds
    dx, dy = (xmax - xmin) * VIEW_MARGIN, (ymax - ymin) * VIEW_MARGIN
    return (xmin - dx, ymin - dy, xmax + dx, ymax + dy)


def _title(layer: str) -> str:
    return layer.replace("_", " ").capitalize()


def _write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
