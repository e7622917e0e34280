"""The score as it may be quoted: never a bare number, always with what was assessed, in English and Chinese.

``15 of 16 assessed points · 4 of 23 indicators assessed · 16 % of the edition's 92`` /
``已评估部分满分 16 分，得 15 分 · 23 项指标中已评估 4 项 · 占本版本满分 92 分的 16%``, from a scorecard's totals
and its number of indicators (:func:`cbindex.scoring.scorecard.build_scorecard`). The report's summary box and the
scorecard workbook print it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cbindex.core.messages import message
from cbindex.scoring.rules import POINTS_PER_INDICATOR

SEPARATOR = " · "
"""Between the parts of a headline."""


def _words(key: str, language: str, **values: Any) -> str:
    return message(f"headline.{key}", language, **values)


def whole_percent(part: float, whole: float | None, *, language: str) -> str:
    """``part`` as a whole percentage of ``whole``: ``16 %`` (``16%`` in Chinese), a dash when ``whole`` is 0.

    Never rounded to a claim the numbers do not make: a share above 0 and below 1 % prints as ``< 1 %``, one
    above 99 % and short of the whole as ``> 99 %``.
    """
    if not whole:
        return "—"
    share = 100.0 * part / whole
    if 0 < share < 1:
        number = "< 1"
    elif 99 < share < 100:
        number = "> 99"
    else:
        number = str(math.floor(share + 0.5))
    return f"{number}%" if language == "zh" else f"{number} %"


def headline_parts(scorecard: Mapping[str, Any], *, language: str, points: str | None = None) -> list[str]:
    """The score with its coverage in three parts, to be joined with :data:`SEPARATOR`.

    Parameters
    ----------
    scorecard : dict
        ``scorecard.json``: its ``totals`` (points, assessed_max, indicators_scored, indicators_excluded,
        max_points, max_points_known) and ``indicators`` (the edition's, those the city excluded left out of the
        count).
    language : {"en", "zh"}
    points : str, optional
        What to print for the points (the report passes a placeholder it marks up); the number by default.

    Returns
    -------
    list of str
        Points out of the assessed maximum (or that nothing was scored), indicators assessed out of those
        counted, and the share of the edition's maximum; an edition whose maximum is not known says how the
        maximum used is made (4 points × the indicators included).
    """
    totals = scorecard["totals"]
    points_text = str(totals["points"]) if points is None else points
    scored = totals["indicators_scored"]
    if scored:
        first = _words("points", language, points=points_text, assessed=totals["assessed_max"])
    else:
        first = _words("nothing_scored", language, points=points_text)
    indicators = len(scorecard["indicators"]) - totals.get("indicators_excluded", 0)
    second = _words("indicators", language, scored=scored, indicators=indicators)
    share = whole_percent(totals["points"], totals["max_points"], language=language)
    if totals.get("max_points_known", True):
        third = _words("maximum", language, share=share, maximum=totals["max_points"])
    else:
        count = totals["max_points"] // POINTS_PER_INDICATOR
        third = _words(
            "maximum_unknown",
            language,
            share=share,
            maximum=totals["max_points"],
            per=POINTS_PER_INDICATOR,
            count=count,
        )
    return [first, second, third]


def headline(scorecard: Mapping[str, Any], *, language: str) -> str:
    """The whole headline on one line (:func:`headline_parts` joined)."""
    return SEPARATOR.join(headline_parts(scorecard, language=language))
