"""How a result was made: checksums of the files it was computed from and the versions of the software used."""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

SOFTWARE = (
    "cbindex",
    "snakemake",
    "numpy",
    "pandas",
    "rasterio",
    "geopandas",
    "shapely",
    "pyproj",
    "matplotlib",
    "fonttools",
)
"""Python distributions whose versions a report lists (with Python and GDAL)."""

_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FileChecksum:
    """One input file: its path as given, size in bytes and SHA-256 (hex)."""

    path: str
    size_bytes: int
    sha256: str


def sha256_of(path: str | Path) -> str:
    """Return the SHA-256 of a file as 64 hex digits, read in chunks of 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_checksums(paths: Iterable[str | Path]) -> list[FileChecksum]:
    """Checksum every file once, in the order first given.

    Parameters
    ----------
    paths : iterable of path-like
        Files (repeated paths are listed once).

    Returns
    -------
    list of FileChecksum
    """
    unique = dict.fromkeys(str(path) for path in paths)
    return [FileChecksum(path=path, size_bytes=Path(path).stat().st_size, sha256=sha256_of(path)) for path in unique]


def software_versions(*, distributions: Iterable[str] = SOFTWARE) -> dict[str, str]:
    """Versions of Python, GDAL (as built into rasterio) and the named Python distributions.

    Parameters
    ----------
    distributions : iterable of str, optional
        Distribution names; one not installed is reported as ``"not installed"``.

    Returns
    -------
    dict of str to str
        Name to version, Python first, then GDAL, then `distributions` in order.
    """
    import rasterio

    versions = {"python": platform.python_version(), "GDAL": rasterio.__gdal_version__}
    for name in distributions:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
