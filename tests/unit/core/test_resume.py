"""cbindex.core.resume: what `make run` clears after a kill, and when it refuses to (another Snakemake works here).

Snakemake itself is replaced by a recorder of its command lines; tests/workflow/test_resume.py runs the real one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from cbindex.core import resume as runner
from cbindex.core.atomic_write import atomic_path
from cbindex.core.resume import BUSY, Process, is_snakemake_command, resume, snakemake_processes, temporary_files


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["/work/.venv/bin/snakemake", "--cores", "2"], True),
        (["/work/.venv/bin/python", "/work/.venv/bin/snakemake", "--cores", "2"], True),
        (["python3", "-m", "snakemake", "-n"], True),
        (["/usr/bin/python3", "/work/.snakemake/scripts/tmpa1b2.score_city.py"], True),
        (["python", "-m", "cbindex.core.resume", "--cores", "2"], False),
        (["python", "-m", "pytest", "tests/workflow/test_resume.py"], False),
        (["vim", "snakemake_notes.txt"], False),
        (["less", "Snakefile"], False),
    ],
)
def test_snakemake_command_lines_are_recognised(command, expected):
    assert is_snakemake_command(command) is expected


def fake_process(proc: Path, pid: int, command: list[str], cwd: Path) -> None:
    folder = proc / str(pid)
    folder.mkdir(parents=True)
    (folder / "cmdline").write_bytes(b"\0".join(part.encode() for part in command) + b"\0")
    os.symlink(cwd, folder / "cwd")


def test_snakemake_processes_are_those_working_in_the_folder(tmp_path):
    proc, work, other = tmp_path / "proc", tmp_path / "work", tmp_path / "other"
    (work / ".snakemake/shadow").mkdir(parents=True)
    other.mkdir()
    fake_process(proc, 11, ["/v/bin/python", "/v/bin/snakemake", "--cores", "2"], work)
    fake_process(proc, 12, ["/v/bin/python", str(work / ".snakemake/scripts/tmpx.score_city.py")], work)
    fake_process(proc, 13, ["/v/bin/snakemake", "--cores", "1"], other)  # another folder
    fake_process(proc, 14, ["bash"], work)  # not Snakemake
    fake_process(proc, 15, ["/v/bin/snakemake"], work / ".snakemake/shadow")  # below the folder
    (proc / "self").mkdir()  # not a process id
    (proc / "16").mkdir()  # a process that ended meanwhile (nothing readable)
    found = snakemake_processes(work, proc=proc)
    assert [process.pid for process in found] == [11, 12, 15]
    assert found[0].command == "/v/bin/python /v/bin/snakemake --cores 2"


def test_the_live_process_table_shows_a_snakemake_started_here(tmp_path):
    """Against the real /proc: a process whose command line is Snakemake's, running in the folder, is seen."""
    fake = tmp_path / "snakemake"
    fake.write_text("import time\ntime.sleep(30)\n")
    child = subprocess.Popen([sys.executable, str(fake)], cwd=tmp_path)
    try:
        # the child's /proc entry shows the command line only once it has exec'd: wait up to 10 s for it
        deadline = time.monotonic() + 10
        while child.pid not in [process.pid for process in snakemake_processes(tmp_path)]:
            assert time.monotonic() < deadline, "the running fake snakemake was never seen in /proc"
            time.sleep(0.05)
        assert snakemake_processes(tmp_path / "elsewhere-that-is-not-its-cwd") == []
    finally:
        child.kill()
        child.wait()


def atomic_temporary_name(directory: Path, target: str) -> str:
    """A name atomic_path would give the temporary file of ``target``."""
    stem, suffix = os.path.splitext(target)
    handle, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix, dir=directory)
    os.close(handle)
    os.unlink(name)
    return os.path.basename(name)


def test_temporary_files_are_the_atomic_writes_left_behind(tmp_path):
    results = tmp_path / "results"
    year = results / "freetown/2020"
    year.mkdir(parents=True)
    with pytest.raises(KeyboardInterrupt), atomic_path(year / "natural_areas.tif") as temporary:
        seen = temporary.name
        raise KeyboardInterrupt  # what a kill would have left
    leftovers = [
        seen,
        atomic_temporary_name(year, "landcover_indicators.csv"),
        atomic_temporary_name(year, "connectivity_groups.gpkg") + "-journal",
        atomic_temporary_name(year, "natural_areas.tif") + ".aux.xml",
        atomic_temporary_name(year, "natural_areas.tif").removesuffix(".tif") + ".strips.tif",
    ]
    for name in leftovers:
        (year / name).write_text("half")
    kept = ["natural_areas.tif", ".gitkeep", ".hidden.txt", "landcover_indicators.csv"]
    for name in kept:
        (year / name).write_text("whole")
    (results / ".last_good/freetown/files").mkdir(parents=True)
    (results / ".last_good/freetown/files" / leftovers[1]).write_text("inside a snapshot: not ours to remove")
    assert sorted(path.name for path in temporary_files(results)) == sorted(leftovers)


@pytest.fixture
def stale_run(tmp_path, monkeypatch):
    """A folder a killed run left: a lock, a temporary file, a snapshot; Snakemake replaced by a recorder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".snakemake/locks").mkdir(parents=True)
    (tmp_path / ".snakemake/locks/0.input.lock").write_text("")
    year = tmp_path / "results/freetown/2020"
    year.mkdir(parents=True)
    leftover = year / atomic_temporary_name(year, "natural_areas.tif")
    leftover.write_text("half")
    (tmp_path / "results/.last_good/freetown").mkdir(parents=True)
    stale = SimpleNamespace(work=tmp_path, leftover=leftover, calls=[], status=0)

    def run(command, cwd):
        stale.calls.append(command[1:])
        return subprocess.CompletedProcess(command, stale.status)

    monkeypatch.setattr(runner.subprocess, "run", run)
    monkeypatch.setattr(runner, "snakemake_executable", lambda: "snakemake")
    monkeypatch.setattr(runner, "snakemake_processes", lambda folder: [])
    return stale


def test_after_a_kill_the_runner_unlocks_cleans_and_reruns_incomplete_jobs(stale_run):
    work, leftover, calls = stale_run.work, stale_run.leftover, stale_run.calls
    said = []
    assert resume(["--cores", "2"], say=said.append) == 0
    assert calls == [["--cores", "2", "--unlock"], ["--cores", "2", "--rerun-incomplete"]]
    assert not leftover.exists() and (work / "results/freetown/2020").is_dir()
    assert not (work / "results/.last_good").exists()  # the run succeeded: the killed run's snapshot goes
    assert any("lock" in message for message in said) and any(leftover.name in message for message in said)


def test_a_failed_resumed_run_keeps_the_snapshot(stale_run):
    stale_run.status = 1
    assert resume(["--cores", "2"], say=lambda message: None) == 1
    assert (stale_run.work / "results/.last_good/freetown").is_dir()


def test_without_a_lock_nothing_is_unlocked(stale_run):
    (stale_run.work / ".snakemake/locks/0.input.lock").unlink()
    resume(["--cores", "2", "--rerun-incomplete"], say=lambda message: None)
    assert stale_run.calls == [["--cores", "2", "--rerun-incomplete"]]


def test_the_runner_refuses_while_another_snakemake_works_here(stale_run, monkeypatch):
    work, leftover, calls = stale_run.work, stale_run.leftover, stale_run.calls
    monkeypatch.setattr(runner, "snakemake_processes", lambda folder: [Process(4242, "snakemake --cores 2")])
    said = []
    assert resume(["--cores", "2"], say=said.append) == BUSY
    assert calls == [] and leftover.exists() and (work / ".snakemake/locks/0.input.lock").exists()
    assert "Another Snakemake is running" in said[0] and "pid 4242" in said[0]
