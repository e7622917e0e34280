"""Chinese Shapefiles without .cpg (GBK) through Snakemake: boundary, road barriers and red line selected by Chinese
values are read with the sheet's <input>_encoding columns or config vector_encoding, for a city whose id is Chinese
and whose sheet Excel saved as "CSV UTF-8" (BOM, CRLF); without its encoding the boundary stops the run with the
column to set. (The checks of the sheet and the config themselves: test_input_checks.py.)"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
import yaml

from tests.helpers import copy_workflow, snakemake
from tests.workflow.test_input_checks import CITY, edit_config, write_sheet

pytestmark = pytest.mark.workflow

DISTRICTS = {  # inside the shipped Chengdu WorldCover tile, 0.05° (60 cells) a side
    "锦江区": shapely.box(104.05, 30.60, 104.10, 30.65),
    "青羊区": shapely.box(104.00, 30.60, 104.05, 30.65),
}
ROW = {
    "city_id": CITY,
    "name": "Jinjiang",
    "name_zh": "锦江区",
    "boundary": f"data/{CITY}/districts.shp",
    "boundary_filter_column": "名称",
    "boundary_filter_value": "锦江区",
    "boundary_encoding": "gbk",
    "landcover": "data/chengdu/world_cover_CHN-Chengdu.tif",
    "years": "2020",
    "legend": "esa_worldcover_v100",
    "scoring": "si-2014",
    "barriers": f"data/{CITY}/roads.shp",
    "barriers_encoding": "gbk",
    "redline": f"data/{CITY}/redline.shp",
    "redline_encoding": "gbk",
}
TARGETS = (f"results/{CITY}/2020/landcover_indicators.csv", f"results/{CITY}/2020/overlay_indicators.csv")


def write_gbk_shapefile(path: Path, geometries, **columns) -> None:
    """A Shapefile with GBK attributes and no .cpg, as most Chinese ones are delivered (GDAL reads it as Latin-1)."""
    frame = gpd.GeoDataFrame(columns, geometry=list(geometries), crs="EPSG:4326")
    pyogrio.write_dataframe(frame, path, encoding="gbk")
    path.with_suffix(".cpg").unlink()


@pytest.fixture
def gbk_city(tmp_path) -> Path:
    """A copy of the workflow whose only city, 成都 (Jinjiang district), has its boundary, road barriers and red
    line as GBK Shapefiles without .cpg, selected by Chinese values, with the sheet's encoding columns set."""
    work = copy_workflow(tmp_path / "work")
    data = work / "data" / CITY
    data.mkdir()
    write_gbk_shapefile(data / "districts.shp", DISTRICTS.values(), 名称=list(DISTRICTS))
    write_gbk_shapefile(
        data / "roads.shp", [shapely.LineString([(104.075, 30.59), (104.075, 30.66)])], 道路=["高速公路"]
    )
    redline = [shapely.box(104.06, 30.61, 104.08, 30.63), shapely.box(104.08, 30.61, 104.09, 30.62)]
    write_gbk_shapefile(data / "redline.shp", redline, 类型=["生态保护红线", "其他"])
    config = yaml.safe_load((work / "config/config.yaml").read_text(encoding="utf-8"))
    barriers = config["barriers"] | {"class_column": "道路", "class_widths_m": {"高速公路": 30}}
    overlays = config["overlays"] | {"redline": {"where": {"类型": ["生态保护红线"]}, "exclude": {}}}
    edit_config(work, barriers=barriers, overlays=overlays)
    write_sheet(work, [ROW])
    return work


def assert_read_in_gbk(work: Path) -> None:
    """The district alone was the city, the road cut it and one of the two red-line polygons counted."""
    overlay = pd.read_csv(work / TARGETS[1]).set_index("indicator")
    assert overlay.loc["redline_coverage", "value"] == pytest.approx(16.0, abs=0.5)  # 0.02° x 0.02° of 0.05 x 0.05
    assert "1 of 2 features near the city kept (类型 in [生态保护红线]" in overlay.loc["redline_coverage", "method"]
    log = (work / f"results/{CITY}/logs/compute_landcover_indicators_2020.log").read_text(encoding="utf-8")
    assert f"Barriers data/{CITY}/roads.shp: 1 of 1 lines qualify" in log
    landcover = pd.read_csv(work / TARGETS[0]).set_index("indicator")
    assert landcover.loc["city_area", "value"] == pytest.approx(2_660, rel=0.02)  # ha: one district, not two


def test_gbk_shapefiles_are_read_with_the_sheets_encoding_columns(gbk_city):
    result = snakemake(gbk_city, *TARGETS, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_read_in_gbk(gbk_city)


def test_gbk_shapefiles_are_read_with_config_vector_encoding(gbk_city):
    write_sheet(gbk_city, [{**ROW, "boundary_encoding": "", "barriers_encoding": "", "redline_encoding": ""}])
    edit_config(gbk_city, vector_encoding="gbk")
    result = snakemake(gbk_city, *TARGETS, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_read_in_gbk(gbk_city)


def test_without_its_encoding_the_boundary_stops_the_run_asking_for_the_column(gbk_city):
    write_sheet(gbk_city, [{**ROW, "boundary_encoding": ""}])
    result = snakemake(gbk_city, TARGETS[0], check=False)
    assert result.returncode != 0
    assert f"Boundary file data/{CITY}/districts.shp has no column '名称'" in result.stderr
    assert (
        "look mis-decoded, so set the input's encoding (e.g. gbk; city-sheet column boundary_encoding" in result.stderr
    )
    assert "Traceback" not in result.stderr
