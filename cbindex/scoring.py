"""Scoring rule sets as data, and the engine that turns indicator values into points and a scorecard.

A rule set (``config/scoring/<id>.yaml``, schema ``workflow/schemas/scoring.schema.yaml``) is one edition
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

import dataclasses
import functools
import itertools
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from cbindex import next_band
from cbindex.errors import CBIInputError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "workflow" / "schemas"
RULE_SET_SCHEMA_PATH = SCHEMA_DIR / "scoring.schema.yaml"

POINTS_PER_INDICATOR = 4
OVERRIDE_VERSION_SUFFIX = "+city"
UNVERIFIED_BAND_STATUSES = ("recalled", "transcribed", "adapted")

STATUS_SCORED = "scored"
STATUS_NOT_ASSESSED = "not_assessed"
STATUS_NO_BANDS = "no_bands"
STATUS_EXCLUDED = "excluded"

STATUS_LABELS = {
    STATUS_SCORED: ("scored", "已评分"),
    STATUS_NOT_ASSESSED: ("not assessed", "未评估"),
    STATUS_NO_BANDS: ("not scored: bands unknown", "未评分：评分区间未知"),
    STATUS_EXCLUDED: ("excluded by the city", "已被城市排除"),
}

_BEFORE, _AFTER = 0, 1  # a cut lies just before or just after its number
_MAX_MESSAGE_CHARS = 200


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
        Chinese label when it differs from `label`; remark on the chosen edges.
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

    @property
    def start_cut(self) -> tuple[float, int]:
        """Cut at which the band starts."""
        if self.min is None:
            return (-math.inf, _BEFORE)
        return (self.min, _BEFORE if self.min_inclusive else _AFTER)

    @property
    def end_cut(self) -> tuple[float, int]:
        """Cut at which the band ends."""
        if self.max is None:
            return (math.inf, _AFTER)
        return (self.max, _AFTER if self.max_inclusive else _BEFORE)

    def contains(self, value: float) -> bool:
        """Return whether `value` lies in the band."""
        return self.start_cut <= (value, _BEFORE) and (value, _AFTER) <= self.end_cut

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

    Attributes mirror the keys of ``workflow/schemas/scoring.schema.yaml``; `source` is ``"spatial"``
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
        ``"scored"``, ``"not_assessed"`` (no value), ``"no_bands"`` (bands unknown) or ``"excluded"``.
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


def read_yaml_file(path: str | Path, *, what: str) -> Any:
    """Read a YAML file, turning a missing file or bad syntax into one-sentence errors.

    Parameters
    ----------
    path : str or Path
        File to read.
    what : str
        What the file is, for messages, e.g. ``"Scoring rule set"``.

    Returns
    -------
    object
        The parsed document (None for an empty file).

    Raises
    ------
    CBIInputError
        If the file is missing, unreadable or not valid YAML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CBIInputError(f"{what} {path} does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CBIInputError(f"{what} {path} cannot be read ({error}); save it as UTF-8 text.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise CBIInputError(f"{what} {path} is not valid YAML{where} ({problem}); fix the syntax.") from None


@functools.cache
def _schema(schema_path: str) -> dict[str, Any]:
    with open(schema_path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def check_against_schema(
    document: Any, *, schema_path: str | Path, origin: str, definition: str | None = None
) -> None:
    """Validate a document against a YAML JSON Schema, raising one sentence naming the file and key.

    Parameters
    ----------
    document : object
        Parsed document.
    schema_path : str or Path
        Schema file (JSON Schema 2020-12 written in YAML).
    origin : str
        The file or config key the document came from, named in the message.
    definition : str, optional
        Validate against ``$defs/<definition>`` of the schema instead of the whole schema.

    Raises
    ------
    CBIInputError
        On the most relevant schema violation.
    """
    if document is None:
        raise CBIInputError(f"{origin} is empty; fill it in as {Path(schema_path).name} describes.")
    schema = _schema(str(schema_path))
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is None:
        return
    key = _describe_key(document, error.absolute_path)
    subject = f"key {key}" if key else "the top level"
    explanation = _schema_error_text(error, schema_name=Path(schema_path).name)
    raise CBIInputError(f"{origin}: {subject} {explanation}.")


def _describe_key(document: Any, path: Iterable[str | int]) -> str:
    """Dotted key path; list items that have an `id` are named by it, e.g. ``indicators[I3].bands[0]``."""
    parts: list[str] = []
    node = document
    for step in path:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            item_id = item.get("id") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item_id or step}]"]
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _schema_error_text(error: jsonschema.ValidationError, *, schema_name: str) -> str:
    """The clause after the key: what is wrong and how to fix it."""
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        return f"lacks the required key {missing[0]!r}; add it"
    if error.validator == "additionalProperties" and "properties" in error.schema:
        allowed = list(error.schema["properties"])
        unknown = [key for key in error.instance if key not in allowed]
        return f"has the unknown key {unknown[0]!r}; remove it or use only {', '.join(allowed)}"
    if error.validator == "not" and "required" in error.validator_value:
        keys = " and ".join(error.validator_value["required"])
        return f"must not contain {keys} together; keep only the one that fits"
    text = " ".join(error.message.split())
    if len(text) > _MAX_MESSAGE_CHARS:
        text = text[: _MAX_MESSAGE_CHARS - 1] + "…"
    return f"is invalid ({text}); correct it as {schema_name} describes"


# -------------------------------------------------------------------------------- loading


def load_rule_set(path: str | Path) -> RuleSet:
    """Load and check a scoring rule-set file.

    Parameters
    ----------
    path : str or Path
        A ``config/scoring/*.yaml`` file.

    Returns
    -------
    RuleSet
        Components and indicators in file order.

    Raises
    ------
    CBIInputError
        If the file (or the rule set it extends) is missing, breaks the schema, or its bands leave gaps or
        overlap, its components do not add up, or an indicator refers to an unknown component.
    """
    document, _ = _read_rule_set_document(Path(path), chain=())
    indicator_ids = [entry["id"] for entry in document["indicators"]]
    component_ids = [entry["id"] for entry in document["components"]]
    for kind, ids in (("indicator", indicator_ids), ("component", component_ids)):
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        if duplicates:
            raise CBIInputError(
                f"{path}: {kind} id {duplicates[0]} appears twice; give each {kind} its own id."
            )
    rule_set = RuleSet(
        id=document["id"],
        name=document["name"],
        name_zh=document["name_zh"],
        version=document["version"],
        source=document["source"],
        max_points=document["max_points"],
        components={entry["id"]: Component(**entry) for entry in document["components"]},
        indicators={entry["id"]: _indicator_rule(entry) for entry in document["indicators"]},
        primary_language=document.get("primary_language", "en"),
        inputs_by_id=document.get("inputs_by_id", True),
        based_on=document.get("based_on"),
        note=document.get("note"),
    )
    _raise_problems(rule_set_problems(rule_set), origin=str(path))
    return rule_set


def rule_set_files(path: str | Path) -> list[str]:
    """Return a rule-set file and the files it extends, nearest first (every file its scores depend on).

    Raises
    ------
    CBIInputError
        As :func:`load_rule_set`.
    """
    return [str(file) for file in _read_rule_set_document(Path(path), chain=())[1]]


def _read_rule_set_document(path: Path, *, chain: tuple[Path, ...]) -> tuple[dict[str, Any], list[Path]]:
    """The rule set's document, merged with the rule sets it extends, checked against the schema; and the files."""
    document = read_yaml_file(path, what="Scoring rule set")
    files = [path]
    if isinstance(document, dict) and "extends" in document:
        check_against_schema(document, schema_path=RULE_SET_SCHEMA_PATH, origin=str(path), definition="extension")
        name = document["extends"]["rule_set"]
        base_path = path.parent / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
        if not base_path.exists():
            raise CBIInputError(
                f"{path}: extends.rule_set {name} names {base_path}, which does not exist; put the base rule set "
                "there or give its path relative to this file."
            )
        if base_path.resolve() in (link.resolve() for link in (*chain, path)):
            raise CBIInputError(f"{path}: extends.rule_set {name} leads back to this file; break the cycle.")
        base, base_files = _read_rule_set_document(base_path, chain=(*chain, path))
        document, files = _merged_document(base, document), files + base_files
    check_against_schema(document, schema_path=RULE_SET_SCHEMA_PATH, origin=str(path))
    return document, files


def _merged_document(base: Mapping[str, Any], extension: Mapping[str, Any]) -> dict[str, Any]:
    """Apply an extension to its base: its own identity, the base's entries changed or extended by its own.

    The base's bands and levels are kept, marked ``bands_status`` adapted with the extension's band source
    appended, or dropped (``bands_status`` unknown), as ``extends.bands_status`` says.
    """
    extends = extension["extends"]
    inherited = [_inherited_indicator(entry, **extends) for entry in base["indicators"]]
    merged = {key: value for key, value in extension.items() if key not in ("extends", "components", "indicators")}
    merged["based_on"] = base["id"]
    merged["components"] = _merged_entries(base["components"], extension.get("components", ()))
    merged["indicators"] = _merged_entries(inherited, extension.get("indicators", ()))
    return merged


def _inherited_indicator(
    entry: Mapping[str, Any], *, rule_set: str, bands_status: str, band_source: str
) -> dict[str, Any]:
    entry = dict(entry)
    key = "levels" if entry["kind"] == "categorical" else "bands"
    if not entry.get(key):
        return entry
    if bands_status == "unknown":
        return {**entry, key: [], "bands_status": "unknown"}
    kept = [{**band, "source": f"{band['source']}; {band_source}", "verified": False} for band in entry[key]]
    return {**entry, key: kept, "bands_status": bands_status}


def _merged_entries(base: Iterable[Mapping[str, Any]], changes: Iterable[Mapping[str, Any]]) -> list[dict]:
    merged = {entry["id"]: dict(entry) for entry in base}
    for change in changes:
        merged[change["id"]] = {**merged.get(change["id"], {}), **change}
    return list(merged.values())


def _indicator_rule(entry: Mapping[str, Any]) -> IndicatorRule:
    area = entry.get("area_equivalent")
    return IndicatorRule(
        **{
            **entry,
            "bands": tuple(Band(**band) for band in entry.get("bands", ())),
            "levels": tuple(Level(**level) for level in entry.get("levels", ())),
            "area_equivalent": AreaEquivalent(**area) if area else None,
        }
    )


def _raise_problems(problems: Sequence[str], *, origin: str) -> None:
    if not problems:
        return
    others = len(problems) - 1
    more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
    raise CBIInputError(f"{origin}: {problems[0]}{more}.")


# -------------------------------------------------------------------------------- checks


def band_coverage_problems(indicator_rule: IndicatorRule) -> list[str]:
    """List gaps and overlaps of an indicator's bands over its value range.

    The value range is ``[value_min, value_max]`` (each end infinite when not set).  Categorical indicators
    are checked for duplicate level keys instead; an indicator without bands has nothing to cover.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        The indicator to check.

    Returns
    -------
    list of str
        One message per problem, each naming the indicator and the fix; empty when every value of the range
        falls in exactly one band.
    """
    rule = indicator_rule
    if rule.is_categorical:
        keys = rule.level_keys
        return [
            f"{rule.id}: level key {key} appears more than once; give each level its own key"
            for key in sorted({key for key in keys if keys.count(key) > 1})
        ]
    if not rule.bands:
        return []
    range_start, range_end = _value_range_cuts(rule)
    if range_start >= range_end:
        return [f"{rule.id}: value_min {rule.value_min} lies above value_max {rule.value_max}; swap them"]
    problems: list[str] = []
    spans = []
    for band in rule.bands:
        if band.start_cut >= band.end_cut:
            problems.append(f"{rule.id}: {band.describe()} is empty; check its min, max and inclusive ends")
            continue
        start, end = max(band.start_cut, range_start), min(band.end_cut, range_end)
        if start >= end:
            problems.append(
                f"{rule.id}: {band.describe()} lies outside the value range "
                f"{_region(range_start, range_end)}; remove it or widen value_min/value_max"
            )
            continue
        spans.append((start, end, band))
    if not spans:
        return problems
    cursor, previous = range_start, None
    for start, end, band in sorted(spans, key=lambda span: span[:2]):
        if start > cursor:
            where = f"between {previous.describe()} and" if previous else "below"
            after = f" {where} {band.describe()}"
            problems.append(f"{rule.id}: no band covers {_region(cursor, start)}{after}; extend one of them")
        elif start < cursor:
            problems.append(
                f"{rule.id}: {previous.describe()} and {band.describe()} overlap on "
                f"{_region(start, min(cursor, end))}; shrink one so that they only meet"
            )
        if end > cursor:
            cursor, previous = end, band
    if cursor < range_end:
        problems.append(
            f"{rule.id}: no band covers {_region(cursor, range_end)} above {previous.describe()}; extend it"
        )
    return problems


def band_order_problems(indicator_rule: IndicatorRule) -> list[str]:
    """Check that points rise with the value, or fall when the indicator is flagged `reverse_scale`.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        A numeric indicator (categorical ones and ones without bands have no order to check).

    Returns
    -------
    list of str
        At most one message naming the indicator and the fix.
    """
    rule = indicator_rule
    points = [band.points for band in sorted(rule.bands, key=lambda band: (band.start_cut, band.end_cut))]
    pairs = list(itertools.pairwise(points))
    if rule.reverse_scale and any(higher > lower for lower, higher in pairs):
        return [f"{rule.id}: points rise with the value although reverse_scale is true; fix the points"]
    if not rule.reverse_scale and any(higher < lower for lower, higher in pairs):
        return [f"{rule.id}: points fall as the value rises; set reverse_scale: true or fix the points"]
    return []


def band_status_problems(indicator_rule: IndicatorRule) -> list[str]:
    """Check that `bands_status` agrees with the bands and with their `verified` flags.

    Returns
    -------
    list of str
        Messages naming the indicator and the fix.
    """
    rule = indicator_rule
    entries = rule.levels if rule.is_categorical else rule.bands
    status = rule.bands_status
    if status == "unknown":
        return [f"{rule.id}: bands_status is unknown but bands are given; set the status"] if entries else []
    if not entries:
        return [f"{rule.id}: has no bands although bands_status is {status}; add bands or mark them unknown"]
    if status == "verified" and not all(entry.verified for entry in entries):
        return [f"{rule.id}: bands_status is verified but a band says verified: false; make them agree"]
    if status in UNVERIFIED_BAND_STATUSES and any(entry.verified for entry in entries):
        return [f"{rule.id}: bands_status is {status} but a band says verified: true; make them agree"]
    return []


def indicator_problems(indicator_rule: IndicatorRule) -> list[str]:
    """All band problems of one indicator: coverage, order and status (see the three checks)."""
    return (
        band_coverage_problems(indicator_rule)
        + band_order_problems(indicator_rule)
        + band_status_problems(indicator_rule)
    )


def rule_set_problems(rule_set: RuleSet) -> list[str]:
    """Check a rule set as a whole: components add up and every indicator's bands are sound.

    Returns
    -------
    list of str
        Messages naming the key and the fix; empty when the rule set is consistent.
    """
    problems = []
    scored_quantities: dict[str, str] = {}
    for rule in rule_set.indicators.values():
        if rule.component not in rule_set.components:
            known = ", ".join(rule_set.components)
            problems.append(f"{rule.id}: component {rule.component} is not defined; use one of {known}")
        quantity = rule_set.quantity_of(rule.id)
        if quantity is not None and quantity in scored_quantities:
            problems.append(
                f"{rule.id} and {scored_quantities[quantity]} both score the stage-table row {quantity}; "
                "give one of them another input"
            )
        elif quantity is not None:
            scored_quantities[quantity] = rule.id
        problems += indicator_problems(rule)
    for component in rule_set.components.values():
        expected = POINTS_PER_INDICATOR * len(rule_set.indicators_of(component.id))
        if component.max_points is not None and component.max_points != expected:
            problems.append(
                f"component {component.id} has max_points {component.max_points} but its indicators give "
                f"{expected}; set max_points to {expected}"
            )
    if rule_set.max_points is not None:
        component_total = sum(rule_set.component_max_points(component) for component in rule_set.components)
        if rule_set.max_points != component_total:
            problems.append(
                f"max_points is {rule_set.max_points} but the components add up to {component_total}; "
                "make them agree"
            )
    return problems


def _value_range_cuts(rule: IndicatorRule) -> tuple[tuple[float, int], tuple[float, int]]:
    start = (-math.inf, _BEFORE) if rule.value_min is None else (rule.value_min, _BEFORE)
    end = (math.inf, _AFTER) if rule.value_max is None else (rule.value_max, _AFTER)
    return start, end


def _region(start: tuple[float, int], end: tuple[float, int]) -> str:
    """Interval text for the stretch between two cuts, e.g. ``(6.9, 7)``."""
    left = "[" if start[1] == _BEFORE and math.isfinite(start[0]) else "("
    right = "]" if end[1] == _AFTER and math.isfinite(end[0]) else ")"
    return f"{left}{start[0]:g}, {end[0]:g}{right}"


# -------------------------------------------------------------------------------- scoring


def is_missing(value: Any) -> bool:
    """True for None and NaN: the value was not assessed."""
    if value is None:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value)


def value_problem(indicator_rule: IndicatorRule, value: Any) -> str | None:
    """Say what is wrong with a (non-missing) value for an indicator, or None when it is acceptable.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        The indicator the value is for.
    value : float, int or str
        A number for numeric indicators, a level key for categorical ones.

    Returns
    -------
    str or None
        A clause naming the indicator, the problem and the fix (no final full stop).
    """
    rule = indicator_rule
    if rule.is_categorical:
        keys = ", ".join(rule.level_keys)
        if not isinstance(value, str):
            expected = f"one of the keys {keys}" if keys else "a text key"
            return f"{rule.id} is categorical, so its value must be {expected}, not {value!r}; quote it"
        if rule.levels and value not in rule.level_keys:
            return f"{rule.id} value {value!r} is not one of its levels; write one of {keys}"
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"{rule.id} must be a number in {rule.unit}, not {value!r}; write a number or null"
    if not math.isfinite(value):
        return f"{rule.id} must be a finite number, not {value!r}; write a number or null"
    if rule.integer and not float(value).is_integer():
        return f"{rule.id} counts {rule.unit}, so its value must be a whole number, not {value!r}; round it"
    below = rule.value_min is not None and value < rule.value_min
    above = rule.value_max is not None and value > rule.value_max
    if below or above:
        low = "-inf" if rule.value_min is None else f"{rule.value_min:g}"
        high = "+inf" if rule.value_max is None else f"{rule.value_max:g}"
        return f"{rule.id} must lie between {low} and {high} {rule.unit}, not {value!r}; check the figure"
    return None


def score_value(indicator_rule: IndicatorRule, value: Any, *, origin: str = "values") -> Score:
    """Score one value with one indicator's bands or levels.

    Parameters
    ----------
    indicator_rule : IndicatorRule
        The indicator.
    value : float, int, str or None
        The indicator's value; a level key for categorical indicators; None or NaN when not assessed.
    origin : str, optional
        Where the value came from, named in error messages.

    Returns
    -------
    Score
        ``excluded`` when a city override left the indicator out, ``no_bands`` when the bands are unknown,
        ``not_assessed`` for a missing value (points None, never 0), otherwise ``scored``.

    Raises
    ------
    CBIInputError
        If the value has the wrong type, lies outside the indicator's range or is not a known level.
    """
    rule = indicator_rule
    if not rule.included:
        return Score(points=None, status=STATUS_EXCLUDED)
    missing = is_missing(value)
    problem = None if missing else value_problem(rule, value)
    if problem is not None:
        raise CBIInputError(f"{origin}: {problem}.")
    if not rule.has_bands:
        return Score(points=None, status=STATUS_NO_BANDS)
    if missing:
        return Score(points=None, status=STATUS_NOT_ASSESSED)
    if rule.is_categorical:
        level = rule.levels[rule.level_keys.index(value)]
        return Score(
            points=level.points,
            status=STATUS_SCORED,
            band_label=level.label,
            band_label_zh=level.label_zh,
            verified=level.verified,
            source=level.source,
        )
    band = next((band for band in rule.bands if band.contains(value)), None)
    if band is None:
        raise CBIInputError(f"{origin}: {rule.id} value {value!r} is in no band; fix the bands of {rule.id}.")
    return Score(
        points=band.points,
        status=STATUS_SCORED,
        band_label=band.label,
        band_label_zh=band.label_zh,
        band_min=band.min,
        band_max=band.max,
        verified=band.verified,
        source=band.source,
    )


# -------------------------------------------------------------------------------- overrides


def load_overrides(path: str | Path) -> dict[str, Any]:
    """Read a city's scoring-overrides file (the city sheet's ``scoring_overrides`` column).

    Returns
    -------
    dict
        ``{indicator_id: {...}}`` as :func:`apply_overrides` takes it (checked there against the schema).

    Raises
    ------
    CBIInputError
        If the file is missing, not valid YAML or empty.
    """
    document = read_yaml_file(path, what="Scoring overrides file")
    if document is None:
        raise CBIInputError(
            f"Scoring overrides file {path} is empty; write indicator changes such as 'I18: {{bands: [...]}}' "
            "or clear the city's scoring_overrides column."
        )
    return document


def load_city_rule_set(rule_set_path: str | Path, *, overrides_path: str | Path | None = None) -> RuleSet:
    """The rule set a city is scored with: the file, changed by the city's scoring overrides when given."""
    rule_set = load_rule_set(rule_set_path)
    if overrides_path:
        rule_set = apply_overrides(rule_set, load_overrides(overrides_path), origin=str(overrides_path))
    return rule_set


def apply_overrides(
    rule_set: RuleSet, overrides: Mapping[str, Mapping[str, Any]] | None, *, origin: str = "scoring overrides"
) -> RuleSet:
    """Return a copy of a rule set with a city's local changes to some indicators.

    Parameters
    ----------
    rule_set : RuleSet
        The edition as loaded.
    overrides : dict
        ``{indicator_id: {"bands": [...]}}`` for numeric indicators, ``{"levels": [...]}`` for categorical
        ones, or ``{"include": False}`` to leave an indicator out (schema ``$defs/overrides``); ``name``,
        ``name_zh``, ``unit``, ``unit_zh`` and ``kind`` fill in an indicator the edition could not define.
    origin : str, optional
        The file or config key the overrides came from, named in error messages.

    Returns
    -------
    RuleSet
        The changed rule set, its version suffixed with ``"+city"`` and the changed ids in `overridden`; the
        same rule set when `overrides` is empty.  New bands get ``bands_status: city``.

    Raises
    ------
    CBIInputError
        If an id is unknown, bands are given for a categorical indicator (or levels for a numeric one), or the
        new bands break the schema or leave gaps or overlaps.
    """
    if not overrides:
        return rule_set
    check_against_schema(overrides, schema_path=RULE_SET_SCHEMA_PATH, origin=origin, definition="overrides")
    indicators = dict(rule_set.indicators)
    for indicator_id, change in overrides.items():
        if indicator_id not in indicators:
            raise CBIInputError(
                f"{origin}: {indicator_id} is not an indicator of {rule_set.id}; "
                f"use one of {', '.join(indicators)}."
            )
        indicators[indicator_id] = _overridden_rule(indicators[indicator_id], change, origin=origin)
        _raise_problems(indicator_problems(indicators[indicator_id]), origin=origin)
    version = rule_set.version
    if not version.endswith(OVERRIDE_VERSION_SUFFIX):
        version += OVERRIDE_VERSION_SUFFIX
    overridden = tuple(dict.fromkeys([*rule_set.overridden, *overrides]))
    return dataclasses.replace(rule_set, version=version, indicators=indicators, overridden=overridden)


def _overridden_rule(rule: IndicatorRule, change: Mapping[str, Any], *, origin: str) -> IndicatorRule:
    kind = change.get("kind", rule.kind)
    expected_key, wrong_key = ("levels", "bands") if kind == "categorical" else ("bands", "levels")
    if wrong_key in change:
        raise CBIInputError(f"{origin}: {rule.id} is {kind}, so override it with {expected_key}, not {wrong_key}.")
    updates: dict[str, Any] = {key: change[key] for key in ("name", "name_zh", "unit", "unit_zh") if key in change}
    if kind != rule.kind:
        updates.update(kind=kind, bands=(), levels=(), bands_status="unknown")
    if "bands" in change:
        updates.update(bands=tuple(Band(**band) for band in change["bands"]), bands_status="city")
    if "levels" in change:
        updates.update(levels=tuple(Level(**level) for level in change["levels"]), bands_status="city")
    if "include" in change:
        updates["included"] = change["include"]
    if "note" in change:
        updates["note"] = change["note"]
    return dataclasses.replace(rule, **updates)


# -------------------------------------------------------------------------------- scorecard


def build_scorecard(
    rule_set: RuleSet,
    *,
    values: Mapping[str, float | int | str | None],
    methods: Mapping[str, str] | None = None,
    quantities: Mapping[str, float] | None = None,
    origin: str = "values",
) -> dict[str, Any]:
    """Score every indicator of a rule set and total the points per component and overall.

    Parameters
    ----------
    rule_set : RuleSet
        The (possibly overridden) rule set.
    values : dict
        Indicator id to value; ids left out, None and NaN are "not assessed" (never 0 points).
    methods : dict, optional
        Indicator id to a short text on how the value was obtained (data set, option, city source).
    quantities : dict, optional
        Stage-table rows of the city (``city_area``, ``natural_area``, ``terrestrial_area``, ``population``),
        to give the distance to the next band in hectares too.
    origin : str, optional
        Where the values came from, named in error messages.

    Returns
    -------
    dict
        JSON-ready: ``rule_set`` (id, names, version, source, note, based_on, primary_language, overridden,
        max_points — None when the edition's is not known), ``indicators`` (one row per indicator: id, number,
        name, name_zh, component, unit, unit_zh, derived_by, value, points, status, status_label,
        status_label_zh, band_label, band_label_zh, band_min, band_max, verified, source, bands_status, method,
        next_band — see :func:`cbindex.next_band.describe_next_band`; None unless a numeric value was scored),
        ``components`` (points, assessed_max = 4 × scored, max_points, max_points_known), ``totals`` (points,
        assessed_max, max_points — the edition's, or 4 × the included indicators when ``max_points_known`` is
        false —, share_of_assessed and share_of_max in %, indicators_scored, indicators_not_assessed,
        indicators_without_bands, indicators_excluded, any_unverified_bands — true when a score rests on an
        unverified band) and plain-language ``notes`` / ``notes_zh``.

    Raises
    ------
    CBIInputError
        If `values` or `methods` name an unknown indicator or a value is invalid.
    """
    methods = methods or {}
    for mapping_name, mapping in (("values", values), ("methods", methods)):
        unknown = [key for key in mapping if key not in rule_set.indicators]
        if unknown:
            raise CBIInputError(
                f"{origin}: {mapping_name} name {unknown[0]}, which is not an indicator of {rule_set.id}; "
                f"use one of {', '.join(rule_set.indicators)}."
            )
    rows = [
        _indicator_row(rule, values.get(rule.id), method=methods.get(rule.id), quantities=quantities, origin=origin)
        for rule in rule_set.indicators.values()
    ]
    components = [
        _points_summary(rows, component, max_points=rule_set.component_max_points(component.id))
        for component in rule_set.components.values()
    ]
    totals = _points_summary(rows, None)
    totals.update(
        max_points=rule_set.total_max_points,
        max_points_known=rule_set.max_points is not None,
        share_of_max=_percent(totals["points"], rule_set.total_max_points),
        indicators_not_assessed=_count_status(rows, STATUS_NOT_ASSESSED),
        indicators_without_bands=_count_status(rows, STATUS_NO_BANDS),
        indicators_excluded=_count_status(rows, STATUS_EXCLUDED),
        any_unverified_bands=any(row["status"] == STATUS_SCORED and not row["verified"] for row in rows),
    )
    notes, notes_zh = _scorecard_notes(rule_set, rows, totals)
    return {
        "rule_set": {
            "id": rule_set.id,
            "name": rule_set.name,
            "name_zh": rule_set.name_zh,
            "version": rule_set.version,
            "source": rule_set.source,
            "note": rule_set.note,
            "based_on": rule_set.based_on,
            "primary_language": rule_set.primary_language,
            "overridden": list(rule_set.overridden),
            "max_points": rule_set.max_points,
        },
        "indicators": rows,
        "components": components,
        "totals": totals,
        "notes": notes,
        "notes_zh": notes_zh,
    }


def _indicator_row(
    rule: IndicatorRule, value: Any, *, method: str | None, quantities: Mapping[str, float] | None, origin: str
) -> dict[str, Any]:
    score = score_value(rule, value, origin=origin)
    status_label, status_label_zh = STATUS_LABELS[score.status]
    scored_number = score.status == STATUS_SCORED and not rule.is_categorical
    return {
        "id": rule.id,
        "number": rule.number,
        "name": rule.name,
        "name_zh": rule.name_zh,
        "component": rule.component,
        "unit": rule.unit,
        "unit_zh": rule.unit_zh,
        "derived_by": rule.source,
        "value": _plain_value(value),
        "points": score.points,
        "status": score.status,
        "status_label": status_label,
        "status_label_zh": status_label_zh,
        "band_label": score.band_label,
        "band_label_zh": score.band_label_zh,
        "band_min": score.band_min,
        "band_max": score.band_max,
        "verified": score.verified,
        "source": score.source,
        "bands_status": rule.bands_status,
        "method": method,
        "next_band": next_band.describe_next_band(rule, value, quantities=quantities) if scored_number else None,
    }


def _plain_value(value: Any) -> float | int | str | None:
    """Value as a plain JSON type (numpy numbers become int or float, NaN becomes None)."""
    if is_missing(value):
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def _points_summary(
    rows: Sequence[dict[str, Any]], component: Component | None, *, max_points: int | None = None
) -> dict[str, Any]:
    """Points, assessed maximum and counts over one component's rows (all rows when `component` is None);
    `max_points` is the component's maximum."""
    selected = [row for row in rows if component is None or row["component"] == component.id]
    scored = [row for row in selected if row["status"] == STATUS_SCORED]
    points = sum(row["points"] for row in scored)
    assessed_max = POINTS_PER_INDICATOR * len(scored)
    summary: dict[str, Any] = {}
    if component is not None:
        summary.update(id=component.id, name=component.name, name_zh=component.name_zh)
    summary.update(
        points=points,
        assessed_max=assessed_max,
        share_of_assessed=_percent(points, assessed_max),
        indicators_scored=len(scored),
    )
    if component is not None:
        summary.update(max_points=max_points, max_points_known=component.max_points is not None,
                       share_of_max=_percent(points, max_points))
    return summary


def _percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _count_status(rows: Sequence[dict[str, Any]], status: str) -> int:
    return sum(row["status"] == status for row in rows)


def _ids_with_status(rows: Sequence[dict[str, Any]], status: str) -> list[str]:
    return [row["id"] for row in rows if row["status"] == status]


def _ids_text(ids: Sequence[str], *, order: Sequence[str]) -> str:
    """Indicator ids with runs of three or more neighbours (in `order`) shortened, e.g. ``I1–I8, I10``."""
    positions = [order.index(indicator_id) for indicator_id in ids]
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{order[run[0]]}–{order[run[-1]]}")
        else:
            parts.extend(order[position] for position in run)
    return ", ".join(parts)


def _indicators_phrase(ids_text: str, count: int) -> str:
    return f"{count} {'indicator' if count == 1 else 'indicators'} ({ids_text})"


_BAND_STATUS_NOTES = {
    "adapted": (
        "Bands of {phrase} are carried over from {base}, which this edition adapts, and are not verified for "
        "it; their points are provisional.",
        "{count} 项指标（{ids}）的评分区间沿用自本版本所改编的 {base}，未针对本版本核实，其得分仅供参考。",
    ),
    "recalled": (
        "Bands of {phrase} of the {edition} are recalled, not verified against the published text; "
        "their points are provisional.",
        "{edition_zh}中 {count} 项指标（{ids}）的评分区间系凭回忆整理，未与出版原文核对，其得分仅供参考。",
    ),
    "transcribed": (
        "Bands of {phrase} of the {edition} are taken from a third party's transcription, not checked "
        "against the published text.",
        "{edition_zh}中 {count} 项指标（{ids}）的评分区间转引自第三方转录，未与出版原文核对。",
    ),
    "city": (
        "Bands of {phrase} were set by the city for local use, not taken from the {edition}.",
        "{count} 项指标（{ids}）的评分区间由城市为本地使用自行设定，并非取自{edition_zh}。",
    ),
}

_STATUS_NOTES = {
    STATUS_NO_BANDS: (
        "{phrase} {has} no known bands and {is_} not scored unless the city configures bands.",
        "{count} 项指标（{ids}）没有已知的评分区间，除非城市自行设定，否则不评分。",
    ),
    STATUS_NOT_ASSESSED: (
        "{phrase} {was} not assessed for lack of a value, which counts as not assessed, not as 0 points.",
        "{count} 项指标（{ids}）缺少数据，未评估；未评估不计为 0 分。",
    ),
    STATUS_EXCLUDED: (
        "{phrase} {was} excluded by the city and {is_} not counted.",
        "{count} 项指标（{ids}）已被城市排除，不计入总分。",
    ),
}


def _scorecard_notes(
    rule_set: RuleSet, rows: Sequence[dict[str, Any]], totals: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """Plain-language notes in English and Chinese on the rules used, their firmness and the totals."""
    order = list(rule_set.indicators)
    notes = [f"Scored with rule set {rule_set.id}, version {rule_set.version}: {rule_set.name}."]
    notes_zh = [f"评分规则：{rule_set.name_zh}，规则集 {rule_set.id}，版本 {rule_set.version}。"]
    if rule_set.overridden:
        ids = _ids_text(rule_set.overridden, order=order)
        notes.append(
            f"The city changed the rules of {ids} for local use, so the totals are not comparable with other "
            "cities scored with the published rules."
        )
        notes_zh.append(
            f"城市为本地使用修改了 {ids} 的评分规则，因此总分不能与采用已发布规则的其他城市直接比较。"
        )
    included = [rule for rule in rule_set.indicators.values() if rule.included and rule.has_bands]
    for bands_status, (english, chinese) in _BAND_STATUS_NOTES.items():
        ids = [rule.id for rule in included if rule.bands_status == bands_status]
        if ids:
            ids_text = _ids_text(ids, order=order)
            notes.append(english.format(phrase=_indicators_phrase(ids_text, len(ids)), edition=rule_set.name,
                                        base=rule_set.based_on))
            notes_zh.append(chinese.format(count=len(ids), ids=ids_text, edition_zh=rule_set.name_zh,
                                           base=rule_set.based_on))
    for status, (english, chinese) in _STATUS_NOTES.items():
        ids = _ids_with_status(rows, status)
        if ids:
            ids_text = _ids_text(ids, order=order)
            single = len(ids) == 1
            notes.append(english.format(phrase=_indicators_phrase(ids_text, len(ids)), has="has" if single else "have",
                                        is_="is" if single else "are", was="was" if single else "were"))
            notes_zh.append(chinese.format(count=len(ids), ids=ids_text))
    maximum, maximum_zh = _maximum_phrases(rule_set)
    scored = totals["indicators_scored"]
    if scored:
        notes.append(
            f"Total: {totals['points']} of {totals['assessed_max']} points over the {scored} indicators "
            f"scored ({totals['share_of_assessed']} %); {maximum}."
        )
        notes_zh.append(
            f"总分：已评分的 {scored} 项指标共得 {totals['points']} 分（满分 {totals['assessed_max']} 分，"
            f"{totals['share_of_assessed']}%）；{maximum_zh}。"
        )
    else:
        notes.append(f"No indicator was scored; {maximum}.")
        notes_zh.append(f"没有指标得到评分；{maximum_zh}。")
    return notes, notes_zh


def _maximum_phrases(rule_set: RuleSet) -> tuple[str, str]:
    """The clause on the edition's maximum, in English and Chinese."""
    total = rule_set.total_max_points
    if rule_set.max_points is not None:
        return f"the edition's maximum is {total} points", f"该版本满分为 {total} 分"
    count = total // POINTS_PER_INDICATOR
    return (
        f"the edition's maximum is not known, so the maximum used is {POINTS_PER_INDICATOR} points × {count} "
        f"indicators included = {total} points",
        f"该版本满分未知，按 {POINTS_PER_INDICATOR} 分 × {count} 项纳入的指标计，满分为 {total} 分",
    )
