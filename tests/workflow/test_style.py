"""The style gates of `make lint` pass, so pytest alone catches them too (configuration in pyproject.toml).

`make lint` also runs `snakemake --lint`; tests/workflow/test_workflow.py::test_lint_is_clean runs that one.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

# The commands of the Makefile's lint target, without the `$(BIN)/` prefix, in the same order.
GATES = {
    "ruff check": ["ruff", "check", "."],
    "ruff format": ["ruff", "format", "--check", "."],
    "snakefmt": ["snakefmt", "--check", "Snakefile", "workflow/"],
}
CHECKED_ELSEWHERE = [["snakemake", "--lint"]]  # tests/workflow/test_workflow.py::test_lint_is_clean


def tool(name: str) -> str:
    """The venv's executable of a test tool (ruff, snakefmt), installed by the `test` extra."""
    path = Path(sys.executable).with_name(name)
    assert path.is_file(), f"{path} is missing; install the test extra with `pip install -e '.[test]'`"
    return str(path)


def run_gate(command: list[str], *, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([tool(command[0]), *command[1:]], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", GATES.values(), ids=GATES.keys())
def test_style_gate_passes(command):
    result = run_gate(command, cwd=REPO)
    assert result.returncode == 0, (
        f"`{' '.join(command)}` failed (run `make lint`; `ruff format .` and `snakefmt Snakefile workflow/` "
        f"fix the formatting):\n{result.stdout}\n{result.stderr}"
    )


def test_gates_are_those_of_make_lint():
    """The Makefile's lint target runs exactly these gates and snakemake --lint, so the two cannot drift."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lint:.*\n((?:\t.*\n?)+)", makefile, flags=re.MULTILINE)
    assert recipe, "Makefile has no lint target"
    commands = [line.strip().removeprefix("$(BIN)/").split() for line in recipe.group(1).splitlines()]
    assert commands == [*GATES.values(), *CHECKED_ELSEWHERE]


def test_make_test_runs_lint_first():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    prerequisites = re.search(r"^test:(.*)$", makefile, flags=re.MULTILINE)
    assert prerequisites and "lint" in prerequisites.group(1).split()


BADLY_FORMATTED = {
    "ruff check": ("module.py", "import os\n"),  # F401: unused import
    "ruff format": ("module.py", "x=[1,2 ,3]\n"),
    "snakefmt": ("Snakefile", 'rule a:\n  output: "a.txt"\n  shell: "touch {output}"\n'),
}


@pytest.mark.parametrize("name", GATES.keys())
def test_style_gate_rejects_a_violation(tmp_path, name):
    """Each gate's command exits non-zero on a file that breaks it, so a passing gate means something."""
    filename, text = BADLY_FORMATTED[name]
    (tmp_path / filename).write_text(text, encoding="utf-8")
    command = [part for part in GATES[name] if part not in {".", "Snakefile", "workflow/"}] + [filename]
    result = run_gate(command, cwd=tmp_path)
    assert result.returncode != 0, f"`{' '.join(command)}` accepted {text!r}:\n{result.stdout}\n{result.stderr}"
