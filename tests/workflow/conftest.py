"""Fixtures of the workflow tests: one run of the unchanged sample configuration per test session.

Tests that only read sample outputs take ``base_run`` itself and must leave it as they found it (checked when the
session ends). Tests that change inputs or configuration and run again take ``copy_of_base_run``: Snakemake there
finds the finished outputs and their metadata, and re-runs only what the change affects.
"""

from pathlib import Path

import pytest

from tests.helpers import copy_run, copy_workflow, snakemake


def fingerprint(work: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file of a run, by path."""
    return {
        str(path.relative_to(work)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(work.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session")
def base_run(tmp_path_factory) -> Path:
    """The sample workflow (config/ and data/ as shipped) run once to the end; read it, never change it."""
    work = copy_workflow(tmp_path_factory.mktemp("base_run"))
    result = snakemake(work, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    before = fingerprint(work)
    yield work
    assert fingerprint(work) == before, f"a test changed the shared base run {work}; use copy_of_base_run"


@pytest.fixture
def copy_of_base_run(base_run, tmp_path) -> Path:
    """A copy of the finished base run, free to change and run again."""
    return copy_run(base_run, tmp_path / "work")
