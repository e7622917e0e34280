"""Benchmark of the land-cover stage: wall time, peak memory and throughput on large rasters, and peers.

Run from the repository root (not a test; ``tests/test_benchmark_smoke.py`` runs ``--quick``)::

    .venv/bin/python benchmarks/benchmark_landcover.py                 # all cases, 3 repeats, medians
    .venv/bin/python benchmarks/benchmark_landcover.py --cases 1,3 --repeats 5
    .venv/bin/python benchmarks/benchmark_landcover.py --quick         # small crops, a smoke run

Cases
-----
1. The whole ESA WorldCover 10 m tile N00E006 (36000 x 36000 cells, EPSG:4326), boundary = the tile's extent,
   all indicators with the 100 m gap rule; and the read-only floor (the same window read in the same strips,
   codes counted with bincount, nothing else).
2. Chongqing at 10 m: the real Chongqing WorldCover raster (~120 m) resampled with nearest neighbour to a 10 m
   grid in UTM 48N (generated once, strip by strip, into ``--workdir``), boundary = Chongqing's boundary; and
   its read-only floor.
3. Peers: (a) effective mesh size of every class of the Augusta NLCD raster against pylandstats; (b) MESH of the
   natural class of a 4000 x 4000 crop of case 2 (straddling the boundary) against pylandstats; (c) cell counts
   per class under the boundary (cell-centre rule) against rasterstats; (d) coverage-weighted cell counts per
   class (exact rule) against exactextract; (e) as (b) on a 4000 x 4000 crop of the real 10 m tile of case 1
   (São Tomé island, nominal 10 m cells on both sides): case 2 is ~120 m cells repeated, with few patches, while
   real 10 m land cover has many, and both tools' time depends on the patch count.

Every measurement runs in a fresh Python process (``--worker``); its peak resident memory is that process's
``ru_maxrss`` from ``os.wait4``, its wall and CPU time (all threads) are measured inside the process from the
start of the work (reading the boundary) to the result, so interpreter start-up and imports are excluded (the
``python + imports`` row shows their memory). The MESH comparisons (3a, 3b, 3e) start both tools' clocks once
the class array is in memory and each tool has run once on a 3 x 3 array, so they time the metric, not the
same GeoTIFF decoding nor one-time loading; the class-area comparisons (3c, 3d) time each tool's second call of
the same work, boundary file to counts (the ``load compiled kernels`` row shows ours, about 0.1 s per
process, paid once by each Snakemake job). Ours is the workflow's I2 engine
(:func:`cbindex.kernels.strip_groups.natural_group_areas_m2`, gap 0, 512-row strips) and, for all Augusta classes at
once, the same run labelling (:func:`cbindex.landcover.connectivity.class_effective_mesh_sizes_ha`).
CPU time close to wall time shows the run was not starved by other processes. Each measurement is repeated
``--repeats`` times; the table quotes medians.

The indicators are computed by :data:`LANDCOVER_FUNCTION` (one line to swap); ``--path both`` also runs the
whole-array reference on cases 1 and 2 and prints how far its values are from the blockwise ones (use it with
``--quick``: the whole-array path does not fit in memory on the full cases).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# --- inputs: shared/data beside the repository (override with CBINDEX_SHARED_DATA) ---------------------------
SHARED_DATA = Path(os.environ.get("CBINDEX_SHARED_DATA", REPO.parent / "shared" / "data"))
SAOTOME_TILE = SHARED_DATA / "saotome_worldcover_10m" / "ESA_WorldCover_10m_2020_v100_N00E006_Map.tif"
CHONGQING_RASTER = SHARED_DATA / "urbanshift_worldcover" / "world_cover_CHN-Chongqing.tif"
CHONGQING_BOUNDARY = SHARED_DATA / "urbanshift_worldcover" / "admin_boundaries_CHN-Chongqing.geojson"
AUGUSTA = REPO / "tests" / "fixtures" / "fragstats" / "augusta_nlcd.tif"
WORLDCOVER_LEGEND = REPO / "config" / "legends" / "esa_worldcover_v100.yaml"
DEFAULT_WORKDIR = REPO / "results" / "benchmarks"

SAOTOME_CITY_BOUNDS = (6.65, 0.28, 6.78, 0.40)  # São Tomé city, 1560 x 1440 cells (the --quick case 1)
SAOTOME_ISLAND_CENTRE = (6.61, 0.23)  # the 3e crop: real 10 m land cover (case 2 is 120 m cells repeated)
CHONGQING_CRS = "EPSG:32648"  # UTM 48N
CHONGQING_CELL_M = 10.0
CHONGQING_CENTRE_LONLAT = (106.55, 29.56)  # the crops are centred on the boundary point nearest to this
GENERATOR_VERSION = "1"
CROP_SOURCE_CELLS = 4400
"""Case 3 run without case 2 generates only these n x n cells of the Chongqing 10 m grid around the edge point (the
4000 x 4000 crops are cut there, as from the full raster): seconds instead of the 2.4-billion-cell raster."""
FLOOR_GDAL_CACHEMAX_MB = 128  # holds a full row of tiles of either raster, so each tile is decompressed once

# --- targets (issue 3) --------------------------------------------------------------------------------------
TARGET_PEAK_MIB = 2048
TARGET_CELLS_PER_S = 30e6
TARGET_MESH_SPEEDUP = 10.0

HEADER = (
    f"{'case':<4} {'task':<44} {'tool':<22} {'cells':>14} {'wall s':>9} {'CPU s':>8} {'peak MiB':>9} "
    f"{'Mcells/s':>9} {'peer/ours':>9}  agreement"
)


def whole_array_indicators(raster_path, boundary, *, legend, method, block_rows):
    """The whole-array reference path, with the blockwise signature (``block_rows`` is not used)."""
    from cbindex.geo.city_grid import read_city_grid
    from cbindex.landcover.in_memory import compute_landcover_in_memory

    grid = read_city_grid(raster_path, boundary, boundary_rule=method.boundary_rule, nodata_codes=legend.nodata)
    return compute_landcover_in_memory(grid, legend=legend, method=method)


def _blockwise(raster_path, boundary, *, legend, method, block_rows):
    from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise

    return compute_landcover_indicators_blockwise(
        raster_path, boundary, legend=legend, method=method, block_rows=block_rows
    )


LANDCOVER_FUNCTION = _blockwise  # the one line to swap: what cases 1 and 2 run by default (--path blockwise)
PATHS = {"blockwise": LANDCOVER_FUNCTION, "whole": whole_array_indicators}
REPORTED_INDICATORS = ("city_area", "I1", "I2", "I2_coherence", "I11", "I12", "natural_patches", "natural_groups")


# =============================================================================================================
# Workers: each runs in its own process and prints one JSON line {"cells", "seconds", ...}.
# =============================================================================================================

_CPU_AT_START = [0.0]


def _start_clock() -> float:
    """Start a worker's clocks after its imports: returns the wall clock; CPU time is kept for run_worker."""
    _CPU_AT_START[0] = time.process_time()
    return time.perf_counter()


def _boundary(spec: dict):
    """A CityBoundary from a spec: {"box": [left, bottom, right, top], "crs": ...} or {"path": ...}."""
    from pyproj import CRS

    from cbindex.geo.boundary import CityBoundary, read_city_boundary

    if "box" in spec:
        import shapely

        return CityBoundary(
            geometry=shapely.box(*spec["box"]),
            crs=CRS.from_user_input(spec["crs"]),
            path=f"box {spec['box']}",
            repaired=False,
        )
    return read_city_boundary(spec["path"])


def _default_block_rows() -> int:
    try:
        from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS
    except ImportError:
        return 1024
    return DEFAULT_BLOCK_ROWS


def worker_imports(task: dict) -> dict:
    import cbindex.landcover.area_shares  # noqa: F401
    import cbindex.landcover.blockwise  # noqa: F401

    return {"cells": 0, "seconds": 0.0}


def worker_indicators(task: dict) -> dict:
    from cbindex.core.method import LandcoverMethod
    from cbindex.geo.city_grid import open_city_window
    from cbindex.geo.legends import load_legend

    function = PATHS[task["path"]] if task.get("path") else LANDCOVER_FUNCTION
    legend = load_legend(task["legend"])
    method = LandcoverMethod(**task.get("method", {}))
    start = _start_clock()
    boundary = _boundary(task["boundary"])
    result = function(task["raster"], boundary, legend=legend, method=method, block_rows=task["block_rows"])
    seconds = time.perf_counter() - start
    rows, cols = open_city_window(task["raster"], boundary).shape
    values = {name: result.value_of(name) for name in REPORTED_INDICATORS}
    return {"cells": rows * cols, "seconds": seconds, "values": values, "shape": [rows, cols]}


def worker_band(task: dict) -> dict:
    """One row band of a city as a separate job (what rule compute_landcover_band computes, without outputs)."""
    from cbindex.core.method import LandcoverMethod
    from cbindex.geo.legends import load_legend
    from cbindex.landcover.bands import compute_band

    legend = load_legend(task["legend"])
    start = _start_clock()
    boundary = _boundary(task["boundary"])
    rows = compute_band(
        task["raster"],
        boundary,
        legend=legend,
        method=LandcoverMethod(),
        band=task["band"],
        n_bands=task["n_bands"],
        state_path=task["state"],
        block_rows=task["block_rows"],
    )
    return {"cells": (rows[1] - rows[0]) * task["width"], "seconds": time.perf_counter() - start, "values": {}}


def worker_merge(task: dict) -> dict:
    """Join the saved bands (rule merge_landcover_bands, without rewriting the mask and polygons)."""
    from cbindex.core.method import LandcoverMethod
    from cbindex.geo.legends import load_legend
    from cbindex.landcover.bands import merge_bands

    legend = load_legend(task["legend"])
    start = _start_clock()
    merged = merge_bands(
        task["raster"],
        _boundary(task["boundary"]),
        legend=legend,
        method=LandcoverMethod(),
        state_paths=task["states"],
        block_rows=task["block_rows"],
    )
    values = {name: merged.result.value_of(name) for name in REPORTED_INDICATORS}
    return {"cells": 0, "seconds": time.perf_counter() - start, "values": values}


def worker_read_floor(task: dict) -> dict:
    """Read the city's window in strips of ``block_rows`` full-width rows and count the codes: nothing else."""
    import rasterio
    import rasterio.windows

    from cbindex.geo.city_grid import open_city_window

    start = _start_clock()
    window = open_city_window(task["raster"], _boundary(task["boundary"])).window
    counts = np.zeros(256, dtype=np.int64)
    # GDAL's block cache (default 5 % of RAM) would otherwise dominate this process's peak memory
    with rasterio.Env(GDAL_CACHEMAX=FLOOR_GDAL_CACHEMAX_MB), rasterio.open(task["raster"]) as dataset:
        for row in range(0, int(window.height), task["block_rows"]):
            strip = rasterio.windows.Window(
                window.col_off, window.row_off + row, window.width, min(task["block_rows"], int(window.height) - row)
            )
            codes = dataset.read(1, window=strip)
            counts += np.bincount(codes.ravel(), minlength=256)
    seconds = time.perf_counter() - start
    return {
        "cells": int(counts.sum()),
        "seconds": seconds,
        "values": {"codes": {str(c): int(n) for c, n in enumerate(counts) if n}},
    }


def _chongqing_edge_point():
    """The point of Chongqing's boundary (UTM 48N) nearest to the city centre: crops there straddle the edge."""
    import geopandas as gpd
    import shapely
    from shapely.ops import nearest_points

    frame = gpd.read_file(CHONGQING_BOUNDARY).to_crs(CHONGQING_CRS)
    polygon = shapely.union_all(frame.geometry.values)
    centre = gpd.GeoSeries([shapely.Point(*CHONGQING_CENTRE_LONLAT)], crs="EPSG:4326").to_crs(CHONGQING_CRS)[0]
    point = nearest_points(polygon.boundary, centre)[0]
    return point.x, point.y


def worker_generate_chongqing(task: dict) -> dict:
    """Resample the Chongqing raster (~120 m, EPSG:4326) to 10 m in UTM 48N with nearest neighbour, strip by strip.

    ``task["extent"]`` is ``"full"`` (the UTM bounding box of the source raster) or a cell count ``n``
    (an n x n raster centred on the boundary point nearest to the city centre, for --quick).
    """
    import rasterio
    import rasterio.windows
    from affine import Affine
    from rasterio.warp import Resampling, reproject, transform_bounds

    cell = CHONGQING_CELL_M
    start = _start_clock()
    with rasterio.open(CHONGQING_RASTER) as source:
        codes = source.read(1)
        src_transform, src_crs, src_nodata = source.transform, source.crs, source.nodata
        src_bounds = source.bounds
    if task["extent"] == "full":
        left, bottom, right, top = transform_bounds(src_crs, CHONGQING_CRS, *src_bounds, densify_pts=101)
    else:
        x, y = _chongqing_edge_point()
        half = task["extent"] * cell / 2
        left, bottom, right, top = x - half, y - half, x + half, y + half
    left, top = math.floor(left / cell) * cell, math.ceil(top / cell) * cell
    width, height = math.ceil((right - left) / cell), math.ceil((top - bottom) / cell)
    transform = Affine(cell, 0, left, 0, -cell, top)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "uint8",
        "crs": CHONGQING_CRS,
        "transform": transform,
        "nodata": src_nodata,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }
    target = Path(task["output"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.tif")
    strip_rows = 1024
    with rasterio.Env(GDAL_CACHEMAX=256), rasterio.open(partial, "w", **profile) as destination:
        destination.update_tags(
            GENERATOR=f"benchmark_landcover.py v{GENERATOR_VERSION}", SOURCE=str(CHONGQING_RASTER), RESAMPLING="nearest"
        )
        for row in range(0, height, strip_rows):
            rows = min(strip_rows, height - row)
            window = rasterio.windows.Window(0, row, width, rows)
            block = np.zeros((rows, width), dtype=np.uint8)
            reproject(
                codes,
                block,
                src_transform=src_transform,
                src_crs=src_crs,
                src_nodata=src_nodata,
                dst_transform=rasterio.windows.transform(window, transform),
                dst_crs=CHONGQING_CRS,
                dst_nodata=src_nodata,
                resampling=Resampling.nearest,
                num_threads=2,
            )
            destination.write(block, 1, window=window)
    partial.replace(target)
    return {"cells": width * height, "seconds": time.perf_counter() - start, "shape": [height, width]}


def worker_make_crop(task: dict) -> dict:
    """Cut an n x n crop of the Chongqing 10 m raster around the edge point, and the boundary clipped to it."""
    import geopandas as gpd
    import rasterio
    import rasterio.windows
    import shapely

    start = _start_clock()
    n = task["size"]
    x, y = _chongqing_edge_point()
    with rasterio.open(task["raster"]) as source:
        row, col = source.index(x, y)
        row0 = min(max(row - n // 2, 0), source.height - n)
        col0 = min(max(col - n // 2, 0), source.width - n)
        window = rasterio.windows.Window(col0, row0, n, n)
        codes = source.read(1, window=window)
        profile = source.profile | {
            "width": n,
            "height": n,
            "transform": source.window_transform(window),
            "blockxsize": 512,
            "blockysize": 512,
            "tiled": True,
            "compress": "deflate",
        }
        bounds = rasterio.windows.bounds(window, source.transform)
    with rasterio.open(task["crop"], "w", **profile) as destination:
        destination.write(codes, 1)
    frame = gpd.read_file(CHONGQING_BOUNDARY)
    polygon = shapely.union_all(frame.to_crs(CHONGQING_CRS).geometry.values)
    clipped = shapely.intersection(polygon, shapely.box(*bounds))
    gpd.GeoDataFrame({"name": ["Chongqing within the crop"]}, geometry=[clipped], crs=CHONGQING_CRS).to_file(
        task["boundary"], driver="GeoJSON"
    )
    inside = clipped.area / shapely.box(*bounds).area
    return {"cells": n * n, "seconds": time.perf_counter() - start, "values": {"boundary_share": inside}}


def worker_make_tile_crop(task: dict) -> dict:
    """Cut an n x n crop of the real 10 m WorldCover tile around São Tomé island."""
    import rasterio
    import rasterio.windows

    start = _start_clock()
    n = task["size"]
    with rasterio.open(SAOTOME_TILE) as source:
        row, col = source.index(*SAOTOME_ISLAND_CENTRE)
        window = rasterio.windows.Window(col - n // 2, row - n // 2, n, n)
        codes = source.read(1, window=window)
        profile = source.profile | {"width": n, "height": n, "transform": source.window_transform(window)}
    with rasterio.open(task["crop"], "w", **profile) as destination:
        destination.write(codes, 1)
    return {
        "cells": n * n,
        "seconds": time.perf_counter() - start,
        "values": {"land_share": float(np.mean((codes != 0) & (codes != 80)))},
    }


def _read_augusta():
    import rasterio

    with rasterio.open(AUGUSTA) as source:
        return source.read(1), abs(source.transform.a)


def _warm_up_kernels(sample_codes: np.ndarray, sample_natural: np.ndarray) -> float:
    """Load the compiled kernels for these dtypes (from numba's on-disk cache) before the clock starts; seconds."""
    from cbindex.kernels.strip_groups import natural_group_areas_m2
    from cbindex.landcover.connectivity import class_effective_mesh_sizes_ha

    start = time.perf_counter()
    class_effective_mesh_sizes_ha(sample_codes[:3, :3], row_area_m2=np.ones(3))
    natural_group_areas_m2(
        sample_natural[:3, :3], row_area_m2=np.ones(3), cell_width_m=10.0, cell_height_m=10.0, gap_distance_m=0.0
    )
    return time.perf_counter() - start


def worker_kernel_load(task: dict) -> dict:
    """The one-time cost of the compiled kernels in a fresh process (loading numba's cache), on 3 x 3 arrays."""
    _start_clock()
    codes = np.array([[1, 0, 2], [1, 1, 0], [0, 2, 2]], dtype=np.uint8)
    seconds = _warm_up_kernels(codes, codes == 1)
    return {"cells": 9, "seconds": seconds, "values": {}}


def worker_augusta_ours(task: dict) -> dict:
    """Class MESH of every Augusta class in one pass of the workflow's run labelling, from the array in memory."""
    from cbindex.landcover.connectivity import class_effective_mesh_sizes_ha

    codes, cell = _read_augusta()
    _warm_up_kernels(codes, codes == 1)
    start = _start_clock()
    mesh = class_effective_mesh_sizes_ha(codes, row_area_m2=np.full(codes.shape[0], cell * cell))
    return {
        "cells": int(codes.size),
        "seconds": time.perf_counter() - start,
        "values": {"mesh": {str(code): value for code, value in mesh.items()}},
    }


def _warm_up_pylandstats(codes: np.ndarray, cell: float) -> None:
    import pylandstats

    sample = np.ones((3, 3), dtype=codes.dtype)
    pylandstats.Landscape(sample, res=(cell, cell), nodata=0, neighborhood_rule="8").effective_mesh_size(class_val=1)


def worker_augusta_pylandstats(task: dict) -> dict:
    import pylandstats

    codes, cell = _read_augusta()
    _warm_up_pylandstats(codes, cell)
    start = _start_clock()
    landscape = pylandstats.Landscape(codes, res=(cell, cell), nodata=0, neighborhood_rule="8")
    mesh = {
        str(int(code)): float(landscape.effective_mesh_size(class_val=int(code)))
        for code in np.unique(codes[codes != 0])
    }
    return {"cells": int(codes.size), "seconds": time.perf_counter() - start, "values": {"mesh": mesh}}


def _crop_natural(crop: str, cell_m: float | None = None):
    import rasterio

    from cbindex.core.method import LandcoverMethod
    from cbindex.geo.categories import CategoryCodes
    from cbindex.geo.legends import codes_mask, load_legend

    natural_codes = CategoryCodes.from_legend(load_legend(WORLDCOVER_LEGEND), LandcoverMethod()).natural
    with rasterio.open(crop) as source:
        codes = source.read(1)
        cell = cell_m or abs(source.transform.a)
    return codes, codes_mask(codes, natural_codes), cell


def worker_crop_mesh_ours(task: dict) -> dict:
    """MESH of the natural class by the workflow's I2 engine (gap 0), from the array in memory."""
    from cbindex.kernels.strip_groups import natural_group_areas_m2
    from cbindex.landcover.connectivity import effective_mesh_size_ha

    codes, natural, cell = _crop_natural(task["crop"], task.get("cell_m"))
    _warm_up_kernels(codes, natural)
    start = _start_clock()
    totals = natural_group_areas_m2(
        natural,
        row_area_m2=np.full(codes.shape[0], cell * cell),
        cell_width_m=cell,
        cell_height_m=cell,
        gap_distance_m=0.0,
    )
    mesh = effective_mesh_size_ha(totals.group_areas_m2, denominator_m2=np.count_nonzero(codes) * cell * cell)
    return {
        "cells": int(codes.size),
        "seconds": time.perf_counter() - start,
        "values": {"mesh": mesh},
        "patches": totals.n_patches,
    }


def worker_crop_mesh_pylandstats(task: dict) -> dict:
    import pylandstats

    codes, natural, cell = _crop_natural(task["crop"], task.get("cell_m"))
    binary = np.where(codes == 0, 0, np.where(natural, 1, 2)).astype(np.uint8)  # 1 natural, 2 other, 0 nodata
    _warm_up_pylandstats(binary, cell)
    start = _start_clock()
    landscape = pylandstats.Landscape(binary, res=(cell, cell), nodata=0, neighborhood_rule="8")
    mesh = float(landscape.effective_mesh_size(class_val=1))
    return {"cells": int(codes.size), "seconds": time.perf_counter() - start, "values": {"mesh": mesh}}


def _timed_second_call(function) -> tuple[dict, float]:
    """Run ``function`` once untimed (first-call costs: compiled kernels, GDAL and PROJ set-up), then time it."""
    function()
    start = _start_clock()
    counts = function()
    return counts, time.perf_counter() - start


def worker_crop_areas_ours(task: dict) -> dict:
    """Cells per class under the boundary, weighted by the boundary rule (1/0 for centre, fractions for exact),
    by the workflow's one-pass code areas (a cell area of 1)."""
    from cbindex.geo.boundary import read_city_boundary
    from cbindex.geo.city_grid import read_city_grid
    from cbindex.kernels.code_areas import area_and_natural_by_code

    def counts() -> dict:
        grid = read_city_grid(task["crop"], read_city_boundary(task["boundary"]), boundary_rule=task["rule"])
        weights, _ = area_and_natural_by_code(
            grid.codes, weight=grid.weight, row_area_m2=np.ones(grid.codes.shape[0]), natural_codes=()
        )
        return {str(code): float(weight) for code, weight in weights.items() if weight > 0}

    values, seconds = _timed_second_call(counts)
    return {"cells": task["size"] ** 2, "seconds": seconds, "values": {"counts": values}}


def worker_crop_areas_rasterstats(task: dict) -> dict:
    import geopandas as gpd
    from rasterstats import zonal_stats

    def counts() -> dict:
        polygon = gpd.read_file(task["boundary"]).geometry.iloc[0]
        stats = zonal_stats([polygon], task["crop"], categorical=True, all_touched=False)[0]
        return {str(int(code)): float(count) for code, count in stats.items()}

    values, seconds = _timed_second_call(counts)
    return {"cells": task["size"] ** 2, "seconds": seconds, "values": {"counts": values}}


def worker_crop_areas_exactextract(task: dict) -> dict:
    import geopandas as gpd
    from exactextract import exact_extract

    def counts() -> dict:
        frame = gpd.read_file(task["boundary"])
        row = exact_extract(task["crop"], frame, ["unique", "frac", "count"], output="pandas").iloc[0]
        return {
            str(int(code)): float(frac * row["count"]) for code, frac in zip(row["unique"], row["frac"], strict=True)
        }

    values, seconds = _timed_second_call(counts)
    return {"cells": task["size"] ** 2, "seconds": seconds, "values": {"counts": values}}


WORKERS = {name.removeprefix("worker_"): function for name, function in globals().items() if name.startswith("worker_")}


def run_worker(task: dict) -> None:
    limit = task.get("memory_limit_bytes")
    if limit:  # a guard for a shared machine: fail with MemoryError rather than invite the OOM killer
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = WORKERS[task["worker"]](task)
    result["cpu_seconds"] = time.process_time() - _CPU_AT_START[0]  # all threads, since _start_clock()
    print(json.dumps(result))


# =============================================================================================================
# The parent: run workers in fresh processes, repeat, take medians, print the table.
# =============================================================================================================


@dataclass
class Measurement:
    """Medians over the repeats of one task in fresh processes."""

    cells: int = 0
    seconds: float = math.nan
    cpu_seconds: float = math.nan
    peak_mib: float = math.nan
    values: dict = field(default_factory=dict)
    error: str = ""
    runs: int = 0
    consistent: bool = True
    patches: int = 0

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds if self.cells and self.seconds > 0 else math.nan

    @property
    def cells_per_cpu_second(self) -> float:
        return self.cells / self.cpu_seconds if self.cells and self.cpu_seconds > 0 else math.nan


def measure_once(task: dict) -> tuple[dict | None, float, str]:
    """Run one task in a fresh interpreter; return its JSON result, its peak RSS in MiB and any error."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(task)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=REPO,
        )
        output = process.stdout.read()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peak_mib = usage.ru_maxrss / 1024  # KiB on Linux
        if process.returncode != 0:
            errors.seek(0)
            lines = [line for line in errors.read().strip().splitlines() if line.strip()]
            return None, peak_mib, (lines[-1] if lines else f"exit {process.returncode}")
    return json.loads(output.strip().splitlines()[-1]), peak_mib, ""


def measure(task: dict, repeats: int, *, label: str) -> Measurement:
    results, peaks = [], []
    for repeat in range(repeats):
        result, peak, error = measure_once(task)
        if result is None:
            print(f"  {label}: run {repeat + 1} failed: {error}", flush=True)
            return Measurement(error=error, peak_mib=peak, runs=repeat + 1)
        results.append(result)
        peaks.append(peak)
        print(
            f"  {label}: run {repeat + 1}/{repeats} {result['seconds']:.2f} s wall, {result['cpu_seconds']:.2f} s "
            f"CPU, {peak:.0f} MiB",
            flush=True,
        )
    values = [json.dumps(r.get("values"), sort_keys=True) for r in results]
    if len(set(values)) > 1:  # e.g. the library changed between repeats: say what moved
        first = results[0].get("values") or {}
        for key, value in first.items():
            seen = [r["values"].get(key) for r in results]
            if isinstance(value, float | int) and len(set(seen)) > 1:
                print(f"  {label}: repeats differ in {key}: {', '.join(f'{v:.10g}' for v in seen)}", flush=True)
    return Measurement(
        cells=results[0]["cells"],
        seconds=statistics.median(r["seconds"] for r in results),
        cpu_seconds=statistics.median(r["cpu_seconds"] for r in results),
        peak_mib=statistics.median(peaks),
        values=results[0].get("values") or {},
        runs=len(results),
        consistent=len(set(values)) == 1,
        patches=results[0].get("patches", 0),
    )


def measure_bands(
    base: dict, *, n_bands: int, parallel: int, width: int, workdir: Path, task, label: str, repeats: int
) -> Measurement:
    """A city as ``n_bands`` band jobs, ``parallel`` at a time, then the merge: end-to-end wall time (each job a
    fresh process, start-up included), the largest job's peak memory, the merged values."""
    from concurrent.futures import ThreadPoolExecutor

    states = [str(workdir / f"band_{band}_of_{n_bands}.npz") for band in range(n_bands)]
    walls, peaks, values, cells = [], [], [], 0
    for repeat in range(repeats):
        start = time.perf_counter()
        bands = [
            task("band", band=band, n_bands=n_bands, state=state, width=width, **base)
            for band, state in enumerate(states)
        ]
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            done = list(pool.map(measure_once, bands))
        merged, merge_peak, error = measure_once(task("merge", states=states, **base))
        errors = [e for _, _, e in done if e] + ([error] if error else [])
        if errors:
            print(f"  {label}: run {repeat + 1} failed: {errors[0]}", flush=True)
            return Measurement(error=errors[0], runs=repeat + 1)
        walls.append(time.perf_counter() - start)
        peaks.append(max([peak for _, peak, _ in done] + [merge_peak]))
        values.append(merged["values"])
        cells = sum(result["cells"] for result, _, _ in done)
        band_seconds = ", ".join(f"{result['seconds']:.1f}" for result, _, _ in done)
        print(
            f"  {label}: run {repeat + 1}/{repeats} {walls[-1]:.2f} s wall end to end (bands {band_seconds} s, "
            f"merge {merged['seconds']:.2f} s), peak {peaks[-1]:.0f} MiB",
            flush=True,
        )
    for state in states:
        Path(state).unlink(missing_ok=True)
    return Measurement(
        cells=cells,
        seconds=statistics.median(walls),
        cpu_seconds=math.nan,
        peak_mib=statistics.median(peaks),
        values=values[0],
        runs=repeats,
        consistent=len({json.dumps(v, sort_keys=True) for v in values}) == 1,
    )


@dataclass
class Row:
    case: str
    task: str
    tool: str
    measurement: Measurement
    peer_ratio: float = math.nan  # peer time / our time, on the peer's row
    agreement: str = ""

    def format(self) -> str:
        m = self.measurement
        if m.error:
            return f"{self.case:<4} {self.task:<44} {self.tool:<22} {'FAILED: ' + m.error[:80]}"
        cells = f"{m.cells:,}" if m.cells else "-"
        rate = f"{m.cells_per_second / 1e6:.1f}" if not math.isnan(m.cells_per_second) else "-"
        ratio = f"{self.peer_ratio:.1f}x" if not math.isnan(self.peer_ratio) else ""
        seconds = f"{m.seconds:.2f}" if m.cells else "-"
        cpu = f"{m.cpu_seconds:.2f}" if m.cells and not math.isnan(m.cpu_seconds) else "-"
        agreement = self.agreement + ("" if m.consistent else " [repeats DIFFER]")
        return (
            f"{self.case:<4} {self.task:<44} {self.tool:<22} {cells:>14} {seconds:>9} {cpu:>8} {m.peak_mib:>9.0f} "
            f"{rate:>9} {ratio:>9}  {agreement}"
        )


def max_relative_difference(ours: dict, theirs: dict) -> float:
    """Largest |ours - theirs| / |theirs| over the union of keys (a key missing on one side counts as 0)."""
    worst = 0.0
    for key in set(ours) | set(theirs):
        a, b = float(ours.get(key, 0.0)), float(theirs.get(key, 0.0))
        if a != b:
            worst = max(worst, abs(a - b) / max(abs(b), abs(a)))
    return worst


def peer_rows(case: str, task_name: str, ours: Measurement, peer: Measurement, tool: str, *, key: str) -> list[Row]:
    agreement = ""
    if not ours.error and not peer.error:
        a, b = ours.values[key], peer.values[key]
        difference = max_relative_difference(a, b) if isinstance(a, dict) else abs(a - b) / max(abs(a), abs(b))
        agreement = f"max rel. diff {difference:.1e} over {len(a) if isinstance(a, dict) else 1} value(s)"
    ratio = peer.seconds / ours.seconds if not (ours.error or peer.error) else math.nan
    return [
        Row(case, task_name, "cbindex", ours),
        Row(case, task_name, tool, peer, peer_ratio=ratio, agreement=agreement),
    ]


def indicator_text(values: dict) -> str:
    return ", ".join(f"{k} {v:.6g}" for k, v in values.items() if k in ("I1", "I2", "natural_groups"))


def run(args: argparse.Namespace) -> int:
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    cases = {int(c) for c in args.cases.split(",")}
    block_rows = args.block_rows or _default_block_rows()
    limit = int(args.memory_limit_gib * 2**30) if args.memory_limit_gib else None
    legend = str(WORLDCOVER_LEGEND)
    rows: list[Row] = []
    notes: list[str] = []

    def task(worker: str, **fields) -> dict:
        return {"worker": worker, "memory_limit_bytes": limit, **fields}

    print(
        f"benchmark_landcover: cases {sorted(cases)}, {args.repeats} repeat(s), medians; block_rows {block_rows}; "
        f"{'quick' if args.quick else 'full'} mode; path {args.path}; workdir {workdir}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    rows.append(Row("-", "python + imports (no work)", "cbindex", measure(task("imports"), 1, label="imports")))
    rows.append(
        Row(
            "-",
            "load compiled kernels (once per process)",
            "cbindex",
            measure(task("kernel_load"), 1 if args.quick else args.repeats, label="kernel load"),
        )
    )

    def indicator_rows(case: str, name: str, raster: str, boundary: dict) -> None:
        base = {"raster": raster, "boundary": boundary, "legend": legend, "block_rows": block_rows}
        paths = ["blockwise", "whole"] if args.path == "both" else [args.path]
        results = {}
        for path in paths:
            label = f"case {case} {path}"
            results[path] = measure(task("indicators", path=path, **base), args.repeats, label=label)
            tool = "cbindex " + ("blockwise" if path == "blockwise" else "whole array")
            agreement = indicator_text(results[path].values)
            if (
                path == "whole"
                and "blockwise" in results
                and not results["blockwise"].error
                and not results[path].error
            ):
                difference = max_relative_difference(results[path].values, results["blockwise"].values)
                agreement = f"vs blockwise: max rel. diff {difference:.1e} over {len(REPORTED_INDICATORS)} values"
            rows.append(Row(case, name, tool, results[path], agreement=agreement))
        floor = measure(task("read_floor", **base), args.repeats, label=f"case {case} read floor")
        rows.append(Row(case, "  read-only floor (strips + bincount)", "rasterio", floor))
        for path, result in results.items():
            if not result.error and not floor.error:
                notes.append(
                    f"case {case}: {path} runs at {result.cells_per_second / 1e6:.1f} Mcells/s wall, "
                    f"{result.cells_per_cpu_second / 1e6:.1f} Mcells per CPU second; the read-only floor "
                    f"at {floor.cells_per_second / 1e6:.1f} Mcells/s wall, "
                    f"{floor.cells_per_cpu_second / 1e6:.1f} per CPU second: reading is "
                    f"{100 * floor.cpu_seconds / result.cpu_seconds:.0f} % of the CPU time; "
                    f"values {indicator_text(result.values)}"
                )

    if 1 in cases:
        if args.quick:
            boundary = {"box": list(SAOTOME_CITY_BOUNDS), "crs": "EPSG:4326"}
            name = "WorldCover N00E006, São Tomé city window"
        else:
            boundary = {"box": [6.0, 0.0, 9.0, 3.0], "crs": "EPSG:4326"}
            name = "WorldCover tile N00E006, whole, gap 100 m"
        indicator_rows("1", name, str(SAOTOME_TILE), boundary)

    chongqing = workdir / (
        "chongqing_worldcover_10m_utm48n_quick.tif" if args.quick else "chongqing_worldcover_10m_utm48n.tif"
    )
    crop_source_only = 2 not in cases and not args.quick and not _generated(chongqing)
    if crop_source_only:  # case 3 alone: only the part its crops are cut from (same grid and cells as the full one)
        chongqing = workdir / f"chongqing_worldcover_10m_utm48n_{CROP_SOURCE_CELLS}.tif"
    if cases & {2, 3} and not _generated(chongqing):
        extent = 1500 if args.quick else CROP_SOURCE_CELLS if crop_source_only else "full"
        generated = measure(
            task("generate_chongqing", extent=extent, output=str(chongqing)), 1, label="generate Chongqing 10 m"
        )
        rows.append(Row("2", "  generate Chongqing 10 m raster (once)", "rasterio warp", generated))
        if generated.error:
            cases -= {2, 3}
    if 2 in cases:
        indicator_rows(
            "2", "Chongqing 10 m (UTM 48N), city boundary", str(chongqing), {"path": str(CHONGQING_BOUNDARY)}
        )
        one_job = next((row for row in rows if row.case == "2" and row.tool == "cbindex blockwise"), None)
        if one_job is not None and not one_job.measurement.error:
            width = _window_width(str(chongqing), {"path": str(CHONGQING_BOUNDARY)})
            base = {
                "raster": str(chongqing),
                "boundary": {"path": str(CHONGQING_BOUNDARY)},
                "legend": legend,
                "block_rows": block_rows,
            }
            bands = measure_bands(
                base,
                n_bands=args.bands,
                parallel=os.cpu_count() or 1,
                width=width,
                workdir=workdir,
                task=task,
                label=f"case 2 in {args.bands} bands",
                repeats=args.repeats,
            )
            same = not bands.error and all(
                bands.values[name] == one_job.measurement.values[name] for name in REPORTED_INDICATORS
            )
            notes.append(
                f"case 2 in bands: {args.bands} band jobs ({os.cpu_count()} at a time) then the merge, each a "
                "fresh process; the wall time is end to end, interpreter start-up and imports included, "
                "as on a cluster"
            )
            rows.append(
                Row(
                    "2",
                    f"  as {args.bands} band jobs, {os.cpu_count()} at a time, + merge",
                    "cbindex bands",
                    bands,
                    agreement="values identical to one job" if same else "values DIFFER from one job",
                )
            )

    if 3 in cases:
        ours = measure(task("augusta_ours"), args.repeats, label="augusta cbindex")
        peer = measure(task("augusta_pylandstats"), args.repeats, label="augusta pylandstats")
        rows += peer_rows("3a", "Augusta NLCD: MESH of every class", ours, peer, "pylandstats", key="mesh")
        size = 1000 if args.quick else 4000
        crop, crop_boundary = (
            workdir / f"chongqing_crop_{size}{'_quick' if args.quick else ''}.tif",
            workdir / f"chongqing_crop_{size}{'_quick' if args.quick else ''}_boundary.geojson",
        )
        made = measure(
            task("make_crop", raster=str(chongqing), size=size, crop=str(crop), boundary=str(crop_boundary)),
            1,
            label="crop",
        )
        if made.error:
            rows.append(Row("3", "  crop of case 2", "rasterio", made))
        else:
            notes.append(
                f"case 3b-d: {size} x {size} crop of case 2; {100 * made.values['boundary_share']:.1f} % "
                "of it lies inside the boundary"
            )
            base = {"crop": str(crop), "boundary": str(crop_boundary), "size": size}
            ours = measure(task("crop_mesh_ours", **base), args.repeats, label="crop MESH cbindex")
            patches_3b = ours.patches
            peer = measure(task("crop_mesh_pylandstats", **base), args.repeats, label="crop MESH pylandstats")
            rows += peer_rows(
                "3b", f"crop {size}x{size}: MESH natural, whole array", ours, peer, "pylandstats", key="mesh"
            )
            ours = measure(task("crop_areas_ours", rule="centre", **base), args.repeats, label="crop areas cbindex")
            peer = measure(task("crop_areas_rasterstats", **base), args.repeats, label="crop areas rasterstats")
            rows += peer_rows(
                "3c", f"crop {size}x{size}: cells/class, centre rule", ours, peer, "rasterstats", key="counts"
            )
            ours = measure(task("crop_areas_ours", rule="exact", **base), args.repeats, label="crop exact cbindex")
            peer = measure(task("crop_areas_exactextract", **base), args.repeats, label="crop exact exactextract")
            rows += peer_rows(
                "3d", f"crop {size}x{size}: coverage/class, exact rule", ours, peer, "exactextract", key="counts"
            )
        tile_crop = workdir / f"saotome_crop_{size}.tif"
        made = measure(task("make_tile_crop", size=size, crop=str(tile_crop)), 1, label="tile crop")
        if made.error:
            rows.append(Row("3e", "  crop of the case 1 tile", "rasterio", made))
        else:
            base = {"crop": str(tile_crop), "size": size, "cell_m": 10.0}
            ours = measure(task("crop_mesh_ours", **base), args.repeats, label="tile crop MESH cbindex")
            peer = measure(task("crop_mesh_pylandstats", **base), args.repeats, label="tile crop MESH pylandstats")
            rows += peer_rows("3e", f"tile crop {size}x{size}: MESH natural", ours, peer, "pylandstats", key="mesh")
            notes.append(
                f"case 3e: {size} x {size} crop of the real 10 m tile around São Tomé island, "
                f"{100 * made.values['land_share']:.0f} % land; {ours.patches:,} natural patches "
                f"(case 3b: {patches_3b:,})"
            )

    print()
    print(HEADER)
    print("-" * len(HEADER))
    for row in rows:
        print(row.format())
    print()
    print(
        "peer/ours = peer's median wall time / ours (> 1: cbindex is faster). Wall and CPU time (all threads) "
        "exclude interpreter start-up and imports; Mcells/s = cells / wall s; peak MiB is the whole process's "
        "maximum resident set (imports included). CPU s close to wall s means the run was not starved by "
        "other processes."
    )
    for note in notes:
        print(note)
    print(targets_text(rows, quick=args.quick))
    print(f"load average at the end {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other processes skew times)")
    return 0 if all(not row.measurement.error for row in rows) else 1


def _window_width(raster: str, boundary: dict) -> int:
    from cbindex.geo.city_grid import open_city_window

    return int(open_city_window(raster, _boundary(boundary)).shape[1])


def targets_text(rows: list[Row], *, quick: bool) -> str:
    lines = ["targets (issue 3)" + (" - quick mode: small crops, indicative only" if quick else "") + ":"]
    for row in rows:
        m = row.measurement
        if row.case in ("1", "2") and row.tool in ("cbindex blockwise", "cbindex whole array") and not m.error:
            lines.append(
                f"  case {row.case} {row.tool}: peak {m.peak_mib:.0f} MiB "
                f"({'PASS' if m.peak_mib < TARGET_PEAK_MIB else 'FAIL'} < {TARGET_PEAK_MIB} MiB), "
                f"{m.cells_per_second / 1e6:.1f} Mcells/s wall "
                f"({'PASS' if m.cells_per_second >= TARGET_CELLS_PER_S else 'FAIL'} >= "
                f"{TARGET_CELLS_PER_S / 1e6:.0f}; {m.cells_per_cpu_second / 1e6:.1f} per CPU second of both "
                "threads: the next strip is read while one is computed)"
            )
        if row.case in ("3a", "3b", "3e") and row.tool == "pylandstats" and not m.error:
            equal = row.agreement.startswith("max rel. diff") and float(row.agreement.split()[3]) < 1e-9
            lines.append(
                f"  case {row.case} MESH vs pylandstats: cbindex speed-up {row.peer_ratio:.1f}x "
                f"({'PASS' if row.peer_ratio >= TARGET_MESH_SPEEDUP else 'FAIL'} >= "
                f"{TARGET_MESH_SPEEDUP:.0f}x), values {'equal' if equal else 'DIFFER'} ({row.agreement})"
            )
    return "\n".join(lines)


def _generated(path: Path) -> bool:
    if not path.exists():
        return False
    import rasterio

    with rasterio.open(path) as dataset:
        return dataset.tags().get("GENERATOR") == f"benchmark_landcover.py v{GENERATOR_VERSION}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default="1,2,3", help="comma-separated subset of 1,2,3 (default: all)")
    parser.add_argument(
        "--bands",
        type=int,
        default=4,
        help="case 2 is also run as this many band jobs (cores at a time) and a merge (default 4)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, medians quoted (default 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: São Tomé city window for case 1, a 1500 x 1500 Chongqing raster for case 2, "
        "1000 x 1000 crops for case 3",
    )
    parser.add_argument(
        "--workdir",
        default=str(DEFAULT_WORKDIR),
        help="where the generated rasters go (default results/benchmarks, not in git)",
    )
    parser.add_argument(
        "--block-rows",
        type=int,
        default=None,
        help="rows per strip for the blockwise path and the read floor (default: the library's)",
    )
    parser.add_argument(
        "--path",
        choices=["blockwise", "whole", "both"],
        default="blockwise",
        help="land-cover computation for cases 1-2 (both: also checks they agree)",
    )
    parser.add_argument(
        "--memory-limit-gib",
        type=float,
        default=12.0,
        help="address-space limit of each worker process, a guard on a shared machine (0: none)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        run_worker(json.loads(args.worker))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
