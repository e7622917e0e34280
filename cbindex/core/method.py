"""The method settings of the land-cover indicators, built once from config['method'] (plus the city sheet's natural
classes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

MESH_DENOMINATORS = ("natural", "landscape")


@dataclass(frozen=True)
class LandcoverMethod:
    """Every method choice behind the land-cover indicators (each is a config key, see config/README.md).

    Attributes
    ----------
    gap_distance_m : float
        I2: natural patches less than this far apart (edge to edge) are one group. SI 2014: 100 m.
    neighbourhood : int
        Pixel neighbourhood of a patch, 4 or 8.
    boundary_rule : str
        ``centre`` (cell centre inside the boundary) or ``exact`` (coverage fractions).
    mesh_denominator : str
        I2 A_total: ``natural`` (SI: the city's natural area) or ``landscape`` (FRAGSTATS: the city area).
    bare_is_natural, snow_is_natural : bool
        Whether bare ground and snow/ice count as natural (docs/method.md Part A.3).
    builtup_is_barrier : bool
        Treat the legend category ``built_up`` as a barrier for I2 (SI 2014: "heavily built-up areas").
    natural_codes_override : tuple of int, optional
        Replace the legend's natural classes for this city.
    link_search_m : float
        I2's candidate links: the longest gap between two groups, edge to edge, a link may close (metres).
    """

    gap_distance_m: float = 100.0
    neighbourhood: int = 8
    boundary_rule: str = "centre"
    mesh_denominator: str = "natural"
    bare_is_natural: bool = False
    snow_is_natural: bool = True
    builtup_is_barrier: bool = False
    natural_codes_override: tuple[int, ...] | None = None
    link_search_m: float = 2000.0

    def describe(self, *, keys: Iterable[str] | None = None) -> str:
        """One line naming every choice (or only those of ``keys``), for the ``method`` column of the outputs."""
        shown = set(keys) if keys is not None else None
        parts = [
            f"{key}={value}"
            for key, value in asdict(self).items()
            if value is not None and (shown is None or key in shown)
        ]
        return "; ".join(parts)


NATURAL_CODES_KEY = "natural_codes_override"
"""The method key filled from the city sheet's ``natural_codes`` column, not from config ``method``."""

METHOD_KEYS = tuple(field.name for field in fields(LandcoverMethod))
"""Every method key: what the land-cover stage reads (and the report lists)."""

LINK_METHOD_KEYS = ("link_search_m",)
"""The method keys of I2's candidate links alone: no indicator value depends on them."""

INDICATOR_METHOD_KEYS = tuple(key for key in METHOD_KEYS if key not in LINK_METHOD_KEYS)
"""The method keys the land-cover indicators' values depend on (what their ``method`` column names, and what a
band job reads)."""

NATURAL_CLASS_KEYS = ("bare_is_natural", "snow_is_natural", NATURAL_CODES_KEY)
"""The method keys that decide which legend classes are natural."""

OVERLAY_METHOD_KEYS = ("boundary_rule", *NATURAL_CLASS_KEYS)
"""What the overlay stage reads: natural classes, and which cells belong to the city."""

SPECIES_METHOD_KEYS = NATURAL_CLASS_KEYS
"""What the species stage reads: natural classes (a built-up cell that is natural does not count for I3)."""
