"""Targets in the sample run: Freetown's example targets file followed into scorecard.json, targets.csv and both
reports; Chengdu without targets; a bad targets file stops the scoring with one sentence."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.helpers import snakemake

pytestmark = pytest.mark.workflow
FREETOWN_YEARS = [2016, 2017, 2018, 2019, 2020]


def test_freetown_scorecard_follows_every_example_target(base_run):
    scorecard = json.loads((base_run / "results/freetown/scorecard.json").read_text(encoding="utf-8"))
    section = scorecard["targets"]
    assert section["file"] == "data/freetown/targets_example.yaml"
    assert section["framework"]["id"] == "kmgbf"
    assert [(item["indicator"], item["kind"], item["status"]) for item in section["items"]] == [
        ("I1", "value", "example"),
        ("I12", "value", "example"),
        ("I2", "points", "example"),
    ]
    assert any("not targets the city has adopted" in note for note in section["notes"])
    indicators = pd.read_csv(base_run / "results/freetown/indicators.csv")
    for item in section["items"]:
        column = "points" if item["kind"] == "points" else "value"
        rows = indicators[indicators["indicator"] == item["indicator"]].sort_values("year")
        values = dict(zip(rows["year"].astype(int), rows[column].astype(float), strict=True))
        assert [point["year"] for point in item["values"]] == [*FREETOWN_YEARS, 2030]
        assert [point["value"] for point in item["values"][:-1]] == pytest.approx([values[y] for y in FREETOWN_YEARS])
        # an independent trajectory: numpy's linear interpolation between (2016, baseline) and (2030, target)
        expected = np.interp([*FREETOWN_YEARS, 2030], [2016, 2030], [values[2016], item["target"]])
        assert [point["trajectory"] for point in item["values"]] == pytest.approx(list(expected))
        latest = values[2020]
        behind = latest < expected[FREETOWN_YEARS.index(2020)]
        assert item["progress"] == ("off_track" if behind else "on_track")
        assert item["change_per_year_needed"] == pytest.approx((item["target"] - latest) / (2030 - 2020))
        assert item["framework_targets"] and all(link["basis"] == "proposal" for link in item["framework_targets"])
    numbers = [group["number"] for group in section["by_framework_target"]]
    assert numbers == sorted(numbers) and 12 in numbers


def test_targets_csv_has_a_row_per_target_and_year(base_run):
    table = pd.read_csv(base_run / "results/freetown/targets.csv", encoding="utf-8-sig")
    assert len(table) == 3 * (len(FREETOWN_YEARS) + 1)
    assert set(table["indicator"]) == {"I1", "I12", "I2"}
    assert set(table["target_status"]) == {"example"}
    i1 = table[table["indicator"] == "I1"]
    assert list(i1["year"]) == [*FREETOWN_YEARS, 2030]
    assert i1["trajectory"].iloc[-1] == pytest.approx(20.0)
    assert set(i1["framework_targets"]) == {"kmgbf 1; kmgbf 2; kmgbf 12"}
    chengdu = pd.read_csv(base_run / "results/chengdu/targets.csv", encoding="utf-8-sig")
    assert chengdu.empty and "trajectory" in chengdu.columns
    scorecard = json.loads((base_run / "results/chengdu/scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["targets"]["items"] == [] and scorecard["targets"]["file"] is None


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("en", ["Targets and planning framework", "Example targets", "Target 12: Enhance Green Spaces", "proposal"]),
        ("zh", ["目标与规划框架", "示例目标", "目标 12：加强绿色空间和城市规划", "（中文标题为本项目译文）", "提议"]),
    ],
)
def test_reports_show_the_targets_section_with_one_chart_per_target(base_run, language, phrases):
    page = (base_run / f"results/freetown/report_{language}.html").read_text(encoding="utf-8")
    assert '<section id="targets">' in page
    section = page.split('<section id="targets">', 1)[1].split("</section>", 1)[0]
    for phrase in phrases:
        assert phrase in section
    assert [f'id="figure-target-{index}"' in section for index in range(4)] == [True, True, True, False]
    provenance = page.split('<section id="provenance">', 1)[1]
    assert "config/frameworks/kmgbf.yaml" in provenance and "data/freetown/targets_example.yaml" in provenance
    chengdu = (base_run / f"results/chengdu/report_{language}.html").read_text(encoding="utf-8")
    assert ("names no targets file" if language == "en" else "未提供目标文件") in chengdu


def test_a_bad_targets_file_stops_the_scoring_naming_file_row_and_fix(copy_of_base_run):
    work = copy_of_base_run
    path = work / "data/freetown/targets_example.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("indicator: I12", "indicator: I99"), encoding="utf-8")
    result = snakemake(work, "results/freetown/scorecard.json", check=False)
    assert result.returncode != 0
    log = (work / "results/freetown/logs/score_city.log").read_text(encoding="utf-8")
    assert (
        "data/freetown/targets_example.yaml: targets[1] (I99) sets a target for I99, which is not an indicator of "
        "si-2014; use one of I1, I2," in log
    )
