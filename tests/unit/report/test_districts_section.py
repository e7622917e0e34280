"""The report's districts section: ranking by I1 with points and change, the "no district" row last and unranked,
the tiling sentence when the polygons do not tile the city, both languages; and the choropleth draws."""

import html as html_module
import re
from types import SimpleNamespace

import pandas as pd
import shapely

from cbindex.report.districts import districts_section, shown_indicators
from cbindex.report.figures import MapFrame, choropleth_map, png_bytes
from cbindex.scoring.rule_sets import load_rule_set
from tests.helpers import REPO

SI_2014 = load_rule_set(REPO / "config" / "scoring" / "si-2014.yaml")


def table(gap: float = 0.0) -> pd.DataFrame:
    rows = []
    for year, shares in ((2019, {"North": 30.0, "South": 12.0}), (2020, {"North": 25.0, "South": 15.0})):
        for district_id, (name, share) in enumerate(shares.items(), start=1):
            points = 4 if share > 20 else 3
            rows.append((year, district_id, name, "I1", share, points, "scored"))
            rows.append((year, district_id, name, "city_area", 100.0, None, "supporting"))
        rows.append((year, 0, "(no district)", "I1", 50.0, None, "supporting"))
        rows.append((year, -1, "(all districts)", "district_gap_area", gap, None, "supporting"))
    frame = pd.DataFrame(rows, columns=["year", "district_id", "district", "indicator", "value", "points", "status"])
    before = frame[frame["year"] == 2019].set_index(["district", "indicator"])["value"]
    change = [
        value - before.get((district, indicator), float("nan")) if year == 2020 else float("nan")
        for year, district, indicator, value in frame[["year", "district", "indicator", "value"]].itertuples(
            index=False
        )
    ]
    return frame.assign(change_since_previous_year=change)


def plain(markup: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", markup))


def body_rows(markup: str) -> list[list[str]]:
    body = markup[markup.index("<tbody>") :]
    return [[plain(cell) for cell in re.findall(r"<td>(.*?)</td>", row)] for row in re.findall(r"<tr>(.*?)</tr>", body)]


def section(language: str, gap: float = 0.0) -> str:
    content = SimpleNamespace(language=language, districts=table(gap), rule_set=SI_2014, district_figures=[])
    return districts_section(content)


def test_districts_are_ranked_by_i1_with_points_and_change():
    english = section("en")
    assert body_rows(english) == [
        ["1", "North", "25", "4", "−5"],
        ["2", "South", "15", "3", "+3"],
        ["", "(no district)", "50", "", "±0.00"],
    ]
    assert "Districts ranked by Proportion of Natural Areas in the City, 2020" in plain(english)
    assert "tile the city" in english and "do not tile" not in english
    chinese = section("zh")
    assert body_rows(chinese)[2][1] == "（不属于任何区县）"
    assert "较2019年变化" in plain(chinese)


def test_a_gap_is_said_in_both_languages():
    assert "the city lie in no district" in plain(section("en", gap=12.5))
    assert "12.50 ha of the city" in plain(section("en", gap=12.5))
    assert "12.50 公顷的城市面积不属于任何区县" in plain(section("zh", gap=12.5))


def test_only_indicators_with_values_are_shown():
    assert shown_indicators(table(), SI_2014) == ["I1"]


def test_choropleth_draws_nan_districts_too():
    polygons = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    frame = MapFrame(extent=(0, 2, 0, 1), aspect=1.0, crs_name="EPSG:3035", boundary=shapely.box(0, 0, 2, 1))
    figure = choropleth_map(polygons, [10.0, float("nan")], frame=frame, title="I1", unit="%", language="en")
    assert png_bytes(figure, language="en").startswith(b"\x89PNG")
