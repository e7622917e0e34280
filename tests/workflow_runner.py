"""Run the workflow in a throw-away copy of the repository (helpers for the workflow tests)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ("Snakefile", "workflow", "scripts", "config", "data")


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


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the venv's snakemake in ``workdir`` and capture its output."""
    executable = Path(sys.executable).with_name("snakemake")
    return subprocess.run(
        [str(executable), "--cores", "2", *args], cwd=workdir, capture_output=True, text=True, check=check,
    )
