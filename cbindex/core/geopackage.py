"""Write GeoPackages reproducibly and atomically: the same layers give the same bytes, and a failed write leaves
nothing behind.

GDAL stamps a GeoPackage with the time it is written (``gpkg_contents.last_change``, metadata timestamps); with
its ``OGR_CURRENT_DATE`` configuration option it writes a given timestamp instead. Every GeoPackage of the
workflow is written through :func:`atomic_geopackage` (or :func:`write_geopackage`), which sets that option to
:data:`REPRODUCIBLE_TIMESTAMP` while the layers are written into a temporary file beside the output and renames
the finished file into place once, after its last layer. The rest of the file is deterministic: SQLite lays out
the same inserts in the same pages. Tables added with SQL (the QGIS ``layer_styles``) use the same timestamp.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cbindex.core.atomic_write import atomic_path

if TYPE_CHECKING:
    import geopandas as gpd

REPRODUCIBLE_TIMESTAMP = "2000-01-01T00:00:00.000Z"
"""Written wherever GDAL (or our own SQL) would write the current time into a GeoPackage."""
CURRENT_DATE_OPTION = "OGR_CURRENT_DATE"


@contextlib.contextmanager
def reproducible_gdal_dates() -> Iterator[None]:
    """Within the block, GDAL writes :data:`REPRODUCIBLE_TIMESTAMP` instead of the current time.

    The option is set in pyogrio's GDAL (rasterio may bundle a GDAL of its own, which ``rasterio.Env`` would
    configure instead) and restored afterwards.
    """
    import pyogrio  # here, not at the top: the QGIS styles import this module without the GIS libraries

    previous = pyogrio.get_gdal_config_option(CURRENT_DATE_OPTION)
    pyogrio.set_gdal_config_options({CURRENT_DATE_OPTION: REPRODUCIBLE_TIMESTAMP})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({CURRENT_DATE_OPTION: previous})


class GeoPackageFile:
    """A GeoPackage being written (the temporary file of :func:`atomic_geopackage`), layer by layer."""

    def __init__(self, path: Path, *, version: str | None = None) -> None:
        self.path = path
        """The temporary file; SQL may add tables to it (e.g. QGIS styles) before it is moved into place."""
        self.version = version

    def add_layer(
        self,
        layer: str,
        frame: gpd.GeoDataFrame,
        *,
        geometry_type: str | None = None,
        promote_to_multi: bool | None = None,
    ) -> None:
        """Write ``frame`` as a new layer (``geometry_type`` keeps the type of an empty layer, e.g. MultiPolygon)."""
        import pyogrio

        first = not self.path.exists()
        pyogrio.write_dataframe(
            frame,
            self.path,
            layer=layer,
            driver="GPKG",
            geometry_type=geometry_type,
            promote_to_multi=promote_to_multi,
            dataset_options={"VERSION": self.version} if first and self.version else None,
        )


@contextlib.contextmanager
def atomic_geopackage(path: str | Path, *, version: str | None = None) -> Iterator[GeoPackageFile]:
    """Yield a :class:`GeoPackageFile` to add layers to; it appears at ``path`` when the block exits cleanly.

    Parameters
    ----------
    path : path-like
        The GeoPackage to write (replaced if it exists, only once the new one is complete).
    version : str, optional
        GeoPackage version (GDAL's ``VERSION`` dataset option, e.g. ``"1.2"``); GDAL's default otherwise.

    Every layer goes into one temporary file beside ``path`` with GDAL's current date pinned to
    :data:`REPRODUCIBLE_TIMESTAMP`; the file is renamed onto ``path`` after the last one, and removed on error.
    """
    with atomic_path(path) as temporary, reproducible_gdal_dates():
        yield GeoPackageFile(temporary, version=version)


def write_geopackage(
    path: str | Path, layers: Mapping[str, gpd.GeoDataFrame], *, geometry_type: str | None = None
) -> None:
    """Write every layer (name to frame, in order) into one new GeoPackage, reproducibly and atomically."""
    with atomic_geopackage(path) as package:
        for layer, frame in layers.items():
            package.add_layer(layer, frame, geometry_type=geometry_type)
