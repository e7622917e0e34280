"""A city's outputs packaged for QGIS: one styled GeoPackage, a style beside every GeoTIFF, and a project.

``{city}_layers.gpkg`` holds every vector output as a named layer (city boundary, natural patches and
connectivity groups per year, overlay layers when the city has them) and their styles in its
``layer_styles`` table; ``natural_areas.qml`` beside each natural-area mask styles the GeoTIFF; ``{city}.qgs``
opens all of them, styled, with paths relative to the project file.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
from affine import Affine
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.geopackage import atomic_geopackage
from cbindex.core.messages import messages
from cbindex.core.output_names import DISTRICTS_LAYER, GROUPS_LAYER, NATURAL_PATCHES_LAYER
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.cell_area import row_cell_areas_m2
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS
from cbindex.geo.display_crs import AUTO, city_display_crs
from cbindex.landcover.spatial_outputs import (
    NaturalPatchCollector,
    YearOutputs,
    natural_patches_from_mask,
)
from cbindex.qgis.mask_style import NATURAL_MASK_PALETTE, write_natural_areas_style  # noqa: F401
from cbindex.qgis.project import Extent, ProjectGroup, ProjectLayer, project_layers, project_xml, relative_source
from cbindex.qgis.styles import (
    StyleClass,
    Symbol,
    VectorStyle,
    geometry_kind,
    write_layer_styles,
)

LOGGER = logging.getLogger(__name__)
GEOPACKAGE_VERSION = "1.2"  # readable without warnings by the GDAL of every supported QGIS
BOUNDARY_LAYER = "city_boundary"
VIEW_MARGIN = 0.03  # share of the boundary's width and height added around it in the initial view

CITY_BOUNDARY_STYLE = VectorStyle(
    name="city boundary",
    geometry_kind="fill",
    classes=(StyleClass("city boundary", Symbol(fill=None, outline=(35, 35, 35, 255), width_mm=0.6)),),
    description="The city's area of assessment (boundary after filtering, repair and dissolve)",
)
NATURAL_PATCHES_STYLE = VectorStyle(
    name="natural patches",
    geometry_kind="fill",
    classes=(StyleClass("natural patch", Symbol(fill=(26, 150, 65, 200), outline=(0, 104, 55, 255), width_mm=0.1)),),
    description="Natural patches (I1, I2): connected natural cells of the natural-area mask",
)
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
OVERLAYS = {  # overlay layer: (name shown in QGIS, symbol)
    "protected_natural_areas": (
        "Protected natural areas",
        Symbol(fill=(118, 42, 131, 90), outline=(118, 42, 131, 255), width_mm=0.4),
    ),
    "redline_areas": ("Red-line areas", Symbol(fill=(215, 25, 28, 60), outline=(215, 25, 28, 255), width_mm=0.5)),
    "parks_counted": ("Parks counted", Symbol(fill=(253, 174, 97, 170), outline=(166, 97, 26, 255), width_mm=0.3)),
}
COVERAGE_LAYER_COLOURS = ((230, 85, 13), (49, 163, 84), (117, 107, 177), (99, 99, 99), (221, 28, 119))
"""Outline colours of the coverage layers other than the red line, in config order (ColorBrewer Dark2-like)."""
OTHER_OVERLAY_SYMBOL = Symbol(fill=(49, 130, 189, 110), outline=(8, 81, 156, 255), width_mm=0.3)
EMPTY_LAYER_NOTES = {  # why a layer has no feature, in English and Chinese, appended to its name in QGIS
    "natural_areas": "no natural area in {year} / {year}年无自然区域",
    "connectivity_groups": "no natural patch to connect in {year} / {year}年无可连通的自然斑块",
    "protected_natural_areas": "no protected area inside the city / 市内无保护地",
    "redline_areas": "no red-line area inside the city / 市内无生态保护红线",
    "parks_counted": "no park or protected area inside the city / 市内无公园或保护地",
}


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


def connectivity_groups_style(areas_ha: Sequence[float]) -> VectorStyle:
    """Graduated style of connectivity groups by ``area_ha``, one colour per decade of area."""
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
                f"{lower:,g} – {upper:,g} ha",
                Symbol(fill=(*colour, 255), outline=GROUP_OUTLINE, width_mm=0.0),
                lower,
                upper,
            )
            for (lower, upper), colour in zip(classes, colours, strict=True)
        ),
        description="Connectivity groups of I2 (patches less than the gap distance apart), coloured by area",
    )


def overlay_style(layer: str, *, geometry_type: str) -> VectorStyle:
    """Style of an overlay layer (``protected_natural_areas``, ``redline_areas``, ``parks_counted``, others)."""
    title, symbol = OVERLAYS.get(layer, (_title(layer), OTHER_OVERLAY_SYMBOL))
    return VectorStyle(
        name=title.lower(),
        geometry_kind=geometry_kind(geometry_type),
        classes=(StyleClass(title, symbol),),
        description=f"Overlay: {title.lower()}",
    )


def coverage_layer_style(title: str, *, index: int, geometry_type: str) -> VectorStyle:
    """Style of a coverage layer other than the red line: an outlined, lightly filled zone in a colour of
    :data:`COVERAGE_LAYER_COLOURS` (by its place in config ``coverage_layers``)."""
    red, green, blue = COVERAGE_LAYER_COLOURS[index % len(COVERAGE_LAYER_COLOURS)]
    return VectorStyle(
        name=title.lower(),
        geometry_kind=geometry_kind(geometry_type),
        classes=(
            StyleClass(title, Symbol(fill=(red, green, blue, 50), outline=(red, green, blue, 255), width_mm=0.5)),
        ),
        description=f"Coverage layer: {title}",
    )


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
    title: str,
    boundary: BoundarySpec,
    years: Sequence[YearOutputs],
    neighbourhood: int,
    layers_gpkg: str,
    project_qgs: str,
    display_crs: str = AUTO,
    coverage_layers: Sequence[Mapping[str, str]] = (),
) -> None:
    """Write a city's styled GeoPackage and its QGIS project.

    Parameters
    ----------
    city : str
        City id (prefix of the project's layer ids).
    title : str
        Project title.
    boundary : BoundarySpec
        The city's boundary as in the city sheet (read as the land-cover stage reads it).
    years : sequence of YearOutputs
        Every land-cover year's mask, groups and, when the city has overlays, overlay GeoPackage.
    neighbourhood : {4, 8}
        Pixel neighbourhood of natural patches.
    layers_gpkg, project_qgs : str
        Output paths; the project refers to the GeoPackage and the GeoTIFFs by paths relative to itself.
    display_crs : str
        Config ``display_crs``: the project's CRS and initial view (``auto`` = the city's UTM zone, see
        :func:`cbindex.geo.display_crs.city_display_crs`); layers keep their own CRS and QGIS reprojects them.
    coverage_layers : list of dict
        Config ``coverage_layers`` (``id``, ``name``, ``name_zh``): layer ``<id>_areas`` is shown under both names
        (``Basic ecological control line / 基本生态控制线 2020``) in a colour of its own.

    Notes
    -----
    The layers panel shows the city boundary, then one group per year, latest first; only the latest
    year's group is ticked. Within a year: overlays, connectivity groups, natural patches (unticked, as the
    groups cover them) and the natural-area mask.
    """
    city_boundary = boundary.read()
    ordered = sorted(years, key=lambda outputs: outputs.year, reverse=True)
    project_crs = city_display_crs(display_crs, boundary=city_boundary)
    boundary_frame = gpd.GeoDataFrame(
        {"city": [city], "name": [title]}, geometry=[city_boundary.geometry], crs=city_boundary.crs
    )
    package = [PackageLayer(BOUNDARY_LAYER, "City boundary", boundary_frame, CITY_BOUNDARY_STYLE, "MultiPolygon")]
    tree: list[ProjectLayer | ProjectGroup] = [
        _project_layer(package[0], city=city, layers_gpkg=layers_gpkg, project_qgs=project_qgs)
    ]
    for index, outputs in enumerate(ordered):
        year_layers = _year_package_layers(outputs, neighbourhood=neighbourhood, coverage_layers=coverage_layers)
        package += year_layers
        nodes = [
            _project_layer(layer, city=city, layers_gpkg=layers_gpkg, project_qgs=project_qgs) for layer in year_layers
        ]
        nodes.append(_natural_mask_layer(outputs, city=city, project_qgs=project_qgs))
        tree.append(ProjectGroup(str(outputs.year), tuple(nodes), visible=index == 0, expanded=index == 0))
    with atomic_geopackage(layers_gpkg, version=GEOPACKAGE_VERSION) as geopackage:
        for layer in package:
            geopackage.add_layer(layer.layer, layer.frame, geometry_type=layer.wkb_type, promote_to_multi=True)
        write_layer_styles(geopackage.path, styles={layer.layer: layer.style for layer in package})
    view = _view_extent(city_boundary.to_crs(project_crs, max_segment_length=city_boundary.densify_step()).bounds)
    _write_text(project_qgs, project_xml(title=title, crs=project_crs, view_extent=view, tree=tree))
    LOGGER.info(
        "City %s: %d vector layers in %s; project %s with %d layers",
        city,
        len(package),
        layers_gpkg,
        project_qgs,
        len(project_layers(tree)),
    )


@dataclass(frozen=True)
class PackageLayer:
    """One layer of the city's GeoPackage: its table name, the name QGIS shows, features and style."""

    layer: str
    name: str
    frame: gpd.GeoDataFrame
    style: VectorStyle
    wkb_type: str
    visible: bool = True


def layer_name(name: str, frame: gpd.GeoDataFrame, *, kind: str, year: int) -> str:
    """The name QGIS shows for a layer; an empty layer's name says why it is empty (:data:`EMPTY_LAYER_NOTES`)."""
    if len(frame):
        return name
    note = EMPTY_LAYER_NOTES.get(kind, "no feature inside the city / 市内无要素")
    return f"{name} — {note.format(year=year)}"


def _year_package_layers(
    outputs: YearOutputs, *, neighbourhood: int, coverage_layers: Sequence[Mapping[str, str]] = ()
) -> list[PackageLayer]:
    """The GeoPackage layers of one year, top to bottom: overlays, connectivity groups, natural patches."""
    year = outputs.year
    layers = []
    coverage = {f"{entry['id']}_areas": entry for entry in coverage_layers if entry["id"] != "redline"}
    for layer, geometry_type in pyogrio.list_layers(outputs.overlays) if outputs.overlays else []:
        multi = _multi(geometry_type if geometry_type not in (None, "Unknown") else "Polygon")
        frame = gpd.read_file(outputs.overlays, layer=layer)
        if layer in coverage:
            entry = coverage[layer]
            title = f"{entry['name'][:1].upper()}{entry['name'][1:]} / {entry['name_zh']}"
            name = (
                f"{title} {year}"
                if len(frame)
                else f"{title} {year} — no {entry['name']} inside the city / 市内无{entry['name_zh']}"
            )
            style = coverage_layer_style(title, index=list(coverage).index(layer), geometry_type=multi)
        else:
            title = OVERLAYS.get(layer, (_title(layer),))[0]
            name = layer_name(f"{title} {year}", frame, kind=layer, year=year)
            style = overlay_style(layer, geometry_type=multi)
        layers.append(PackageLayer(f"{layer}_{year}", name, frame, style, multi))
    layers += _districts_layer(outputs)
    groups = gpd.read_file(outputs.groups, layer=GROUPS_LAYER)
    layers.append(
        PackageLayer(
            f"connectivity_groups_{year}",
            layer_name(f"Connectivity groups {year} (I2)", groups, kind="connectivity_groups", year=year),
            groups,
            connectivity_groups_style(groups["area_ha"].tolist()),
            "MultiPolygon",
        )
    )
    patches = read_natural_patches(outputs, neighbourhood=neighbourhood)
    layers.append(
        PackageLayer(
            f"natural_areas_{year}",
            layer_name(f"Natural patches {year}", patches, kind="natural_areas", year=year),
            patches,
            NATURAL_PATCHES_STYLE,
            "MultiPolygon",
            visible=False,
        )
    )
    return layers


DISTRICT_SHARE_CLASSES = ((0.0, 20.0), (20.0, 40.0), (40.0, 60.0), (60.0, 80.0), (80.0, 100.0))
"""I1 ranges (%) of the districts layer's graduated style, light to dark."""


def districts_style() -> VectorStyle:
    """Graduated style of the districts layer by ``I1`` (natural share, %), ColorBrewer YlGn in five ranges."""
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


def _districts_layer(outputs: YearOutputs) -> list[PackageLayer]:
    """The year's districts joined to their values (none when the city has no districts)."""
    if not outputs.districts:
        return []
    frame = gpd.read_file(outputs.districts, layer=DISTRICTS_LAYER)
    name = " / ".join(messages("qgis.districts", year=outputs.year).values())
    return [PackageLayer(f"districts_{outputs.year}", name, frame, districts_style(), "MultiPolygon")]


def _project_layer(layer: PackageLayer, *, city: str, layers_gpkg: str, project_qgs: str) -> ProjectLayer:
    frame = layer.frame
    return ProjectLayer(
        layer_id=f"{city}_{layer.layer}",
        name=layer.name,
        style=layer.style,
        crs=CRS.from_user_input(frame.crs),
        source=relative_source(layers_gpkg, project_path=project_qgs, layer=layer.layer),
        wkb_type=layer.wkb_type,
        extent=tuple(frame.total_bounds) if len(frame) else (0.0, 0.0, 0.0, 0.0),
        visible=layer.visible,
    )


def _natural_mask_layer(outputs: YearOutputs, *, city: str, project_qgs: str) -> ProjectLayer:
    with rasterio.open(outputs.natural_mask) as source:
        crs, bounds = CRS.from_user_input(source.crs), tuple(source.bounds)
    return ProjectLayer(
        layer_id=f"{city}_natural_mask_{outputs.year}",
        name=f"Natural-area mask {outputs.year} (I1)",
        style=NATURAL_MASK_PALETTE,
        source=relative_source(outputs.natural_mask, project_path=project_qgs),
        crs=crs,
        extent=bounds,
    )


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
