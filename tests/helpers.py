"""Helpers shared by the tests: tiny rasters and vectors, hand-drawn patterns, and running the workflow in a
throw-away copy of the repository. Tests import from here; conftest.py only holds fixtures."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine

REPO = Path(__file__).resolve().parents[1]

FIXTURES = REPO / "tests" / "fixtures"
WORKFLOW_PARTS = ("Snakefile", "workflow", "scripts", "config", "data")
TREES, BUILT = 10, 50  # ESA WorldCover codes


def write_raster(path: Path, array: np.ndarray, *, transform: Affine, crs="EPSG:4326", nodata=None) -> Path:
    """Write a single-band GeoTIFF and return its path."""
    profile = {
        "driver": "GTiff",
        "width": array.shape[1],
        "height": array.shape[0],
        "count": 1,
        "dtype": array.dtype.name,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
    }
    with rasterio.open(path, "w", **profile) as destination:
        destination.write(array, 1)
    return path


def write_vector(path: Path, geometries, *, crs="EPSG:4326", **columns) -> Path:
    """Write geometries (and optional columns) to a GeoPackage or GeoJSON, by suffix."""
    frame = gpd.GeoDataFrame(columns, geometry=list(geometries), crs=crs)
    frame.to_file(path)
    return path


def crossing_patterns() -> np.ndarray:
    """A 40×40 WorldCover raster whose patches and groups cross the edges of 5-row strips every way."""
    codes = np.full((40, 40), BUILT, dtype=np.uint8)
    codes[2:30, 3] = TREES  # vertical line through five strip edges
    for i in range(12):  # a diagonal staircase crossing edges diagonally (8-neighbour links only)
        codes[8 + i, 10 + i] = TREES
    for i in range(12):  # an anti-diagonal one
        codes[8 + i, 36 - i] = TREES
    codes[4, 15:20] = TREES  # row 4 is the last row of strip 0 ...
    codes[7, 15:20] = TREES  # ... row 7 in strip 1: two empty rows between → joined only by the gap rule
    codes[24, 0:5] = TREES  # gap-joined to the vertical line? no: they touch at (24,3)
    codes[33:36, 30:33] = TREES  # isolated block, 3 rows below anything → far with small gaps
    codes[38, 30] = TREES  # 2 empty rows below the block: joined with gaps ≥ 3 cells of distance
    return codes


def copy_workflow(destination: Path) -> Path:
    """Copy what a run needs (not results/ or .snakemake/) into ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy2(source, destination / part)
    return destination


def copy_run(source: Path, destination: Path) -> Path:
    """Copy a finished run (workflow, results/ and .snakemake/ metadata, modification times kept) to
    ``destination``, so that Snakemake there re-runs only what a later change affects."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the venv's snakemake in ``workdir`` and capture its output."""
    executable = Path(sys.executable).with_name("snakemake")
    return subprocess.run(
        [str(executable), "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=check,
    )


def exactextract_fractions(geometry, *, shape, transform: Affine, crs) -> np.ndarray:
    """Reference coverage fractions: exactextract's, of every cell of the grid by ``geometry`` (float32)."""
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    rows, cols = shape
    xmin, ymax = transform.c, transform.f
    xmax, ymin = xmin + transform.a * cols, ymax + transform.e * rows
    source = NumPyRasterSource(np.zeros(shape, dtype=np.uint8), xmin, ymin, xmax, ymax, srs_wkt=crs.to_wkt())
    frame = gpd.GeoDataFrame(geometry=[geometry], crs=crs)
    result = exact_extract(source, frame, ["cell_id", "coverage"], output="pandas")
    fractions = np.zeros(rows * cols, dtype=np.float32)
    if len(result):
        fractions[np.asarray(result["cell_id"].iloc[0], dtype=np.int64)] = result["coverage"].iloc[0]
    return fractions.reshape(shape)
