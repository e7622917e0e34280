"""A city's species lists: net change in native species (SI 2014 indicators 4–8) and invasive share (10).

A species-list file is one table (CSV or tab-separated, UTF-8 or Latin-1) with one row per species, group and
survey.  Columns (English or Chinese headers, any case):

========== ============================================= ==================================================
column     aliases                                       values
========== ============================================= ==================================================
group      taxon_group, taxonomic_group, 类群, 类别        taxonomic group, e.g. ``vascular plants``, ``birds``
species    scientificName, scientific_name, name, 物种, 学名 species name
status     establishmentMeans, origin, 状态, 来源           ``native`` | ``introduced`` | ``invasive`` (and
                                                         :data:`cbindex.species.tables.STATUS_ALIASES`);
                                                         optional: without it every species is native
survey     list, 调查, 清单                                ``baseline`` (previous survey) | ``current``
                                                         (most recent survey); 基线 / 现状 also accepted
indicator  指标                                           optional: the change indicator of the group (I7,
                                                         I8 for the city's own groups); empty = by the
                                                         config's group names
========== ============================================= ==================================================

Names are matched by :func:`cbindex.species.tables.name_key` (white space trimmed and collapsed, case
ignored); synonyms are not resolved.  Exact duplicate rows are removed and counted; one species given two
statuses in the same group and survey is an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cbindex.core.errors import CBIInputError
from cbindex.core.indicator_table import IndicatorValue
from cbindex.species.tables import (
    INTRODUCED,
    INVASIVE,
    NAME_RULE,
    NATIVE,
    SPECIES_COLUMN_ALIASES,
    STATUS_ALIASES,
    STATUS_COLUMN_ALIASES,
    TextTable,
    name_key,
    normalise_name,
    read_text_table,
)

BASELINE, CURRENT = "baseline", "current"
SURVEY_ALIASES: dict[str, str] = {
    "baseline": BASELINE,
    "previous": BASELINE,
    "基线": BASELINE,
    "上次": BASELINE,
    "current": CURRENT,
    "latest": CURRENT,
    "现状": CURRENT,
    "本次": CURRENT,
    "当前": CURRENT,
}
GROUP_COLUMN_ALIASES = ("group", "taxon_group", "taxonomic_group", "类群", "类别")
SURVEY_COLUMN_ALIASES = ("survey", "list", "调查", "清单")
INDICATOR_COLUMN_ALIASES = ("indicator", "指标")
CONFIG_FILE = "config/config.yaml"


@dataclass(frozen=True)
class SpeciesListRules:
    """Which indicator each taxonomic group feeds (config key ``species_lists``).

    Attributes
    ----------
    change_indicators : dict of str to list of str
        Net-change indicator id to the group names that feed it (compared as name keys), e.g.
        ``{"I4": ["vascular plants", "维管植物"], "I5": ["birds"], "I6": ["butterflies"], "I7": [], "I8": []}``.
        Its keys are also the ids the file's ``indicator`` column may name.
    invasive_indicator : str
        Id of the invasive-species share (I10 in the 2014 edition).
    """

    change_indicators: Mapping[str, Sequence[str]]
    invasive_indicator: str = "I10"

    def indicator_of_group(self, group: str) -> str:
        """The change indicator a group feeds by its name, or ``""`` when none (the group still counts for I10)."""
        key = name_key(group)
        for indicator, groups in self.change_indicators.items():
            if key in {name_key(name) for name in groups or ()}:
                return indicator
        return ""


@dataclass(frozen=True)
class SpeciesLists:
    """The rows of a species-list file, checked and without duplicates.

    Attributes
    ----------
    path : str
    rows : DataFrame
        Columns ``group`` (as first written), ``group_key``, ``indicator`` (``""`` = none), ``species`` (as
        first written), ``key``, ``status`` and ``survey``; one row per group, survey and species.
    has_status : bool
        Whether the file gives statuses (without them every species is native and I10 is not assessed).
    duplicates_removed : int
        Rows dropped because an identical row (same group, survey, species key and status) came before.
    """

    path: str
    rows: pd.DataFrame
    has_status: bool
    duplicates_removed: int

    def native(self, groups: Sequence[str], survey: str) -> set[tuple[str, str]]:
        """The native species of ``groups`` (group keys) in one survey, as (group key, species key) pairs."""
        rows = self.rows[
            self.rows["group_key"].isin(groups) & (self.rows["survey"] == survey) & (self.rows["status"] == NATIVE)
        ]
        return set(zip(rows["group_key"], rows["key"], strict=True))

    def group_names(self, groups: Sequence[str]) -> str:
        """The groups' names as written, joined for messages."""
        names = self.rows.drop_duplicates("group_key").set_index("group_key")["group"]
        return ", ".join(names[group] for group in groups)


@dataclass(frozen=True)
class NetChange:
    """Net change in native species of one indicator's groups between the baseline and current surveys.

    ``value`` is None (not assessed) when a group lacks one of the two lists; ``reason`` then says which.
    """

    indicator: str
    groups: tuple[str, ...]
    value: int | None
    reason: str = ""
    baseline: int = 0
    current: int = 0
    gained: int = 0
    lost: int = 0


@dataclass(frozen=True)
class InvasiveShare:
    """Share of invasive alien species in the current survey (same-taxon rule), overall and per group."""

    value: float | None
    invasive: int = 0
    native: int = 0
    introduced: int = 0
    by_group: Mapping[str, float] | None = None
    reason: str = ""


def read_species_lists(path: str, *, rules: SpeciesListRules) -> SpeciesLists:
    """Read and check a species-list file (format in the module docstring).

    Parameters
    ----------
    path : str
        The file the city sheet's ``species_lists`` column names.
    rules : SpeciesListRules
        Group names of each change indicator.

    Returns
    -------
    SpeciesLists

    Raises
    ------
    CBIInputError
        Missing columns, an empty group or species, an unknown status, survey or indicator (naming the line),
        one group assigned to two indicators, or one species with two statuses in the same group and survey.
    """
    table = read_text_table(path, what="Species-list file", sheet_column="species_lists")
    columns = {
        "group": _list_column(table, GROUP_COLUMN_ALIASES, "group"),
        "species": _list_column(table, SPECIES_COLUMN_ALIASES, "species"),
        "survey": _list_column(table, SURVEY_COLUMN_ALIASES, "survey"),
        "status": table.column(STATUS_COLUMN_ALIASES, what="status", fix="", required=False),
        "indicator": table.column(INDICATOR_COLUMN_ALIASES, what="indicator", fix="", required=False),
    }
    frame = table.read([column for column in columns.values() if column])
    frame = frame.rename(columns={column: role for role, column in columns.items() if column})
    frame["line"] = frame.index + 2
    frame = frame[frame.drop(columns="line").apply(lambda row: any(cell.strip() for cell in row), axis=1)].copy()
    for role in ("group", "species"):
        empty = frame[frame[role].str.strip() == ""]
        if len(empty):
            raise CBIInputError(
                f"Species-list file {path} line {empty['line'].iloc[0]} has no {role}; fill it in or delete the line."
            )
    frame["group"] = frame["group"].map(normalise_name)
    frame["group_key"] = frame["group"].map(name_key)
    frame["species"] = frame["species"].map(normalise_name)
    frame["key"] = frame["species"].map(name_key)
    frame["survey"] = _vocabulary(frame, "survey", SURVEY_ALIASES, path=path)
    has_status = columns["status"] is not None
    frame["status"] = _vocabulary(frame, "status", STATUS_ALIASES, path=path) if has_status else NATIVE
    frame["indicator"] = _indicators(frame, rules=rules, path=path, given=columns["indicator"] is not None)
    _reject_two_statuses(frame, path=path)
    rows = frame.drop_duplicates(["group_key", "survey", "key"])
    first = frame.drop_duplicates("group_key").set_index("group_key")["group"]
    rows = rows.assign(group=rows["group_key"].map(first))
    return SpeciesLists(
        path=str(path),
        rows=rows.drop(columns="line").reset_index(drop=True),
        has_status=has_status,
        duplicates_removed=len(frame) - len(rows),
    )


def net_change(lists: SpeciesLists, *, indicator: str) -> NetChange | None:
    """Net change in native species of an indicator's groups (SI 2014 indicators 4–8).

    net change = |C \\ B| − |B \\ C| = |C| − |B|, where B and C are the native species of the indicator's
    groups in the baseline and the current survey: species new to the current list (new records,
    re-introduced, rediscovered) minus baseline species no longer listed (gone extinct).  Species are
    (group, name key) pairs, so a species listed under two groups counts in each.

    Parameters
    ----------
    lists : SpeciesLists
    indicator : str
        A change indicator id (I4–I8).

    Returns
    -------
    NetChange or None
        None when no group of the file feeds the indicator; a NetChange with value None (not assessed) when
        one of its groups lacks a baseline or a current list.
    """
    rows = lists.rows[lists.rows["indicator"] == indicator]
    if rows.empty:
        return None
    groups = tuple(dict.fromkeys(rows["group_key"]))
    for survey, missing_text in (
        (BASELINE, "no baseline list (the first survey is the baseline)"),
        (CURRENT, "no current list"),
    ):
        absent = [group for group in groups if not (rows[rows["group_key"] == group]["survey"] == survey).any()]
        if absent:
            return NetChange(
                indicator,
                groups,
                None,
                reason=(f"not assessed: group {lists.group_names(absent)} has {missing_text} in {lists.path}"),
            )
    baseline, current = lists.native(groups, BASELINE), lists.native(groups, CURRENT)
    gained, lost = len(current - baseline), len(baseline - current)
    return NetChange(
        indicator, groups, gained - lost, baseline=len(baseline), current=len(current), gained=gained, lost=lost
    )


def invasive_share(lists: SpeciesLists) -> InvasiveShare:
    """Share of invasive alien species in the current survey (SI 2014 indicator 10), in %.

    I10 = Σ_g IAS_g ÷ Σ_g (native_g + IAS_g) × 100, summed over every group g of the current list (the
    same-taxon rule: invasive species are compared with the native species of the same groups).  Introduced
    species that are not invasive count in neither term.  Per group, IAS_g ÷ (native_g + IAS_g) × 100.

    Returns
    -------
    InvasiveShare
        Value None (not assessed) when the file gives no statuses, has no current list, or its current list
        has neither native nor invasive species.
    """
    current = lists.rows[lists.rows["survey"] == CURRENT]
    if not lists.has_status:
        return InvasiveShare(None, reason=f"not assessed: {lists.path} has no status column")
    if current.empty:
        return InvasiveShare(None, reason=f"not assessed: {lists.path} has no current list")
    counts = pd.crosstab(current["group"], current["status"]).reindex(
        columns=[NATIVE, INTRODUCED, INVASIVE], fill_value=0
    )
    invasive, native = int(counts[INVASIVE].sum()), int(counts[NATIVE].sum())
    if invasive + native == 0:
        return InvasiveShare(
            None,
            introduced=int(counts[INTRODUCED].sum()),
            reason=(f"not assessed: the current list of {lists.path} has neither native nor invasive species"),
        )
    counted = counts[counts[NATIVE] + counts[INVASIVE] > 0]
    by_group = (counted[INVASIVE] / (counted[NATIVE] + counted[INVASIVE]) * 100).to_dict()
    return InvasiveShare(
        invasive / (invasive + native) * 100,
        invasive=invasive,
        native=native,
        introduced=int(counts[INTRODUCED].sum()),
        by_group=by_group,
    )


def species_list_values(lists: SpeciesLists, *, rules: SpeciesListRules) -> list[IndicatorValue]:
    """Every indicator and supporting figure the lists give, for the city's indicator table.

    Rows: the net change in native species of each change indicator (I4–I8, :func:`net_change`) with
    ``{change}_native_species_baseline``, ``{change}_native_species_current``, ``{change}_species_gained`` and
    ``{change}_species_lost``; the invasive share (I10, :func:`invasive_share`) with
    ``{invasive}_invasive_species``, ``{invasive}_native_species``, ``{invasive}_introduced_species_not_counted``
    and ``{invasive}_share:{group}`` per group; ``species_list_duplicates_removed``. ``{change}`` and
    ``{invasive}`` are the ids of ``rules`` (config ``species_lists``). Change indicators fed by no group of the
    file are left out (a figures file may supply them); the others and the invasive share are always present,
    with a NaN value and the reason when not assessed.
    """
    values = [
        IndicatorValue(
            "species_list_duplicates_removed",
            lists.duplicates_removed,
            "rows",
            f"identical rows of {lists.path} dropped",
        )
    ]
    for indicator in rules.change_indicators:
        change = net_change(lists, indicator=indicator)
        if change is not None:
            values += _change_values(lists, change)
    share = invasive_share(lists)
    ias = rules.invasive_indicator
    how = (
        f"from species lists {lists.path}, current survey: invasive ÷ (native + invasive) × 100 over every "
        f"group of the current list (same-taxon rule), introduced non-invasive species not counted; {NAME_RULE}"
    )
    values.append(IndicatorValue(ias, float("nan") if share.value is None else share.value, "%", share.reason or how))
    if share.value is not None:
        values += [
            IndicatorValue(f"{ias}_invasive_species", share.invasive, "species", how),
            IndicatorValue(f"{ias}_native_species", share.native, "species", how),
            IndicatorValue(f"{ias}_introduced_species_not_counted", share.introduced, "species", how),
        ]
        values += [
            IndicatorValue(f"{ias}_share:{group}", value, "%", how) for group, value in (share.by_group or {}).items()
        ]
    return values


def _change_values(lists: SpeciesLists, change: NetChange) -> list[IndicatorValue]:
    groups = lists.group_names(change.groups)
    if change.value is None:
        return [IndicatorValue(change.indicator, float("nan"), "species (net change)", change.reason)]
    how = (
        f"from species lists {lists.path}, group {groups}: native species in the current survey not in the "
        f"baseline ({change.gained} gained) minus native baseline species not in the current survey "
        f"({change.lost} lost); {NAME_RULE}"
    )
    return [
        IndicatorValue(change.indicator, change.value, "species (net change)", how),
        IndicatorValue(f"{change.indicator}_native_species_baseline", change.baseline, "species", how),
        IndicatorValue(f"{change.indicator}_native_species_current", change.current, "species", how),
        IndicatorValue(f"{change.indicator}_species_gained", change.gained, "species", how),
        IndicatorValue(f"{change.indicator}_species_lost", change.lost, "species", how),
    ]


def _list_column(table: TextTable, aliases: Sequence[str], role: str) -> str:
    return table.column(aliases, what=role, fix=f"name the {role} column {aliases[0]!r}")


def _vocabulary(frame: pd.DataFrame, role: str, aliases: Mapping[str, str], *, path: str) -> pd.Series:
    """The column ``role`` mapped through ``aliases`` (compared as name keys); an unknown word is an error."""
    parsed = frame[role].map(lambda text: aliases.get(name_key(text)))
    unknown = frame[parsed.isna()]
    if len(unknown):
        allowed = " or ".join(dict.fromkeys(aliases.values()))
        raise CBIInputError(
            f"Species-list file {path} line {unknown['line'].iloc[0]} has {role} {unknown[role].iloc[0]!r}; "
            f"write {allowed}."
        )
    return parsed


def _indicators(frame: pd.DataFrame, *, rules: SpeciesListRules, path: str, given: bool) -> pd.Series:
    """The change indicator of each row: the one the file's indicator column gives its group, else the one
    the config's group names give (``""`` = none)."""
    by_name = frame["group"].map(rules.indicator_of_group)
    if not given:
        return by_name
    written = frame["indicator"].str.strip().str.upper()
    unknown = frame[(written != "") & ~written.isin(list(rules.change_indicators))]
    if len(unknown):
        raise CBIInputError(
            f"Species-list file {path} line {unknown['line'].iloc[0]} names indicator "
            f"{unknown['indicator'].iloc[0]!r}; use one of {', '.join(rules.change_indicators)} or leave it empty."
        )
    explicit = pd.DataFrame({"group": frame["group_key"], "indicator": written})
    explicit = explicit[explicit["indicator"] != ""].drop_duplicates()
    split = explicit[explicit.duplicated("group", keep=False)]
    if len(split):
        group = frame.loc[frame["group_key"] == split["group"].iloc[0], "group"].iloc[0]
        named = sorted(split.loc[split["group"] == split["group"].iloc[0], "indicator"])
        raise CBIInputError(
            f"Species-list file {path} assigns group {group!r} to indicators {' and '.join(named)}; give every "
            "row of a group the same indicator."
        )
    of_group = explicit.set_index("group")["indicator"]
    return frame["group_key"].map(of_group).fillna(by_name)


def _reject_two_statuses(frame: pd.DataFrame, *, path: str) -> None:
    statuses = frame.drop_duplicates(["group_key", "survey", "key", "status"])
    clash = statuses[statuses.duplicated(["group_key", "survey", "key"], keep=False)]
    if len(clash):
        row = clash.iloc[0]
        same = clash[
            (clash["group_key"] == row["group_key"]) & (clash["survey"] == row["survey"]) & (clash["key"] == row["key"])
        ]
        raise CBIInputError(
            f"Species-list file {path} gives {row['species']!r} ({row['group']}, {row['survey']} survey) the "
            f"statuses {' and '.join(sorted(same['status']))}; keep one."
        )
