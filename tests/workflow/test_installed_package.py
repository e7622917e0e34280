"""The package works installed from its wheel (not editable), away from the source tree.

The wheel is built from a copy of the package's sources, installed with ``pip --target`` into a temporary
directory, and a fresh interpreter, started outside the repository with only that directory on ``PYTHONPATH``,
loads the shipped legend and rule set (so their schemas come from package data) and computes the land-cover
indicators of Freetown 2020 with the installed ``cbindex``; I1 and I2 must equal tests/expected/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import REPO

CITY, YEAR = "freetown", 2020
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "cbindex")

# Runs in the installed package's interpreter: argv[1] is a JSON object of paths and options.
CHILD = textwrap.dedent(
    """
    import inspect
    import json
    import sys
    from pathlib import Path

    import pandas as pd
    import yaml

    arguments = json.loads(sys.argv[1])

    import cbindex
    from cbindex.core import config_files
    from cbindex.geo.legends import load_legend
    from cbindex.landcover.stage import LandcoverInputs, compute_landcover_indicators
    from cbindex.scoring.points import score_value
    from cbindex.scoring.rule_sets import load_rule_set

    legend = load_legend(arguments["legend"])
    rule_set = load_rule_set(arguments["rule_set"])
    config = yaml.safe_load(Path(arguments["config"]).read_text(encoding="utf-8"))
    job = dict(arguments["job"])
    boundary = job.pop("boundary")
    if "boundary" in inspect.signature(LandcoverInputs.read).parameters:  # the boundary as one BoundarySpec
        from cbindex.geo.boundary import BoundarySpec

        job["boundary"] = BoundarySpec(**boundary)
    else:  # boundary_path, boundary_layer, ... keywords, until the BoundarySpec change is committed
        job |= {f"boundary_{key}": value for key, value in boundary.items()}
    compute_landcover_indicators(
        **job,
        legend_path=arguments["legend"],
        method=config["method"],
        block_rows=config["block_rows"],
        equal_area_crs=config["equal_area_crs"],
        boundary_coverage_tolerance_percent=config["boundary_coverage_tolerance_percent"],
    )
    table = pd.read_csv(arguments["job"]["indicators_csv"]).set_index("indicator")["value"]
    points = {name: score_value(rule_set.indicators[name], table[name]).points for name in ("I1", "I2")}
    modules = {
        name: str(Path(module.__file__).resolve())
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "cbindex" and getattr(module, "__file__", None)
    }
    print(
        json.dumps(
            {
                "cbindex_file": str(Path(cbindex.__file__).resolve()),
                "schema_dir": str(config_files.SCHEMA_DIR.resolve()),
                "legend_classes": len(legend.classes),
                "rule_set": rule_set.id,
                "points": points,
                "cbindex_modules": modules,
            }
        )
    )
    """
)


def build_wheel(tmp_path: Path) -> Path:
    """Build the wheel from a copy of the package's sources (the checkout gets no build/ or egg-info)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    pip(["wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(source)], cwd=tmp_path)
    (wheel,) = dist.glob("cbindex-*.whl")
    return wheel


def pip(arguments: list[str], *, cwd: Path) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *arguments]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


def package_files() -> set[str]:
    """Every file of the cbindex package in the source tree (modules and data), relative to the repository."""
    return {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "cbindex").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def freetown_job(output: Path) -> tuple[dict, pd.Series]:
    """The land-cover job arguments of Freetown 2020 from config/cities.csv (paths absolute, outputs in
    ``output``) and its row of the city sheet."""
    sheet = pd.read_csv(REPO / "config" / "cities.csv", dtype=str, keep_default_na=False).set_index("city_id")
    city = sheet.loc[CITY]
    assert str(YEAR) in city["years"].split() and not city["barriers"], "config/cities.csv changed its Freetown row"
    return {
        "city": CITY,
        "year": YEAR,
        "raster_path": str(REPO / city["landcover"].format(year=YEAR)),
        "boundary": {
            "path": str(REPO / city["boundary"]),
            "layer": city["boundary_layer"] or None,
            "filter_column": city["boundary_filter_column"] or None,
            "filter_value": city["boundary_filter_value"] or None,
        },
        "indicators_csv": str(output / "landcover_indicators.csv"),
        "natural_mask_tif": str(output / "natural_areas.tif"),
        "groups_gpkg": str(output / "connectivity_groups.gpkg"),
    }, city


def test_installed_wheel_computes_freetown_like_the_source_tree(tmp_path):
    wheel = build_wheel(tmp_path)
    wheel_files = set(zipfile.ZipFile(wheel).namelist())
    schemas = {name for name in package_files() if name.startswith("cbindex/core/schemas/")}
    assert schemas and all(name.endswith(".schema.yaml") for name in schemas)
    missing = package_files() - wheel_files
    assert not missing, f"the wheel lacks {sorted(missing)}; see [tool.setuptools] in pyproject.toml"

    site = tmp_path / "site"
    pip(["install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], cwd=tmp_path)
    for schema in schemas:
        assert (site / schema).is_file(), f"{schema} was not installed"

    output = tmp_path / "out"
    output.mkdir()
    job, city = freetown_job(output)
    arguments = {
        "legend": str(REPO / "config" / "legends" / f"{city['legend']}.yaml"),
        "rule_set": str(REPO / "config" / "scoring" / f"{city['scoring']}.yaml"),
        "config": str(REPO / "config" / "config.yaml"),
        "job": job,
    }
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    environment |= {"PYTHONPATH": str(site), "PYTHONNOUSERSITE": "1", "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    workdir = tmp_path / "elsewhere"  # outside the repository, so the source tree is not on sys.path
    workdir.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(arguments)],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    site = site.resolve()
    assert Path(report["cbindex_file"]).is_relative_to(site), report["cbindex_file"]
    assert Path(report["schema_dir"]) == site / "cbindex" / "core" / "schemas"
    outside = {name: path for name, path in report["cbindex_modules"].items() if not Path(path).is_relative_to(site)}
    assert not outside, f"modules imported from outside the installed package: {outside}"
    assert report["rule_set"] == city["scoring"] and report["legend_classes"] > 0

    computed = pd.read_csv(job["indicators_csv"]).set_index("indicator")["value"]
    expected = pd.read_csv(REPO / "tests" / "expected" / f"{CITY}_indicators.csv")
    expected = expected[expected["year"] == YEAR].set_index("indicator")
    for indicator in ("I1", "I2"):
        assert computed[indicator] == pytest.approx(expected.loc[indicator, "value"], rel=1e-9), indicator
        assert report["points"][indicator] == expected.loc[indicator, "points"], indicator
    assert Path(job["natural_mask_tif"]).is_file() and Path(job["groups_gpkg"]).is_file()
