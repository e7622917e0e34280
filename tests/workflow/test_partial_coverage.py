"""A raster that covers only part of the city: the run succeeds, but the year is held as partial_coverage."""

import json

import pandas as pd
import pytest
import rasterio
from rasterio.windows import Window

from tests.helpers import copy_workflow, snakemake

pytestmark = pytest.mark.workflow


def test_a_raster_covering_part_of_the_city_is_not_scored(tmp_path):
    work = copy_workflow(tmp_path / "work")
    source = work / "data/chengdu/world_cover_CHN-Chengdu.tif"
    cropped = tmp_path / "west.tif"
    with rasterio.open(source) as dataset:
        window = Window(0, 0, int(dataset.width * 0.55), dataset.height)  # the western 55 % of the columns
        profile = {**dataset.profile, "width": window.width, "height": window.height}
        profile["transform"] = dataset.window_transform(window)
        with rasterio.open(cropped, "w", **profile) as destination:
            destination.write(dataset.read(1, window=window), 1)
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    sheet = sheet[sheet["city_id"] == "chengdu"].assign(landcover=str(cropped))
    sheet.to_csv(work / "config/cities.csv", index=False)

    result = snakemake(work, "results/chengdu/scorecard.json", check=False)
    assert result.returncode == 0, result.stderr[-3000:]

    stage = pd.read_csv(work / "results/chengdu/2020/landcover_indicators.csv").set_index("indicator")["value"]
    assert 1.0 < stage["covered_share"] < 99.0
    assert stage["uncovered_area"] > 0.0
    assert stage["covered_share"] == pytest.approx(100 * stage["city_area"] / stage["boundary_area"])
    table = pd.read_csv(work / "results/chengdu/indicators.csv").set_index("indicator")
    for indicator in ("I1", "I2", "I11", "I12"):
        assert table.loc[indicator, "status"] == "partial_coverage"
        assert pd.isna(table.loc[indicator, "points"]) and pd.notna(table.loc[indicator, "value"])
    scorecard = json.loads((work / "results/chengdu/scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["coverage"][0]["partial"] is True
    assert scorecard["totals"]["indicators_partial_coverage"] == 4
    assert any(note.startswith("Partial coverage") for note in scorecard["notes"])
    log = (work / "results/chengdu/logs/compute_landcover_indicators_2020.log").read_text(encoding="utf-8")
    assert "held as partial_coverage" in log
