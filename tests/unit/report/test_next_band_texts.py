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


def test_groups_map_draws_the_best_links(tmp_path):
    import numpy as np
    from matplotlib.lines import Line2D

    from cbindex.report.figures import LINK_COLOUR, connectivity_groups_map
    from cbindex.report.stage import best_links, map_frame
    from tests.unit.landcover.test_links import X0, Y0, hand_raster, run_stage

    raster, boundary = hand_raster(tmp_path)
    run_stage(tmp_path, raster, boundary, link_search_m=300)
    links = best_links(str(tmp_path / "groups.gpkg"), crs="EPSG:3035")
    # A–B from A's east edge (x = 100 m) to B's west edge (x = 300 m), A–C from A's bottom (y = −100 m) to C's top
    assert [link[0] for link in links] == [1, 2]
    (_, ax0, ay0, ax1, ay1), (_, cx0, cy0, cx1, cy1) = links
    assert (ax0 - X0, ax1 - X0, ay0 == ay1) == (100.0, 300.0, True)
    assert (cy0 - Y0, cy1 - Y0, cx0 == cx1) == (-100.0, -350.0, True)
    assert best_links(str(tmp_path / "groups.gpkg"), crs="EPSG:3035", count=1) == links[:1]
    from affine import Affine
    from pyproj import CRS

    from cbindex.report.display_rasters import DisplayGrid

    grid = DisplayGrid(CRS.from_epsg(3035), Affine(10, 0, X0, 0, -10, Y0), (40, 60))
    frame = map_frame(grid.extent, crs=grid.crs)
    figure = connectivity_groups_map(
        np.zeros((40, 60), dtype=np.int64),
        areas_ha=[1.0, 0.5, 0.25],
        highlighted=3,
        frame=frame,
        title="t",
        group_label="{rank}",
        other_label="o",
        language="en",
        links=links,
        link_label="best links",
    )
    drawn = [line for line in figure.axes[0].get_lines() if line.get_color() == LINK_COLOUR]
    assert len(drawn) == 2 and list(drawn[0].get_xdata()) == [ax0, ax1]
    legend = figure.axes[0].get_legend()
    assert any(isinstance(h, Line2D) for h in legend.legend_handles) and "best links" in [
        t.get_text() for t in legend.get_texts()
    ]
