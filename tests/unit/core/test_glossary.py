"""The glossary: docs/glossary.md is current, lists every indicator name, and the catalogue and rule sets say each
term the way the glossary does."""

from __future__ import annotations

import re

import pytest
import yaml

from cbindex.core.glossary import SOURCES, Term, read_rule_sets, read_terms, render_glossary
from cbindex.core.messages import catalogue
from tests.helpers import REPO

TERMS = read_terms(REPO / "docs" / "glossary.yaml")
RULE_SETS = read_rule_sets(REPO / "config" / "scoring")


def named_pairs() -> list[tuple[str, str, str]]:
    """(where, English, Chinese) of every catalogue entry and every rule-set component and indicator name."""
    pairs = [
        (f"catalogue {section}.{key}", texts["en"], texts["zh"])
        for section, entries in catalogue().items()
        for key, texts in entries.items()
    ]
    for rule_set_id, document in RULE_SETS.items():
        for kind in ("components", "indicators"):
            pairs += [
                (f"{rule_set_id} {entry['id']}", entry["name"], entry["name_zh"])
                for entry in document.get(kind, [])
                if entry.get("name") and entry.get("name_zh")
            ]
    return pairs


def says(text: str, term: Term) -> bool:
    """Whether `text` uses `term`, not counting where it is part of a longer term ("connectivity group") or a
    ``{field}`` name."""
    text = re.sub(r"\{[^{}]*\}", " ", text)
    for longer in TERMS:
        if longer.en != term.en and any(form.lower() in longer.en.lower() for form in term.english_forms):
            for form in sorted(longer.english_forms, key=len, reverse=True):
                text = re.sub(re.escape(form), " ", text, flags=re.IGNORECASE)
    return any(re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text, re.IGNORECASE) for form in term.english_forms)


def test_the_glossary_page_is_current():
    assert (REPO / "docs" / "glossary.md").read_text(encoding="utf-8") == render_glossary(TERMS, RULE_SETS), (
        "docs/glossary.md is out of date: run `python -m cbindex.core.glossary`"
    )


def test_the_glossary_has_the_index_terms_with_a_known_source():
    english = {term.en for term in TERMS}
    assert {"natural area", "connectivity", "effective mesh size", "ecological protection red line"} <= english
    assert {term.zh for term in TERMS if term.en == "effective mesh size"} == {"有效网格尺寸"}
    assert all(term.source in SOURCES and term.zh for term in TERMS)


@pytest.mark.parametrize("rule_set_id", sorted(RULE_SETS))
def test_every_indicator_name_is_in_the_glossary(rule_set_id):
    page = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")
    indicators = [entry for entry in RULE_SETS[rule_set_id]["indicators"] if entry.get("name")]
    assert indicators
    for entry in indicators:
        assert f"| {entry['id']} | {entry['name']} | {entry['name_zh']} |" in page, (rule_set_id, entry["id"])


@pytest.mark.parametrize("term", TERMS, ids=lambda term: term.en)
def test_the_catalogue_and_rule_sets_use_the_glossary_term(term):
    """Wherever the English says the term, the Chinese says the glossary's Chinese term."""
    mismatches = [
        f"{where}: {english!r} / {chinese!r}"
        for where, english, chinese in named_pairs()
        if says(english, term) and term.zh not in chinese
    ]
    assert not mismatches, f"{term.en} should read {term.zh}:\n" + "\n".join(mismatches)


def test_the_term_check_finds_a_wrong_term():
    term = Term("effective mesh size", "有效网格尺寸", "practice")
    assert says("I2 effective mesh size (ha)", term)
    assert not says("effective mesh sizes of the year", Term("mesh", "网格", "practice"))


def test_a_term_with_an_unknown_source_is_refused(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(yaml.safe_dump({"terms": [{"en": "x", "zh": "甲", "source": "memory"}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="source 'memory'"):
        read_terms(path)
