"""QGIS styles written with plain XML: QML documents, SLD documents and GeoPackage ``layer_styles`` tables.

A style is described once, by a :class:`VectorStyle` (one or more classes of a symbol) or a
:class:`RasterPalette` (unique values of a band), and rendered from that description to every form QGIS
reads: the renderer elements of a QML file or of a project's ``<maplayer>``, an OGC SLD 1.1 document, and a
row of the GeoPackage ``layer_styles`` table (the QGIS convention, which QGIS reads as a layer's default
style when the layer is added from the GeoPackage). Nothing here imports QGIS.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cbindex.core.geopackage import REPRODUCIBLE_TIMESTAMP

QGIS_FORMAT_VERSION = "3.22.0"  # the oldest QGIS whose project and style format these documents follow
QML_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
MILLIMETRES_TO_PIXELS = 96 / 25.4  # SLD sizes are pixels of a 96 dpi screen
LAYER_STYLES_TABLE = "layer_styles"
# The table exactly as QGIS creates it (QgsOgrProviderUtils, GeoPackage and SQLite).
LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), '
    '"f_table_schema" TEXT(256), "f_table_name" TEXT(256), "f_geometry_column" TEXT(256), "styleName" TEXT(30), '
    '"styleQML" TEXT, "styleSLD" TEXT, "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), '
    "\"ui\" TEXT(30), \"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)
GEOMETRY_KINDS = {"Point": "marker", "LineString": "line", "Polygon": "fill"}
LAYER_GEOMETRY_TYPE = {"marker": "0", "line": "1", "fill": "2"}  # QgsWkbTypes::GeometryType

SLD_NAMESPACE = "http://www.opengis.net/sld"
SE_NAMESPACE = "http://www.opengis.net/se"
OGC_NAMESPACE = "http://www.opengis.net/ogc"
for _prefix, _uri in (("", SLD_NAMESPACE), ("se", SE_NAMESPACE), ("ogc", OGC_NAMESPACE)):
    ET.register_namespace(_prefix, _uri)

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class Symbol:
    """A simple QGIS symbol: filled polygon, line or circle marker.

    Attributes
    ----------
    fill : RGBA or None
        Fill colour (red, green, blue, alpha 0–255) of polygons and markers; None draws no fill.
    outline : RGBA or None
        Outline colour of polygons and markers, the colour of lines; None draws no outline.
    width_mm : float
        Outline (or line) width, millimetres.
    size_mm : float
        Marker diameter, millimetres (markers only).
    """

    fill: RGBA | None
    outline: RGBA | None
    width_mm: float = 0.26
    size_mm: float = 2.0


@dataclass(frozen=True)
class StyleClass:
    """One legend entry: a symbol, and for a graduated style the value range ``lower ≤ v ≤ upper`` it covers, for a
    categorised style the one ``value`` it draws.

    As in QGIS, a value on the bound shared by two classes belongs to the lower class.
    """

    label: str
    symbol: Symbol
    lower: float | None = None
    upper: float | None = None
    value: str | None = None


@dataclass(frozen=True)
class VectorStyle:
    """A vector layer's style: one class (single symbol) or classes of ``attribute``: graduated (classes with
    ``lower`` and ``upper``) or categorised (classes with a ``value``)."""

    name: str
    geometry_kind: str
    classes: tuple[StyleClass, ...]
    attribute: str | None = None
    description: str = ""


@dataclass(frozen=True)
class PaletteEntry:
    """One value of a paletted raster: its colour (alpha 0 = transparent) and legend label."""

    value: int
    colour: RGBA
    label: str


@dataclass(frozen=True)
class RasterPalette:
    """A unique-values (paletted) style of one raster band."""

    name: str
    entries: tuple[PaletteEntry, ...]
    band: int = 1
    description: str = ""


def geometry_kind(geometry_type: str) -> str:
    """The symbol kind (``fill``, ``line``, ``marker``) that draws a geometry type such as ``MultiPolygon``.

    Raises
    ------
    ValueError
        For a geometry type without a symbol kind (e.g. ``GeometryCollection``).
    """
    base = geometry_type.removeprefix("Multi").removesuffix(" Z").removesuffix("Z").removesuffix("M")
    if base not in GEOMETRY_KINDS:
        raise ValueError(f"no symbol for geometry type {geometry_type!r}")
    return GEOMETRY_KINDS[base]


def rgba_text(colour: RGBA | None) -> str:
    """A colour as QGIS writes it in symbol properties, ``"r,g,b,a"`` (fully transparent for None)."""
    return ",".join(str(int(c)) for c in (colour or (0, 0, 0, 0)))


def hex_colour(colour: RGBA) -> str:
    """``#rrggbb`` of a colour (alpha left out)."""
    return "#{:02x}{:02x}{:02x}".format(*colour[:3])


def symbol_properties(symbol: Symbol, *, kind: str) -> tuple[str, dict[str, str]]:
    """The QGIS symbol-layer class and its properties for a symbol of kind ``fill``, ``line`` or ``marker``."""
    outline_style = "solid" if symbol.outline else "no"
    if kind == "fill":
        return "SimpleFill", {
            "color": rgba_text(symbol.fill),
            "style": "solid" if symbol.fill else "no",
            "outline_color": rgba_text(symbol.outline),
            "outline_style": outline_style,
            "outline_width": f"{symbol.width_mm:g}",
            "outline_width_unit": "MM",
            "joinstyle": "miter",
            "offset": "0,0",
            "offset_unit": "MM",
        }
    if kind == "line":
        return "SimpleLine", {
            "line_color": rgba_text(symbol.outline),
            "line_style": outline_style,
            "line_width": f"{symbol.width_mm:g}",
            "line_width_unit": "MM",
            "capstyle": "round",
            "joinstyle": "round",
            "offset": "0",
            "offset_unit": "MM",
        }
    if kind == "marker":
        return "SimpleMarker", {
            "name": "circle",
            "color": rgba_text(symbol.fill),
            "outline_color": rgba_text(symbol.outline),
            "outline_style": outline_style,
            "outline_width": f"{symbol.width_mm:g}",
            "outline_width_unit": "MM",
            "size": f"{symbol.size_mm:g}",
            "size_unit": "MM",
            "angle": "0",
            "offset": "0,0",
            "offset_unit": "MM",
        }
    raise ValueError(f"unknown symbol kind {kind!r}; use fill, line or marker")


def symbol_element(symbol: Symbol, *, kind: str, name: str) -> ET.Element:
    """The ``<symbol>`` element of a QGIS renderer.

    Properties are written both as an ``<Option type="Map">`` (read by current QGIS) and as ``<prop>``
    elements (read by QGIS before 3.16), as QGIS itself does.
    """
    layer_class, properties = symbol_properties(symbol, kind=kind)
    element = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1", "force_rhr": "0"})
    layer = ET.SubElement(element, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in sorted(properties.items()):
        ET.SubElement(options, "Option", {"name": key, "value": value, "type": "QString"})
    for key, value in sorted(properties.items()):
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    return element


def is_categorised(style: VectorStyle) -> bool:
    """Whether a style with an ``attribute`` draws its classes by value (categorised) rather than by range."""
    return style.attribute is not None and all(style_class.value is not None for style_class in style.classes)


def renderer_element(style: VectorStyle) -> ET.Element:
    """The ``<renderer-v2>`` element of a style: ``singleSymbol`` for one class, ``categorizedSymbol`` for classes
    of values, else ``graduatedSymbol``."""
    common = {"enableorderby": "0", "forceraster": "0", "symbollevels": "0", "referencescale": "-1"}
    if style.attribute is None:
        if len(style.classes) != 1:
            raise ValueError(f"style {style.name!r} has {len(style.classes)} classes but no attribute")
        renderer = ET.Element("renderer-v2", {"type": "singleSymbol", **common})
        symbols = ET.SubElement(renderer, "symbols")
        symbols.append(symbol_element(style.classes[0].symbol, kind=style.geometry_kind, name="0"))
    elif is_categorised(style):
        renderer = ET.Element("renderer-v2", {"type": "categorizedSymbol", "attr": style.attribute, **common})
        categories = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for index, style_class in enumerate(style.classes):
            ET.SubElement(
                categories,
                "category",
                {"value": style_class.value, "symbol": str(index), "label": style_class.label, "render": "true"},
            )
            symbols.append(symbol_element(style_class.symbol, kind=style.geometry_kind, name=str(index)))
    else:
        renderer = ET.Element(
            "renderer-v2",
            {"type": "graduatedSymbol", "attr": style.attribute, "graduatedMethod": "GraduatedColor", **common},
        )
        ranges = ET.SubElement(renderer, "ranges")
        symbols = ET.SubElement(renderer, "symbols")
        for index, style_class in enumerate(style.classes):
            ET.SubElement(
                ranges,
                "range",
                {
                    "lower": repr(float(style_class.lower)),
                    "upper": repr(float(style_class.upper)),
                    "symbol": str(index),
                    "label": style_class.label,
                    "render": "true",
                },
            )
            symbols.append(symbol_element(style_class.symbol, kind=style.geometry_kind, name=str(index)))
        method = ET.SubElement(renderer, "classificationMethod", {"id": "Custom"})
        ET.SubElement(method, "labelFormat", {"format": "%1 - %2", "labelprecision": "4", "trimtrailingzeroes": "1"})
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    return renderer


def vector_style_elements(style: VectorStyle) -> list[ET.Element]:
    """The style elements of a vector ``<maplayer>`` or QML root: renderer, blending, opacity."""
    return [
        renderer_element(style),
        _text_element("blendMode", "0"),
        _text_element("featureBlendMode", "0"),
        _text_element("layerOpacity", "1"),
    ]


def raster_style_elements(palette: RasterPalette) -> list[ET.Element]:
    """The style elements of a raster ``<maplayer>`` or QML root: the ``<pipe>`` with a paletted renderer."""
    pipe = ET.Element("pipe")
    provider = ET.SubElement(pipe, "provider")
    ET.SubElement(
        provider,
        "resampling",
        {
            "enabled": "false",
            "zoomedInResamplingMethod": "nearestNeighbour",
            "zoomedOutResamplingMethod": "nearestNeighbour",
            "maxOversampling": "2",
        },
    )
    renderer = ET.SubElement(
        pipe,
        "rasterrenderer",
        {"type": "paletted", "band": str(palette.band), "opacity": "1", "alphaBand": "-1", "nodataColor": ""},
    )
    ET.SubElement(renderer, "rasterTransparency")
    colours = ET.SubElement(renderer, "colorPalette")
    for entry in palette.entries:
        ET.SubElement(
            colours,
            "paletteEntry",
            {
                "value": str(entry.value),
                "color": hex_colour(entry.colour),
                "alpha": str(entry.colour[3]),
                "label": entry.label,
            },
        )
    ET.SubElement(pipe, "brightnesscontrast", {"brightness": "0", "contrast": "0", "gamma": "1"})
    ET.SubElement(
        pipe,
        "huesaturation",
        {
            "saturation": "0",
            "grayscaleMode": "0",
            "invertColors": "0",
            "colorizeOn": "0",
            "colorizeRed": "255",
            "colorizeGreen": "128",
            "colorizeBlue": "128",
            "colorizeStrength": "100",
        },
    )
    ET.SubElement(pipe, "rasterresampler", {"maxOversampling": "2"})
    return [pipe, _text_element("blendMode", "0")]


def vector_qml(style: VectorStyle) -> str:
    """A QML document (QGIS layer style file) of a vector style."""
    elements = [
        *vector_style_elements(style),
        _text_element("layerGeometryType", LAYER_GEOMETRY_TYPE[style.geometry_kind]),
    ]
    return _qml_document(elements, {"simplifyDrawingHints": "1", "simplifyLocal": "1", "labelsEnabled": "0"})


def raster_qml(palette: RasterPalette) -> str:
    """A QML document of a paletted raster style; saved beside a GeoTIFF as ``<name>.qml``, QGIS applies it."""
    return _qml_document(raster_style_elements(palette), {})


def vector_sld(style: VectorStyle, *, layer_name: str) -> str:
    """An OGC SLD 1.1 (Symbology Encoding) document of a vector style, one rule per class."""
    sld, se, ogc = SLD_NAMESPACE, SE_NAMESPACE, OGC_NAMESPACE
    root = ET.Element(f"{{{sld}}}StyledLayerDescriptor", {"version": "1.1.0"})
    named_layer = ET.SubElement(root, f"{{{sld}}}NamedLayer")
    ET.SubElement(named_layer, f"{{{se}}}Name").text = layer_name
    user_style = ET.SubElement(named_layer, f"{{{sld}}}UserStyle")
    ET.SubElement(user_style, f"{{{se}}}Name").text = style.name
    feature_style = ET.SubElement(user_style, f"{{{se}}}FeatureTypeStyle")
    for index, style_class in enumerate(style.classes):
        rule = ET.SubElement(feature_style, f"{{{se}}}Rule")
        ET.SubElement(rule, f"{{{se}}}Name").text = style_class.label
        title = ET.SubElement(ET.SubElement(rule, f"{{{se}}}Description"), f"{{{se}}}Title")
        title.text = style_class.label
        if is_categorised(style):
            equal = ET.SubElement(ET.SubElement(rule, f"{{{ogc}}}Filter"), f"{{{ogc}}}PropertyIsEqualTo")
            ET.SubElement(equal, f"{{{ogc}}}PropertyName").text = style.attribute
            ET.SubElement(equal, f"{{{ogc}}}Literal").text = style_class.value
        elif style.attribute is not None:
            lower_test = "PropertyIsGreaterThanOrEqualTo" if index == 0 else "PropertyIsGreaterThan"
            both = ET.SubElement(ET.SubElement(rule, f"{{{ogc}}}Filter"), f"{{{ogc}}}And")
            for test, value in ((lower_test, style_class.lower), ("PropertyIsLessThanOrEqualTo", style_class.upper)):
                comparison = ET.SubElement(both, f"{{{ogc}}}{test}")
                ET.SubElement(comparison, f"{{{ogc}}}PropertyName").text = style.attribute
                ET.SubElement(comparison, f"{{{ogc}}}Literal").text = repr(float(value))
        rule.append(_sld_symbolizer(style_class.symbol, kind=style.geometry_kind, se=se))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def write_layer_styles(path: str | Path, *, styles: Mapping[str, VectorStyle], geometry_column: str = "geom") -> None:
    """Store each layer's style in a GeoPackage's ``layer_styles`` table as its default style.

    Parameters
    ----------
    path : path-like
        An existing GeoPackage holding the layers named in ``styles``.
    styles : mapping of str to VectorStyle
        Style of each layer (table name).
    geometry_column : str
        Geometry column of the layers (GDAL's GeoPackage default ``geom``).

    Notes
    -----
    The table has QGIS's columns and definition; it is registered in ``gpkg_contents`` as an attributes
    table, as QGIS and GDAL do, so the GeoPackage stays valid. QGIS matches a row to a layer by
    ``f_table_name`` and ``f_geometry_column`` (catalog and schema empty) and uses the row with
    ``useAsDefault`` when the layer is added. Each row holds both the QML and the SLD of the style.
    ``update_time`` and the table's ``last_change`` are :data:`~cbindex.core.geopackage.REPRODUCIBLE_TIMESTAMP`,
    not the time of writing, so the same styles give the same bytes.
    """
    rows = [
        (
            "",
            "",
            layer,
            geometry_column,
            style.name,
            vector_qml(style),
            vector_sld(style, layer_name=layer),
            1,
            style.description,
            "",
            None,
            REPRODUCIBLE_TIMESTAMP,
        )
        for layer, style in styles.items()
    ]
    with sqlite3.connect(path) as connection:
        connection.execute(f'DROP TABLE IF EXISTS "{LAYER_STYLES_TABLE}"')
        connection.execute(LAYER_STYLES_DDL)
        connection.executemany(
            f'INSERT INTO "{LAYER_STYLES_TABLE}" (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, '
            "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        connection.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (LAYER_STYLES_TABLE,))
        connection.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
            "VALUES (?, 'attributes', ?, 'QGIS layer styles', ?)",
            (LAYER_STYLES_TABLE, LAYER_STYLES_TABLE, REPRODUCIBLE_TIMESTAMP),
        )
    connection.close()


def _sld_symbolizer(symbol: Symbol, *, kind: str, se: str) -> ET.Element:
    names = {"fill": "PolygonSymbolizer", "line": "LineSymbolizer", "marker": "PointSymbolizer"}
    symbolizer = ET.Element(f"{{{se}}}{names[kind]}")
    parent = symbolizer
    if kind == "marker":
        graphic = ET.SubElement(symbolizer, f"{{{se}}}Graphic")
        parent = ET.SubElement(graphic, f"{{{se}}}Mark")
        ET.SubElement(parent, f"{{{se}}}WellKnownName").text = "circle"
    if symbol.fill and kind != "line":
        fill = ET.SubElement(parent, f"{{{se}}}Fill")
        _svg_parameters(fill, se, fill=hex_colour(symbol.fill), **{"fill-opacity": f"{symbol.fill[3] / 255:.3g}"})
    if symbol.outline:
        stroke = ET.SubElement(parent, f"{{{se}}}Stroke")
        _svg_parameters(
            stroke,
            se,
            stroke=hex_colour(symbol.outline),
            **{
                "stroke-opacity": f"{symbol.outline[3] / 255:.3g}",
                "stroke-width": f"{symbol.width_mm * MILLIMETRES_TO_PIXELS:.3g}",
            },
        )
    if kind == "marker":
        ET.SubElement(graphic, f"{{{se}}}Size").text = f"{symbol.size_mm * MILLIMETRES_TO_PIXELS:.3g}"
    return symbolizer


def _svg_parameters(parent: ET.Element, se: str, **parameters: str) -> None:
    for name, value in parameters.items():
        ET.SubElement(parent, f"{{{se}}}SvgParameter", {"name": name}).text = value


def _qml_document(elements: Sequence[ET.Element], attributes: dict[str, str]) -> str:
    root = ET.Element(
        "qgis",
        {
            "version": QGIS_FORMAT_VERSION,
            "styleCategories": "AllStyleCategories",
            "hasScaleBasedVisibilityFlag": "0",
            "minScale": "100000000",
            "maxScale": "0",
            **attributes,
        },
    )
    root.extend(elements)
    ET.indent(root)
    return f"{QML_DOCTYPE}\n{ET.tostring(root, encoding='unicode')}\n"


def _text_element(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element
