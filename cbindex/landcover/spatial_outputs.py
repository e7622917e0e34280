"""Spatial outputs a GIS analyst opens in QGIS: the natural-area mask (COG), the connectivity groups and the natural
patches, all written strip by strip in bounded memory."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.shutil
import rasterio.windows
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.core.atomic_write import atomic_path
from cbindex.core.geopackage import write_geopackage
from cbindex.core.output_names import GROUPS_LAYER, MASK_OUTSIDE, NATURAL_PATCHES_LAYER, YearOutputs  # noqa: F401
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.cell_area import row_cell_areas_m2
from cbindex.geo.city_grid import GDAL_CACHE_MB
from cbindex.kernels.code_areas import natural_mask_values
from cbindex.kernels.run_labels import Runs
from cbindex.kernels.strip_groups import StripGroups
from cbindex.kernels.strip_polygons import PieceRings, StripPolygons


def write_geopackage_layer(
    path: str | Path, frame: gpd.GeoDataFrame, *, layer: str, geometry_type: str | None = None
) -> None:
    """Write one layer to a new GeoPackage, reproducibly and atomically (``geometry_type`` keeps the type of an
    empty layer, e.g. a city without any natural group)."""
    write_geopackage(path, {layer: frame}, geometry_type=geometry_type)


class StripRasterWriter:
    """Write a single-band raster strip by strip; it appears at ``path`` only when the block exits cleanly.

    Use as a context manager; call :meth:`write` for every strip. With ``cloud_optimised`` the strips are
    converted to a Cloud-Optimised GeoTIFF (deflate) at the end; otherwise the tiled GeoTIFF of the strips
    (ZSTD level 1: quick to write and read back) is kept as is (intermediate files).
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
        self._env = rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB)  # GDAL's default (5 % of RAM) holds ~1 GB of tiles
        self._env.__enter__()
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
            "compress": "zstd",  # the strips file is read once more (COG) or by the band merge: fast, not small
            "zstd_level": 1,
            "num_threads": "ALL_CPUS",
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
                    num_threads="ALL_CPUS",  # tiles compressed in parallel, the same bytes as one thread
                )
            elif kind is None:
                self._strips_path.replace(self._final_temporary)
        finally:
            self._strips_path.unlink(missing_ok=True)
            self._atomic.__exit__(kind, error, traceback)
            self._env.__exit__(kind, error, traceback)


class NaturalMaskWriter(StripRasterWriter):
    """Write the natural-area mask strip by strip (1 natural, 0 not natural, 255 outside the city)."""

    def write_strip(self, *, weight: np.ndarray, natural: np.ndarray, row_start: int) -> None:
        """Write one strip: 1 natural, 0 not natural, 255 outside the city."""
        self.write(natural_mask_values(natural, weight, outside=MASK_OUTSIDE), row_start=row_start)


class GroupPolygonCollector:
    """Collect patch labels strip by strip and trace their polygons as they come; frames at the end.

    Each strip's labelled cells are traced into rings (:class:`cbindex.kernels.strip_polygons.StripPolygons`);
    rings crossing strip edges are joined across them, so memory holds a strip and the polygons, never the whole
    label raster, and every group (or patch) is one multipolygon whatever the raster's size: geometrically the
    polygons of rasterio's ``shapes`` (4-connectivity) over the whole group (or patch) raster at once. With
    ``row_area_m2`` given to :meth:`add_strip`, cells and whole-cell ground areas are counted per label for
    :meth:`patches_frame`.

    ``max_cells`` is accepted for compatibility and not used (the polygons no longer need the whole raster).
    """

    def __init__(self, *, max_cells: int | None = None) -> None:
        self._polygons: StripPolygons | None = None
        self._transform = None
        self._cells: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self._areas: list[np.ndarray] = [np.zeros(1, dtype=np.float64)]
        self._n_labels = 0
        self._rings: PieceRings | None = None

    def add_strip(
        self,
        *,
        local_labels: np.ndarray,
        label_offset: int,
        transform,
        row_area_m2: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        runs: Runs | None = None,
    ) -> None:
        """Trace one strip's patch labels (global = local + offset; strips top to bottom, each below the last).

        ``mask`` (the labelled cells) and ``runs`` (the labelling's runs) spare passes over the cells.
        """
        if self._polygons is None:
            self._polygons = StripPolygons(width=local_labels.shape[1])
            self._transform = transform
        counts = self._polygons.add_strip(
            local_labels, label_offset=label_offset, mask=mask, runs=runs, row_area_m2=row_area_m2
        )
        if counts is not None:
            cells, areas = counts
            top = label_offset + cells.size - 1
            if top > self._n_labels:  # labels past those seen so far (strip labels follow one another)
                self._cells = [np.concatenate([*self._cells, np.zeros(top - self._n_labels, dtype=np.int64)])]
                self._areas = [np.concatenate([*self._areas, np.zeros(top - self._n_labels, dtype=np.float64)])]
                self._n_labels = top
            self._cells[0][label_offset + 1 : top + 1] += cells[1:]
            self._areas[0][label_offset + 1 : top + 1] += areas[1:]

    def rings(self) -> PieceRings | None:
        """The traced rings (None when no strip was added)."""
        if self._rings is None and self._polygons is not None:
            self._rings = self._polygons.finish()
        return self._rings

    def geometries(self, id_of_label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One multipolygon per id (ascending) of the labels' cells: ``id_of_label`` maps global labels to ids
        (0 = none). Returns the ids and the geometries."""
        rings = self.rings()
        if rings is None or rings.ring_piece.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        piece_id = np.asarray(id_of_label, dtype=np.int64)[rings.piece_label]
        ring_id = piece_id[rings.ring_piece]
        order = np.argsort(ring_id, kind="stable")  # rings stay by piece, shell first, within each id
        ring_first, ring_stop = rings.ring_first[:-1][order], rings.ring_first[1:][order]
        lengths = ring_stop - ring_first + 1  # closed rings repeat their first corner
        ring_offsets = np.concatenate([[0], np.cumsum(lengths)])
        within = np.arange(ring_offsets[-1]) - np.repeat(ring_offsets[:-1], lengths)
        corner = np.repeat(ring_first, lengths) + within
        corner[ring_offsets[1:] - 1] = ring_first  # the closing corner
        coordinates = rings.world_coordinates(self._transform)[corner]
        pieces = rings.ring_piece[order]
        ids = ring_id[order]
        shells = np.flatnonzero(~rings.ring_is_hole[order])  # one shell per piece, each piece's first ring
        polygon_offsets = np.concatenate([shells, [pieces.size]])
        shell_ids = ids[shells]
        unique_ids, first_polygon = np.unique(shell_ids, return_index=True)
        geometry_offsets = np.concatenate([first_polygon, [shells.size]])
        geometries = shapely.from_ragged_array(
            shapely.GeometryType.MULTIPOLYGON, coordinates, (ring_offsets, polygon_offsets, geometry_offsets)
        )
        keep = unique_ids > 0
        return unique_ids[keep].astype(np.int64), geometries[keep]

    def frame(self, *, group_of_patch: np.ndarray, group_areas_m2: np.ndarray, crs) -> gpd.GeoDataFrame:
        """One row per group: ``group_id``, ``area_ha`` (the group's ground area as I2 uses it, not the polygon's
        planar area) and its multipolygon."""
        ids, geometries = self.geometries(group_of_patch)
        return gpd.GeoDataFrame(
            {"group_id": ids, "area_ha": np.asarray(group_areas_m2, dtype=np.float64)[ids] / SQUARE_METRES_PER_HECTARE},
            geometry=gpd.GeoSeries(geometries, crs=crs),
            crs=crs,
        )

    def patches_frame(self, *, patch_of_label: np.ndarray, crs) -> gpd.GeoDataFrame:
        """One row per patch: ``patch_id``, ``n_cells``, ``area_ha`` (ground area of its cells, each counted whole)
        and its multipolygon; needs ``row_area_m2`` in every :meth:`add_strip`."""
        ids, geometries = self.geometries(patch_of_label)
        patch_of_label = np.asarray(patch_of_label, dtype=np.int64)
        n_ids = int(patch_of_label.max()) + 1 if patch_of_label.size else 1
        labels = patch_of_label[: self._n_labels + 1]
        cells = np.bincount(labels, weights=self._cells[0][: labels.size], minlength=n_ids)
        areas = np.bincount(labels, weights=self._areas[0][: labels.size], minlength=n_ids)
        return gpd.GeoDataFrame(
            {
                "patch_id": ids,
                "n_cells": np.rint(cells[ids]).astype(np.int64),
                "area_ha": areas[ids] / SQUARE_METRES_PER_HECTARE,
            },
            geometry=gpd.GeoSeries(geometries, crs=crs),
            crs=crs,
        )


class NaturalPatchCollector:
    """The natural patches of mask strips (labelled here with the pixel neighbourhood) and their polygons.

    For natural cells that are not I2's habitat (barriers): the patches of the natural-area mask, as
    :func:`cbindex.landcover.connectivity.label_patches` numbers them, strip by strip.
    """

    def __init__(self, *, width: int, neighbourhood: int) -> None:
        self._labels = StripGroups(
            width=width, cell_width_m=1.0, cell_height_m=1.0, gap_distance_m=0.0, neighbourhood=neighbourhood
        )
        self._polygons = GroupPolygonCollector()

    def add_strip(self, natural: np.ndarray, *, row_area_m2: np.ndarray, transform) -> None:
        """Label and trace one strip of natural cells (strips top to bottom)."""
        natural = np.asarray(natural, dtype=bool)
        local = self._labels.add_strip(natural, row_area_m2=row_area_m2, keep_labels=True)
        self._polygons.add_strip(
            local_labels=local,
            label_offset=self._labels.strip_label_offsets[-1] if self._labels.strip_label_offsets else 0,
            transform=transform,
            row_area_m2=row_area_m2,
            mask=natural,
            runs=self._labels.last_runs,
        )

    def frame(self, *, crs) -> gpd.GeoDataFrame:
        """One row per natural patch (see :meth:`GroupPolygonCollector.patches_frame`)."""
        return self._polygons.patches_frame(patch_of_label=self._labels.finish().patch_of_label, crs=crs)


class PassPolygons:
    """The polygons of one land-cover pass: I2's groups (traced from its habitat patch labels) and the natural
    patches (the same labels when habitat is natural, else labelled apart from the natural mask)."""

    def __init__(self, *, width: int, neighbourhood: int, habitat_is_natural: bool) -> None:
        self.habitat = GroupPolygonCollector()
        self.natural = None if habitat_is_natural else NaturalPatchCollector(width=width, neighbourhood=neighbourhood)

    def add_strip(
        self,
        *,
        local_labels: np.ndarray,
        label_offset: int,
        natural: np.ndarray,
        row_area_m2: np.ndarray,
        transform,
        habitat: np.ndarray | None = None,
        runs: Runs | None = None,
    ) -> None:
        """One strip of the pass: its habitat patch labels (global = local + offset) and natural cells;
        ``habitat`` (the labelled cells) and ``runs`` (the labelling's runs) when the pass has them."""
        self.habitat.add_strip(
            local_labels=local_labels,
            label_offset=label_offset,
            transform=transform,
            row_area_m2=row_area_m2 if self.natural is None else None,
            mask=habitat,
            runs=runs,
        )
        if self.natural is not None:
            self.natural.add_strip(natural, row_area_m2=row_area_m2, transform=transform)

    def frames(self, result) -> dict[str, gpd.GeoDataFrame]:
        """The ``connectivity_groups`` and ``natural_patches`` layers of a finished pass (a ``BlockwiseResult``)."""
        crs = result.window.crs
        groups = self.habitat.frame(group_of_patch=result.group_of_patch, group_areas_m2=result.group_areas_m2, crs=crs)
        if self.natural is None:
            patches = self.habitat.patches_frame(patch_of_label=result.patch_of_label, crs=crs)
        else:
            patches = self.natural.frame(crs=crs)
        return {GROUPS_LAYER: groups, NATURAL_PATCHES_LAYER: patches}


def natural_patches_from_mask(path: str | Path, *, neighbourhood: int, block_rows: int = 512) -> gpd.GeoDataFrame:
    """The natural patches of a natural-area mask GeoTIFF (1 natural), read strip by strip in bounded memory.

    Ground areas count every cell whole (:func:`cbindex.geo.cell_area.row_cell_areas_m2` of the mask's grid).
    """
    with rasterio.open(path) as source:
        height, width = source.height, source.width
        crs = CRS.from_user_input(source.crs)
        row_area = row_cell_areas_m2(crs=crs, transform=source.transform, height=height, width=width)
        patches = NaturalPatchCollector(width=width, neighbourhood=neighbourhood)
        for start in range(0, height, block_rows):
            stop = min(start + block_rows, height)
            strip = source.read(1, window=rasterio.windows.Window(0, start, width, stop - start))
            patches.add_strip(
                strip == 1, row_area_m2=row_area[start:stop], transform=source.transform @ Affine.translation(0, start)
            )
    return patches.frame(crs=crs)
