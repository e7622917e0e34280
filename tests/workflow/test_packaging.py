"""environment.yml, the rules' conda environment and pyproject.toml list the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

from tests.helpers import REPO


def requirement_names(requirements) -> dict[str, str]:
    """Map each requirement's normalised name to its version specifier."""
    names = {}
    for requirement in requirements:
        if not isinstance(requirement, str):
            continue
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
        names[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return names


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def conda_names(path: Path) -> dict[str, str]:
    dependencies = yaml.safe_load(path.read_text(encoding="utf-8"))["dependencies"]
    pypi_only = [
        item
        for entry in dependencies
        if isinstance(entry, dict)
        for item in entry.get("pip", [])
        if not item.startswith(("-", ".", "/"))
    ]  # packages conda-forge lacks; paths install the project
    names = requirement_names(dependencies + pypi_only)
    names.pop("python", None)
    names.pop("pip", None)
    return names


def test_environment_yml_matches_pyproject():
    project = pyproject()
    expected = requirement_names(project["dependencies"] + project["optional-dependencies"]["test"])
    assert conda_names(REPO / "environment.yml") == expected


def test_rule_environment_matches_pyproject_runtime_dependencies():
    assert conda_names(REPO / "workflow" / "envs" / "cbindex.yaml") == requirement_names(pyproject()["dependencies"])
