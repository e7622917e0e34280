"""Scoring rule sets as data, and the engine that turns indicator values into points and a scorecard.

A rule set (``config/scoring/<id>.yaml``, schema ``cbindex/core/schemas/scoring.schema.yaml``) is one edition
of the Singapore Index: its components, its indicators and, per indicator, explicit 0–4 point bands (numeric)
or levels (categorical).  Every band carries its source and whether it was verified against the published
text, so the scorecard can say how firm each score is.  A missing value is "not assessed", never 0 points.

A rule set may be built on another (``extends``, e.g. the Chinese edition on si-2014), may leave its maximum
unknown (``max_points: null``: the total is then out of 4 × the indicators included), and may map the workflow's
stage-table rows onto its own numbering (``input``, ``inputs_by_id``: si-2021 scores the 2021 coherence, row
``I2_coherence``, as its indicator I2).

Bands are intervals with explicit inclusive ends.  Coverage is checked on "cuts", the positions just before or
just after a number: the band ``[a, b)`` spans the cuts from (a, before) to (b, before), ``(a, b]`` from
(a, after) to (b, after).  Ordering cuts as tuples makes gaps and overlaps plain comparisons.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from cbindex.core.messages import pair, section

POINTS_PER_INDICATOR = 4
UNVERIFIED_BAND_STATUSES = ("recalled", "transcribed", "adapted")

STATUS_SCORED = "scored"
STATUS_NOT_ASSESSED = "not_assessed"
STATUS_NO_BANDS = "no_bands"
STATUS_EXCLUDED = "excluded"
STATUS_PARTIAL_COVERAGE = "partial_coverage"

STATUS_LABELS = {
    status: pair(f"status.{status}")
    for status in (STATUS_SCORED, STATUS_NOT_ASSESSED, STATUS_NO_BANDS, STATUS_EXCLUDED, STATUS_PARTIAL_COVERAGE)
}
"""Each status as (English, Chinese), from the message catalogue's ``status`` section."""

CUT_BEFORE, CUT_AFTER = 0, 1  # a cut lies just before or just after its number


_LABEL_WORDS = re.compile(r"^(?P<numbers>[^A-Za-z]*?)\s*(?P<words>[A-Za-z].*)?$")


def band_label_zh(label: str) -> str | None:
    """A printed band label in Chinese: the words after its numbers translated by the catalogue's ``band_units``.

    ``"12–19 species"`` → ``"12–19 种"``, ``"0.1–0.3 ha per 1000"`` → ``"0.1–0.3 公顷/千人"``, ``"> 20.0 %"`` stays;
    a whole label the section lists (``"no increase or a decrease (≤ 0)"``) is translated whole. None when the
    words are not in the section (the label then shows in English, which the no-English test reports).
    """
    units = {english: chinese for english, chinese in section("band_units").values()}
    if label in units:
        return units[label]
    match = _LABEL_WORDS.match(label)
    if match is None:
        return None
    words = match.group("words")
    if words is None:
        return label
    if words not in units:
        return None
    return f"{match.group('numbers')} {units[words]}".strip()


# -------------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Band:
    """One numeric scoring band: the interval from `min` to `max` and the points it awards.

    Attributes
    ----------
    points : int
        Points awarded, 0 to 4.
    min, max : float or None
        Interval ends; None means -infinity (`min`) or +infinity (`max`).
    min_inclusive, max_inclusive : bool
        Whether each finite end belongs to the band.
    label : str
        The band as printed in the edition, e.g. ``"7.0–13.9 %"``.
    source : str
        Where the band comes from and how sure it is.
    verified : bool
        True only when checked against the edition's published text.
    label_zh, note : str or None
        Chinese label (when not given: `label` with its words translated, :func:`band_label_zh`); remark on the
        chosen edges.
    """

    points: int
    min: float | None
    max: float | None
    min_inclusive: bool
    max_inclusive: bool
    label: str
    source: str
    verified: bool
    label_zh: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.label_zh is None:
            object.__setattr__(self, "label_zh", band_label_zh(self.label))

    @property
    def start_cut(self) -> tuple[float, int]:
        """Cut at which the band starts."""
        if self.min is None:
            return (-math.inf, CUT_BEFORE)
        return (self.min, CUT_BEFORE if self.min_inclusive else CUT_AFTER)

    @property
    def end_cut(self) -> tuple[float, int]:
        """Cut at which the band ends."""
        if self.max is None:
            return (math.inf, CUT_AFTER)
        return (self.max, CUT_AFTER if self.max_inclusive else CUT_BEFORE)

    def contains(self, value: float) -> bool:
        """Return whether `value` lies in the band."""
        return self.start_cut <= (value, CUT_BEFORE) and (value, CUT_AFTER) <= self.end_cut

    def describe(self) -> str:
        """Short text naming the band by its points and printed label, for messages."""
        return f"the {self.points}-point band ({self.label})"


@dataclass(frozen=True)
class Level:
    """One answer on the ladder of a categorical indicator.

    Attributes
    ----------
    points : int
        Points awarded, 0 to 4.
    value : str
        Machine key a city writes in its figures file.
    label, label_zh : str
        The answer in English and Simplified Chinese.
    source : str
        Where the level comes from and how sure it is.
    verified : bool
        True only when checked against the edition's published text.
    note : str or None
        Free-text remark.
    """

    points: int
    value: str
    label: str
    label_zh: str
    source: str
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class AreaEquivalent:
    """How a change of an indicator converts to hectares (schema ``$defs/area_equivalent``).

    ``hectares = change × quantities[per] ÷ divisor``; without `per` the indicator is already in hectares.
    """

    quantity: str
    quantity_zh: str
    per: str | None = None
    divisor: float | None = None


@dataclass(frozen=True)
class IndicatorRule:
    """Definition and scoring rule of one indicator, as read from a rule-set file.

    Attributes mirror the keys of ``cbindex/core/schemas/scoring.schema.yaml``; `source` is ``"spatial"``
    (derived by the workflow), ``"city"`` (supplied in the city's figures file) or ``"records"`` (derived from
    the city's species data when the sheet names it, else supplied in the figures file).  `input` names the
    stage-table row the indicator scores when it differs from the id; `area_equivalent` converts a change to
    hectares for the distance to the next band.  `included` is False when a city override leaves the indicator
    out of its scorecard.
    """

    id: str
    number: int
    name: str
    name_zh: str
    component: str
    unit: str
    kind: str
    source: str
    description: str
    bands_status: str
    bands: tuple[Band, ...] = ()
    levels: tuple[Level, ...] = ()
    unit_zh: str | None = None
    reverse_scale: bool = False
    integer: bool = False
    value_min: float | None = None
    value_max: float | None = None
    note: str | None = None
    input: str | None = None
    area_equivalent: AreaEquivalent | None = None
    included: bool = True

    @property
    def is_categorical(self) -> bool:
        """True when the indicator is scored with levels rather than numeric bands."""
        return self.kind == "categorical"

    @property
    def has_bands(self) -> bool:
        """True when the indicator has bands (numeric) or levels (categorical) to score with."""
        return bool(self.levels if self.is_categorical else self.bands)

    @property
    def level_keys(self) -> tuple[str, ...]:
        """Keys of the levels of a categorical indicator, in ladder order."""
        return tuple(level.value for level in self.levels)


@dataclass(frozen=True)
class Component:
    """A component of the index (a group of indicators) and its maximum points (None = not known)."""

    id: str
    name: str
    name_zh: str
    max_points: int | None
    note: str | None = None


@dataclass(frozen=True)
class RuleSet:
    """One edition of the index: components and indicators in report order.

    Attributes
    ----------
    id, name, name_zh, version, source : str
        Identity of the edition; `version` ends in ``"+city"`` once a city overrode some rules.
    max_points : int or None
        The edition's maximum total (e.g. 92); None when not known (see `total_max_points`).
    components : dict of str to Component
        Components by id, in report order.
    indicators : dict of str to IndicatorRule
        Indicators by id, in report order.
    overridden : tuple of str
        Ids of the indicators a city override changed.
    primary_language : str
        ``"en"`` or ``"zh"``: the language the edition is published in, which reports lead with.
    inputs_by_id : bool
        Whether an indicator without `input` scores the stage-table row of its own id.
    based_on : str or None
        Id of the rule set this one extends.
    note : str or None
        Remarks on the edition as a whole.
    """

    id: str
    name: str
    name_zh: str
    version: str
    source: str
    max_points: int | None
    components: dict[str, Component]
    indicators: dict[str, IndicatorRule]
    overridden: tuple[str, ...] = ()
    primary_language: str = "en"
    inputs_by_id: bool = True
    based_on: str | None = None
    note: str | None = None

    def indicators_of(self, component_id: str) -> list[IndicatorRule]:
        """Return the indicators of one component, in report order."""
        return [rule for rule in self.indicators.values() if rule.component == component_id]

    @property
    def total_max_points(self) -> int:
        """The maximum total: the edition's, or 4 × the included indicators when the edition's is not known."""
        if self.max_points is not None:
            return self.max_points
        return POINTS_PER_INDICATOR * sum(rule.included for rule in self.indicators.values())

    def component_max_points(self, component_id: str) -> int:
        """A component's maximum: the edition's, or 4 × its included indicators when not known."""
        declared = self.components[component_id].max_points
        if declared is not None:
            return declared
        return POINTS_PER_INDICATOR * sum(rule.included for rule in self.indicators_of(component_id))

    def quantity_of(self, indicator_id: str) -> str | None:
        """The stage-table row an indicator scores, or None when only the city's figures can give its value."""
        rule = self.indicators[indicator_id]
        if rule.input is not None:
            return rule.input
        return rule.id if self.inputs_by_id else None

    @functools.cached_property
    def _indicators_by_quantity(self) -> dict[str, str]:
        pairs = ((self.quantity_of(indicator_id), indicator_id) for indicator_id in self.indicators)
        return {quantity: indicator_id for quantity, indicator_id in pairs if quantity is not None}

    def indicator_for_quantity(self, quantity: str) -> str | None:
        """The id of the indicator that scores a stage-table row, or None for a supporting row."""
        return self._indicators_by_quantity.get(quantity)

    def table_name(self, quantity: str) -> str:
        """Name of a stage-table row in the scored table: its indicator id, or the row's own name when it is a
        supporting row, prefixed ``stage_`` when that name is also an indicator id of this rule set (si-2021's
        I2 is the coherence, so the stage row I2, the effective mesh size, becomes ``stage_I2``)."""
        indicator_id = self.indicator_for_quantity(quantity)
        if indicator_id is not None:
            return indicator_id
        return f"stage_{quantity}" if quantity in self.indicators else quantity


@dataclass(frozen=True)
class Score:
    """The outcome of scoring one value.

    Attributes
    ----------
    points : int or None
        Points awarded; None unless `status` is ``"scored"``.
    status : str
        ``"scored"``, ``"not_assessed"`` (no value), ``"no_bands"`` (bands unknown), ``"excluded"`` or
        ``"partial_coverage"`` (value kept, not scored: its land cover covers too little of the city).
    band_label, band_label_zh : str or None
        Printed label of the band or level that applied.
    band_min, band_max : float or None
        Ends of the numeric band that applied (None = infinite, or categorical).
    verified : bool or None
        Whether that band was verified against the published text.
    source : str or None
        Source of that band.
    """

    points: int | None
    status: str
    band_label: str | None = None
    band_label_zh: str | None = None
    band_min: float | None = None
    band_max: float | None = None
    verified: bool | None = None
    source: str | None = None


# -------------------------------------------------------------------------------- YAML and schema


# -------------------------------------------------------------------------------- loading


# -------------------------------------------------------------------------------- checks


# -------------------------------------------------------------------------------- scoring


# -------------------------------------------------------------------------------- overrides


# -------------------------------------------------------------------------------- scorecard
