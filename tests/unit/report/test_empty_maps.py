"""The report's maps when there is nothing to draw: no natural area, no connectivity group, overlay layers with no
polygon inside the city. Each absence is said in a note, in English and Chinese, never left silent or misnamed."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from cbindex.core.output_names import GROUPS_LAYER, OVERLAY_LAYER_NAMES
from cbindex.geo.boundary import read_city_boundary
from cbindex.landcover.spatial_outputs import YearOutputs
from cbindex.report.stage import draw_maps, given_overlay_kinds, natural_area_notes
from cbindex.report.text import text
from tests.helpers import write_raster, write_vector

ORIGIN = Affine(100.0, 0, 4_000_000.0, 0, -100.0, 3_000_000.0)
CITY = shapely.box(4_000_100.0, 2_999_100.0, 4_000_900.0, 2_999_900.0)


def empty_layer(path, layer: str) -> None:
    gpd.GeoDataFrame({"area_ha": []}, geometry=gpd.GeoSeries([], crs="EPSG:3035")).to_file(
        path, layer=layer, geometry_type="MultiPolygon"
    )


@pytest.fixture
def built_up_year(tmp_path):
    """A year whose mask has no natural cell, whose groups layer is empty and whose overlay layers are all empty."""
    mask = np.full((10, 10), 255, dtype=np.uint8)
    mask[1:9, 1:9] = 0
    write_raster(tmp_path / "natural_areas.tif", mask, transform=ORIGIN, crs="EPSG:3035", nodata=255)
    empty_layer(tmp_path / "groups.gpkg", GROUPS_LAYER)
    for layer in OVERLAY_LAYER_NAMES.values():
        empty_layer(tmp_path / "overlays.gpkg", layer)
    boundary = read_city_boundary(write_vector(tmp_path / "city.gpkg", [CITY], crs="EPSG:3035", name=["city"]))
    year = YearOutputs(
        year=2020,
        natural_mask=str(tmp_path / "natural_areas.tif"),
        groups=str(tmp_path / "groups.gpkg"),
        overlays=str(tmp_path / "overlays.gpkg"),
    )
    return year, boundary


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_group_and_no_overlay_inside_are_notes_not_empty_maps(built_up_year, language):
    year, boundary = built_up_year
    maps, notes = draw_maps(
        year,
        boundary=boundary,
        gap_distance_m=100.0,
        language=language,
        overlay_kinds={"protected_areas", "redline"},
    )
    assert [figure.key for figure in maps] == ["natural-areas"]
    assert notes == [
        text("no_groups", language, year=2020),
        text("no_protected_areas_inside", language, year=2020),
        text("no_redline_inside", language, year=2020),
    ]
    assert text("no_overlays", language) not in notes  # the sheet does name them: they are empty, not missing


def test_wording_of_the_notes():
    assert text("no_protected_areas_inside", "en", year=2020).startswith("No protected area inside the city in 2020")
    assert text("no_protected_areas_inside", "zh", year=2020).startswith("2020年市内无保护地")
    assert text("no_natural_area", "en", year=2020).startswith("No natural area in 2020")
    assert text("no_natural_area", "zh", year=2020).startswith("2020年无自然区域")


def test_only_the_protected_areas_given_and_empty(built_up_year):
    year, boundary = built_up_year
    _, notes = draw_maps(
        year, boundary=boundary, gap_distance_m=100.0, language="en", overlay_kinds={"protected_areas"}
    )
    assert notes == [text("no_groups", "en", year=2020), text("no_protected_areas_inside", "en", year=2020)]


def test_without_overlays_in_the_sheet_the_note_says_so(built_up_year):
    year, boundary = built_up_year
    _, notes = draw_maps(year, boundary=boundary, gap_distance_m=100.0, language="en")
    assert notes[-1] == text("no_overlays", "en")


def test_years_without_natural_area_and_given_overlays_come_from_the_indicator_table():
    indicators = pd.DataFrame(
        {
            "indicator": ["natural_area", "natural_area", "I1", "protected_area", "redline_area", "I5"],
            "year": [2019, 2020, 2020, 2020, 2019, None],
            "value": [3.5, 0.0, 0.0, 0.0, 0.0, 1.0],
        }
    )
    assert natural_area_notes(indicators, language="zh") == [text("no_natural_area", "zh", year=2020)]
    assert given_overlay_kinds(indicators, year=2020) == {"protected_areas"}
    assert given_overlay_kinds(indicators, year=2019) == {"redline"}
