"""Longitude/latitude in China's web-map datums (GCJ-02, BD-09) brought back to WGS 84.

Outlines exported from Chinese web maps (Amap/高德, DataV GeoAtlas, Tencent: GCJ-02, 国测局坐标; Baidu: BD-09)
claim plain longitude/latitude but are offset from WGS 84 by 100-700 m. The offset is a published, deterministic
function of the WGS 84 position (the "eviltransform"/"coordtransform" formulas used by every open converter);
only its forward direction is closed-form, so :func:`gcj02_to_wgs84` and :func:`bd09_to_gcj02` invert the forward
functions by fixed-point iteration to below 1e-9 degree (about 0.1 mm). GCJ-02 is defined in mainland China only:
the published converters leave points outside China's rough bounding box (:func:`outside_china`) unshifted, and so
does this module, so a ``gcj02`` key on a city outside China changes nothing (a warning says so).

A GCJ-02 shift cannot be detected reliably from the data (an outline offset by a few hundred metres from the
land-cover raster's coastline or rivers looks like any other mismatch), so the workflow never guesses it: the city
sheet says the datum of each polygon input (``boundary_datum``, ``protected_areas_datum``, ``redline_datum``,
``parks_datum``; ``wgs84`` by default).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from cbindex.core.errors import CBIDefectError, CBIInputError

LOGGER = logging.getLogger(__name__)

WGS84_DATUM = "wgs84"
DATUMS = {"wgs84": "WGS 84", "gcj02": "GCJ-02 (Amap, Tencent)", "bd09": "BD-09 (Baidu)"}
"""Datum key (city-sheet ``<input>_datum``) → its name in the log and method texts (the scorecard's notes name it
from the catalogue, ``scorecard.datum_<key>``, in both languages)."""

KRASOVSKY_A_M = 6378245.0
"""Semi-major axis of the Krasovsky 1940 ellipsoid the GCJ-02 formula uses, metres."""
KRASOVSKY_E2 = 0.00669342162296594323
"""First eccentricity squared of the Krasovsky 1940 ellipsoid."""
BD09_X_PI = np.pi * 3000.0 / 180.0
BD09_OFFSET_LON, BD09_OFFSET_LAT = 0.0065, 0.006
CHINA_LON_RANGE = (72.004, 137.8347)
CHINA_LAT_RANGE = (0.8293, 55.8271)
"""The rough bounding box inside which the published converters apply GCJ-02, degrees."""
INVERSE_TOLERANCE_DEGREES = 1e-9
MAX_ITERATIONS = 30
MAX_SHIFT_DEGREES = 0.01
"""More than the largest GCJ-02 or BD-09 offset (about 0.0075 degree), to widen a read window."""


def outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where a point lies outside the box in which GCJ-02 applies (:data:`CHINA_LON_RANGE`, ``..._LAT_...``)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    west, east = CHINA_LON_RANGE
    south, north = CHINA_LAT_RANGE
    return (lon < west) | (lon > east) | (lat < south) | (lat > north)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The published GCJ-02 forward transform, degrees (vectorised; unchanged outside China).

    With ``x = lon - 105``, ``y = lat - 35`` the offsets in metres-like units are

    ``dlat = -100 + 2x + 3y + 0.2y² + 0.1xy + 0.2√|x| + ⅔(20 sin 6πx + 20 sin 2πx) + ⅔(20 sin πy + 40 sin πy/3)
    + ⅔(160 sin πy/12 + 320 sin πy/30)``,
    ``dlon = 300 + x + 2y + 0.1x² + 0.1xy + 0.1√|x| + ⅔(20 sin 6πx + 20 sin 2πx) + ⅔(20 sin πx + 40 sin πx/3)
    + ⅔(150 sin πx/12 + 300 sin πx/30)``,

    turned into degrees on the Krasovsky ellipsoid: ``Δlat = dlat·180 / (π a(1-e²) / W³)``,
    ``Δlon = dlon·180 / (π a cos φ / W)`` with ``W = √(1 - e² sin² φ)``.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    phi = np.radians(lat)
    w2 = 1.0 - KRASOVSKY_E2 * np.sin(phi) ** 2
    w = np.sqrt(w2)
    dlat = dlat * 180.0 / ((KRASOVSKY_A_M * (1.0 - KRASOVSKY_E2)) / (w2 * w) * np.pi)
    dlon = dlon * 180.0 / (KRASOVSKY_A_M / w * np.cos(phi) * np.pi)
    outside = outside_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's BD-09 from GCJ-02, degrees: ``z = √(x² + y²) + 2e-5 sin(πy·3000/180)``,
    ``θ = atan2(y, x) + 3e-6 cos(πx·3000/180)``, ``lon = z cos θ + 0.0065``, ``lat = z sin θ + 0.006``."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * BD09_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * BD09_X_PI)
    return z * np.cos(theta) + BD09_OFFSET_LON, z * np.sin(theta) + BD09_OFFSET_LAT


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 from GCJ-02, degrees: the exact inverse of :func:`wgs84_to_gcj02` (fixed-point iteration)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 from BD-09, degrees: the exact inverse of :func:`gcj02_to_bd09` (fixed-point iteration)."""
    return _invert(gcj02_to_bd09, lon, lat)


def to_wgs84(lon: np.ndarray, lat: np.ndarray, *, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude in ``datum`` (``wgs84``, ``gcj02``, ``bd09``) converted to WGS 84, degrees."""
    if datum == WGS84_DATUM:
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise CBIDefectError(f"Unknown datum {datum!r}; the city sheet schema allows only {', '.join(DATUMS)}.")


def check_datum(datum: str | None, *, sheet_column: str) -> str:
    """The datum key of a sheet cell (empty = ``wgs84``), or a one-sentence error naming ``sheet_column``."""
    key = (datum or WGS84_DATUM).strip().lower()
    if key not in DATUMS:
        raise CBIInputError(
            f"City sheet {sheet_column} is {datum!r}; use wgs84 (the default), gcj02 (Amap, Tencent, DataV GeoAtlas "
            "exports) or bd09 (Baidu)."
        )
    return key


def shift_to_wgs84(frame: gpd.GeoDataFrame, *, datum: str, what: str) -> gpd.GeoDataFrame:
    """A vector layer whose longitudes/latitudes are in ``datum``, returned in WGS 84 (EPSG:4326).

    The layer is first read as longitude/latitude (a file in EPSG:4326 or EPSG:4490 is used as it is; a projected
    file is unprojected), then every vertex is converted with :func:`to_wgs84`. ``datum="wgs84"`` returns the
    frame unchanged. The conversion is logged with the largest shift in metres; a layer lying wholly outside China
    is logged as unshifted.
    """
    if datum == WGS84_DATUM or frame.empty:
        return frame
    crs = CRS.from_user_input(frame.crs)
    geographic = frame if crs.is_geographic else frame.to_crs(CRS.from_epsg(4326))
    coordinates = shapely.get_coordinates(geographic.geometry.values)
    if len(coordinates) and outside_china(coordinates[:, 0], coordinates[:, 1]).all():
        LOGGER.warning(
            "%s: its datum is given as %s, but it lies outside China, where that datum equals WGS 84: nothing shifted.",
            what,
            DATUMS[datum],
        )
    lon, lat = to_wgs84(coordinates[:, 0], coordinates[:, 1], datum=datum)
    shifted = shapely.set_coordinates(geographic.geometry.values.copy(), np.column_stack([lon, lat]))
    if len(coordinates):
        metres = np.hypot(
            (lon - coordinates[:, 0]) * np.cos(np.radians(lat)) * 111_320.0, (lat - coordinates[:, 1]) * 110_574.0
        )
        LOGGER.info(
            "%s: converted from %s to WGS 84 (%d vertices, shift %.0f-%.0f m).",
            what,
            DATUMS[datum],
            len(coordinates),
            metres.min(),
            metres.max(),
        )
    result = geographic.copy()
    result = result.set_geometry(gpd.GeoSeries(shifted, index=geographic.index, crs=CRS.from_epsg(4326)))
    return result


def describe_datum(datum: str) -> str:
    """``converted from GCJ-02 (...) to WGS 84`` for a shifted input, ``""`` for WGS 84 (for method texts)."""
    if datum == WGS84_DATUM:
        return ""
    return f"converted from {DATUMS[datum]} to WGS 84"


def _invert(forward, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(x) = target`` by ``x ← x - (forward(x) - target)`` (the offset varies slowly, so each step
    shrinks the error by about 1e-4)."""
    target_lon, target_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = target_lon.copy(), target_lat.copy()
    for _ in range(MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = fx - target_lon, fy - target_lat
        x, y = x - dx, y - dy
        if np.all(np.abs(dx) < INVERSE_TOLERANCE_DEGREES) and np.all(np.abs(dy) < INVERSE_TOLERANCE_DEGREES):
            return x, y
    raise CBIDefectError(f"The datum inverse did not converge in {MAX_ITERATIONS} iterations.")
