"""Two clean runs of the sample workflow (the session's base run and one more) give byte-identical results,
GeoPackages included, so the checksums the reports print are stable: a changed checksum means changed content."""

import hashlib
from pathlib import Path

import pytest

from tests.helpers import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

NOT_COMPARED = ("logs", "benchmarks")
"""Folders of ``results/{city}/`` left out: run logs (times, durations) and Snakemake benchmarks (measurements)."""


def result_checksums(work: Path) -> dict[str, str]:
    """SHA-256 of every file under ``results/`` except logs and benchmarks, keyed by path relative to it."""
    results = work / "results"
    return {
        path.relative_to(results).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(results.rglob("*"))
        if path.is_file() and not set(path.relative_to(results).parts) & set(NOT_COMPARED)
    }


def test_two_clean_runs_give_byte_identical_results(base_run, tmp_path):
    again = copy_workflow(tmp_path / "again")
    snakemake(again)
    first, second = result_checksums(base_run), result_checksums(again)
    assert any(name.endswith(".gpkg") for name in first)  # the GeoPackages are among the compared files
    assert any(name.endswith(".html") for name in first)  # and the reports that print their checksums
    assert sorted(first) == sorted(second)
    assert [name for name in first if Path(name).name.startswith(".")] == []  # no temporary file of atomic_path left
    assert [name for name in first if first[name] != second[name]] == []
