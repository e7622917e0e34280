"""The indicator table (cbindex/indicators.py) against the rule sets and the code it points to.

- every ``computed_by`` imports and is a callable whose docstring names the row (its id, or its number);
- every indicator of every rule set has a row with the rule set's number, unit and source, and every row
  numbered in an edition is an indicator of that edition;
- every id a stage writes (each ``IndicatorValue(...)`` in cbindex, and at run time the rows whose ids are
  computed) has a row, with the unit the code writes.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from cbindex import indicators
from cbindex.scoring.figures import city_supplied_rules
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.species.birds_in_built_up import SKIP_REASONS, BirdCount
from cbindex.species.species_change import SpeciesListRules, read_species_lists, species_list_values
from cbindex.species.stage import occurrence_values
from tests.helpers import REPO

ROWS = indicators.rows()
SOURCES = ("spatial", "records", "city")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

DYNAMIC_IDS = {
    ("cbindex/species/stage.py", "name"): "the record counts of summary_counts (test_record_counts_are_in_the_table)",
    ("cbindex/species/species_change.py", "change.indicator"): "config species_lists.change_indicators",
    ("cbindex/species/species_change.py", "ias"): "config species_lists.invasive_indicator",
    ("cbindex/landcover/stage.py", "row.indicator"): "landuse_check.csv re-read: the landuse_* rows written above",
}
"""``IndicatorValue`` calls whose id is a variable, and the test or config that resolves it."""


def template(name: str) -> str:
    """An id with every ``{placeholder}`` emptied, so ``{change}_species_lost`` matches ``{change.indicator}_...``."""
    return PLACEHOLDER.sub("{}", name)


TABLE_IDS = {template(row["id"]) for row in ROWS}


def in_table(name: str) -> bool:
    """Whether a row name written at run time is in the table, itself or as an instance of a ``{...}`` row."""
    patterns = (re.escape(known).replace(r"\{\}", ".+") for known in TABLE_IDS if "{}" in known)
    return name in TABLE_IDS or any(re.fullmatch(pattern, name) for pattern in patterns)


def mentions(docstring: str, row: dict) -> bool:
    """Whether a docstring names a row: its id (``I4–I8`` ranges expanded, placeholders matched) or, for an
    indicator, "indicator(s) N" with one of its numbers."""
    tokens = {token.strip(":") for token in re.findall(r"[\w{}:]+", template(docstring))}
    for first, last in re.findall(r"\bI(\d+)\s*[–-]\s*I(\d+)\b", docstring):
        tokens.update(f"I{number}" for number in range(int(first), int(last) + 1))
    numbers = set()
    for first, last in re.findall(r"\bindicators?\s+(\d+)(?:\s*[–-]\s*(\d+))?", docstring):
        numbers.update(range(int(first), int(last or first) + 1))
    return template(row["id"]) in tokens or bool(numbers & {row[edition] for edition in indicators.EDITIONS})


def resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_the_table_module_imports_nothing():
    tree = ast.parse((REPO / "cbindex" / "indicators.py").read_text(encoding="utf-8"))
    imports = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert imports == [], f"cbindex/indicators.py must stay plain data; imports on lines {imports}"


def test_rows_are_well_formed():
    assert len(indicators.COLUMNS) == 8
    for row in ROWS:
        assert row["source"] in SOURCES, row
        assert row["unit"] and row["formula"], row
        assert all(row[edition] is None or isinstance(row[edition], int) for edition in indicators.EDITIONS), row
    numbered = [(edition, row[edition]) for row in ROWS for edition in indicators.EDITIONS if row[edition] is not None]
    assert len(numbered) == len(set(numbered)), "two rows have one number of one edition"
    supporting = [row["id"] for row in ROWS if all(row[edition] is None for edition in indicators.EDITIONS)]
    assert not {row["id"] for row in ROWS if row["id"] not in supporting} & set(supporting)
    assert len(supporting) == len(set(supporting)), "a supporting row is listed twice"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['id']}-{row['si-2014']}-{row['si-2021']}")
def test_computed_by_is_a_callable_documenting_the_row(row):
    function = resolve(row["computed_by"])
    assert callable(function), row["computed_by"]
    docstring = function.__doc__ or ""
    assert mentions(docstring, row), f"the docstring of {row['computed_by']} does not name {row['id']}"


@pytest.mark.parametrize("edition", indicators.EDITIONS)
def test_every_indicator_of_a_rule_set_has_its_row(edition):
    rule_set = load_rule_set(REPO / "config" / "scoring" / f"{edition}.yaml")
    numbered = {row[edition]: row for row in ROWS if row[edition] is not None}
    assert sorted(numbered) == sorted(rule.number for rule in rule_set.indicators.values())
    supplied = {rule.id for rule in city_supplied_rules(rule_set)}
    for rule in rule_set.indicators.values():
        row = numbered[rule.number]
        expected_id = rule_set.quantity_of(rule.id) or rule.id  # the stage row it scores, else the figures id
        assert (row["id"], row["unit"], row["source"]) == (expected_id, rule.unit, rule.source), rule.id
        if row["source"] == "city":
            assert row["computed_by"] == indicators.FIGURES and rule.id in supplied, rule.id
        if row["source"] == "records":
            assert rule.id in supplied, f"{edition} {rule.id} is derived from records or else supplied"
        if row["source"] == "spatial":
            assert row["computed_by"] != indicators.FIGURES and rule.id not in supplied, rule.id


def indicator_value_calls() -> list[tuple[str, int, ast.expr, ast.expr | None]]:
    """(module, line, id expression, unit expression) of every ``IndicatorValue(...)`` in cbindex."""
    calls = []
    for path in sorted((REPO / "cbindex").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "IndicatorValue":
                unit = node.args[2] if len(node.args) > 2 else None
                calls.append((path.relative_to(REPO).as_posix(), node.lineno, node.args[0], unit))
    return calls


def written_id(expression: ast.expr) -> str | None:
    """The id an ``IndicatorValue`` call writes: a literal, an f-string as a template, None for a variable."""
    if isinstance(expression, ast.Constant):
        return expression.value
    if isinstance(expression, ast.JoinedStr):
        parts = (part.value if isinstance(part, ast.Constant) else "{}" for part in expression.values)
        return "".join(parts)
    return None


def test_every_id_a_stage_writes_has_a_row():
    calls = indicator_value_calls()
    assert len(calls) > 40, "the walk found too few IndicatorValue calls"
    units = defaultdict(set)
    for row in ROWS:
        units[template(row["id"])].add(row["unit"])
    missing, wrong_unit, dynamic = [], [], set()
    for module, line, expression, unit in calls:
        name = written_id(expression)
        if name is None:
            dynamic.add((module, ast.unparse(expression)))
            continue
        if name not in TABLE_IDS:
            missing.append(f"{module}:{line} writes {name!r}")
        elif isinstance(unit, ast.Constant) and unit.value not in units[name]:
            wrong_unit.append(f"{module}:{line} writes {name!r} in {unit.value!r}, the table says {units[name]}")
    assert not missing, "ids written by the code but missing from cbindex/indicators.py:\n" + "\n".join(missing)
    assert not wrong_unit, "\n".join(wrong_unit)
    unknown = dynamic - set(DYNAMIC_IDS)
    assert not unknown, f"IndicatorValue ids computed at run time; resolve them in DYNAMIC_IDS: {sorted(unknown)}"


def test_configured_species_list_ids_have_rows():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["species_lists"]
    for indicator in [*config["change_indicators"], config["invasive_indicator"]]:
        assert indicator in TABLE_IDS, indicator


def test_record_counts_are_in_the_table():
    count = BirdCount(
        built_up_species={"passer montanus": "Passer montanus"},
        city_species={"passer montanus": "Passer montanus", "pica pica": "Pica pica"},
        excluded_non_native={},
        skipped=dict.fromkeys(SKIP_REASONS, 1),
        records_in_city=3,
        records_in_built_up=1,
    )
    written = [value.indicator for value in occurrence_values(count, source="s", landcover="l", swapped=False)]
    assert set(SKIP_REASONS) <= set(written)
    assert [name for name in written if not in_table(name)] == []


def test_species_list_rows_are_in_the_table(tmp_path: Path):
    lists = tmp_path / "lists.csv"
    lists.write_text(
        "group,species,status,survey\n"
        "birds,Pica pica,native,baseline\nbirds,Pica pica,native,current\nbirds,Passer montanus,native,current\n"
        "birds,Acridotheres cristatellus,invasive,current\nbirds,Columba livia,introduced,current\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["species_lists"]
    rules = SpeciesListRules(**config)
    values = species_list_values(read_species_lists(str(lists), rules=rules), rules=rules)
    written = {value.indicator for value in values}
    assert {"I5", "I5_species_gained", "I10", "I10_share:birds", "species_list_duplicates_removed"} <= written
    assert [name for name in sorted(written) if not in_table(name)] == []
