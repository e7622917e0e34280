"""Benchmark of the land-use polygon path (rule ``rasterize_landcover_vector``): a survey layer of a million polygons.

Run from the repository root (not a test)::

    .venv/bin/python benchmarks/benchmark_landuse.py                      # 1,000,000 polygons, 3 repeats, medians
    .venv/bin/python benchmarks/benchmark_landuse.py --polygons 250000 --repeat 5
    .venv/bin/python benchmarks/benchmark_landuse.py --quick              # 20,000 polygons, one run: a smoke run

The layer is synthetic but shaped like a Third National Land Survey (三调) layer: a tessellation of irregular
octagons (a jittered lattice whose shared edges carry a jittered midpoint, so neighbours meet exactly and nothing
overlaps), ``--spacing-m`` apart (default 50 m, mean polygon 0.25 ha; 1,000,000 polygons cover 50 km x 50 km, a
city's size), in CGCS2000 / 3-degree Gauss-Krüger CM 105E (EPSG:4544, Chengdu's zone), the GB/T 21010 code as text
in field ``DLBM`` (``'0101'``, ``'0301'``, ...; classes in patches of about 20 x 20 polygons, so natural land comes in
blocks as in a city), written once to a GeoPackage (with its R-tree) under ``--workdir`` and reused. The boundary
is a wobbly disc of 2,000 vertices in WGS84 (GeoJSON) inside the square, so the layer is read with a bounding box,
about 80 % of the polygons are read and a few thousand of them cross the boundary.

Every measurement runs in a fresh Python process (``--worker``): ours is the stage function
:func:`cbindex.landcover.stage.rasterize_landcover_vector` itself at ``landuse_cell_size_m`` ``--cell-size``
(default 5 m) and the default ``block_rows``, with its three phases timed (read + map codes + repair + overlaps;
rasterize; exact class areas) by wrapping the functions the stage calls; the peak resident memory is the child's
``ru_maxrss`` from ``os.wait4`` (whole run) and ``getrusage`` at the end of each phase (the peak so far); the
``python + imports`` row is the process before any work. The peer is GDAL's own ``gdal_rasterize`` (Debian's
gdal-bin; without it ``rasterio.features.rasterize`` of the whole array in one call) on the same layer and the
same grid (read from our GeoTIFF), cell-centre rule, ``-a DLBM`` (GDAL reads ``'0101'`` as 101, so the synthetic
layer has digit codes only); the two rasters are then compared cell for cell, strip by strip. The peer does less
than ours (no code mapping, no overlap removal, no exact areas), so two ratios are printed: peer ÷ our whole stage
and peer ÷ our read + rasterize phases. Medians over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LEGEND = REPO / "config" / "legends" / "gbt21010_2017.yaml"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "cbindex_bench" / "landuse"
LAYER_CRS = "EPSG:4544"  # CGCS2000 / 3-degree Gauss-Kruger CM 105E
ORIGIN = (380_000.0, 3_370_000.0)  # south-west corner (m): about 103.8 E, 30.4 N, near Chengdu
GENERATOR_VERSION = "2"
CODE_WEIGHTS = {  # digit codes only (gdal_rasterize -a reads them as numbers); roughly a peri-urban survey
    "0101": 18,
    "0103": 8,
    "0201": 5,
    "0301": 12,
    "0305": 3,
    "0307": 3,
    "0404": 5,
    "0701": 12,
    "0702": 8,
    "0601": 4,
    "0810": 3,
    "1003": 4,
    "1101": 4,
    "1104": 5,
    "1202": 2,
    "1206": 4,
}
CLASS_NAMES_ZH = {
    "0101": "水田",
    "0103": "旱地",
    "0201": "果园",
    "0301": "乔木林地",
    "0305": "灌木林地",
    "0307": "其他林地",
    "0404": "其他草地",
    "0701": "城镇住宅用地",
    "0702": "农村宅基地",
    "0601": "工业用地",
    "0810": "公园与绿地",
    "1003": "公路用地",
    "1101": "河流水面",
    "1104": "坑塘水面",
    "1202": "设施农用地",
    "1206": "裸土地",
}
PATCH_POLYGONS = 20  # classes come in blocks of about this many polygons a side
TARGET_PEAK_MIB = 2048  # issue 14: a million polygons within the 2 GiB budget


# =============================================================================================================
# The synthetic layer
# =============================================================================================================


def generate_layer(n_polygons: int, *, spacing_m: float, seed: int, workdir: Path) -> tuple[Path, Path]:
    """Write (once) the survey layer of about ``n_polygons`` polygons and its boundary; return both paths."""
    import geopandas as gpd
    import shapely

    columns = math.ceil(math.sqrt(n_polygons))
    rows = math.ceil(n_polygons / columns)
    stem = f"landuse_{columns}x{rows}_{spacing_m:g}m_seed{seed}_v{GENERATOR_VERSION}"
    layer, boundary = workdir / f"{stem}.gpkg", workdir / f"{stem}_boundary.geojson"
    if layer.exists() and boundary.exists():
        return layer, boundary
    workdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    # lattice corners, jittered
    cx = x0 + spacing_m * (np.arange(columns + 1)[None, :] + rng.uniform(-0.3, 0.3, (rows + 1, columns + 1)))
    cy = y0 + spacing_m * (np.arange(rows + 1)[:, None] + rng.uniform(-0.3, 0.3, (rows + 1, columns + 1)))
    # a jittered midpoint on every shared edge (horizontal edges: rows + 1 x columns; vertical: rows x columns + 1)
    hx = (cx[:, :-1] + cx[:, 1:]) / 2 + spacing_m * rng.uniform(-0.1, 0.1, (rows + 1, columns))
    hy = (cy[:, :-1] + cy[:, 1:]) / 2 + spacing_m * rng.uniform(-0.12, 0.12, (rows + 1, columns))
    vx = (cx[:-1, :] + cx[1:, :]) / 2 + spacing_m * rng.uniform(-0.12, 0.12, (rows, columns + 1))
    vy = (cy[:-1, :] + cy[1:, :]) / 2 + spacing_m * rng.uniform(-0.1, 0.1, (rows, columns + 1))
    ring_x = [cx[:-1, :-1], hx[:-1, :], cx[:-1, 1:], vx[:, 1:], cx[1:, 1:], hx[1:, :], cx[1:, :-1], vx[:, :-1]]
    ring_y = [cy[:-1, :-1], hy[:-1, :], cy[:-1, 1:], vy[:, 1:], cy[1:, 1:], hy[1:, :], cy[1:, :-1], vy[:, :-1]]
    ring_x.append(ring_x[0])
    ring_y.append(ring_y[0])
    coords = np.stack([np.stack(ring_x, axis=-1), np.stack(ring_y, axis=-1)], axis=-1).reshape(-1, 9, 2)
    coords = coords[:n_polygons]
    geometries = shapely.polygons(coords)
    # codes: one class per patch of PATCH_POLYGONS x PATCH_POLYGONS polygons, 15 % of polygons another class
    names = np.array(list(CODE_WEIGHTS))
    weights = np.array(list(CODE_WEIGHTS.values()), dtype=float)
    patches = rng.choice(
        len(names), p=weights / weights.sum(), size=(rows // PATCH_POLYGONS + 1, columns // PATCH_POLYGONS + 1)
    )
    row_index, column_index = np.divmod(np.arange(len(coords)), columns)
    chosen = patches[row_index // PATCH_POLYGONS, column_index // PATCH_POLYGONS]
    other = rng.random(len(coords)) < 0.15
    chosen[other] = rng.choice(len(names), p=weights / weights.sum(), size=int(other.sum()))
    n = len(coords)
    # the other fields of a survey DLTB layer (a real one has about 30), so that reading them costs what it does
    attributes = {
        "BSM": np.char.add("5101002020", np.char.zfill(np.arange(1, n + 1).astype(str), 10)),
        "YSDM": "2001010100",
        "TBYBH": np.arange(1, n + 1).astype(str),
        "TBBH": np.arange(1, n + 1).astype(str),
        "DLBM": names[chosen],
        "DLMC": np.array([CLASS_NAMES_ZH[name] for name in names])[chosen],
        "QSXZ": "30",
        "QSDWDM": np.char.add("510100", np.char.zfill((row_index // 100).astype(str), 13)),
        "QSDWMC": "成都市某某街道某某社区居民委员会",
        "ZLDWDM": np.char.add("510100", np.char.zfill((row_index // 100).astype(str), 13)),
        "ZLDWMC": "成都市某某街道某某社区居民委员会",
        "TBMJ": shapely.area(geometries),
        "KCDLBM": "",
        "KCXS": 0.0,
        "GDLX": "",
        "SJNF": 2020,
        "BZ": "",
    }
    frame = gpd.GeoDataFrame(attributes, geometry=geometries, crs=LAYER_CRS)
    temporary = layer.with_suffix(".tmp.gpkg")
    frame.to_file(temporary, layer="DLTB", driver="GPKG", engine="pyogrio")
    temporary.replace(layer)
    # the boundary: a wobbly disc inside the square, 2,000 vertices, in WGS84 (as a city boundary usually comes)
    width, height = columns * spacing_m, rows * spacing_m
    angle = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    radius = 0.45 * min(width, height) * (1 + 0.06 * np.sin(7 * angle) + 0.03 * np.sin(23 * angle + 1.0))
    disc = shapely.Polygon(np.c_[x0 + width / 2 + radius * np.cos(angle), y0 + height / 2 + radius * np.sin(angle)])
    gpd.GeoDataFrame({"name": ["synthetic city"]}, geometry=[disc], crs=LAYER_CRS).to_crs(4326).to_file(
        boundary, driver="GeoJSON", engine="pyogrio"
    )
    return layer, boundary


# =============================================================================================================
# Workers: each runs in its own process and prints one JSON line
# =============================================================================================================


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_imports(task: dict) -> dict:
    import cbindex.landcover.stage  # noqa: F401

    return {"seconds": 0.0}


def worker_ours(task: dict) -> dict:
    """The stage function, its three phases timed (wall, CPU and the peak memory so far at each phase's end)."""
    import cbindex.landcover.stage as stage
    from cbindex.geo.boundary import BoundarySpec
    from cbindex.landcover.landuse_polygons import LandUseSpec

    phases: dict[str, dict] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            result = function(*args, **kwargs)
            phases[name] = {
                "seconds": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "peak_mib": _peak_mib(),
            }
            if name == "read":
                phases[name]["polygons"] = result.n_features
            if name == "rasterize":
                phases[name]["covered"] = result
            return result

        return wrapper

    stage.read_landuse_polygons = timed("read", stage.read_landuse_polygons)
    stage.rasterize_landuse = timed("rasterize", stage.rasterize_landuse)
    stage.exact_class_areas = timed("areas", stage.exact_class_areas)
    out = Path(task["out"])
    wall, cpu = time.perf_counter(), time.process_time()
    stage.rasterize_landcover_vector(
        city="synthetic",
        year=2020,
        landuse=LandUseSpec(task["layer"], "DLBM", layer="DLTB"),
        boundary=BoundarySpec(task["boundary"]),
        legend_path=str(LEGEND),
        cell_size_m=task["cell_size_m"],
        raster_tif=str(out),
        class_areas_csv=str(out.with_suffix(".areas.csv")),
        check_csv=str(out.with_suffix(".check.csv")),
    )
    import rasterio

    with rasterio.open(out) as raster:
        cells = raster.width * raster.height
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "phases": phases,
        "cells": cells,
    }


def worker_rasterio_peer(task: dict) -> dict:
    """The fallback peer: rasterio.features.rasterize of every polygon on the whole array in one call."""
    import geopandas as gpd
    import rasterio
    import rasterio.features

    wall, cpu = time.perf_counter(), time.process_time()
    frame = gpd.read_file(task["layer"], layer="DLTB", columns=["DLBM"], engine="pyogrio")
    codes = frame["DLBM"].astype(int).to_numpy()
    grid = task["grid"]
    array = rasterio.features.rasterize(
        zip(frame.geometry.values, codes.tolist(), strict=True),
        out_shape=(grid["height"], grid["width"]),
        transform=rasterio.Affine(*grid["transform"][:6]),
        fill=0,
        dtype="uint16",
    )
    profile = {"driver": "GTiff", "height": grid["height"], "width": grid["width"], "count": 1, "dtype": "uint16"}
    with rasterio.open(
        task["out"],
        "w",
        **profile,
        crs=grid["crs"],
        transform=rasterio.Affine(*grid["transform"][:6]),
        nodata=0,
        tiled=True,
        compress="deflate",
        BIGTIFF="IF_SAFER",
    ) as target:
        target.write(array, 1)
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


WORKERS = {"imports": worker_imports, "ours": worker_ours, "rasterio_peer": worker_rasterio_peer}


def run_worker(task: dict) -> dict:
    """Run one task in a fresh process; add its peak resident memory (MiB) from os.wait4."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--worker", json.dumps(task)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"worker {task['kind']} failed (status {status}); output: {output[-2000:]}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mib"] = usage.ru_maxrss / 1024
    return result


def run_gdal_rasterize(layer: Path, grid: dict, out: Path) -> dict:
    """GDAL's gdal_rasterize on the same grid (cell-centre rule, as ours), timed as a child process."""
    left, top = grid["transform"][2], grid["transform"][5]
    cell = grid["transform"][0]
    right, bottom = left + cell * grid["width"], top - cell * grid["height"]
    command = [
        "gdal_rasterize", "-q", "-l", "DLTB", "-a", "DLBM", "-ot", "UInt16", "-init", "0", "-a_nodata", "0",
        "-te", repr(left), repr(bottom), repr(right), repr(top), "-ts", str(grid["width"]), str(grid["height"]),
        "-co", "TILED=YES", "-co", "COMPRESS=DEFLATE", "-co", "BIGTIFF=IF_SAFER",
        str(layer), str(out),
    ]  # fmt: skip
    out.unlink(missing_ok=True)
    wall = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"gdal_rasterize failed (status {status}): {' '.join(command)}")
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
    }


def compare_rasters(ours: Path, peer: Path, *, rows_per_strip: int = 1024) -> dict:
    """Cells that differ between the two rasters (read strip by strip), and the cells compared."""
    import rasterio
    import rasterio.windows

    differ = covered = 0
    with rasterio.open(ours) as a, rasterio.open(peer) as b:
        if (a.width, a.height) != (b.width, b.height) or not a.transform.almost_equals(b.transform):
            raise SystemExit(f"grids differ: {a.shape} {a.transform} vs {b.shape} {b.transform}")
        for row in range(0, a.height, rows_per_strip):
            window = rasterio.windows.Window(0, row, a.width, min(rows_per_strip, a.height - row))
            x, y = a.read(1, window=window), b.read(1, window=window)
            differ += int(np.count_nonzero(x != y))
            covered += int(np.count_nonzero(x != 0))
        cells = a.width * a.height
    return {"cells": cells, "covered": covered, "differ": differ}


# =============================================================================================================
# Main
# =============================================================================================================


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polygons", type=int, default=1_000_000, help="polygons in the layer (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="20,000 polygons, one run (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; medians are quoted")
    parser.add_argument("--cell-size", type=float, default=5.0, help="landuse_cell_size_m (default 5)")
    parser.add_argument("--spacing-m", type=float, default=50.0, help="mean polygon spacing (default 50 m)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help=f"cache (default {DEFAULT_WORKDIR})")
    parser.add_argument("--peer", choices=["auto", "gdal", "rasterio", "none"], default="auto")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        task = json.loads(args.worker)
        print(json.dumps(WORKERS[task["kind"]](task)))
        return
    if args.quick:
        args.polygons, args.repeat = 20_000, 1
    peer = args.peer
    if peer == "auto":
        peer = "gdal" if shutil.which("gdal_rasterize") else "rasterio"

    started = time.perf_counter()
    layer, boundary = generate_layer(args.polygons, spacing_m=args.spacing_m, seed=args.seed, workdir=args.workdir)
    print(
        f"benchmark_landuse: {args.polygons:,} polygons ({layer.name}, {layer.stat().st_size / 2**20:.0f} MiB, "
        f"ready in {time.perf_counter() - started:.1f} s), cells of {args.cell_size:g} m, {args.repeat} run(s), "
        f"medians; peer {peer}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}",
        flush=True,
    )
    runs_dir = args.workdir / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    ours_tif = runs_dir / "ours.tif"
    task = {
        "kind": "ours",
        "layer": str(layer),
        "boundary": str(boundary),
        "cell_size_m": args.cell_size,
        "out": str(ours_tif),
    }
    imports = [run_worker({"kind": "imports"}) for _ in range(args.repeat)]
    ours = []
    for index in range(args.repeat):
        ours.append(run_worker(task))
        print(
            f"  ours run {index + 1}/{args.repeat}: {ours[-1]['seconds']:.1f} s, peak {ours[-1]['peak_mib']:.0f} MiB, "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    import rasterio

    with rasterio.open(ours_tif) as raster:
        grid = {
            "transform": list(raster.transform),
            "width": raster.width,
            "height": raster.height,
            "crs": raster.crs.to_wkt(),
        }
    peers, agreement = [], None
    if peer != "none":
        peer_tif = runs_dir / "peer.tif"
        for index in range(args.repeat):
            if peer == "gdal":
                peers.append(run_gdal_rasterize(layer, grid, peer_tif))
            else:
                peers.append(
                    run_worker({"kind": "rasterio_peer", "layer": str(layer), "grid": grid, "out": str(peer_tif)})
                )
            print(f"  peer run {index + 1}/{args.repeat}: {peers[-1]['seconds']:.1f} s", flush=True)
        agreement = compare_rasters(ours_tif, peer_tif)

    read_polygons = ours[0]["phases"]["read"]["polygons"]
    cells = ours[0]["cells"]
    header = f"{'task':<52} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9} {'polygons/s':>11} {'Mcells/s':>9}"
    print()
    print(header)
    print("-" * len(header))

    def line(name, wall, cpu, peak, polygons=None, n_cells=None):
        rate = f"{polygons / wall:>11,.0f}" if polygons and wall else f"{'-':>11}"
        mcells = f"{n_cells / wall / 1e6:>9.1f}" if n_cells and wall else f"{'-':>9}"
        cpu_text = f"{cpu:>8.1f}" if cpu is not None else f"{'-':>8}"
        print(f"{name:<52} {wall:>8.2f} {cpu_text} {peak:>9.0f} {rate} {mcells}")

    line("python + imports", 0.0, None, median([r["peak_mib"] for r in imports]))
    for key, name, with_cells in [
        ("read", "1 read + map codes + repair + overlaps", False),
        ("rasterize", "2 rasterize (strips, STRtree)", True),
        ("areas", "3 exact class areas (clip, equal-area)", False),
    ]:
        phase = [r["phases"][key] for r in ours]
        line(
            f"  {name}",
            median([p["seconds"] for p in phase]),
            median([p["cpu"] for p in phase]),
            median([p["peak_mib"] for p in phase]),
            read_polygons,
            cells if with_cells else None,
        )
    our_wall = median([r["seconds"] for r in ours])
    our_peak = median([r["peak_mib"] for r in ours])
    line(
        "ours: rasterize_landcover_vector, whole stage",
        our_wall,
        median([r["cpu"] for r in ours]),
        our_peak,
        read_polygons,
        cells,
    )
    if peers:
        peer_wall = median([p["seconds"] for p in peers])
        name = "gdal_rasterize (whole layer)" if peer == "gdal" else "rasterio.features.rasterize (whole array)"
        line(
            f"peer: {name}",
            peer_wall,
            median([p["cpu"] for p in peers]),
            median([p["peak_mib"] for p in peers]),
            args.polygons,
            cells,
        )
        read_raster = median([r["phases"]["read"]["seconds"] + r["phases"]["rasterize"]["seconds"] for r in ours])
        print()
        print(
            f"peer/ours wall: {peer_wall / our_wall:.2f}x against the whole stage, {peer_wall / read_raster:.2f}x "
            "against ours' read + rasterize phases (above 1: ours is faster)"
        )
        peer_cpu = median([p["cpu"] for p in peers])
        read_raster_cpu = median([r["phases"]["read"]["cpu"] + r["phases"]["rasterize"]["cpu"] for r in ours])
        print(
            f"peer/ours CPU: {peer_cpu / median([r['cpu'] for r in ours]):.2f}x against the whole stage, "
            f"{peer_cpu / read_raster_cpu:.2f}x against ours' read + rasterize phases (CPU time barely moves with "
            "the machine's load, wall time does)"
        )
        print(
            f"agreement: {agreement['differ']:,} of {agreement['cells']:,} cells differ "
            f"({agreement['covered']:,} covered by a polygon in ours)"
        )
    print(
        f"grid {grid['width']:,} x {grid['height']:,} cells of {args.cell_size:g} m; {read_polygons:,} of "
        f"{args.polygons:,} polygons read (bounding box of the boundary); covered cells "
        f"{ours[0]['phases']['rasterize']['covered']:,}"
    )
    verdict = "met" if our_peak <= TARGET_PEAK_MIB else "NOT met"
    print(f"target: peak memory {our_peak:.0f} MiB <= {TARGET_PEAK_MIB} MiB: {verdict}")
    print(
        "wall and CPU s: inside the child process, from the stage call (phases: the wrapped library calls); peak MiB: "
        "ru_maxrss of the child (phases: the peak so far at the phase's end); polygons/s: polygons read / wall; "
        "Mcells/s: grid cells / wall."
    )


if __name__ == "__main__":
    main()
