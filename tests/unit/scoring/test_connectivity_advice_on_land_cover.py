"""I2's advice against the land-cover computation itself: Freetown 2020's real groups, and natural cells painted on a
small raster and the groups computed again (cbindex.landcover.blockwise, as the land-cover rule computes them)."""

import math

import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.core.method import LandcoverMethod
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.scoring.connectivity_advice import (
    MeshGroups,
    area_to_reach_mesh,
    mesh_after_adding,
    mesh_after_joining,
    mesh_ha,
)
from cbindex.scoring.points import score_value
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.scorecard import build_scorecard
from tests.helpers import BUILT, REPO, TREES, write_raster, write_vector

SI_2014 = load_rule_set(REPO / "config/scoring/si-2014.yaml")


def groups_of(result, *, mesh_denominator="natural") -> MeshGroups:
    """The groups of a land-cover computation as the scoring stage builds them from connectivity_groups.gpkg."""
    total = result.value_of("natural_area" if mesh_denominator == "natural" else "city_area")
    areas_ha = result.group_areas_m2[1:] / SQUARE_METRES_PER_HECTARE
    return MeshGroups.from_areas(areas_ha, total_ha=total, mesh_denominator=mesh_denominator)


# ----------------------------------------------------------------------------------------- Freetown 2020


@pytest.fixture(scope="module")
def freetown_2020():
    return compute_landcover_indicators_blockwise(
        str(REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif"),
        read_city_boundary(REPO / "data/freetown/SLE-Freetown_core-boundary.geojson"),
        legend=load_legend(REPO / "config/legends/dynamic_world.yaml"),
        method=LandcoverMethod(),
    )


def test_freetown_2020_numbers(freetown_2020):
    groups = groups_of(freetown_2020)
    assert groups.total_ha == pytest.approx(1290.6, abs=0.05)
    assert mesh_ha(groups) == pytest.approx(freetown_2020.value_of("I2"), rel=1e-12)
    assert mesh_ha(groups) == pytest.approx(408.1, abs=0.05)
    assert groups.areas_ha[:3] == pytest.approx([517.2, 471.7, 188.2], abs=0.05)
    # new natural area as an isolated patch lowers I2
    assert mesh_after_adding(groups, 100.0, to_group=None) == pytest.approx(385.9, abs=0.05)
    assert mesh_after_adding(groups, 200.0, to_group=None) == pytest.approx(380.2, abs=0.05)
    # about 170 ha added to the largest group reach 501 ha (2 points), exactly
    to_largest = area_to_reach_mesh(groups, 501.0)
    assert to_largest == pytest.approx(170.0, abs=1.0)
    assert mesh_after_adding(groups, to_largest, to_group=0) == pytest.approx(501.0, abs=1e-9)
    assert score_value(SI_2014.indicators["I2"], mesh_after_adding(groups, to_largest, to_group=0)).points == 2
    assert area_to_reach_mesh(groups, 501.0, to_group=1) == pytest.approx(189.7, abs=0.05)
    # joining the two largest groups: 408.1 + 2 · 517.2 · 471.7 ÷ 1,290.6 = 786 ha (2 points)
    assert mesh_after_joining(groups, 0, 1) == pytest.approx(786.0, abs=1.0)
    assert score_value(SI_2014.indicators["I2"], mesh_after_joining(groups, 0, 1)).points == 2


def test_freetown_2020_scorecard_texts(freetown_2020):
    values = {indicator: freetown_2020.value_of(indicator) for indicator in ("I1", "I2", "I11", "I12")}
    quantities = {row: freetown_2020.value_of(row) for row in ("city_area", "natural_area", "terrestrial_area")}
    scorecard = build_scorecard(SI_2014, values=values, quantities=quantities, connectivity=groups_of(freetown_2020))
    rows = {row["id"]: row for row in scorecard["indicators"]}
    i2, i1 = rows["I2"]["next_band"], rows["I1"]["next_band"]
    assert i2["text"] == "+93 ha to reach 2 points (501–1,000 ha)"  # the mesh size's own change, unchanged
    assert i2["area_text"] == (
        "add 171 ha of natural area to the largest group (517 ha) to reach 2 points; the same area as an isolated "
        "patch would lower I2 to 380 ha (1 point)"
    )
    assert i2["area_text_zh"] == (
        "在最大组团（517 公顷）上增加自然区域 171 公顷可达到 2 分；同样面积若为孤立斑块，I2 将降至 380 公顷（1 分）"
    )
    assert i2["connectivity_text"] == "or add 190 ha to the second-largest group (472 ha)"
    assert i2["non_natural_area_ha"] == pytest.approx(7391.1 - 1290.6, abs=0.1)
    # I1 17.46 %: more than 20 % needs more than 187.6 ha, printed 188 ha; I2 with those 188 ha:
    # joined (S + 2·517.18·188 + 188²) ÷ 1,478.6, isolated (S + 188²) ÷ 1,478.6, S = 408.09 · 1,290.64
    assert i1["area_text"] == "+188 ha of natural area"
    s = mesh_ha(groups_of(freetown_2020)) * freetown_2020.value_of("natural_area")
    total = freetown_2020.value_of("natural_area") + 188
    assert i1["i2_if_added_to_largest_group"] == pytest.approx((s + 2 * 517.1784 * 188 + 188**2) / total, abs=1e-3)
    assert i1["i2_if_isolated_patch"] == pytest.approx((s + 188**2) / total, abs=1e-9)
    assert i1["connectivity_text"] == (
        "these 188 ha added to the largest group (517 ha) would raise I2 to 512 ha (2 points); as an isolated patch "
        "they would lower I2 to 380 ha (1 point)"
    )


# ----------------------------------------------------------------------------------------- painted cells

CELL_M = 10.0
SIZE = 80  # 800 m × 800 m: a city of 64 ha in an equal-area projection (EPSG:3035), so a cell is 0.01 ha
ORIGIN = Affine(CELL_M, 0, 4_000_000, 0, -CELL_M, 3_000_800)
LARGEST = (slice(5, 25), slice(5, 25))  # 20 × 20 cells, 4 ha


def three_groups() -> np.ndarray:
    """Trees on built-up land: groups of 4 ha, 1.5 ha and 1 ha, 200 m and more apart (gap distance 100 m)."""
    codes = np.full((SIZE, SIZE), BUILT, dtype=np.uint8)
    codes[LARGEST] = TREES
    codes[5:20, 45:55] = TREES  # 15 × 10 cells, 1.5 ha, 20 empty columns to the right of the largest group
    codes[50:60, 60:70] = TREES  # 10 × 10 cells, 1 ha
    return codes


def paint(codes: np.ndarray, cells: int, *, first_row: int, columns: slice) -> np.ndarray:
    """Turn ``cells`` built-up cells into trees, row by row from ``first_row`` within ``columns``."""
    painted = codes.copy()
    width = columns.stop - columns.start
    for index in range(cells):
        row, column = first_row + index // width, columns.start + index % width
        assert painted[row, column] == BUILT
        painted[row, column] = TREES
    return painted


def land_cover(tmp_path, codes: np.ndarray, *, mesh_denominator: str, name: str):
    raster = write_raster(tmp_path / f"{name}.tif", codes, transform=ORIGIN, crs="EPSG:3035", nodata=0)
    city = write_vector(
        tmp_path / "city.gpkg", [shapely.box(4_000_000, 3_000_000, 4_000_800, 3_000_800)], crs="EPSG:3035"
    )
    return compute_landcover_indicators_blockwise(
        str(raster),
        read_city_boundary(city),
        legend=load_legend(REPO / "config/legends/esa_worldcover_v100.yaml"),
        method=LandcoverMethod(mesh_denominator=mesh_denominator),
        block_rows=16,
    )


@pytest.mark.parametrize(("mesh_denominator", "target_ha"), [("natural", 3.5), ("landscape", 0.5)])
def test_painted_cells_reach_the_target(tmp_path, mesh_denominator, target_ha):
    """ΔA of natural cells painted next to the largest group: the recomputed I2 reaches the target with
    ⌈ΔA ÷ cell⌉ cells, not with one cell fewer, and equals the closed form for the painted area."""
    codes = three_groups()
    before = land_cover(tmp_path, codes, mesh_denominator=mesh_denominator, name="before")
    groups = groups_of(before, mesh_denominator=mesh_denominator)
    cell_ha = before.value_of("city_area") / SIZE**2  # the ground area of a cell, as the computation measures it
    assert cell_ha == pytest.approx(0.01, rel=1e-6)
    assert groups.areas_ha == pytest.approx((400 * cell_ha, 150 * cell_ha, 100 * cell_ha), rel=1e-12)
    assert before.n_groups == 3
    added = area_to_reach_mesh(groups, target_ha)
    if mesh_denominator == "natural":  # ΔA² + (8 − 3.5)ΔA + (19.25 − 3.5 · 6.5) = 0
        assert added == pytest.approx((-4.5 + math.sqrt(4.5**2 + 4 * 3.5)) / 2)  # 0.676 ha
    else:  # A_total = 64 ha stays: ΔA² + 8ΔA + (19.25 − 0.5 · 64) = 0
        assert added == pytest.approx((-8 + math.sqrt(64 + 4 * 12.75)) / 2)  # 1.362 ha
    cells = math.ceil(added / cell_ha)
    for painted_cells, reaches in ((cells, True), (cells - 1, False)):
        painted = paint(codes, painted_cells, first_row=LARGEST[0].stop, columns=LARGEST[1])  # touching its bottom
        after = land_cover(tmp_path, painted, mesh_denominator=mesh_denominator, name=f"after{painted_cells}")
        assert after.n_groups == 3  # the cells joined the largest group
        mesh = after.value_of("I2")
        assert mesh == pytest.approx(mesh_after_adding(groups, painted_cells * cell_ha, to_group=0), rel=1e-12)
        assert (mesh >= target_ha) is reaches, (painted_cells, mesh)
    # the painted area exceeds ΔA by less than one cell: I2 passes the target by less than one more cell would add
    assert 0 <= cells * cell_ha - added < cell_ha


@pytest.mark.parametrize("mesh_denominator", ["natural", "landscape"])
def test_painted_isolated_patch(tmp_path, mesh_denominator):
    """The same ΔA as a patch of its own, far from every group: I2 = (S + ΔA²) ÷ (A_total + g·ΔA)."""
    codes = three_groups()
    before = land_cover(tmp_path, codes, mesh_denominator=mesh_denominator, name="before")
    groups = groups_of(before, mesh_denominator=mesh_denominator)
    cell_ha = before.value_of("city_area") / SIZE**2
    cells = 68
    painted = paint(codes, cells, first_row=65, columns=slice(5, 25))  # 400 m below the largest group
    after = land_cover(tmp_path, painted, mesh_denominator=mesh_denominator, name="isolated")
    assert after.n_groups == 4
    added = cells * cell_ha
    total = 650 * cell_ha + added if mesh_denominator == "natural" else SIZE**2 * cell_ha
    s = (400**2 + 150**2 + 100**2) * cell_ha**2  # 19.25 ha²
    assert after.value_of("I2") == pytest.approx((s + added**2) / total, rel=1e-12)
    assert after.value_of("I2") == pytest.approx(mesh_after_adding(groups, added, to_group=None), rel=1e-12)
    if mesh_denominator == "natural":
        assert after.value_of("I2") < mesh_ha(groups)  # 0.68 ha < MESH 2.96 ha: an isolated patch lowers I2
