"""A QGIS project file (``.qgs``) written with plain XML: layers, their styles, groups, relative paths.

The project lists layers by their data source relative to the project file (QGIS's "relative paths"
setting), so the results folder can be moved or shared as a whole. Each layer carries its style (the same
elements :mod:`cbindex.qgis.styles` writes to QML files and GeoPackage style tables). Nothing here imports
QGIS.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS

from cbindex.qgis.styles import (
    QGIS_FORMAT_VERSION,
    QML_DOCTYPE,
    RasterPalette,
    VectorStyle,
    raster_style_elements,
    vector_style_elements,
)

Extent = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax
LAYER_GEOMETRY = {"fill": "Polygon", "line": "Line", "marker": "Point"}


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of a project.

    Attributes
    ----------
    layer_id : str
        Unique id within the project.
    name : str
        Name shown in the layers panel.
    source : str
        Data source relative to the project file, e.g. ``./city_layers.gpkg|layername=city_boundary``
        (see :func:`relative_source`).
    style : VectorStyle or RasterPalette
        The layer's style; a :class:`VectorStyle` makes an OGR vector layer, a :class:`RasterPalette` a GDAL
        raster layer.
    crs : pyproj.CRS
        The layer's CRS.
    extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in the layer's CRS.
    wkb_type : str
        Geometry type of a vector layer (e.g. ``MultiPolygon``); ignored for rasters.
    visible : bool
        Whether the layer is ticked in the layers panel.
    aliases : tuple of (str, str)
        ``(field, alias)`` of a vector layer's fields: the names QGIS shows in the attribute table and forms.
    """

    layer_id: str
    name: str
    source: str
    style: VectorStyle | RasterPalette
    crs: CRS
    extent: Extent
    wkb_type: str = ""
    visible: bool = True
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProjectGroup:
    """A group of the layers panel; an unticked group hides its layers, a collapsed one folds them."""

    name: str
    children: tuple[ProjectLayer | ProjectGroup, ...] = field(default_factory=tuple)
    visible: bool = True
    expanded: bool = True


def relative_source(path: str | Path, *, project_path: str | Path, layer: str | None = None) -> str:
    """A data source relative to the project file, ``./dir/file`` plus ``|layername=`` for a GeoPackage layer."""
    relative = Path(os.path.relpath(Path(path).resolve(), Path(project_path).resolve().parent)).as_posix()
    source = relative if relative.startswith("../") else f"./{relative}"
    return f"{source}|layername={layer}" if layer else source


def project_layers(tree: Sequence[ProjectLayer | ProjectGroup]) -> list[ProjectLayer]:
    """Every layer of a layer tree, depth first in panel order (the first is drawn on top)."""
    layers: list[ProjectLayer] = []
    for node in tree:
        layers += project_layers(node.children) if isinstance(node, ProjectGroup) else [node]
    return layers


def project_xml(
    *,
    title: str,
    crs: CRS,
    view_extent: Extent,
    tree: Sequence[ProjectLayer | ProjectGroup],
    layouts: ET.Element | None = None,
) -> str:
    """The text of a QGIS project file.

    Parameters
    ----------
    title : str
        Project title.
    crs : pyproj.CRS
        Project (map) CRS; layers in other CRSs are reprojected on the fly by QGIS.
    view_extent : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in ``crs`` shown when the project opens.
    tree : sequence of ProjectLayer and ProjectGroup
        The layers panel from top to bottom; the top layer is drawn last (on top).
    layouts : xml.etree.ElementTree.Element, optional
        The project's print layouts, a ``<Layouts>`` element (:func:`cbindex.qgis.print_layout.layouts_element`).

    Returns
    -------
    str
        The ``.qgs`` XML; paths are stored relative to the project file.

    Raises
    ------
    ValueError
        When two layers share an id.
    """
    layers = project_layers(tree)
    ids = [layer.layer_id for layer in layers]
    if len(set(ids)) != len(ids):
        raise ValueError(f"layer ids are not unique: {sorted(i for i in set(ids) if ids.count(i) > 1)}")
    root = ET.Element("qgis", {"version": QGIS_FORMAT_VERSION, "projectname": title})
    ET.SubElement(root, "homePath", {"path": ""})
    _text(root, "title", title)
    ET.SubElement(root, "projectCrs").append(spatial_reference_element(crs))
    root.append(_layer_tree_group("", tree, visible=True, expanded=True))
    root.append(_map_canvas(crs, view_extent))
    project_layers_element = ET.SubElement(root, "projectlayers")
    for layer in layers:
        project_layers_element.append(_map_layer(layer))
    root.append(project_properties(crs))
    view = ET.SubElement(root, "ProjectViewSettings", {"UseProjectScales": "0", "rotation": "0"})
    default_extent = ET.SubElement(view, "DefaultViewExtent", _extent_attributes(view_extent))
    default_extent.append(spatial_reference_element(crs))
    if layouts is not None:
        root.append(layouts)
    ET.indent(root)
    return f"{QML_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"


def project_properties(crs: CRS) -> ET.Element:
    """The project's ``<properties>``: relative paths, the CRS switched on, the ellipsoid and units of measurement.

    QGIS reads ``<projectCrs>`` only when ``SpatialRefSys/ProjectionsEnabled`` is 1; without it the project opens
    with no CRS. ``Measure/Ellipsoid`` is the CRS's ellipsoid (without one QGIS measures on the plane, ellipsoid
    ``NONE``); distances are measured in metres and areas in hectares, the units of the report.
    """
    properties = ET.Element("properties")
    for group, key, kind, value in (
        ("Measure", "Ellipsoid", "QString", ellipsoid_id(crs)),
        ("Measurement", "AreaUnits", "QString", "ha"),
        ("Measurement", "DistanceUnits", "QString", "meters"),
        ("Paths", "Absolute", "bool", "false"),
        ("SpatialRefSys", "ProjectionsEnabled", "int", "1"),
    ):
        parent = properties.find(group)
        parent = ET.SubElement(properties, group) if parent is None else parent
        _text(parent, key, value).set("type", kind)
    return properties


def ellipsoid_id(crs: CRS) -> str:
    """The ellipsoid of a CRS as QGIS names it: ``EPSG:7030`` (WGS 84), else ``PARAMETER:<a>:<b>`` in metres."""
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:
        raise ValueError(f"CRS {crs.name} has no ellipsoid")
    identifier = ellipsoid.to_json_dict().get("id") or {}
    if identifier.get("authority") and identifier.get("code"):
        return f"{identifier['authority']}:{identifier['code']}"
    return f"PARAMETER:{ellipsoid.semi_major_metre!r}:{ellipsoid.semi_minor_metre!r}"


def spatial_reference_element(crs: CRS) -> ET.Element:
    """The ``<spatialrefsys>`` element of a CRS: authority id when it has one, WKT always."""
    authority = crs.to_authority()
    element = ET.Element("spatialrefsys")
    for tag, text in (
        ("wkt", crs.to_wkt()),
        ("proj4", ""),
        ("srsid", "0"),
        ("srid", authority[1] if authority and authority[0] == "EPSG" else "0"),
        ("authid", ":".join(authority) if authority else ""),
        ("description", crs.name),
        ("projectionacronym", ""),
        ("ellipsoidacronym", ellipsoid_id(crs) if crs.ellipsoid is not None else ""),
        ("geographicflag", "true" if crs.is_geographic else "false"),
    ):
        _text(element, tag, text)
    return element


def _layer_tree_group(name: str, children, *, visible: bool, expanded: bool) -> ET.Element:
    attributes = {"checked": _checked(visible), "expanded": "1" if expanded else "0"}
    element = ET.Element("layer-tree-group", {"name": name, **attributes} if name else attributes)
    ET.SubElement(element, "customproperties")
    for node in children:
        if isinstance(node, ProjectGroup):
            element.append(_layer_tree_group(node.name, node.children, visible=node.visible, expanded=node.expanded))
        else:
            ET.SubElement(
                element,
                "layer-tree-layer",
                {
                    "id": node.layer_id,
                    "name": node.name,
                    "source": node.source,
                    "providerKey": provider_key(node),
                    "checked": _checked(node.visible),
                    "expanded": "1",
                },
            )
    return element


def _map_layer(layer: ProjectLayer) -> ET.Element:
    if isinstance(layer.style, VectorStyle):
        element = ET.Element(
            "maplayer",
            {
                "type": "vector",
                "geometry": LAYER_GEOMETRY[layer.style.geometry_kind],
                "wkbType": layer.wkb_type,
                "styleCategories": "AllStyleCategories",
            },
        )
    else:
        element = ET.Element("maplayer", {"type": "raster", "styleCategories": "AllStyleCategories"})
    element.append(_extent_element("extent", layer.extent))
    _text(element, "id", layer.layer_id)
    _text(element, "datasource", layer.source)
    _text(element, "layername", layer.name)
    ET.SubElement(element, "srs").append(spatial_reference_element(layer.crs))
    provider = _text(element, "provider", provider_key(layer))
    if isinstance(layer.style, VectorStyle):
        provider.set("encoding", "UTF-8")
        element.extend(vector_style_elements(layer.style))
        aliases = ET.SubElement(element, "aliases")
        for field_name, alias in layer.aliases:
            ET.SubElement(aliases, "alias", {"field": field_name, "name": alias})
    else:
        no_data = ET.SubElement(element, "noData")
        ET.SubElement(no_data, "noDataList", {"bandNo": str(layer.style.band), "useSrcNoData": "1"})
        element.extend(raster_style_elements(layer.style))
    return element


def _map_canvas(crs: CRS, extent: Extent) -> ET.Element:
    canvas = ET.Element("mapcanvas", {"name": "theMapCanvas", "annotationsVisible": "1"})
    _text(canvas, "units", "degrees" if crs.is_geographic else "meters")
    canvas.append(_extent_element("extent", extent))
    _text(canvas, "rotation", "0")
    ET.SubElement(canvas, "destinationsrs").append(spatial_reference_element(crs))
    _text(canvas, "rendermaptile", "0")
    return canvas


def provider_key(layer: ProjectLayer) -> str:
    """QGIS's data provider of a layer: ``ogr`` for a vector layer, ``gdal`` for a raster."""
    return "ogr" if isinstance(layer.style, VectorStyle) else "gdal"


def _checked(visible: bool) -> str:
    return "Qt::Checked" if visible else "Qt::Unchecked"


def _extent_attributes(extent: Extent) -> dict[str, str]:
    return dict(zip(("xmin", "ymin", "xmax", "ymax"), (repr(float(v)) for v in extent), strict=True))


def _extent_element(tag: str, extent: Extent) -> ET.Element:
    element = ET.Element(tag)
    for key, value in _extent_attributes(extent).items():
        _text(element, key, value)
    return element


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element
