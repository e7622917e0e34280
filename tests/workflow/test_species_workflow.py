"""The species rules in workflow runs of their own: indicator 3 from Chengdu's GBIF sample (swapped axes found, then
swapped back), indicators 4–10 from hand-made species lists."""

import pandas as pd
import pytest
import yaml

from tests.helpers import FIXTURES, copy_workflow, snakemake
from tests.unit.species.test_species_change import HAND_LISTS

pytestmark = pytest.mark.workflow
GBIF = FIXTURES / "gbif"


def test_workflow_derives_i3_for_a_city_with_occurrences(tmp_path):
    work = copy_workflow(tmp_path / "work")
    records = work / "data/chengdu/gbif.csv"
    records.write_bytes((GBIF / "GBIF-CHN-Chengdu.csv").read_bytes())
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    sheet.loc[sheet["city_id"] == "chengdu", "occurrences"] = "data/chengdu/gbif.csv"
    sheet.to_csv(work / "config/cities.csv", index=False)
    config = yaml.safe_load((work / "config/config.yaml").read_text(encoding="utf-8"))
    config["occurrences"].update(species_column="genus")
    (work / "config/config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule compute_species_indicators:") == 1
    assert "rule compute_species_list_indicators:" not in planned
    target = "results/chengdu/2020/species_indicators.csv"
    failed = snakemake(work, target, check=False)
    assert failed.returncode != 0
    log = (work / "results/chengdu/logs/compute_species_indicators_2020.log").read_text(encoding="utf-8")
    assert "look swapped" in log and "Traceback" not in log
    config["occurrences"].update(on_swapped_axes="swap")
    (work / "config/config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    snakemake(work, target)
    table = pd.read_csv(work / target).set_index("indicator")
    assert table.loc["occurrences_axes_swapped", "value"] == 1
    assert (work / "results/chengdu/benchmarks/compute_species_indicators_2020.tsv").exists()


def test_workflow_derives_the_list_indicators(tmp_path):
    work = copy_workflow(tmp_path / "work")
    (work / "data/chengdu/species_lists.csv").write_text(HAND_LISTS, encoding="utf-8")
    sheet = pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False)
    sheet.loc[sheet["city_id"] == "chengdu", "species_lists"] = "data/chengdu/species_lists.csv"
    sheet.to_csv(work / "config/cities.csv", index=False)
    planned = snakemake(work, "--dry-run").stdout
    assert planned.count("rule compute_species_list_indicators:") == 1
    assert "rule compute_species_indicators:" not in planned
    snakemake(work, "results/chengdu/species_list_indicators.csv")
    table = pd.read_csv(work / "results/chengdu/species_list_indicators.csv").set_index("indicator")
    assert table.loc["I4", "value"] == 1 and table.loc["I10", "value"] == pytest.approx(20.0)
    assert (work / "results/chengdu/logs/compute_species_list_indicators.log").exists()
