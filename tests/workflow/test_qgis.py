"""The QGIS package of a workflow run: styled GeoPackage, QML beside each GeoTIFF, a project real QGIS opens.

The file checks run everywhere; the last two tests open the projects with Debian's QGIS (``/usr/bin/python3``
with ``python3-qgis``) through tests/workflow/qgis_check.py (project CRS, ellipsoid, layers, styles, rendering)
and are skipped when that QGIS is not installed: the sample run's projects in the cities' UTM zones, and Chengdu's
in its CGCS2000 Gauss-Krüger zone (config display_crs: EPSG:4544), which re-runs only the QGIS projects and the reports.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import yaml

from cbindex.qgis.stage import decade_classes
from tests.helpers import REPO, snakemake

pytestmark = pytest.mark.workflow
QGIS_PYTHON = "/usr/bin/python3"
SAMPLE_DISPLAY_CRS = {"chengdu": "EPSG:32648", "freetown": "EPSG:32628", "san_jose": "EPSG:32616"}
"""The sample cities' UTM zones (WGS 84 / UTM 48N, 28N, 16N), the display CRS of the shipped ``display_crs: auto``."""
WGS84_ELLIPSOID = "EPSG:7030"
QGIS_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def qgis_import_error() -> str | None:
    """Why the system Python cannot import QGIS, or None when it can."""
    if not Path(QGIS_PYTHON).exists():
        return f"{QGIS_PYTHON} does not exist"
    result = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, env=QGIS_ENV)
    return None if result.returncode == 0 else result.stderr.strip().splitlines()[-1]


def cities(work: Path) -> dict[str, list[int]]:
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    return {row.city_id: sorted(int(y) for y in row.years.split()) for row in sheet.itertuples()}


def indicator(work: Path, city: str, year: int, name: str) -> float:
    table = pd.read_csv(work / f"results/{city}/{year}/landcover_indicators.csv").set_index("indicator")
    return float(table.loc[name, "value"])


def overlay_counts(work: Path, city: str, year: int) -> dict[str, int]:
    path = work / f"results/{city}/{year}/overlays.gpkg"
    if not path.exists():
        return {}
    return {layer: pyogrio.read_info(path, layer=layer)["features"] for layer, _ in pyogrio.list_layers(path)}


def expected_layers(work: Path, city: str) -> dict[str, dict]:
    """What QGIS must show for a city: layer source (relative to the project) → features, style, visibility."""
    gpkg = f"{city}_layers.gpkg|layername="
    layers = {f"{gpkg}city_boundary": {"features": 1, "renderer": "singleSymbol", "classes": 1, "visible": True}}
    years = cities(work)[city]
    for year in years:
        latest = year == years[-1]
        for overlay, count in overlay_counts(work, city, year).items():
            layers[f"{gpkg}{overlay}_{year}"] = {
                "features": count,
                "renderer": "singleSymbol",
                "classes": 1,
                "visible": latest,
            }
        districts = work / f"results/{city}/{year}/districts.gpkg"
        if districts.exists():
            layers[f"{gpkg}districts_{year}"] = {
                "features": pyogrio.read_info(districts, layer="districts")["features"],
                "renderer": "graduatedSymbol",
                "classes": 5,
                "visible": latest,
            }
        areas = gpd.read_file(work / f"results/{city}/{year}/connectivity_groups.gpkg", layer="connectivity_groups")[
            "area_ha"
        ]
        layers[f"{gpkg}connectivity_groups_{year}"] = {
            "features": int(indicator(work, city, year, "natural_groups")),
            "renderer": "graduatedSymbol",
            "classes": len(decade_classes(areas.tolist())),
            "visible": latest,
        }
        layers[f"{gpkg}natural_areas_{year}"] = {
            "features": int(indicator(work, city, year, "natural_patches")),
            "renderer": "singleSymbol",
            "classes": 1,
            "visible": False,
        }
        layers[f"{year}/natural_areas.tif"] = {
            "features": None,
            "renderer": "paletted",
            "classes": 3,
            "visible": latest,
        }
    return layers


def test_geopackage_holds_every_vector_output(base_run):
    for city, years in cities(base_run).items():
        gpkg = base_run / f"results/{city}/{city}_layers.gpkg"
        layers = {name for name, _ in pyogrio.list_layers(gpkg)}
        wanted = {key.partition("layername=")[2] for key in expected_layers(base_run, city) if "layername" in key}
        assert layers == wanted | {"layer_styles"}
        for year in years:
            patches = gpd.read_file(gpkg, layer=f"natural_areas_{year}")
            assert len(patches) == indicator(base_run, city, year, "natural_patches")
            # centre boundary rule: whole cells, so the patches add up to the natural area of I1
            assert patches["area_ha"].sum() == pytest.approx(indicator(base_run, city, year, "natural_area"), rel=1e-9)
            assert patches.geometry.is_valid.all()
            groups = gpd.read_file(gpkg, layer=f"connectivity_groups_{year}")
            assert len(groups) == indicator(base_run, city, year, "natural_groups")


def test_every_layer_has_its_default_style_in_layer_styles(base_run):
    for city in cities(base_run):
        gpkg = base_run / f"results/{city}/{city}_layers.gpkg"
        with sqlite3.connect(gpkg) as connection:
            rows = connection.execute(
                "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, "
                "styleSLD, useAsDefault FROM layer_styles"
            ).fetchall()
            registered = connection.execute(
                "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
            ).fetchall()
        assert registered == [("attributes",)]
        layers = {name for name, geometry in pyogrio.list_layers(gpkg) if geometry}
        assert sorted(row[2] for row in rows) == sorted(layers)
        for catalog, schema, _, geometry_column, style_name, qml, sld, default in rows:
            assert (catalog, schema, geometry_column, default) == ("", "", "geom", 1)
            assert style_name
            assert ET.fromstring(qml).find("renderer-v2") is not None
            assert ET.fromstring(sld).tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"


def test_a_qml_beside_every_natural_area_mask(base_run):
    """Every year's natural-area mask opens styled (scenario folders hold the rule's working rasters)."""
    rasters = sorted(
        path for path in (base_run / "results").rglob("natural_areas.tif") if "scenarios" not in path.parts
    )
    assert rasters
    for raster in rasters:
        palette = ET.parse(raster.with_suffix(".qml")).getroot().find("pipe/rasterrenderer/colorPalette")
        entries = {int(e.get("value")): int(e.get("alpha")) for e in palette.iter("paletteEntry")}
        assert entries == {1: 255, 0: 255, 255: 0}


def test_project_refers_to_its_layers_by_relative_paths(base_run):
    for city in cities(base_run):
        project = base_run / f"results/{city}/{city}.qgs"
        root = ET.parse(project).getroot()
        assert root.findtext("properties/Paths/Absolute") == "false"
        sources = [element.text for element in root.iter("datasource")]
        assert sorted(s.removeprefix("./") for s in sources) == sorted(expected_layers(base_run, city))
        for source in sources:
            assert source.startswith("./")
            assert (project.parent / source.partition("|")[0]).exists()


def qgis_check(projects: list[dict], tmp_path: Path) -> dict:
    """Run tests/workflow/qgis_check.py on these project expectations with real QGIS; its JSON summary.

    Skips the test when QGIS is not installed; fails it with QGIS's list of failures.
    """
    reason = qgis_import_error()
    if reason:
        pytest.skip(f"QGIS is not installed for {QGIS_PYTHON} ({reason}); apt-get install qgis python3-qgis")
    (tmp_path / "expectations.json").write_text(json.dumps({"projects": projects}), encoding="utf-8")
    check_script = str(REPO / "tests/workflow/qgis_check.py")
    result = subprocess.run(
        [QGIS_PYTHON, check_script, str(tmp_path / "expectations.json")],
        capture_output=True,
        text=True,
        env=QGIS_ENV,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return json.loads(result.stdout)


def test_qgis_opens_every_layer_styled_and_renders_the_map(base_run, tmp_path):
    summary = qgis_check(
        [
            {
                "project": str(base_run / f"results/{city}/{city}.qgs"),
                "png": str(tmp_path / f"{city}.png"),
                "crs": SAMPLE_DISPLAY_CRS[city],
                "ellipsoid": WGS84_ELLIPSOID,
                "layers": expected_layers(base_run, city),
            }
            for city in cities(base_run)
        ],
        tmp_path,
    )
    for project in summary["projects"]:
        assert (project["crs"], project["ellipsoid"]) == (
            SAMPLE_DISPLAY_CRS[Path(project["project"]).stem],
            WGS84_ELLIPSOID,
        )
        assert project["coloured_share"] > 0.05
        assert all(layer["pixels_alone"] > 0 for layer in project["layers"].values())


def test_a_cgcs2000_display_crs_reruns_the_qgis_projects_and_qgis_shows_chengdu_in_it(copy_of_base_run, tmp_path):
    """display_crs: EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E, the Chinese choice for Chengdu)."""
    work = copy_of_base_run
    config_path = work / "config/config.yaml"
    original = config_path.read_text(encoding="utf-8")
    assert yaml.safe_load(original)["display_crs"] == "auto"
    config_path.write_text(re.sub(r"(?m)^display_crs: auto\b", "display_crs: EPSG:4544", original), encoding="utf-8")
    assert yaml.safe_load(config_path.read_text(encoding="utf-8"))["display_crs"] == "EPSG:4544"
    planned = snakemake(work, "--dry-run").stdout
    # the report lists every setting of the run in its provenance, so it is written again too
    assert set(re.findall(r"^(?:local)?rule (\w+):$", planned, flags=re.MULTILINE)) - {"all"} == {
        "write_qgis_project",
        "write_city_report",
    }
    snakemake(work, "results/chengdu/chengdu.qgs")
    summary = qgis_check(
        [
            {
                "project": str(work / "results/chengdu/chengdu.qgs"),
                "png": str(tmp_path / "chengdu.png"),
                "crs": "EPSG:4544",
                "ellipsoid": "EPSG:1024",  # CGCS2000
                "layers": expected_layers(work, "chengdu"),
            }
        ],
        tmp_path,
    )
    assert summary["projects"][0]["crs"] == "EPSG:4544"
