"""The configuration and the city sheet as analysts write them, checked before Snakemake plans anything: a sheet saved
by Excel (UTF-8 with BOM and CRLF, or GBK with config cities_encoding), a Chinese city id; and a mistyped config
key, sheet column or unsafe city id stopping the run with one sentence (the closest valid key included) and nothing
else on the console."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.helpers import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

CITY = "成都"
"""A Chinese city id: results/成都/... ."""


def write_sheet(work: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8-sig", newline: str = "\r\n") -> None:
    """The city sheet as Excel saves it: CRLF, "CSV UTF-8" (with BOM) unless ``encoding`` says otherwise."""
    text = pd.DataFrame(rows, dtype=str).to_csv(index=False, lineterminator=newline)
    (work / "config/cities.csv").write_bytes(text.encode(encoding))


def edit_config(work: Path, **changes) -> None:
    path = work / "config/config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.update(changes)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def dry_run(work: Path):
    return snakemake(work, "--dry-run", check=False)


def assert_stops_with(result, sentence: str) -> None:
    """The run stopped before planning anything, with ``sentence`` alone on the console."""
    assert result.returncode != 0
    assert result.stderr.strip() == sentence
    assert result.stdout == ""


@pytest.fixture
def sample(tmp_path) -> Path:
    return copy_workflow(tmp_path / "work")


def sample_rows(work: Path) -> list[dict[str, str]]:
    return pd.read_csv(work / "config/cities.csv", dtype=str, keep_default_na=False).to_dict("records")


def test_a_chinese_city_id_is_planned(sample):
    rows = sample_rows(sample)
    rows[0]["city_id"] = CITY
    write_sheet(sample, rows)
    result = dry_run(sample)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"results/{CITY}/report_zh.html" in result.stdout and f"results/{CITY}/{CITY}.qgs" in result.stdout


def test_a_city_id_with_a_space_stops_naming_the_id_and_the_rule(sample):
    rows = sample_rows(sample)
    rows[1]["city_id"] = "free town"
    write_sheet(sample, rows)
    assert_stops_with(
        dry_run(sample),
        "City sheet config/cities.csv, row 3: city_id 'free town' is not allowed (a city_id names the city's results "
        "folder and Snakemake wildcard, so it holds only letters of any script (chengdu, 成都), digits, '_' and '-': "
        "no spaces, '/', '\\', '.', ':', '*', '?', quotes, '<', '>' or '|'); correct the cell.",
    )


def test_a_gbk_sheet_stops_with_the_fix_or_is_read_with_cities_encoding(sample):
    # Excel saving as GBK ("CSV (comma delimited)" on a Chinese Windows) writes '?' for what GBK lacks (km²'s ²)
    rows = [
        {key: value.encode("gbk", errors="replace").decode("gbk") for key, value in row.items()}
        for row in sample_rows(sample)
    ]
    write_sheet(sample, rows, encoding="gbk")
    result = dry_run(sample)
    assert result.returncode != 0 and "Traceback" not in result.stderr and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("City sheet config/cities.csv is not UTF-8 text")
    assert line.endswith('so save it as "CSV UTF-8" or set cities_encoding: gbk in config/config.yaml.')
    edit_config(sample, cities_encoding="gbk")
    result = dry_run(sample)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "results/chengdu/report_zh.html" in result.stdout


def test_a_sheet_saved_as_csv_utf8_with_bom_and_crlf_is_planned(sample):
    write_sheet(sample, sample_rows(sample), encoding="utf-8-sig", newline="\r\n")
    result = dry_run(sample)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "results/freetown/transitions_2019_2020.csv" in result.stdout


def test_a_misspelt_config_key_is_one_sentence_with_the_closest_key(sample):
    path = sample / "config/config.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("gap_distance_m:", "gap_distanse:"), encoding="utf-8")
    result = dry_run(sample)
    assert_stops_with(
        result, "Config file config/config.yaml has the unknown key method.gap_distanse; did you mean gap_distance_m?"
    )
    assert len(result.stderr.splitlines()) < 15
    assert "Failed validating" in (sample / ".snakemake/log/validation.log").read_text(encoding="utf-8")


def test_a_misspelt_sheet_column_is_one_sentence_with_the_closest_column(sample):
    rows = [
        {("boundary_filter_colum" if key == "boundary_filter_column" else key): value for key, value in row.items()}
        for row in sample_rows(sample)
    ]
    write_sheet(sample, rows)
    assert_stops_with(
        dry_run(sample),
        "City sheet config/cities.csv has the unknown column 'boundary_filter_colum'; did you mean "
        "boundary_filter_column?",
    )
