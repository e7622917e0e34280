"""The score table's next-band cell: every text of the scorecard's next_band, in the report's language."""

from cbindex.report.html_tables import _next_band_text

I2_NEXT_BAND = {
    "text": "+93 ha to reach 2 points (501–1,000 ha)",
    "text_zh": "需增加 93 公顷，达到 2 分档（501–1,000 ha）",
    "area_text": "add 171 ha of natural area to the largest group (517 ha) to reach 2 points; the same area as an "
    "isolated patch would lower I2 to 380 ha (1 point)",
    "area_text_zh": "在最大组团（517 公顷）上增加自然区域 171 公顷可达到 2 分；"
    "同样面积若为孤立斑块，I2 将降至 380 公顷（1 分）",
    "connectivity_text": "or add 190 ha to the second-largest group (472 ha)",
    "connectivity_text_zh": "或在第二大组团（472 公顷）上增加 190 公顷",
    "margin_text": "may fall by 208 ha and keep 1 point (beyond: 0 points, < 200 ha)",
    "margin_text_zh": None,
}


def test_next_band_cell_shows_the_area_to_add_and_where():
    english = _next_band_text({"next_band": I2_NEXT_BAND}, "en").split("<br>")
    assert english == [
        "+93 ha to reach 2 points (501–1,000 ha)",
        "add 171 ha of natural area to the largest group (517 ha) to reach 2 points; the same area as an isolated "
        "patch would lower I2 to 380 ha (1 point)",
        "or add 190 ha to the second-largest group (472 ha)",
        "may fall by 208 ha and keep 1 point (beyond: 0 points, &lt; 200 ha)",
    ]
    chinese = _next_band_text({"next_band": I2_NEXT_BAND}, "zh").split("<br>")
    assert chinese[1].startswith("在最大组团（517 公顷）上增加自然区域 171 公顷可达到 2 分")
    assert chinese[2] == "或在第二大组团（472 公顷）上增加 190 公顷"
    assert chinese[3].startswith("may fall by 208 ha")  # no Chinese text given: the English one


def test_next_band_cell_without_the_groups():
    plain = {key: value for key, value in I2_NEXT_BAND.items() if not key.startswith(("area", "connectivity"))}
    assert _next_band_text({"next_band": plain}, "en").split("<br>")[1].startswith("may fall by")
    assert _next_band_text({"next_band": None}, "en") == ""


def test_next_band_cell_names_the_link_that_reaches_the_next_band():
    link = {
        **I2_NEXT_BAND,
        "link_text": "joining groups 37 and 42 (517 ha and 472 ha), 1.34 km apart (link 1), would raise I2 to 786 ha",
        "link_text_zh": "连接组团 37 与 42（517 公顷和 472 公顷，相距 1.34 公里；连接 1）可使 I2 升至 786 公顷",
    }
    english = _next_band_text({"next_band": link}, "en").split("<br>")
    assert english[3] == link["link_text"] and english[4].startswith("may fall by")
    assert _next_band_text({"next_band": link}, "zh").split("<br>")[3] == link["link_text_zh"]


def test_report_lists_the_best_candidate_links_in_both_languages():
    from types import SimpleNamespace

    from cbindex.report.html import _links_table
    from cbindex.scoring.rule_sets import load_rule_set
    from tests.helpers import REPO

    link = {
        "link_id": 1,
        "group_a": 37,
        "group_b": 42,
        "length_m": 1340.5,
        "area_a_ha": 517.18,
        "area_b_ha": 471.68,
        "gain_ha": 378.02,
        "value_after": 786.11,
        "points_after": 2,
        "classes_crossed": "Built 100 %",
        "classes_crossed_zh": "建成区 100%",
    }
    scorecard = {"landcover_year": 2020, "candidate_links": {"count": 294, "top": [link]}}
    rule_set = load_rule_set(REPO / "config/scoring/si-2014.yaml")
    english, chinese = (
        _links_table(
            SimpleNamespace(language=language, scorecard=scorecard, rule_set=rule_set, method={"link_search_m": 2000})
        )
        for language in ("en", "zh")
    )
    assert "<h3>Candidate links between connectivity groups (I2)</h3>" in english
    assert "The best of the 294 candidate links of 2020" in english and "at most 2,000 m apart" in english
    assert "<td>37 (517.2) + 42 (471.7)</td><td>1,340.5</td><td>378.0</td><td>786.1 ha</td>" in english
    assert "<td>Built 100 %</td>" in english
    assert "连通组之间的候选连接（I2）" in chinese and "<td>建成区 100%</td>" in chinese and "786.1 公顷" in chinese
    assert _links_table(SimpleNamespace(language="en", scorecard={}, rule_set=rule_set, method={})) == ""
