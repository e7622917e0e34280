"""Benchmark of the whole workflow: wall time and peak memory of every Snakemake job, end to end.

Run from the repository root (not a test)::

    .venv/bin/python benchmarks/benchmark_workflow.py                    # cases a and b, 3 repeats, medians
    .venv/bin/python benchmarks/benchmark_workflow.py --cases a --repeats 5
    .venv/bin/python benchmarks/benchmark_workflow.py --cases b --keep /tmp/run_b   # keep the last run's copy

Cases
-----
a. The sample cities of ``config/cities.csv`` (Chengdu, Freetown 2016-2020), as ``make run`` computes them.
b. One city made of the whole ESA WorldCover 10 m tile N00E006 (São Tomé, 36000 x 36000 cells, 1.3 billion
   cells, EPSG:4326): boundary = the tile's extent (a GeoJSON written by this script), legend
   ``esa_worldcover_v100``, rule set si-2014. It reads the tile from ``../shared/data`` (or
   ``$CBINDEX_SHARED_DATA``) and is skipped with a message when the tile is absent.

   With ``--scenario`` the tile city also gets overlays, a population and one what-if scenario (issue 13: the
   scenario is applied strip by strip and every job stays within 2 GiB on the tile), all written by this script
   next to the boundary (polygons in EPSG:4326, densified to vertices every 0.001°, about 110 m): the base year
   has protected areas (an ellipse of about 220 km² standing for the Obô Natural Park), parks (one of about 90 ha
   in São Tomé city) and 220,000 persons; scenario ``greener_north`` (base year 2020) turns grassland and cropland
   (WorldCover 30, 40) into tree cover (10) inside an ellipse of about 640 km² over the north of São Tomé island
   (land and sea), adds a reserve of about 60 km² to the protected areas and a park of about 200 ha to the parks,
   and sets the population to 250,000. Then the base overlay job and the four scenario jobs (apply_scenario,
   compute_scenario_landcover_indicators, compute_scenario_overlay_indicators, compare_scenario) run and are
   measured, and the scenario's outputs are summarised after the table (cells changed and their throughput,
   overlay changes, the comparison's changes).

Each repeat runs ``snakemake --cores 2`` in a fresh temporary copy of the workflow (``Snakefile``,
``workflow/``, ``scripts/``, ``config/``, ``data/``), so every job runs; the package is the installed one
(compiled kernels cached). Per job it prints the wall time (``s``) and peak resident memory (``max_rss``) of
Snakemake's benchmark file (``results/{city}/benchmarks/*.tsv``), and, from the job process itself (polled
every 0.1 s and attributed to the job by the log file it holds open), ``CPU s`` (user + system time) and
``peak MiB`` (its high-water mark, ``VmHWM`` of ``/proc/<pid>/status``). Snakemake samples the resident set
only every 0.5 s for a job's first 15 s and every 30 s after, so its ``max_rss`` can miss a short peak; the
high-water mark cannot (up to the last poll). Then the sum of the jobs' wall times, the end-to-end wall time of
the Snakemake command (start-up and DAG included) and the load average after each run: on a machine shared
with other work, wall times grow with the load while CPU times barely move. With several repeats every number
is the median over the repeats. Last, per land-cover job, the candidate links of I2 it wrote and the seconds
finding and describing them took (from its log), whose memory is part of the job's peak.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CBINDEX_SHARED_DATA", REPO.parent / "shared" / "data"))
SAOTOME_TILE = SHARED_DATA / "saotome_worldcover_10m" / "ESA_WorldCover_10m_2020_v100_N00E006_Map.tif"
WORKFLOW_PARTS = ("Snakefile", "workflow", "scripts", "config", "data")
TILE_CITY = "saotome_tile"
TILE_SCENARIO = "greener_north"
TILE_CELLS = 36_000 * 36_000
"""Cells of the tile's window (the boundary is the tile's extent): apply_scenario reads and writes every one."""
DENSIFY_DEGREES = 0.001
"""Longest edge of the scenario's polygons (degrees, about 110 m at the equator): a densified outline."""
TILE_POPULATION = 220_000
SCENARIO_POPULATION = 250_000
TILE_POLYGONS = {  # file stem: (centre longitude °E, centre latitude °N, semi-axis east-west °, north-south °)
    "obo_park": (6.60, 0.20, 0.07, 0.08),  # base protected areas
    "city_park": (6.725, 0.335, 0.005, 0.005),  # base parks
    "greener_north": (6.63, 0.30, 0.15, 0.11),  # scenario: grassland and cropland to tree cover
    "new_reserve": (6.55, 0.33, 0.04, 0.04),  # scenario: added to the protected areas
    "new_park": (6.70, 0.31, 0.008, 0.008),  # scenario: added to the parks
}
POLL_SECONDS = 0.1
LOG_PATTERN = re.compile(r"results/([^/]+)/logs/([^/]+)\.log$")
LINKS_PATTERN = re.compile(r"and (\d+) candidate links \(found in ([\d.]+) s\)")
"""The land-cover job's log line on I2's candidate links (cbindex.landcover.stage.write_groups)."""
TARGETS = {  # issue: the whole workflow as fast and lean as its kernels
    "b_peak_mib": 2048,
    "a_wall_s": 40.0,
    "a_job_s": 5.0,
}


@dataclass
class Run:
    """One Snakemake run: per job (city, job) its wall s, Snakemake max_rss MiB and sampled high-water MiB."""

    case: str
    wall_s: float
    load: float = 0.0
    jobs: dict[tuple[str, str], dict[str, float | None]] = field(default_factory=dict)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)
    links: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    """Per land-cover job: the candidate links it wrote and the seconds finding and describing them took."""
    scenario: list[str] = field(default_factory=list)
    """With ``--scenario``: the scenario's outputs in words (changes, overlay changes, comparison rows)."""


# --- preparing a case -------------------------------------------------------------------------------------


def copy_workflow(destination: Path) -> Path:
    """Copy what a run needs (not results/ or .snakemake/) into ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)
    return destination


def write_polygon_file(path: Path, *, name: str, crs: str, ring: list[list[float]]) -> None:
    """Write one polygon (a closed ring of x, y) as a GeoJSON FeatureCollection in ``crs``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": crs}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": name},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )


def ellipse_ring(centre_x: float, centre_y: float, semi_x: float, semi_y: float) -> list[list[float]]:
    """A closed ellipse ring in degrees, its edges densified to at most :data:`DENSIFY_DEGREES`."""
    import shapely
    import shapely.affinity

    circle = shapely.Point(0.0, 0.0).buffer(1.0, quad_segs=32)
    ellipse = shapely.affinity.scale(circle, xfact=semi_x, yfact=semi_y, origin=(0.0, 0.0))
    ellipse = shapely.segmentize(shapely.affinity.translate(ellipse, centre_x, centre_y), DENSIFY_DEGREES)
    return [[round(x, 7), round(y, 7)] for x, y in ellipse.exterior.coords]


def prepare_tile_city(workdir: Path, *, scenario: bool = False) -> None:
    """Replace the city sheet with one city: the whole São Tomé tile, boundary = the tile's extent; with
    ``scenario``, also its overlays, population and scenario (module docstring, case b)."""
    import rasterio

    with rasterio.open(SAOTOME_TILE) as tile:
        left, bottom, right, top = tile.bounds
        crs = tile.crs.to_string()
    folder = workdir / "data" / "saotome_tile"
    boundary = folder / "tile_extent.geojson"
    ring = [[left, bottom], [right, bottom], [right, top], [left, top], [left, bottom]]
    write_polygon_file(boundary, name="WorldCover tile N00E006", crs=crs, ring=ring)
    sheet = workdir / "config" / "cities.csv"
    with sheet.open(encoding="utf-8") as file:
        header = next(csv.reader(file))
    row = dict.fromkeys(header, "")
    row.update(
        city_id=TILE_CITY,
        name="São Tomé tile N00E006",
        name_zh="圣多美",
        boundary=str(boundary.relative_to(workdir)),
        landcover=str(SAOTOME_TILE),
        years="2020",
        legend="esa_worldcover_v100",
        scoring="si-2014",
    )
    if scenario:
        for stem, (x, y, semi_x, semi_y) in TILE_POLYGONS.items():
            write_polygon_file(
                folder / f"{stem}.geojson", name=stem, crs="EPSG:4326", ring=ellipse_ring(x, y, semi_x, semi_y)
            )
        scenarios = folder / "scenarios.yaml"
        scenarios.write_text(
            f"""scenarios:
  - name: {TILE_SCENARIO}
    title: Greener north of São Tomé
    title_zh: 圣多美岛北部增绿
    base_year: 2020
    changes:
      - landcover: data/saotome_tile/greener_north.geojson
        to: 10
        from: [30, 40]
      - overlay: protected_areas
        add: data/saotome_tile/new_reserve.geojson
      - overlay: parks
        add: data/saotome_tile/new_park.geojson
      - population: {SCENARIO_POPULATION}
""",
            encoding="utf-8",
        )
        row.update(
            protected_areas="data/saotome_tile/obo_park.geojson",
            parks="data/saotome_tile/city_park.geojson",
            population=str(TILE_POPULATION),
            scenarios=str(scenarios.relative_to(workdir)),
        )
    with sheet.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)


# --- running and measuring ----------------------------------------------------------------------------------


class HighWaterSampler(threading.Thread):
    """Poll the job processes under a Snakemake process: each job's largest VmHWM, keyed by its log file."""

    def __init__(self, root_pid: int, results: Path) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.results = results
        self.peaks: dict[tuple[str, str], float] = {}
        self.cpu: dict[tuple[str, str], dict[int, float]] = {}  # job -> process -> CPU seconds at the last poll
        self.records: dict[tuple[str, str], dict[str, str]] = {}  # benchmark files seen while running
        self._job_of_pid: dict[int, tuple[str, str] | None] = {}
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.root_pid)
        except psutil.NoSuchProcess:
            return
        while not self._halt.is_set():
            try:
                children = root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for child in children:
                self._sample(child)
            self._read_benchmarks()
            self._halt.wait(POLL_SECONDS)

    def _read_benchmarks(self) -> None:
        """Keep each benchmark file as soon as it is written (a failed run may remove its city's results)."""
        for tsv in self.results.glob("*/benchmarks/*.tsv"):
            job = (tsv.parent.parent.name, tsv.stem)
            if job not in self.records:
                record = read_benchmark(tsv)
                if record is not None:
                    self.records[job] = record

    def _sample(self, process) -> None:
        import psutil

        try:
            job = self._job_of_pid.get(process.pid)
            if job is None:
                for opened in process.open_files():
                    match = LOG_PATTERN.search(opened.path)
                    if match:
                        job = (match.group(1), match.group(2))
                        break
                if job is None:
                    return
                self._job_of_pid[process.pid] = job
            with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        mib = int(line.split()[1]) / 1024
                        self.peaks[job] = max(self.peaks.get(job, 0.0), mib)
                        break
            with open(f"/proc/{process.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
            self.cpu.setdefault(job, {})[process.pid] = seconds
        except (psutil.Error, OSError, ValueError):
            return


def run_case(case: str, *, keep: Path | None, cores: int, extra: list[str], scenario: bool = False) -> Run:
    """Run the workflow of one case in a fresh temporary copy and collect every job's measurements."""
    with tempfile.TemporaryDirectory(prefix=f"cbindex_workflow_{case}_") as temporary:
        workdir = copy_workflow(Path(temporary) / "run")
        if case == "b":
            prepare_tile_city(workdir, scenario=scenario)
        snakemake = Path(sys.executable).with_name("snakemake")
        log = workdir / "snakemake_output.txt"
        with log.open("w", encoding="utf-8") as output:
            start = time.perf_counter()
            process = subprocess.Popen(
                [str(snakemake), "--cores", str(cores), "--keep-going", *extra],
                cwd=workdir,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            sampler = HighWaterSampler(process.pid, workdir / "results")
            sampler.start()
            returncode = process.wait()
            wall = time.perf_counter() - start
            sampler.stop()
        run = Run(case=case, wall_s=wall, load=os.getloadavg()[0])
        if returncode != 0:
            run.failed = failed_jobs(log.read_text(encoding="utf-8", errors="replace"))
            if not run.failed:
                tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise SystemExit(f"case {case}: snakemake failed with status {returncode}:\n{tail}")
        records = dict(sampler.records)
        for tsv in sorted((workdir / "results").glob("*/benchmarks/*.tsv")):
            record = read_benchmark(tsv)
            if record is not None:
                records[(tsv.parent.parent.name, tsv.stem)] = record
        for job, record in sorted(records.items()):
            run.jobs[job] = {
                "s": _number(record.get("s")),
                "max_rss": _number(record.get("max_rss")),
                "hwm": sampler.peaks.get(job),
                "cpu": sum(sampler.cpu[job].values()) if job in sampler.cpu else None,
            }
        for job in run.failed:
            run.jobs[job] = {"s": None, "max_rss": None, "hwm": sampler.peaks.get(job), "cpu": None}
        run.links = read_link_counts(workdir / "results")
        if case == "b" and scenario:
            run.scenario = describe_scenario(workdir / "results" / TILE_CITY / "scenarios" / TILE_SCENARIO)
        if keep is not None:
            if keep.exists():
                shutil.rmtree(keep)
            shutil.copytree(workdir, keep, symlinks=True)
    return run


def read_link_counts(results: Path) -> dict[tuple[str, str], tuple[int, float]]:
    """Per land-cover job (city, log stem): the candidate links it wrote and the seconds they took, from its log."""
    counts = {}
    for log in sorted(results.glob("*/logs/*.log")):
        found = LINKS_PATTERN.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            counts[(log.parent.parent.name, log.stem)] = (int(found.group(1)), float(found.group(2)))
    return counts


def describe_scenario(folder: Path) -> list[str]:
    """The scenario's outputs in words: every row of changes.csv and overlay_changes.csv, and the comparison's
    indicator rows and supporting area and population rows (base, scenario, change)."""
    lines = []
    for table in ("changes.csv", "overlay_changes.csv"):
        path = folder / table
        if not path.exists():
            lines.append(f"{table}: absent")
            continue
        with path.open(encoding="utf-8-sig") as file:
            for row in csv.DictReader(file):
                lines.append(
                    f"{table} step {row['step']}: {row['change']}: {int(float(row['cells_changed'] or 0)):,} cells, "
                    f"{float(row['area_changed_ha'] or 'nan'):,.1f} ha{'; ' + row['note'] if row['note'] else ''}"
                )
    path = folder / "scenario_comparison.csv"
    if not path.exists():
        return [*lines, "scenario_comparison.csv: absent"]
    with path.open(encoding="utf-8-sig") as file:
        for row in csv.DictReader(file):
            lines.append(
                f"scenario_comparison.csv {row['indicator']} ({row['unit']}): base {_text(row['base_value'])}, "
                f"scenario {_text(row['scenario_value'])}, change {_text(row['change'])}, points "
                f"{row['base_points'] or '-'} -> {row['scenario_points'] or '-'}"
            )
    return lines


def _text(value: str) -> str:
    number = _number(value)
    return "-" if number is None else f"{number:,.4g}"


def read_benchmark(tsv: Path) -> dict[str, str] | None:
    """The first record of a Snakemake benchmark file (None while it is being written)."""
    try:
        with tsv.open(encoding="utf-8") as file:
            return next(csv.DictReader(file, delimiter="\t"))
    except (OSError, StopIteration):
        return None


def failed_jobs(output: str) -> dict[tuple[str, str], str]:
    """The jobs Snakemake reports as failed (keyed as the benchmark files are) and why, from its output."""
    failed = {}
    for block in output.split("Error in rule ")[1:]:
        log = re.search(r"log: (\S+\.log)", block)
        match = LOG_PATTERN.search(log.group(1)) if log else None
        if match:
            reason = re.search(r"died with <Signals\.(\w+)", output)
            failed[(match.group(1), match.group(2))] = reason.group(1) if reason else "error"
    return failed


def _number(text: str | None) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# --- reporting ---------------------------------------------------------------------------------------------


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def _format(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def summarise(case: str, runs: list[Run]) -> list[str]:
    """The table of one case: one row per job (medians over the runs), the sum and the end-to-end wall time."""
    jobs = sorted({job for run in runs for job in run.jobs})
    lines = [
        f"case {case}: {len(runs)} run(s), medians",
        f"{'city':<14} {'job':<44} {'wall s':>8} {'CPU s':>7} {'max_rss MiB':>12} {'peak MiB':>9}",
        "-" * 99,
    ]
    sums = []
    for run in runs:
        sums.append(sum(values["s"] or 0.0 for values in run.jobs.values()))
    for city, job in jobs:
        walls = [run.jobs.get((city, job), {}).get("s") for run in runs]
        rss = [run.jobs.get((city, job), {}).get("max_rss") for run in runs]
        hwm = [run.jobs.get((city, job), {}).get("hwm") for run in runs]
        cpu = [run.jobs.get((city, job), {}).get("cpu") for run in runs]
        failures = sorted({run.failed[(city, job)] for run in runs if (city, job) in run.failed})
        wall = f"FAILED ({', '.join(failures)})" if failures else _format(_median(walls), 2)
        lines.append(
            f"{city:<14} {job:<44} {wall:>8} {_format(_median(cpu), 1):>7} {_format(_median(rss), 0):>12} "
            f"{_format(_median(hwm), 0):>9}"
        )
    lines.append("-" * 99)
    cpu_sums = [sum(values.get("cpu") or 0.0 for values in run.jobs.values()) for run in runs]
    lines.append(
        f"{'sum of the jobs':<59} {_format(statistics.median(sums), 2):>8} {_format(statistics.median(cpu_sums), 1):>7}"
    )
    lines.append(f"{'end to end (snakemake --cores 2)':<59} {_format(statistics.median(r.wall_s for r in runs), 2):>8}")
    loads = [run.load for run in runs]
    lines.append(f"{'load average (1 min) at the end of each run':<59} {' '.join(f'{load:.1f}' for load in loads)}")
    for city, job in sorted({job for run in runs for job in run.links}):
        counts = [run.links[(city, job)] for run in runs if (city, job) in run.links]
        seconds = _median([seconds for _, seconds in counts])
        lines.append(f"candidate links {city} {job}: {counts[-1][0]:,} links, found and described in {seconds:.1f} s")
    apply = sorted({job for run in runs for job in run.jobs if job[1].startswith("apply_scenario")})
    for city, job in apply:
        wall = _median([run.jobs.get((city, job), {}).get("s") for run in runs])
        cpu = _median([run.jobs.get((city, job), {}).get("cpu") for run in runs])
        if city != TILE_CITY or not wall:
            continue
        per_cpu = f" (per CPU second: {TILE_CELLS / cpu / 1e6:,.1f} million)" if cpu else ""
        lines.append(
            f"throughput {city} {job}: {TILE_CELLS:,} cells in {wall:.1f} s = "
            f"{TILE_CELLS / wall / 1e6:,.1f} million cells/s{per_cpu}"
        )
    if runs[-1].scenario:
        lines.append(f"scenario {TILE_SCENARIO} (last run):")
        lines += [f"  {line}" for line in runs[-1].scenario]
    lines.append(_targets(case, runs))
    return lines


def _targets(case: str, runs: list[Run]) -> str:
    jobs = {job for run in runs for job in run.jobs}
    if case == "a":
        wall = statistics.median(run.wall_s for run in runs)
        slow = [
            f"{city} {job} {_median([run.jobs.get((city, job), {}).get('s') for run in runs]):.1f} s"
            for city, job in sorted(jobs)
            if not (city == "chengdu" and job.startswith("compute_landcover_indicators"))
            and (_median([run.jobs.get((city, job), {}).get("s") for run in runs]) or 0) > TARGETS["a_job_s"]
        ]
        return (
            f"targets: end to end {wall:.1f} s (target < {TARGETS['a_wall_s']:.0f} s: "
            f"{'met' if wall < TARGETS['a_wall_s'] else 'NOT met'}); jobs over {TARGETS['a_job_s']:.0f} s "
            f"besides Chengdu's land cover: {', '.join(slow) if slow else 'none'}"
        )
    peaks = {
        job: max(
            value
            for value in (
                _median([run.jobs.get(job, {}).get("max_rss") for run in runs]),
                _median([run.jobs.get(job, {}).get("hwm") for run in runs]),
            )
            if value is not None
        )
        for job in jobs
        if any(run.jobs.get(job, {}).get("max_rss") or run.jobs.get(job, {}).get("hwm") for run in runs)
    }
    over = [f"{job[1]} {peak:,.0f} MiB" for job, peak in sorted(peaks.items()) if peak >= TARGETS["b_peak_mib"]]
    return (
        f"targets: every job under {TARGETS['b_peak_mib']} MiB peak: "
        f"{'met' if not over else 'NOT met (' + ', '.join(over) + ')'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="a,b", help="comma-separated: a (sample cities), b (São Tomé tile)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case; the table quotes medians")
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores")
    parser.add_argument("--keep", type=Path, help="copy the last run of each case to this directory (+ case)")
    parser.add_argument(
        "--snakemake-args",
        default="",
        help="more arguments for snakemake, e.g. '--omit-from write_qgis_project' (split on white space)",
    )
    parser.add_argument(
        "--scenario",
        action="store_true",
        help="case b: give the tile city overlays, a population and one what-if scenario (module docstring)",
    )
    args = parser.parse_args(argv)
    cases = [case.strip() for case in args.cases.split(",") if case.strip()]
    unknown = set(cases) - {"a", "b"}
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; use a and/or b")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"benchmark_workflow: cases {cases}, {args.repeats} repeat(s), medians; snakemake --cores {args.cores}; "
        f"{'case b with scenario ' + TILE_SCENARIO + '; ' if args.scenario else ''}"
        f"{' '.join(['snakemake args:', *args.snakemake_args.split()]) + '; ' if args.snakemake_args else ''}"
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; commit {commit or '?'} (working tree); "
        f"{datetime.date.today().isoformat()}",
        flush=True,
    )
    tables = []
    for case in cases:
        if case == "b" and not SAOTOME_TILE.exists():
            print(f"case b skipped: {SAOTOME_TILE} is absent (set CBINDEX_SHARED_DATA)", flush=True)
            continue
        runs = []
        for repeat in range(args.repeats):
            keep = None
            if args.keep is not None and repeat == args.repeats - 1:
                keep = args.keep.with_name(f"{args.keep.name}_{case}")
            run = run_case(case, keep=keep, cores=args.cores, extra=args.snakemake_args.split(), scenario=args.scenario)
            total = sum(values["s"] or 0.0 for values in run.jobs.values())
            print(
                f"  case {case}: run {repeat + 1}/{args.repeats} {run.wall_s:.1f} s end to end, {len(run.jobs)} jobs "
                f"summing {total:.1f} s, load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            runs.append(run)
        tables.append(summarise(case, runs))
    for table in tables:
        print()
        print("\n".join(table))
    print(
        "\nwall s and max_rss MiB: Snakemake's benchmark file of the job (max_rss sampled every 0.5 s for 15 s, then "
        "every 30 s); CPU s: the job process's user + system time and peak MiB its VmHWM (true high-water mark), "
        "both polled every 0.1 s; '-' = not sampled (job shorter than one poll). On a machine shared with other "
        "work, wall times grow with the load average while CPU times barely move."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
