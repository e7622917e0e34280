"""The glossary of index terms in English and Chinese: ``docs/glossary.yaml`` rendered into ``docs/glossary.md``.

The YAML lists each term with its Chinese, the source of the Chinese (``policy``, ``practice`` or ``project``, see
the file's header) and a note; the Markdown adds, from the shipped rule sets, every indicator and component name
in both languages, so a reader finds the terms the scorecards and reports use. Regenerate the page after editing
the YAML or a rule set's names::

    python -m cbindex.core.glossary            # from the repository root: writes docs/glossary.md

``tests/unit/core/test_glossary.py`` checks the page is current, and that the message catalogue and the rule sets
say each term the way the glossary does.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SOURCES = {
    "policy": "Chinese law, national policy or standard",
    "practice": "Chinese landscape-ecology, ecology or GIS practice",
    "project": "this project's translation, to be checked against the Chinese edition",
}
"""What each ``source`` of a term means (the glossary page's legend)."""


@dataclass(frozen=True)
class Term:
    """One glossary term: English, Chinese, where the Chinese comes from, English variants and a note."""

    en: str
    zh: str
    source: str
    also: tuple[str, ...] = ()
    note: str = ""

    @property
    def english_forms(self) -> tuple[str, ...]:
        """The term and its variants, as a text may write them."""
        return (self.en, *self.also)


def read_terms(path: str | Path) -> list[Term]:
    """The terms of a glossary YAML file: ``terms``, each ``en``, ``zh``, ``source`` and optional ``also``, ``note``."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    terms = []
    for entry in document["terms"]:
        if entry["source"] not in SOURCES:
            raise ValueError(f"{path}: term {entry['en']!r} has source {entry['source']!r}; use one of {list(SOURCES)}")
        terms.append(
            Term(entry["en"], entry["zh"], entry["source"], tuple(entry.get("also", ())), entry.get("note", ""))
        )
    return terms


def render_glossary(terms: Sequence[Term], rule_sets: Mapping[str, Mapping[str, Any]]) -> str:
    """The glossary page: the terms, then every rule set's component and indicator names in both languages.

    Parameters
    ----------
    terms : list of Term
    rule_sets : dict of str to dict
        Rule-set id → its YAML document (``config/scoring/<id>.yaml``), in the order to show them.
    """
    lines = [
        "# Glossary / 术语表",
        "",
        "The terms of the City Biodiversity Index in English and Simplified Chinese, as the reports, scorecards and",
        "QGIS projects use them. Source of the Chinese term:",
        "",
        *(f"- **{name}**: {meaning}" for name, meaning in SOURCES.items()),
        "",
        "Generated from `docs/glossary.yaml` and `config/scoring/*.yaml` by `python -m cbindex.core.glossary`;",
        "edit those, not this page.",
        "",
        "## Terms / 术语",
        "",
        "| English | 中文 | source | note |",
        "|---|---|---|---|",
        *(f"| {term.en} | {term.zh} | {term.source} | {term.note} |" for term in terms),
    ]
    for rule_set_id, document in rule_sets.items():
        lines += ["", f"## Indicators of `{rule_set_id}` / 指标名称：{document.get('name_zh', rule_set_id)}", ""]
        components = [c for c in document.get("components", []) if c.get("name")]
        if components:
            lines += ["| component | English | 中文 |", "|---|---|---|"]
            lines += [f"| `{c['id']}` | {c['name']} | {c.get('name_zh', '')} |" for c in components]
            lines.append("")
        lines += ["| id | English | 中文 |", "|---|---|---|"]
        lines += [
            f"| {indicator['id']} | {indicator.get('name', '')} | {indicator.get('name_zh', '')} |"
            for indicator in document.get("indicators", [])
            if indicator.get("name")
        ]
    return "\n".join(lines) + "\n"


def read_rule_sets(folder: str | Path, ids: Sequence[str] = ("si-2014", "si-2021", "cn-ubi")) -> dict[str, Any]:
    """The rule-set documents to list, by id (the shipped editions)."""
    return {
        rule_set_id: yaml.safe_load((Path(folder) / f"{rule_set_id}.yaml").read_text(encoding="utf-8"))
        for rule_set_id in ids
    }


def main(root: str | Path = ".") -> None:
    """Write ``docs/glossary.md`` under `root` from ``docs/glossary.yaml`` and ``config/scoring``."""
    root = Path(root)
    page = render_glossary(read_terms(root / "docs" / "glossary.yaml"), read_rule_sets(root / "config" / "scoring"))
    (root / "docs" / "glossary.md").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
