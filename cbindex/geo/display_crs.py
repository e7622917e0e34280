"""The CRS a city's maps are displayed in (config ``display_crs``): the local UTM zone, or the EPSG code a city gives.

Data stay in their own CRS (the land-cover raster's, usually WGS 84 degrees); only the display is projected, so
that a map shows the city undistorted, in metres, as a planner's GIS does. ``auto`` takes the WGS 84 UTM zone of the
boundary's centroid (Chengdu: EPSG:32648, UTM zone 48N); a Chinese city may prefer its CGCS2000 Gauss-Krüger zone
(Chengdu: EPSG:4545, CGCS2000 / 3-degree Gauss-Kruger CM 102E), the CRS of China's national surveying products.
"""

from __future__ import annotations

import logging

from pyproj import CRS
from pyproj.exceptions import CRSError

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import CityBoundary

LOGGER = logging.getLogger(__name__)
AUTO = "auto"
WGS84 = CRS.from_epsg(4326)
_UTM_NORTH, _UTM_SOUTH = 32600, 32700  # EPSG codes of WGS 84 / UTM zone 1N, 1S minus 1


def utm_zone_crs(longitude: float, latitude: float) -> CRS:
    """The WGS 84 UTM zone of a point (degrees): zone ``floor((lon + 180) / 6) + 1``, north or south of the equator.

    The standard zones only (the Norway and Svalbard exceptions are not applied); longitude 180 is in zone 60.
    """
    zone = min(int((longitude + 180.0) // 6.0) + 1, 60)
    return CRS.from_epsg((_UTM_NORTH if latitude >= 0 else _UTM_SOUTH) + zone)


def city_display_crs(setting: str, *, boundary: CityBoundary) -> CRS:
    """The CRS a city is displayed in.

    Parameters
    ----------
    setting : str
        Config ``display_crs``: ``auto`` (the UTM zone of the boundary's centroid, :func:`utm_zone_crs`) or an
        EPSG code such as ``EPSG:4545``.
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
    try:
        crs = CRS.from_user_input(setting)
    except CRSError as error:
        raise CBIInputError(
            f"Config key display_crs is {setting!r}, which PROJ does not know ({error}); use auto (the city's UTM "
            "zone) or an EPSG code such as EPSG:32648 (WGS 84 / UTM zone 48N) or EPSG:4545 (CGCS2000 / 3-degree "
            "Gauss-Kruger CM 102E)."
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
