"""Candidate links for I2: hand-drawn groups (polygons, and a raster through the land-cover rule), and Freetown 2020
with the best link painted natural and I2 computed again."""

import math

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
import rasterio.features
import shapely
from affine import Affine

from cbindex.core.method import LandcoverMethod
from cbindex.core.output_names import GROUPS_LAYER, LINKS_LAYER
from cbindex.geo.boundary import BoundarySpec, read_city_boundary
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.link_crossings import SHARE_COLUMNS, crosses_barriers
from cbindex.landcover.links import candidate_links
from cbindex.landcover.stage import compute_landcover_indicators
from tests.helpers import REPO, write_raster, write_vector

X0, Y0 = 4_300_000, 3_200_000  # near the centre of EPSG:3035 (Europe's equal-area projection: 1 cell = 100 m²)
TREES, CROPS, BUILT = 1, 4, 6  # Dynamic World codes


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def hand_drawn() -> gpd.GeoDataFrame:
    """Groups in metres (EPSG:3035): G1 200 × 200 m (4 ha) at (X0, Y0); G2 150 × 100 m (1.5 ha) 300 m to its
    east; G3 100 × 100 m (1 ha) 800 m to its north, 984.9 m from G2 (√(400² + 900²)); G4 (0.25 ha) 50 m from G3,
    kept apart by a barrier."""
    return gpd.GeoDataFrame(
        {"group_id": [1, 2, 3, 4], "area_ha": [4.0, 1.5, 1.0, 0.25]},
        geometry=[
            box(0, 0, 200, 200),
            box(500, 0, 650, 100),
            box(0, 1000, 100, 1100),
            box(150, 1000, 200, 1050),
        ],
        crs="EPSG:3035",
    )


def test_groups_by_hand():
    links = candidate_links(hand_drawn(), total_ha=6.75, link_search_m=900)
    # G1–G2 300 m (gain 2·4·1.5 ÷ 6.75 = 1.78 ha), G1–G3 800 m (2·4·1 ÷ 6.75 = 1.19 ha), G1–G4 √(0² + 800²) = 800 m
    # (2·4·0.25 ÷ 6.75 = 0.30 ha), G3–G4 50 m (2·1·0.25 ÷ 6.75 = 0.074 ha: under the gap distance, so a barrier
    # keeps them apart, and the link crosses it); G2–G3 984.9 m is beyond 900 m
    pairs = list(zip(links["group_a"], links["group_b"], strict=True))
    assert pairs == [(1, 2), (1, 3), (1, 4), (3, 4)]
    assert links["link_id"].tolist() == [1, 2, 3, 4]
    assert links["length_m"].tolist() == pytest.approx([300.0, 800.0, 800.0, 50.0])
    assert links["gain_ha"].tolist() == pytest.approx([12 / 6.75, 8 / 6.75, 2 / 6.75, 0.5 / 6.75])
    mesh = (16 + 2.25 + 1 + 0.0625) / 6.75
    assert links["mesh_after_ha"].tolist() == pytest.approx([mesh + gain for gain in links["gain_ha"]])
    # the link is the shortest segment between the groups: from G1's east edge to G2's west edge
    first = links.geometry.iloc[0]
    assert first.length == pytest.approx(300.0)
    (x0, y0), (x1, y1) = first.coords
    assert (x0 - X0, x1 - X0) == (200.0, 500.0) and y0 == y1 and 0 <= y0 - Y0 <= 100
    # a longer search finds G2–G3 too
    wider = candidate_links(hand_drawn(), total_ha=6.75, link_search_m=1000)
    assert wider["length_m"].max() == pytest.approx(math.hypot(400, 900))
    assert len(candidate_links(hand_drawn(), total_ha=6.75, link_search_m=299)) == 1


def test_every_pair_found_through_the_index_is_the_brute_force_set():
    """Random squares on a 10 m grid: the pairs found (STRtree, then k-d trees on the outlines' cell corners) are
    exactly the pairs at most the search distance apart, and each length is shapely's polygon distance."""
    rng = np.random.default_rng(12)
    corners = rng.integers(0, 2_000, size=(300, 2)) * 10.0
    sizes = rng.integers(2, 40, size=300) * 10.0
    squares = [box(x, y, x + s, y + s) for (x, y), s in zip(corners, sizes, strict=True)]
    groups = gpd.GeoDataFrame(
        {"group_id": np.arange(1, 301), "area_ha": sizes**2 / 10_000}, geometry=squares, crs="EPSG:3035"
    )
    tree = shapely.STRtree(squares)
    touching = np.bincount(tree.query(squares, predicate="intersects")[0], minlength=len(squares)) > 1
    groups = groups[~touching]  # groups are disjoint (one touching the other would be one group)
    assert len(groups) >= 200
    links = candidate_links(groups, total_ha=float(groups["area_ha"].sum()), link_search_m=1500, cell_size=10.0)
    expected = {
        (i, j): squares[i].distance(squares[j])
        for i in groups.index
        for j in groups.index
        if i < j and squares[i].distance(squares[j]) <= 1500
    }
    found = {
        tuple(sorted((a - 1, b - 1))): length
        for a, b, length in zip(links["group_a"], links["group_b"], links["length_m"], strict=True)
    }
    assert found.keys() == expected.keys()
    assert [found[pair] for pair in expected] == pytest.approx(list(expected.values()), abs=1e-6)
    assert links.geometry.length.to_numpy() == pytest.approx(links["length_m"].to_numpy(), abs=1e-6)
    assert (np.diff(links["gain_ha"].to_numpy()) <= 0).all()


def test_geographic_groups_are_measured_in_metres():
    groups = hand_drawn().to_crs("EPSG:4326")
    links = candidate_links(groups, total_ha=6.75, link_search_m=900)
    assert links["length_m"].tolist() == pytest.approx([300.0, 800.0, 800.0, 50.0], rel=2e-3)  # UTM vs LAEA scale
    assert links.crs.is_projected


def test_no_groups_no_links():
    empty = hand_drawn().iloc[:0]
    assert len(candidate_links(empty, total_ha=1.0, link_search_m=900)) == 0


def test_links_crossing_barriers():
    links = candidate_links(hand_drawn(), total_ha=6.75, link_search_m=900)
    road = gpd.GeoSeries([box(340, -500, 360, 500)], crs="EPSG:3035").to_crs("EPSG:32633")  # across G1–G2 only
    assert crosses_barriers(links.geometry, road).tolist() == [True, False, False, False]


def hand_raster(tmp_path):
    """A 40 × 60 raster of 10 m cells in EPSG:3035 (every cell 100 m² of ground), all built up but for
    A (rows 0–9, columns 0–9, 1 ha of trees), B (rows 0–4, columns 30–39, 0.5 ha) and C (rows 35–39, columns
    0–4, 0.25 ha), and crops in rows 0–9, columns 10–19. A–B: 200 m (columns 10–29: half crops, half built);
    A–C: 250 m (rows 10–34, built); B–C: √(300² + 250²) = 390.5 m (rows 5–34 and columns 5–29 apart)."""
    codes = np.full((40, 60), BUILT, dtype=np.uint8)
    codes[0:10, 0:10] = TREES
    codes[0:5, 30:40] = TREES
    codes[35:40, 0:5] = TREES
    codes[0:10, 10:20] = CROPS
    transform = Affine(10, 0, X0, 0, -10, Y0)
    raster = write_raster(tmp_path / "landcover.tif", codes, transform=transform, crs="EPSG:3035")
    outline = shapely.box(X0, Y0 - 400, X0 + 600, Y0)
    boundary = write_vector(tmp_path / "boundary.gpkg", [outline], crs="EPSG:3035")
    return raster, boundary


def run_stage(tmp_path, raster, boundary, barriers=None, **method):
    groups_gpkg = tmp_path / "groups.gpkg"
    compute_landcover_indicators(
        indicators_csv=str(tmp_path / "table.csv"),
        natural_mask_tif=str(tmp_path / "natural.tif"),
        groups_gpkg=str(groups_gpkg),
        equal_area_crs="auto",
        boundary_coverage_tolerance_percent=1.0,
        city="hand",
        year=2020,
        raster_path=str(raster),
        boundary=BoundarySpec(str(boundary)),
        legend_path=str(REPO / "config/legends/dynamic_world.yaml"),
        method=method,
        block_rows=7,
        barriers=barriers,
    )
    return pyogrio.read_dataframe(groups_gpkg, layer=GROUPS_LAYER), pyogrio.read_dataframe(
        groups_gpkg, layer=LINKS_LAYER
    )


def test_the_land_cover_rule_writes_the_links_of_a_hand_drawn_raster(tmp_path):
    raster, boundary = hand_raster(tmp_path)
    groups, links = run_stage(tmp_path, raster, boundary, link_search_m=300)
    area_of = dict(zip(groups["group_id"], groups["area_ha"], strict=True))
    assert sorted(area_of.values()) == pytest.approx([0.25, 0.5, 1.0])
    group_a = next(key for key, area in area_of.items() if area == pytest.approx(1.0))
    group_b = next(key for key, area in area_of.items() if area == pytest.approx(0.5))
    group_c = next(key for key, area in area_of.items() if area == pytest.approx(0.25))
    # MESH = (1 + 0.25 + 0.0625) ÷ 1.75 = 0.75 ha; A–B gains 2·1·0.5 ÷ 1.75, A–C 2·1·0.25 ÷ 1.75; B–C is 390.5 m
    assert list(zip(links["group_a"], links["group_b"], strict=True)) == [(group_a, group_b), (group_a, group_c)]
    assert links["length_m"].tolist() == pytest.approx([200.0, 250.0])
    assert links["gain_ha"].tolist() == pytest.approx([1 / 1.75, 0.5 / 1.75])
    assert links["mesh_after_ha"].tolist() == pytest.approx([0.75 + 1 / 1.75, 0.75 + 0.5 / 1.75])
    assert links.crs.equals(groups.crs)
    # what each crosses, sampled on the raster: A–B half crops, half built; A–C all built
    assert links.loc[0, ["built_up_share", "cropland_share"]].tolist() == pytest.approx([50.0, 50.0])
    assert links.loc[1, "built_up_share"] == pytest.approx(100.0)
    assert links[SHARE_COLUMNS].sum(axis=1).tolist() == pytest.approx([100.0, 100.0])
    assert links["classes_crossed"].tolist() == ["Crops 50 %, Built 50 %", "Built 100 %"]  # ties: by code
    assert links["classes_crossed_zh"].tolist() == ["农作物 50%，建成区 50%", "建成区 100%"]
    assert "crosses_barrier" not in links.columns  # no barrier configured: nothing checked, nothing claimed
    wider = run_stage(tmp_path, raster, boundary, link_search_m=400)[1]
    assert wider["length_m"].max() == pytest.approx(math.hypot(300, 250))


def test_a_road_marks_the_link_across_it(tmp_path):
    """A 20 m wide road (a barrier: at least 15 m) runs north–south at x = 250 m, across the A–B gap only."""
    from cbindex.geo.barriers import BarrierRule, BarrierSpec

    raster, boundary = hand_raster(tmp_path)
    road = shapely.LineString([(X0 + 250, Y0 + 10), (X0 + 250, Y0 - 60)])
    roads = write_vector(tmp_path / "roads.gpkg", [road], crs="EPSG:3035", width=[20.0])
    barriers = BarrierSpec(str(roads), BarrierRule(min_width_m=15.0))
    links = run_stage(tmp_path, raster, boundary, barriers=barriers, link_search_m=300)[1]
    assert links["length_m"].tolist() == pytest.approx([200.0, 250.0])
    assert links["crosses_barrier"].tolist() == [True, False]


def test_built_up_barriers_mark_the_links_across_them(tmp_path):
    raster, boundary = hand_raster(tmp_path)
    links = run_stage(tmp_path, raster, boundary, link_search_m=300, builtup_is_barrier=True)[1]
    assert links["crosses_barrier"].tolist() == [True, True]


@pytest.fixture(scope="module")
def freetown_2020(tmp_path_factory):
    """The land-cover rule run on Freetown 2020: its table, groups and links."""
    folder = tmp_path_factory.mktemp("freetown_links")
    raster = REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif"
    boundary = REPO / "data/freetown/SLE-Freetown_core-boundary.geojson"
    groups, links = run_stage(folder, raster, boundary, link_search_m=2000)
    return groups, links


def test_freetown_2020_best_link_joins_the_two_largest_groups(freetown_2020):
    """The best link within 2,000 m joins 517 ha and 472 ha, 1.34 km apart, for MESH 408.1 + 2 · 517.2 · 471.7 ÷
    1,290.6 = 786 ha (issue 12)."""
    groups, links = freetown_2020
    best = links.iloc[0]
    largest = groups.sort_values("area_ha", ascending=False)["group_id"].tolist()[:2]
    assert [best["group_a"], best["group_b"]] == largest
    assert (best["area_a_ha"], best["area_b_ha"]) == pytest.approx((517.2, 471.7), abs=0.05)
    assert best["length_m"] == pytest.approx(1340, abs=5)
    assert best["mesh_after_ha"] == pytest.approx(786.1, abs=0.05)
    assert links["length_m"].le(2000).all()
    assert (links["gain_ha"].diff().dropna() <= 0).all()


def test_freetown_2020_painting_the_best_link_natural_gives_its_mesh(freetown_2020, tmp_path):
    """Paint the cells the best link touches as trees and compute I2 again: the two groups become one with the
    painted cells' area p, so I2' = (S − A_a² − A_b² + (A_a + A_b + p)²) ÷ (A_total + p), which is the link's
    mesh_after_ha = (S + 2·A_a·A_b) ÷ A_total once p is taken out."""
    groups, links = freetown_2020
    best = links.iloc[0]
    raster = REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif"
    boundary = read_city_boundary(REPO / "data/freetown/SLE-Freetown_core-boundary.geojson")
    legend = load_legend(REPO / "config/legends/dynamic_world.yaml")
    with rasterio.open(raster) as source:
        codes, profile = source.read(1), source.profile
    painted = rasterio.features.geometry_mask(
        [best.geometry], out_shape=codes.shape, transform=profile["transform"], all_touched=True, invert=True
    )
    assert painted.sum() > 1340 / 10  # at least one 10 m cell per 10 m of link
    codes[painted] = TREES
    with rasterio.open(tmp_path / "painted.tif", "w", **profile) as destination:
        destination.write(codes, 1)
    before = compute_landcover_indicators_blockwise(str(raster), boundary, legend=legend, method=LandcoverMethod())
    after = compute_landcover_indicators_blockwise(
        str(tmp_path / "painted.tif"), boundary, legend=legend, method=LandcoverMethod()
    )
    total, total_after = before.value_of("natural_area"), after.value_of("natural_area")
    p = total_after - total
    assert 0 < p < painted.sum() * 0.011  # the painted cells that were not natural, each about 0.01 ha
    areas = groups["area_ha"].to_numpy()
    a, b = best["area_a_ha"], best["area_b_ha"]
    s = float(np.sum(areas**2))
    assert best["mesh_after_ha"] == pytest.approx((s + 2 * a * b) / total, rel=1e-12)
    assert after.value_of("I2") == pytest.approx((s - a * a - b * b + (a + b + p) ** 2) / (total + p), rel=1e-9)
    assert after.n_groups == before.n_groups - 1
