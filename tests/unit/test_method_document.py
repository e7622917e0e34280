"""docs/method.md is the method document the project cites: every citation of a section resolves to a heading."""

from __future__ import annotations

import re

import pytest

from tests.helpers import REPO

METHOD = REPO / "docs" / "method.md"
CITING = [
    REPO / "README.md",
    REPO / "config" / "README.md",
    METHOD,
    *sorted((REPO / "config" / "scoring").glob("*.yaml")),
    *sorted((REPO / "cbindex").rglob("*.py")),
    *sorted((REPO / "cbindex" / "core" / "schemas").glob("*.yaml")),
]
PART_A = re.compile(r"(?:Part A\.|conventions? A\.|, A\.)(\d)(?:\s*[–-]\s*A\.(\d))?")
PART_B = re.compile(r"Part B §(\d+[a-z]?(?:\.\d)?)")


def headings() -> tuple[set[str], set[str]]:
    """The section labels of docs/method.md: Part A's ``A.n`` and Part B's ``§n``, ``§nb``, ``§n.m``."""
    text = METHOD.read_text(encoding="utf-8")
    part_a = set(re.findall(r"^### (A\.\d) ", text, flags=re.MULTILINE))
    part_b = {label.rstrip(".") for label in re.findall(r"^#{3,4} §(\S+)", text, flags=re.MULTILINE)}
    return part_a, part_b


def citations(text: str) -> tuple[set[str], set[str]]:
    part_a = set()
    for first, last in PART_A.findall(text):
        part_a.update(f"A.{number}" for number in range(int(first), int(last or first) + 1))
    return part_a, set(PART_B.findall(text))


def test_the_method_document_has_parts_a_and_b():
    part_a, part_b = headings()
    assert part_a == {f"A.{number}" for number in range(1, 9)}
    assert {"0", "1", "1b", "2", "2.1", "2.2", "2.3", "2.4", "2.5", "3", "4", "5", "6"} <= part_b


@pytest.mark.parametrize("path", CITING, ids=lambda path: path.relative_to(REPO).as_posix())
def test_every_cited_section_exists(path):
    part_a, part_b = headings()
    cited_a, cited_b = citations(path.read_text(encoding="utf-8"))
    assert cited_a <= part_a, f"{path.name} cites {sorted(cited_a - part_a)}, not in docs/method.md"
    assert cited_b <= part_b, f"{path.name} cites Part B §{sorted(cited_b - part_b)}, not in docs/method.md"


def test_citations_are_found():
    """The patterns catch the forms the project writes (so the test above can fail)."""
    assert citations("docs/method.md Part A.4–A.5; convention A.2; conventions A.3, A.4; Part B §1b, Part B §2.3") == (
        {"A.2", "A.3", "A.4", "A.5"},
        {"1b", "2.3"},
    )
    assert citations("(reference Part B §9)")[1] == {"9"} and "9" not in headings()[1]


def test_no_file_cites_the_shared_reference():
    """Users do not have ../shared/reference: the project cites its own docs/method.md."""
    stale = [path.relative_to(REPO).as_posix() for path in CITING if "si_indicators" in path.read_text("utf-8")]
    assert stale == []
