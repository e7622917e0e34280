"""The CRS a city's maps are displayed in (config ``display_crs``): the local UTM zone, or the EPSG code a city gives.

Data stay in their own CRS (the land-cover raster's, usually WGS 84 degrees); only the display is projected, so
that a map shows the city undistorted, in metres, as a planner's GIS does. ``auto`` takes the WGS 84 UTM zone of the
boundary's centroid (Chengdu: EPSG:32648, UTM zone 48N); a Chinese city may prefer its CGCS2000 Gauss-Krüger zone,
the CRS of China's national surveying products: ``cgcs2000`` takes the 3-degree zone of the boundary's centroid
(Chengdu: EPSG:4544, CGCS2000 / 3-degree Gauss-Kruger CM 105E), or any zone is named by its EPSG code.
"""

from __future__ import annotations

import logging

from pyproj import CRS
from pyproj.exceptions import CRSError

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import CityBoundary

LOGGER = logging.getLogger(__name__)
AUTO = "auto"
CGCS2000 = "cgcs2000"
CGCS2000_3_DEGREE_CM75_EPSG = 4534
"""EPSG code of CGCS2000 / 3-degree Gauss-Kruger CM 75E; the zones CM 75E to 135E follow in steps of 3 degrees
(EPSG:4534-4554, without the zone number in the easting)."""
CGCS2000_CENTRAL_MERIDIANS = (75, 135)
WGS84 = CRS.from_epsg(4326)
_UTM_NORTH, _UTM_SOUTH = 32600, 32700  # EPSG codes of WGS 84 / UTM zone 1N, 1S minus 1


def utm_zone_crs(longitude: float, latitude: float) -> CRS:
    """The WGS 84 UTM zone of a point (degrees): zone ``floor((lon + 180) / 6) + 1``, north or south of the equator.

    The standard zones only (the Norway and Svalbard exceptions are not applied); longitude 180 is in zone 60.
    """
    zone = min(int((longitude + 180.0) // 6.0) + 1, 60)
    return CRS.from_epsg((_UTM_NORTH if latitude >= 0 else _UTM_SOUTH) + zone)


def cgcs2000_zone_crs(longitude: float) -> CRS:
    """The CGCS2000 3-degree Gauss-Krüger zone of a longitude (degrees east): central meridian ``3·round(lon/3)``,
    ``EPSG:4534 + (CM - 75) / 3`` (CM 75E to 135E, so longitudes 73.5 to 136.5).

    Raises
    ------
    CBIInputError
        A longitude outside China's zones.
    """
    meridian = 3 * round(longitude / 3)
    first, last = CGCS2000_CENTRAL_MERIDIANS
    if not first <= meridian <= last:
        raise CBIInputError(
            f"Config key display_crs is cgcs2000, but the city's centre (longitude {longitude:.3f}) lies outside the "
            f"CGCS2000 3-degree Gauss-Kruger zones ({first - 1.5}-{last + 1.5} degrees east); use auto or an EPSG code."
        )
    return CRS.from_epsg(CGCS2000_3_DEGREE_CM75_EPSG + (meridian - first) // 3)


def city_display_crs(setting: str, *, boundary: CityBoundary) -> CRS:
    """The CRS a city is displayed in.

    Parameters
    ----------
    setting : str
        Config ``display_crs``: ``auto`` (the UTM zone of the boundary's centroid, :func:`utm_zone_crs`),
        ``cgcs2000`` (the CGCS2000 3-degree Gauss-Krüger zone of the centroid, :func:`cgcs2000_zone_crs`) or an
        EPSG code such as ``EPSG:4544``.
    boundary : CityBoundary
        The city boundary; a CRS whose area of use does not hold its centroid is logged as a warning (the map
        would be distorted, not wrong).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CBIInputError
        When `setting` is neither ``auto`` nor an EPSG code PROJ knows.
    """
    centre = boundary.to_crs(WGS84).centroid
    if setting == AUTO:
        return utm_zone_crs(centre.x, centre.y)
    if setting == CGCS2000:
        return cgcs2000_zone_crs(centre.x)
    try:
        crs = CRS.from_user_input(setting)
    except CRSError as error:
        raise CBIInputError(
            f"Config key display_crs is {setting!r}, which PROJ does not know ({error}); use auto (the city's UTM "
            "zone), cgcs2000 (the city's CGCS2000 Gauss-Kruger zone) or an EPSG code such as EPSG:32648 (WGS 84 / "
            "UTM zone 48N) or EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)."
        ) from None
    area = crs.area_of_use
    if area is not None and not (area.west <= centre.x <= area.east and area.south <= centre.y <= area.north):
        LOGGER.warning(
            "display_crs %s (%s) is meant for longitudes %s to %s and latitudes %s to %s, but the city's centre is "
            "at %.3f, %.3f: its maps will be distorted; display_crs: auto gives the city's UTM zone",
            setting,
            crs.name,
            area.west,
            area.east,
            area.south,
            area.north,
            centre.x,
            centre.y,
        )
    return crs
