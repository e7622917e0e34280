"""What-if scenarios on hand rasters: a polygon closing a 3-cell gap joins two groups and changes I2 by exactly
what the groups' areas say; developing a forest patch lowers I1 by exactly its area; a polygon outside the city
changes nothing and says so; polygons in another CRS; restoring lost tree cover; bad codes and years."""

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
import yaml
from affine import Affine

from cbindex.core.errors import CBIInputError
from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import GDAL_CACHE_MB
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.scenarios import Scenario, apply_scenario, read_scenarios
from tests.helpers import BUILT, REPO, TREES, write_raster, write_vector

WORLDCOVER = load_legend(REPO / "config" / "legends" / "esa_worldcover_v100.yaml")
UTM = "EPSG:32629"
X0, Y0 = 500_000, 940_000
CELL = 100.0
TRANSFORM = Affine(CELL, 0, X0, 0, -CELL, Y0 + 10 * CELL)
METHOD = LandcoverMethod(gap_distance_m=100)


def base_codes() -> np.ndarray:
    """10 x 20 cells of 100 m: forest block A (cols 0-7) and B (cols 11-19) in rows 2-7, 3 built cells apart."""
    codes = np.full((10, 20), BUILT, dtype=np.uint8)
    codes[2:8, 0:8] = TREES
    codes[2:8, 11:20] = TREES
    return codes


@pytest.fixture
def city(tmp_path):
    path = write_vector(tmp_path / "city.gpkg", [shapely.box(X0, Y0, X0 + 20 * CELL, Y0 + 10 * CELL)], crs=UTM)
    return read_city_boundary(path)


@pytest.fixture
def base(tmp_path):
    return write_raster(tmp_path / "base.tif", base_codes(), transform=TRANSFORM, crs=UTM)


def polygons(tmp_path, name, geometries, crs=UTM):
    return str(write_vector(tmp_path / f"{name}.gpkg", geometries, crs=crs))


def run(tmp_path, city, base, changes, *, years=None, block_rows=3, name="scenario"):
    scenario = Scenario(name="s", base_year=2020, changes=tuple(changes))
    out = tmp_path / f"{name}.tif"
    effects = apply_scenario(
        scenario,
        base_raster=base,
        year_rasters=years or {2020: base},
        boundary=city,
        legend=WORLDCOVER,
        out_tif=out,
        block_rows=block_rows,
    )
    return out, effects


def indicators(path, city) -> dict[str, float]:
    result = compute_landcover_indicators_blockwise(str(path), city, legend=WORLDCOVER, method=METHOD, block_rows=4)
    return {value.indicator: value.value for value in result.values}


def gap_polygon():
    """Cells of columns 8-10, rows 2-7: the 3-cell gap between the blocks."""
    return shapely.box(X0 + 8 * CELL, Y0 + 2 * CELL, X0 + 11 * CELL, Y0 + 8 * CELL)


def test_closing_a_three_cell_gap_joins_the_groups_as_their_areas_say(tmp_path, city, base):
    before = indicators(base, city)
    assert before["natural_groups"] == 2
    out, effects = run(tmp_path, city, base, [{"landcover": polygons(tmp_path, "gap", [gap_polygon()]), "to": TREES}])
    after = indicators(out, city)
    added_ha = effects.loc[0, "area_changed_ha"]
    assert effects.loc[0, "cells_changed"] == 18
    a_total = before["natural_area"]
    # Before: MESH = (A_a² + A_b²) / A_total with A_a = 48/102 and A_b = 54/102 of A_total (equal cells in one
    # UTM band near the central meridian, where the cells' ground areas differ by less than 1e-9).
    a_a, a_b = a_total * 48 / 102, a_total * 54 / 102
    assert before["I2"] == pytest.approx((a_a**2 + a_b**2) / a_total, rel=1e-9)
    # After: one group of A_a + A_b + the 18 added cells; A_total grows by them (mesh_denominator natural), so
    # MESH' = MESH + 2·A_a·A_b / A_total (the join, A_total unchanged) plus the added cells' contribution.
    joined = a_a + a_b + added_ha
    assert after["natural_groups"] == 1
    assert after["I2"] == pytest.approx(joined**2 / (a_total + added_ha), rel=1e-9)
    join_only = before["I2"] + 2 * a_a * a_b / a_total
    assert after["I2"] - join_only == pytest.approx(joined**2 / (a_total + added_ha) - join_only, rel=1e-9)


def test_developing_a_forest_patch_lowers_i1_by_exactly_its_area(tmp_path, city, base):
    before = indicators(base, city)
    patch = shapely.box(X0, Y0 + 2 * CELL, X0 + 4 * CELL, Y0 + 8 * CELL)  # 4 x 6 forest cells of block A
    out, effects = run(
        tmp_path, city, base, [{"landcover": polygons(tmp_path, "plots", [patch]), "to": BUILT, "from": [TREES]}]
    )
    after = indicators(out, city)
    lost_ha = effects.loc[0, "area_changed_ha"]
    assert effects.loc[0, "cells_changed"] == 24
    assert after["natural_area"] == pytest.approx(before["natural_area"] - lost_ha, rel=1e-12)
    assert after["I1"] == pytest.approx(before["I1"] - 100 * lost_ha / before["city_area"], rel=1e-9)


def test_a_polygon_outside_the_city_changes_nothing_and_says_so(tmp_path, city, base):
    far = shapely.box(X0 + 50_000, Y0, X0 + 51_000, Y0 + 1_000)
    out, effects = run(tmp_path, city, base, [{"landcover": polygons(tmp_path, "far", [far]), "to": BUILT}])
    assert effects.loc[0, "cells_changed"] == 0 and effects.loc[0, "note"] == "changed nothing inside the city"
    with rasterio.open(out) as changed, rasterio.open(base) as original:
        assert np.array_equal(changed.read(1), original.read(1))


def test_polygons_in_another_crs_change_the_same_cells(tmp_path, city, base):
    in_utm, _ = run(tmp_path, city, base, [{"landcover": polygons(tmp_path, "utm", [gap_polygon()]), "to": TREES}])
    with rasterio.open(in_utm) as raster:
        expected = raster.read(1)
    lonlat = shapely.segmentize(gap_polygon(), 10)
    lonlat = gpd.GeoSeries([lonlat], crs=UTM).to_crs(4326).iloc[0]
    out, effects = run(
        tmp_path, city, base, [{"landcover": polygons(tmp_path, "wgs", [lonlat], crs="EPSG:4326"), "to": TREES}]
    )
    with rasterio.open(out) as raster:
        assert np.array_equal(raster.read(1), expected)


def test_restore_gives_lost_tree_cells_their_earlier_class(tmp_path, city, base):
    earlier_codes = base_codes()
    earlier_codes[0, :5] = TREES  # five cells were tree cover in 2016, built-up by 2020
    earlier = write_raster(tmp_path / "y2016.tif", earlier_codes, transform=TRANSFORM, crs=UTM)
    out, effects = run(
        tmp_path, city, base, [{"restore": "tree_canopy", "since_year": 2016}], years={2020: base, 2016: earlier}
    )
    assert effects.loc[0, "cells_changed"] == 5
    with rasterio.open(out) as raster:
        assert np.array_equal(raster.read(1), earlier_codes)


def test_a_class_code_not_in_the_legend_is_an_error_naming_code_and_legend(tmp_path, city, base):
    with pytest.raises(CBIInputError, match=r"class code 77 is not in legend .*esa_worldcover_v100.yaml"):
        run(tmp_path, city, base, [{"landcover": polygons(tmp_path, "gap", [gap_polygon()]), "to": 77}])


def test_scenarios_file_years_are_the_citys(tmp_path):
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        yaml.safe_dump(
            {"scenarios": [{"name": "a", "base_year": 2021, "changes": [{"restore": "natural", "since_year": 2016}]}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(CBIInputError, match="reads year 2021, which is not one of the city's land-cover years"):
        read_scenarios(path, years=[2016, 2020])
    path.write_text(yaml.safe_dump({"scenarios": [{"name": "a", "base_year": 2020}]}), encoding="utf-8")
    with pytest.raises(CBIInputError, match="changes"):
        read_scenarios(path, years=[2016, 2020])


def test_the_template_is_a_valid_scenarios_file():
    scenarios = read_scenarios(REPO / "config" / "scenarios_template.yaml", years=[2016, 2020])
    reserve = scenarios["new_reserve_and_growth"]
    assert reserve.overlay_files() == [
        "data/mycity/wetland_reserve.gpkg",
        "data/mycity/quarry.gpkg",
        "data/mycity/new_parks.shp",
    ]
    assert reserve.changes_overlays() and reserve.polygon_files() == []
    assert not scenarios["develop_plots"].changes_overlays()


@pytest.mark.parametrize(
    "change",
    [
        {"overlay": "parks", "add": "a.gpkg", "remove": "b.gpkg"},  # exactly one of add and remove
        {"overlay": "parks"},
        {"overlay": "parks", "add": "a.gpkg", "datum": "bd-09"},
        {"population": -5},
        {"population": 0},
        {"population": "many"},
    ],
)
def test_bad_overlay_and_population_changes_fail_the_schema(tmp_path, change):
    path = tmp_path / "scenarios.yaml"
    path.write_text(yaml.safe_dump({"scenarios": [{"name": "a", "base_year": 2020, "changes": [change]}]}), "utf-8")
    with pytest.raises(CBIInputError, match=str(path)):
        read_scenarios(path, years=[2020])


def test_a_land_cover_raster_ignores_overlay_and_population_changes_but_numbers_steps_among_all(tmp_path, city, base):
    develop = {"landcover": polygons(tmp_path, "gap", [gap_polygon()]), "to": TREES}
    _, effects = run(
        tmp_path, city, base, [{"population": 1000}, develop, {"overlay": "parks", "add": "not read here.gpkg"}]
    )
    assert effects["step"].tolist() == [2]
    assert effects.loc[0, "cells_changed"] == 18


def test_every_strip_height_writes_the_same_raster_and_counts(tmp_path, city, base, monkeypatch):
    """Strips of 1, 3, 4 and 7 rows and the whole 10-row window (one strip) give the same cells and effects; the
    polygons (a diamond cutting strip edges, and the gap) and the restored row cross the strip edges. Every raster
    is opened with GDAL's block cache held to GDAL_CACHE_MB (its default, 5 % of RAM, held 1.2 GB of the tile)."""
    earlier_codes = base_codes()
    earlier_codes[0, 3:15] = TREES
    earlier = write_raster(tmp_path / "y2016.tif", earlier_codes, transform=TRANSFORM, crs=UTM)
    diamond = shapely.Polygon(
        [(X0 + 5 * CELL, Y0 + 0.5 * CELL), (X0 + 9.5 * CELL, Y0 + 5 * CELL), (X0 + 5 * CELL, Y0 + 9.5 * CELL)]
        + [(X0 + 0.5 * CELL, Y0 + 5 * CELL)]
    )
    changes = [
        {"landcover": polygons(tmp_path, "diamond", [diamond]), "to": BUILT, "from": [TREES]},
        {"landcover": polygons(tmp_path, "gap", [gap_polygon()]), "to": TREES},
        {"restore": "tree_canopy", "since_year": 2016},
    ]
    cache_sizes = []
    real_open = rasterio.open

    def recording_open(*args, **kwargs):
        cache_sizes.append(rasterio.env.getenv().get("GDAL_CACHEMAX") if rasterio.env.hasenv() else None)
        return real_open(*args, **kwargs)

    results = {}
    for block_rows in (1, 3, 4, 7, 10):
        monkeypatch.setattr(rasterio, "open", recording_open)
        cache_sizes.clear()
        out, effects = run(
            tmp_path,
            city,
            base,
            changes,
            years={2020: base, 2016: earlier},
            block_rows=block_rows,
            name=f"s{block_rows}",
        )
        monkeypatch.setattr(rasterio, "open", real_open)
        assert GDAL_CACHE_MB in cache_sizes  # the strips are read and written with the cache held
        with rasterio.open(out) as raster:
            results[block_rows] = (raster.read(1), effects)
    codes, effects = results[10]
    # By hand: the diamond |x - 5| + |y - 5| < 4.5 (cell units from the south-west corner) holds the centres of 4, 6,
    # 7, 7, 6, 4 forest cells of block A's rows 2-7 (34 cells, to built-up); the gap 18 cells; the restore gives back
    # those 34 (trees in 2016) and the 12 cells of row 0 (cols 3-14): 46. Each cell counted once, whatever the strips.
    assert effects["cells_changed"].tolist() == [34, 18, 46]
    for block_rows, (other_codes, other_effects) in results.items():
        np.testing.assert_array_equal(other_codes, codes, err_msg=f"block_rows={block_rows}")
        assert other_effects["cells_changed"].tolist() == effects["cells_changed"].tolist()
        np.testing.assert_allclose(other_effects["area_changed_ha"], effects["area_changed_ha"], rtol=1e-12)
