"""Spatial outputs a GIS analyst opens in QGIS: the natural-area mask (COG) and the connectivity groups."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.features
import rasterio.shutil
import rasterio.windows
import shapely

from cbindex.atomic_write import atomic_path

MASK_OUTSIDE = 255
SQUARE_METRES_PER_HECTARE = 10_000.0


def write_geopackage_layer(path: str | Path, frame: gpd.GeoDataFrame, *, layer: str) -> None:
    """Write one layer to a new GeoPackage, atomically."""
    with atomic_path(path) as temporary:
        frame.to_file(temporary, layer=layer, driver="GPKG")


class NaturalMaskWriter:
    """Write the natural-area mask strip by strip, then convert it to a Cloud-Optimised GeoTIFF.

    Use as a context manager around a strip-wise computation; call :meth:`write_strip` for every strip.
    The COG appears at ``path`` only when the block exits without error.
    """

    def __init__(self, path: str | Path, *, shape: tuple[int, int], transform, crs) -> None:
        self.path = Path(path)
        self.shape = shape
        self.transform = transform
        self.crs = crs

    def __enter__(self) -> NaturalMaskWriter:
        self._atomic = atomic_path(self.path)
        self._final_temporary = self._atomic.__enter__()
        self._strips_path = self._final_temporary.with_name(self._final_temporary.stem + ".strips.tif")
        profile = {"driver": "GTiff", "width": self.shape[1], "height": self.shape[0], "count": 1, "dtype": "uint8",
                   "crs": self.crs, "transform": self.transform, "nodata": MASK_OUTSIDE, "tiled": True,
                   "blockxsize": 512, "blockysize": 512, "compress": "deflate", "BIGTIFF": "IF_SAFER"}
        self._dataset = rasterio.open(self._strips_path, "w", **profile)
        return self

    def write_strip(self, *, weight: np.ndarray, natural: np.ndarray, row_start: int) -> None:
        """Write one strip: 1 natural, 0 not natural, 255 outside the city."""
        mask = np.where(weight > 0, natural.astype(np.uint8), MASK_OUTSIDE).astype(np.uint8)
        window = rasterio.windows.Window(0, row_start, mask.shape[1], mask.shape[0])
        self._dataset.write(mask, 1, window=window)

    def __exit__(self, kind, error, traceback) -> None:
        self._dataset.close()
        try:
            if kind is None:
                rasterio.shutil.copy(self._strips_path, self._final_temporary, driver="COG", compress="deflate",
                                     overview_resampling="nearest")
        finally:
            self._strips_path.unlink(missing_ok=True)
            self._atomic.__exit__(kind, error, traceback)


class GroupPolygonCollector:
    """Collect the polygons of every patch strip by strip; assemble one multipolygon per group at the end."""

    def __init__(self) -> None:
        self._labels: list[np.ndarray] = []
        self._strip_of_part: list[int] = []
        self._parts: list = []
        self._strip_index = 0

    def add_strip(self, *, local_labels: np.ndarray, label_offset: int, transform) -> None:
        """Polygonise one strip's patches (4-connected pieces, so pieces of a strip share at most corners)."""
        shapes = rasterio.features.shapes(local_labels.astype(np.int32), mask=local_labels > 0,
                                          transform=transform, connectivity=4)
        for geometry, value in shapes:
            self._parts.append(shapely.geometry.shape(geometry))
            self._labels.append(int(value) + label_offset)
            self._strip_of_part.append(self._strip_index)
        self._strip_index += 1

    def frame(self, *, group_of_patch: np.ndarray, group_areas_m2: np.ndarray, crs) -> gpd.GeoDataFrame:
        """One row per group: ``group_id``, ``area_ha`` (ground area, as used by I2), geometry.

        Pieces of a group from different strips share edges along the strip boundaries and are merged with
        a coverage union; a group within one strip is a plain multipolygon of its pieces.
        """
        groups = group_of_patch[np.asarray(self._labels, dtype=np.int64)] if self._labels else np.empty(0, int)
        strips = np.asarray(self._strip_of_part, dtype=np.int64)
        order = np.argsort(groups, kind="stable")
        boundaries = np.flatnonzero(np.diff(groups[order])) + 1
        group_ids, geometries = [], []
        for members in np.split(order, boundaries) if len(order) else []:
            parts = [self._parts[i] for i in members]
            if len(set(strips[members].tolist())) > 1:
                geometry = shapely.coverage_union_all(parts)
                geometry = geometry if geometry.geom_type == "MultiPolygon" else shapely.MultiPolygon([geometry])
            else:
                geometry = shapely.MultiPolygon(parts)
            group_ids.append(int(groups[members[0]]))
            geometries.append(geometry)
        return gpd.GeoDataFrame(
            {"group_id": group_ids,
             "area_ha": [group_areas_m2[i] / SQUARE_METRES_PER_HECTARE for i in group_ids]},
            geometry=geometries, crs=crs,
        )
