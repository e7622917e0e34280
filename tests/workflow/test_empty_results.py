"""Empty results end to end: a small all-built-up district (ESA WorldCover code 50 only) with no natural patch,
protected areas, red line and parks that all lie outside it, bird records none of which is a bird, and a species
list whose plants have no current survey. Every rule runs; I1 is 0 %, I2 is not assessed with its reason (MESH is
undefined when the natural area is 0), the reports say so in both languages and QGIS opens the (empty) layers.

Also: an occurrence file none of whose records lies in the city stops the species rule with one sentence, and a
city whose overlay layer keeps no feature inside it gets 0 with a note."""

from __future__ import annotations

import json
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from affine import Affine
from shapely.geometry import box

from cbindex.geo.legends import load_legend
from cbindex.qgis.stage import decade_classes
from tests.helpers import BUILT, REPO, copy_workflow, snakemake, write_raster, write_vector
from tests.workflow.test_qgis import QGIS_ENV, QGIS_PYTHON, legend_palette, qgis_import_error

pytestmark = pytest.mark.workflow

CITY = "builtup"
YEAR = 2020
CELL = 0.0001  # degrees, about 10 m
WEST, NORTH = 104.06, 30.66
SPECIES_LISTS = """group,species,status,survey
vascular plants,Ficus microcarpa,native,baseline
birds,Passer montanus,native,baseline
birds,Passer montanus,native,current
"""


def cell_box(col0: int, row0: int, col1: int, row1: int):
    """The polygon over columns col0..col1 and rows row0..row1 (cell edges) of the district's raster."""
    return box(WEST + col0 * CELL, NORTH - row1 * CELL, WEST + col1 * CELL, NORTH - row0 * CELL)


def records_csv(points, *, bird_class: str) -> str:
    """A Darwin Core table of one record per (longitude, latitude)."""
    lines = ["species,class,decimalLatitude,decimalLongitude,year"]
    lines += [f"Species {i},{bird_class},{lat:.6f},{lon:.6f},{YEAR}" for i, (lon, lat) in enumerate(points)]
    return "\n".join(lines) + "\n"


def built_up_district(tmp_path, *, occurrences_inside: bool = True):
    """A copy of the workflow whose sheet holds only the all-built-up district, with every optional input."""
    work = copy_workflow(tmp_path / "work")
    data = work / "data" / CITY
    data.mkdir()
    transform = Affine(CELL, 0.0, WEST, 0.0, -CELL, NORTH)
    write_raster(data / "landcover.tif", np.full((30, 30), BUILT, dtype=np.uint8), transform=transform)
    # an L-shaped district: the protected area lies in its notch (inside its extent, outside the boundary), the
    # red line beside it on the raster, the park far away
    write_vector(data / "boundary.gpkg", [cell_box(5, 5, 20, 20).difference(cell_box(13, 5, 20, 12))], name=[CITY])
    write_vector(data / "protected.gpkg", [cell_box(14, 6, 19, 11)], NAME=["in the notch"])
    write_vector(data / "redline.gpkg", [cell_box(22, 2, 29, 28)], NAME=["next door"])
    write_vector(data / "parks.gpkg", [box(WEST + 1.0, NORTH - 0.5, WEST + 1.01, NORTH - 0.49)], name=["far"])
    inside = [(WEST + (6.5 + i) * CELL, NORTH - (7.5 + i) * CELL) for i in range(3)]
    outside = [(WEST + 25.5 * CELL, NORTH - (10.5 + i) * CELL) for i in range(3)]
    points = inside if occurrences_inside else outside
    (data / "records.csv").write_text(records_csv(points, bird_class="Insecta"), encoding="utf-8")
    (data / "species_lists.csv").write_text(SPECIES_LISTS, encoding="utf-8")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False).iloc[:0]
    row = {column: "" for column in sheet.columns}
    row.update(
        city_id=CITY,
        name="Built-up district",
        name_zh="建成区",
        boundary=f"data/{CITY}/boundary.gpkg",
        landcover=f"data/{CITY}/landcover.tif",
        years=str(YEAR),
        legend="esa_worldcover_v100",
        scoring="si-2014",
        protected_areas=f"data/{CITY}/protected.gpkg",
        redline=f"data/{CITY}/redline.gpkg",
        parks=f"data/{CITY}/parks.gpkg",
        population="5000",
        occurrences=f"data/{CITY}/records.csv",
        species_lists=f"data/{CITY}/species_lists.csv",
    )
    pd.DataFrame([row]).to_csv(work / "config/cities.csv", index=False)
    return work


def test_an_all_built_up_district_runs_every_rule_and_says_it_has_no_natural_area(tmp_path):
    work = built_up_district(tmp_path)
    result = snakemake(work, check=False)
    assert result.returncode == 0, result.stderr[-5000:]
    results = work / "results" / CITY
    logs = "".join(path.read_text(encoding="utf-8") for path in (results / "logs").glob("*.log"))
    assert "Traceback" not in logs

    stage = pd.read_csv(results / f"{YEAR}/landcover_indicators.csv").set_index("indicator")
    assert stage.loc["I1", "value"] == 0.0
    assert stage.loc["natural_area", "value"] == 0.0
    assert stage.loc["natural_patches", "value"] == 0 and stage.loc["natural_groups", "value"] == 0
    for undefined in ("I2", "I2_coherence"):  # Σ A_Gi² / A_total with A_total = 0: not a score of 0
        assert pd.isna(stage.loc[undefined, "value"])
        assert stage.loc[undefined, "method"].startswith("not assessed: no natural area")

    overlay = pd.read_csv(results / f"{YEAR}/overlay_indicators.csv").set_index("indicator")
    assert overlay.loc["I9", "value"] == 0.0 and overlay.loc["redline_coverage", "value"] == 0.0
    assert pd.isna(overlay.loc["redline_natural_share", "value"])
    for layer, _ in pyogrio.list_layers(results / f"{YEAR}/overlays.gpkg"):
        assert pyogrio.read_info(results / f"{YEAR}/overlays.gpkg", layer=layer)["features"] == 0
    species = pd.read_csv(results / f"{YEAR}/species_indicators.csv").set_index("indicator")
    assert species.loc["I3", "value"] == 0 and pd.isna(species.loc["I3_built_up_share", "value"])
    assert species.loc["occurrences_not_birds", "value"] == 3
    lists = pd.read_csv(results / "species_list_indicators.csv").set_index("indicator")
    assert pd.isna(lists.loc["I4", "value"]) and lists.loc["I5", "value"] == 0

    table = pd.read_csv(results / "indicators.csv").set_index("indicator")
    assert table.loc["I1", "value"] == 0.0 and table.loc["I1", "status"] == "scored"
    assert table.loc["I2", "status"] == "not_assessed" and pd.isna(table.loc["I2", "points"])
    scorecard = json.loads((results / "scorecard.json").read_text(encoding="utf-8"))
    i2 = next(row for row in scorecard["indicators"] if row["id"] == "I2")
    assert i2["points"] is None and "no natural area" in i2["method"]

    english = (results / "report_en.html").read_text(encoding="utf-8")
    chinese = (results / "report_zh.html").read_text(encoding="utf-8")
    assert f"No natural area in {YEAR}" in english
    assert f"{YEAR}年无自然区域" in chinese
    assert f"No protected area inside the city in {YEAR}" in english and f"{YEAR}年市内无保护地" in chinese
    assert f"No red-line area inside the city in {YEAR}" in english and f"{YEAR}年市内无生态保护红线" in chinese
    assert 'id="figure-natural-areas"' in english and 'id="figure-connectivity-groups"' not in english
    assert f"No connectivity group in {YEAR}" in english and f"{YEAR}年无连通组" in chinese

    gpkg = results / f"{CITY}_layers.gpkg"
    counts = {layer: pyogrio.read_info(gpkg, layer=layer)["features"] for layer, _ in pyogrio.list_layers(gpkg)}
    assert counts.pop("city_boundary") == 1 and counts.pop("layer_styles") > 0
    assert counts and set(counts.values()) == {0}
    for layer in counts:
        assert gpd.read_file(gpkg, layer=layer).crs is not None
    project = (results / f"{CITY}.qgs").read_text(encoding="utf-8")
    assert f"Natural patches {YEAR} — no natural area in {YEAR}" in project
    assert f"Protected natural areas {YEAR} — no protected area inside the city" in project
    chinese = (results / f"{CITY}_zh.qgs").read_text(encoding="utf-8")
    assert f"{YEAR}年自然斑块 — {YEAR}年无自然区域" in chinese
    assert f"{YEAR}年受保护自然区域 — 市内无保护地" in chinese
    check_project_in_qgis(work, counts, tmp_path)


def check_project_in_qgis(work, counts: dict[str, int], tmp_path) -> None:
    """Open the project with Debian's QGIS as tests/workflow/test_qgis.py does: every layer valid, empty ones empty."""
    reason = qgis_import_error()
    if reason:
        pytest.skip(f"QGIS is not installed for {QGIS_PYTHON} ({reason})")
    gpkg = f"{CITY}_layers.gpkg|layername="
    layers = {f"{gpkg}city_boundary": {"features": 1, "renderer": "singleSymbol", "classes": 1, "visible": True}}
    for layer in counts:
        graduated = layer.startswith(("connectivity_groups", "candidate_links"))
        renderer = "graduatedSymbol" if graduated else "singleSymbol"
        classes = len(decade_classes([])) if renderer == "graduatedSymbol" else 1
        visible = not layer.startswith("natural_areas")
        layers[f"{gpkg}{layer}"] = {"features": 0, "renderer": renderer, "classes": classes, "visible": visible}
    layers[f"{YEAR}/natural_areas.tif"] = {"features": None, "renderer": "paletted", "classes": 3, "visible": True}
    palette = legend_palette(load_legend(work / "config/legends/esa_worldcover_v100.yaml"))
    layers[f"{YEAR}/landcover.tif"] = {"renderer": "paletted", "classes": len(palette), "palette": palette}
    layers[f"{YEAR}/landcover.tif"] |= {"features": None, "visible": True}
    project = {
        "project": str(work / f"results/{CITY}/{CITY}.qgs"),
        "png": str(tmp_path / "map.png"),
        "crs": "EPSG:32648",  # display_crs auto: the UTM zone of 104.06° E, 30.66° N (48N)
        "ellipsoid": "EPSG:7030",  # WGS 84
        "layers": layers,
    }
    (tmp_path / "expectations.json").write_text(json.dumps({"projects": [project]}), encoding="utf-8")
    result = subprocess.run(
        [QGIS_PYTHON, str(REPO / "tests/workflow/qgis_check.py"), str(tmp_path / "expectations.json")],
        capture_output=True,
        text=True,
        env=QGIS_ENV,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]


def test_occurrences_with_no_record_in_the_city_stop_with_one_sentence(tmp_path):
    work = built_up_district(tmp_path, occurrences_inside=False)
    target = f"results/{CITY}/{YEAR}/species_indicators.csv"
    failed = snakemake(work, target, check=False)
    assert failed.returncode != 0
    # the rule logs to its log file and to stderr; stderr is read, wherever a failed run's log file is kept
    assert "Traceback" not in failed.stderr and "Unexpected failure" not in failed.stderr
    assert f"ERROR cbindex: No record of occurrence file data/{CITY}/records.csv lies inside boundary" in failed.stderr
