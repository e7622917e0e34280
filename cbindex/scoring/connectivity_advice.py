"""How much natural area SI indicator 2 (connectivity) needs, and where: closed forms on the groups' areas.

I2 (SI 2014) is the effective mesh size ``MESH = Σ A_Gi² ÷ A_total`` in hectares, A_Gi the areas (ha) of the groups
of natural patches less than the gap distance apart and A_total the natural area (config ``method.mesh_denominator:
natural``, the SI's) or the city area (``landscape``); the SI 2021 I2 is the coherence
``C = Σ A_Gi² ÷ (Σ A_Gi)² × 100`` (%). Both depend on how the area is grouped, not only on how much there is, so
the next band's "+93 ha of effective mesh size" is no area anyone can add. This module answers the question a
planner can act on: how many hectares of natural land, and added where.

Derivation (areas in ha; S = Σ A_Gi²; g = 1 when A_total is the natural area, 0 when it is the city area):

- **Added to group k.** ΔA of new natural land that joins group k (it touches the group, or lies less than the
  gap distance from it, and is not cut off by a barrier) and, being natural, counts in A_total: S becomes
  ``S − A_k² + (A_k + ΔA)² = S + 2·A_k·ΔA + ΔA²`` and A_total becomes ``A_total + g·ΔA`` (with ``landscape`` the
  land was already part of the city, so the denominator does not grow). ``MESH' ≥ T`` is
  ``ΔA² + (2·A_k − g·T)·ΔA + (S − T·A_total) ≥ 0``. Below the target ``S − T·A_total < 0``: the two roots have
  a negative product, so exactly one is positive, and the inequality holds for every ΔA from it on. The smallest
  ΔA is that root (computed in the cancellation-free form). The largest group needs the least (the larger A_k, the
  larger the linear coefficient and the smaller the positive root).
- **Coherence** (SI 2021): with N = Σ A_Gi, ``C' = (S + 2·A_k·ΔA + ΔA²) ÷ (N + ΔA)² ≥ c`` (c = target ÷ 100) is
  ``(1 − c)·ΔA² + 2·(A_k − c·N)·ΔA + (S − c·N²) ≥ 0``; for c < 1 the same argument gives one positive root (c ≥ 1,
  100 %, is reached only by one single group: no finite ΔA with two groups or more).
- **Joining two groups** i and j (closing the gap between them) adds ``2·A_i·A_j`` to S.
- **Isolated patch.** The same ΔA as a new group of its own: ``MESH' = (S + ΔA²) ÷ (A_total + g·ΔA)``, which with
  ``natural`` is *lower* than MESH whenever ΔA < MESH; ``C' = (S + ΔA²) ÷ (N + ΔA)²``.

Assumptions: the added land is natural, lies inside the city, joins only the named group (it brings no other group
within the gap distance) and covers land that was not natural (at most city area − natural area is available). The
functions are pure: group areas in, numbers out (the scoring wing does not import the land-cover wing; the scoring
stage reads the areas from the latest year's ``connectivity_groups.gpkg``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cbindex.core.messages import LANGUAGES, message, pair
from cbindex.scoring.next_band import _display, points_text
from cbindex.scoring.points import score_value
from cbindex.scoring.rules import STATUS_SCORED

if TYPE_CHECKING:
    from cbindex.scoring.rules import IndicatorRule

MESH_DENOMINATOR_GROWS = {"natural": True, "landscape": False}
"""Config ``method.mesh_denominator``: whether A_total grows with added natural land."""

I2_QUANTITIES = {"I2": "mesh", "I2_coherence": "coherence"}
"""The land-cover rows an edition's I2 may score: SI 2014's effective mesh size (ha), SI 2021's coherence (%)."""


@dataclass(frozen=True)
class MeshGroups:
    """The groups of natural patches behind I2 and the mesh size's denominator.

    Attributes
    ----------
    areas_ha : tuple of float
        The groups' areas A_Gi (ha), largest first.
    total_ha : float
        A_total (ha): the natural area, or the city area with ``mesh_denominator="landscape"``.
    total_grows : bool
        Whether A_total grows with added natural land (True for ``natural``).
    """

    areas_ha: tuple[float, ...]
    total_ha: float
    total_grows: bool = True

    @classmethod
    def from_areas(
        cls, areas_ha: Sequence[float] | np.ndarray, *, total_ha: float, mesh_denominator: str
    ) -> MeshGroups:
        """Groups from unsorted areas (ha) and config ``method.mesh_denominator`` (``natural`` or ``landscape``)."""
        if mesh_denominator not in MESH_DENOMINATOR_GROWS:
            raise ValueError(f"mesh_denominator must be one of {', '.join(MESH_DENOMINATOR_GROWS)}")
        ordered = sorted((float(area) for area in np.asarray(areas_ha, dtype=np.float64).ravel()), reverse=True)
        return cls(tuple(ordered), float(total_ha), MESH_DENOMINATOR_GROWS[mesh_denominator])

    @property
    def sum_of_squares(self) -> float:
        """S = Σ A_Gi², ha²."""
        return float(np.sum(np.square(np.asarray(self.areas_ha, dtype=np.float64))))

    @property
    def grouped_ha(self) -> float:
        """N = Σ A_Gi, ha (the natural area, barrier cells aside)."""
        return float(sum(self.areas_ha))

    def group(self, rank: int) -> float | None:
        """The area (ha) of the group of a rank (0 = largest), or None when there are not that many groups."""
        return self.areas_ha[rank] if 0 <= rank < len(self.areas_ha) else None


def mesh_ha(groups: MeshGroups) -> float:
    """SI indicator 2 (2014): effective mesh size ``MESH = Σ A_Gi² ÷ A_total``, ha."""
    return groups.sum_of_squares / groups.total_ha


def coherence_percent(groups: MeshGroups) -> float:
    """SI indicator 2 (2021): coherence ``C = Σ A_Gi² ÷ (Σ A_Gi)² × 100``, %."""
    return groups.sum_of_squares / groups.grouped_ha**2 * 100.0


def mesh_after_adding(groups: MeshGroups, added_ha: float, *, to_group: int | None) -> float:
    """I2 (ha) once ``added_ha`` of natural land joins the group of rank ``to_group`` (0 = largest), or forms an
    isolated group of its own (``to_group=None``): ``(S − A_k² + (A_k + ΔA)²) ÷ (A_total + g·ΔA)``, resp.
    ``(S + ΔA²) ÷ (A_total + g·ΔA)``."""
    return _sum_of_squares_after(groups, added_ha, to_group) / (groups.total_ha + groups.total_grows * added_ha)


def coherence_after_adding(groups: MeshGroups, added_ha: float, *, to_group: int | None) -> float:
    """SI 2021 I2 (%) once ``added_ha`` joins the group of rank ``to_group`` (None: an isolated group):
    ``S' ÷ (Σ A_Gi + ΔA)² × 100``."""
    return _sum_of_squares_after(groups, added_ha, to_group) / (groups.grouped_ha + added_ha) ** 2 * 100.0


def mesh_after_joining(groups: MeshGroups, first: int, second: int) -> float:
    """I2 (ha) once the groups of ranks ``first`` and ``second`` become one (a link closing the gap between them):
    ``(A_i + A_j)² − A_i² − A_j² = 2·A_i·A_j`` is added to S, so ``MESH' = MESH + 2·A_i·A_j ÷ A_total``; the link's
    own area is left out (it would add to both S and, with ``natural``, A_total)."""
    if first == second:
        raise ValueError("a group cannot be joined to itself")
    areas = [groups.group(rank) for rank in (first, second)]
    if None in areas:
        raise ValueError(f"there are only {len(groups.areas_ha)} groups")
    return (groups.sum_of_squares + 2.0 * areas[0] * areas[1]) / groups.total_ha


def area_to_reach_mesh(groups: MeshGroups, target_ha: float, *, to_group: int = 0) -> float | None:
    """The smallest ΔA (ha) of natural land that, joining the group of rank ``to_group``, makes I2 ≥ ``target_ha``.

    The smallest non-negative ΔA with ``ΔA² + (2·A_k − g·T)·ΔA + (S − T·A_total) ≥ 0`` (module docstring); 0 when
    I2 already reaches the target, None when there is no group of that rank. Every larger ΔA reaches it too. The
    root is moved up by the floating-point steps it may fall short, so that :func:`mesh_after_adding` with it gives
    at least the target.
    """
    area = groups.group(to_group)
    if area is None:
        return None
    s, total = groups.sum_of_squares, groups.total_ha
    root = smallest_root_from(1.0, 2.0 * area - groups.total_grows * target_ha, s - target_ha * total)
    return _sufficient(root, lambda added: mesh_after_adding(groups, added, to_group=to_group) >= target_ha)


def area_to_reach_coherence(groups: MeshGroups, target_percent: float, *, to_group: int = 0) -> float | None:
    """The smallest ΔA (ha) joining the group of rank ``to_group`` that makes the coherence ≥ ``target_percent``:
    ``(1 − c)·ΔA² + 2·(A_k − c·N)·ΔA + (S − c·N²) ≥ 0``; 0 when reached, None without such a group, ``inf`` when
    no area suffices (c ≥ 1 with more than one group)."""
    area = groups.group(to_group)
    if area is None:
        return None
    c, n, s = target_percent / 100.0, groups.grouped_ha, groups.sum_of_squares
    root = smallest_root_from(1.0 - c, 2.0 * (area - c * n), s - c * n * n)
    return _sufficient(root, lambda added: coherence_after_adding(groups, added, to_group=to_group) >= target_percent)


def smallest_root_from(a: float, b: float, c: float) -> float:
    """The smallest x ≥ 0 from which ``a·x² + b·x + c ≥ 0`` holds for every larger x.

    0 when ``c ≥ 0`` (x = 0 already satisfies it: the target is reached); otherwise, for ``a > 0``, the positive
    root (the roots' product c/a is negative), computed without cancellation: ``−2c ÷ (b + √(b² − 4ac))`` for
    b ≥ 0, ``(−b + √(b² − 4ac)) ÷ 2a`` for b < 0. With ``a = 0`` it is ``−c/b`` for b > 0; ``inf`` when the
    expression never becomes non-negative.
    """
    if c >= 0:
        return 0.0
    if a < 0 or (a == 0 and b <= 0):
        return math.inf
    if a == 0:
        return -c / b
    root = math.sqrt(b * b - 4.0 * a * c)
    return -2.0 * c / (b + root) if b >= 0 else (-b + root) / (2.0 * a)


def _sufficient(root: float, reaches: Callable[[float], bool]) -> float:
    """The root, moved up by the rounding it may fall short of the target when I2 is computed again with it
    (500.99999999999994 ha scores 1 point, not 2), so that the area returned always suffices: steps from one unit
    in the last place, doubling, so the move stays within the floating-point noise of the formula."""
    if not math.isfinite(root):
        return root
    step = math.ulp(root) if root > 0 else math.ulp(1.0)
    for _ in range(128):
        if reaches(root):
            return root
        root, step = root + step, 2.0 * step
    raise ArithmeticError(f"no floating-point area near {root} reaches the target")


def _sum_of_squares_after(groups: MeshGroups, added_ha: float, to_group: int | None) -> float:
    s = groups.sum_of_squares
    if to_group is None:
        return s + added_ha * added_ha
    area = groups.group(to_group)
    if area is None:
        raise ValueError(f"there is no group of rank {to_group} among {len(groups.areas_ha)} groups")
    return s + 2.0 * area * added_ha + added_ha * added_ha


# -------------------------------------------------------------------------------- texts of the scorecard


def value_after_adding(groups: MeshGroups, added_ha: float, *, to_group: int | None, kind: str) -> float:
    """I2 in its edition's unit once ``added_ha`` is added (:func:`mesh_after_adding` for ``kind="mesh"``, ha;
    :func:`coherence_after_adding` for ``"coherence"``, %)."""
    after = mesh_after_adding if kind == "mesh" else coherence_after_adding
    return after(groups, added_ha, to_group=to_group)


def area_to_reach(groups: MeshGroups, target: float, *, to_group: int, kind: str) -> float | None:
    """:func:`area_to_reach_mesh` (``kind="mesh"``) or :func:`area_to_reach_coherence` (``"coherence"``)."""
    reach = area_to_reach_mesh if kind == "mesh" else area_to_reach_coherence
    return reach(groups, target, to_group=to_group)


def describe_i2_advice(
    groups: MeshGroups,
    rule: IndicatorRule,
    value: float,
    *,
    next_step: Mapping[str, Any],
    kind: str,
    non_natural_ha: float | None,
) -> dict[str, Any]:
    """The natural area I2 needs to reach its next band: keys added to I2's ``next_band`` in the scorecard.

    Parameters
    ----------
    groups : MeshGroups
        The latest year's groups.
    rule : IndicatorRule
        The edition's I2 (effective mesh size in ha, or the 2021 coherence in %).
    value : float
        I2's value.
    next_step : dict
        I2's ``next_band`` (:func:`cbindex.scoring.next_band.describe_next_band`): ``threshold``,
        ``threshold_inclusive``, ``points_next``.
    kind : {"mesh", "coherence"}
        What I2 scores (:data:`I2_QUANTITIES`).
    non_natural_ha : float or None
        The city's land that is not natural (city area − natural area): the most natural area that can be added.

    Returns
    -------
    dict
        Empty in the top band. Else ``area_to_largest_group_ha`` (ΔA of :func:`area_to_reach_mesh` up to the
        threshold itself; with an exclusive threshold any more area reaches the band), ``area_to_second_group_ha``
        (None with one group), ``isolated_patch_mesh_ha`` and ``isolated_patch_value`` (I2 in ha and in its
        edition's unit with the same ΔA added as an isolated patch instead), ``largest_group_ha``,
        ``second_group_ha``, ``non_natural_area_ha``, ``reachable_by_adding_natural_area`` (ΔA fits in the land that
        is not natural), ``area_change_ha`` (= ΔA to the largest group), and in English and Chinese ``area_text``,
        e.g. "add 171 ha of natural area to the largest group (517 ha) to reach 2 points; the same area as an
        isolated patch would lower I2 to 380 ha (1 point)", and ``connectivity_text`` (the second-largest group).
        Printed amounts to add are rounded up (they suffice); areas and values reached are rounded to the nearest.
        Amounts that would not be finite are None (JSON has no infinity).
    """
    threshold = next_step.get("threshold")
    if threshold is None or not groups.areas_ha:
        return {}
    inclusive, points = bool(next_step["threshold_inclusive"]), next_step["points_next"]
    largest, second = groups.group(0), groups.group(1)
    to_largest = _finite(area_to_reach(groups, threshold, to_group=0, kind=kind))
    to_second = _finite(area_to_reach(groups, threshold, to_group=1, kind=kind))
    isolated = isolated_mesh = None
    if to_largest is not None:
        isolated_mesh = mesh_after_adding(groups, to_largest, to_group=None)
        isolated = value_after_adding(groups, to_largest, to_group=None, kind=kind)
    reachable = to_largest is not None and (non_natural_ha is None or to_largest <= non_natural_ha)
    result: dict[str, Any] = {
        "area_change_ha": to_largest,
        "area_to_largest_group_ha": to_largest,
        "area_to_second_group_ha": to_second,
        "isolated_patch_mesh_ha": isolated_mesh,
        "isolated_patch_value": isolated,
        "largest_group_ha": largest,
        "second_group_ha": second,
        "non_natural_area_ha": non_natural_ha,
        "reachable_by_adding_natural_area": reachable,
        "connectivity_text": None,
        "connectivity_text_zh": None,
    }
    largest_text = _about(largest)
    if not reachable:
        for language, suffix in zip(LANGUAGES, ("", "_zh"), strict=True):
            if to_largest is None:
                need = message("connectivity.no_area_suffices", language)
            else:
                key = "connectivity.largest_needs" if non_natural_ha is None else "connectivity.largest_needs_but_only"
                amount = _amount(to_largest, inclusive)
                non_natural = None if non_natural_ha is None else _about(non_natural_ha)
                need = message(key, language, largest=largest_text, amount=amount, non_natural=non_natural)
            result[f"area_text{suffix}"] = message(
                "connectivity.unreachable", language, points=points_text(language, points), need=need
            )
        return result
    amount = _amount(to_largest, inclusive)
    effects = _i2_change_phrases(rule, value, isolated)
    for language, effect in zip(LANGUAGES, effects, strict=True):
        result["area_text_zh" if language == "zh" else "area_text"] = message(
            "connectivity.add_to_largest",
            language,
            amount=amount,
            largest=largest_text,
            points=points_text(language, points),
            effect=effect,
        )
    if to_second is not None:
        beyond = non_natural_ha is not None and to_second > non_natural_ha
        key = "connectivity.add_to_second_beyond" if beyond else "connectivity.add_to_second"
        fields = {"amount": _amount(to_second, inclusive), "second": _about(second)}
        if beyond:
            fields["non_natural"] = _about(non_natural_ha)
        result["connectivity_text"], result["connectivity_text_zh"] = pair(key, **fields)
    return result


def describe_i2_effect(
    groups: MeshGroups,
    i2_rule: IndicatorRule,
    i2_value: float,
    *,
    added_ha: float,
    inclusive: bool = True,
    kind: str,
) -> dict[str, Any]:
    """What ``added_ha`` of natural area (I1's next band in hectares) does to I2, joined to the largest group or
    as an isolated patch: keys added to I1's ``next_band`` in the scorecard.

    Returns
    -------
    dict
        Empty unless ``added_ha > 0`` and there is a group; else ``i2_effect_area_ha`` (``added_ha`` as I1's
        ``area_text`` prints it: rounded up, one step beyond an exclusive band end with ``inclusive=False``),
        ``i2_if_added_to_largest_group`` and ``i2_if_isolated_patch`` (I2 in its edition's unit with that area,
        :func:`value_after_adding`), the points each scores (``i2_points_if_added_to_largest_group``,
        ``i2_points_if_isolated_patch``) and ``connectivity_text`` in English and Chinese, e.g. "these 188 ha added
        to the largest group (517 ha) would raise I2 to 511 ha (2 points); as an isolated patch they would lower I2
        to 380 ha (1 point)".
    """
    if not added_ha > 0 or not groups.areas_ha:
        return {}
    amount = _amount(added_ha, inclusive)
    printed = float(amount.replace(",", ""))
    joined = value_after_adding(groups, printed, to_group=0, kind=kind)
    isolated = value_after_adding(groups, printed, to_group=None, kind=kind)
    joined_en, joined_zh = _i2_change_phrases(i2_rule, i2_value, joined)
    isolated_en, isolated_zh = _i2_change_phrases(i2_rule, i2_value, isolated)
    largest = _about(groups.group(0))
    return {
        "i2_effect_area_ha": printed,
        "i2_if_added_to_largest_group": joined,
        "i2_if_isolated_patch": isolated,
        "i2_points_if_added_to_largest_group": _points(i2_rule, joined),
        "i2_points_if_isolated_patch": _points(i2_rule, isolated),
        "connectivity_text": message(
            "connectivity.i1_effect_on_i2", "en", amount=amount, largest=largest, joined=joined_en, isolated=isolated_en
        ),
        "connectivity_text_zh": message(
            "connectivity.i1_effect_on_i2", "zh", amount=amount, largest=largest, joined=joined_zh, isolated=isolated_zh
        ),
    }


def _finite(area: float | None) -> float | None:
    return area if area is not None and math.isfinite(area) else None


def _amount(area: float, inclusive: bool) -> str:
    """An area to add, printed so that it suffices: 3 significant digits rounded up (one step beyond an exclusive
    end), as :mod:`cbindex.scoring.next_band` prints every change to reach."""
    return _display(area, None, strictly_more=not inclusive)


def _about(amount: float) -> str:
    """An area or value reached, to the nearest of 3 significant digits (whole units from 100 on)."""
    decimals = 0 if amount == 0 else max(0, 2 - math.floor(math.log10(abs(amount))))
    text = f"{amount:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _points(rule: IndicatorRule, value: float) -> int | None:
    score = score_value(rule, value)
    return score.points if score.status == STATUS_SCORED else None


def _i2_change_phrases(rule: IndicatorRule, now: float, after: float) -> tuple[str, str]:
    """ "lower I2 to 380 ha (1 point)" / "I2 将降至 380 公顷（1 分）" (raise/升至, leave ... at/保持在)."""
    key = "connectivity.raise" if after > now else "connectivity.lower" if after < now else "connectivity.leave"
    points = _points(rule, after)
    phrases = []
    for language in LANGUAGES:
        unit = (rule.unit_zh or rule.unit) if language == "zh" else rule.unit
        change = message(key, language, id=rule.id, value=_about(after), unit=unit)
        if points is not None:
            change = message("connectivity.with_points", language, change=change, points=points_text(language, points))
        phrases.append(change)
    return phrases[0], phrases[1]
