"""The equal-area CRS a boundary polygon's own area is measured in (config ``equal_area_crs``).

``auto`` is a Lambert azimuthal equal-area projection on WGS 84 centred on the city. An equal-area projected CRS
(Albers, Lambert equal-area, Mollweide, ...) is used as given. Any other CRS a user may name, such as the city's
CGCS2000 Gauss-Krüger zone (EPSG:4534-4554; conformal, so its areas grow away from the central meridian) or
CGCS2000 itself (EPSG:4490, degrees), is accepted for its datum: the polygon is measured in a Lambert azimuthal
equal-area projection on that CRS's ellipsoid centred on the city, so the area is a true ground area whichever is
named, and the method text says which projection measured it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyproj import CRS
from pyproj.exceptions import CRSError

from cbindex.core.errors import CBIInputError

AUTO = "auto"
EQUAL_AREA_METHODS = ("equal area", "mollweide", "sinusoidal", "homolosine", "eckert iv", "eckert vi")
"""Words of a PROJ/EPSG projection method name that mark an equal-area projection (case-insensitive)."""


@dataclass(frozen=True)
class AreaCRS:
    """The CRS areas are measured in and, when it is not the CRS named, a method clause saying why (else ``""``)."""

    crs: CRS
    description: str


def equal_area_crs(setting: str, *, centre_lon: float, centre_lat: float) -> AreaCRS:
    """The CRS the boundary polygon's area is measured in.

    Parameters
    ----------
    setting : str
        Config ``equal_area_crs``: ``auto`` or a CRS PROJ knows (``EPSG:6933``, ``EPSG:4544``, ...).
    centre_lon, centre_lat : float
        The city's centre in degrees (the centre of a local projection).

    Returns
    -------
    AreaCRS
        ``auto``: Lambert azimuthal equal-area on WGS 84 centred on the city; an equal-area CRS as given; any other
        CRS: Lambert azimuthal equal-area on its ellipsoid centred on the city (a Gauss-Krüger or UTM zone, a
        geographic CRS).

    Raises
    ------
    CBIInputError
        A setting PROJ does not know.
    """
    if setting == AUTO:
        return AreaCRS(_laea(centre_lon, centre_lat, CRS.from_epsg(4326)), "")
    try:
        crs = CRS.from_user_input(setting)
    except CRSError as error:
        raise CBIInputError(
            f"Config key equal_area_crs is {setting!r}, which PROJ does not know ({error}); use auto or a CRS such as "
            "EPSG:6933 (equal-area) or the city's CGCS2000 Gauss-Krüger zone (e.g. EPSG:4544 for Chengdu)."
        ) from None
    if is_equal_area(crs):
        return AreaCRS(crs, "")
    return AreaCRS(
        _laea(centre_lon, centre_lat, crs),
        f"{setting} is not equal-area: measured in a Lambert azimuthal equal-area projection on its ellipsoid "
        f"({crs.ellipsoid.name}) centred on the city",
    )


def is_equal_area(crs: CRS) -> bool:
    """Whether a CRS is projected with an equal-area method (:data:`EQUAL_AREA_METHODS`)."""
    operation = crs.coordinate_operation
    if not crs.is_projected or operation is None:
        return False
    method = operation.method_name.lower()
    return any(word in method for word in EQUAL_AREA_METHODS)


def _laea(lon: float, lat: float, crs: CRS) -> CRS:
    ellipsoid = crs.ellipsoid
    shape = f"+a={ellipsoid.semi_major_metre} +rf={ellipsoid.inverse_flattening}" if ellipsoid else "+datum=WGS84"
    return CRS.from_proj4(f"+proj=laea +lat_0={lat} +lon_0={lon} {shape} +units=m +no_defs")
