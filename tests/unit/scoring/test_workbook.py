"""scorecard.xlsx read back with openpyxl: one sheet per language laid out like the SI scoring sheet (indicator rows,
component totals, overall total with its coverage), Chinese text intact, header frozen, columns sized, same bytes
for the same scorecard; and score_city writes it beside scorecard.json, with name_zh in indicators.csv.

With targets and scenarios (the scorecard sections built by follow_targets and summarize_scenario on hand tables),
a targets and a scenarios sheet per language: every number the scorecard's, as a numeric cell, worked by hand
where it is computed; held and not-assessed sides in words, never 0; the totals; no English in the Chinese sheets
but the city's own source text."""

import codecs
import zipfile

import openpyxl
import pandas as pd
import pytest

from cbindex.core.messages import message
from cbindex.report.text import format_number
from cbindex.scoring.frameworks import load_framework
from cbindex.scoring.headline import headline
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.scenario_comparison import COMPARISON_COLUMNS
from cbindex.scoring.scenario_summary import plain_number, summarize_scenario
from cbindex.scoring.scorecard import build_scorecard
from cbindex.scoring.stage import score_city
from cbindex.scoring.target_summary import follow_targets
from cbindex.scoring.targets_file import CityTarget
from cbindex.scoring.workbook import ZIP_TIMESTAMP, display_width, write_scorecard_workbook
from tests.helpers import REPO
from tests.workflow.test_no_english import english_words, workbook_texts

SI_2014 = REPO / "config/scoring/si-2014.yaml"
VALUES = {"I1": 12.3, "I2": 1320.0, "I11": 45.0, "I12": 22.0}
HEADER = {
    "en": ["No.", "Indicator id", "Indicator", "Value", "Unit", "Band reached", "Points", "Status", "Next step"],
    "zh": ["序号", "指标编号", "指标", "数值", "单位", "所在评分区间", "得分", "状态", "距下一评分档的差距"],
}


@pytest.fixture(scope="module")
def rule_set():
    return load_rule_set(SI_2014)


@pytest.fixture(scope="module")
def scorecard(rule_set):
    return {
        "city": "chengdu",
        "landcover_year": 2020,
        "landcover_years": [2020],
        "generated_by": "cbindex test",
        **build_scorecard(rule_set, values=VALUES),
    }


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory, rule_set, scorecard):
    path = tmp_path_factory.mktemp("workbook") / "scorecard.xlsx"
    write_scorecard_workbook(path, scorecard, rule_set=rule_set, city_names={"en": "Chengdu", "zh": "成都"})
    return path


def rows_of(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_one_sheet_per_language_with_title_rule_set_and_score(workbook_path, scorecard):
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames == ["Scorecard", "评分表"]
    english, chinese = workbook["Scorecard"], workbook["评分表"]
    assert english["A1"].value == "City Biodiversity Index scorecard: Chengdu"
    assert chinese["A1"].value == "城市生物多样性指数评分表：成都"
    assert english["A2"].value == (
        "Rule set: Singapore Index on Cities' Biodiversity (2014 edition) (si-2014, version 2014.1); land cover 2020"
    )
    assert (
        chinese["A2"].value
        == "评分规则：新加坡城市生物多样性指数（2014年版）（si-2014，版本 2014.1）；土地覆盖年份 2020"
    )
    assert english["A3"].value == "Score: " + headline(scorecard, language="en")
    assert chinese["A3"].value == "得分：" + headline(scorecard, language="zh")
    for language, sheet in (("en", english), ("zh", chinese)):
        assert list(rows_of(sheet)[4]) == HEADER[language]
        assert sheet.freeze_panes == "A6"  # the header and everything above stay in view


def test_every_indicator_row_holds_the_scorecard(workbook_path, scorecard):
    workbook = openpyxl.load_workbook(workbook_path)
    for language, sheet_name in (("en", "Scorecard"), ("zh", "评分表")):
        rows = rows_of(workbook[sheet_name])[5 : 5 + len(scorecard["indicators"])]
        suffix = "_zh" if language == "zh" else ""
        for row, expected in zip(rows, scorecard["indicators"], strict=True):
            number, indicator, name, value, unit, band, points, status, next_step = row
            assert (number, indicator, points) == (expected["number"], expected["id"], expected["points"])
            assert name == (expected[f"name{suffix}"] or expected["name"])
            assert value == expected["value"]
            assert unit == (expected[f"unit{suffix}"] or expected["unit"] or None)
            assert band == (expected[f"band_label{suffix}"] or expected["band_label"])
            assert status == expected[f"status_label{suffix}"]
            assert (next_step is not None) == (expected["next_band"] is not None)
    chinese = {row[1]: row for row in rows_of(workbook["评分表"])[5:28]}
    assert chinese["I1"][2:5] == ("城市中自然区域的比例", 12.3, "%")
    assert chinese["I1"][6:8] == (2, "已评分")
    assert "个百分点" in chinese["I1"][8] and "；" in chinese["I1"][8] and "; " not in chinese["I1"][8]
    assert chinese["I3"][3:9] == (None, "种", None, None, "未评估", None)  # not assessed: no value, no 0
    english = {row[1]: row for row in rows_of(workbook["Scorecard"])[5:28]}
    assert english["I1"][8].startswith("+")  # the change needed to reach the next band
    assert workbook["Scorecard"].cell(row=6, column=4).number_format == "#,##0.00"


def test_totals_per_component_and_overall_with_the_coverage(workbook_path, scorecard):
    workbook = openpyxl.load_workbook(workbook_path)
    totals = scorecard["totals"]
    for language, sheet_name in (("en", "Scorecard"), ("zh", "评分表")):
        rows = rows_of(workbook[sheet_name])
        by_name = {row[2]: row[3:7] for row in rows if row[2]}
        for component in scorecard["components"]:
            name = component["name_zh"] if language == "zh" else component["name"]
            points = (
                component["points"]
                if component["indicators_scored"]
                else ("未评估" if language == "zh" else "not assessed")
            )
            assert by_name[name] == (
                points,
                component["assessed_max"],
                component["max_points"],
                component["indicators_scored"],
            )
        total = "总分" if language == "zh" else "Total"
        assert by_name[total] == (totals["points"], totals["assessed_max"], 92, totals["indicators_scored"])
        coverage = "评估覆盖情况" if language == "zh" else "Coverage"
        assert by_name[coverage][0] == headline(scorecard, language=language)
        notes = [row[0] for row in rows if row[0] in scorecard["notes_zh" if language == "zh" else "notes"]]
        assert notes == scorecard["notes_zh" if language == "zh" else "notes"]
    governance = [
        row for row in rows_of(workbook["Scorecard"]) if row[2] == "Governance and management of biodiversity"
    ]
    assert governance[0][3] == "not assessed"  # nothing assessed is not a 0


def test_columns_are_sized_to_their_text(workbook_path):
    sheet = openpyxl.load_workbook(workbook_path)["评分表"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHI"}
    assert widths["A"] >= display_width("序号") + 2 and widths["B"] >= len("指标编号") * 2
    assert widths["C"] == 48 + 2  # the longest Chinese name is wider: capped, the text wraps
    assert sheet["C6"].alignment.wrap_text and not sheet["D6"].alignment.wrap_text
    assert all(width >= 6 for width in widths.values())


def test_the_same_scorecard_gives_the_same_bytes(tmp_path, workbook_path, rule_set, scorecard):
    again = tmp_path / "again.xlsx"
    write_scorecard_workbook(again, scorecard, rule_set=rule_set, city_names={"en": "Chengdu", "zh": "成都"})
    assert again.read_bytes() == workbook_path.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {ZIP_TIMESTAMP}
        core = archive.read("docProps/core.xml").decode()
    assert "dcterms:created" not in core and "dcterms:modified" not in core


def test_score_city_writes_the_workbook_and_chinese_names_in_indicators_csv(tmp_path):
    table = tmp_path / "landcover_indicators.csv"
    rows = ["city,year,indicator,value,unit,method"]
    rows += [f"x,2020,{name},{value},u,test" for name, value in {**VALUES, "city_area": 24235.0}.items()]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    score_city(
        city="x",
        tables=[str(table)],
        rule_set_path=str(SI_2014),
        figures_path=None,
        indicators_csv=str(tmp_path / "indicators.csv"),
        scorecard_json=str(tmp_path / "scorecard.json"),
        scorecard_xlsx=str(tmp_path / "scorecard.xlsx"),
        city_names={"en": "Xanadu", "zh": "上都"},
        boundary_coverage_tolerance_percent=1.0,
        on_partial_coverage="hold",
    )
    assert (tmp_path / "indicators.csv").read_bytes().startswith(codecs.BOM_UTF8)
    indicators = pd.read_csv(tmp_path / "indicators.csv", keep_default_na=False).set_index("indicator")
    assert list(indicators.columns[:2]) == ["city", "name"] and indicators.columns[2] == "name_zh"
    assert indicators.loc["I1", "name_zh"] == "城市中自然区域的比例"
    assert indicators.loc["city_area", ["name", "name_zh", "status"]].tolist() == ["", "", "supporting"]
    workbook = openpyxl.load_workbook(tmp_path / "scorecard.xlsx")
    assert workbook["评分表"]["A1"].value == "城市生物多样性指数评分表：上都"
    assert workbook["Scorecard"]["A1"].value == "City Biodiversity Index scorecard: Xanadu"


# ------------------------------------------------------------------------------------- targets and scenarios


def city_target(indicator, *, value, kind="value", status="draft", source=None) -> CityTarget:
    return CityTarget(
        indicator=indicator,
        kind=kind,
        target=value,
        year=2030,
        baseline_year=2016,
        source=source,
        note=None,
        status=status,
        where="targets[0]",
    )


PLAN = {
    "name": "plan",
    "title": "Restore and develop",
    "title_zh": "恢复与开发",
    "base_year": 2020,
    "changes": [
        {"restore": "tree_canopy", "since_year": 2016},
        {"landcover": "data/city/plots.gpkg", "to": 50, "from": [10, 20]},
    ],
}
NAN = float("nan")


def plan_comparison() -> pd.DataFrame:
    rows = [  # indicator, base value, scenario value, base points, scenario points, base status, scenario status
        ("I1", 10.0, 15.0, 1, 2, "scored", "scored"),
        ("I2", 400.0, 420.0, 1, NAN, "scored", "partial_coverage"),  # held in the scenario
        ("I12", 6.0, 6.0, 0, 0, "scored", "scored"),  # 0 points on both sides: a real 0
        ("I11", NAN, 24.0, NAN, 4, "not_assessed", "scored"),  # no base value
    ]
    indicators = [
        {
            "indicator": indicator,
            "name": "",
            "name_zh": "",
            "unit": "%",
            "base_value": base,
            "scenario_value": scenario,
            "change": scenario - base,
            "base_points": base_points,
            "scenario_points": scenario_points,
            "points_change": scenario_points - base_points,
            "base_status": base_status,
            "scenario_status": scenario_status,
        }
        for indicator, base, scenario, base_points, scenario_points, base_status, scenario_status in rows
    ]
    supporting = [
        {"indicator": quantity, "base_value": base, "scenario_value": scenario, "change": scenario - base}
        | {"base_status": "supporting", "scenario_status": "supporting"}
        for quantity, base, scenario in (("natural_area", 100.0, 130.0), ("city_area", 500.0, 500.0 + 1e-9))
    ]
    return pd.DataFrame(indicators + supporting, columns=COMPARISON_COLUMNS)


def plan_changes() -> pd.DataFrame:
    return pd.DataFrame(
        {"step": [1, 2], "change": ["", ""], "cells_changed": [3000, 0], "area_changed_ha": [270.5, 0.0], "note": ""}
    )


@pytest.fixture(scope="module")
def planned_scorecard(scorecard, rule_set):
    table = pd.DataFrame(
        {
            "indicator": ["I1", "I1", "I2", "I2", "I15"],
            "year": pd.array([2016, 2020, 2016, 2020, None], dtype="Int64"),
            "value": [18.0, 19.5, 400.0, 420.0, 2.0],
            "points": pd.array([3, 3, 1, 1, 2], dtype="Int64"),
        }
    )
    targets = [
        city_target("I1", value=25.0, status="example", source="Plan vert de la ville, 2023"),
        city_target("I2", value=3.0, kind="points"),
        city_target("I15", value=5.0),
    ]
    framework = load_framework(REPO / "config/frameworks/kmgbf.yaml")
    followed = follow_targets(targets, table=table, rule_set=rule_set, framework=framework, targets_path="t.yaml")
    summary = summarize_scenario(PLAN, comparison=plan_comparison(), changes=plan_changes())
    return {**scorecard, "targets": followed, "scenarios": [summary]}


@pytest.fixture(scope="module")
def planned_path(tmp_path_factory, rule_set, planned_scorecard):
    path = tmp_path_factory.mktemp("planned") / "scorecard.xlsx"
    write_scorecard_workbook(path, planned_scorecard, rule_set=rule_set, city_names={"en": "Chengdu", "zh": "成都"})
    return path


TARGET_HEADER = {
    "en": [
        "Indicator id",
        "Indicator",
        "Kunming-Montreal Global Biodiversity Framework targets informed",
        "Unit",
        "Baseline year",
        "Baseline value",
        "Target year",
        "Target (value or points)",
        "Latest year",
        "Latest value",
        "Trajectory (latest year)",
        "Progress",
        "Change per year still needed",
        "Unit of the change",
        "Status of the target",
        "Source of the target",
    ],
    "zh": [
        "指标编号",
        "指标",
        "关联的昆明-蒙特利尔全球生物多样性框架目标",
        "单位",
        "基准年份",
        "基准值",
        "目标年份",
        "目标值（数值或得分）",
        "最近年份",
        "最近数值",
        "轨迹（最近年份）",
        "进度",
        "每年仍需变化",
        "变化的单位",
        "目标状态",
        "目标来源",
    ],
}
SHEETS = {"en": ("Scorecard", "Targets", "Scenarios"), "zh": ("评分表", "目标", "情景分析")}


def header_row_of(sheet, first: str) -> int:
    """The 1-based row whose first cell is `first` (the table's header)."""
    return next(index for index, row in enumerate(rows_of(sheet), start=1) if row[0] == first)


def test_targets_and_scenarios_sheets_follow_each_language_only_when_there_are_some(planned_path, workbook_path):
    assert openpyxl.load_workbook(planned_path).sheetnames == [*SHEETS["en"], *SHEETS["zh"]]
    assert openpyxl.load_workbook(workbook_path).sheetnames == ["Scorecard", "评分表"]  # neither: no sheet


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_target_row_holds_the_scorecard_numbers_as_numbers(planned_path, planned_scorecard, language):
    sheet = openpyxl.load_workbook(planned_path)[SHEETS[language][1]]
    header = header_row_of(sheet, TARGET_HEADER[language][0])
    assert list(rows_of(sheet)[header - 1]) == TARGET_HEADER[language]
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.cell(row=header, column=1).font.bold and sheet.cell(row=header, column=1).fill.start_color.rgb
    rows = {row[0]: dict(zip(TARGET_HEADER["en"], row, strict=True)) for row in rows_of(sheet)[header:][:3]}
    assert list(rows) == ["I1", "I2", "I15"]
    # I1 by hand: 18 % in 2016 to 25 % in 2030 passes 18 + 7 × 4/14 = 20 % in 2020; 19.5 % is behind it, and
    # (25 − 19.5) / (2030 − 2020) = 0.55 percentage points a year are still needed
    i1 = rows["I1"]
    zh = language == "zh"
    assert i1["Indicator"] == ("城市中自然区域的比例" if zh else "Proportion of Natural Areas in the City")
    assert (i1["Unit"], i1["Baseline year"], i1["Baseline value"]) == ("%", 2016, 18.0)
    assert (i1["Target year"], i1["Target (value or points)"], i1["Latest year"], i1["Latest value"]) == (
        2030,
        25.0,
        2020,
        19.5,
    )
    assert i1["Trajectory (latest year)"] == pytest.approx(20.0)
    assert i1["Change per year still needed"] == pytest.approx(0.55)
    assert i1["Progress"] == ("落后于轨迹" if zh else "off track")
    assert i1["Unit of the change"] == ("个百分点" if zh else "percentage points")
    assert i1["Status of the target"] == (
        "仅为示例，并非城市通过的目标" if zh else "example only, not a target the city has adopted"
    )
    assert i1["Source of the target"] == "Plan vert de la ville, 2023"  # the city's words, as written
    links = i1["Kunming-Montreal Global Biodiversity Framework targets informed"].split("\n")
    assert len(links) == 3 and links[2].startswith("目标 12：" if zh else "Target 12: ")
    assert all(("提议" if zh else "proposal") in link for link in links)
    assert all("（中文标题为本项目译文）" in link for link in links) == zh
    # I2: a points target; 1 point in 2016 and 2020, trajectory 1 + 2 × 4/14, (3 − 1) / 10 a year needed
    i2 = rows["I2"]
    assert (i2["Unit"], i2["Target (value or points)"], i2["Latest value"]) == ("分" if zh else "points", 3.0, 1.0)
    assert i2["Trajectory (latest year)"] == pytest.approx(1 + 2 * 4 / 14)
    assert i2["Change per year still needed"] == pytest.approx(0.2)
    # I15 has no dated value: nothing to place on the line, and no 0 anywhere
    i15 = rows["I15"]
    assert i15["Progress"] == ("未评估" if zh else "not assessed")
    for key in ("Baseline value", "Latest year", "Latest value", "Trajectory (latest year)"):
        assert i15[key] is None
    assert i15["Change per year still needed"] is None and i15["Unit of the change"] is None
    for item, row in zip(planned_scorecard["targets"]["items"], rows.values(), strict=True):
        assert row["Target (value or points)"] == item["target"] and row["Latest value"] == item["latest_value"]
    cells = {cell.column_letter: cell for cell in sheet[header + 1]}
    assert cells["E"].number_format == "0" and cells["E"].data_type == "n"  # 2016, not 2,016
    assert cells["F"].number_format == "#,##0" and cells["J"].number_format == "#,##0.00"  # 18, 19.50
    assert cells["F"].data_type == cells["J"].data_type == "n"
    assert cells["M"].number_format == "+#,##0.00;-#,##0.00;0"  # +0.55: a change is signed
    assert cells["C"].alignment.wrap_text and sheet.column_dimensions["C"].width == 60 + 2
    assert all(sheet.column_dimensions[letter].width >= 6 for letter in "ABCDEFGHIJKLMNOP")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_targets_sheet_marks_examples_as_the_report_does(planned_path, planned_scorecard, language):
    texts = [row[0] for row in rows_of(openpyxl.load_workbook(planned_path)[SHEETS[language][1]])]
    assert texts[0] == ("目标：成都" if language == "zh" else "Targets: Chengdu")
    assert message("report.targets_example", language) in texts
    assert any(text and "t.yaml" in text for text in texts[:4])
    notes = planned_scorecard["targets"]["notes_zh" if language == "zh" else "notes"]
    assert notes and all(note in texts for note in notes)


SCENARIO_HEADER = {
    "en": [
        "Indicator id",
        "Indicator",
        "Unit",
        "Base year value",
        "Scenario",
        "Change",
        "Base year points",
        "Scenario points",
        "Points change",
        "Status",
    ],
    "zh": ["指标编号", "指标", "单位", "基准年数值", "情景", "变化", "基准年得分", "情景得分", "得分变化", "状态"],
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_scenarios_sheet_shows_each_change_and_every_compared_row(planned_path, planned_scorecard, language):
    sheet = openpyxl.load_workbook(planned_path)[SHEETS[language][2]]
    rows = rows_of(sheet)
    zh = language == "zh"
    assert rows[0][0] == ("情景分析：成都" if zh else "What-if scenarios: Chengdu")
    assert list(rows[3]) == SCENARIO_HEADER[language] and sheet.freeze_panes == "A5"
    assert [row[0] for row in rows[4:8]] == (
        [
            "恢复与开发",
            "基准年：2020年。依次进行的变更：",
            "1. 恢复自2016年以来减少的树冠覆盖：恢复为2016年的类别（城市内改变了 3,000 个像元，270.5 公顷）",
            "2. plots.gpkg 多边形内类别为 10, 20 的土地覆盖改为类别 50（未改变城市内的任何像元）",
        ]
        if zh
        else [
            "Restore and develop",
            "Base year: 2020. Changes, in order:",
            "1. restore the tree canopy lost since 2016: back to its 2016 class (3,000 cells, 270.5 ha changed"
            " inside the city)",
            "2. land cover of classes 10, 20 inside the polygons of plots.gpkg to class 50 (changed nothing inside the"
            " city)",
        ]
    )
    table = {row[0] or row[1]: row for row in rows[8:14]}
    (entry,) = planned_scorecard["scenarios"]
    for expected in entry["indicators"]:
        row = table[expected["indicator"]]
        keys = ("base_value", "scenario_value", "change", "base_points", "scenario_points", "points_change")
        assert row[3:9] == tuple(expected[key] for key in keys)
    assert table["I1"][1:3] == ("城市中自然区域的比例" if zh else "Proportion of Natural Areas in the City", "%")
    assert table["I1"][3:10] == (10.0, 15.0, 5.0, 1, 2, 1, "已评分" if zh else "scored")
    assert table["I12"][6:9] == (0, 0, 0)  # scored 0 on both sides: a real 0
    # held or not assessed: no points (never 0), and the status says so in words
    assert table["I2"][6:10] == (
        1,
        None,
        None,
        "基准年：已评分；情景：未评分：土地覆盖数据未完整覆盖城市"
        if zh
        else "base year: scored; scenario: not scored: land cover covers only part of the city",
    )
    assert table["I11"][3:10] == (
        None,
        24.0,
        None,
        None,
        4,
        None,
        "基准年：未评估；情景：已评分" if zh else "base year: not assessed; scenario: scored",
    )
    natural, city = table["自然区域" if zh else "natural area"], table["城市面积" if zh else "city area"]
    assert natural[2:10] == ("公顷" if zh else "ha", 100.0, 130.0, 30.0, None, None, None, None)
    assert city[5] == 0  # the same city: no 1e-9 ha of noise
    cells = {cell.column_letter: cell for cell in sheet[9]}
    assert all(cells[letter].data_type == "n" for letter in "DEFGHI")
    assert cells["F"].number_format == cells["I"].number_format == "+#,##0;-#,##0;0"  # +5, +1: changes signed


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_scenario_totals_are_the_summarys_with_those_left_out_listed(planned_path, planned_scorecard, language):
    rows = rows_of(openpyxl.load_workbook(planned_path)[SHEETS[language][2]])
    zh = language == "zh"
    # by hand: I1 1 -> 2 and I12 0 -> 0 are scored on both sides; I2 (held) and I11 (no base value) are left out
    total = next(
        row
        for row in rows
        if row[1] == ("参与比较的指标（2 项）得分" if zh else "Points of the compared indicators (2)")
    )
    assert (
        total[6:9]
        == (1, 2, 1)
        == tuple(planned_scorecard["scenarios"][0]["points"][key] for key in ("base", "scenario", "change"))
    )
    assert (
        "未在两侧均评分（不计入合计，也不按 0 分计）：I2, I11。"
        if zh
        else "Not scored on both sides (left out of the totals, never counted as 0): I2, I11."
    ) in [row[1] for row in rows]


def test_report_numbers_in_the_change_lines():
    for value in (0, 3, 3000, 0.5, 12.345, 270.5, 1234.56, 1e6):
        assert plain_number(value) == format_number(value)


def test_the_chinese_sheets_have_no_english_but_the_citys_own_words(planned_path):
    texts = workbook_texts(planned_path)
    assert set(texts) == {"评分表", "目标", "情景分析"}
    assert "Plan vert de la ville, 2023" not in texts["目标"]  # the source is shown as the city wrote it
    found = {
        text: words
        for sheet in texts.values()
        for text in sheet
        if (words := english_words(text, names={"Chengdu", "si", "test"}))  # the rule set's id, "cbindex test"
    }
    assert not found


def test_the_same_planned_scorecard_gives_the_same_bytes(tmp_path, planned_path, rule_set, planned_scorecard):
    again = tmp_path / "again.xlsx"
    write_scorecard_workbook(again, planned_scorecard, rule_set=rule_set, city_names={"en": "Chengdu", "zh": "成都"})
    assert again.read_bytes() == planned_path.read_bytes()
