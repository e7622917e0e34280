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
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import rasterio.features
import rasterio.windows
import yaml

from cbindex.core.city_sheet import parse_year_legends, qgis_project_pattern
from cbindex.geo.legends import Legend, load_legend
from cbindex.qgis.stage import cbindex_version, decade_classes
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


def city_legend(work: Path, city: str, year: int) -> Legend:
    """The legend the city's sheet row names for a year (one legend, or ``year:legend`` entries)."""
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False).set_index("city_id")
    years = [int(y) for y in sheet.loc[city, "years"].split()]
    value = parse_year_legends(sheet.loc[city, "legend"], years=years, where=city)[year]
    return load_legend(work / value if value.endswith(".yaml") else work / f"config/legends/{value}.yaml")


def legend_palette(legend: Legend) -> list[list]:
    """The legend's ``[code, #rrggbb]`` in file order: what the land-cover layer's paletted renderer must hold."""
    return [[code, legend_class.colour] for code, legend_class in legend.classes.items()]


def projects(work: Path, city: str) -> dict[str, Path]:
    """The city's QGIS project per language of the shipped config (report.languages: en, zh)."""
    languages = yaml.safe_load((work / "config/config.yaml").read_text(encoding="utf-8"))["report"]["languages"]
    return {language: work / qgis_project_pattern(language).replace("{city}", city) for language in languages}


def indicator(work: Path, city: str, year: int, name: str) -> float:
    table = pd.read_csv(work / f"results/{city}/{year}/landcover_indicators.csv").set_index("indicator")
    return float(table.loc[name, "value"])


def overlay_counts(folder: Path) -> dict[str, int]:
    """Features of each layer of a year's or a scenario's ``overlays.gpkg`` (none without one)."""
    path = folder / "overlays.gpkg"
    if not path.exists():
        return {}
    return {layer: pyogrio.read_info(path, layer=layer)["features"] for layer, _ in pyogrio.list_layers(path)}


def city_scenarios(work: Path, city: str) -> list[dict]:
    """The city's what-if scenarios as its scenarios file gives them (none without the sheet column)."""
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False).set_index("city_id")
    path = sheet.loc[city].get("scenarios", "")
    return yaml.safe_load((work / path).read_text(encoding="utf-8"))["scenarios"] if path else []


def folder_layers(work: Path, city: str, folder: str, *, suffix: str, landcover: str, year: int, visible: bool):
    """What QGIS must show of one year's (``folder`` ``2020``, layer suffix ``2020``) or one scenario's outputs
    (``scenarios/<name>``, suffix ``scenario_<name>``, the base ``year``'s legend): source → expectations."""
    gpkg = f"{city}_layers.gpkg|layername="
    outputs = work / f"results/{city}/{folder}"
    table = pd.read_csv(outputs / "landcover_indicators.csv").set_index("indicator")["value"]
    layers = {}
    for overlay, count in overlay_counts(outputs).items():
        categorised = overlay == "scenario_changes"  # by action: added, removed
        layers[f"{gpkg}{overlay}_{suffix}"] = {
            "features": count,
            "renderer": "categorizedSymbol" if categorised else "singleSymbol",
            "classes": 2 if categorised else 1,
            "visible": visible,
        }
    districts = outputs / "districts.gpkg"
    if districts.exists():
        layers[f"{gpkg}districts_{suffix}"] = {
            "features": pyogrio.read_info(districts, layer="districts")["features"],
            "renderer": "graduatedSymbol",
            "classes": 5,
            "visible": visible,
        }
    areas = gpd.read_file(outputs / "connectivity_groups.gpkg", layer="connectivity_groups")["area_ha"]
    layers[f"{gpkg}connectivity_groups_{suffix}"] = {
        "features": int(table["natural_groups"]),
        "renderer": "graduatedSymbol",
        "classes": len(decade_classes(areas.tolist())),
        "visible": visible,
    }
    gains = pyogrio.read_dataframe(
        outputs / "connectivity_groups.gpkg", layer="candidate_links", columns=["gain_ha"], read_geometry=False
    )["gain_ha"]
    layers[f"{gpkg}candidate_links_{suffix}"] = {
        "features": len(gains),
        "renderer": "graduatedSymbol",
        "classes": len(decade_classes(gains.tolist(), max_classes=5)),
        "visible": visible,
    }
    layers[f"{gpkg}natural_areas_{suffix}"] = {
        "features": int(table["natural_patches"]),
        "renderer": "singleSymbol",
        "classes": 1,
        "visible": False,
    }
    layers[f"{folder}/natural_areas.tif"] = {"features": None, "renderer": "paletted", "classes": 3, "visible": visible}
    palette = legend_palette(city_legend(work, city, year))
    layers[f"{folder}/{landcover}"] = {
        "features": None,
        "renderer": "paletted",
        "classes": len(palette),
        "palette": palette,
        "visible": visible,
    }
    return layers


def expected_layers(work: Path, city: str) -> dict[str, dict]:
    """What QGIS must show for a city: layer source (relative to the project) → features, style, visibility.
    The latest year's layers are visible; the other years' and the scenarios' are in unticked groups."""
    gpkg = f"{city}_layers.gpkg|layername="
    layers = {f"{gpkg}city_boundary": {"features": 1, "renderer": "singleSymbol", "classes": 1, "visible": True}}
    years = cities(work)[city]
    for year in years:
        layers |= folder_layers(
            work, city, str(year), suffix=str(year), landcover="landcover.tif", year=year, visible=year == years[-1]
        )
    for scenario in city_scenarios(work, city):
        name = scenario["name"]
        layers |= folder_layers(
            work,
            city,
            f"scenarios/{name}",
            suffix=f"scenario_{name}",
            landcover="landcover_map.tif",
            year=scenario["base_year"],
            visible=False,
        )
    return layers


def expected_groups(work: Path, city: str, language: str) -> list[dict]:
    """The scenario groups a project must hold after the years': named from the catalogue with the scenario's
    title in the project's language, unticked, collapsed, holding the scenario's layers."""
    layers = expected_layers(work, city)
    scenario_layers = {
        name: sorted(key for key in layers if key.endswith(f"_scenario_{name}") or key.startswith(f"scenarios/{name}/"))
        for name in (scenario["name"] for scenario in city_scenarios(work, city))
    }
    return [
        {
            "name": f"Scenario: {scenario['title']}" if language == "en" else f"情景：{scenario['title_zh']}",
            "checked": False,
            "expanded": False,
            "layers": scenario_layers[scenario["name"]],
        }
        for scenario in city_scenarios(work, city)
    ]


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


def test_a_qml_beside_every_geotiff(base_run):
    """Every year's natural-area mask and land cover open styled, and so do every scenario's mask and land-cover
    map (the scenario's own landcover.tif is the scenario rule's output, read by the land-cover rule)."""
    rasters = sorted((base_run / "results").glob("*/[0-9][0-9][0-9][0-9]/*.tif"))  # each city's years
    assert {raster.name for raster in rasters} == {"natural_areas.tif", "landcover.tif"}
    scenario_rasters = [
        base_run / f"results/{city}/scenarios/{scenario['name']}/{name}"
        for city in cities(base_run)
        for scenario in city_scenarios(base_run, city)
        for name in ("natural_areas.tif", "landcover_map.tif")
    ]
    assert len(scenario_rasters) == 2  # Freetown's one scenario
    for raster in rasters + scenario_rasters:
        palette = ET.parse(raster.with_suffix(".qml")).getroot().find("pipe/rasterrenderer/colorPalette")
        entries = {int(e.get("value")): (e.get("color"), int(e.get("alpha"))) for e in palette.iter("paletteEntry")}
        if raster.name == "natural_areas.tif":
            assert {value: alpha for value, (_, alpha) in entries.items()} == {1: 255, 0: 255, 255: 0}
            continue
        city = raster.relative_to(base_run / "results").parts[0]
        base_years = {scenario["name"]: scenario["base_year"] for scenario in city_scenarios(base_run, city)}
        legend = city_legend(base_run, city, base_years.get(raster.parts[-2]) or int(raster.parts[-2]))
        assert entries == {code: (colour, 255) for code, colour in legend_palette(legend)}
        labels = [e.get("label") for e in palette.iter("paletteEntry")]  # both languages: one file for both projects
        assert labels == [f"{c.name} / {c.name_zh}" for c in legend.classes.values()]


def test_the_landcover_copy_holds_the_city_cells_of_the_input_raster(base_run):
    """landcover.tif: the input's window over the city, cells whose centre is outside the boundary set to nodata;
    checked against the boundary rasterised by rasterio (all cells inside keep their code, every other is nodata)."""
    sheet = pd.read_csv(base_run / "config/cities.csv", dtype=str, keep_default_na=False).set_index("city_id")
    for city, years in cities(base_run).items():
        row = sheet.loc[city]
        boundary = gpd.read_file(base_run / row["boundary"])
        if row["boundary_filter_column"]:
            column = boundary[row["boundary_filter_column"]].astype(str).str.upper()
            boundary = boundary[column == row["boundary_filter_value"].upper()]
        for year in years:
            legend = city_legend(base_run, city, year)
            copy = base_run / f"results/{city}/{year}/landcover.tif"
            with (
                rasterio.open(copy) as result,
                rasterio.open(base_run / row["landcover"].replace("{year}", str(year))) as source,
            ):
                values, nodata = result.read(1), result.nodata
                window = rasterio.windows.from_bounds(*result.bounds, transform=source.transform)
                original = source.read(1, window=window.round_offsets().round_lengths())
                inside = rasterio.features.geometry_mask(
                    boundary.to_crs(result.crs).geometry,
                    out_shape=values.shape,
                    transform=result.transform,
                    invert=True,
                )
                assert result.crs == source.crs and result.dtypes[0] in ("uint8", "int32", "int16", "uint16")
            assert nodata is not None and int(nodata) not in legend.classes
            valid = inside & ~np.isin(original, legend.nodata)
            assert (values[valid] == original[valid]).all()
            assert (values[~valid] == nodata).all()
            assert valid.sum() > 0.2 * values.size  # Freetown fills 46 % of its window


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


LAYOUT_DPI = 100
MIN_GREY_STD = 20.0
"""A blank page has a grey-level standard deviation of 0, a page of title and frame alone about 10; a land-cover
map over a third of the page well over 40."""


def layout_names(work: Path, city: str, language: str) -> list[str]:
    """The print layouts a project must hold: one per land-cover year, latest first, named in its language."""
    years = sorted(cities(work)[city], reverse=True)
    return [f"Land-cover map {year}" if language == "en" else f"{year}年土地覆盖图" for year in years]


def project_expectations(work: Path, tmp_path: Path, city: str, **overrides) -> list[dict]:
    """What qgis_check must find in each language's project of a city (layouts exported to tmp_path)."""
    return [
        {
            "project": str(path),
            "png": str(tmp_path / f"{path.stem}.png"),
            "crs": SAMPLE_DISPLAY_CRS[city],
            "ellipsoid": WGS84_ELLIPSOID,
            "layers": expected_layers(work, city),
            "language": language,
            "groups": expected_groups(work, city, language),
            "layouts": {
                "names": layout_names(work, city, language),
                "png": str(tmp_path / f"{path.stem}_layout.png"),
                "pdf": str(tmp_path / f"{path.stem}_layout.pdf"),
                "dpi": LAYOUT_DPI,
                "min_grey_std": MIN_GREY_STD,
            },
            **overrides,
        }
        for language, path in projects(work, city).items()
    ]


def test_qgis_opens_every_layer_styled_renders_the_map_and_exports_each_print_layout(base_run, tmp_path):
    expectations = [item for city in cities(base_run) for item in project_expectations(base_run, tmp_path, city)]
    assert len(expectations) == 2 * len(cities(base_run))  # every city, English and Chinese
    summary = qgis_check(expectations, tmp_path)
    for project, expected in zip(summary["projects"], expectations, strict=True):
        city = Path(project["project"]).stem.removesuffix("_zh")
        assert (project["crs"], project["ellipsoid"]) == (SAMPLE_DISPLAY_CRS[city], WGS84_ELLIPSOID)
        assert project["coloured_share"] > 0.05
        assert all(layer["pixels_alone"] > 0 for layer in project["layers"].values())
        latest = project["layouts"][0]
        assert latest["png_px"] == [
            pytest.approx(297 / 25.4 * LAYOUT_DPI, abs=1),
            pytest.approx(210 / 25.4 * LAYOUT_DPI, abs=1),
        ]
        assert latest["pdf_pages"] == 1
        assert latest["pdf_page_mm"] == [[pytest.approx(297, abs=0.5), pytest.approx(210, abs=0.5)]]
        assert latest["grey"]["std"] > MIN_GREY_STD and 0.1 < latest["grey"]["not_white"] < 0.9
        year = max(cities(base_run)[city])
        legend = city_legend(base_run, city, year)
        names = cities_names(base_run)[city]
        language = expected["language"]
        landcover = next(name for name in latest["legend"] if str(year) in name)
        class_names = [c.name if language == "en" else c.name_zh for c in legend.classes.values()]
        assert latest["legend"][landcover] == class_names  # the classes, without QGIS's "Band 1 (Gray)"
        assert names[language] in latest["title"] and str(year) in latest["title"]
        assert legend.name in latest["source"] and f"cbindex {cbindex_version()}" in latest["source"]
        assert SAMPLE_DISPLAY_CRS[city] in latest["source"]
        # the years' groups, latest first, then one group per scenario (Freetown's: its title in the language)
        groups = [group["name"] for group in project["groups"]]
        year_groups = [str(y) if language == "en" else f"{y}年" for y in sorted(cities(base_run)[city], reverse=True)]
        assert groups == year_groups + [group["name"] for group in expected["groups"]]
        if city == "freetown":
            (scenario,) = city_scenarios(base_run, city)
            title = scenario["title"] if language == "en" else scenario["title_zh"]
            assert project["groups"][-1]["name"] == (f"Scenario: {title}" if language == "en" else f"情景：{title}")
            assert len(project["groups"][-1]["layers"]) == 5  # land cover, mask, groups, links, patches


def cities_names(work: Path) -> dict[str, dict[str, str]]:
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    return {row.city_id: {"en": row.name, "zh": row.name_zh} for row in sheet.itertuples()}


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
    chinese = project_expectations(work, tmp_path, "chengdu", crs="EPSG:4544", ellipsoid="EPSG:1024")[-1]
    assert chinese["language"] == "zh"
    summary = qgis_check([chinese], tmp_path)  # CGCS2000's ellipsoid EPSG:1024
    assert summary["projects"][0]["crs"] == "EPSG:4544"
    assert "EPSG:4544" in summary["projects"][0]["layouts"][0]["source"]
