"""A QGIS print layout written as plain XML: an A4 landscape map page the analyst exports with one click.

The page (297 × 210 mm) holds the title, the map (the city's extent in the project CRS, drawing the layers given,
whatever the layers panel shows), the legend of those layers, a metric scale bar, a north arrow (true north of
the map's centre) and a source line. The elements and attributes are those QGIS 3.22 writes (learnt from a layout
built with PyQGIS); QGIS fills in everything left out with its defaults. Item ids (``title``, ``map``, ``legend``,
``scalebar``, ``north_arrow``, ``source``) let a user or a script find them; uuids are derived from the layout's
name, so the same inputs give the same bytes. Nothing here imports QGIS.
"""

from __future__ import annotations

import math
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from pyproj import CRS

from cbindex.qgis.project import Extent, ProjectLayer, provider_key, spatial_reference_element
from cbindex.qgis.styles import RasterPalette

PAGE_MM = (297.0, 210.0)
"""A4 landscape, millimetres."""
MARGIN_MM = 10.0
MAP_TOP_MM = 24.0
MAP_HEIGHT_MM = 155.0
MAP_WIDTH_MM = {1: 200.0, 2: 160.0}
"""Width of the map frame for a legend of one or of two columns (the legend takes the rest of the page)."""
LEGEND_GAP_MM = 5.0
LEGEND_ROWS_PER_COLUMN = 25
"""Legend entries (layer headings and classes) of one column: at 8 pt with 4 mm symbols they fill the map's height."""
SCALE_BAR_SEGMENT_MM = 20.0
"""Target length of one scale-bar segment on paper; the segment is the round distance (1, 2 or 5 × 10ⁿ m) at most
this long at the map's scale."""
SOURCE_TOP_MM = 194.0
"""Top of the source line (two lines at most at 7 pt, above the bottom margin)."""
VIEW_MARGIN = 0.03
"""Share of the city's width and height left around it in the map frame."""
NORTH_ARROW_SVG = ":/images/north_arrows/layout_default_north_arrow.svg"
"""QGIS's default north arrow (a Qt resource of every QGIS install)."""
METRES_PER_DEGREE = 111_320.0
"""Ground length of one degree of latitude (and of longitude at the equator), to pick a scale bar for a map in a
geographic CRS; QGIS measures the bar itself on the ellipsoid."""

ITEM_TYPES = {"page": 65638, "map": 65639, "picture": 65640, "label": 65641, "legend": 65642, "scalebar": 65646}
"""QgsLayoutItemRegistry item types."""
ALIGN_LEFT, ALIGN_RIGHT, ALIGN_TOP, ALIGN_VCENTER = 1, 2, 32, 128  # Qt::Alignment flags


@dataclass(frozen=True)
class PrintLayout:
    """What one print layout shows.

    Attributes
    ----------
    name : str
        Name in QGIS's layout manager.
    title : str
        Title printed at the top (city name and "City Biodiversity Index" in the layout's language).
    source : str
        Source line printed at the bottom (land-cover product and year, boundary, cbindex version).
    legend_title : str
        Heading of the legend.
    font_family : str
        Font of every text (a CJK font for a Chinese layout).
    crs : pyproj.CRS
        The map's CRS (the project's display CRS).
    city_extent : tuple of float
        The city's ``(xmin, ymin, xmax, ymax)`` in ``crs``; the map frame shows it whole.
    layers : sequence of ProjectLayer
        The map's layers, top first; the legend lists them in the same order.
    """

    name: str
    title: str
    source: str
    legend_title: str
    font_family: str
    crs: CRS
    city_extent: Extent
    layers: tuple[ProjectLayer, ...]


def legend_entries(layers: Sequence[ProjectLayer]) -> int:
    """Lines of the legend: a heading and one line per class for a paletted or multi-class layer, one line for a
    single-symbol layer."""
    lines = 0
    for layer in layers:
        classes = len(layer.style.entries if isinstance(layer.style, RasterPalette) else layer.style.classes)
        lines += 1 if classes == 1 and not isinstance(layer.style, RasterPalette) else 1 + classes
    return lines


def map_extent(city_extent: Extent, *, width_mm: float, height_mm: float) -> Extent:
    """The city's extent with :data:`VIEW_MARGIN` around it, widened or heightened to the frame's proportions
    (so QGIS draws exactly this extent, at one scale in both directions)."""
    xmin, ymin, xmax, ymax = city_extent
    width = (xmax - xmin) * (1 + 2 * VIEW_MARGIN)
    height = (ymax - ymin) * (1 + 2 * VIEW_MARGIN)
    if width / height < width_mm / height_mm:
        width = height * width_mm / height_mm
    else:
        height = width * height_mm / width_mm
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def ground_metres_per_unit(crs: CRS, extent: Extent) -> float:
    """Metres of ground in one unit of ``crs`` across the extent: the axis unit for a projected CRS, the length of
    a degree of longitude at the extent's central latitude for a geographic one."""
    if crs.is_geographic:
        latitude = math.radians((extent[1] + extent[3]) / 2)
        return METRES_PER_DEGREE * math.cos(latitude)
    return float(crs.axis_info[0].unit_conversion_factor)


def round_distance_m(limit_m: float) -> float:
    """The largest round distance (1, 2 or 5 × 10ⁿ metres) not longer than ``limit_m``."""
    if limit_m <= 0:
        raise ValueError("limit_m must be positive")
    power = 10.0 ** math.floor(math.log10(limit_m))
    return max(step * power for step in (1, 2, 5) if step * power <= limit_m * (1 + 1e-12))


@dataclass(frozen=True)
class ScaleBar:
    """A scale bar: ``segments`` segments of ``units_per_segment`` ``unit`` (``m`` or ``km``), each
    ``segment_mm`` long on paper."""

    units_per_segment: float
    unit: str
    segment_mm: float
    segments: int = 2


def scale_bar(*, extent: Extent, crs: CRS, width_mm: float) -> ScaleBar:
    """The scale bar of a map frame ``width_mm`` wide showing ``extent``: round segments of at most
    :data:`SCALE_BAR_SEGMENT_MM`, in kilometres from 1 km up, else in metres."""
    metres_per_mm = (extent[2] - extent[0]) * ground_metres_per_unit(crs, extent) / width_mm
    segment_m = round_distance_m(SCALE_BAR_SEGMENT_MM * metres_per_mm)
    unit, per_unit = ("km", 1000.0) if segment_m >= 1000 else ("m", 1.0)
    return ScaleBar(units_per_segment=segment_m / per_unit, unit=unit, segment_mm=segment_m / metres_per_mm)


def layout_element(layout: PrintLayout) -> ET.Element:
    """The ``<Layout>`` element of a print layout (a child of the project's ``<Layouts>``)."""
    columns = 1 if legend_entries(layout.layers) <= LEGEND_ROWS_PER_COLUMN else 2
    map_width = MAP_WIDTH_MM[columns]
    extent = map_extent(layout.city_extent, width_mm=map_width, height_mm=MAP_HEIGHT_MM)
    element = ET.Element("Layout", {"name": layout.name, "units": "mm", "printResolution": "300", "worldFileMap": ""})
    ET.SubElement(element, "Snapper", {"snapToGrid": "0", "snapToItems": "1", "snapToGuides": "1", "tolerance": "5"})
    ET.SubElement(
        element, "Grid", {"offsetX": "0", "offsetY": "0", "offsetUnits": "mm", "resolution": "10", "resUnits": "mm"}
    )
    pages = ET.SubElement(element, "PageCollection")
    pages.append(_item(layout, "page", "", (0.0, 0.0), PAGE_MM, z=0, background=True))
    ET.SubElement(pages, "GuideCollection", {"visible": "1"})
    map_uuid = _uuid(layout, "map")
    content_width = PAGE_MM[0] - 2 * MARGIN_MM
    title = _item(layout, "label", "title", (MARGIN_MM, 9.0), (content_width, 12.0), z=5)
    _label(title, layout.title, font=_font(layout.font_family, 18, bold=True), valign=ALIGN_VCENTER)
    element.append(title)
    element.append(_map_item(layout, extent, (MARGIN_MM, MAP_TOP_MM), (map_width, MAP_HEIGHT_MM)))
    legend_left = MARGIN_MM + map_width + LEGEND_GAP_MM
    element.append(
        _legend_item(
            layout,
            (legend_left, MAP_TOP_MM),
            columns=columns,
            map_uuid=map_uuid,
        )
    )
    bar = scale_bar(extent=extent, crs=layout.crs, width_mm=map_width)
    element.append(_scale_bar_item(layout, bar, (MARGIN_MM, MAP_TOP_MM + MAP_HEIGHT_MM + 2.0), map_uuid=map_uuid))
    arrow = _item(
        layout,
        "picture",
        "north_arrow",
        (MARGIN_MM + map_width - 14.0, MAP_TOP_MM + 3.0),
        (10.0, 15.0),
        z=4,
        file=NORTH_ARROW_SVG,
        mode="0",
        resizeMode="0",
        anchorPoint="4",
        mapUuid=map_uuid,
        northMode="1",
        northOffset="0",
        svgFillColor="255,255,255,255",
        svgBorderColor="0,0,0,255",
        svgBorderWidth="0.2",
    )
    element.append(arrow)
    source = _item(layout, "label", "source", (MARGIN_MM, SOURCE_TOP_MM), (content_width, 8.0), z=5)
    _label(source, layout.source, font=_font(layout.font_family, 7), valign=ALIGN_TOP)
    element.append(source)
    properties = ET.SubElement(ET.SubElement(element, "customproperties"), "Option", {"type": "Map"})
    ET.SubElement(properties, "Option", {"name": "singleFile", "type": "bool", "value": "true"})
    ET.SubElement(
        element,
        "Atlas",
        {"enabled": "0", "coverageLayer": "", "hideCoverage": "0", "filterFeatures": "0", "sortFeatures": "0"},
    )
    return element


def layouts_element(layouts: Sequence[PrintLayout]) -> ET.Element:
    """The project's ``<Layouts>`` element."""
    element = ET.Element("Layouts")
    element.extend(layout_element(layout) for layout in layouts)
    return element


def _uuid(layout: PrintLayout, item_id: str) -> str:
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"cbindex-layout:{layout.name}:{item_id}")) + "}"


def _font(family: str, points: int, *, bold: bool = False) -> str:
    """A font as QFont::toString writes it (Qt 5): family, point size, pixel size, hint, weight, flags."""
    return f"{family},{points},-1,5,{75 if bold else 50},0,0,0,0,0"


def _item(
    layout: PrintLayout,
    kind: str,
    item_id: str,
    position: tuple[float, float],
    size: tuple[float, float],
    *,
    z: int,
    frame: bool = False,
    background: bool = False,
    **attributes: str,
) -> ET.Element:
    item_uuid = _uuid(layout, item_id or kind)
    element = ET.Element(
        "LayoutItem",
        {
            "type": str(ITEM_TYPES[kind]),
            "id": item_id,
            "uuid": item_uuid,
            "templateUuid": item_uuid,
            "position": f"{position[0]:g},{position[1]:g},mm",
            "positionOnPage": f"{position[0]:g},{position[1]:g},mm",
            "size": f"{size[0]:g},{size[1]:g},mm",
            "referencePoint": "0",
            "itemRotation": "0",
            "zValue": str(z),
            "frame": "true" if frame else "false",
            "background": "true" if background else "false",
            "outlineWidthM": "0.3,mm",
            "frameJoinStyle": "miter",
            "visibility": "1",
            "positionLock": "false",
            "opacity": "1",
            "blendMode": "0",
            "excludeFromExports": "0",
            "groupUuid": "",
            **attributes,
        },
    )
    ET.SubElement(element, "FrameColor", {"red": "0", "green": "0", "blue": "0", "alpha": "255"})
    ET.SubElement(element, "BackgroundColor", {"red": "255", "green": "255", "blue": "255", "alpha": "255"})
    return element


def _label(element: ET.Element, text: str, *, font: str, valign: int) -> None:
    element.attrib.update(
        labelText=text, htmlState="0", marginX="0", marginY="0", halign=str(ALIGN_LEFT), valign=str(valign)
    )
    ET.SubElement(element, "LabelFont", {"description": font, "style": ""})
    ET.SubElement(element, "FontColor", {"red": "0", "green": "0", "blue": "0", "alpha": "255"})


def _map_item(layout: PrintLayout, extent: Extent, position, size) -> ET.Element:
    element = _item(
        layout,
        "map",
        "map",
        position,
        size,
        z=1,
        frame=True,
        background=True,
        keepLayerSet="true",
        drawCanvasItems="true",
        mapRotation="0",
        mapFlags="0",
        followPreset="false",
        followPresetName="",
        isTemporal="0",
        labelMargin="0,mm",
    )
    ET.SubElement(element, "Extent", dict(zip(("xmin", "ymin", "xmax", "ymax"), map(repr, extent), strict=True)))
    ET.SubElement(element, "crs").append(spatial_reference_element(layout.crs))
    layer_set = ET.SubElement(element, "LayerSet")
    for layer in layout.layers:
        entry = ET.SubElement(
            layer_set, "Layer", {"name": layer.name, "source": layer.source, "provider": provider_key(layer)}
        )
        entry.text = layer.layer_id
    ET.SubElement(element, "AtlasMap", {"atlasDriven": "0", "scalingMode": "2", "margin": "0.1"})
    return element


def _legend_item(layout: PrintLayout, position, *, columns: int, map_uuid: str) -> ET.Element:
    width = PAGE_MM[0] - MARGIN_MM - position[0]
    element = _item(
        layout,
        "legend",
        "legend",
        position,
        (width, MAP_HEIGHT_MM),
        z=2,
        background=True,
        title=layout.legend_title,
        map_uuid=map_uuid,
        columnCount=str(columns),
        splitLayer="1",
        equalColumnWidth="0",
        resizeToContents="1",
        symbolWidth="6",
        symbolHeight="4",
        boxSpace="1",
        columnSpace="3",
        lineSpacing="1",
        wrapChar="",
        fontColor="#000000",
        titleAlignment=str(ALIGN_LEFT),
        symbolAlignment=str(ALIGN_LEFT),
        rasterBorder="1",
        rasterBorderColor="0,0,0,255",
        rasterBorderWidth="0",
        legendFilterByAtlas="0",
    )
    styles = ET.SubElement(element, "styles")
    for name, points, margins in (
        ("title", 11, {"marginBottom": "3"}),
        ("group", 9, {"marginTop": "2"}),
        ("subgroup", 9, {"marginTop": "2"}),
        ("symbol", 8, {"marginTop": "1.5"}),
        ("symbolLabel", 8, {"marginTop": "1.5", "marginLeft": "2"}),
    ):
        style = ET.SubElement(styles, "style", {"name": name, "alignment": "1", "indent": "0", **margins})
        bold = name in ("title", "subgroup")
        ET.SubElement(style, "styleFont", {"description": _font(layout.font_family, points, bold=bold), "style": ""})
    tree = ET.SubElement(element, "layer-tree-group")
    ET.SubElement(tree, "customproperties")
    for layer in layout.layers:
        node = ET.SubElement(
            tree,
            "layer-tree-layer",
            {
                "id": layer.layer_id,
                "name": layer.name,
                "source": layer.source,
                "providerKey": provider_key(layer),
                "checked": "Qt::Checked",
                "expanded": "1",
            },
        )
        properties = ET.SubElement(ET.SubElement(node, "customproperties"), "Option", {"type": "Map"})
        if isinstance(layer.style, RasterPalette):  # the classes without QGIS's first line, "Band 1 (Gray)"
            order = ",".join(str(index + 1) for index in range(len(layer.style.entries)))
            ET.SubElement(properties, "Option", {"name": "legend/node-order", "type": "QString", "value": order})
    return element


def _scale_bar_item(layout: PrintLayout, bar: ScaleBar, position, *, map_uuid: str) -> ET.Element:
    element = _item(
        layout,
        "scalebar",
        "scalebar",
        position,
        (bar.segments * bar.segment_mm + 20.0, 9.0),
        z=3,
        mapUuid=map_uuid,
        style="Single Box",
        unitType=bar.unit,
        unitLabel=bar.unit,
        numSegments=str(bar.segments),
        numSegmentsLeft="0",
        numSubdivisions="1",
        subdivisionsHeight="1.5",
        numUnitsPerSegment=f"{bar.units_per_segment:g}",
        numMapUnitsPerScaleBarUnit="1",
        segmentSizeMode="0",
        segmentMillimeters=f"{bar.segment_mm:.6g}",
        minBarWidth="50",
        maxBarWidth="150",
        height="2",
        outlineWidth="0.3",
        labelBarSpace="2",
        boxContentSpace="1",
        alignment="0",
        labelVerticalPlacement="0",
        labelHorizontalPlacement="0",
        lineJoinStyle="miter",
        lineCapStyle="square",
    )
    ET.SubElement(
        element,
        "text-style",
        {
            "fontFamily": layout.font_family,
            "fontSize": "8",
            "fontSizeUnit": "Point",
            "fontWeight": "50",
            "fontItalic": "0",
            "textColor": "0,0,0,255",
            "textOpacity": "1",
            "namedStyle": "",
            "multilineHeight": "1",
            "blendMode": "0",
        },
    )
    for tag, rgb in (("fillColor", "0"), ("fillColor2", "255"), ("strokeColor", "0")):
        ET.SubElement(element, tag, {"red": rgb, "green": rgb, "blue": rgb, "alpha": "255"})
    return element
