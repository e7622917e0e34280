"""scorecard.xlsx read back with openpyxl: one sheet per language laid out like the SI scoring sheet (indicator rows,
component totals, overall total with its coverage), Chinese text intact, header frozen, columns sized, same bytes
for the same scorecard; and score_city writes it beside scorecard.json, with name_zh in indicators.csv."""

import codecs
import zipfile

import openpyxl
import pandas as pd
import pytest

from cbindex.scoring.headline import headline
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.scorecard import build_scorecard
from cbindex.scoring.stage import score_city
from cbindex.scoring.workbook import ZIP_TIMESTAMP, display_width, write_scorecard_workbook
from tests.helpers import REPO

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
