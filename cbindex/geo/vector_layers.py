"""Polygon inputs as GIS analysts deliver them: files with several layers, text in a legacy encoding.

Every reader of a user's vector file (boundary, overlay polygons, barriers) goes through :func:`pick_layer`, so
a GeoPackage holding several layers is never read from whichever layer GDAL lists first: the user names the
layer in the city sheet. Shapefiles without a ``.cpg`` whose attributes are GBK/GB18030 (most Chinese
shapefiles) are decoded by GDAL as Latin-1 (``成都市`` becomes ``³É¶¼ÊÐ``); :func:`text_encoding` decides which
encoding a reader passes to GDAL (the city sheet's, else config ``vector_encoding`` for a file that declares
none), :func:`encoding_hint` recognises mis-decoded text so that a message can tell the user to set the input's
encoding, and :func:`undecodable` words the error of text the given encoding cannot decode.
:func:`open_vector_layer` and :func:`read_vector_frame` are the one path every reader takes (file present, layer,
encoding, readable, CRS, and the datum of a web-map outline converted to WGS 84, :mod:`cbindex.geo.datum_shift`).
:func:`equal_area_ha` measures features in hectares whatever their CRS.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyproj import CRS, Transformer

from cbindex.core.errors import CBIInputError
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.datum_shift import WGS84_DATUM, shift_to_wgs84

MAX_FOUND_VALUES = 5
"""Distinct values shown when a filter matches nothing."""
REPLACEMENT_CHARACTER = "\ufffd"


@dataclass(frozen=True)
class VectorLayer:
    """One layer of a vector file, as listed in messages."""

    name: str
    geometry_type: str | None
    """OGR geometry type (``Polygon``, ``Unknown`` for mixed layers), None for a table without geometry."""
    n_features: int | None
    """Number of features, None when GDAL cannot count them."""

    def describe(self) -> str:
        """``name (Polygon, 12 features)``."""
        kind = self.geometry_type or "no geometry"
        count = "unknown number of features" if self.n_features is None else _plural(self.n_features, "feature")
        return f"{self.name} ({kind}, {count})"


def list_vector_layers(path: str | Path, *, what: str) -> list[VectorLayer]:
    """Every layer of a vector file with its geometry type and feature count (counting may read the layer).

    ``what`` names the file in messages (e.g. ``"Boundary file"``).

    Raises
    ------
    CBIInputError
        The file cannot be opened as a vector data source.
    """
    layers = []
    for name, geometry_type in _layer_names(path, what=what):
        try:
            count = int(pyogrio.read_info(path, layer=name, force_feature_count=True)["features"])
        except Exception:  # noqa: BLE001 - a layer GDAL cannot count is still listed
            count = -1
        layers.append(VectorLayer(name, geometry_type, count if count >= 0 else None))
    return layers


def pick_layer(path: str | Path, *, layer: str | None, sheet_column: str, what: str) -> str:
    """The layer of a vector file to read: ``layer`` when given, else the file's only layer.

    A file with several layers is read only from a named layer, except that tables without geometry (e.g. the
    ``layer_styles`` table QGIS adds to a GeoPackage) do not count when exactly one layer has geometry.

    Parameters
    ----------
    path : path-like
        Any vector data source GDAL reads.
    layer : str or None
        The layer named by the user (city-sheet column ``sheet_column``), None or empty when not named.
    sheet_column : str
        The city-sheet column that names the layer (``boundary_layer``, ``protected_areas_layer``,
        ``redline_layer``, ``parks_layer``, ``barriers_layer``), for messages.
    what : str
        What the file is, for messages (e.g. ``"Boundary file"``).

    Raises
    ------
    CBIInputError
        Unreadable file; several layers and none named (the message lists each layer's name, geometry type and
        feature count); a named layer the file lacks (listing the layers too); a file without layers.
    """
    path = str(path)
    names = _layer_names(path, what=what)
    if layer:
        if layer not in [name for name, _ in names]:
            raise CBIInputError(
                f"{what} {path} has no layer {layer!r} (layers: {_listing(path, what)}); fix the city sheet's "
                f"{sheet_column} column."
            )
        return layer
    if len(names) == 1:
        return names[0][0]
    spatial = [name for name, geometry_type in names if geometry_type is not None]
    if len(spatial) == 1:
        return spatial[0]
    if not names:
        raise CBIInputError(f"{what} {path} holds no layer; give a file with the polygons.")
    raise CBIInputError(
        f"{what} {path} holds {len(names)} layers ({_listing(path, what)}) and none is named; name one in the city "
        f"sheet's {sheet_column} column."
    )


def declares_encoding(path: str | Path, *, layer: str | None = None) -> bool:
    """Whether a vector file says how its text is encoded.

    Only a Shapefile can fail to: it declares its encoding in a ``.cpg`` file or in the code-page byte of its
    ``.dbf`` (most Chinese Shapefiles have neither, and GDAL then reads them as Latin-1). GeoPackage, GeoJSON,
    FlatGeobuf and the like are UTF-8 by definition. A Shapefile whose ``.dbf`` cannot be found next to it (in a
    zip) counts as declaring nothing when GDAL reports Latin-1.
    """
    info = pyogrio.read_info(str(path), layer=layer)
    if info["driver"] != "ESRI Shapefile":
        return True
    source = Path(str(path))
    dbf = (
        source.with_suffix(".dbf")
        if source.suffix.lower() in (".shp", ".dbf")
        else source / f"{info['layer_name']}.dbf"
    )
    if not dbf.is_file():
        return str(info["encoding"]).upper() not in ("ISO-8859-1", "LATIN1")
    if any(sidecar.is_file() for sidecar in (dbf.with_suffix(".cpg"), dbf.with_suffix(".CPG"))):
        return True
    with open(dbf, "rb") as stream:
        header = stream.read(30)
    return len(header) == 30 and header[29] != 0


def open_vector_layer(
    path: str | Path,
    *,
    what: str,
    input_column: str,
    layer: str | None,
    encoding: str | None,
    default_encoding: str | None,
) -> tuple[str, str | None]:
    """The layer to read and the encoding to read its text with, for a user's vector file.

    ``input_column`` is the city-sheet column naming the file (``boundary``, ``protected_areas``, ``barriers``,
    ...); its ``<input_column>_layer`` and ``<input_column>_encoding`` columns are the ones messages name.

    Raises
    ------
    CBIInputError
        The file does not exist, it has several layers and none is named, or the named layer does not exist.
    """
    if not Path(path).exists():
        raise CBIInputError(f"{what} {path} does not exist; check the city sheet's {input_column} column.")
    layer = pick_layer(path, layer=layer or None, sheet_column=f"{input_column}_layer", what=what)
    return layer, text_encoding(path, layer=layer, encoding=encoding or None, default_encoding=default_encoding or None)


def read_vector_frame(
    path: str | Path,
    *,
    what: str,
    input_column: str,
    layer: str,
    encoding: str | None,
    datum: str = WGS84_DATUM,
    **read_options,
) -> gpd.GeoDataFrame:
    """``geopandas.read_file`` of a layer chosen by :func:`open_vector_layer`, with the errors users see.

    ``datum`` (city-sheet column ``<input_column>_datum``: ``wgs84``, ``gcj02``, ``bd09``) says which datum the
    file's longitudes/latitudes are in; any but ``wgs84`` is converted to WGS 84 here, before anything else reads
    the geometries, and the frame is then in EPSG:4326 (:func:`cbindex.geo.datum_shift.shift_to_wgs84`).

    Raises
    ------
    CBIInputError
        Text the encoding cannot decode (naming ``<input_column>_encoding``), a file GDAL cannot read, or a layer
        without a CRS.
    """
    with _read_errors(path, what=what, input_column=input_column, encoding=encoding):
        frame = gpd.read_file(path, layer=layer, encoding=encoding, **read_options)
    if frame.crs is None:
        raise CBIInputError(no_crs_message(path, what=what))
    return shift_to_wgs84(frame, datum=datum, what=f"{what} {path}")


def layer_fields(path: str | Path, *, what: str, input_column: str, layer: str, encoding: str | None) -> list[str]:
    """The attribute field names of a layer chosen by :func:`open_vector_layer`, from its header (no feature is
    read), with the errors of :func:`read_vector_frame`."""
    with _read_errors(path, what=what, input_column=input_column, encoding=encoding):
        return [str(field) for field in pyogrio.read_info(str(path), layer=layer, encoding=encoding)["fields"]]


@contextmanager
def _read_errors(path: str | Path, *, what: str, input_column: str, encoding: str | None):
    """Reading errors as the one sentence users see: undecodable text (naming ``<input_column>_encoding``) or a
    file GDAL cannot read."""
    try:
        yield
    except UnicodeDecodeError as error:
        raise CBIInputError(
            undecodable(path, error, what=what, encoding=encoding, sheet_column=f"{input_column}_encoding")
        ) from error
    except Exception as error:  # noqa: BLE001 - GDAL raises many types; the user needs the file name
        raise CBIInputError(
            f"{what} {path} could not be read ({error}); give a valid GeoPackage, GeoJSON or Shapefile."
        ) from error


def no_crs_message(path: str | Path, *, what: str) -> str:
    """The one-sentence error of a vector file without a CRS."""
    return f"{what} {path} has no CRS; assign one (for example ogr2ogr -a_srs EPSG:4326) and re-run."


def text_encoding(
    path: str | Path, *, layer: str | None, encoding: str | None, default_encoding: str | None
) -> str | None:
    """The encoding a reader passes to GDAL for a layer's text: ``encoding`` when given (the city sheet's
    ``<input>_encoding``, which applies whatever the file declares), else ``default_encoding`` (config
    ``vector_encoding``) when the file declares none (:func:`declares_encoding`), else None (what the file
    declares, or GDAL's Latin-1).
    """
    if encoding:
        return encoding
    if default_encoding and not declares_encoding(path, layer=layer):
        return default_encoding
    return None


def undecodable(path: str | Path, error: BaseException, *, what: str, encoding: str | None, sheet_column: str) -> str:
    """The one-sentence message when a file's text cannot be decoded as ``encoding`` (a UnicodeDecodeError)."""
    reason = getattr(error, "reason", None) or " ".join(str(error).split())
    return (
        f"{what} {path} cannot be decoded as {encoding or 'its declared encoding'} ({reason}); set the city sheet's "
        f"{sheet_column} (or config vector_encoding) to the encoding the file was written in, or leave it empty for "
        "a GeoPackage or GeoJSON, which are always UTF-8."
    )


def encoding_hint(values: Iterable[object], *, sheet_column: str, what: str = "values") -> str:
    """The start of a fix asking for the input's encoding when ``values`` look mis-decoded, else ``""``.

    Text looks mis-decoded when it holds U+FFFD (bytes that could not be decoded), a C1 control character
    (U+0080-U+009F, never in real text) or two Latin-1 supplement characters in a row (``³É``: GBK/GB18030 or
    UTF-8 bytes read as Latin-1, which GDAL does for a Shapefile without ``.cpg``). A lone accented letter
    (``São Paulo``, ``Zürich``) does not count.

    The clause ends in ``"otherwise "``, so that the caller's own fix follows: ``f"...; {hint}fix ..."``.
    ``sheet_column`` is the city-sheet column proposed for the input's encoding (e.g. ``boundary_encoding``) and
    ``what`` names the values (``"values"``, ``"column names"``).
    """
    if not any(_looks_misdecoded(str(value)) for value in values):
        return ""
    return (
        f"the {what} look mis-decoded, so set the input's encoding (e.g. gbk; city-sheet column {sheet_column}, or "
        "config vector_encoding for every Shapefile without a .cpg) or write it in a .cpg file next to the "
        "Shapefile; otherwise "
    )


def found_values(values: Iterable[object], *, limit: int = MAX_FOUND_VALUES) -> str:
    """Up to ``limit`` of the distinct values, quoted, and how many more there are: ``'a', 'b' and 3 more``."""
    distinct = sorted({str(value) for value in values})
    if not distinct:
        return "none"
    shown = ", ".join(repr(value) for value in distinct[:limit])
    return shown + (f" and {len(distinct) - limit} more" if len(distinct) > limit else "")


def equal_area_ha(geometries: gpd.GeoSeries) -> float:
    """Sum of the areas of ``geometries`` (each counted whole, overlaps counted each time), hectares.

    Measured in a Lambert azimuthal equal-area projection centred on the geometries (true ground area whatever
    their CRS, never square degrees); invalid geometries are measured after ``make_valid``, lines and points
    count 0.
    """
    geometries = geometries[geometries.notna() & ~geometries.is_empty]
    if geometries.empty:
        return 0.0
    crs = CRS.from_user_input(geometries.crs)
    left, bottom, right, top = geometries.total_bounds
    if not crs.is_geographic:
        transformer = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
        left, bottom, right, top = transformer.transform_bounds(left, bottom, right, top, densify_pts=21)
    centre_lon, centre_lat = (left + right) / 2, (bottom + top) / 2
    laea = CRS.from_proj4(f"+proj=laea +lat_0={centre_lat} +lon_0={centre_lon} +datum=WGS84 +units=m")
    projected = geometries.to_crs(laea)
    invalid = ~projected.is_valid
    if invalid.any():
        projected = projected.copy()
        projected[invalid] = projected[invalid].make_valid()
    return float(projected.area.sum()) / SQUARE_METRES_PER_HECTARE


def _layer_names(path: str | Path, *, what: str) -> list[tuple[str, str | None]]:
    try:
        listed = pyogrio.list_layers(path)
    except Exception as error:  # noqa: BLE001 - GDAL raises many types; the user needs the file name
        raise CBIInputError(
            f"{what} {path} could not be read ({error}); give a valid GeoPackage, GeoJSON or Shapefile."
        ) from error
    return [(str(name), None if geometry_type is None else str(geometry_type)) for name, geometry_type in listed]


def _listing(path: str | Path, what: str) -> str:
    return ", ".join(layer.describe() for layer in list_vector_layers(path, what=what)) or "none"


def _looks_misdecoded(text: str) -> bool:
    if REPLACEMENT_CHARACTER in text:
        return True
    previous_latin1 = False
    for character in text:
        code = ord(character)
        if 0x80 <= code <= 0x9F:
            return True
        latin1 = 0xA0 <= code <= 0xFF
        if latin1 and previous_latin1:
            return True
        previous_latin1 = latin1
    return False


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
