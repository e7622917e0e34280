"""What-if scenarios of a land-use city on hand polygons: the change polygons cut the survey polygons exactly.

The layer is in ETRS89 LAEA Europe (EPSG:3035) at its own centre, an equal-area projection, so that areas are those
drawn here (the exact areas are measured in the ``auto`` equal-area CRS centred on the city, which differs from it
by far less than the tolerances below)::

    y = 1000  +----------------+----------------+
              |  forest 0301   |  dry land 0103 |     the city is the whole 2 km x 1 km rectangle:
              |  (natural,     |  (cropland)    |     forest 100 ha, dry land 100 ha, I1 = 50 %
              |  tree canopy)  |                |
    y = 0     +----------------+----------------+
            x = 0           x = 1000         x = 2000 (metres from X0, Y0)
"""

from dataclasses import asdict

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from cbindex.core.errors import CBIInputError
from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import BoundarySpec, read_city_boundary
from cbindex.geo.legends import load_legend
from cbindex.landcover.landuse_polygons import (
    TEXT_COLUMN,
    LandUsePolygons,
    LandUseSpec,
    exact_class_areas,
    landuse_code,
    read_landuse_polygons,
)
from cbindex.landcover.landuse_scenarios import (
    apply_city_landuse_scenario,
    apply_landuse_scenario,
    legend_text_code,
)
from cbindex.landcover.scenarios import Scenario
from cbindex.landcover.stage import LandUseOutputs, compute_landcover_indicators, rasterize_landcover_vector
from tests.helpers import REPO, write_vector

GBT = load_legend(REPO / "config" / "legends" / "gbt21010_2017.yaml")
LAEA = "EPSG:3035"
X0, Y0 = 4_321_000, 3_210_000
"""The false origin of EPSG:3035 (10° E, 52° N): the projection's centre."""
FOREST, DRY_LAND, BUILT, GRASS = 301, 103, 701, 404


def box(x0, x1, y0=0, y1=1000):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def city_path(tmp_path):
    return str(write_vector(tmp_path / "city.gpkg", [box(0, 2000)], crs=LAEA))


@pytest.fixture
def city(city_path):
    return read_city_boundary(city_path)


@pytest.fixture
def layer_path(tmp_path):
    return str(write_vector(tmp_path / "survey.gpkg", [box(0, 1000), box(1000, 2000)], crs=LAEA, DLBM=["0301", "0103"]))


def read(path):
    return read_landuse_polygons(LandUseSpec(str(path), "DLBM"), legend=GBT, keep_text=True)


def change_file(tmp_path, name, geometries, crs=LAEA):
    return str(write_vector(tmp_path / f"{name}.gpkg", geometries, crs=crs))


def run(layer_path, city, changes, *, since=None):
    scenario = Scenario(name="s", base_year=2020, changes=tuple(changes))
    return apply_landuse_scenario(scenario, base=read(layer_path), since=since or {}, boundary=city, legend=GBT)


def areas_ha(frame, city) -> dict[int, float]:
    """Each code's exact area in the city (ha), as the year rule measures it."""
    polygons = LandUsePolygons(
        frame=frame, path="scenario", n_features=len(frame), n_repaired=0, n_overlapping=0, overlap_area_ha=0
    )
    table = exact_class_areas(polygons, boundary=city, legend=GBT)
    return dict(zip(table["code"], table["area_ha"], strict=True))


def i1(areas: dict[int, float]) -> float:
    natural = sum(area for code, area in areas.items() if code in GBT.codes_in("natural"))
    return natural / sum(areas.values()) * 100


def test_half_the_dry_land_turned_to_forest_raises_i1_by_exactly_that_half(tmp_path, layer_path, city):
    half = change_file(tmp_path, "half", [box(1000, 1500)])
    frame, effects = run(layer_path, city, [{"landcover": half, "to": FOREST}])
    # the dry land is cut in two pieces: its west half (50 ha) becomes forest, its east half stays dry land
    assert frame[TEXT_COLUMN].tolist() == ["0301", "0103", "0301"]
    assert frame["code"].tolist() == [FOREST, DRY_LAND, FOREST]
    assert shapely.equals(frame.geometry.iloc[1], box(1500, 2000)) and shapely.equals(
        frame.geometry.iloc[2], box(1000, 1500)
    )
    assert effects.loc[0, "polygons_changed"] == 1 and effects.loc[0, "note"] == ""
    assert effects.loc[0, "area_changed_ha"] == pytest.approx(50.0, rel=1e-6)
    before, after = areas_ha(read(layer_path).frame, city), areas_ha(frame, city)
    assert before == pytest.approx({FOREST: 100.0, DRY_LAND: 100.0}, rel=1e-6)
    assert after == pytest.approx({FOREST: 150.0, DRY_LAND: 50.0}, rel=1e-6)
    # I1 = natural / city area x 100 rises by exactly the half's area over the city area (both measured in the one
    # equal-area CRS): 100/200 -> 150/200, 50 ha / 200 ha = 25 percentage points
    half_ha, city_ha = effects.loc[0, "area_changed_ha"], sum(after.values())
    assert after[FOREST] - before[FOREST] == pytest.approx(half_ha, rel=1e-9)
    assert i1(after) - i1(before) == pytest.approx(100 * half_ha / city_ha, rel=1e-9)
    assert i1(after) - i1(before) == pytest.approx(25.0, rel=1e-6)


def test_from_limits_the_change_to_the_given_codes(tmp_path, layer_path, city):
    across = change_file(tmp_path, "across", [box(500, 1500)])
    frame, effects = run(layer_path, city, [{"landcover": across, "to": BUILT, "from": [DRY_LAND]}])
    assert areas_ha(frame, city) == pytest.approx({FOREST: 100.0, DRY_LAND: 50.0, BUILT: 50.0}, rel=1e-6)
    assert effects.loc[0, "area_changed_ha"] == pytest.approx(50.0, rel=1e-6)
    frame, effects = run(layer_path, city, [{"landcover": across, "to": BUILT}])
    assert areas_ha(frame, city) == pytest.approx({FOREST: 50.0, DRY_LAND: 50.0, BUILT: 100.0}, rel=1e-6)
    assert effects.loc[0, "polygons_changed"] == 2


def test_a_polygon_outside_the_city_changes_nothing_and_says_so(tmp_path, layer_path, city):
    outside = change_file(tmp_path, "outside", [box(5000, 6000)])
    frame, effects = run(layer_path, city, [{"landcover": outside, "to": BUILT}])
    assert effects.loc[0, "polygons_changed"] == 0 and effects.loc[0, "area_changed_ha"] == 0
    assert effects.loc[0, "note"] == "changed nothing inside the city"
    assert frame["code"].tolist() == [FOREST, DRY_LAND]


def test_change_polygons_in_another_crs_give_the_same_areas(tmp_path, layer_path, city):
    to_wgs84 = Transformer.from_crs(LAEA, "EPSG:4326", always_xy=True)
    half = box(1000, 1500)
    in_degrees = shapely.transform(half, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
    projected = run(layer_path, city, [{"landcover": change_file(tmp_path, "p", [half]), "to": FOREST}])
    geographic = run(
        layer_path, city, [{"landcover": change_file(tmp_path, "g", [in_degrees], crs="EPSG:4326"), "to": FOREST}]
    )
    assert geographic[1].loc[0, "area_changed_ha"] == pytest.approx(projected[1].loc[0, "area_changed_ha"], rel=1e-6)
    assert areas_ha(geographic[0], city) == pytest.approx(areas_ha(projected[0], city), rel=1e-6)


def test_a_code_the_legend_does_not_define_names_the_code_and_the_legend(tmp_path, layer_path, city):
    half = change_file(tmp_path, "half", [box(1000, 1500)])
    with pytest.raises(CBIInputError, match=r"class code 9999 is not in legend .*gbt21010_2017\.yaml"):
        run(layer_path, city, [{"landcover": half, "to": 9999}])
    with pytest.raises(CBIInputError, match=r"class code 42 is not in legend"):
        run(layer_path, city, [{"landcover": half, "to": FOREST, "from": [42]}])


def test_restore_gives_the_parts_lost_since_a_year_their_class_back(tmp_path, layer_path, city):
    """2016: forest over x 0-1500 (0301), other grassland over x 1500-2000 (0404); 2020: the layer above. The dry
    land's west half was forest in 2016 and gets 0301 back; its east half was grassland (not tree canopy) and stays."""
    earlier = write_vector(tmp_path / "y2016.gpkg", [box(0, 1500), box(1500, 2000)], crs=LAEA, DLBM=["0301", "0404"])
    since = {2016: read(earlier)}
    frame, effects = run(layer_path, city, [{"restore": "tree_canopy", "since_year": 2016}], since=since)
    assert areas_ha(frame, city) == pytest.approx({FOREST: 150.0, DRY_LAND: 50.0}, rel=1e-6)
    assert effects.loc[0, "polygons_changed"] == 1
    assert effects.loc[0, "area_changed_ha"] == pytest.approx(50.0, rel=1e-6)
    # natural also restores the grassland, the since year's own code
    frame, effects = run(layer_path, city, [{"restore": "natural", "since_year": 2016}], since=since)
    assert areas_ha(frame, city) == pytest.approx({FOREST: 150.0, GRASS: 50.0}, rel=1e-6)
    assert set(frame[TEXT_COLUMN]) == {"0301", "0404"}


def test_changes_apply_in_order(tmp_path, layer_path, city):
    half = change_file(tmp_path, "half", [box(1000, 1500)])
    everything = change_file(tmp_path, "all", [box(0, 2000)])
    frame, effects = run(
        layer_path, city, [{"landcover": half, "to": FOREST}, {"landcover": everything, "to": BUILT, "from": [FOREST]}]
    )
    assert areas_ha(frame, city) == pytest.approx({BUILT: 150.0, DRY_LAND: 50.0}, rel=1e-6)
    assert effects["area_changed_ha"].tolist() == pytest.approx([50.0, 150.0], rel=1e-6)


def test_every_legend_code_written_as_text_reads_back_as_itself():
    aliases = {text: code for code, c in GBT.classes.items() for text in c.vector_codes}
    for code in GBT.classes:
        assert landuse_code(legend_text_code(code, legend=GBT), aliases=aliases) == code


def indicators(tmp_path, name, layer, city_path) -> pd.Series:
    """The year rules' own library calls: rasterize the layer, then compute the land-cover table."""
    folder = tmp_path / name
    folder.mkdir()
    outputs = LandUseOutputs(str(folder / "class_areas.csv"), str(folder / "check.csv"))
    rasterize_landcover_vector(
        city="c",
        year=2020,
        landuse=LandUseSpec(str(layer), "DLBM"),
        boundary=BoundarySpec(city_path),
        legend_path=str(GBT.path),
        cell_size_m=10,
        raster_tif=str(folder / "raster.tif"),
        class_areas_csv=outputs.class_areas_csv,
        check_csv=outputs.check_csv,
        block_rows=7,
    )
    compute_landcover_indicators(
        indicators_csv=str(folder / "indicators.csv"),
        natural_mask_tif=str(folder / "natural.tif"),
        groups_gpkg=str(folder / "groups.gpkg"),
        equal_area_crs="auto",
        boundary_coverage_tolerance_percent=1.0,
        landuse=outputs,
        city="c",
        year=2020,
        raster_path=str(folder / "raster.tif"),
        boundary=BoundarySpec(city_path),
        legend_path=str(GBT.path),
        method=asdict(LandcoverMethod(gap_distance_m=100)),
        block_rows=7,
    )
    return pd.read_csv(folder / "indicators.csv", encoding="utf-8-sig").set_index("indicator")["value"]


def test_a_scenario_that_changes_nothing_gives_the_base_years_table(tmp_path, layer_path, city_path):
    """The scenario's layer goes through the year's own rasterization and land-cover computation: with no effective
    change its I1, I11, I12 and I2 are the base year's."""
    outside = change_file(tmp_path, "outside", [box(5000, 6000)])
    scenario = Scenario(name="s", base_year=2020, changes=({"landcover": outside, "to": BUILT},))
    out = tmp_path / "scenario" / "landuse.gpkg"
    out.parent.mkdir()
    apply_city_landuse_scenario(
        scenario=scenario.as_params(),
        years=[2020],
        year_layers=[layer_path],
        landuse_spec={"code_column": "DLBM"},
        boundary=BoundarySpec(city_path),
        legend_path=str(GBT.path),
        landuse_gpkg=str(out),
        changes_csv=str(tmp_path / "scenario" / "changes.csv"),
    )
    written = gpd.read_file(out)
    assert written["DLBM"].tolist() == ["0301", "0103"]
    base, same = indicators(tmp_path, "base", layer_path, city_path), indicators(tmp_path, "same", out, city_path)
    for name in ("I1", "I11", "I12", "I2"):
        assert same[name] == pytest.approx(base[name], rel=1e-9, abs=1e-9), name
    assert base["I1"] == pytest.approx(50.0, rel=1e-6)


def test_overlay_and_population_changes_are_left_to_the_overlay_rule(tmp_path, layer_path, city):
    half = change_file(tmp_path, "half", [box(1000, 1500)])
    frame, effects = run(layer_path, city, [{"population": 1000}, {"landcover": half, "to": FOREST}])
    assert effects["step"].tolist() == [2]  # its position among all the scenario's changes
    assert areas_ha(frame, city) == pytest.approx({FOREST: 150.0, DRY_LAND: 50.0}, rel=1e-6)
