"""A scenario's overlay and population changes through the overlay stage, on the tiny 10 × 10 raster of
tests/unit/overlays/test_overlays.py (1 ha cells; columns 0–3 natural, the rest built-up; ``cells(c0, r0, c1, r1)``).

Every value is computed by hand, and each scenario is also checked against the same stage run on a file that
already holds the changed polygons: the scenario path adds no second implementation of any indicator.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cbindex.core.errors import CBIInputError
from cbindex.landcover.scenarios import check_overlay_change
from cbindex.overlays.scenario_overlays import OverlayChange, overlay_changes, scenario_population
from tests.helpers import write_vector
from tests.unit.overlays.test_overlays import LAEA_EUROPE, cells, run_stage, tiny_city, to_crs, value

CATEGORY_RULES = {"protected_areas": {"category_column": "类型"}}


@pytest.fixture
def tiny(tmp_path):
    """The tiny raster and a city covering all of it (raster, city)."""
    return tiny_city(tmp_path)


def run_scenario(tmp_path, raster, city, *, changes, name="scenario", **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The overlay stage with a scenario's changes: its table and its changes rows (indexed by step)."""
    table = run_stage(
        tmp_path,
        raster,
        city,
        name=name,
        scenario_changes=changes,
        changes_csv=str(tmp_path / f"{name}_changes.csv"),
        **kwargs,
    )
    effects = pd.read_csv(tmp_path / f"{name}_changes.csv", keep_default_na=False).set_index("step")
    return table, effects


def same_values(scenario: pd.DataFrame, direct: pd.DataFrame) -> None:
    assert list(scenario.index) == list(direct.index)
    for indicator in direct.index:
        assert value(scenario, indicator) == pytest.approx(value(direct, indicator), rel=1e-12, abs=1e-12), indicator


@pytest.mark.parametrize("rule", ["centre", "exact"])
def test_added_protected_area_raises_i9_by_its_new_natural_area(tmp_path, tiny, rule):
    base = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE)  # 15 ha natural
    added = write_vector(tmp_path / "new.gpkg", [cells(2, 0, 6, 10)], crs=LAEA_EUROPE)  # 40 ha, 5 ha shared
    before = run_stage(tmp_path, *tiny, rule=rule, protected_areas=base, name="base")
    table, effects = run_scenario(
        tmp_path, *tiny, rule=rule, protected_areas=base, changes=[{"overlay": "protected_areas", "add": str(added)}]
    )
    # by hand: natural under the union = columns 0-3: 15 + (20 - 5) = 30 ha of a 100 ha city
    assert value(before, "I9") == pytest.approx(15.0, rel=1e-9)
    assert value(table, "I9") == pytest.approx(30.0, rel=1e-9)
    assert value(table, "protected_area") == pytest.approx(15.0 + 40.0 - 5.0, rel=1e-9)
    assert effects.loc[1, "area_changed_ha"] == pytest.approx(35.0, rel=1e-9)  # the union minus the base
    assert effects.loc[1, "note"] == "" and effects.loc[1, "cells_changed"] == ""
    union = write_vector(tmp_path / "union.gpkg", [cells(0, 0, 3, 5), cells(2, 0, 6, 10)], crs=LAEA_EUROPE)
    same_values(table, run_stage(tmp_path, *tiny, rule=rule, protected_areas=union, name="direct"))


def test_removed_polygons_leave_the_overlay(tmp_path, tiny):
    base = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE)
    removed = write_vector(tmp_path / "released.gpkg", [cells(0, 0, 1, 10)], crs=LAEA_EUROPE)  # 5 ha of it
    table, effects = run_scenario(
        tmp_path, *tiny, protected_areas=base, changes=[{"overlay": "protected_areas", "remove": str(removed)}]
    )
    assert value(table, "I9") == pytest.approx(10.0, rel=1e-9)
    assert effects.loc[1, "area_changed_ha"] == pytest.approx(5.0, rel=1e-9)
    left = write_vector(tmp_path / "left.gpkg", [cells(1, 0, 3, 5)], crs=LAEA_EUROPE)
    same_values(table, run_stage(tmp_path, *tiny, protected_areas=left, name="direct"))


def test_changes_apply_in_order_and_a_change_outside_the_city_says_so(tmp_path, tiny):
    redline = write_vector(tmp_path / "redline.gpkg", [cells(2, 0, 6, 10)], crs=LAEA_EUROPE)  # 40 ha
    removed = write_vector(tmp_path / "cut.gpkg", [cells(4, 0, 6, 10)], crs=LAEA_EUROPE)  # 20 ha
    added = write_vector(tmp_path / "back.gpkg", [cells(5, 0, 7, 10)], crs=LAEA_EUROPE)  # 20 ha, 10 removed before
    outside = write_vector(tmp_path / "far.gpkg", [cells(20, 0, 25, 10)], crs=LAEA_EUROPE)
    table, effects = run_scenario(
        tmp_path,
        *tiny,
        redline=redline,
        changes=[
            {"overlay": "redline", "remove": str(removed)},
            {"landcover": "ignored by the overlay stage", "to": 10},
            {"overlay": "redline", "add": str(added)},
            {"overlay": "redline", "add": str(outside)},
        ],
    )
    # columns 2-3 (20 ha natural), then 5-6 (20 ha built-up): 40 ha, half natural
    assert value(table, "redline_area") == pytest.approx(40.0, rel=1e-9)
    assert value(table, "redline_natural_share") == pytest.approx(50.0, rel=1e-9)
    assert list(effects.index) == [1, 3, 4]  # the land-cover change is the land-cover rule's
    assert effects.loc[1, "area_changed_ha"] == pytest.approx(20.0, rel=1e-9)
    assert effects.loc[3, "area_changed_ha"] == pytest.approx(20.0, rel=1e-9)
    assert effects.loc[4, "area_changed_ha"] == 0.0
    assert effects.loc[4, "note"] == "changed nothing inside the city"


def test_change_polygons_in_another_crs_change_the_same_area(tmp_path, tiny):
    base = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE)
    added = write_vector(tmp_path / "new.gpkg", to_crs([cells(2, 0, 6, 10)], "EPSG:4326"), crs="EPSG:4326")
    table, effects = run_scenario(
        tmp_path, *tiny, protected_areas=base, changes=[{"overlay": "protected_areas", "add": str(added)}]
    )
    assert value(table, "I9") == pytest.approx(30.0, rel=1e-6)
    assert effects.loc[1, "area_changed_ha"] == pytest.approx(35.0, rel=1e-6)


def test_parks_added_to_a_city_without_parks_and_a_new_population(tmp_path, tiny):
    parks = write_vector(tmp_path / "parks.gpkg", [cells(0, 0, 2, 10)], crs=LAEA_EUROPE)  # 20 ha natural
    table, effects = run_scenario(
        tmp_path,
        *tiny,
        population="50000",
        changes=[{"overlay": "parks", "add": str(parks)}, {"population": 80000}],
    )
    assert value(table, "population") == 80000
    assert value(table, "I13") == pytest.approx(20.0 / 80.0, rel=1e-9)
    assert effects.loc[2, "change"] == "population 80000 persons" and effects.loc[2, "note"] == ""
    same_values(table, run_stage(tmp_path, *tiny, parks=parks, population="80000", name="direct"))


def test_a_population_without_parks_changes_nothing_and_says_so(tmp_path, tiny):
    table, effects = run_scenario(tmp_path, *tiny, changes=[{"population": 80000}])
    assert "I13" not in table.index
    assert effects.loc[1, "note"] == "changed nothing: the city has no parks, so I13 is not computed"


def test_added_protected_areas_join_their_category_with_the_system_priority(tmp_path, tiny):
    base = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE, 类型=["省级自然保护区"])
    added = write_vector(tmp_path / "new.gpkg", [cells(0, 0, 4, 10)], crs=LAEA_EUROPE)
    for category, expected in (("forest_park", (15.0, 25.0)), ("national_park", (0.0, 40.0))):
        table, _ = run_scenario(
            tmp_path,
            *tiny,
            name=category,
            rules=CATEGORY_RULES,
            protected_areas=base,
            changes=[{"overlay": "protected_areas", "add": str(added), "category": category}],
        )
        reserve, other = expected  # a nature reserve keeps its land from a forest park, not from a national park
        assert value(table, "protected_area_nature_reserve") == pytest.approx(reserve, abs=1e-9)
        assert value(table, f"protected_area_{category}") == pytest.approx(other, rel=1e-9)
        assert value(table, "protected_area") == pytest.approx(40.0, rel=1e-9)
        both = write_vector(
            tmp_path / f"both_{category}.gpkg",
            [cells(0, 0, 3, 5), cells(0, 0, 4, 10)],
            crs=LAEA_EUROPE,
            类型=["省级自然保护区", {"forest_park": "森林公园", "national_park": "国家公园"}[category]],
        )
        direct = run_stage(tmp_path, *tiny, rules=CATEGORY_RULES, protected_areas=both, name=f"direct_{category}")
        for indicator in ("protected_area", "I9", f"protected_area_{category}"):
            assert value(table, indicator) == pytest.approx(value(direct, indicator), rel=1e-12)


def test_a_category_is_needed_exactly_when_the_protected_areas_have_one(tmp_path, tiny):
    base = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE, 类型=["省级自然保护区"])
    added = write_vector(tmp_path / "new.gpkg", [cells(0, 0, 4, 10)], crs=LAEA_EUROPE)
    with pytest.raises(CBIInputError, match=r"adds .*new\.gpkg to protected areas that have categories.*category"):
        run_scenario(
            tmp_path,
            *tiny,
            rules=CATEGORY_RULES,
            protected_areas=base,
            changes=[{"overlay": "protected_areas", "add": str(added)}],
        )
    with pytest.raises(CBIInputError, match="no category column.*remove the category"):
        run_scenario(
            tmp_path,
            *tiny,
            protected_areas=base,
            changes=[{"overlay": "protected_areas", "add": str(added), "category": "forest_park"}],
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"overlay": "wetlands", "add": "w.gpkg"},
            "overlay 'wetlands' is not an overlay of the city sheet; use one of",
        ),
        ({"overlay": "parks", "add": "p.gpkg", "category": "forest_park"}, "give a category only when adding"),
        ({"overlay": "protected_areas", "remove": "p.gpkg", "category": "forest_park"}, "removing from"),
        ({"overlay": "protected_areas", "add": "p.gpkg", "category": "city park"}, "names no category"),
    ],
)
def test_bad_overlay_changes_fail_with_one_sentence(change, message):
    with pytest.raises(CBIInputError, match=message) as error:
        check_overlay_change(change, kinds=["protected_areas", "redline", "parks"], origin="Scenarios file s.yaml")
    assert str(error.value).count(". ") == 0 and str(error.value).startswith("Scenarios file s.yaml")


def test_changes_are_numbered_among_all_the_scenarios_changes():
    changes = [
        {"restore": "tree_canopy", "since_year": 2016},
        {"overlay": "redline", "add": "a.gpkg"},
        {"population": 1000},
        {"overlay": "protected_areas", "remove": "b.gpkg", "datum": "gcj02"},
        {"population": 2000},
    ]
    assert overlay_changes(changes) == [
        OverlayChange(step=2, kind="redline", action="add", path="a.gpkg"),
        OverlayChange(step=4, kind="protected_areas", action="remove", path="b.gpkg", datum="gcj02"),
    ]
    assert scenario_population(changes) == (5, 2000.0)  # the last one given
    assert scenario_population(changes[:2]) is None


def test_removing_from_an_overlay_the_city_does_not_give_changes_nothing(tmp_path, tiny):
    removed = write_vector(tmp_path / "cut.gpkg", [cells(0, 0, 5, 5)], crs=LAEA_EUROPE)
    table, effects = run_scenario(
        tmp_path, *tiny, population="50000", changes=[{"overlay": "parks", "remove": str(removed)}]
    )
    assert "I13" not in table.index and "park_natural_area" not in table.index  # not assessed, never 0
    assert effects.loc[1, "note"] == "changed nothing inside the city"
