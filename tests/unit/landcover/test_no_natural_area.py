"""A city without any natural cell: I1 is a real 0 %, I2 (MESH, coherence) is not assessed with its reason, and the
connectivity-group polygons are an empty, typed MultiPolygon layer."""

import math

import numpy as np
import pyogrio
import pytest
import shapely
from affine import Affine

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import read_city_grid
from cbindex.geo.legends import load_legend
from cbindex.landcover.area_shares import NO_NATURAL_AREA
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.connectivity import effective_mesh_size_ha
from cbindex.landcover.in_memory import compute_landcover_in_memory
from cbindex.landcover.spatial_outputs import GroupPolygonCollector, write_geopackage_layer
from tests.helpers import BUILT, REPO, write_raster, write_vector

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
TRANSFORM = Affine(10.0, 0.0, 500_000.0, 0.0, -10.0, 1_000_200.0)


@pytest.fixture
def built_up_city(tmp_path):
    raster = write_raster(
        tmp_path / "built.tif", np.full((20, 20), BUILT, dtype=np.uint8), transform=TRANSFORM, crs="EPSG:32628"
    )
    square = shapely.box(500_030.0, 1_000_030.0, 500_170.0, 1_000_170.0)
    boundary = read_city_boundary(write_vector(tmp_path / "city.gpkg", [square], crs="EPSG:32628"))
    return str(raster), boundary


@pytest.mark.parametrize("denominator", ["natural", "landscape"])
def test_no_natural_area_gives_i1_zero_and_i2_not_assessed(built_up_city, denominator):
    raster, boundary = built_up_city
    method = LandcoverMethod(mesh_denominator=denominator)
    grid = read_city_grid(raster, boundary, boundary_rule=method.boundary_rule, nodata_codes=WORLDCOVER.nodata)
    whole = compute_landcover_in_memory(grid, legend=WORLDCOVER, method=method)
    strips = compute_landcover_indicators_blockwise(raster, boundary, legend=WORLDCOVER, method=method, block_rows=3)
    for result in (whole, strips):
        rows = {value.indicator: value for value in result.values}
        assert rows["city_area"].value == pytest.approx(196 * 100 / 10_000, rel=1e-2)  # 14 × 14 cells of 10 m
        assert rows["natural_area"].value == 0.0 and rows["I1"].value == 0.0
        assert rows["natural_patches"].value == 0 and rows["natural_groups"].value == 0
        for undefined in ("I2", "I2_coherence"):  # Σ A_Gi² / A_total with nothing to connect: not 0 ha / 0 %
            assert math.isnan(rows[undefined].value), undefined
            assert rows[undefined].method.startswith(NO_NATURAL_AREA)


def test_mesh_without_natural_area_is_undefined_not_zero():
    assert math.isnan(effective_mesh_size_ha(np.zeros(1), denominator_m2=0.0))
    assert effective_mesh_size_ha(np.array([0.0, 100.0]), denominator_m2=100.0) == pytest.approx(0.01)


@pytest.mark.parametrize("max_cells", [200_000_000, 0], ids=["one-raster", "per-strip"])
def test_no_group_gives_an_empty_typed_multipolygon_layer(tmp_path, max_cells):
    collector = GroupPolygonCollector(max_cells=max_cells)
    for row in (0, 5):
        collector.add_strip(
            local_labels=np.zeros((5, 8), dtype=np.int32),
            label_offset=0,
            transform=TRANSFORM @ Affine.translation(0, row),
        )
    frame = collector.frame(group_of_patch=np.zeros(1, np.int64), group_areas_m2=np.zeros(1), crs="EPSG:32628")
    assert frame.empty
    assert frame["group_id"].dtype == np.int64 and frame["area_ha"].dtype == np.float64
    path = tmp_path / "groups.gpkg"
    write_geopackage_layer(path, frame, layer="connectivity_groups", geometry_type="MultiPolygon")
    info = pyogrio.read_info(path, layer="connectivity_groups")
    assert info["features"] == 0 and info["geometry_type"] == "MultiPolygon"
    assert dict(zip(info["fields"], info["dtypes"], strict=True))["group_id"] == "int64"
