"""Reading the cells of the city sheet: years, raster path patterns, code lists, config file names."""

from __future__ import annotations

from pathlib import Path

from cbindex.core.errors import CBIInputError


def parse_years(text: str) -> list[int]:
    """Years of a sheet's ``years`` cell, e.g. ``"2016 2017"`` → ``[2016, 2017]`` (sorted, distinct)."""
    try:
        years = sorted({int(part) for part in str(text).split()})
    except ValueError as error:
        raise CBIInputError(f"City sheet years {text!r} must be four-digit years separated by spaces.") from error
    if not years:
        raise CBIInputError("City sheet years is empty; give at least one land-cover year.")
    return years


def landcover_path(pattern: str, year: int) -> str:
    """The raster path of one year: ``pattern`` with ``{year}`` filled in (a fixed path for one year)."""
    return pattern.replace("{year}", str(year))


def parse_codes(text: str) -> tuple[int, ...] | None:
    """Class codes of a sheet's ``natural_codes`` cell, or None when it is empty."""
    parts = str(text or "").split()
    if not parts:
        return None
    try:
        return tuple(sorted({int(part) for part in parts}))
    except ValueError as error:
        raise CBIInputError(
            f"City sheet natural_codes {text!r} must be integer class codes separated by spaces."
        ) from error


def parse_band_count(text: str, *, default: int) -> int:
    """Row bands of a sheet's ``landcover_bands`` cell (the schema allows a positive integer), else ``default``."""
    text = str(text or "").strip()
    return int(text) if text else int(default)


def resolve_config_file(name_or_path: str, *, folder: str, kind: str) -> str:
    """A bare name (``si-2014``) means ``<folder>/<name>.yaml``; anything with a slash or suffix is a path."""
    if "/" in name_or_path or name_or_path.endswith((".yaml", ".yml")):
        path = Path(name_or_path)
    else:
        path = Path(folder) / f"{name_or_path}.yaml"
    if not path.exists():
        shipped = sorted(p.stem for p in Path(folder).glob("*.yaml"))
        raise CBIInputError(
            f"The {kind} {name_or_path!r} named in the city sheet does not exist ({path}); use one of "
            f"{', '.join(shipped)} or a path to your own file."
        )
    return str(path)
