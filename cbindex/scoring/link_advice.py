"""Which candidate links would raise SI indicator 2 (connectivity) to its next band, and by how much.

The land-cover stage writes every candidate link of a year (layer ``candidate_links`` of
``connectivity_groups.gpkg``, :mod:`cbindex.landcover.links`): two groups of natural patches at most
``method.link_search_m`` apart and the effective mesh size once they are one, ``MESH' = MESH + 2·A_a·A_b ÷ A_total``
(the corridor's own area not counted). Here each link gets I2 after it in its edition's unit (SI 2014: MESH' in
ha; SI 2021: the coherence ``C' = (S + 2·A_a·A_b) ÷ N² × 100`` with S = Σ A_Gi², N = Σ A_Gi) and the points that
scores; the scorecard lists the best links (:data:`TOP_LINKS`) and says which single link reaches the next band.
Links are taken one at a time: two links together may gain more than their sum when they share a group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from cbindex.core.messages import message, pair
from cbindex.scoring.connectivity_advice import MeshGroups, _about, _points
from cbindex.scoring.next_band import points_text

if TYPE_CHECKING:
    from cbindex.scoring.rules import IndicatorRule

TOP_LINKS = 10
"""How many of the best links the scorecard and the report list (all are in the GeoPackage)."""


@dataclass(frozen=True)
class CandidateLink:
    """One row of the ``candidate_links`` layer (ids as in ``connectivity_groups``; lengths in m, areas in ha)."""

    link_id: int
    group_a: int
    group_b: int
    length_m: float
    area_a_ha: float
    area_b_ha: float
    gain_ha: float
    mesh_after_ha: float
    classes_crossed: str = ""
    classes_crossed_zh: str = ""
    crosses_barrier: bool | None = None


FLOAT_FIELDS = ("length_m", "area_a_ha", "area_b_ha", "gain_ha", "mesh_after_ha")
"""The :class:`CandidateLink` fields that are numbers with a unit (m, ha)."""


def value_after_link(groups: MeshGroups, link: CandidateLink, *, kind: str) -> float:
    """I2 once the link's two groups are one: ``mesh_after_ha`` for ``kind="mesh"``; for ``"coherence"``
    ``(S + 2·A_a·A_b) ÷ N² × 100`` (%)."""
    if kind == "mesh":
        return link.mesh_after_ha
    return (groups.sum_of_squares + 2.0 * link.area_a_ha * link.area_b_ha) / groups.grouped_ha**2 * 100.0


def describe_links(
    links: Sequence[CandidateLink],
    groups: MeshGroups,
    rule: IndicatorRule,
    *,
    next_step: Mapping[str, Any] | None,
    kind: str,
    top: int = TOP_LINKS,
) -> dict[str, Any]:
    """The best links with I2 and its points after each, and which link reaches I2's next band.

    Parameters
    ----------
    links : sequence of CandidateLink
        Every candidate link of the latest year, best first.
    groups : MeshGroups
        The latest year's groups.
    rule : IndicatorRule
        The edition's I2.
    next_step : dict or None
        I2's ``next_band`` (``threshold``, ``threshold_inclusive``, ``points_next``; None or no threshold in the
        top band).
    kind : {"mesh", "coherence"}
        What I2 scores.
    top : int
        How many links to list.

    Returns
    -------
    dict
        ``count`` (all candidate links), ``top`` (the first ``top`` links, each the :class:`CandidateLink` fields
        plus ``value_after``, ``points_after``, ``reaches_next_band``), ``reaching_next_band`` (how many links
        reach it on their own), ``best_reaching`` (the shortest such link, None when none), and ``text`` /
        ``text_zh``, e.g. "joining groups 37 and 42 (517 ha and 472 ha), 1.34 km apart (link 1), would raise I2 to
        786 ha (2 points); 1 of the 294 candidate links reaches 2 points on its own".
    """
    threshold = None if next_step is None else next_step.get("threshold")
    points_next = None if next_step is None else next_step.get("points_next")

    def reaches(after: float) -> bool:
        if threshold is None:
            return False
        return after >= threshold if next_step["threshold_inclusive"] else after > threshold

    rows, reaching = [], []
    for rank, link in enumerate(links):
        after = value_after_link(groups, link, kind=kind)
        if reaches(after):
            reaching.append((link, after))
        if rank < top:
            rows.append(
                {
                    **asdict(link),
                    "value_after": after,
                    "points_after": _points(rule, after),
                    "reaches_next_band": reaches(after),
                }
            )
    best = min(reaching, key=lambda pair: (pair[0].length_m, pair[0].link_id), default=None)
    result: dict[str, Any] = {
        "count": len(links),
        "top": rows,
        "reaching_next_band": len(reaching) if threshold is not None else None,
        "best_reaching": None if best is None else best[0].link_id,
    }
    result["text"], result["text_zh"] = _texts(
        links, best, len(reaching), rule, groups=groups, points_next=points_next, kind=kind
    )
    return result


def _texts(
    links: Sequence[CandidateLink],
    best: tuple[CandidateLink, float] | None,
    n_reaching: int,
    rule: IndicatorRule,
    *,
    groups: MeshGroups,
    points_next: int | None,
    kind: str,
) -> tuple[str, str]:
    """The sentence naming the link to build, in English and Chinese (catalogue section ``links``)."""
    if not links:
        return pair("links.none")
    texts = []
    for language in ("en", "zh"):
        if best is not None:
            link, after = best
            key = "links.only_one_reaches" if n_reaching == 1 else "links.several_reach"
        else:
            link = links[0]
            after = value_after_link(groups, link, kind=kind)
            key = "links.best_in_top_band" if points_next is None else "links.none_reaches"
        texts.append(
            message(
                key,
                language,
                pair=_pair(link, language),
                id=rule.id,
                value=_value(rule, after, language),
                count=len(links),
                reaching=n_reaching,
                points="" if points_next is None else points_text(language, points_next),
            )
        )
    return texts[0], texts[1]


def _pair(link: CandidateLink, language: str) -> str:
    """ "groups 37 and 42 (517 ha and 472 ha), 1.34 km apart (link 1)"."""
    return message(
        "links.pair",
        language,
        a=link.group_a,
        b=link.group_b,
        area_a=_about(link.area_a_ha),
        area_b=_about(link.area_b_ha),
        distance=_distance(link.length_m, language),
        link=link.link_id,
    )


def _distance(metres: float, language: str) -> str:
    """A link's length: "1.34 km" from 1,000 m on, else "437 m"."""
    if metres >= 1000:
        return message("links.km", language, value=_about(metres / 1000))
    return message("links.m", language, value=_about(metres))


def _value(rule: IndicatorRule, after: float, language: str) -> str:
    """ "786 ha (2 points)": I2 after a link, with the points it scores."""
    unit = rule.unit if language == "en" else rule.unit_zh or rule.unit
    points = _points(rule, after)
    if points is None:
        return message("links.value", language, value=_about(after), unit=unit)
    return message("links.value_points", language, value=_about(after), unit=unit, points=points_text(language, points))
