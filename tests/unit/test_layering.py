"""The package's layers: every module imports only from its own wing or from a lower level.

Levels (imports go down only, never sideways between wings of one level)::

    0 core  <-  1 geo  <-  2 kernels  <-  3 landcover | species | scoring  <-  4 overlays  <-  5 qgis | report

``cbindex/indicators.py`` (the table of indicators a newcomer opens first) and ``cbindex/__init__.py`` import
nothing from the package. No module imports ``snakemake`` (the workflow calls the library, not the reverse), and
no module climbs out of the package through ``Path(__file__)`` parents (e.g. to ``workflow/``): package data
ship inside the package. Every import is found, including imports inside functions and ``TYPE_CHECKING`` blocks,
relative imports and ``importlib.import_module("cbindex...")`` calls.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "cbindex"

LEVELS: dict[str, int] = {
    "core": 0,
    "geo": 1,
    "kernels": 2,
    "landcover": 3,
    "species": 3,
    "scoring": 3,
    "overlays": 4,
    "qgis": 5,
    "report": 5,
}
"""Each wing (sub-package of cbindex) and its level."""

IMPORT_FREE = {"cbindex/__init__.py", "cbindex/indicators.py"}
"""Top-level modules that import nothing from cbindex."""

CLIMBING = re.compile(r"\.parent\.parent|\.parents\[")


@dataclass(frozen=True)
class Import:
    """One import of a cbindex module (or of a forbidden package) found in a module's source."""

    line: int
    target: str
    """The dotted name imported, e.g. ``cbindex.geo.legends`` or ``snakemake``."""
    text: str
    """The statement as written, for the failure message."""


def package_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[Import]:
    """Every import in a module, at any depth (functions, classes, ``if TYPE_CHECKING:``), as absolute names.

    ``from cbindex import geo`` gives ``cbindex.geo``; ``from ..geo import boundary`` is resolved against the
    module's package.
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    lines = source.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom | ast.Call):
            continue
        text = " ".join(line.strip() for line in lines[node.lineno - 1 : node.end_lineno])
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, alias.name, text) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module == "cbindex":  # a wing or module of the package, or a name of cbindex/__init__.py
                found += [Import(node.lineno, _package_member(alias.name), text) for alias in node.names]
            else:
                found.append(Import(node.lineno, module, text))
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and _constant_text(node.args):
            found.append(Import(node.lineno, node.args[0].value, text))
    return found


def _constant_text(arguments: list[ast.expr]) -> bool:
    return bool(arguments) and isinstance(arguments[0], ast.Constant) and isinstance(arguments[0].value, str)


def _package_member(name: str) -> str:
    is_module = name in LEVELS or (PACKAGE / f"{name}.py").exists()
    return f"cbindex.{name}" if is_module else "cbindex"


def _is_import_module(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id == "import_module"
    )


def wing_of(dotted: str) -> str | None:
    """The wing a dotted cbindex name belongs to (None for cbindex itself and its top-level modules)."""
    parts = dotted.split(".")
    if parts[0] != "cbindex" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LEVELS else None


def layering_violations(path: Path) -> list[str]:
    """Why each offending import of a module breaks the layers (empty when it keeps them)."""
    relative = path.relative_to(REPO).as_posix()
    here = wing_of(module_name(path))
    problems = []
    for found in imports_of(path):
        where = f"{relative}:{found.line}: {found.text!r}"
        root = found.target.split(".")[0]
        if root == "snakemake":
            problems.append(f"{where} imports snakemake; the library must not depend on the workflow engine")
            continue
        if root != "cbindex":
            continue
        if relative in IMPORT_FREE:
            problems.append(f"{where}: {relative} must import nothing from cbindex")
            continue
        target = wing_of(found.target)
        if target is None:
            if found.target != "cbindex":
                problems.append(f"{where} imports {found.target}, which is in no wing (levels: {LEVELS})")
            continue
        if here is None:
            problems.append(f"{where}: a top-level module of cbindex imports the wing {target}")
        elif target == here:
            continue
        elif LEVELS[target] > LEVELS[here]:
            problems.append(
                f"{where} is an upward import: {here} (level {LEVELS[here]}) imports {target} (level {LEVELS[target]})"
            )
        elif LEVELS[target] == LEVELS[here]:
            problems.append(f"{where} is a sideways import between wings of level {LEVELS[here]}: {here} → {target}")
    return problems


def climbing_lines(path: Path) -> list[str]:
    """Lines that climb out of the package through a path's parents, or name the workflow beside ``__file__``."""
    relative = path.relative_to(REPO).as_posix()
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        code = line.split("#", 1)[0]
        if CLIMBING.search(code) or ("__file__" in code and "workflow" in code):
            problems.append(f"{relative}:{number}: {line.strip()!r} reaches outside the package")
    return problems


def test_every_wing_has_a_level():
    wings = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert wings == set(LEVELS), f"wings without a level (add them to LEVELS): {sorted(wings ^ set(LEVELS))}"


def test_imports_go_down_only():
    problems = [problem for path in package_modules() for problem in layering_violations(path)]
    assert not problems, "imports that break the layers:\n" + "\n".join(problems)


def test_kernels_import_no_stage_wing():
    """The compiled kernels stay below every stage: they import only core, geo and each other."""
    imported = {
        (path.relative_to(REPO).as_posix(), found.line, wing_of(found.target))
        for path in sorted((PACKAGE / "kernels").glob("*.py"))
        for found in imports_of(path)
        if wing_of(found.target)
    }
    assert imported, "no import found: the walk over cbindex/kernels is broken"
    assert {entry for entry in imported if entry[2] not in ("core", "geo", "kernels")} == set()


def test_no_module_reaches_outside_the_package():
    problems = [problem for path in package_modules() for problem in climbing_lines(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "line", "expected"),
    [
        ("cbindex/geo/x.py", "def f():\n    from cbindex.landcover import stage\n", 2, "upward import"),
        (
            "cbindex/geo/x.py",
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from cbindex.report.html import x\n",
            4,
            "upward import",
        ),
        ("cbindex/species/x.py", "import cbindex.scoring.rules\n", 1, "sideways import"),
        ("cbindex/qgis/x.py", "import json\nfrom ..report import html\n", 2, "sideways import"),
        ("cbindex/kernels/x.py", "from cbindex import landcover\n", 1, "upward import"),
        ("cbindex/core/x.py", "import importlib\nimportlib.import_module('cbindex.geo.boundary')\n", 2, "upward"),
        ("cbindex/overlays/x.py", "from snakemake.io import Namedlist\n", 1, "imports snakemake"),
        ("cbindex/report/x.py", "import snakemake\n", 1, "imports snakemake"),
        ("cbindex/indicators.py", "from cbindex.core import units\n", 1, "must import nothing"),
    ],
)
def test_a_bad_import_is_reported_with_module_line_and_statement(tmp_path, monkeypatch, module, source, line, expected):
    """The check itself fails on each kind of violation and names the module, the line and the import."""
    path = tmp_path / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    problems = layering_violations(path)
    assert len(problems) == 1, problems
    statement = source.splitlines()[line - 1].strip()
    assert problems[0].startswith(f"{module}:{line}: {statement!r}") and expected in problems[0], problems


def test_imports_within_a_wing_and_downward_pass(tmp_path, monkeypatch):
    path = tmp_path / "cbindex" / "overlays" / "x.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        "from cbindex.overlays.areas import OverlayAreas\nfrom . import parks\nimport cbindex.landcover.stage\n"
        "from cbindex.core.units import percent\nfrom cbindex.geo import boundary\n"
        "from cbindex.kernels import code_areas\nfrom cbindex import __version__\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    assert layering_violations(path) == []


def test_climbing_out_of_the_package_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "cbindex" / "core" / "x.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        "from pathlib import Path\nSCHEMAS = Path(__file__).resolve().parents[2] / 'workflow' / 'schemas'\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    assert climbing_lines(path) == [
        "cbindex/core/x.py:2: \"SCHEMAS = Path(__file__).resolve().parents[2] / 'workflow' / 'schemas'\" reaches "
        "outside the package"
    ]


@pytest.mark.parametrize("wing", sorted(LEVELS))
def test_each_wing_docstring_lists_its_modules(wing):
    """Each wing's ``__init__.py`` says its level and lists its modules, one line each (the package's map)."""
    docstring = ast.get_docstring(ast.parse((PACKAGE / wing / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert docstring.startswith(f"Level {LEVELS[wing]}"), f"cbindex/{wing}/__init__.py: start with its level"
    _, _, listing = docstring.partition("Modules\n-------\n")
    listed = [line.split()[0] for line in listing.splitlines() if line.strip() and not line.startswith(" ")]
    modules = sorted(path.stem for path in (PACKAGE / wing).glob("*.py") if path.stem != "__init__")
    assert sorted(listed) == modules, f"cbindex/{wing}/__init__.py lists {sorted(listed)}, the wing has {modules}"
