"""Reading boundaries and the raster window: repairs, filters and one-sentence errors on bad input."""

import numpy as np
import pytest
import shapely
from affine import Affine

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import open_city_window, read_city_grid
from cbindex.geo.exact_coverage import exact_coverage_fractions
from tests.helpers import REPO, exactextract_fractions, write_raster, write_vector


def test_bow_tie_is_repaired_and_logged(tmp_path, caplog):
    bow_tie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    path = write_vector(tmp_path / "bow.geojson", [bow_tie])
    boundary = read_city_boundary(path)
    assert boundary.repaired
    assert boundary.geometry.is_valid
    assert boundary.geometry.area == pytest.approx(0.5)
    assert "make_valid" in caplog.text


def test_filter_picks_the_city_features(tmp_path):
    path = write_vector(tmp_path / "b.gpkg", [shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6)], use=["TRUE", "FALSE"])
    assert read_city_boundary(path, filter_column="use", filter_value="true").geometry.bounds == (0, 0, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filter_column": "use", "filter_value": "maybe"}, "No feature of boundary file"),
        ({"filter_column": "nope", "filter_value": "x"}, "has no column 'nope'"),
    ],
)
def test_filter_errors(tmp_path, kwargs, message):
    path = write_vector(tmp_path / "b.gpkg", [shapely.box(0, 0, 1, 1)], use=["TRUE"])
    with pytest.raises(CBIInputError, match=message):
        read_city_boundary(path, **kwargs)


def test_boundary_without_crs(tmp_path):
    path = tmp_path / "nocrs.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}'
    )
    # GeoJSON implies WGS 84; a Shapefile without .prj has truly no CRS
    write_vector(tmp_path / "city.shp", [shapely.box(0, 0, 1, 1)])
    (tmp_path / "city.prj").unlink()
    with pytest.raises(CBIInputError, match=r"city\.shp has no CRS"):
        read_city_boundary(tmp_path / "city.shp")


def test_empty_geometry(tmp_path):
    path = write_vector(tmp_path / "empty.gpkg", [shapely.Polygon()])
    with pytest.raises(CBIInputError, match="only empty geometries"):
        read_city_boundary(path)


def test_lines_only_have_no_area(tmp_path):
    path = write_vector(tmp_path / "line.gpkg", [shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(CBIInputError, match="no polygon area"):
        read_city_boundary(path)


def test_missing_boundary_file(tmp_path):
    with pytest.raises(CBIInputError, match="does not exist"):
        read_city_boundary(tmp_path / "nothere.gpkg")


def test_corrupt_boundary_file(tmp_path):
    path = tmp_path / "bad.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(CBIInputError, match="could not be read"):
        read_city_boundary(path)


def test_window_reads_only_the_city(square_city, tmp_path):
    raster, _ = square_city
    small = write_vector(tmp_path / "small.gpkg", [shapely.box(10.0021, 0.0021, 10.0049, 0.0049)])
    grid = read_city_grid(raster, read_city_boundary(small))
    assert grid.codes.shape == (3, 3)
    assert grid.weight.sum() == 9  # centres at .0025, .0035, .0045 all inside


def test_exact_rule_gives_fractions(square_city, tmp_path):
    raster, _ = square_city
    half = write_vector(tmp_path / "half.gpkg", [shapely.box(10.0, 0.0, 10.0015, 0.001)])
    grid = read_city_grid(raster, read_city_boundary(half), boundary_rule="exact")
    assert sorted(grid.weight[grid.weight > 0].tolist()) == pytest.approx([0.5, 1.0])


def test_boundary_in_another_crs(square_city, tmp_path):
    raster, boundary_path = square_city
    boundary = read_city_boundary(boundary_path)
    utm = boundary.to_crs("EPSG:32632")
    reprojected = write_vector(tmp_path / "utm.gpkg", [utm], crs="EPSG:32632")
    a = read_city_grid(raster, boundary, boundary_rule="exact")
    b = read_city_grid(raster, read_city_boundary(reprojected), boundary_rule="exact")
    assert b.area_m2(b.valid) == pytest.approx(a.area_m2(a.valid), rel=1e-4)


def test_no_overlap(square_city, tmp_path):
    raster, _ = square_city
    far = write_vector(tmp_path / "far.gpkg", [shapely.box(50, 50, 51, 51)])
    with pytest.raises(CBIInputError, match="does not overlap raster"):
        read_city_grid(raster, read_city_boundary(far))


def test_all_nodata_inside(tmp_path):
    raster = write_raster(
        tmp_path / "zeros.tif", np.zeros((5, 5), np.uint8), transform=Affine(1, 0, 0, 0, -1, 5), nodata=0
    )
    city = write_vector(tmp_path / "c.gpkg", [shapely.box(0, 0, 5, 5)])
    with pytest.raises(CBIInputError, match="No valid cell"):
        read_city_grid(raster, read_city_boundary(city))


def test_missing_and_corrupt_raster(square_city, tmp_path):
    _, boundary_path = square_city
    boundary = read_city_boundary(boundary_path)
    with pytest.raises(CBIInputError, match="does not exist"):
        read_city_grid(tmp_path / "nothere.tif", boundary)
    corrupt = tmp_path / "corrupt.tif"
    corrupt.write_bytes(b"II*\x00garbage" * 10)
    with pytest.raises(CBIInputError, match="cannot be opened"):
        read_city_grid(corrupt, boundary)


@pytest.mark.parametrize("block_rows", [1, 3, 10, 50])
def test_strips_read_ahead_equal_the_whole_window(square_city, block_rows):
    raster, boundary_path = square_city
    boundary = read_city_boundary(boundary_path)
    whole = read_city_grid(raster, boundary, boundary_rule="exact")
    pieces = list(open_city_window(raster, boundary).read_strips(block_rows, boundary_rule="exact"))
    assert [start for start, _ in pieces] == list(range(0, whole.codes.shape[0], block_rows))
    np.testing.assert_array_equal(np.vstack([grid.codes for _, grid in pieces]), whole.codes)
    np.testing.assert_array_equal(np.vstack([grid.weight for _, grid in pieces]), whole.weight)
    assert sum(grid.nodata_area_m2 for _, grid in pieces) == pytest.approx(whole.nodata_area_m2)


def test_error_in_a_strip_read_ahead_reaches_the_caller(square_city, monkeypatch):
    raster, boundary_path = square_city
    window = open_city_window(raster, read_city_boundary(boundary_path))
    read_rows = type(window).read_rows

    def failing(self, start, stop, **kwargs):
        if start >= 4:
            raise CBIInputError(f"{raster} could not be read at row {start}.")
        return read_rows(self, start, stop, **kwargs)

    monkeypatch.setattr(type(window), "read_rows", failing)
    seen = []
    with pytest.raises(CBIInputError, match="row 4"):
        for start, _ in window.read_strips(2):
            seen.append(start)
    assert seen == [0, 2]


def test_truncated_raster_fails_on_read(square_city, tmp_path):
    raster, boundary_path = square_city
    data = raster.read_bytes()
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CBIInputError, match=r"truncated\.tif"):
        read_city_grid(truncated, read_city_boundary(boundary_path))


def test_nodata_area_is_reported(tmp_path):
    codes = np.full((4, 4), 10, np.uint8)
    codes[0, 0] = 0
    raster = write_raster(tmp_path / "r.tif", codes, transform=Affine(10, 0, 0, 0, -10, 40), crs="EPSG:3857", nodata=0)
    city = write_vector(tmp_path / "c.gpkg", [shapely.box(0, 0, 40, 40)], crs="EPSG:3857")
    grid = read_city_grid(raster, read_city_boundary(city))
    assert grid.nodata_area_m2 == pytest.approx(grid.row_area_m2[0])
    assert grid.area_m2(grid.valid) == pytest.approx(15 * grid.row_area_m2[0])


def test_exact_fractions_through_the_boundary_ring_equal_exactextract_on_the_whole_polygon():
    """Real Freetown boundary (EPSG:4326) over its 10 m grid, in strips: same fractions as exactextract alone."""

    repo = REPO
    boundary = read_city_boundary(repo / "data/freetown/SLE-Freetown_core-boundary.geojson")
    window = open_city_window(repo / "data/freetown/SLE-Freetown_core-landcover2020.tif", boundary)
    for start, stop in [(0, 300), (300, 301), (700, window.shape[0])]:
        transform = window.transform @ Affine.translation(0, start)
        shape = (stop - start, window.shape[1])
        ours = exact_coverage_fractions(window.geometry, shape=shape, transform=transform)
        whole = exactextract_fractions(window.geometry, shape=shape, transform=transform, crs=window.crs)
        np.testing.assert_allclose(ours, whole, atol=1e-6)
        assert ours.sum() > 0 and ((ours > 0) & (ours < 1)).any()


@pytest.mark.parametrize("seed", range(6))
def test_exact_fractions_of_random_polygons(seed):
    rng = np.random.default_rng(seed)
    points = rng.random((12, 2)) * 20
    polygon = shapely.make_valid(shapely.Polygon(points)).buffer(0.3 * rng.random())
    polygon = shapely.union_all([polygon, shapely.box(*(rng.random(2) * 10), *(10 + rng.random(2) * 10))])
    transform = Affine(0.7, 0, -1.0, 0, -0.6, 21.0)
    from pyproj import CRS

    ours = exact_coverage_fractions(polygon, shape=(40, 35), transform=transform)
    whole = exactextract_fractions(polygon, shape=(40, 35), transform=transform, crs=CRS.from_epsg(32648))
    np.testing.assert_allclose(ours, whole, atol=1e-6)
    assert ours.sum() * 0.7 * 0.6 == pytest.approx(
        polygon.intersection(shapely.box(-1.0, -3.0, 23.5, 21.0)).area, rel=1e-5
    )
