"""The report's tables of coverage layers (control lines) and of protected area per category, in both languages."""

import pandas as pd

from cbindex.report.stage import category_rows, coverage_rows

SCORECARD = {
    "coverage_layers": [
        {
            "id": "eco_control_line",
            "name": "basic ecological control line",
            "name_zh": "基本生态控制线",
            "years": [
                {"year": 2019, "coverage_percent": 35.0, "natural_share_percent": 57.142857, "area_ha": 3500.0},
                {"year": 2020, "coverage_percent": 36.0, "natural_share_percent": None, "area_ha": 3600.0},
            ],
        }
    ]
}


def test_one_row_per_layer_and_year_in_the_report_language():
    assert coverage_rows(SCORECARD, language="en") == [
        ["basic ecological control line", "2019", "35.00", "57.14", "3,500.0"],
        ["basic ecological control line", "2020", "36.00", "—", "3,600.0"],
    ]
    assert coverage_rows(SCORECARD, language="zh")[0][0] == "基本生态控制线"
    assert coverage_rows({}, language="en") == []


def test_category_rows_follow_the_system_order_with_their_natural_area():
    indicators = pd.DataFrame(
        {
            "indicator": [
                "protected_area_forest_park",
                "protected_natural_area_forest_park",
                "protected_area_national_park",
                "protected_natural_area_national_park",
                "I9",
            ],
            "year": [2020, 2020, 2020, 2020, 2020],
            "value": [21.0, 11.0, 4.0, 4.0, 30.0],
        }
    )
    assert category_rows(indicators, language="en") == [
        ["National park", "2020", "4.0", "4.0"],
        ["Forest park", "2020", "21.0", "11.0"],
    ]
    assert [row[0] for row in category_rows(indicators, language="zh")] == ["国家公园", "森林公园"]
