"""A city run from land-use survey polygons as Chinese analysts hold them (issue 14): a crop of the shipped Chengdu
WorldCover raster polygonized, recoded to GB/T 21010-2017, reprojected to its CGCS2000 Gauss-Krüger zone
(EPSG:4544, 3-degree zone, central meridian 105° E) and written as a GBK Shapefile without .cpg, with the city
outline shifted to GCJ-02 as web maps serve it (boundary_datum gcj02). The same crop as a raster city with the true
outline gives the reference: I1, I11 and I12 (exact polygon areas) and I2 (on the 10 m grid) agree within the
tolerances below, which the reprojection and the boundary cells explain."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import rasterio.features
import rasterio.windows
import shapely
from shapely.geometry import shape

from cbindex.geo.datum_shift import wgs84_to_gcj02
from tests.helpers import REPO, copy_workflow, snakemake
from tests.workflow.test_input_checks import edit_config, write_sheet

pytestmark = pytest.mark.workflow

WORLDCOVER_TO_GBT = {
    10: ("0301", "乔木林地"),
    20: ("0305", "灌木林地"),
    30: ("0404", "其他草地"),
    40: ("0103", "旱地"),
    50: ("0701", "城镇住宅用地"),
    60: ("1206", "裸土地"),
    70: ("1110", "冰川及永久积雪"),
    80: ("1101", "河流水面"),
    90: ("1108", "沼泽地"),
    95: ("0303", "红树林地"),
    100: ("0404", "其他草地"),
}
"""WorldCover classes recoded to the GB/T 21010 class with the same indicator categories."""
CROP = shapely.box(104.00, 30.55, 104.10, 30.65)
CITY = shapely.box(104.02, 30.57, 104.08, 30.63)
TOLERANCE_PP = {"I1": 0.01, "I11": 0.01, "I12": 0.01}
"""Percentage points between the raster path (90 m cells, centre rule, EPSG:4326) and the polygon path (exact areas
after reprojection to EPSG:4544). The city's edges follow the raster's cell edges, so the two count the same land:
measured 3e-6 pp (I1), 1e-5 pp (I11), 6e-6 pp (I12) — reprojection rounding only."""
I2_RELATIVE_TOLERANCE = 0.01
"""I2 on the 10 m grid of the reprojected polygons vs the 90 m raster: measured 0.12 % lower (84.91 vs 85.01 ha,
73 groups both): cells along the reprojected outlines fall on either side."""


@pytest.fixture(scope="module")
def landuse_run(tmp_path_factory) -> Path:
    work = copy_workflow(tmp_path_factory.mktemp("landuse") / "work")
    data = work / "data" / "survey"
    data.mkdir()
    with rasterio.open(REPO / "data/chengdu/world_cover_CHN-Chengdu.tif") as source:
        window = rasterio.windows.from_bounds(*CROP.bounds, transform=source.transform).round_offsets().round_lengths()
        cells = source.read(1, window=window)
        transform = source.window_transform(window)
        profile = source.profile | {"height": cells.shape[0], "width": cells.shape[1], "transform": transform}
        crs = source.crs
    with rasterio.open(data / "crop.tif", "w", **profile) as target:
        target.write(cells, 1)
    pieces = [(shape(g), int(v)) for g, v in rasterio.features.shapes(cells, transform=transform) if int(v) != 0]
    survey = gpd.GeoDataFrame(
        {
            "DLBM": [WORLDCOVER_TO_GBT[value][0] for _, value in pieces],
            "DLMC": [WORLDCOVER_TO_GBT[value][1] for _, value in pieces],
        },
        geometry=[geometry for geometry, _ in pieces],
        crs=crs,
    ).to_crs("EPSG:4544")
    pyogrio.write_dataframe(survey, data / "survey.shp", encoding="gbk")
    (data / "survey.cpg").unlink()
    gpd.GeoDataFrame(geometry=[CITY], crs="EPSG:4326").to_file(data / "city.geojson")
    # The survey city's outline as a web map serves it: densified, then shifted to GCJ-02 (boundary_datum gcj02).
    outline = shapely.segmentize(CITY, 0.001)
    shifted = shapely.transform(outline, lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    gpd.GeoDataFrame(geometry=[shifted], crs="EPSG:4326").to_file(data / "city_gcj02.geojson")
    common = {"boundary": "data/survey/city.geojson", "years": "2020", "scoring": "si-2014"}
    write_sheet(
        work,
        [
            common | {"city_id": "raster", "landcover": "data/survey/crop.tif", "legend": "esa_worldcover_v100"},
            common
            | {
                "city_id": "survey",
                "boundary": "data/survey/city_gcj02.geojson",
                "boundary_datum": "gcj02",
                "landcover": "",
                "landcover_vector": "data/survey/survey.shp",
                "landcover_code_column": "DLBM",
                "landcover_vector_encoding": "gbk",
                "legend": "gbt21010_2017",
            },
        ],
    )
    edit_config(work, landuse_cell_size_m=10)
    snakemake(work, *(f"results/{city}/2020/landcover_indicators.csv" for city in ("raster", "survey")))
    return work


def values(work: Path, city: str) -> pd.Series:
    table = pd.read_csv(work / f"results/{city}/2020/landcover_indicators.csv", encoding="utf-8-sig")
    return table.set_index("indicator")["value"]


def test_survey_polygons_give_the_raster_paths_indicators(landuse_run):
    raster, survey = values(landuse_run, "raster"), values(landuse_run, "survey")
    for name, tolerance in TOLERANCE_PP.items():
        assert abs(survey[name] - raster[name]) < tolerance, (name, survey[name], raster[name])
    assert survey["I2"] == pytest.approx(raster["I2"], rel=I2_RELATIVE_TOLERANCE)
    assert survey["I2"] <= survey["natural_area_grid"]
    assert survey["landuse_polygons"] > 100
    assert survey["landuse_overlap_area"] < 0.01  # slivers where reprojected neighbours overlap, counted once


def test_the_method_column_says_which_path_each_value_took(landuse_run):
    table = pd.read_csv(landuse_run / "results/survey/2020/landcover_indicators.csv", encoding="utf-8-sig")
    method = table.set_index("indicator")["method"]
    assert "exact polygon areas" in method["I1"] and "exact polygon areas" in method["I12"]
    assert "effective mesh size" in method["I2"]
    areas = pd.read_csv(landuse_run / "results/survey/2020/landuse_class_areas.csv", encoding="utf-8-sig")
    assert "乔木林地" in set(areas["name_zh"])  # GBK attributes decoded, legend names in Chinese
    with rasterio.open(landuse_run / "results/survey/2020/landcover_from_polygons.tif") as raster:
        assert raster.crs.to_epsg() == 4544 and raster.res == (10.0, 10.0)
