"""The legend categories the indicators need (natural, water, permeable, tree canopy, built-up), resolved to class
codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from cbindex.core.method import LandcoverMethod
from cbindex.geo.legends import Legend, natural_codes


@dataclass(frozen=True)
class CategoryCodes:
    """Class codes of each category an indicator needs, resolved from the legend and the method."""

    natural: frozenset[int]
    water: frozenset[int]
    permeable: frozenset[int]
    tree_canopy: frozenset[int]
    built_up: frozenset[int]

    @classmethod
    def from_legend(cls, legend: Legend, method: LandcoverMethod) -> CategoryCodes:
        natural = natural_codes(
            legend,
            bare_is_natural=method.bare_is_natural,
            snow_is_natural=method.snow_is_natural,
            override_codes=method.natural_codes_override,
        )
        return cls(
            natural=natural,
            water=legend.codes_in("water"),
            permeable=legend.codes_in("permeable"),
            tree_canopy=legend.codes_in("tree_canopy"),
            built_up=legend.codes_in("built_up"),
        )
