"""Overlay indicators (I9, red line, I13): hand-computed cases, bad input, exactextract agreement (the workflow run
is in tests/workflow/test_overlays_workflow.py).

Tiny cases use a 10 × 10 raster of 100 m cells (1 ha each) in EPSG:3035 (equal-area, so every cell is
exactly 1 ha): columns 0–3 are trees (natural), the rest built-up. ``cells(c0, r0, c1, r1)`` is the box of
columns [c0, c1) and rows [r0, r1).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from affine import Affine
from exactextract import exact_extract
from pyproj import CRS, Transformer

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.legends import load_legend, natural_codes
from cbindex.geo.population import parse_population
from cbindex.geo.protected_area_categories import CATEGORIES, category_of
from cbindex.overlays.stage import compute_overlay_indicators
from cbindex.report.text import method_html
from tests.helpers import REPO, write_raster, write_vector

WORLDCOVER = REPO / "config" / "legends" / "esa_worldcover_v100.yaml"
NLCD = REPO / "config" / "legends" / "nlcd.yaml"
ZION = REPO / "tests" / "fixtures" / "zion"
LAEA_EUROPE = "EPSG:3035"
X0, Y0, CELL = 4_000_000.0, 3_000_000.0, 100.0
AGREEMENT = 0.005  # the brief: within 0.5 % of exactextract


def cells(c0: float, r0: float, c1: float, r1: float) -> shapely.Polygon:
    """Box of columns [c0, c1) and rows [r0, r1) of the tiny raster, in EPSG:3035."""
    return shapely.box(X0 + c0 * CELL, Y0 - r1 * CELL, X0 + c1 * CELL, Y0 - r0 * CELL)


def to_crs(geometries, crs: str, *, source: str = LAEA_EUROPE) -> list:
    """Geometries densified (10 m) and reprojected."""
    return list(gpd.GeoSeries(geometries, crs=source).segmentize(10.0).to_crs(crs))


@pytest.fixture
def tiny(tmp_path):
    """The tiny raster and a city covering all of it; returns (raster, city) paths."""
    return tiny_city(tmp_path)


def tiny_city(tmp_path: Path) -> tuple[Path, Path]:
    """Write the tiny raster and a city covering all of it; returns (raster, city) paths."""
    codes = np.full((10, 10), 50, dtype=np.uint8)
    codes[:, :4] = 10
    raster = write_raster(
        tmp_path / "landcover.tif", codes, transform=Affine(CELL, 0, X0, 0, -CELL, Y0), crs=LAEA_EUROPE, nodata=0
    )
    city = write_vector(tmp_path / "city.gpkg", [cells(0, 0, 10, 10)], crs=LAEA_EUROPE)
    return raster, city


def run_stage(
    tmp_path: Path,
    raster,
    city,
    *,
    rule: str = "centre",
    rules=None,
    layers=None,
    population=None,
    population_raster=None,
    legend=WORLDCOVER,
    name: str = "out",
    block_rows: int = 3,
    coverage_layers=None,
    scenario_changes=(),
    changes_csv=None,
    **paths,
) -> pd.DataFrame:
    """Run the overlay stage (in strips of ``block_rows`` rows) and return its table indexed by indicator."""
    compute_overlay_indicators(
        city="tiny",
        year=2020,
        raster_path=str(raster),
        boundary=BoundarySpec(str(city)),
        legend_path=str(legend),
        method={"boundary_rule": rule},
        overlay_rules=rules or {},
        overlay_paths={kind: str(path) for kind, path in paths.items()},
        overlay_layers=layers or {},
        population=population,
        population_raster_path=population_raster and str(population_raster),
        equal_area_crs="auto",
        boundary_coverage_tolerance_percent=1.0,
        indicators_csv=str(tmp_path / f"{name}.csv"),
        overlays_gpkg=str(tmp_path / f"{name}.gpkg"),
        block_rows=block_rows,
        coverage_layers=coverage_layers,
        scenario_changes=scenario_changes,
        changes_csv=changes_csv,
    )
    return pd.read_csv(tmp_path / f"{name}.csv").set_index("indicator")


def value(table: pd.DataFrame, indicator: str) -> float:
    return float(table.loc[indicator, "value"])


# ------------------------------------------------------------------------------------------- hand-computed


@pytest.mark.parametrize("rule", ["centre", "exact"])
def test_overlapping_protected_polygons_count_once(tmp_path, tiny, rule):
    # A: columns 0-2, rows 0-4 (15 ha); B: columns 1-3, rows 2-6 (15 ha); overlap 6 ha; all natural -> 24 ha.
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5), cells(1, 2, 4, 7)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, *tiny, rule=rule, protected_areas=protected)
    assert value(table, "protected_area") == pytest.approx(24.0, rel=1e-6)
    assert value(table, "protected_natural_area") == pytest.approx(24.0, rel=1e-6)
    assert value(table, "I9") == pytest.approx(24.0, rel=1e-6)
    assert table.loc["I9", "unit"] == "%"


@pytest.mark.parametrize("rule", ["centre", "exact"])
def test_polygon_partly_outside_the_city_is_clipped(tmp_path, tiny, rule):
    raster, _ = tiny
    city = write_vector(tmp_path / "half.gpkg", [cells(0, 0, 5, 10)], crs=LAEA_EUROPE)  # 50 ha
    protected = write_vector(tmp_path / "pa.gpkg", [cells(3, 0, 8, 10)], crs=LAEA_EUROPE)  # 20 ha in the city
    table = run_stage(tmp_path, raster, city, rule=rule, protected_areas=protected)
    assert value(table, "protected_area") == pytest.approx(20.0, rel=1e-6)
    assert value(table, "protected_natural_area") == pytest.approx(10.0, rel=1e-6)  # column 3 only
    assert value(table, "I9") == pytest.approx(20.0, rel=1e-6)
    layer = gpd.read_file(tmp_path / "out.gpkg", layer="protected_natural_areas")
    assert shapely.within(layer.geometry.iloc[0], cells(0, 0, 5, 10).buffer(1e-6))
    assert layer["area_ha"].iloc[0] == pytest.approx(20.0, rel=1e-6)


def test_boundary_rules_on_a_city_edge_inside_cells(tmp_path, tiny):
    raster, _ = tiny
    city = write_vector(tmp_path / "city46.gpkg", [cells(0, 0, 4.6, 10)], crs=LAEA_EUROPE)
    protected = write_vector(tmp_path / "pa.gpkg", [cells(3, 0, 8, 10)], crs=LAEA_EUROPE)
    centre = run_stage(tmp_path, raster, city, rule="centre", protected_areas=protected, name="centre")
    assert value(centre, "protected_area") == pytest.approx(20.0, rel=1e-6)  # column 4's centres lie inside
    assert value(centre, "I9") == pytest.approx(100 * 10 / 50, rel=1e-6)
    exact = run_stage(tmp_path, raster, city, rule="exact", protected_areas=protected, name="exact")
    assert value(exact, "protected_area") == pytest.approx(16.0, rel=1e-6)  # column 3 and 0.6 of column 4
    assert value(exact, "I9") == pytest.approx(100 * 10 / 46, rel=1e-6)
    # A polygon edge inside the city's edge cells: f(P ∩ city) = 0.4 per cell, not w · f(P) = 0.6 · 0.8.
    sliver = write_vector(tmp_path / "sliver.gpkg", [cells(4.2, 0, 8, 10)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, raster, city, rule="exact", protected_areas=sliver, name="sliver")
    assert value(table, "protected_area") == pytest.approx(4.0, rel=1e-6)


def test_city_edge_less_than_half_a_cell_into_a_column(tmp_path, tiny):
    """The window keeps the city's last partial column (rasterio 1.4 rounds window lengths to nearest)."""
    raster, _ = tiny
    city = write_vector(tmp_path / "city44.gpkg", [cells(0, 0, 4.4, 10)], crs=LAEA_EUROPE)
    protected = write_vector(tmp_path / "pa.gpkg", [cells(3, 0, 8, 10)], crs=LAEA_EUROPE)
    exact = run_stage(tmp_path, raster, city, rule="exact", protected_areas=protected)
    assert value(exact, "protected_area") == pytest.approx(14.0, rel=1e-6)


def test_partial_cell_coverage(tmp_path, tiny):
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 2.5, 1)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, *tiny, protected_areas=protected)
    assert value(table, "protected_natural_area") == pytest.approx(2.5, rel=1e-6)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:32632"])
def test_polygons_in_another_crs(tmp_path, tiny, crs):
    geometries = to_crs([cells(0, 0, 3, 5), cells(1, 2, 4, 7)], crs)
    protected = write_vector(
        tmp_path / "pa.geojson" if crs == "EPSG:4326" else tmp_path / "pa.gpkg", geometries, crs=crs
    )
    table = run_stage(tmp_path, *tiny, rule="exact", protected_areas=protected)
    assert value(table, "I9") == pytest.approx(24.0, rel=1e-4)


def test_status_filter_and_exclusion(tmp_path, tiny):
    protected = write_vector(
        tmp_path / "wdpa.gpkg",
        [cells(0, 0, 3, 5), cells(1, 2, 4, 7), cells(0, 8, 4, 10)],
        crs=LAEA_EUROPE,
        STATUS=["Designated", "Proposed", " designated "],
        DESIG_ENG=["National Park", "Nature Reserve", "UNESCO-MAB Biosphere Reserve"],
    )
    rules = {
        "protected_areas": {
            "where": {"STATUS": ["Designated", "Inscribed", "Adopted", "Established"]},
            "exclude": {"DESIG_ENG": ["UNESCO-MAB Biosphere Reserve"]},
        }
    }
    table = run_stage(tmp_path, *tiny, rules=rules, protected_areas=protected)
    assert value(table, "protected_natural_area") == pytest.approx(15.0, rel=1e-6)  # only the first polygon
    assert "1 of 3 features near the city kept (STATUS in [Designated" in table.loc["I9", "method"]
    without_exclusion = {"protected_areas": {"where": {"STATUS": ["designated"]}}}
    table = run_stage(tmp_path, *tiny, rules=without_exclusion, protected_areas=protected, name="second")
    assert value(table, "protected_natural_area") == pytest.approx(15.0 + 8.0, rel=1e-6)


def test_redline_shares(tmp_path, tiny):
    redline = write_vector(tmp_path / "redline.gpkg", [cells(2, 0, 6, 10)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, *tiny, redline=redline)
    assert value(table, "redline_area") == pytest.approx(40.0, rel=1e-6)
    assert value(table, "redline_natural_area") == pytest.approx(20.0, rel=1e-6)
    assert value(table, "redline_coverage") == pytest.approx(40.0, rel=1e-6)
    assert value(table, "redline_natural_share") == pytest.approx(50.0, rel=1e-6)
    assert "I9" not in table.index and "I13" not in table.index


def test_parks_and_protected_areas_are_dissolved_together(tmp_path, tiny):
    parks = write_vector(tmp_path / "parks.gpkg", [cells(0, 0, 2, 10)], crs=LAEA_EUROPE)  # 20 ha natural
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE)  # 15 ha, 10 shared
    table = run_stage(tmp_path, *tiny, parks=parks, protected_areas=protected, population="50000")
    assert value(table, "park_natural_area") == pytest.approx(20.0, rel=1e-6)
    assert value(table, "parks_and_protected_natural_area") == pytest.approx(25.0, rel=1e-6)
    assert value(table, "population") == 50000
    assert value(table, "I13") == pytest.approx(25.0 / 50.0, rel=1e-6)
    assert table.loc["I13", "unit"] == "ha per 1000 persons"
    counted = gpd.read_file(tmp_path / "out.gpkg", layer="parks_counted")
    assert counted["natural_area_ha"].iloc[0] == pytest.approx(25.0, rel=1e-6)
    assert counted.geometry.iloc[0].area == pytest.approx(25.0 * 10_000, rel=1e-9)


def write_population(tmp_path: Path, *, crs=LAEA_EUROPE, name="population.tif") -> Path:
    """2 × 2 cells of 500 m over the tiny raster: 100, 200 / 300, nodata (a 400 hidden behind nodata)."""
    counts = np.array([[100.0, 200.0], [300.0, -99999.0]], dtype=np.float32)
    return write_raster(
        tmp_path / name, counts, transform=Affine(500.0, 0, X0, 0, -500.0, Y0), crs=crs, nodata=-99999.0
    )


def test_population_raster_summed_under_the_boundary_by_hand(tmp_path, tiny):
    raster, _ = tiny
    city = write_vector(tmp_path / "city.gpkg", [cells(0, 0, 7.6, 10)], crs=LAEA_EUROPE)
    parks = write_vector(tmp_path / "parks.gpkg", [cells(0, 0, 2, 10)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, raster, city, parks=parks, population_raster=write_population(tmp_path))
    # left column whole (100 + 300), right column 0.52 covered (0.52 · 200; the nodata cell counts nobody)
    expected = 100 + 300 + 0.52 * 200
    assert value(table, "population") == pytest.approx(expected, rel=1e-6)
    assert value(table, "I13") == pytest.approx(20.0 / (expected / 1000), rel=1e-6)
    by_number = run_stage(tmp_path, raster, city, parks=parks, population=str(expected), name="number")
    assert value(by_number, "I13") == pytest.approx(value(table, "I13"), rel=1e-6)


def test_population_raster_in_another_crs_matches_exactextract(tmp_path, tiny):
    """A UTM population raster under a city given in EPSG:4326: Σ f · count, as exactextract's sum."""
    raster, _ = tiny
    city_geometry = to_crs(
        [shapely.Polygon([(X0 + 50, Y0 - 30), (X0 + 930, Y0 - 120), (X0 + 610, Y0 - 970)])], "EPSG:4326"
    )[0]
    city = write_vector(tmp_path / "city4326.gpkg", [city_geometry], crs="EPSG:4326")
    in_utm = gpd.read_file(city).to_crs("EPSG:32631")
    left, bottom, right, top = in_utm.total_bounds
    # 39.6 cells across, starting 0.2 cell in: partial cells on every side of the boundary.
    width, height = (right - left) / 39.6, (top - bottom) / 39.6
    counts = np.random.default_rng(7).uniform(0, 50, (41, 41)).astype(np.float32)
    population = write_raster(
        tmp_path / "pop_utm.tif",
        counts,
        crs="EPSG:32631",
        transform=Affine(width, 0, left - 0.2 * width, 0, -height, top + 0.2 * height),
    )
    parks = write_vector(tmp_path / "parks.gpkg", [cells(0, 0, 2, 10)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, raster, city, parks=parks, population_raster=population)
    expected = exact_extract(str(population), in_utm, ["sum"], output="pandas")["sum"].iloc[0]
    assert value(table, "population") == pytest.approx(expected, rel=1e-4)


def test_missing_population_leaves_i13_not_assessed(tmp_path, tiny):
    parks = write_vector(tmp_path / "parks.gpkg", [cells(0, 0, 2, 10)], crs=LAEA_EUROPE)
    table = run_stage(tmp_path, *tiny, parks=parks)
    assert np.isnan(value(table, "I13"))
    assert table.loc["I13", "method"].startswith("not assessed: no population")
    assert "population" not in table.index
    assert value(table, "park_natural_area") == pytest.approx(20.0, rel=1e-6)


def test_both_population_inputs_are_rejected(tmp_path, tiny):
    parks = write_vector(tmp_path / "parks.gpkg", [cells(0, 0, 2, 10)], crs=LAEA_EUROPE)
    with pytest.raises(CBIInputError, match="both population and population_raster"):
        run_stage(tmp_path, *tiny, parks=parks, population="1000", population_raster=write_population(tmp_path))


@pytest.mark.parametrize(("text", "message"), [("many", "is not a number"), ("0", "must be more than 0")])
def test_bad_population_number(text, message):
    with pytest.raises(CBIInputError, match=message):
        parse_population(text)
    assert parse_population(" ") is None and parse_population("2093000") == 2093000


def test_geopackage_has_every_layer_even_when_not_assessed(tmp_path, tiny):
    redline = write_vector(tmp_path / "redline.gpkg", [cells(2, 0, 6, 10)], crs=LAEA_EUROPE)
    run_stage(tmp_path, *tiny, redline=redline)
    layers = dict(pyogrio.list_layers(tmp_path / "out.gpkg"))
    assert layers == {
        "protected_natural_areas": "MultiPolygon",
        "redline_areas": "MultiPolygon",
        "parks_counted": "MultiPolygon",
    }
    assert gpd.read_file(tmp_path / "out.gpkg", layer="protected_natural_areas").empty
    red = gpd.read_file(tmp_path / "out.gpkg", layer="redline_areas")
    assert red[["area_ha", "natural_area_ha"]].iloc[0].tolist() == pytest.approx([40.0, 20.0], rel=1e-6)
    assert CRS.from_user_input(red.crs) == CRS.from_user_input(LAEA_EUROPE)


# ------------------------------------------------------------------------------------------- bad input


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_two_layers(path: Path) -> Path:
    write_vector(path, [cells(0, 0, 3, 5)], crs=LAEA_EUROPE)
    gpd.GeoDataFrame(geometry=[cells(1, 2, 4, 7)], crs=LAEA_EUROPE).to_file(path, layer="second")
    return path


BAD_LAYERS = {
    "empty layer": (
        lambda d: write_text(d / "empty.geojson", '{"type":"FeatureCollection","features":[]}'),
        "holds no features; give the polygons or leave the city sheet's protected_areas column empty",
    ),
    "no CRS": (lambda d: write_vector(d / "nocrs.gpkg", [cells(0, 0, 3, 5)], crs=None), "has no CRS"),
    "corrupt file": (lambda d: write_text(d / "corrupt.gpkg", "not a geopackage"), "could not be read"),
    "missing file": (lambda d: d / "absent.gpkg", "does not exist; check the city sheet's protected_areas column"),
    "points only": (
        lambda d: write_vector(d / "points.gpkg", [shapely.Point(X0 + 50, Y0 - 50)], crs=LAEA_EUROPE),
        "holds no polygons near the city",
    ),
    "two layers": (
        lambda d: write_two_layers(d / "two.gpkg"),
        "holds 2 layers .* name one in the city sheet's protected_areas_layer column",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LAYERS))
def test_bad_overlay_layers_fail_with_one_sentence(tmp_path, tiny, case):
    make, message = BAD_LAYERS[case]
    path = make(tmp_path)
    with pytest.raises(CBIInputError, match=message) as caught:
        run_stage(tmp_path, *tiny, protected_areas=path)
    text = str(caught.value)
    assert str(path) in text and text.endswith(".") and "\n" not in text


def test_a_named_layer_of_a_multi_layer_file(tmp_path, tiny):
    path = write_two_layers(tmp_path / "two.gpkg")
    table = run_stage(tmp_path, *tiny, protected_areas=path, layers={"protected_areas": "second"})
    assert value(table, "protected_natural_area") == pytest.approx(15.0, rel=1e-6)
    with pytest.raises(CBIInputError, match="has no layer 'third' .*protected_areas_layer"):
        run_stage(tmp_path, *tiny, protected_areas=path, layers={"protected_areas": "third"})


def test_filter_column_missing_names_the_config_key(tmp_path, tiny):
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE, NAME=["A"])
    with pytest.raises(CBIInputError, match=r"has no column 'STATUS' \(columns: NAME\); fix overlays\.protected_areas"):
        run_stage(
            tmp_path, *tiny, rules={"protected_areas": {"where": {"STATUS": ["Designated"]}}}, protected_areas=protected
        )


def test_a_layer_away_from_the_city_gives_zero_with_a_warning(tmp_path, tiny, caplog):
    far = write_vector(tmp_path / "far.gpkg", [shapely.box(0, 0, 1000, 1000)], crs=LAEA_EUROPE)
    with caplog.at_level(logging.WARNING):
        table = run_stage(tmp_path, *tiny, protected_areas=far, redline=far)
    assert value(table, "I9") == 0.0 and value(table, "redline_coverage") == 0.0
    assert np.isnan(value(table, "redline_natural_share"))  # no red line in the city: share undefined
    assert "no polygon lies within the city's extent" in caplog.text and "check the file's CRS" in caplog.text
    assert "no kept polygon lies in the city's extent" in table.loc["I9", "method"]


def test_a_filter_keeping_nothing_gives_zero_and_lists_the_values(tmp_path, tiny, caplog):
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE, STATUS=["Proposed"])
    with caplog.at_level(logging.WARNING):
        table = run_stage(
            tmp_path, *tiny, rules={"protected_areas": {"where": {"STATUS": ["Designated"]}}}, protected_areas=protected
        )
    assert value(table, "I9") == 0.0
    assert "keeps none of the 1 features near the city" in caplog.text and "STATUS: Proposed" in caplog.text


def test_invalid_polygons_are_repaired(tmp_path, tiny, caplog):
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 200, Y0 - 200), (X0 + 200, Y0), (X0, Y0 - 200)])  # 2 × 1 ha triangles
    protected = write_vector(tmp_path / "bowtie.gpkg", [bowtie], crs=LAEA_EUROPE)
    with caplog.at_level(logging.WARNING):
        table = run_stage(tmp_path, *tiny, protected_areas=protected)
    assert value(table, "protected_area") == pytest.approx(2.0, rel=1e-6)
    assert "repaired an invalid geometry" in caplog.text


# ------------------------------------------------------------------------------------------- exactextract


def cell_area_raster(raster: Path, destination: Path) -> Path:
    """Ground area of every cell, computed independently of cbindex: each cell's four corners are projected to
    a Lambert azimuthal equal-area CRS centred on the raster and measured with the shoelace formula."""
    with rasterio.open(raster) as source:
        profile, transform, crs = source.profile, source.transform, CRS.from_user_input(source.crs)
        rows, cols = source.shape
    xs, ys = np.meshgrid(
        transform.c + transform.a * np.arange(cols + 1), transform.f + transform.e * np.arange(rows + 1)
    )
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    laea = CRS.from_proj4(f"+proj=laea +lat_0={lat.mean()} +lon_0={lon.mean()} +ellps=WGS84 +units=m")
    x, y = Transformer.from_crs("EPSG:4326", laea, always_xy=True).transform(lon, lat)
    corners = [(x[:-1, :-1], y[:-1, :-1]), (x[:-1, 1:], y[:-1, 1:]), (x[1:, 1:], y[1:, 1:]), (x[1:, :-1], y[1:, :-1])]
    twice = sum(xa * yb - xb * ya for (xa, ya), (xb, yb) in zip(corners, corners[1:] + corners[:1], strict=True))
    area = np.abs(twice) / 2
    profile.update(dtype="float64", nodata=None)
    with rasterio.open(destination, "w", **profile) as target:
        target.write(area, 1)
    return destination


def natural_raster(raster: Path, legend_path: Path, destination: Path) -> Path:
    """1 where the land-cover code is natural (legend defaults), else 0."""
    legend = load_legend(legend_path)
    with rasterio.open(raster) as source:
        profile, codes = source.profile, source.read(1)
    natural = np.isin(codes, sorted(natural_codes(legend, bare_is_natural=False, snow_is_natural=True)))
    profile.update(dtype="float64", nodata=None)
    with rasterio.open(destination, "w", **profile) as target:
        target.write(natural.astype(np.float64), 1)
    return destination


class ExactextractOracle:
    """Areas under polygons by exactextract on the raster file, with an independent cell-area weights raster."""

    def __init__(self, raster: Path, legend_path: Path, folder: Path):
        with rasterio.open(raster) as source:
            self.crs = CRS.from_user_input(source.crs)
        self.cell_area = str(cell_area_raster(raster, folder / "cell_area.tif"))
        self.natural = str(natural_raster(raster, legend_path, folder / "natural.tif"))

    def areas_ha(self, polygons: gpd.GeoSeries) -> tuple[float, float]:
        """(area, natural area) under the union of the polygons, ha."""
        frame = gpd.GeoDataFrame(geometry=[shapely.union_all(list(polygons.to_crs(self.crs)))], crs=self.crs)
        area = exact_extract(self.cell_area, frame, ["sum"], output="pandas")["sum"].iloc[0]
        natural = exact_extract(self.natural, frame, ["weighted_sum"], weights=self.cell_area, output="pandas")[
            "weighted_sum"
        ].iloc[0]
        return area / 10_000, natural / 10_000


def test_utm_polygons_over_a_geographic_raster_agree_with_exactextract(tmp_path):
    rng = np.random.default_rng(42)
    codes = rng.choice(np.array([10, 30, 50, 80], dtype=np.uint8), size=(150, 200), p=[0.4, 0.1, 0.4, 0.1])
    raster = write_raster(
        tmp_path / "geographic.tif", codes, transform=Affine(0.001, 0, 9.0, 0, -0.001, 45.15), crs="EPSG:4326", nodata=0
    )
    city_4326 = shapely.Polygon([(9.01, 45.01), (9.19, 45.03), (9.17, 45.14), (9.05, 45.13), (9.02, 45.08)])
    city = write_vector(tmp_path / "city.gpkg", [city_4326], crs="EPSG:4326")
    utm = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
    centres = [utm.transform(9.07, 45.07), utm.transform(9.09, 45.08), utm.transform(9.185, 45.10)]
    circles = [shapely.Point(x, y).buffer(2500, quad_segs=64) for x, y in centres]  # overlapping; one leaves
    protected = write_vector(tmp_path / "pa_utm.gpkg", circles, crs="EPSG:32632")
    redline_3857 = to_crs(
        [shapely.box(*utm.transform(9.03, 45.02), *utm.transform(9.12, 45.12))], "EPSG:3857", source="EPSG:32632"
    )
    redline = write_vector(
        tmp_path / "redline.geojson", to_crs(redline_3857, "EPSG:4326", source="EPSG:3857"), crs="EPSG:4326"
    )
    table = run_stage(tmp_path, raster, city, rule="exact", protected_areas=protected, redline=redline)

    city_series = gpd.GeoSeries([city_4326], crs="EPSG:4326")
    clipped = (
        gpd.GeoSeries(circles, crs="EPSG:32632").segmentize(20).to_crs("EPSG:4326").intersection(city_series.iloc[0])
    )
    oracle = ExactextractOracle(raster, WORLDCOVER, tmp_path)
    area, natural = oracle.areas_ha(clipped)
    city_area, _ = oracle.areas_ha(city_series)
    assert value(table, "protected_area") == pytest.approx(area, rel=AGREEMENT)
    assert value(table, "protected_natural_area") == pytest.approx(natural, rel=AGREEMENT)
    assert value(table, "I9") == pytest.approx(100 * natural / city_area, rel=AGREEMENT)
    red = gpd.read_file(redline).geometry.intersection(city_4326)
    red_area, red_natural = oracle.areas_ha(red)
    assert value(table, "redline_coverage") == pytest.approx(100 * red_area / city_area, rel=AGREEMENT)
    assert value(table, "redline_natural_share") == pytest.approx(100 * red_natural / red_area, rel=AGREEMENT)


def zion_city(tmp_path: Path) -> Path:
    """A box over the southern two thirds of Zion, in EPSG:26912 (the raster's UTM 12N under another definition),
    with edges on the raster's cell edges."""
    with rasterio.open(ZION / "nlcd2011.tif") as source:
        transform = source.transform
    left, top = transform @ (100, 600)
    right, bottom = transform @ (990, 1330)
    return write_vector(tmp_path / "zion_box.gpkg", [shapely.box(left, bottom, right, top)], crs="EPSG:26912")


@pytest.mark.parametrize("rule", ["exact", "centre"])
def test_zion_protected_area_agrees_with_exactextract(tmp_path, rule):
    city = zion_city(tmp_path)
    table = run_stage(
        tmp_path,
        ZION / "nlcd2011.tif",
        city,
        rule=rule,
        legend=NLCD,
        block_rows=256,
        protected_areas=ZION / "zion.gpkg",
    )
    park = gpd.read_file(ZION / "zion.gpkg").geometry
    box = gpd.read_file(city).to_crs(park.crs).geometry.iloc[0]
    oracle = ExactextractOracle(ZION / "nlcd2011.tif", NLCD, tmp_path)
    area, natural = oracle.areas_ha(park.intersection(box))
    city_area, _ = oracle.areas_ha(gpd.read_file(city).geometry)
    assert value(table, "protected_area") == pytest.approx(area, rel=AGREEMENT)
    assert value(table, "protected_natural_area") == pytest.approx(natural, rel=AGREEMENT)
    assert value(table, "I9") == pytest.approx(100 * natural / city_area, rel=AGREEMENT)
    assert 20 < value(table, "I9") < 80  # the box holds part of the park, and part of the park lies outside


# ------------------------------------------------------------------------- China's protected-area system

CATEGORY_RULES = {"protected_areas": {"category_column": "类型"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("国家公园", "national_park"),
        ("大熊猫国家公园", "national_park"),
        ("国家级自然保护区", "nature_reserve"),
        (" National Nature Reserve ", "nature_reserve"),
        ("国家森林公园", "forest_park"),  # holds 国家…公园 but is a forest park
        ("省级森林公园", "forest_park"),
        ("National Forest Park", "forest_park"),
        ("国家湿地公园（试点）", "wetland_park"),
        ("世界地质公园", "geopark"),
        ("UNESCO Global Geopark", "geopark"),
        ("国家级风景名胜区", "scenic_area"),
        ("国家海洋公园", "marine_park"),
        ("国家沙漠（石漠）公园", "desert_park"),
        ("国家草原公园", "grassland_park"),
        ("自然公园", "natural_park"),
        ("National Park", "national_park"),
        ("城市公园", None),
        ("", None),
        (None, None),
    ],
)
def test_the_category_a_value_names(text, expected):
    assert category_of(text) == expected


def test_every_category_has_its_chinese_and_english_name_as_a_match():
    for category in CATEGORIES:
        assert category_of(category.name_zh.split("（")[0]) == category.id
        assert category_of(category.name.split(" (")[0]) == category.id


@pytest.mark.parametrize("rule", ["centre", "exact"])
def test_overlapping_categories_count_once_and_add_up(tmp_path, tiny, rule):
    # Natural cells are columns 0-3. Nature reserve: columns 0-2, rows 0-4 (15 ha, natural). Forest park: columns
    # 1-5, rows 3-7 (25 ha, 4 of them in the reserve). National park: columns 0-1, rows 8-9 (4 ha, natural). A city
    # park (城市公园) is no category and is left out.
    protected = write_vector(
        tmp_path / "pa.gpkg",
        [cells(0, 0, 3, 5), cells(1, 3, 6, 8), cells(0, 8, 2, 10), cells(6, 0, 10, 10)],
        crs=LAEA_EUROPE,
        类型=["省级自然保护区", "国家森林公园", "国家公园", "城市公园"],
    )
    table = run_stage(tmp_path, *tiny, rule=rule, rules=CATEGORY_RULES, protected_areas=protected)
    # forest park minus reserve: columns 1-5 rows 3-8 = 25 ha, minus columns 1-2 rows 3-5 = 4 ha -> 21 ha;
    # natural part: columns 1-3 rows 3-8 = 15 ha minus the 4 ha shared -> 11 ha.
    expected = {"nature_reserve": (15.0, 15.0), "forest_park": (21.0, 11.0), "national_park": (4.0, 4.0)}
    for category_id, (area, natural) in expected.items():
        assert value(table, f"protected_area_{category_id}") == pytest.approx(area, rel=1e-6)
        assert value(table, f"protected_natural_area_{category_id}") == pytest.approx(natural, rel=1e-6)
    assert value(table, "protected_area") == pytest.approx(40.0, rel=1e-6)  # the city park is not counted
    assert value(table, "protected_natural_area") == pytest.approx(30.0, rel=1e-6)
    categories = [name for name in table.index if name.startswith("protected_area_")]
    assert sum(value(table, name) for name in categories) == pytest.approx(value(table, "protected_area"), rel=1e-9)
    assert not any(name.endswith(("_wetland_park", "_geopark")) for name in table.index)  # absent: no row
    assert "类型 names a category of China's protected-area system" in table.loc["I9", "method"]
    for indicator in categories:  # the Chinese report translates every clause (the filter is shown as a code)
        chinese = method_html(table.loc[indicator, "method"], "zh")
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<code>.*?</code>", "", chinese)), chinese


def test_a_missing_category_column_names_the_config_key(tmp_path, tiny):
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE, TYPE=["自然保护区"])
    with pytest.raises(CBIInputError, match=r"has no column '类型' \(columns: TYPE\).*overlays.protected_areas"):
        run_stage(tmp_path, *tiny, rules=CATEGORY_RULES, protected_areas=protected)


def test_no_feature_of_a_category_gives_zero_and_lists_the_values(tmp_path, tiny, caplog):
    protected = write_vector(tmp_path / "pa.gpkg", [cells(0, 0, 3, 5)], crs=LAEA_EUROPE, 类型=["城市公园"])
    with caplog.at_level(logging.WARNING):
        table = run_stage(tmp_path, *tiny, rules=CATEGORY_RULES, protected_areas=protected)
    assert value(table, "I9") == 0
    assert "城市公园" in caplog.text


# ------------------------------------------------------------------------- coverage layers (control lines)

CONTROL_LINES = [
    {"id": "redline", "name": "ecological protection red line", "name_zh": "生态保护红线"},
    {"id": "eco_control_line", "name": "basic ecological control line", "name_zh": "基本生态控制线"},
    {"id": "urban_development_boundary", "name": "urban development boundary", "name_zh": "城镇开发边界"},
]


@pytest.mark.parametrize("rule", ["centre", "exact"])
def test_every_coverage_layer_gives_its_coverage_and_natural_share(tmp_path, tiny, rule):
    # Natural: columns 0-3. Red line: columns 2-5 (40 ha, 20 natural). Control line: columns 0-6, rows 0-4 (35 ha,
    # 20 natural), overlapping the red line: each layer is measured on its own. The urban development boundary is
    # configured but not given: no rows, an empty layer.
    redline = write_vector(tmp_path / "redline.gpkg", [cells(2, 0, 6, 10)], crs=LAEA_EUROPE)
    control = write_vector(tmp_path / "control.gpkg", [cells(0, 0, 7, 5), cells(0, 0, 2, 2)], crs=LAEA_EUROPE)
    table = run_stage(
        tmp_path, *tiny, rule=rule, coverage_layers=CONTROL_LINES, redline=redline, eco_control_line=control
    )
    assert value(table, "redline_coverage") == pytest.approx(40.0, rel=1e-6)
    assert value(table, "redline_natural_share") == pytest.approx(50.0, rel=1e-6)
    assert value(table, "eco_control_line_area") == pytest.approx(35.0, rel=1e-6)
    assert value(table, "eco_control_line_natural_area") == pytest.approx(20.0, rel=1e-6)
    assert value(table, "eco_control_line_coverage") == pytest.approx(35.0, rel=1e-6)  # of a 100 ha city
    assert value(table, "eco_control_line_natural_share") == pytest.approx(100 * 20 / 35, rel=1e-6)
    assert table.loc["eco_control_line_coverage", "method"].startswith(
        "area of coverage layer eco_control_line (basic ecological control line) / city area x 100"
    )
    for indicator in table.index:  # the Chinese report translates every clause of these methods
        chinese = method_html(table.loc[indicator, "method"], "zh")
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<code>.*?</code>", "", chinese)), chinese
    assert table.loc["redline_coverage", "method"].startswith("red-line area / city area x 100")
    assert not any(name.startswith("urban_development_boundary") for name in table.index)
    layers = dict(pyogrio.list_layers(tmp_path / "out.gpkg"))
    assert list(layers) == [
        "protected_natural_areas",
        "redline_areas",
        "eco_control_line_areas",
        "urban_development_boundary_areas",
        "parks_counted",
    ]
    control_areas = gpd.read_file(tmp_path / "out.gpkg", layer="eco_control_line_areas")
    assert control_areas[["area_ha", "natural_area_ha"]].iloc[0].tolist() == pytest.approx([35.0, 20.0], rel=1e-6)
    assert gpd.read_file(tmp_path / "out.gpkg", layer="urban_development_boundary_areas").empty


def test_coverage_layers_in_the_scorecard(tmp_path):
    from cbindex.scoring.coverage_layers import add_coverage_layers

    spatial = pd.DataFrame(
        {
            "year": [2019, 2019, 2019, 2020, 2020, 2020, 2020],
            "indicator": ["redline_coverage", "redline_natural_share", "redline_area"]
            + ["redline_coverage", "redline_natural_share", "redline_area", "I1"],
            "value": [40.0, 50.0, 40.0, 41.0, 49.0, 41.0, 40.0],
        }
    )
    scorecard = {}
    add_coverage_layers(scorecard, layers=CONTROL_LINES, spatial=spatial)
    assert scorecard["coverage_layers"] == [
        {
            "id": "redline",
            "name": "ecological protection red line",
            "name_zh": "生态保护红线",
            "years": [
                {"year": 2019, "coverage_percent": 40.0, "natural_share_percent": 50.0, "area_ha": 40.0},
                {"year": 2020, "coverage_percent": 41.0, "natural_share_percent": 49.0, "area_ha": 41.0},
            ],
        }
    ]
    untouched = {}
    add_coverage_layers(untouched, layers=CONTROL_LINES, spatial=spatial[spatial["indicator"] == "I1"])
    assert untouched == {}
