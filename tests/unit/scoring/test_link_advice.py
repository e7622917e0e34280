"""The candidate links in the scorecard: I2 after each link, which single link reaches the next band, the texts."""

import json

import geopandas as gpd
import pytest
import shapely

from cbindex.scoring.connectivity_advice import MeshGroups, coherence_percent
from cbindex.scoring.link_advice import CandidateLink, describe_links, value_after_link
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.stage import score_city
from tests.helpers import REPO

SI_2014 = REPO / "config/scoring/si-2014.yaml"
I2_2014 = load_rule_set(SI_2014).indicators["I2"]
AREAS = {1: 400.0, 2: 300.0, 3: 100.0}  # S = 260,000 ha², A_total = 800 ha: MESH = 325 ha (1 point; 2 from 501 ha)


def links_by_hand() -> list[CandidateLink]:
    """1–2 (1.5 km): +2·400·300 ÷ 800 = 300 → 625 ha; 1–3 (300 m): +100 → 425 ha; 2–3 (900 m): +75 → 400 ha."""
    pairs = [(1, 2, 1500.0), (1, 3, 300.0), (2, 3, 900.0)]
    return [
        CandidateLink(
            link_id=rank,
            group_a=a,
            group_b=b,
            length_m=length,
            area_a_ha=AREAS[a],
            area_b_ha=AREAS[b],
            gain_ha=2 * AREAS[a] * AREAS[b] / 800,
            mesh_after_ha=325 + 2 * AREAS[a] * AREAS[b] / 800,
            classes_crossed="Built 100 %",
            classes_crossed_zh="建成区 100%",
        )
        for rank, (a, b, length) in enumerate(pairs, start=1)
    ]


GROUPS = MeshGroups.from_areas(list(AREAS.values()), total_ha=800.0, mesh_denominator="natural")
NEXT = {"threshold": 501.0, "threshold_inclusive": True, "points_next": 2}


def test_the_link_that_reaches_the_next_band():
    summary = describe_links(links_by_hand(), GROUPS, I2_2014, next_step=NEXT, kind="mesh")
    assert summary["count"] == 3 and summary["reaching_next_band"] == 1 and summary["best_reaching"] == 1
    assert [row["value_after"] for row in summary["top"]] == [625.0, 425.0, 400.0]
    assert [row["points_after"] for row in summary["top"]] == [2, 1, 1]
    assert [row["reaches_next_band"] for row in summary["top"]] == [True, False, False]
    assert summary["text"] == (
        "joining groups 1 and 2 (400 ha and 300 ha), 1.5 km apart (link 1), would raise I2 to 625 ha (2 points); "
        "it is the only one of the 3 candidate links that reaches 2 points"
    )
    assert summary["text_zh"] == (
        "连接组团 1 与 2（400 公顷和 300 公顷，相距 1.5 公里；连接 1）可使 I2 升至 625 公顷（2 分）；"
        "3 条候选连接中仅此一条单独即可达到 2 分"
    )
    two = describe_links(links_by_hand(), GROUPS, I2_2014, next_step={**NEXT, "threshold": 400.0}, kind="mesh")
    assert two["best_reaching"] == 2  # the shortest of the three that reach 400 ha
    assert two["text"].endswith("3 of the 3 candidate links each reach 2 points on their own, this is the shortest")
    assert len(describe_links(links_by_hand(), GROUPS, I2_2014, next_step=NEXT, kind="mesh", top=2)["top"]) == 2


def test_no_single_link_reaches_and_the_top_band():
    higher = {"threshold": 626.0, "threshold_inclusive": True, "points_next": 2}
    summary = describe_links(links_by_hand(), GROUPS, I2_2014, next_step=higher, kind="mesh")
    assert summary["reaching_next_band"] == 0 and summary["best_reaching"] is None
    assert summary["text"].startswith("no single candidate link reaches 2 points; the best, joining groups 1 and 2")
    exclusive = {"threshold": 625.0, "threshold_inclusive": False, "points_next": 2}
    assert describe_links(links_by_hand(), GROUPS, I2_2014, next_step=exclusive, kind="mesh")["best_reaching"] is None
    top = describe_links(links_by_hand(), GROUPS, I2_2014, next_step=None, kind="mesh")
    assert top["reaching_next_band"] is None
    assert top["text"].startswith("the best candidate link, joining groups 1 and 2")
    assert describe_links([], GROUPS, I2_2014, next_step=NEXT, kind="mesh")["count"] == 0


def test_coherence_after_a_link_is_the_coherence_of_the_joined_groups():
    joined = MeshGroups.from_areas([700.0, 100.0], total_ha=800.0, mesh_denominator="natural")
    assert value_after_link(GROUPS, links_by_hand()[0], kind="coherence") == pytest.approx(coherence_percent(joined))


def test_the_scoring_stage_lists_the_links(tmp_path):
    groups_gpkg = tmp_path / "groups.gpkg"
    squares = [shapely.box(i * 1000, 0, i * 1000 + 100, 100) for i in range(3)]
    gpd.GeoDataFrame(
        {"group_id": list(AREAS), "area_ha": list(AREAS.values())}, geometry=squares, crs="EPSG:3035"
    ).to_file(groups_gpkg, layer="connectivity_groups")
    frame = gpd.GeoDataFrame(
        [link.__dict__ for link in links_by_hand()],
        geometry=[shapely.LineString([(0, 0), (1, 1)])] * 3,
        crs="EPSG:3035",
    ).drop(columns="crosses_barrier")
    frame.to_file(groups_gpkg, layer="candidate_links")
    table = tmp_path / "landcover_indicators.csv"
    rows = {"city_area": 4000.0, "natural_area": 800.0, "terrestrial_area": 4000.0, "I1": 20.0, "I2": 325.0}
    lines = ["city,year,indicator,value,unit,method"] + [f"x,2020,{k},{v!r},u,test" for k, v in rows.items()]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    score_city(
        city="x",
        tables=[str(table)],
        rule_set_path=str(SI_2014),
        figures_path=None,
        indicators_csv=str(tmp_path / "indicators.csv"),
        scorecard_json=str(tmp_path / "scorecard.json"),
        boundary_coverage_tolerance_percent=1.0,
        on_partial_coverage="hold",
        connectivity_groups=str(groups_gpkg),
    )
    scorecard = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    i2 = next(row for row in scorecard["indicators"] if row["id"] == "I2")["next_band"]
    assert i2["best_link"] == 1 and i2["links_reaching_next_band"] == 1
    assert i2["link_text"].startswith("joining groups 1 and 2 (400 ha and 300 ha), 1.5 km apart (link 1)")
    top = scorecard["candidate_links"]["top"]
    assert [(row["group_a"], row["group_b"], row["points_after"]) for row in top] == [(1, 2, 2), (1, 3, 1), (2, 3, 1)]
    assert top[0]["classes_crossed_zh"] == "建成区 100%" and top[0]["crosses_barrier"] is None
