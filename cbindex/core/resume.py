"""Resume after a crash or kill without knowing Snakemake's ``--unlock`` or ``--rerun-incomplete``.

``make run`` calls ``python -m cbindex.core.resume --cores N [snakemake arguments]`` in the workflow's folder:

1. if another Snakemake process (or a job script of one) works in this folder (found through ``/proc``: its
   working directory and command line), it says so and stops, touching nothing;
2. otherwise a lock left in ``.snakemake/locks`` can only be stale: ``snakemake --unlock`` removes it;
3. the temporary files a killed job left beside its outputs (:func:`cbindex.core.atomic_write.atomic_path` names
   them ``.<name>.<8 random characters><suffix>``, and derived ones add to that) are removed from ``results/``,
   outside the snapshots of :mod:`cbindex.core.publication`;
4. Snakemake runs with the given arguments and ``--rerun-incomplete``, so the jobs the kill interrupted run again;
5. when it succeeds, a snapshot a killed run left is dropped (Snakemake runs no handler when it has nothing to do).

The exit status is Snakemake's, or :data:`BUSY` when another Snakemake works here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cbindex.core import publication

BUSY = 3
"""Exit status when another Snakemake process works in the folder."""
DRY_RUN = {"-n", "--dry-run", "--dryrun"}
RESULTS = Path("results")
LOCKS = Path(".snakemake/locks")
TEMPORARY_NAME = re.compile(r"^\.(?P<stem>.+)\.[a-z0-9_]{8}(?P<rest>[.-].*)?$")
"""An ``atomic_path`` temporary file (``.indicators.k2j4_x9q.csv``) or one derived from it (``….tif.aux.xml``,
``….strips.tif``, ``….gpkg-journal``)."""


@dataclass(frozen=True)
class Process:
    """A process working in the folder: its id and command line."""

    pid: int
    command: str


def is_snakemake_command(arguments: Sequence[str]) -> bool:
    """Whether a command line runs Snakemake (``snakemake``, ``python …/snakemake``, ``python -m snakemake``) or a
    job script of a Snakemake run (``.snakemake/scripts/…``)."""
    head = [os.path.basename(argument) for argument in arguments[:2]]
    if "snakemake" in head:
        return True
    for first, second in zip(arguments, arguments[1:], strict=False):
        if first == "-m" and second.split(".")[0] == "snakemake":
            return True
    return any(
        "/.snakemake/scripts/" in argument or argument.startswith(".snakemake/scripts/") for argument in arguments
    )


def snakemake_processes(folder: str | Path, *, proc: str | Path = "/proc") -> list[Process]:
    """Snakemake processes (and job scripts) whose working directory is ``folder`` or below it, but this one.

    Processes of other users, whose working directory cannot be read, are not seen.
    """
    folder = Path(os.path.realpath(folder))
    found = []
    for entry in Path(proc).iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
            working = Path(os.readlink(entry / "cwd"))
        except OSError:  # gone meanwhile, or another user's
            continue
        arguments = [argument for argument in arguments if argument]
        if arguments and is_snakemake_command(arguments) and working.is_relative_to(folder):
            found.append(Process(int(entry.name), " ".join(arguments)))
    return sorted(found, key=lambda process: process.pid)


def temporary_files(results_dir: str | Path = RESULTS) -> Iterator[Path]:
    """The atomic-write temporary files under ``results_dir`` (the snapshots excluded)."""
    for folder, subfolders, files in os.walk(results_dir):
        if Path(folder) == Path(results_dir):
            subfolders[:] = [name for name in subfolders if name != publication.SNAPSHOT_AREA]
        for name in files:
            if TEMPORARY_NAME.match(name):
                yield Path(folder, name)


def snakemake_executable() -> str:
    """The ``snakemake`` beside this Python (the virtual environment's), else the one on the PATH."""
    beside = Path(sys.executable).with_name("snakemake")
    if beside.is_file():
        return str(beside)
    found = shutil.which("snakemake")
    if found is None:
        raise FileNotFoundError("snakemake is not installed beside this Python nor on the PATH; run `make install`.")
    return found


def resume(arguments: Sequence[str], *, folder: str | Path = ".", say=print) -> int:
    """Run Snakemake with ``arguments`` in ``folder``, first clearing what a killed run left (see the module)."""
    folder = Path(folder)
    busy = snakemake_processes(folder)
    if busy:
        listed = "; ".join(f"pid {process.pid}: {process.command}" for process in busy)
        say(
            f"Another Snakemake is running in {os.path.realpath(folder)} ({listed}); nothing was unlocked or "
            "started: wait for it to finish (or stop it), then run `make run` again."
        )
        return BUSY
    executable = snakemake_executable()
    if any((folder / LOCKS).glob("*.lock")):
        say(f"Removing the lock an interrupted Snakemake run left in {folder / LOCKS} (no Snakemake runs here).")
        unlocked = subprocess.run([executable, *arguments, "--unlock"], cwd=folder)
        if unlocked.returncode != 0:
            return unlocked.returncode
    for path in temporary_files(folder / RESULTS):
        say(f"Removing {path}, a temporary file an interrupted job left.")
        path.unlink(missing_ok=True)
    extra = [] if "--rerun-incomplete" in arguments or "--ri" in arguments else ["--rerun-incomplete"]
    status = subprocess.run([executable, *arguments, *extra], cwd=folder).returncode
    if status == 0 and not DRY_RUN.intersection(arguments):
        publication.drop(folder / RESULTS)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    def say(message: str) -> None:
        print(f"cbindex.core.resume: {message}", file=sys.stderr, flush=True)

    return resume(list(sys.argv[1:] if argv is None else argv), say=say)


if __name__ == "__main__":
    sys.exit(main())
