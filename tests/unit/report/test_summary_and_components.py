"""The report's summary box never shows a bare score: the points come with the assessed maximum, the indicators
assessed and the share of the edition's maximum (the words: tests/unit/scoring/test_headline.py); a component with
nothing assessed reads "not assessed", not 0, in the components table and the bar plot."""

import copy
import html as html_module
import re
from types import SimpleNamespace

from cbindex.report.figures import component_bars
from cbindex.report.html_tables import components_section, summary_section

TOTALS = {
    "points": 15,
    "assessed_max": 16,
    "share_of_assessed": 93.8,
    "indicators_scored": 4,
    "max_points": 92,
    "max_points_known": True,
    "share_of_max": 16.3,
    "indicators_not_assessed": 16,
    "indicators_without_bands": 3,
    "indicators_excluded": 0,
    "indicators_partial_coverage": 0,
    "any_unverified_bands": False,
}
COMPONENTS = [
    {
        "id": "native_biodiversity",
        "name": "Native biodiversity in the city",
        "name_zh": "本土生物多样性",
        "points": 8,
        "assessed_max": 8,
        "share_of_assessed": 100.0,
        "indicators_scored": 2,
        "max_points": 40,
        "max_points_known": True,
        "share_of_max": 20.0,
    },
    {
        "id": "ecosystem_services",
        "name": "Ecosystem services provided by biodiversity",
        "name_zh": "生态系统服务",
        "points": 0,  # scored, and 0: stays 0
        "assessed_max": 8,
        "share_of_assessed": 0.0,
        "indicators_scored": 2,
        "max_points": 16,
        "max_points_known": True,
        "share_of_max": 0.0,
    },
    {
        "id": "governance",
        "name": "Governance and management of biodiversity",
        "name_zh": "治理与管理",
        "points": 0,  # nothing assessed: not a 0
        "assessed_max": 0,
        "share_of_assessed": None,
        "indicators_scored": 0,
        "max_points": 36,
        "max_points_known": True,
        "share_of_max": 0.0,
    },
]
SCORECARD = {
    "totals": TOTALS,
    "components": COMPONENTS,
    "indicators": [{"id": f"I{number}"} for number in range(1, 24)],
    "notes": ["A note."],
    "notes_zh": ["说明。"],
}


def content(scorecard=SCORECARD, language="en"):
    return SimpleNamespace(language=language, scorecard=scorecard, plots=[])


def plain(html: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


def test_the_summary_box_holds_the_whole_headline_with_the_points_set_large():
    english = summary_section(content())
    box = english[english.index('<div class="total-box">') : english.index("<ul>")]
    assert plain(box) == "Total15 of 16 assessed points · 4 of 23 indicators assessed · 16 % of the edition's 92"
    assert '<span class="big">15</span> of 16 assessed points' in box
    assert '<div class="big">' not in english  # the bare number of before
    chinese = summary_section(content(language="zh"))
    assert '已评估部分满分 16 分，得 <span class="big">15</span> 分 · 23 项指标中已评估 4 项' in chinese


def rows(table: str) -> list[list[str]]:
    body = table[table.index("<tbody>") :]
    return [[plain(cell) for cell in re.findall(r"<td>(.*?)</td>", row)] for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_a_component_with_nothing_assessed_reads_not_assessed():
    table = rows(components_section(content()))
    assert table[0] == ["Native biodiversity in the city", "8", "8", "100.0 %", "40", "20.0 %", "2"]
    assert table[1] == ["Ecosystem services provided by biodiversity", "0", "8", "0.0 %", "16", "0.0 %", "2"]
    assert table[2] == ["Governance and management of biodiversity", "not assessed", "0", "—", "36", "—", "0"]
    assert table[3] == ["Total", "15", "16", "93.8 %", "92", "16.3 %", "4"]
    chinese = rows(components_section(content(language="zh")))
    assert chinese[2][:2] == ["治理与管理", "未评估"]


def test_nothing_assessed_at_all_reads_not_assessed_in_the_total_row():
    scorecard = copy.deepcopy(SCORECARD)
    for component in scorecard["components"]:
        component.update(points=0, assessed_max=0, indicators_scored=0, share_of_assessed=None, share_of_max=0.0)
    scorecard["totals"].update(points=0, assessed_max=0, indicators_scored=0, share_of_assessed=None, share_of_max=0)
    table = rows(components_section(content(scorecard, language="zh")))
    assert [row[1] for row in table] == ["未评估"] * 4


LABELS = {
    "points": "Points",
    "assessed_max": "Out of (assessed)",
    "component_max": "Out of (edition)",
    "axis": "Points",
    "not_assessed": "not assessed",
}


def test_the_bar_plot_draws_no_bar_for_a_component_with_nothing_assessed():
    figure = component_bars(COMPONENTS, labels=LABELS, language="en")
    axes = figure.axes[0]
    labels = {round(text.get_position()[1]): text.get_text() for text in axes.texts}
    assert labels == {2: "8", 1: "0", 0: "not assessed"}  # top to bottom: positions 2, 1, 0
    points_bars = next(container for container in axes.containers if container.get_label() == "Points")
    assert sorted(round(bar.get_y() + bar.get_height() / 2) for bar in points_bars) == [1, 2]
    assessed_bars = next(container for container in axes.containers if container.get_label() == "Out of (assessed)")
    assert [bar.get_width() for bar in assessed_bars] == [8, 8, 0]
