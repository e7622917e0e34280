"""The land-cover indicators per district (I1, I2, I11, I12), accumulated in the city's strip pass.

Each strip of the pass (:func:`cbindex.landcover.blockwise.compute_landcover_indicators_blockwise`) gets a district
id per cell (:func:`cbindex.geo.districts.district_ids`, the city's boundary rule); every cell's ground area in the
city, ``s = w · a`` (``w`` the city weight, ``a`` the cell's ground area), is added to its district, by class code,
and, for the cells of an I2 patch, by (patch, district). Because every cell of the city lies in exactly one
district or in none (id 0, reported as "no district"), the district areas add up to the city's areas over the
same cells, up to floating-point summation order (checked by :mod:`cbindex.scoring.consistency`).

I2 per district: the city's I2 groups **cut at the district edge**. A group's area inside district ``d`` is one
piece, ``A_{G,d}`` (Jaeger's cutting-out procedure applied to the city's groups: the piece keeps the connections
the group makes across the district edge, so a group that leaves the district and comes back stays one piece):
``MESH_d = Σ_G A_{G,d}² ÷ A_total,d`` with ``A_total,d`` the district's natural area (or its area with
``mesh_denominator: landscape``), and ``coherence_d = Σ_G A_{G,d}² ÷ (Σ_G A_{G,d})² × 100``. Summing the pieces
of a group over the districts (and "no district") gives the group's area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.method import LandcoverMethod
from cbindex.core.units import SQUARE_METRES_PER_HECTARE, percent
from cbindex.geo.categories import CategoryCodes
from cbindex.landcover.area_shares import NO_NATURAL_AREA
from cbindex.landcover.blockwise import StripCells
from cbindex.landcover.connectivity import coherence_percent, effective_mesh_size_ha

HA = SQUARE_METRES_PER_HECTARE
CODE_BITS = 32
"""A (district, code) pair is one int64 key: district << 32 | (code + 2³¹)."""
CODE_OFFSET = 1 << 31

AREA_ROWS = ("city_area", "natural_area", "terrestrial_area", "permeable_area", "tree_canopy_area")
"""The district area rows (ha) whose sum over the districts and "no district" equals the city's."""


def _add_into(totals: dict, keys: np.ndarray, areas: np.ndarray) -> None:
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=areas, minlength=unique.size)
    for key, area in zip(unique.tolist(), sums.tolist(), strict=True):
        totals[key] = totals.get(key, 0.0) + area


@dataclass
class DistrictAreas:
    """Ground areas per district summed over the strips of one pass, square metres.

    ``code_m2[(district, code)]``: area of one class in one district; ``piece_m2[(patch label, district)]``: area
    of one I2 patch in one district; ``under_m2[name][district]`` and ``under_natural_m2[name][district]``: area
    and natural area under an overlay polygon set (I9, red line, parks), from the per-cell shares a caller gives.
    District 0 is "no district".
    """

    n_districts: int
    code_m2: dict = field(default_factory=dict)
    piece_m2: dict = field(default_factory=dict)
    under_m2: dict = field(default_factory=dict)
    under_natural_m2: dict = field(default_factory=dict)

    def add_strip(self, strip: StripCells, ids: np.ndarray, *, shares: Mapping[str, np.ndarray] | None = None) -> None:
        """Add one strip: its cells' areas by district and class, its patch cells by (patch, district), and the
        areas under each overlay (``shares``: name → the share of each cell in the city and under the polygons,
        as :func:`cbindex.overlays.areas.cell_shares` gives it)."""
        grid = strip.grid
        cell_m2 = grid.weight.astype(np.float64) * grid.row_area_m2[:, None]
        inside = cell_m2 > 0
        districts = ids[inside].astype(np.int64)
        codes = grid.codes[inside].astype(np.int64) + CODE_OFFSET
        _add_into(self.code_m2, (districts << CODE_BITS) | codes, cell_m2[inside])
        labelled = strip.local_labels > 0
        if labelled.any():
            labels = strip.local_labels[labelled].astype(np.int64) + strip.label_offset
            _add_into(self.piece_m2, labels * (self.n_districts + 1) + ids[labelled], cell_m2[labelled])
        for name, share in (shares or {}).items():
            area = share.astype(np.float64) * grid.row_area_m2[:, None]
            under = self.under_m2.setdefault(name, np.zeros(self.n_districts + 1))
            natural = self.under_natural_m2.setdefault(name, np.zeros(self.n_districts + 1))
            under += np.bincount(ids.ravel(), weights=area.ravel(), minlength=self.n_districts + 1)
            natural += np.bincount(ids[strip.natural], weights=area[strip.natural], minlength=self.n_districts + 1)

    def category_m2(self, codes: frozenset[int] | None, *, exclude: bool = False) -> np.ndarray:
        """Area per district (index 0 = no district) of the given class codes (None: every code with data), or of
        every other code with ``exclude``. Codes are added in one fixed order, so the area of a subset of codes
        never exceeds that of a superset by rounding (a share stays within 0–100 %)."""
        out = np.zeros(self.n_districts + 1)
        for key in sorted(self.code_m2):
            code = (key & ((1 << CODE_BITS) - 1)) - CODE_OFFSET
            if codes is None or (code in codes) != exclude:
                out[key >> CODE_BITS] += self.code_m2[key]
        return out

    def group_pieces_m2(self, group_of_patch: np.ndarray) -> dict[int, dict[int, float]]:
        """Area of each I2 group in each district: ``{district: {group: A_{G,d}}}`` (m²)."""
        pieces: dict[int, dict[int, float]] = {}
        for key, area in self.piece_m2.items():
            label, district = divmod(key, self.n_districts + 1)
            group = int(group_of_patch[label])
            by_group = pieces.setdefault(district, {})
            by_group[group] = by_group.get(group, 0.0) + area
        return pieces


def district_landcover_values(
    areas: DistrictAreas,
    *,
    group_of_patch: np.ndarray,
    codes: CategoryCodes,
    method: LandcoverMethod,
    area_rule: str,
) -> dict[int, list[IndicatorValue]]:
    """The land-cover rows of every district (0 = no district), formulas as the city's
    (:func:`cbindex.landcover.area_shares.landcover_values`) on the district's cells; I2 from the city's groups cut
    at the district edge (module docstring).

    Rows (ha): ``city_area`` (the district's valid cells in the city), ``natural_area``, ``terrestrial_area``,
    ``permeable_area``, ``tree_canopy_area``; (%): ``I1``, ``I11``, ``I12``, ``I2_coherence``; (ha) ``I2``;
    (count) ``group_pieces``. A district without valid cells gets NaN shares (not assessed).
    """
    city = areas.category_m2(None)  # only cells in the city with data have a positive weight
    natural = areas.category_m2(codes.natural)
    terrestrial_m2 = areas.category_m2(codes.water, exclude=True)
    permeable = areas.category_m2(codes.permeable)
    tree = areas.category_m2(codes.tree_canopy)
    pieces = areas.group_pieces_m2(group_of_patch)
    how = f"{method.describe()}; {area_rule}; district of each cell by the {method.boundary_rule} rule"
    cut = "the city's I2 groups cut at the district edge (each group's area inside the district is one piece)"
    rows = {}
    for district in range(areas.n_districts + 1):
        piece_areas = np.array(sorted(pieces.get(district, {}).values()), dtype=np.float64)
        terrestrial = terrestrial_m2[district]
        denominator = natural[district] if method.mesh_denominator == "natural" else city[district]
        mesh_method = f"effective mesh size sum(A_Gd^2)/A_total,d over {cut}; {how}"
        coherence_method = f"coherence sum(A_Gd^2)/(sum A_Gd)^2 x 100 over {cut}; {how}"
        if natural[district] > 0:
            mesh = effective_mesh_size_ha(np.concatenate([[0.0], piece_areas]), denominator_m2=denominator)
            coherence = coherence_percent(np.concatenate([[0.0], piece_areas]))
        else:
            mesh = coherence = float("nan")
            mesh_method, coherence_method = (f"{NO_NATURAL_AREA}; {m}" for m in (mesh_method, coherence_method))

        rows[district] = [
            IndicatorValue("city_area", city[district] / HA, "ha", f"valid cells in the district; {how}"),
            IndicatorValue("natural_area", natural[district] / HA, "ha", f"natural classes in the district; {how}"),
            IndicatorValue("terrestrial_area", terrestrial / HA, "ha", f"district area minus water; {how}"),
            IndicatorValue("permeable_area", permeable[district] / HA, "ha", f"category permeable; {how}"),
            IndicatorValue("tree_canopy_area", tree[district] / HA, "ha", f"category tree_canopy; {how}"),
            IndicatorValue("I1", percent(natural[district], city[district]), "%", f"natural / district area; {how}"),
            IndicatorValue("I2", mesh, "ha", mesh_method),
            IndicatorValue("I2_coherence", coherence, "%", coherence_method),
            IndicatorValue("group_pieces", float(piece_areas.size), "count", f"pieces of {cut}"),
            IndicatorValue("I11", percent(permeable[district], terrestrial), "%", f"permeable / terrestrial; {how}"),
            IndicatorValue("I12", percent(tree[district], terrestrial), "%", f"tree canopy / terrestrial; {how}"),
        ]
    return rows
