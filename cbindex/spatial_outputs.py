"""Spatial outputs a GIS analyst opens in QGIS: the natural-area mask (COG) and the connectivity groups."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.features
import shapely

from cbindex.atomic_write import atomic_path
from cbindex.city_grid import CityGrid

MASK_OUTSIDE = 255
SQUARE_METRES_PER_HECTARE = 10_000.0


def write_natural_mask_cog(path: str | Path, *, grid: CityGrid, natural: np.ndarray) -> None:
    """Write the natural-area mask as a Cloud-Optimised GeoTIFF.

    Values: 1 natural, 0 not natural, 255 (nodata) outside the city or without land-cover data.
    """
    mask = np.where(grid.weight > 0, natural.astype(np.uint8), MASK_OUTSIDE).astype(np.uint8)
    profile = {
        "driver": "COG", "width": mask.shape[1], "height": mask.shape[0], "count": 1, "dtype": "uint8",
        "crs": grid.crs, "transform": grid.transform, "nodata": MASK_OUTSIDE, "compress": "deflate",
        "overview_resampling": "nearest",
    }
    with atomic_path(path) as temporary, rasterio.open(temporary, "w", **profile) as destination:
        destination.write(mask, 1)
        destination.update_tags(1, values="1 natural, 0 not natural, 255 outside the city or no data")


def connectivity_groups_frame(
    *, grid: CityGrid, labels: np.ndarray, group_areas_m2: np.ndarray,
) -> gpd.GeoDataFrame:
    """Polygons of the connectivity groups, one multipolygon per group, with their areas.

    ``area_ha`` is the group's ground area from the raster (the value I2 uses); ``n_cells`` counts its
    cells. The 4-connected pieces of a group become the parts of one multipolygon: they share at most
    corner points, so the multipolygon is valid without a costly union.
    """
    shapes = rasterio.features.shapes(
        labels.astype(np.int32), mask=labels > 0, transform=grid.transform, connectivity=4,
    )
    geometries: dict[int, list] = {}
    for geometry, value in shapes:
        geometries.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    group_ids = sorted(geometries)
    cells = np.bincount(labels.ravel(), minlength=len(group_areas_m2))
    return gpd.GeoDataFrame(
        {
            "group_id": group_ids,
            "area_ha": [group_areas_m2[i] / SQUARE_METRES_PER_HECTARE for i in group_ids],
            "n_cells": [int(cells[i]) for i in group_ids],
        },
        geometry=[shapely.MultiPolygon(geometries[i]) for i in group_ids],
        crs=grid.crs,
    )


def write_geopackage_layer(path: str | Path, frame: gpd.GeoDataFrame, *, layer: str) -> None:
    """Write one layer to a new GeoPackage, atomically."""
    with atomic_path(path) as temporary:
        frame.to_file(temporary, layer=layer, driver="GPKG")
