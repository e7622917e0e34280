"""Ground area of raster cells in square metres, for geographic and projected grids.

Indicator areas are always sums of true ground areas, never counts of cells or square degrees: a raster in
EPSG:4326 has cells whose ground area shrinks with the cosine of latitude, so every row carries its own area.
"""

from __future__ import annotations

import math

import numpy as np
from affine import Affine
from pyproj import CRS, Transformer
from pyproj.enums import TransformDirection

from cbindex.core.errors import CBIInputError


def ellipsoid_band_area_m2(
    *,
    lat_south_deg: np.ndarray,
    lat_north_deg: np.ndarray,
    width_deg: float,
    semi_major_m: float,
    inverse_flattening: float,
) -> np.ndarray:
    """Exact area of a graticule cell on an ellipsoid of revolution.

    Parameters
    ----------
    lat_south_deg, lat_north_deg : array of float
        Latitudes of the cell's southern and northern edges, degrees.
    width_deg : float
        Longitude extent of the cell, degrees.
    semi_major_m, inverse_flattening : float
        Ellipsoid parameters (WGS 84: 6378137 m, 298.257223563).

    Returns
    -------
    numpy.ndarray
        Areas in square metres: ``A = a²(1 − e²)/2 · Δλ · [q(φ_n) − q(φ_s)]`` with
        ``q(φ) = sin φ / (1 − e² sin² φ) + 1/(2e) · ln((1 + e sin φ)/(1 − e sin φ))`` and Δλ in radians
        (the authalic-latitude formula; exact for the ellipsoid, no spherical approximation).
    """
    flattening = 1.0 / inverse_flattening if inverse_flattening else 0.0
    e2 = flattening * (2.0 - flattening)
    width_rad = math.radians(abs(width_deg))
    if e2 == 0.0:
        sin_n = np.sin(np.radians(lat_north_deg))
        sin_s = np.sin(np.radians(lat_south_deg))
        return semi_major_m**2 * width_rad * np.abs(sin_n - sin_s)
    e = math.sqrt(e2)

    def q(lat_deg: np.ndarray) -> np.ndarray:
        s = np.sin(np.radians(lat_deg))
        return s / (1.0 - e2 * s * s) + np.log((1.0 + e * s) / (1.0 - e * s)) / (2.0 * e)

    return semi_major_m**2 * (1.0 - e2) / 2.0 * width_rad * np.abs(q(lat_north_deg) - q(lat_south_deg))


def row_cell_areas_m2(*, crs: CRS, transform: Affine, height: int, width: int) -> np.ndarray:
    """Ground area of one cell in each row of a north-up raster window, square metres.

    Parameters
    ----------
    crs : pyproj.CRS
        The raster's CRS. Geographic CRSs use :func:`ellipsoid_band_area_m2` per row. Projected CRSs use
        the nominal cell area divided by the projection's areal scale factor at the window centre (1 for an
        equal-area projection; about 0.9992 near a UTM central meridian), which is exact to well under
        0.1 % across a city-sized window.
    transform : affine.Affine
        The window's affine transform (rotation terms must be zero).
    height, width : int
        Window shape in cells.

    Returns
    -------
    numpy.ndarray of float64, shape (height,)
    """
    if transform.b != 0 or transform.d != 0:
        raise CBIInputError("Rotated rasters are not supported; warp the raster to a north-up grid (gdalwarp) first.")
    if crs.is_geographic:
        ellipsoid = crs.ellipsoid
        rows = np.arange(height, dtype=np.float64)
        lat_top = transform.f + transform.e * rows
        lat_bottom = lat_top + transform.e
        return ellipsoid_band_area_m2(
            lat_south_deg=np.minimum(lat_top, lat_bottom),
            lat_north_deg=np.maximum(lat_top, lat_bottom),
            width_deg=transform.a,
            semi_major_m=ellipsoid.semi_major_metre,
            inverse_flattening=ellipsoid.inverse_flattening,
        )
    if not crs.is_projected:
        raise CBIInputError(f"CRS {crs.name!r} is neither geographic nor projected; assign a proper CRS.")
    nominal = abs(transform.a * transform.e)
    unit_factor = crs.axis_info[0].unit_conversion_factor
    scale = areal_scale_factor(
        crs=crs, x=transform.c + transform.a * width / 2, y=transform.f + transform.e * height / 2
    )
    return np.full(height, nominal * unit_factor**2 / scale, dtype=np.float64)


def areal_scale_factor(*, crs: CRS, x: float, y: float) -> float:
    """Areal scale factor (map area ÷ ground area) of a projected CRS at one projected point."""
    to_geographic = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geographic.transform(x, y)
    try:
        from pyproj import Proj

        factors = Proj(crs).get_factors(lon, lat)
        scale = float(factors.areal_scale)
    except Exception:  # noqa: BLE001 - some CRSs have no factor support: fall back to a finite difference
        scale = _areal_scale_by_difference(crs=crs, lon=lon, lat=lat)
    if not math.isfinite(scale) or scale <= 0:
        scale = _areal_scale_by_difference(crs=crs, lon=lon, lat=lat)
    return scale


def _areal_scale_by_difference(*, crs: CRS, lon: float, lat: float, step_deg: float = 1e-3) -> float:
    to_projected = Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True)
    corners = [(lon, lat), (lon + step_deg, lat), (lon + step_deg, lat + step_deg), (lon, lat + step_deg)]
    xs, ys = to_projected.transform(*zip(*corners, strict=False), direction=TransformDirection.FORWARD)
    projected = 0.5 * abs(sum(xs[i] * ys[(i + 1) % 4] - xs[(i + 1) % 4] * ys[i] for i in range(4)))
    ellipsoid = crs.ellipsoid
    ground = float(
        ellipsoid_band_area_m2(
            lat_south_deg=np.array([lat]),
            lat_north_deg=np.array([lat + step_deg]),
            width_deg=step_deg,
            semi_major_m=ellipsoid.semi_major_metre,
            inverse_flattening=ellipsoid.inverse_flattening,
        )[0]
    )
    unit_factor = crs.axis_info[0].unit_conversion_factor
    return projected * unit_factor**2 / ground


def cell_size_m(*, crs: CRS, transform: Affine, height: int) -> tuple[float, float]:
    """Ground width and height of a cell at the window's central row, metres (used by the gap rule)."""
    if crs.is_geographic:
        ellipsoid = crs.ellipsoid
        a = ellipsoid.semi_major_metre
        f = 1.0 / ellipsoid.inverse_flattening if ellipsoid.inverse_flattening else 0.0
        e2 = f * (2 - f)
        lat = math.radians(transform.f + transform.e * height / 2)
        sin2 = math.sin(lat) ** 2
        prime_vertical = a / math.sqrt(1 - e2 * sin2)
        meridional = a * (1 - e2) / (1 - e2 * sin2) ** 1.5
        return (
            abs(transform.a) * math.radians(1) * prime_vertical * math.cos(lat),
            abs(transform.e) * math.radians(1) * meridional,
        )
    unit_factor = crs.axis_info[0].unit_conversion_factor
    return abs(transform.a) * unit_factor, abs(transform.e) * unit_factor
