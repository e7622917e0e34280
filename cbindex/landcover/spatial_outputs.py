"""Spatial outputs a GIS analyst opens in QGIS: the natural-area mask (COG) and the connectivity groups."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.features
import rasterio.shutil
import rasterio.windows
import shapely
from affine import Affine
from shapely.geometry.base import BaseGeometry

from cbindex.core.atomic_write import atomic_path
from cbindex.core.geopackage import write_geopackage
from cbindex.core.units import SQUARE_METRES_PER_HECTARE

MASK_OUTSIDE = 255


@dataclass(frozen=True)
class YearOutputs:
    """The spatial outputs of one land-cover year (read by the QGIS package and the report)."""

    year: int
    natural_mask: str
    groups: str
    overlays: str | None = None


def labelled_multipolygons(labels: np.ndarray, *, transform) -> dict[int, shapely.MultiPolygon]:
    """One multipolygon per non-zero label of a labelled raster, keyed by label.

    Parameters
    ----------
    labels : ndarray of int
        0 for background, a positive label per region (patch or group).
    transform : affine.Affine
        The array's georeferencing.

    Returns
    -------
    dict of int to shapely.MultiPolygon
        The 4-connected pieces of a region become the parts of its multipolygon: they share at most corner
        points, so the multipolygon is valid without a costly union.
    """
    shapes = rasterio.features.shapes(labels.astype(np.int32), mask=labels > 0, transform=transform, connectivity=4)
    pieces: dict[int, list] = {}
    for geometry, value in shapes:
        pieces.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    return {label: shapely.MultiPolygon(parts) for label, parts in pieces.items()}


def write_geopackage_layer(
    path: str | Path, frame: gpd.GeoDataFrame, *, layer: str, geometry_type: str | None = None
) -> None:
    """Write one layer to a new GeoPackage, reproducibly and atomically (``geometry_type`` keeps the type of an
    empty layer, e.g. a city without any natural group)."""
    write_geopackage(path, {layer: frame}, geometry_type=geometry_type)


class StripRasterWriter:
    """Write a single-band raster strip by strip; it appears at ``path`` only when the block exits cleanly.

    Use as a context manager; call :meth:`write` for every strip. With ``cloud_optimised`` the strips are
    converted to a Cloud-Optimised GeoTIFF at the end; otherwise the tiled, compressed GeoTIFF is kept as is
    (intermediate files).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        shape: tuple[int, int],
        transform,
        crs,
        dtype: str = "uint8",
        nodata: float | None = MASK_OUTSIDE,
        cloud_optimised: bool = True,
    ) -> None:
        self.path = Path(path)
        self.shape = shape
        self.transform = transform
        self.crs = crs
        self.dtype = dtype
        self.nodata = nodata
        self.cloud_optimised = cloud_optimised

    def __enter__(self) -> StripRasterWriter:
        self._atomic = atomic_path(self.path)
        self._final_temporary = self._atomic.__enter__()
        self._strips_path = self._final_temporary.with_name(self._final_temporary.stem + ".strips.tif")
        profile = {
            "driver": "GTiff",
            "width": max(1, self.shape[1]),
            "height": max(1, self.shape[0]),
            "count": 1,
            "dtype": self.dtype,
            "crs": self.crs,
            "transform": self.transform,
            "nodata": self.nodata,
            "tiled": True,
            "blockxsize": 512,
            "blockysize": 512,
            "compress": "deflate",
            "BIGTIFF": "IF_SAFER",
        }
        self._dataset = rasterio.open(self._strips_path, "w", **profile)
        return self

    def write(self, values: np.ndarray, *, row_start: int) -> None:
        """Write one strip of values starting at row ``row_start``."""
        window = rasterio.windows.Window(0, row_start, values.shape[1], values.shape[0])
        self._dataset.write(values.astype(self.dtype, copy=False), 1, window=window)

    def __exit__(self, kind, error, traceback) -> None:
        self._dataset.close()
        try:
            if kind is None and self.cloud_optimised:
                rasterio.shutil.copy(
                    self._strips_path,
                    self._final_temporary,
                    driver="COG",
                    compress="deflate",
                    overview_resampling="nearest",
                )
            elif kind is None:
                self._strips_path.replace(self._final_temporary)
        finally:
            self._strips_path.unlink(missing_ok=True)
            self._atomic.__exit__(kind, error, traceback)


class NaturalMaskWriter(StripRasterWriter):
    """Write the natural-area mask strip by strip (1 natural, 0 not natural, 255 outside the city)."""

    def write_strip(self, *, weight: np.ndarray, natural: np.ndarray, row_start: int) -> None:
        """Write one strip: 1 natural, 0 not natural, 255 outside the city."""
        self.write(np.where(weight > 0, natural.astype(np.uint8), MASK_OUTSIDE).astype(np.uint8), row_start=row_start)


class GroupPolygonCollector:
    """Collect patch labels strip by strip; polygonise one multipolygon per group at the end.

    Up to ``max_cells`` cells, the strips' labels are kept (4 bytes a cell), mapped to their groups and
    polygonised as one raster, so every group is one valid multipolygon. Beyond that, memory stays bounded:
    each strip is polygonised on arrival and a group crossing strip edges gets one feature per strip
    (the ``strip`` column tells them apart; dissolve on ``group_id`` in a GIS to merge them).
    """

    def __init__(self, *, max_cells: int = 200_000_000) -> None:
        self.max_cells = max_cells
        self._strips: list[tuple[np.ndarray, int]] = []
        self._transform = None
        self._cells = 0
        self._pieces: list[tuple[int, int, BaseGeometry]] = []  # (global patch label, strip, polygon)
        self._strip_index = 0

    def add_strip(self, *, local_labels: np.ndarray, label_offset: int, transform) -> None:
        """Keep (or, past ``max_cells``, polygonise) one strip's patch labels (global = local + offset)."""
        if self._transform is None:
            self._transform = transform
        self._cells += local_labels.size
        if self._cells <= self.max_cells:
            self._strips.append((local_labels.astype(np.int32), label_offset))
        else:
            self._flush_kept_strips()
            self._polygonise_strip(local_labels, label_offset, transform)
        self._strip_index += 1

    def _flush_kept_strips(self) -> None:
        transform = self._transform
        for index, (labels, offset) in enumerate(self._strips):
            self._polygonise_strip(labels, offset, transform, strip=index)
            transform = transform @ Affine.translation(0, labels.shape[0])
        self._strips = []

    def _polygonise_strip(self, labels: np.ndarray, offset: int, transform, *, strip: int | None = None) -> None:
        strip = self._strip_index if strip is None else strip
        for label, polygon in labelled_multipolygons(labels, transform=transform).items():
            self._pieces.append((label + offset, strip, polygon))

    def frame(self, *, group_of_patch: np.ndarray, group_areas_m2: np.ndarray, crs) -> gpd.GeoDataFrame:
        """One row per group (per group and strip past ``max_cells``): ``group_id``, ``area_ha``, geometry.

        ``area_ha`` is the group's ground area as used by I2 (not the polygon's planar area).
        """
        if self._strips:
            rows = [
                group_of_patch[np.where(labels > 0, labels.astype(np.int64) + offset, 0)].astype(np.int32)
                for labels, offset in self._strips
            ]
            geometries = labelled_multipolygons(np.vstack(rows), transform=self._transform)
            ids = np.array(sorted(geometries), dtype=np.int64)  # int64 ids even without any group
            return gpd.GeoDataFrame(
                {
                    "group_id": ids,
                    "area_ha": np.asarray(group_areas_m2, dtype=np.float64)[ids] / SQUARE_METRES_PER_HECTARE,
                },
                geometry=[geometries[i] for i in ids],
                crs=crs,
            )
        parts: dict[tuple[int, int], list] = {}
        for label, strip, polygon in self._pieces:
            parts.setdefault((int(group_of_patch[label]), strip), []).extend(polygon.geoms)
        keys = sorted(parts)
        groups = np.array([group for group, _ in keys], dtype=np.int64)
        return gpd.GeoDataFrame(
            {
                "group_id": groups,
                "strip": np.array([strip for _, strip in keys], dtype=np.int64),
                "area_ha": np.asarray(group_areas_m2, dtype=np.float64)[groups] / SQUARE_METRES_PER_HECTARE,
            },
            geometry=[shapely.MultiPolygon(parts[key]) for key in keys],
            crs=crs,
        )
