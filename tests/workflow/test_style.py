"""The code base stays ruff clean (configuration in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
