"""Exact reproduction of WRI's published natural-area share (I1) of the 51 San José cantons.

How WRI counted (wri/cities-urbanshift, branch biodiv,
baseline-indicators/biodiversity/reports/UrbanShift-Biodiversity-Indicators-Pipeline-Scripts.R, section
"cities_worldcover_stat - municipality level"): for every feature of boundaries-CRI-San_Jose-ADM2.geojson,
``raster::mask(city_worldcover_raster, municipality)`` over the whole San José raster, then the non-NA cells
(nodata 0 is NA) are tallied per class, ``round(100 · n / sum(n), 2)``, and I1 is the sum of the rounded shares of
trees, shrubland, grassland, open water, herbaceous wetland and mangroves. ``raster::mask`` with polygons calls
raster's ``.fasterize`` (src/rasterize.cpp, ``rasterize_polygon``): a scan line through each row's cell centres,
filling columns ``floor(x₁/res + 0.5) .. floor(x₂/res + 0.5) - 1`` between crossings, which is the cell-centre rule
(a reimplementation of it selects exactly the cells that ``shapely.contains_xy`` selects on the cell centres, for
every canton). So WRI used the plain cell-centre rule: no all-touched, no coverage fractions, no reprojection, one
feature per canton, no special rounding (R's and Python's ``round`` agree on every share here); with it every class
percentage of WRI's cities_worldcover_stat.csv is reproduced too, not only I1.

This test found a real bug: the raster window over a boundary was built with rasterio's
``round_offsets(op="floor")``/``round_lengths(op="ceil")``, whose ``op`` rasterio 1.4 ignores, so windows ended one
or two cells short and 8 cantons lost cells whose centres are inside them. ``test_window_covers_every_canton``
keeps that fixed.
"""

import unicodedata

import geopandas as gpd
import pandas as pd
import pytest

from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import open_city_window, read_city_grid
from cbindex.geo.legends import load_legend, natural_codes
from cbindex.landcover.area_shares import class_shares_by_cell_count
from tests.helpers import REPO

SAN_JOSE = REPO / "tests" / "fixtures" / "san_jose"
RASTER = SAN_JOSE / "world_cover_CRI-San_Jose.tif"
CANTONS = SAN_JOSE / "boundaries-CRI-San_Jose-ADM2.geojson"
CANTON_COLUMN = "shapeName.1"
WORLDCOVER = load_legend(REPO / "config" / "legends" / "esa_worldcover_v100.yaml")
WRI_WORLDCOVER_NATURAL = natural_codes(
    WORLDCOVER, bare_is_natural=False, snow_is_natural=False, override_codes=[10, 20, 30, 80, 90, 95]
)


def plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return text.replace("Canton ", "").strip().lower()


def canton_cases() -> list[tuple[str, float]]:
    published = pd.read_csv(SAN_JOSE / "biodiversity_indicators_municipality.csv", encoding="latin-1")
    values = {plain(row.city_id): float(row.value) for row in published.itertuples()}
    names = gpd.read_file(CANTONS)[CANTON_COLUMN].dropna()
    return [(name, values[plain(name)]) for name in names if plain(name) in values]


CASES = canton_cases()


def canton_boundary(name: str):
    return read_city_boundary(CANTONS, filter_column=CANTON_COLUMN, filter_value=name)


def wri_natural_share(name: str) -> float:
    grid = read_city_grid(RASTER, canton_boundary(name), boundary_rule="centre", nodata_codes=(0,))
    shares = class_shares_by_cell_count(grid)
    return round(sum(round(share, 2) for code, share in shares.items() if code in WRI_WORLDCOVER_NATURAL), 2)


def test_canton_names_match_all_but_san_ramon():
    published = pd.read_csv(SAN_JOSE / "biodiversity_indicators_municipality.csv", encoding="latin-1")
    names = gpd.read_file(CANTONS)[CANTON_COLUMN]
    assert len(published) == 51 and len(names) == 52
    assert len(CASES) == 51
    assert [plain(name) for name in names if plain(name) not in {plain(c) for c, _ in CASES}] == ["san ramon"]


@pytest.mark.parametrize(("canton", "published"), CASES, ids=[plain(canton) for canton, _ in CASES])
def test_san_jose_canton(canton, published):
    assert wri_natural_share(canton) == pytest.approx(published, abs=1e-9)


def test_window_covers_every_canton():
    """The window read for a canton holds every cell its bounds touch (regression test)."""
    short = []
    for canton, _ in CASES:
        boundary = canton_boundary(canton)
        window = open_city_window(RASTER, boundary)
        rows, cols = window.shape
        left, top = window.transform.c, window.transform.f
        right, bottom = left + cols * window.transform.a, top + rows * window.transform.e
        b_left, b_bottom, b_right, b_top = boundary.geometry.bounds
        if not (left <= b_left and b_right <= right and bottom <= b_bottom and b_top <= top):
            short.append(plain(canton))
    assert short == []
