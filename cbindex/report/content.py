"""What a city report holds once everything is read and drawn: the figures and the content the HTML is rendered from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cbindex.core.provenance import FileChecksum
from cbindex.geo.legends import Legend
from cbindex.scoring.rules import RuleSet


@dataclass(frozen=True)
class ReportFigure:
    """A drawn figure: its PNG bytes, title and caption."""

    key: str
    title: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class ReportContent:
    """Everything one report page shows, in one language.

    Attributes
    ----------
    language : {"en", "zh"}
    city, city_name : str
        Id and name (in the language) of the city.
    scorecard : dict
        ``scorecard.json`` as written by the scoring stage.
    rule_set : RuleSet
        The rule set the scorecard was scored with (bands of every indicator).
    legends : dict of int to Legend
        The land-cover legend (product, version, class names) of each year, by year; a city's years may come
        from different products.
    years : tuple of int
        Land-cover years.
    indicators : pandas.DataFrame
        ``indicators.csv`` (one row per indicator and year).
    transitions : dict
        ``(year_from, year_to)`` to its transition table (:func:`cbindex.landcover.transitions.transition_table`).
    method, settings : dict
        The method keys and the other configuration keys of the run.
    checksums : list of FileChecksum
        Every input file of the report.
    software : dict
        Package to version.
    font : dict
        ``family``, ``distribution`` and ``version`` of the CJK font.
    plots, maps, change_figures, target_figures : list of ReportFigure
        The figures of the plots, maps, change and targets sections.
    map_notes : list of str
        Sentences shown under the maps (e.g. why a map is absent).
    coverage_rows, category_rows : list of list of str
        The coverage layers' table (name, year, coverage %, natural share %, area ha) and the protected area per
        category of China's protected-area system (category, year, area ha, natural area ha), shown under the
        maps (:func:`cbindex.report.stage.coverage_rows`, :func:`~cbindex.report.stage.category_rows`).
    districts : pandas.DataFrame or None
        Every year's ``districts.csv`` (None when the city has no districts: the section is left out).
    district_figures : list of ReportFigure
        The district choropleths.
    landcover_facts : LandcoverFacts or None
        Class areas per year, cell size, boundary repairs: the land-cover section (none: the section is left out).
    scenario_figures : list of ReportFigure
        The maps of the scenarios section (key ``scenario-<position in scorecard.json scenarios>``).
    """

    language: str
    city: str
    city_name: str
    scorecard: Mapping[str, Any]
    rule_set: RuleSet
    legends: Mapping[int, Legend]
    years: tuple[int, ...]
    indicators: pd.DataFrame
    transitions: Mapping[tuple[int, int], pd.DataFrame]
    method: Mapping[str, Any]
    settings: Mapping[str, Any]
    checksums: Sequence[FileChecksum]
    software: Mapping[str, str]
    font: Mapping[str, str]
    plots: Sequence[ReportFigure] = field(default_factory=list)
    maps: Sequence[ReportFigure] = field(default_factory=list)
    change_figures: Sequence[ReportFigure] = field(default_factory=list)
    map_notes: Sequence[str] = field(default_factory=list)
    coverage_rows: Sequence[Sequence[str]] = field(default_factory=list)
    category_rows: Sequence[Sequence[str]] = field(default_factory=list)
    target_figures: Sequence[ReportFigure] = field(default_factory=list)
    districts: pd.DataFrame | None = None
    district_figures: Sequence[ReportFigure] = field(default_factory=list)
    landcover_facts: Any = None
    scenario_figures: Sequence[ReportFigure] = field(default_factory=list)
