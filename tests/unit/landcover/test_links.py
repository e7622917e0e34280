"""Candidate links for I2: a hand-drawn city of three groups (plus one kept apart by a barrier), and Freetown 2020."""

import math

import geopandas as gpd
import pytest
import shapely

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.links import candidate_links
from cbindex.landcover.spatial_outputs import GroupPolygonCollector
from tests.helpers import REPO

X0, Y0 = 4_300_000, 3_200_000  # near the centre of EPSG:3035 (Europe's equal-area projection)


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


def test_three_groups_by_hand():
    links = candidate_links(hand_drawn(), total_ha=6.75, gap_distance_m=100, link_search_m=900)
    # G1–G2 300 m (gain 2·4·1.5 ÷ 6.75 = 1.78 ha), G1–G4 √(0² + 800²) = 800 m (2·4·0.25 ÷ 6.75 = 0.30 ha),
    # G1–G3 800 m (2·4·1 ÷ 6.75 = 1.19 ha); G2–G3 984.9 m is beyond 900 m; G3–G4 50 m is under the gap distance
    assert list(zip(links["group_a"], links["group_b"], strict=True)) == [(1, 2), (1, 3), (1, 4)]
    assert links["length_m"].tolist() == pytest.approx([300.0, 800.0, 800.0])
    assert links["gain_ha"].tolist() == pytest.approx([12 / 6.75, 8 / 6.75, 2 / 6.75])
    mesh = (16 + 2.25 + 1 + 0.0625) / 6.75
    assert links["mesh_after_ha"].tolist() == pytest.approx([mesh + 12 / 6.75, mesh + 8 / 6.75, mesh + 2 / 6.75])
    # the link is the shortest segment between the groups: from G1's east edge to G2's west edge
    first = links.geometry.iloc[0]
    assert first.length == pytest.approx(300.0)
    (x0, y0), (x1, y1) = first.coords
    assert (x0 - X0, x1 - X0) == (200.0, 500.0) and y0 == y1 and 0 <= y0 - Y0 <= 100
    # a longer search finds G2–G3 too, a higher gap distance drops the 300 m link
    wider = candidate_links(hand_drawn(), total_ha=6.75, gap_distance_m=100, link_search_m=1000)
    assert wider["length_m"].max() == pytest.approx(math.hypot(400, 900))
    assert len(candidate_links(hand_drawn(), total_ha=6.75, gap_distance_m=301, link_search_m=900)) == 2


def test_geographic_groups_are_measured_in_metres():
    groups = hand_drawn().to_crs("EPSG:4326")
    links = candidate_links(groups, total_ha=6.75, gap_distance_m=100, link_search_m=900)
    assert links["length_m"].tolist() == pytest.approx([300.0, 800.0, 800.0], rel=2e-3)  # UTM vs LAEA scale
    assert links.crs.is_projected


def test_freetown_2020_best_link_joins_the_two_largest_groups():
    """The groups as the land-cover rule traces them; the best link within 2,000 m joins 517 ha and 472 ha,
    1.34 km apart, for MESH 408.1 + 2 · 517.2 · 471.7 ÷ 1,290.6 = 786 ha."""
    polygons = GroupPolygonCollector()
    result = compute_landcover_indicators_blockwise(
        str(REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif"),
        read_city_boundary(REPO / "data/freetown/SLE-Freetown_core-boundary.geojson"),
        legend=load_legend(REPO / "config/legends/dynamic_world.yaml"),
        method=LandcoverMethod(),
        on_strip=lambda strip: polygons.add_strip(
            local_labels=strip.local_labels, label_offset=strip.label_offset, transform=strip.grid.transform
        ),
    )
    groups = polygons.frame(
        group_of_patch=result.group_of_patch, group_areas_m2=result.group_areas_m2, crs=result.window.crs
    )
    links = candidate_links(groups, total_ha=result.value_of("natural_area"), gap_distance_m=100, link_search_m=2000)
    best = links.iloc[0]
    assert (best["area_a_ha"], best["area_b_ha"]) == pytest.approx((517.2, 471.7), abs=0.05)
    assert best["length_m"] == pytest.approx(1340, abs=5)
    assert best["mesh_after_ha"] == pytest.approx(786.1, abs=0.05)
    assert best["mesh_after_ha"] == pytest.approx(result.value_of("I2") + best["gain_ha"])
    assert links["length_m"].between(100, 2000).all()
    assert (links["gain_ha"].diff().dropna() <= 0).all()
