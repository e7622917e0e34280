"""Each method key re-runs exactly the rules whose code reads it, and what depends on their outputs.

One finished run (the shared base run, with Chengdu given protected areas and bird records so that the overlay and
species rules run too) is copied once; each case edits one key of the copy's config/config.yaml (or the city
sheet's natural_codes) and asks ``snakemake --dry-run`` which jobs would run.
"""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cbindex.geo.boundary import BoundarySpec
from tests.helpers import snakemake, write_vector

pytestmark = pytest.mark.workflow

LANDCOVER_AND_AFTER = {
    "compute_landcover_indicators",
    "compute_district_indicators",
    "score_city",
    "write_city_report",
    "write_natural_areas_style",
    "write_qgis_project",
    "compute_scenario_landcover_indicators",
    "compare_scenario",
    "write_scenario_natural_areas_style",
}
"""The land-cover rule and every rule that reads its outputs (the masks, the groups, the tables); the district rule
runs for San José, the sample city with districts; a scenario's land cover is computed by the land-cover stage with
the same method keys (Freetown's sample scenario), and its mask gets its QGIS style again."""
FREETOWN_ONLY = {"compute_scenario_landcover_indicators", "compare_scenario", "write_scenario_natural_areas_style"}
SAN_JOSE_ONLY = {"compute_district_indicators"}


@pytest.fixture(scope="module")
def finished_run(base_run, tmp_path_factory) -> Path:
    """A copy of the base run where Chengdu also has protected areas and bird records, run to the end."""
    work = tmp_path_factory.mktemp("method_keys") / "work"
    shutil.copytree(base_run, work, symlinks=True)
    boundary_path = "data/chengdu/admin_boundaries_CHN-Chengdu.geojson"
    boundary = BoundarySpec(str(work / boundary_path), filter_column="boundary_use", filter_value="TRUE").read()
    inside = boundary.to_crs("EPSG:4326").representative_point()
    write_vector(work / "data/chengdu/protected.gpkg", [inside.buffer(0.05)], name=["reserve"])
    records = ["class,species,decimalLatitude,decimalLongitude,year"]
    records += [f"Aves,{species},{inside.y:.5f},{inside.x:.5f},2020" for species in ("Passer montanus", "Pica pica")]
    (work / "data/chengdu/birds.csv").write_text("\n".join(records) + "\n", encoding="utf-8")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    chengdu = sheet["city_id"] == "chengdu"
    sheet.loc[chengdu, "protected_areas"] = "data/chengdu/protected.gpkg"
    sheet.loc[chengdu, "occurrences"] = "data/chengdu/birds.csv"
    sheet.to_csv(work / "config/cities.csv", index=False)
    snakemake(work)
    assert planned_rules(work) == set(), "the extended run is not complete, so the dry runs would prove nothing"
    return work


def planned_rules(work: Path) -> set[str]:
    """The rules of the jobs a dry run would run (the target rule ``all`` left out)."""
    planned = snakemake(work, "--dry-run").stdout
    return set(re.findall(r"^(?:local)?rule (\w+):$", planned, flags=re.MULTILINE)) - {"all"}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("gap_distance_m", 50, LANDCOVER_AND_AFTER),
        ("neighbourhood", 4, LANDCOVER_AND_AFTER),
        ("mesh_denominator", "landscape", LANDCOVER_AND_AFTER),
        ("builtup_is_barrier", True, LANDCOVER_AND_AFTER),
        ("link_search_m", 1000, LANDCOVER_AND_AFTER),
        (
            "boundary_rule",
            "exact",
            LANDCOVER_AND_AFTER
            | {"compute_landcover_transitions", "compute_class_areas", "compute_overlay_indicators"},
        ),
        ("bare_is_natural", True, LANDCOVER_AND_AFTER | {"compute_overlay_indicators", "compute_species_indicators"}),
        ("snow_is_natural", False, LANDCOVER_AND_AFTER | {"compute_overlay_indicators", "compute_species_indicators"}),
    ],
)
def test_a_method_key_reruns_the_rules_that_read_it(finished_run, key, value, expected):
    config_path = finished_run / "config/config.yaml"
    original = config_path.read_text(encoding="utf-8")
    config = yaml.safe_load(original)
    assert config["method"][key] != value
    config["method"][key] = value
    try:  # keys kept in order: Snakemake sees a reordered dict param as changed
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        assert planned_rules(finished_run) == expected
    finally:
        config_path.write_text(original, encoding="utf-8")


def test_the_sheets_natural_codes_rerun_the_rules_that_read_natural_classes(finished_run):
    sheet_path = finished_run / "config/cities.csv"
    original = sheet_path.read_text(encoding="utf-8")
    sheet = pd.read_csv(sheet_path, dtype=str, keep_default_na=False)
    sheet.loc[sheet["city_id"] == "chengdu", "natural_codes"] = "10 20 30"
    try:
        sheet.to_csv(sheet_path, index=False)
        assert planned_rules(finished_run) == (LANDCOVER_AND_AFTER - SAN_JOSE_ONLY - FREETOWN_ONLY) | {
            "compute_overlay_indicators",
            "compute_species_indicators",
        }  # Chengdu has no districts and no scenario
        assert "city=freetown" not in snakemake(finished_run, "--dry-run").stdout
    finally:
        sheet_path.write_text(original, encoding="utf-8")
