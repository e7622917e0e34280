"""Framework mappings as data: which targets of a planning framework (KMGBF, a national NBSAP) each indicator informs.

A mapping file (schema ``cbindex/core/schemas/framework.schema.yaml``; shipped: ``config/frameworks/kmgbf.yaml``)
holds the framework's targets (number, short title in English and Chinese, where each title was read) and, per
rule set and indicator, the links to those targets.  Every link says its ``basis``: ``published`` (a published
source states it; the citation is required) or ``proposal`` (the mapping author's proposal, said so in every
output).  A city gives its own mapping in the sheet's ``framework`` column (default ``kmgbf``).
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import Any

from cbindex.core.config_files import check_against_schema, read_yaml_file, schema_path
from cbindex.core.errors import CBIInputError
from cbindex.scoring.rules import RuleSet

FRAMEWORK_SCHEMA_PATH = schema_path("framework")
BASIS_PUBLISHED = "published"
BASIS_PROPOSAL = "proposal"


@dataclass(frozen=True)
class FrameworkTarget:
    """One target of a framework: its number and short titles (``title_zh_is_translation``: the Chinese title is
    the mapping author's translation, not an official text)."""

    number: int
    title: str
    title_zh: str
    title_source: str
    title_zh_source: str
    title_zh_is_translation: bool = False


@dataclass(frozen=True)
class FrameworkLink:
    """One link from an indicator to a framework target, with its basis (published + citation, or proposal)."""

    target: FrameworkTarget
    basis: str
    citation: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The link as written in ``scorecard.json``: number, titles, basis, citation, note."""
        return {
            "number": self.target.number,
            "title": self.target.title,
            "title_zh": self.target.title_zh,
            "title_zh_is_translation": self.target.title_zh_is_translation,
            "basis": self.basis,
            "citation": self.citation,
            "note": self.note,
        }


@dataclass(frozen=True)
class Framework:
    """A framework mapping: its id, names, source text, targets and links per rule set and indicator."""

    id: str
    name: str
    name_zh: str
    source: str
    path: str
    targets: dict[int, FrameworkTarget]
    links: dict[str, dict[str, tuple[FrameworkLink, ...]]]
    note: str | None = None
    source_zh: str | None = None

    def links_of(self, rule_set_id: str, indicator: str) -> tuple[FrameworkLink, ...]:
        """The framework targets an indicator of a rule set informs (none when the mapping does not list it)."""
        return self.links.get(rule_set_id, {}).get(indicator, ())

    def header(self) -> dict[str, Any]:
        """The mapping as named in ``scorecard.json``: id, names, source, note and file."""
        return {
            "id": self.id,
            "name": self.name,
            "name_zh": self.name_zh,
            "source": self.source,
            "source_zh": self.source_zh or self.source,
            "note": self.note,
            "file": self.path,
        }


def load_framework(path: str | PathLike) -> Framework:
    """Read and check a framework mapping file.

    Parameters
    ----------
    path : str or PathLike
        The mapping (YAML, schema ``framework.schema.yaml``).

    Returns
    -------
    Framework

    Raises
    ------
    CBIInputError
        If the file is missing, not YAML, breaks the schema, or a link names a target number the file's
        ``targets`` does not list.
    """
    document = read_yaml_file(path, what="Framework mapping file")
    check_against_schema(document, schema_path=FRAMEWORK_SCHEMA_PATH, origin=str(path))
    targets = {
        int(number): FrameworkTarget(
            number=int(number),
            title=entry["title"],
            title_zh=entry["title_zh"],
            title_source=entry["title_source"],
            title_zh_source=entry["title_zh_source"],
            title_zh_is_translation=bool(entry.get("title_zh_is_translation", False)),
        )
        for number, entry in document["targets"].items()
    }
    links: dict[str, dict[str, tuple[FrameworkLink, ...]]] = {}
    for rule_set_id, indicators in document["links"].items():
        links[rule_set_id] = {}
        for indicator, entries in indicators.items():
            resolved = []
            for entry in entries:
                if entry["target"] not in targets:
                    raise CBIInputError(
                        f"{path}: links.{rule_set_id}.{indicator} names target {entry['target']}, which the file's "
                        f"targets do not list; add targets.{entry['target']} (title, title_zh, title_source, "
                        "title_zh_source) or correct the number."
                    )
                resolved.append(
                    FrameworkLink(
                        target=targets[entry["target"]],
                        basis=entry["basis"],
                        citation=entry.get("citation"),
                        note=entry.get("note"),
                    )
                )
            links[rule_set_id][indicator] = tuple(resolved)
    return Framework(
        id=document["id"],
        name=document["name"],
        name_zh=document["name_zh"],
        source=document["source"],
        source_zh=document.get("source_zh"),
        note=document.get("note"),
        path=str(path),
        targets=targets,
        links=links,
    )


def check_framework_indicators(framework: Framework, rule_set: RuleSet) -> None:
    """Stop when the mapping's section for a rule set names an indicator the rule set does not have.

    Raises
    ------
    CBIInputError
        Naming the mapping file, the indicator and the rule set.
    """
    for indicator in framework.links.get(rule_set.id, {}):
        if indicator not in rule_set.indicators:
            raise CBIInputError(
                f"{framework.path}: links.{rule_set.id} names {indicator}, which is not an indicator of "
                f"{rule_set.id}; use one of {', '.join(rule_set.indicators)} or delete it."
            )
