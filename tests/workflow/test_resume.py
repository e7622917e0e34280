"""`make run` resumes after a crash or kill (cbindex.core.resume): no --unlock or --rerun-incomplete to know, and
no unlocking while another Snakemake works in the folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cbindex.core.resume import BUSY, TEMPORARY_NAME, snakemake_processes
from tests.helpers import REPO

pytestmark = pytest.mark.workflow

RUNNER = [sys.executable, "-m", "cbindex.core.resume", "--cores", "2"]
"""What the Makefile's run target runs (checked by test_make_run_calls_the_runner)."""


def start_snakemake(work: Path, *arguments: str, **environment: str) -> subprocess.Popen:
    """Start the venv's snakemake in its own process group (so that it and its jobs can be killed together)."""
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("snakemake")), "--cores", "2", *arguments],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **environment},
    )


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group of a started snakemake and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def temporary_files(results: Path) -> list[Path]:
    return [path for path in results.rglob(".*") if path.is_file() and TEMPORARY_NAME.match(path.name)]


def run_runner(work: Path, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        RUNNER, cwd=work, capture_output=True, text=True, env={**os.environ, **environment}, timeout=900
    )


def test_make_run_calls_the_runner():
    recipe = subprocess.run(
        ["make", "-n", "-s", "run", "CORES=2"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert ".venv/bin/python -m cbindex.core.resume --cores 2" in recipe, recipe


def test_after_a_kill_make_run_finishes_as_a_clean_run_would(copy_of_base_run, base_run):
    work = copy_of_base_run
    (work / "results/freetown/2020/natural_areas.tif").unlink()  # Freetown 2020 and all that follows re-run
    results = work / "results"
    run = start_snakemake(work)
    try:
        wait_for(
            lambda: any((work / ".snakemake/incomplete").iterdir()) or run.poll() is not None,
            timeout=300,
            what="a job to start",
        )
        assert run.poll() is None, "snakemake ended before a job started"
        # kill while the job writes: its atomic-write temporary file is there (or after 30 s anyway)
        deadline = time.monotonic() + 30
        while not temporary_files(results) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.01)
    finally:
        kill_group(run)
    wait_for(lambda: not snakemake_processes(work), timeout=30, what="the killed jobs to end")
    assert run.returncode == -signal.SIGKILL
    assert any((work / ".snakemake/locks").glob("*.lock")), "the kill left no lock: the test would prove nothing"
    assert any((work / ".snakemake/incomplete").iterdir())
    stray = results / "freetown/2020" / ".natural_areas.k1ll3d_x.tif"  # as a kill in another job would leave
    stray.write_bytes(b"half a mask")

    result = run_runner(work)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Removing the lock" in result.stderr and str(stray.relative_to(work)) in result.stderr
    for name in ("indicators.csv", "scorecard.json"):
        resumed = (results / "freetown" / name).read_bytes()
        assert resumed == (base_run / "results/freetown" / name).read_bytes(), f"{name} differs from a clean run"
    assert (results / "freetown/2020/landcover_indicators.csv").is_file()
    assert temporary_files(results) == []
    assert not (results / ".last_good").exists()
    assert not any((work / ".snakemake/locks").glob("*.lock"))
    assert not any((work / ".snakemake/incomplete").iterdir())


def test_the_runner_refuses_to_unlock_while_another_snakemake_works_here(tmp_path):
    """A live Snakemake holds the lock: the runner says so and touches nothing; once it is gone, the runner
    unlocks, re-runs the interrupted job and finishes."""
    (tmp_path / "Snakefile").write_text(
        'rule slow:\n    output: "out.txt"\n    shell: "sleep ${{NAP:-0}}; echo done > {output}"\n', encoding="utf-8"
    )
    live = start_snakemake(tmp_path, NAP="120")
    try:
        wait_for(lambda: any((tmp_path / ".snakemake/locks").glob("*.lock")), timeout=60, what="the lock")
        locks = sorted((tmp_path / ".snakemake/locks").glob("*.lock"))

        refused = run_runner(tmp_path)

        assert refused.returncode == BUSY, refused.stderr
        assert "Another Snakemake is running" in refused.stderr and f"pid {live.pid}" in refused.stderr
        assert sorted((tmp_path / ".snakemake/locks").glob("*.lock")) == locks
        assert live.poll() is None, "the runner stopped the live run"
    finally:
        kill_group(live)
    wait_for(lambda: not snakemake_processes(tmp_path), timeout=30, what="the killed job to end")

    resumed = run_runner(tmp_path)

    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (tmp_path / "out.txt").read_text() == "done\n"
    assert not any((tmp_path / ".snakemake/locks").glob("*.lock"))
