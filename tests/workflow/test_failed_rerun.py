"""A failed re-run never destroys a city's published results (cbindex.core.publication, the Snakefile's handlers).

Each test starts from a copy of the finished sample run, breaks one input of Freetown, runs again and checks that
the run fails, says why, and leaves every file under results/ byte-identical to before: nothing lost, nothing of
the failed attempt added (no temporary file, no half year, no snapshot) but the logs of the jobs that failed, where
Snakemake's error message points.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import snakemake

pytestmark = pytest.mark.workflow

PUBLISHED = [
    "indicators.csv",
    "scorecard.json",
    "report_en.html",
    "report_zh.html",
    "freetown.qgs",
    "freetown_layers.gpkg",
    "transitions_2019_2020.csv",
    "2020/landcover_indicators.csv",
    "2020/natural_areas.tif",
    "2020/natural_areas.qml",
    "2020/connectivity_groups.gpkg",
]
"""Files of Freetown's that a user reads (each checked by name, besides the whole tree)."""


def tree(results: Path) -> dict[str, str]:
    """SHA-256 of every file (hidden ones included) and ``<folder>`` of every folder under ``results``."""
    return {
        path.relative_to(results).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "<folder>"
        for path in sorted(results.rglob("*"))
    }


def edit_freetown_row(work: Path, **cells: str) -> None:
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    for column, value in cells.items():
        sheet.loc[sheet["city_id"] == "freetown", column] = value
    sheet.to_csv(work / "config/cities.csv", index=False)


def changes(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {path for path in set(before) | set(after) if before.get(path) != after.get(path)}


def assert_nothing_changed(work: Path, before: dict[str, str], stderr: str, *, failed_logs: set[str]) -> None:
    """Every published file as before, and nothing else changed but (some of) the failed jobs' logs."""
    after = tree(work / "results")
    for name in PUBLISHED:
        assert after.get(f"freetown/{name}") == before[f"freetown/{name}"], f"results/freetown/{name} changed"
    changed = changes(before, after)
    assert changed and changed <= failed_logs, f"the failed run changed {sorted(changed - failed_logs)} in results/"
    assert "Restored results/freetown to its results before this run" in stderr, stderr[-3000:]
    assert "The run of chengdu completed" in stderr


def test_a_corrupt_new_year_keeps_every_published_file_of_the_city(copy_of_base_run):
    work = copy_of_base_run
    before = tree(work / "results")
    assert all(f"freetown/{name}" in before for name in PUBLISHED)
    bad = work / "data/freetown/SLE-Freetown_core-landcover2021.tif"
    bad.write_bytes(os.urandom(4096))  # garbage bytes named .tif
    edit_freetown_row(work, years="2016 2017 2018 2019 2020 2021")

    result = snakemake(work, check=False)

    assert result.returncode != 0
    assert "data/freetown/SLE-Freetown_core-landcover2021.tif" in result.stderr
    failed_logs = {  # every job that reads the corrupt raster may have started and failed
        "freetown/logs/compute_landcover_indicators_2021.log",
        "freetown/logs/compute_landcover_transitions_2020_2021.log",
        "freetown/logs/compute_class_areas_2021.log",
        "freetown/logs/write_landcover_map_2021.log",
    }
    assert_nothing_changed(work, before, result.stderr, failed_logs=failed_logs)
    logs = [work / "results" / name for name in failed_logs if (work / "results" / name).exists()]
    assert any("SLE-Freetown_core-landcover2021.tif" in log.read_text(encoding="utf-8") for log in logs)


def test_a_failing_scoring_step_loses_nothing_and_finished_jobs_stay_due(copy_of_base_run):
    """Snakemake deletes indicators.csv and scorecard.json before score_city runs; the QGIS project (its title
    changed with the city's name) is rewritten by a job that finishes meanwhile. The failure puts all of them back,
    with Snakemake's metadata records, so the next run still knows that the QGIS project is due."""
    work = copy_of_base_run
    before = tree(work / "results")
    (work / "config/bad_overrides.yaml").write_text("indicators: [not closed\n", encoding="utf-8")
    edit_freetown_row(work, scoring_overrides="config/bad_overrides.yaml", name="Freetown City")

    result = snakemake(work, check=False)

    assert result.returncode != 0
    assert "config/bad_overrides.yaml" in result.stderr
    failed_logs = {  # the overrides are read by the scoring and by the comparison of Freetown's scenario
        "freetown/logs/score_city.log",
        "freetown/logs/compare_scenario_restore_tree_cover_2016_2020.log",
    }
    assert_nothing_changed(work, before, result.stderr, failed_logs=failed_logs)
    assert "(Rule: write_qgis_project)" in result.stderr, "the QGIS job did not finish: the test proves less"
    plan = snakemake(work, "--dry-run", check=False)
    assert "rule write_qgis_project:" in plan.stdout + plan.stderr, (plan.stdout + plan.stderr)[-3000:]


def test_snakemake_replaces_outputs_and_logs_but_rewrites_benchmarks_in_place(tmp_path):
    """The assumption behind hard-linked snapshots, for Snakemake's part: a re-run job's outputs and logs are
    new files (deleted first), while its benchmark is rewritten in place, which is why benchmarks are copied."""
    (tmp_path / "Snakefile").write_text(
        'rule a:\n    output: "out/a.txt"\n    log: "out/a.log"\n    benchmark: "out/a.tsv"\n'
        '    shell: "echo made >> {output}; echo logged >> {log}"\n',
        encoding="utf-8",
    )
    snakemake(tmp_path, "--cores", "1")
    files = {name: tmp_path / "out" / name for name in ("a.txt", "a.log", "a.tsv")}
    for path in files.values():
        os.link(path, tmp_path / f"linked_{path.name}")
    inodes = {name: path.stat().st_ino for name, path in files.items()}
    snakemake(tmp_path, "--cores", "1", "--forcerun", "a")
    assert files["a.txt"].stat().st_ino != inodes["a.txt"] and files["a.txt"].read_text() == "made\n"
    assert files["a.log"].stat().st_ino != inodes["a.log"] and files["a.log"].read_text() == "logged\n"
    assert (tmp_path / "linked_a.txt").read_text() == "made\n"
    assert files["a.tsv"].stat().st_ino == inodes["a.tsv"]
