"""I2's advice in natural area: closed forms checked on hand numbers and by re-computing MESH from the changed group
areas; the texts of the scorecard; the scoring stage reading a groups file."""

import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cbindex.core.errors import CBIDefectError
from cbindex.scoring.connectivity_advice import (
    MeshGroups,
    area_to_reach_coherence,
    area_to_reach_mesh,
    coherence_after_adding,
    coherence_percent,
    describe_i2_advice,
    describe_i2_effect,
    mesh_after_adding,
    mesh_after_joining,
    mesh_ha,
    smallest_root_from,
)
from cbindex.scoring.next_band import describe_next_band
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.stage import score_city
from tests.helpers import REPO

SI_2014 = REPO / "config/scoring/si-2014.yaml"
SI_2021 = REPO / "config/scoring/si-2021.yaml"
I2_2014 = load_rule_set(SI_2014).indicators["I2"]
I2_2021 = load_rule_set(SI_2021).indicators["I2"]


def natural(*areas):
    """Groups whose A_total is their natural area (config mesh_denominator natural)."""
    return MeshGroups.from_areas(list(areas), total_ha=sum(areas), mesh_denominator="natural")


def mesh_of(areas, total):
    """MESH re-computed from scratch from a list of group areas: Σ A² ÷ A_total."""
    return sum(area * area for area in areas) / total


# ----------------------------------------------------------------------------------------- closed forms


def test_groups_3_2_1_hectares_by_hand():
    groups = natural(1.0, 3.0, 2.0)  # any order: ranked largest first
    assert groups.areas_ha == (3.0, 2.0, 1.0)
    assert mesh_ha(groups) == pytest.approx(14 / 6)  # S = 9 + 4 + 1 = 14, A_total = 6
    # to reach 3 ha with the largest group: ΔA² + (2·3 − 3)·ΔA + (14 − 3·6) = ΔA² + 3ΔA − 4 = (ΔA + 4)(ΔA − 1)
    assert area_to_reach_mesh(groups, 3.0) == pytest.approx(1.0, abs=1e-12)
    assert mesh_of([4, 2, 1], 7) == 3.0  # the check by hand: (16 + 4 + 1) ÷ 7
    # 3.25 ha with the second group: ΔA² + (4 − 3.25)·ΔA + (14 − 19.5) = 0 has the root 2: (9 + 16 + 1) ÷ 8 = 3.25
    assert area_to_reach_mesh(groups, 3.25, to_group=1) == pytest.approx(2.0, abs=1e-12)
    # the largest group needs less for the same target: ΔA² + 2.75ΔA − 5.5 = 0
    assert area_to_reach_mesh(groups, 3.25) == pytest.approx((-2.75 + math.sqrt(2.75**2 + 22)) / 2, abs=1e-12)
    assert area_to_reach_mesh(groups, 3.25) < 2.0
    # isolated: (14 + 1) ÷ 7 lowers MESH (ΔA = 1 < MESH); (14 + 9) ÷ 9 raises it (ΔA = 3 > MESH = 2.33)
    assert mesh_after_adding(groups, 1.0, to_group=None) == pytest.approx(15 / 7)
    assert mesh_after_adding(groups, 3.0, to_group=None) == pytest.approx(23 / 9)
    # joining the two largest adds 2·3·2 to S: (14 + 12) ÷ 6 = (5² + 1²) ÷ 6
    assert mesh_after_joining(groups, 0, 1) == pytest.approx(26 / 6) == mesh_of([5, 1], 6)


def test_city_area_denominator_does_not_grow():
    groups = MeshGroups.from_areas([3.0, 2.0, 1.0], total_ha=10.0, mesh_denominator="landscape")
    assert mesh_ha(groups) == pytest.approx(1.4)
    # ΔA² + 2·3·ΔA + (14 − 2.1·10) = ΔA² + 6ΔA − 7 = (ΔA + 7)(ΔA − 1): (16 + 4 + 1) ÷ 10 = 2.1
    assert area_to_reach_mesh(groups, 2.1) == pytest.approx(1.0, abs=1e-12)
    assert mesh_after_adding(groups, 1.0, to_group=0) == pytest.approx(2.1)
    assert mesh_after_adding(groups, 1.0, to_group=None) == pytest.approx(1.5)  # (14 + 1) ÷ 10: raises it


def test_coherence_by_hand():
    groups = natural(3.0, 2.0, 1.0)
    assert coherence_percent(groups) == pytest.approx(14 / 36 * 100)
    # 50 %: 0.5·ΔA² + 2·(3 − 0.5·6)·ΔA + (14 − 0.5·36) = 0.5ΔA² − 4 → ΔA = √8
    assert area_to_reach_coherence(groups, 50.0) == pytest.approx(math.sqrt(8), abs=1e-12)
    assert coherence_after_adding(groups, math.sqrt(8), to_group=0) == pytest.approx(50.0, abs=1e-9)
    # 100 % needs one single group: no area added to a group of three does it
    assert area_to_reach_coherence(groups, 100.0) == math.inf
    assert area_to_reach_coherence(natural(5.0), 100.0) == 0.0


def test_reached_targets_and_missing_groups():
    groups = natural(3.0, 2.0, 1.0)
    assert area_to_reach_mesh(groups, 2.0) == 0.0  # MESH 2.33 already reaches 2
    assert area_to_reach_mesh(natural(4.0), 5.0, to_group=1) is None  # one group has no second
    with pytest.raises(ValueError, match="rank 3"):
        mesh_after_adding(groups, 1.0, to_group=3)
    with pytest.raises(ValueError, match="mesh_denominator"):
        MeshGroups.from_areas([1.0], total_ha=1.0, mesh_denominator="city")


@pytest.mark.parametrize("denominator", ["natural", "landscape"])
@pytest.mark.parametrize("seed", range(6))
def test_recomputed_mesh_equals_the_target(seed, denominator):
    """Adding ΔA to the group and re-computing MESH from the changed areas gives the target within 1e-9, the
    closed form with ΔA never falls short of it (floating point included), and any less area falls short. Areas
    from 0.01 ha to 50,000 ha, so that a cancelling root formula would show."""
    rng = np.random.default_rng(seed)
    areas = list(np.exp(rng.uniform(np.log(0.01), np.log(50_000), size=int(rng.integers(2, 40)))))
    total = sum(areas) * (1.0 if denominator == "natural" else rng.uniform(1.5, 20))
    groups = MeshGroups.from_areas(areas, total_ha=total, mesh_denominator=denominator)
    grows = denominator == "natural"
    for rank in (0, 1):
        for factor in (1.0001, 1.5, 3.0):
            target = mesh_ha(groups) * factor
            added = area_to_reach_mesh(groups, target, to_group=rank)
            assert mesh_after_adding(groups, added, to_group=rank) >= target  # sufficient, rounding included
            changed = list(groups.areas_ha)
            changed[rank] += added
            assert mesh_of(changed, total + grows * added) == pytest.approx(target, rel=1e-9, abs=1e-9)
            changed[rank] -= added * 1e-6
            assert mesh_of(changed, total + grows * added * (1 - 1e-6)) < target


def test_smallest_root_without_cancellation():
    # x² + 1e8·x − 1 = 0: the naive (−b + √(b² + 4)) ÷ 2 loses every digit; the root is 1e-8 to 1e-16
    assert smallest_root_from(1.0, 1e8, -1.0) == pytest.approx(1e-8, rel=1e-12)
    assert smallest_root_from(1.0, -3.0, -4.0) == pytest.approx(4.0)  # (x − 4)(x + 1)
    assert smallest_root_from(0.0, 2.0, -4.0) == 2.0
    assert smallest_root_from(1.0, -3.0, 1.0) == 0.0  # already non-negative at 0
    assert smallest_root_from(-1.0, 1.0, -1.0) == math.inf


# ----------------------------------------------------------------------------------------- texts


def advice(groups, rule, value, non_natural_ha):
    return describe_i2_advice(
        groups,
        rule,
        value,
        next_step=describe_next_band(rule, value),
        kind="mesh" if rule.unit == "ha" else "coherence",
        non_natural_ha=non_natural_ha,
    )


def test_i2_advice_texts_in_both_languages():
    groups = natural(300.0, 200.0, 100.0)  # S = 140,000, A_total = 600 ha, MESH = 233.3 ha (1 point)
    value = mesh_ha(groups)
    found = advice(groups, I2_2014, value, non_natural_ha=1400.0)
    # to 501 ha: ΔA² + 99ΔA − 160,600 = 0 → 354.29 ha, printed 355 (3 significant digits, rounded up)
    largest = (-99 + math.sqrt(99**2 + 4 * 160_600)) / 2
    assert found["area_to_largest_group_ha"] == pytest.approx(largest) == pytest.approx(354.2948, abs=1e-4)
    assert found["area_change_ha"] == found["area_to_largest_group_ha"]
    # second group: ΔA² − 101ΔA − 160,600 = 0 → 454.42 ha, printed 455
    assert found["area_to_second_group_ha"] == pytest.approx((101 + math.sqrt(101**2 + 4 * 160_600)) / 2)
    # isolated: (140,000 + 354.29²) ÷ 954.29 = 278.2 ha, more than MESH (ΔA > MESH) but still 1 point
    assert found["isolated_patch_mesh_ha"] == pytest.approx((140_000 + largest**2) / (600 + largest))
    assert found["isolated_patch_value"] == found["isolated_patch_mesh_ha"]
    assert (found["largest_group_ha"], found["second_group_ha"]) == (300.0, 200.0)
    assert found["reachable_by_adding_natural_area"] is True
    assert found["area_text"] == (
        "add 355 ha of natural area to the largest group (300 ha) to reach 2 points; the same area as an isolated "
        "patch would raise I2 to 278 ha (1 point)"
    )
    assert found["area_text_zh"] == (
        "在最大组团（300 公顷）上增加自然区域 355 公顷可达到 2 分；同样面积若为孤立斑块，I2 将升至 278 公顷（1 分）"
    )
    assert found["connectivity_text"] == "or add 455 ha to the second-largest group (200 ha)"
    assert found["connectivity_text_zh"] == "或在第二大组团（200 公顷）上增加 455 公顷"


def test_i2_advice_says_when_the_city_has_no_room():
    found = advice(natural(300.0, 200.0, 100.0), I2_2014, 140_000 / 600, non_natural_ha=300.0)
    assert found["reachable_by_adding_natural_area"] is False
    assert found["area_text"] == (
        "adding natural area alone cannot reach 2 points: the largest group (300 ha) would need 355 ha more, but "
        "only 300 ha of the city is not natural; join groups (close the gaps between them) instead"
    )
    assert found["area_text_zh"].startswith("仅增加自然区域无法达到 2 分：最大组团（300 公顷）需增加 355 公顷")


def test_exclusive_band_end_and_a_single_group():
    # one group of 1,400 ha: MESH = 1,400 ha (3 points); the 4-point band starts after 1,500 ha (exclusive), so
    # exactly +100 ha is not enough and the text asks for 101
    groups = natural(1400.0)
    found = advice(groups, I2_2014, 1400.0, non_natural_ha=5000.0)
    assert found["area_to_largest_group_ha"] == pytest.approx(100.0)
    assert found["area_text"].startswith("add 101 ha of natural area to the largest group (1,400 ha) to reach 4 points")
    assert found["area_text"].endswith("would lower I2 to 1,313 ha (3 points)")  # (1,400² + 100²) ÷ 1,500
    assert found["area_to_second_group_ha"] is None and found["connectivity_text"] is None


def test_top_band_gets_no_advice():
    assert advice(natural(2000.0), I2_2014, 2000.0, non_natural_ha=100.0) == {}


def test_2021_coherence_advice():
    groups = natural(300.0, 200.0, 100.0)  # coherence 38.9 % (1 point), 2 points from 40 %
    found = advice(groups, I2_2021, coherence_percent(groups), non_natural_ha=1400.0)
    added = found["area_to_largest_group_ha"]
    assert coherence_after_adding(groups, added, to_group=0) == pytest.approx(40.0, abs=1e-9)
    assert found["isolated_patch_value"] == pytest.approx(coherence_after_adding(groups, added, to_group=None))
    assert found["isolated_patch_value"] < coherence_percent(groups)
    assert found["area_text"].endswith(
        "to reach 2 points; the same area as an isolated patch would lower I2 to "
        f"{found['isolated_patch_value']:.1f} % (1 point)"
    )


def test_i1_hectares_named_by_their_effect_on_i2():
    groups = natural(300.0, 200.0, 100.0)
    found = describe_i2_effect(groups, I2_2014, mesh_ha(groups), added_ha=100.0, kind="mesh")
    # joined: (400² + 200² + 100²) ÷ 700 = 300 ha; isolated: (140,000 + 100²) ÷ 700 = 214.3 ha
    assert found["i2_if_added_to_largest_group"] == pytest.approx(300.0)
    assert found["i2_if_isolated_patch"] == pytest.approx(150_000 / 700)
    assert (found["i2_points_if_added_to_largest_group"], found["i2_points_if_isolated_patch"]) == (1, 1)
    assert found["connectivity_text"] == (
        "these 100 ha added to the largest group (300 ha) would raise I2 to 300 ha (1 point); as an isolated patch "
        "they would lower I2 to 214 ha (1 point)"
    )
    assert found["connectivity_text_zh"] == (
        "这 100 公顷若并入最大组团（300 公顷），I2 将升至 300 公顷（1 分）；若为孤立斑块，I2 将降至 214 公顷（1 分）"
    )
    assert describe_i2_effect(groups, I2_2014, mesh_ha(groups), added_ha=0.0, kind="mesh") == {}


# ----------------------------------------------------------------------------------------- the scoring stage


def write_groups(path, areas_ha):
    """A connectivity_groups.gpkg as the land-cover rule writes it (the scoring reads area_ha only)."""
    frame = gpd.GeoDataFrame(
        {"group_id": np.arange(1, len(areas_ha) + 1), "area_ha": areas_ha},
        geometry=[shapely.box(i * 10, 0, i * 10 + 1, 1) for i in range(len(areas_ha))],
        crs="EPSG:32648",
    )
    frame.to_file(path, layer="connectivity_groups")
    return str(path)


def stage(tmp_path, *, groups_areas, mesh, rule_set=SI_2014, mesh_denominator="natural"):
    """A city of 4,000 ha with 600 ha natural (I1 15 %: 3 points, 4 from more than 20 %, i.e. +200 ha, printed 201),
    scored with a groups file."""
    table = tmp_path / "landcover_indicators.csv"
    rows = {
        "city_area": 4000.0,
        "natural_area": 600.0,
        "terrestrial_area": 4000.0,
        "I1": 15.0,
        "I2": mesh,
        "I2_coherence": 140_000 / 360_000 * 100,
        "I11": 50.0,
        "I12": 10.0,
    }
    lines = ["city,year,indicator,value,unit,method"] + [f"x,2020,{k},{v!r},u,test" for k, v in rows.items()]
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    score_city(
        city="x",
        tables=[str(table)],
        rule_set_path=str(rule_set),
        figures_path=None,
        indicators_csv=str(tmp_path / "indicators.csv"),
        scorecard_json=str(tmp_path / "scorecard.json"),
        boundary_coverage_tolerance_percent=1.0,
        on_partial_coverage="hold",
        connectivity_groups=write_groups(tmp_path / "groups.gpkg", groups_areas),
        mesh_denominator=mesh_denominator,
    )
    scorecard = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    return {row["id"]: row for row in scorecard["indicators"]}


def test_scoring_stage_reads_the_groups(tmp_path):
    rows = stage(tmp_path, groups_areas=[100.0, 300.0, 200.0], mesh=140_000 / 600)
    i2, i1 = rows["I2"]["next_band"], rows["I1"]["next_band"]
    assert i2["area_to_largest_group_ha"] == pytest.approx(354.2948, abs=1e-4)
    assert i2["non_natural_area_ha"] == 3400.0
    assert i2["area_text"].startswith("add 355 ha of natural area to the largest group (300 ha) to reach 2 points")
    assert i2["connectivity_text"] == "or add 455 ha to the second-largest group (200 ha)"
    # I1: +5 percentage points of 4,000 ha, more than 200 ha: 201 ha; joined (501² + 200² + 100²) ÷ 801 = 375.8 ha,
    # isolated (140,000 + 201²) ÷ 801 = 225.2 ha
    assert i1["area_text"] == "+201 ha of natural area"
    assert i1["i2_effect_area_ha"] == 201.0
    assert i1["i2_if_added_to_largest_group"] == pytest.approx((501**2 + 200**2 + 100**2) / 801)
    assert i1["connectivity_text"] == (
        "these 201 ha added to the largest group (300 ha) would raise I2 to 376 ha (1 point); as an isolated patch "
        "they would lower I2 to 225 ha (1 point)"
    )
    assert i1["connectivity_text_zh"].startswith("这 201 公顷若并入最大组团（300 公顷），I2 将升至 376 公顷（1 分）")
    # the table's next step stays the I2 change in its own unit
    assert "+268 ha to reach 2 points (501–1,000 ha)" in (tmp_path / "indicators.csv").read_text(encoding="utf-8")


def test_scoring_stage_with_the_2021_coherence(tmp_path):
    rows = stage(tmp_path, groups_areas=[100.0, 300.0, 200.0], mesh=140_000 / 600, rule_set=SI_2021)
    i2, i1 = rows["I2"]["next_band"], rows["I1"]["next_band"]
    groups = natural(300.0, 200.0, 100.0)
    assert coherence_after_adding(groups, i2["area_to_largest_group_ha"], to_group=0) == pytest.approx(40.0)
    assert i2["area_text"].startswith("add ") and " % (1 point)" in i2["area_text"]
    # I1's 201 ha: joined (501² + 200² + 100²) ÷ 801² = 46.9 %, isolated (140,000 + 201²) ÷ 801² = 28.1 %
    assert i1["connectivity_text"] == (
        "these 201 ha added to the largest group (300 ha) would raise I2 to 46.9 % (2 points); as an isolated "
        "patch they would lower I2 to 28.1 % (1 point)"
    )


def test_scoring_stage_with_the_city_area_denominator(tmp_path):
    rows = stage(tmp_path, groups_areas=[300.0, 200.0, 100.0], mesh=140_000 / 4000, mesh_denominator="landscape")
    added = rows["I2"]["next_band"]["area_to_largest_group_ha"]
    # 200 ha (1 point) from 35 ha: ΔA² + 600ΔA + (140,000 − 200·4,000) = 0, A_total stays 4,000 ha
    assert added == pytest.approx(-300 + math.sqrt(300**2 + 660_000))
    assert mesh_of([300 + added, 200, 100], 4000) == pytest.approx(200.0, abs=1e-9)


def test_groups_of_another_year_are_a_defect(tmp_path):
    with pytest.raises(CBIDefectError, match="not the latest year's"):
        stage(tmp_path, groups_areas=[300.0, 200.0], mesh=140_000 / 600)
    with pytest.raises(CBIDefectError, match="not the latest year's"):
        stage(tmp_path, groups_areas=[], mesh=140_000 / 600)  # an empty layer for a year with natural area


def test_no_natural_area_gets_no_advice(tmp_path):
    rows = stage(tmp_path, groups_areas=[], mesh=float("nan"))  # I2 not assessed: nothing to connect
    assert rows["I2"]["status"] == "not_assessed" and rows["I2"]["next_band"] is None
    assert "connectivity_text" not in rows["I1"]["next_band"]
