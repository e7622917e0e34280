"""Land-use polygons as a land-cover input: code mapping, overlaps, exact areas, rasterization, and the cross-check
that a real raster polygonized and burnt back on its own grid gives the raster path's indicators exactly."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import rasterio.features
import shapely
from shapely.geometry import shape

from cbindex.core.errors import CBIInputError
from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.method import LandcoverMethod
from cbindex.core.output_names import GROUPS_LAYER
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise
from cbindex.landcover.landuse_polygons import (
    LandUseSpec,
    clipped_areas_m2,
    exact_class_areas,
    landuse_code,
    overlapping_pairs,
    polygon_area_values,
    read_landuse_polygons,
)
from cbindex.landcover.landuse_raster import LandUseGrid, geojson_polygons, nodata_code, rasterize_landuse
from cbindex.landcover.stage import boundary_area_ha
from cbindex.scoring.rule_sets import load_rule_set
from cbindex.scoring.stage import read_mesh_groups
from tests.helpers import REPO, write_vector

GBT = load_legend(REPO / "config" / "legends" / "gbt21010_2017.yaml")
DYNAMIC_WORLD = load_legend(REPO / "config" / "legends" / "dynamic_world.yaml")
FREETOWN = REPO / "data" / "freetown"
UTM = "EPSG:32629"
ALIASES = {text: code for code, c in GBT.classes.items() for text in c.vector_codes}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0101", 101), (" 1101 ", 1101), ("0201K", 201), ("05H1", 591), ("0810A", 8101), ("09", 9), ("林地", None)],
)
def test_landuse_code_maps_survey_codes_to_legend_codes(text, expected):
    assert landuse_code(text, aliases=ALIASES) == expected


X0, Y0 = 500_000, 940_000
"""On UTM 29N's central meridian near Freetown, where the projection's scale is 0.9996 (areas within 0.1 %)."""


def square(x, y, size):
    return shapely.box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


@pytest.fixture
def city(tmp_path):
    """A 200 m x 100 m city in UTM 29N and its boundary file."""
    path = write_vector(tmp_path / "city.gpkg", [shapely.box(X0, Y0, X0 + 200, Y0 + 100)], crs=UTM)
    return read_city_boundary(path)


def test_overlap_is_kept_by_the_first_feature_and_counted_once(tmp_path, city):
    layer = write_vector(
        tmp_path / "landuse.gpkg",
        [square(0, 0, 100), square(50, 0, 100), square(150, 50, 100)],
        crs=UTM,
        DLBM=["0301", "0701", "1101"],
    )
    polygons = read_landuse_polygons(LandUseSpec(str(layer), "DLBM"), legend=GBT)
    assert polygons.n_overlapping == 1
    assert polygons.overlap_area_ha == pytest.approx(0.5, rel=1e-3)
    areas = exact_class_areas(polygons, boundary=city, legend=GBT).set_index("code")["area_ha"]
    # 0301 keeps its whole square (1 ha), 0701 keeps 50 m x 100 m outside it (0.5 ha); the 1101 square is half
    # outside the city (0.25 ha inside).
    assert areas.to_dict() == pytest.approx({301: 1.0, 701: 0.5, 1101: 0.25}, rel=1e-3)
    grid = LandUseGrid.covering(city, crs=polygons.crs, cell_size_m=10)
    assert grid.shape == (10, 20)
    out = tmp_path / "landuse.tif"
    covered = rasterize_landuse(polygons, grid=grid, out_tif=out, nodata=nodata_code(GBT), block_rows=3)
    with rasterio.open(out) as raster:
        cells = raster.read(1)
        assert raster.nodata == 0
    assert covered == 175  # the 1101 square covers 5 x 5 cells of the grid (its other parts lie outside)
    assert (cells == 301).sum() == 100 and (cells == 701).sum() == 50 and (cells == 1101).sum() == 25


def test_polygon_values_replace_area_rows_and_keep_the_grid_natural_area(tmp_path, city):
    layer = write_vector(tmp_path / "l.gpkg", [square(0, 0, 100), square(100, 0, 50)], crs=UTM, DLBM=["0301", "1104"])
    polygons = read_landuse_polygons(LandUseSpec(str(layer), "DLBM"), legend=GBT)
    areas = exact_class_areas(polygons, boundary=city, legend=GBT)
    codes = CategoryCodes.from_legend(GBT, LandcoverMethod())
    grid_rows = result_rows(dict.fromkeys(("city_area", "natural_area", "I1", "I2"), 9.0))
    exact = polygon_area_values(grid_rows, class_areas=areas, city_ha=2.0, codes=codes, legend=GBT)
    rows = {row.indicator: row for row in exact}
    assert rows["city_area"].value == pytest.approx(1.25, rel=1e-3)
    assert rows["natural_area"].value == pytest.approx(1.0, rel=1e-3)  # ponds (1104) are water, not natural
    assert rows["I1"].value == pytest.approx(80.0, rel=1e-3)
    assert rows["natural_area_grid"].value == 9.0 and rows["I2"].value == 9.0
    assert rows["city_area_grid"].value == 9.0  # I2's A_total with mesh_denominator landscape
    assert "exact polygon areas" in rows["I1"].method


@pytest.mark.parametrize(
    ("columns", "geometries", "expected"),
    [
        ({"CODE": ["0101"]}, [square(0, 0, 10)], "has no field 'DLBM' (fields: CODE); set the city sheet's"),
        ({"DLBM": ["0101", "9999"]}, [square(0, 0, 10), square(20, 0, 10)], "holds codes legend"),
        ({"DLBM": ["0101", "0102"]}, [square(0, 0, 10), shapely.Point(50, 50)], "holds Point features besides"),
    ],
    ids=["field", "unknown-code", "points"],
)
def test_bad_land_use_layers_fail_with_one_sentence(tmp_path, columns, geometries, expected):
    layer = write_vector(tmp_path / "l.gpkg", geometries, crs=UTM, **columns)
    with pytest.raises(CBIInputError) as raised:
        read_landuse_polygons(LandUseSpec(str(layer), "DLBM"), legend=GBT)
    assert expected in str(raised.value) and str(layer) in str(raised.value)


def test_a_grid_needs_a_projected_crs(city):
    with pytest.raises(CBIInputError, match="not a projected CRS in metres; reproject it"):
        LandUseGrid.covering(city, crs="EPSG:4490", cell_size_m=5)


def test_freetown_polygonized_and_burnt_back_gives_the_raster_path_exactly(tmp_path):
    """Cross-check (1) of issue 14: Dynamic World 2020 polygonized, read as land-use polygons and rasterized on
    the raster's own grid is the same raster cell for cell, so I1, I11, I12 and I2 are identical; the exact
    polygon I1 differs from the raster's only by the boundary cells (centre rule vs exact clipping)."""
    source = FREETOWN / "SLE-Freetown_core-landcover2020.tif"
    with rasterio.open(source) as raster:
        cells = raster.read(1)
        pieces = list(rasterio.features.shapes(cells, transform=raster.transform))
        crs = raster.crs
    frame = gpd.GeoDataFrame(
        {"code": [str(int(value)) for _, value in pieces]}, geometry=[shape(g) for g, _ in pieces], crs=crs
    )
    layer = tmp_path / "freetown_polygons.gpkg"
    frame.to_file(layer)
    polygons = read_landuse_polygons(LandUseSpec(str(layer), "code"), legend=DYNAMIC_WORLD)
    burnt = tmp_path / "burnt.tif"
    rasterize_landuse(
        polygons, grid=LandUseGrid.like(source), out_tif=burnt, nodata=nodata_code(DYNAMIC_WORLD), block_rows=97
    )
    with rasterio.open(burnt) as raster:
        assert np.array_equal(raster.read(1), cells.astype(np.uint16))
    boundary = read_city_boundary(FREETOWN / "SLE-Freetown_core-boundary.geojson")
    method = LandcoverMethod()

    def indicators(path):
        result = compute_landcover_indicators_blockwise(
            str(path), boundary, legend=DYNAMIC_WORLD, method=method, block_rows=256
        )
        return {value.indicator: value.value for value in result.values}

    from_raster, from_polygons = indicators(source), indicators(burnt)
    for name in ("I1", "I2", "I11", "I12", "natural_area", "city_area"):
        assert from_polygons[name] == from_raster[name], name
    areas = exact_class_areas(polygons, boundary=boundary, legend=DYNAMIC_WORLD)
    exact = polygon_area_values(
        result_rows(from_raster),
        class_areas=areas,
        city_ha=boundary_area_ha(boundary, equal_area_crs="auto"),
        codes=CategoryCodes.from_legend(DYNAMIC_WORLD, method),
        legend=DYNAMIC_WORLD,
    )
    exact_i1 = next(row.value for row in exact if row.indicator == "I1")
    assert abs(exact_i1 - from_raster["I1"]) < 0.5  # percentage points: boundary cells only
    assert areas["area_ha"].sum() == pytest.approx(from_raster["city_area"], rel=0.01)


def result_rows(values: dict) -> list:
    return [IndicatorValue(name, value, "", "grid") for name, value in values.items()]


def test_class_area_table_columns(tmp_path, city):
    layer = write_vector(tmp_path / "l.gpkg", [square(0, 0, 100)], crs=UTM, DLBM=["0301"])
    polygons = read_landuse_polygons(LandUseSpec(str(layer), "DLBM"), legend=GBT)
    table = exact_class_areas(polygons, boundary=city, legend=GBT)
    assert list(table.columns) == ["code", "name", "name_zh", "area_ha"]
    assert table.iloc[0]["name_zh"] == "乔木林地"
    assert isinstance(table, pd.DataFrame)


def _brute_force_overlaps(geometries):
    """Every pair (later, earlier) whose interiors intersect, pair by pair (no index): the reference."""
    return sorted(
        (later, earlier)
        for later in range(len(geometries))
        for earlier in range(later)
        if shapely.relate_pattern(geometries[later], geometries[earlier], "T********")
    )


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 100])
def test_overlapping_pairs_by_chunks_equal_the_pair_by_pair_reference(chunk_size):
    # a row of 10 m squares touching edge to edge (no overlap), then squares overlapping features of every earlier
    # chunk (features 0, 2 and 4, across the edges of chunks of 1, 2 and 3), one only touching a corner and one
    # duplicate of feature 1
    geometries = np.array(
        [square(10 * i, 0, 10) for i in range(5)]
        + [square(5, 5, 10), square(25, -5, 20), square(50, 10, 5), square(10, 0, 10)],
        dtype=object,
    )
    later, earlier = overlapping_pairs(geometries, chunk_size=chunk_size)
    expected = _brute_force_overlaps(geometries)
    assert list(zip(later.tolist(), earlier.tolist(), strict=True)) == expected
    assert (5, 0) in expected and (6, 4) in expected and (8, 1) in expected  # the case holds what it claims
    assert not any(later == 7)  # the square touching feature 4's corner only


@pytest.mark.parametrize("chunk_size", [1, 2, 100])
def test_clipped_areas_equal_each_polygon_intersected_with_the_city(city, chunk_size):
    # the city is 200 m x 100 m: a square inside, one touching its outline from inside, one crossing it, one
    # touching it from outside, one far outside and a multipolygon with a part on each side
    geometries = np.array(
        [
            square(20, 20, 30),
            square(0, 0, 40),
            square(180, 60, 50),
            square(200, 0, 20),
            square(500, 500, 10),
            shapely.MultiPolygon([square(100, 10, 20), square(300, 10, 20)]),
        ],
        dtype=object,
    )
    crs = "EPSG:32629"
    laea = "+proj=laea +lat_0=8.5 +lon_0=-9 +datum=WGS84 +units=m"
    areas = clipped_areas_m2(geometries, city=city.geometry, crs=crs, equal_area_crs=laea, chunk_size=chunk_size)
    reference = gpd.GeoSeries(shapely.intersection(geometries, city.geometry), crs=crs).to_crs(laea).area
    assert areas == pytest.approx(reference.to_numpy(), rel=1e-12, abs=1e-9)
    # and by hand, within UTM's 0.9996 scale on the central meridian (areas within 0.1 %)
    assert areas == pytest.approx([900, 1600, 20 * 40, 0, 0, 400], rel=1e-3, abs=1e-9)


def test_only_the_code_field_is_read_and_a_missing_field_lists_the_others(tmp_path):
    layer = write_vector(
        tmp_path / "landuse.gpkg",
        [square(0, 0, 10), square(10, 0, 10)],
        crs=UTM,
        DLBM=["0301", "1101"],
        DLMC=["乔木林地", "河流水面"],
        TBMJ=[100.0, 100.0],
    )
    polygons = read_landuse_polygons(LandUseSpec(str(layer), "DLBM"), legend=GBT)
    assert list(polygons.frame.columns) == ["code", "geometry"]
    assert polygons.frame["code"].tolist() == [301, 1101]
    with pytest.raises(CBIInputError, match=r"has no field 'DLBMX' \(fields: DLBM, DLMC, TBMJ\)"):
        read_landuse_polygons(LandUseSpec(str(layer), "DLBMX"), legend=GBT)


def test_geojson_polygons_burn_exactly_as_shapely_geometries():
    # a polygon with a hole, a multipolygon (one part with a hole), and polygons only (shapely's other ragged kind)
    holed = shapely.Polygon([(0, 0), (37, 0), (37, 29), (0, 29)], holes=[[(9, 7), (21, 7), (21, 19), (9, 19)]])
    multi = shapely.MultiPolygon([shapely.Polygon([(40, 3), (58, 5), (49, 27)]), holed.buffer(-2, join_style="mitre")])
    transform = rasterio.Affine(1, 0, -0.3, 0, -1, 30.2)
    for geometries in (
        np.array([holed, multi], dtype=object),
        np.array([holed, shapely.box(3, 3, 7, 7)], dtype=object),
    ):
        mappings = geojson_polygons(geometries)
        for mapping, geometry in zip(mappings, geometries, strict=True):
            assert shapely.equals_exact(shape(mapping), shapely.MultiPolygon(shapely.get_parts(geometry)), 0)
        burnt = [
            rasterio.features.rasterize(zip(shapes, [7, 9], strict=True), out_shape=(31, 60), transform=transform)
            for shapes in (mappings, geometries)
        ]
        assert np.array_equal(*burnt) and np.count_nonzero(burnt[0] == 9) > 0
    assert geojson_polygons(np.array([], dtype=object)) == []


@pytest.mark.parametrize("denominator", ["natural", "landscape"])
def test_the_scorecard_reproduces_i2_of_a_land_use_city_with_either_denominator(tmp_path, denominator):
    """I2 of a land-use city is computed on the grid: the scorecard's groups check reads the grid's A_total
    (natural_area_grid, city_area_grid), not the exact polygon rows that differ from it by the cut edges."""
    groups = tmp_path / "groups.gpkg"
    boxes = [shapely.box(0, 0, 200, 200), shapely.box(400, 0, 500, 100)]
    gpd.GeoDataFrame({"area_ha": [4.0, 1.0]}, geometry=boxes, crs=UTM).to_file(groups, layer=GROUPS_LAYER)
    total = {"natural": 5.0, "landscape": 10.0}[denominator]
    latest = pd.DataFrame(
        {
            "indicator": ["city_area", "city_area_grid", "natural_area", "natural_area_grid", "I2"],
            "value": [10.0000003, 10.0, 5.0000002, 5.0, (16.0 + 1.0) / total],  # exact rows differ by cut edges
        }
    ).set_index("indicator")
    rule_set = load_rule_set(REPO / "config/scoring/si-2014.yaml")
    read = read_mesh_groups(str(groups), latest=latest, rule_set=rule_set, mesh_denominator=denominator)
    assert read is not None
