"""Never a lost result: a city's published results are replaced only when the new run of that city succeeds.

Snakemake deletes a job's outputs just before it runs the job, so a re-run that fails part-way would leave a city
without the indicator table, scorecard and reports it had. The workflow's handlers keep them (the ``Snakefile``):

``onstart``   :func:`snapshot` mirrors each city's ``results/{city}`` tree into ``results/.last_good/{city}/``
              (hard links, falling back to copies) with Snakemake's metadata records of those files;
``onsuccess`` :func:`drop` removes the snapshots;
``onerror``   :func:`recover` restores, for every city whose run did not complete (:func:`cities_to_restore`: a
              job this run planned for it did not finish, or one of its final targets is missing), the snapshot
              exactly: files the failed run added are removed, files it deleted or replaced come back
              byte-identical (the same inodes, so the same modification times), and so do their metadata records,
              so that Snakemake's rerun triggers (parameters, code, inputs) see the restored files as they were.
              Only the logs of the jobs that failed stay as the failed run left them, where Snakemake's error
              message points (``results/{city}/logs/``). Cities that completed keep their new results.

A snapshot is built under a hidden name and renamed into place once complete (``manifest.json`` inside). A
complete snapshot found at start was left by a run that was killed before its ``onsuccess``/``onerror``: it still
holds the last results known good, so it is kept instead of snapshotting the half-updated tree (``make run`` drops
it once a run succeeds, also when Snakemake finds nothing to do and runs no handler).

Why hard links are safe here (checked when this module was written; re-check when adding a writer): a hard link
shares its file's inode, so a writer that rewrote an existing file in place would change the snapshot too. No
writer does that to a published file:

* every output cbindex writes goes through :func:`cbindex.core.atomic_write.atomic_path` (tables, scorecard,
  reports, QGIS project and styles, GeoTIFFs via ``StripRasterWriter``, every GeoPackage via
  :mod:`cbindex.core.geopackage`, band states): a new file beside the target, then a rename onto it, which leaves
  the old inode (and the snapshot's link) untouched;
* Snakemake deletes a job's outputs and log files before it runs the job (``Job.remove_existing_output``), and the
  rule runtime opens the log afresh (a new inode);
* Snakemake's benchmark files are the exception: it rewrites them in place (``open(path, "wt")``, no deletion
  first), so files under :data:`COPIED_FOLDERS` (``benchmarks/``) are copied, never linked; so are Snakemake's
  metadata records, which it also rewrites in place.

``snakemake --touch`` changes modification times, which hard links share: the bytes stay identical, the restored
times do not.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbindex.core.atomic_write import atomic_path

LOGGER = logging.getLogger("cbindex.publication")

SNAPSHOT_AREA = ".last_good"
"""The snapshot folder inside the results folder (``results/.last_good/{city}/``)."""
SNAKEMAKE_METADATA = Path(".snakemake/metadata")
"""Where Snakemake (file persistence, its default) keeps one metadata record per output file."""
COPIED_FOLDERS = ("benchmarks",)
"""Folders of a city's tree whose files are rewritten in place (Snakemake's benchmarks): copied, not linked."""

MANIFEST = "manifest.json"
FILES = "files"
METADATA = "metadata"


@dataclass
class Restored:
    """What :func:`restore` changed in a city's tree."""

    city: str
    removed: list[str] = field(default_factory=list)
    """Files the failed run added (relative to the city's folder), removed."""
    put_back: list[str] = field(default_factory=list)
    """Files the failed run deleted or replaced, back as they were."""
    folders: bool = False
    """Whether the failed run had added or removed folders (e.g. a half year's)."""
    records: int = 0
    """Snakemake metadata records put back or removed."""
    kept: list[str] = field(default_factory=list)
    """Files left as the failed run made them (its failed jobs' logs)."""

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.put_back or self.folders or self.records)


# --------------------------------------------------------------------------------------------------- snapshot


def snapshot(
    results_dir: str | Path, cities: Iterable[str], *, metadata_dir: str | Path = SNAKEMAKE_METADATA
) -> dict[str, str]:
    """Snapshot each city's ``results_dir/{city}`` tree and its metadata records (the ``onstart`` handler).

    Returns, per city, ``"taken"`` or ``"kept"`` (a complete snapshot left by a killed run is kept). A city without
    results yet gets a snapshot saying so: restoring it removes what the failed run made.
    """
    area = Path(results_dir) / SNAPSHOT_AREA
    area.mkdir(parents=True, exist_ok=True)
    for leftover in area.glob(".*"):  # a snapshot or restore interrupted half-way
        _remove(leftover)
    done = {}
    for city in cities:
        if has_snapshot(results_dir, city):
            LOGGER.warning(
                "Keeping the snapshot of %s left by an interrupted run (%s): it holds the last complete results.",
                city,
                area / city,
            )
            done[city] = "kept"
            continue
        _remove(area / city)
        _take_snapshot(Path(results_dir), city, Path(metadata_dir))
        done[city] = "taken"
    return done


def has_snapshot(results_dir: str | Path, city: str) -> bool:
    """Whether a complete snapshot of the city exists."""
    folder = Path(results_dir) / SNAPSHOT_AREA / city
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return not manifest.get("existed") or (folder / FILES).is_dir()


def _take_snapshot(results_dir: Path, city: str, metadata_dir: Path) -> None:
    partial = results_dir / SNAPSHOT_AREA / f".{city}.partial"
    partial.mkdir(parents=True)
    live = results_dir / city
    existed = live.is_dir()
    if existed:
        _mirror(live, partial / FILES, copy_folders=COPIED_FOLDERS)
    records = _city_records(metadata_dir, results_dir, city)
    for relative in records.values():
        target = partial / METADATA / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(metadata_dir / relative, target)
    (partial / MANIFEST).write_text(json.dumps({"city": city, "existed": existed}), encoding="utf-8")
    os.rename(partial, results_dir / SNAPSHOT_AREA / city)


def _mirror(source: Path, destination: Path, *, copy_folders: Sequence[str] = ()) -> None:
    """Mirror a tree: folders re-created, files hard-linked (copied where linking fails or under ``copy_folders``)."""
    for folder, subfolders, files in os.walk(source):
        here = Path(folder)
        relative = here.relative_to(source)
        (destination / relative).mkdir(parents=True, exist_ok=True)
        copy_here = bool(relative.parts) and relative.parts[0] in copy_folders
        for name in files:
            _place(here / name, destination / relative / name, copy=copy_here)
        for name in subfolders:
            if (here / name).is_symlink():
                _place(here / name, destination / relative / name, copy=True)


def _place(source: Path, target: Path, *, copy: bool) -> None:
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    if not copy:
        try:
            os.link(source, target)
            return
        except OSError:  # a file system without hard links: a copy does as well, only slower
            pass
    shutil.copy2(source, target)


# --------------------------------------------------------------------------------------------------- decide


def city_of(path: str | Path, results_dir: str | Path, cities: Iterable[str]) -> str | None:
    """The city whose folder of ``results_dir`` holds ``path`` (None for any other path)."""
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(results_dir))
    except ValueError:
        return None
    return relative.parts[0] if relative.parts and relative.parts[0] in set(cities) else None


def cities_to_restore(
    results_dir: str | Path,
    cities: Sequence[str],
    *,
    final_targets: Iterable[str | Path],
    pending_outputs: Iterable[str | Path],
) -> dict[str, str]:
    """The cities whose run did not complete, each with the reason.

    Parameters
    ----------
    results_dir : path-like
        The results folder (``results``).
    cities : sequence of str
        The cities of the sheet.
    final_targets : iterable of path-like
        What rule ``all`` requests (every city's final outputs); a city with one of them missing did not complete.
    pending_outputs : iterable of path-like
        The outputs of the jobs the run planned and did not finish (what a dry run would still plan); a city with
        one of them did not complete.
    """
    pending: dict[str, list[str]] = {}
    for path in pending_outputs:
        city = city_of(path, results_dir, cities)
        if city:
            pending.setdefault(city, []).append(str(path))
    missing: dict[str, list[str]] = {}
    for path in final_targets:
        city = city_of(path, results_dir, cities)
        if city and not os.path.lexists(path):
            missing.setdefault(city, []).append(str(path))
    reasons = {}
    for city in cities:
        why = []
        if pending.get(city):
            files = sorted(pending[city])
            why.append(f"{len(files)} output(s) of jobs planned for it were not made, e.g. {files[0]}")
        if missing.get(city):
            files = sorted(missing[city])
            why.append(f"{len(files)} of its final output(s) are missing, e.g. {files[0]}")
        if why:
            reasons[city] = "; ".join(why)
    return reasons


# --------------------------------------------------------------------------------------------------- restore


def restore(
    results_dir: str | Path,
    city: str,
    *,
    metadata_dir: str | Path = SNAKEMAKE_METADATA,
    keep: Iterable[str | Path] = (),
) -> Restored:
    """Put the city's tree and metadata records back exactly as snapshotted, then drop its snapshot.

    ``keep`` names files to leave as the failed run left them: the logs of its failed jobs, where Snakemake's
    error message points (other paths are ignored).
    """
    results_dir, metadata_dir = Path(results_dir), Path(metadata_dir)
    folder = results_dir / SNAPSHOT_AREA / city
    if not has_snapshot(results_dir, city):
        raise FileNotFoundError(f"No complete snapshot of {city} in {folder}.")
    saved = folder / FILES
    live = results_dir / city
    before = _files(saved)
    after = _files(live)
    changed = {
        relative for relative, path in after.items() if relative not in before or not _same(before[relative], path)
    }
    outcome = Restored(city)
    outcome.kept = sorted(changed.intersection(_relative_to(keep, live)))
    outcome.removed = sorted(set(after) - set(before) - set(outcome.kept))
    outcome.put_back = sorted(
        relative
        for relative, path in before.items()
        if relative not in outcome.kept and (relative not in after or not _same(path, after[relative]))
    )
    outcome.records = _restore_records(folder / METADATA, metadata_dir, results_dir, city)
    outcome.folders = _folders(saved) != _folders(live)
    if outcome.removed or outcome.put_back or outcome.folders:
        trash = results_dir / SNAPSHOT_AREA / f".{city}.failed"
        _remove(trash)
        if live.exists():
            os.rename(live, trash)
        if saved.is_dir():
            os.rename(saved, live)
        for relative in outcome.kept:
            target = live / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            _remove(target)
            os.rename(trash / relative, target)
        _remove(trash)
    _remove(folder)
    return outcome


def _relative_to(paths: Iterable[str | Path], root: Path) -> set[str]:
    """The paths under ``root``, relative to it (others dropped)."""
    found = set()
    for path in paths:
        try:
            found.add(Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix())
        except ValueError:
            continue
    return found


def _files(root: Path) -> dict[str, Path]:
    """Every file (and symbolic link) under ``root``, by path relative to it."""
    found = {}
    for folder, subfolders, files in os.walk(root):
        for name in files + [name for name in subfolders if Path(folder, name).is_symlink()]:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def _folders(root: Path) -> set[str] | None:
    """Every folder under ``root`` (itself as ``"."``), relative to it; None when ``root`` does not exist."""
    if not root.is_dir():
        return None
    return {Path(folder).relative_to(root).as_posix() for folder, _, _ in os.walk(root)}


def _same(saved: Path, live: Path) -> bool:
    """Whether the live file is still the one saved: the same inode, or (for copies) equal bytes and time."""
    try:
        a, b = os.lstat(saved), os.lstat(live)
    except FileNotFoundError:
        return False
    if os.path.samestat(a, b):
        return True
    if saved.is_symlink() or live.is_symlink():
        return saved.is_symlink() and live.is_symlink() and os.readlink(saved) == os.readlink(live)
    if a.st_size != b.st_size or a.st_mtime_ns != b.st_mtime_ns:
        return False
    with open(saved, "rb") as first, open(live, "rb") as second:
        while True:
            chunk = first.read(1 << 20)
            if chunk != second.read(1 << 20):
                return False
            if not chunk:
                return True


def _restore_records(saved: Path, metadata_dir: Path, results_dir: Path, city: str) -> int:
    """Make the city's metadata records those of the snapshot again; return how many were changed."""
    before = {relative: saved / relative for relative in _files(saved)} if saved.is_dir() else {}
    now = _city_records(metadata_dir, results_dir, city)
    changed = 0
    for relative in now.values():
        if relative not in before:
            (metadata_dir / relative).unlink()
            changed += 1
    for relative, path in before.items():
        target = metadata_dir / relative
        if target.is_file() and target.read_bytes() == path.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as temporary:
            shutil.copy2(path, temporary)
        changed += 1
    return changed


def _city_records(metadata_dir: Path, results_dir: Path, city: str) -> dict[str, str]:
    """Snakemake's metadata records of the city's files: file path → record path relative to ``metadata_dir``.

    A record is named by the URL-safe base64 of the output path, cut into folders prefixed ``@`` when too long.
    """
    prefix = os.path.normpath(results_dir / city)
    records = {}
    for relative in _files(metadata_dir) if metadata_dir.is_dir() else {}:
        encoded = "".join(part.removeprefix("@") for part in Path(relative).parts)
        try:
            key = os.path.normpath(base64.urlsafe_b64decode(encoded).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if key == prefix or key.startswith(prefix + os.sep):
            records[key] = relative
    return records


# --------------------------------------------------------------------------------------------------- handlers


def drop(results_dir: str | Path) -> None:
    """Remove every snapshot (the ``onsuccess`` handler, and after :func:`recover`)."""
    _remove(Path(results_dir) / SNAPSHOT_AREA)


def recover(
    results_dir: str | Path,
    cities: Sequence[str],
    *,
    final_targets: Iterable[str | Path],
    unfinished_jobs: Iterable[Any],
    metadata_dir: str | Path = SNAKEMAKE_METADATA,
    say: Callable[[str], object] = LOGGER.warning,
) -> dict[str, Restored]:
    """After a failed run (the ``onerror`` handler): restore every city that did not complete, say which and why,
    keep the others' new results, drop the snapshots.

    ``unfinished_jobs`` are the jobs the run planned and did not finish (Snakemake's
    ``workflow.dag.needrun_jobs()``), each with its ``output`` and ``log`` paths: a city with an output among them
    did not complete; their logs (those of the failed jobs) stay where Snakemake's error message points.
    """
    jobs = list(unfinished_jobs)
    pending = [str(path) for job in jobs for path in job.output]
    failed_logs = [str(path) for job in jobs for path in job.log]
    reasons = cities_to_restore(results_dir, cities, final_targets=final_targets, pending_outputs=pending)
    restored = {}
    for city, reason in reasons.items():
        folder = Path(results_dir) / city
        if not has_snapshot(results_dir, city):
            say(f"The run of {city} did not complete ({reason}), and no snapshot of {folder} was taken at start.")
            continue
        outcome = restore(results_dir, city, metadata_dir=metadata_dir, keep=failed_logs)
        restored[city] = outcome
        what = (
            f"removed {len(outcome.removed)} file(s) it added, put back {len(outcome.put_back)} it deleted or replaced"
            if outcome.changed
            else "the run had changed nothing there"
        )
        logs = f"; the failed jobs' logs stay: {', '.join(outcome.kept)}" if outcome.kept else ""
        say(
            f"Restored {folder} to its results before this run, as the run of {city} did not complete ({reason}): "
            f"{what}{logs}."
        )
    for city in cities:
        if city not in reasons:
            say(f"The run of {city} completed; {Path(results_dir) / city} stays as this run left it.")
    drop(results_dir)
    return restored


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
