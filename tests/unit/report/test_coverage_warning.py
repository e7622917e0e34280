"""The report shows a partly covered land-cover year as a warning box, in English and Chinese."""

from cbindex.report.html_tables import coverage_warning

SCORECARD = {
    "on_partial_coverage": "hold",
    "coverage": [
        {
            "year": 2020,
            "covered_share_percent": 100.0,
            "nodata_area_ha": 0.0,
            "uncovered_area_ha": 0.0,
            "partial": False,
        },
        {
            "year": 2021,
            "covered_share_percent": 57.8,
            "nodata_area_ha": 84.0,
            "uncovered_area_ha": 4135.5,
            "partial": True,
        },
    ],
}


def test_a_partly_covered_year_gets_a_warning_in_both_languages():
    english = coverage_warning(SCORECARD, language="en")
    assert english.count('class="warning coverage"') == 1
    assert "Partial coverage in 2021" in english and "57.80 %" in english
    assert "84 ha without data" in english and "4,135.5 ha outside the raster" in english
    assert "not scored" in english
    chinese = coverage_warning(SCORECARD, language="zh")
    assert "2021 年数据覆盖不完整" in chinese and "84 公顷" in chinese and "不予评分" in chinese
    assert "ha" not in chinese


def test_scored_anyway_is_said_and_full_coverage_shows_nothing():
    scored = coverage_warning({**SCORECARD, "on_partial_coverage": "score"}, language="en")
    assert "scored anyway" in scored
    assert coverage_warning({"coverage": SCORECARD["coverage"][:1]}, language="en") == ""
    assert coverage_warning({}, language="zh") == ""
