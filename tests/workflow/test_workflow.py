"""The workflow as a user runs it: lint, dry run, an end-to-end run against stored values, bad input."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.helpers import REPO, copy_workflow, snakemake

pytestmark = pytest.mark.workflow
EXPECTED = REPO / "tests" / "expected"
RELATIVE_TOLERANCE = 1e-6  # same inputs, same code: only floating-point summation order may differ


def test_lint_is_clean():
    result = snakemake(REPO, "--lint")
    assert "Congratulations, your workflow is in a good condition" in result.stdout + result.stderr


def test_dry_run_plans_every_city_and_year(tmp_path):
    work = copy_workflow(tmp_path)
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule compute_landcover_indicators:") == 7
    assert planned.count("rule score_city:") == 3
    assert planned.count("rule compute_district_indicators:") == 1  # San José, the only city with districts
    for year in range(2016, 2021):
        assert f"results/freetown/{year}/landcover_indicators.csv" in planned
    assert "results/chengdu/2020/natural_areas.tif" in planned


@pytest.mark.parametrize("city", ["chengdu", "freetown", "san_jose"])
def test_end_to_end_matches_stored_values(base_run, city):
    produced = pd.read_csv(base_run / "results" / city / "indicators.csv")
    expected = pd.read_csv(EXPECTED / f"{city}_indicators.csv")
    merged = expected.merge(
        produced, on=["indicator", "year"], how="left", suffixes=("_expected", ""), validate="one_to_one"
    )
    assert merged["value"].notna().sum() == expected["value"].notna().sum()
    numeric = merged["value_expected"].notna()
    assert merged.loc[numeric, "value"].astype(float).to_numpy() == pytest.approx(
        merged.loc[numeric, "value_expected"].astype(float).to_numpy(), rel=RELATIVE_TOLERANCE
    )
    assert merged["points"].fillna(-1).astype(int).tolist() == merged["points_expected"].fillna(-1).astype(int).tolist()
    assert merged["status"].tolist() == merged["status_expected"].tolist()


def test_outputs_of_a_run(base_run):
    import json

    import geopandas as gpd
    import rasterio

    scorecard = json.loads((base_run / "results/chengdu/scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["rule_set"]["id"] == "si-2014"
    assert scorecard["totals"]["max_points"] == 92
    assert scorecard["totals"]["assessed_max"] == 4 * scorecard["totals"]["indicators_scored"]
    with rasterio.open(base_run / "results/chengdu/2020/natural_areas.tif") as mask:
        assert mask.profile["tiled"] and mask.overviews(1)  # a Cloud-Optimised GeoTIFF has tiles and overviews
        assert mask.nodata == 255
    groups = gpd.read_file(base_run / "results/freetown/2020/connectivity_groups.gpkg", layer="connectivity_groups")
    indicators = pd.read_csv(base_run / "results/freetown/indicators.csv").set_index(["indicator", "year"])
    assert len(groups) == indicators.loc[("natural_groups", 2020), "value"]
    assert groups["area_ha"].sum() == pytest.approx(indicators.loc[("natural_area", 2020), "value"], rel=1e-9)
    for city in ("chengdu", "freetown"):
        assert (base_run / f"results/{city}/logs/score_city.log").exists()
        assert (base_run / f"results/{city}/benchmarks/score_city.tsv").exists()


def test_adding_a_year_reruns_only_that_year_and_scoring(copy_of_base_run):
    work = copy_of_base_run
    sheet = work / "config" / "cities.csv"
    original = sheet.read_text(encoding="utf-8")
    sheet.write_text(original.replace("2016 2017 2018 2019 2020", "2016 2017 2018 2019 2020 2021"), encoding="utf-8")
    raster = work / "data/freetown/SLE-Freetown_core-landcover2020.tif"
    (work / "data/freetown/SLE-Freetown_core-landcover2021.tif").write_bytes(raster.read_bytes())
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule compute_landcover_indicators:") == 1
    assert "output: results/freetown/2021/landcover_indicators.csv" in planned
    assert planned.count("rule score_city:") == 1
    assert planned.count("rule compute_landcover_transitions:") == 1  # only the new pair 2020 → 2021
    assert "output: results/freetown/transitions_2020_2021.csv" in planned
    assert planned.count("rule write_city_report:") == 2  # the reports combine every year (en and zh)
    assert "city=chengdu" not in planned


def run_with_sheet(tmp_path: Path, **changes) -> tuple:
    work = copy_workflow(tmp_path / "work")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    sheet = sheet[sheet["city_id"] == "chengdu"]
    for column, value in changes.items():
        sheet[column] = value
    sheet.to_csv(work / "config/cities.csv", index=False)
    return work, snakemake(work, check=False)


def assert_failed_cleanly(work: Path, result, message: str):
    assert result.returncode != 0
    # every job reading the year's raster and boundary (land cover, class areas, QGIS land-cover map) may be the one
    # that started first; each stops with the same sentence, without a traceback
    logs = [path.read_text(encoding="utf-8") for path in (work / "results/chengdu/logs").glob("*_2020.log")]
    failed = [log for log in logs if " ERROR " in log]
    assert failed and all(message in log for log in failed), failed
    assert not any("Traceback" in log for log in logs)
    for output in ("landcover_indicators.csv", "natural_areas.tif", "connectivity_groups.gpkg"):
        assert not (work / "results/chengdu/2020" / output).exists()
    leftovers = list((work / "results/chengdu").rglob(".*.*"))
    assert leftovers == []


def test_unknown_class_codes_fail_with_the_codes_and_the_legend(tmp_path):
    legend = yaml.safe_load((REPO / "config/legends/esa_worldcover_v100.yaml").read_text(encoding="utf-8"))
    legend["id"] = "partial"
    legend["classes"] = [c for c in legend["classes"] if c["code"] != 50]
    (tmp_path / "partial.yaml").write_text(yaml.safe_dump(legend, allow_unicode=True), encoding="utf-8")
    work, result = run_with_sheet(tmp_path, legend=str(tmp_path / "partial.yaml"))
    assert_failed_cleanly(work, result, "class code 50 that legend")


def test_boundary_that_does_not_overlap(tmp_path):
    far = tmp_path / "far.geojson"
    far.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}'
    )
    work, result = run_with_sheet(tmp_path, boundary=str(far), boundary_filter_column="", boundary_filter_value="")
    assert_failed_cleanly(work, result, "does not overlap raster")


def test_filter_matching_no_city(tmp_path):
    work, result = run_with_sheet(tmp_path, boundary_filter_value="MAYBE")
    assert_failed_cleanly(work, result, "No feature of boundary file")


def test_corrupt_raster(tmp_path):
    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00" + b"\x00" * 100)
    work, result = run_with_sheet(tmp_path, landcover=str(corrupt))
    assert_failed_cleanly(work, result, "cannot be opened as a raster")


def test_config_key_of_the_wrong_type(tmp_path):
    work = copy_workflow(tmp_path / "work")
    config = yaml.safe_load((work / "config/config.yaml").read_text(encoding="utf-8"))
    config["method"]["gap_distance_m"] = "one hundred"
    (work / "config/config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = snakemake(work, "--dry-run", check=False)
    assert result.returncode != 0
    assert "gap_distance_m" in result.stdout + result.stderr
    assert "'one hundred' is not of type 'number'" in result.stdout + result.stderr


@pytest.mark.parametrize("bands", ["0", "two"])
def test_bad_landcover_bands_in_the_sheet_stops_before_any_job(tmp_path, bands):
    work = copy_workflow(tmp_path / "work")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    sheet["landcover_bands"] = bands
    sheet.to_csv(work / "config/cities.csv", index=False)
    result = snakemake(work, "--dry-run", check=False)
    assert result.returncode != 0
    assert result.stderr.startswith(f"City sheet config/cities.csv, row 2 (chengdu): landcover_bands '{bands}' is not")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (work / "results").exists()


def test_missing_legend_names_the_shipped_ones(tmp_path):
    work, result = run_with_sheet(tmp_path, legend="worldcover")
    assert result.returncode != 0
    assert "esa_worldcover_v100" in result.stdout + result.stderr


def test_a_failing_city_leaves_the_other_cities_results_intact(copy_of_base_run):
    work = copy_of_base_run
    freetown = (work / "results/freetown/indicators.csv").read_bytes()
    chengdu = (work / "results/chengdu/2020/landcover_indicators.csv").read_bytes()
    raster = work / "data/chengdu/world_cover_CHN-Chengdu.tif"
    raster.write_bytes(raster.read_bytes()[:1000])
    result = snakemake(work, "--keep-going", check=False)
    assert result.returncode != 0
    assert "world_cover_CHN-Chengdu.tif" in result.stderr + result.stdout
    # the failed city gets its earlier published results back (cbindex.core.publication), the other keeps its own
    assert (work / "results/chengdu/2020/landcover_indicators.csv").read_bytes() == chengdu
    assert (work / "results/freetown/indicators.csv").read_bytes() == freetown


def test_a_city_in_bands_as_separate_jobs_gives_identical_outputs(base_run, tmp_path):
    """Freetown's land cover as 3 band jobs (sheet column landcover_bands) and a merge equals the one-job run."""
    import geopandas as gpd
    import rasterio

    work = copy_workflow(tmp_path / "work")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    sheet["landcover_bands"] = ["3" if city == "freetown" else "" for city in sheet["city_id"]]
    sheet.to_csv(work / "config/cities.csv", index=False)
    targets = [
        f"results/freetown/{year}/{name}"
        for year in (2016, 2020)
        for name in ("landcover_indicators.csv", "natural_areas.tif", "connectivity_groups.gpkg")
    ]
    planned = snakemake(work, "--dry-run", *targets).stdout
    assert planned.count("rule compute_landcover_band:") == 6 and planned.count("rule merge_landcover_bands:") == 2
    assert "rule compute_landcover_indicators:" not in planned
    snakemake(work, *targets)
    for year in (2016, 2020):
        banded, single = work / f"results/freetown/{year}", base_run / f"results/freetown/{year}"
        assert (banded / "landcover_indicators.csv").read_bytes() == (single / "landcover_indicators.csv").read_bytes()
        with rasterio.open(banded / "natural_areas.tif") as ours, rasterio.open(single / "natural_areas.tif") as one:
            assert (ours.read(1) == one.read(1)).all() and ours.transform == one.transform
        for layer, key in (("connectivity_groups", "group_id"), ("natural_patches", "patch_id")):
            ours, one = (gpd.read_file(path / "connectivity_groups.gpkg", layer=layer) for path in (banded, single))
            assert ours[key].tolist() == one[key].tolist() and len(ours) > 0
            assert ours["area_ha"].tolist() == one["area_ha"].tolist()
            assert all(a.equals(b) for a, b in zip(ours.geometry, one.geometry, strict=True))
        ours, one = (
            gpd.read_file(path / "connectivity_groups.gpkg", layer="candidate_links") for path in (banded, single)
        )
        assert ours.drop(columns="geometry").equals(one.drop(columns="geometry")) and len(ours) > 0
        assert all(a.equals(b) for a, b in zip(ours.geometry, one.geometry, strict=True))
        assert not (banded / "bands").exists() or not any((banded / "bands").iterdir())  # temporary band files
        assert (work / f"results/freetown/logs/compute_landcover_band_{year}_2.log").exists()


def test_barrier_layer_in_the_sheet_splits_groups(tmp_path):
    import geopandas as gpd
    import shapely

    roads = tmp_path / "roads.gpkg"
    gpd.GeoDataFrame(
        {"highway": ["motorway", "motorway"]},
        geometry=[
            shapely.LineString([(102.8, 30.55), (105.8, 30.55)]),
            shapely.LineString([(104.3, 29.4), (104.3, 31.7)]),
        ],
        crs=4326,
    ).to_file(roads)
    work, result = run_with_sheet(tmp_path, barriers=str(roads))
    assert result.returncode == 0, result.stderr[-2000:]
    with_roads = pd.read_csv(work / "results/chengdu/2020/landcover_indicators.csv").set_index("indicator")
    without = pd.read_csv(EXPECTED / "chengdu_indicators.csv").set_index("indicator")  # the same city, no roads
    assert with_roads.loc["natural_groups", "value"] > without.loc["natural_groups", "value"]
    assert with_roads.loc["I2", "value"] < without.loc["I2", "value"]
    assert with_roads.loc["I1", "value"] == pytest.approx(without.loc["I1", "value"], rel=1e-9)
