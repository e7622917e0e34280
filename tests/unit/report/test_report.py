"""The city report's pieces: number formats, band plot ranges, group ranks, maps with overlays (the workflow runs are in
tests/workflow/test_report_workflow.py)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine

from cbindex.core.output_names import OVERLAY_LAYER_NAMES
from cbindex.geo.boundary import read_city_boundary
from cbindex.landcover.spatial_outputs import YearOutputs
from cbindex.report.figures import BandedValues, BandSpan, display_range
from cbindex.report.stage import draw_maps, group_ranks
from cbindex.report.text import format_change, format_number
from tests.helpers import write_raster, write_vector

# ----------------------------------------------------------------------------------------- small pieces


def test_number_formats():
    assert format_number(17.46185, unit="%") == "17.46 %"
    assert format_number(408.0853, unit="ha") == "408.1 ha"
    assert format_number(7391.137) == "7,391.1"
    assert format_number(4) == "4"
    assert format_number(0) == "0"
    assert format_number(None, unit="%") == "—"
    assert format_change(-0.59) == "−0.59"
    assert format_change(2.0) == "+2"


def test_band_plot_range_shows_every_band_and_value():
    bands = (BandSpan(None, 1.0, 0, "< 1"), BandSpan(1.0, 20.0, 3, "1–20"), BandSpan(20.0, None, 4, "> 20"))
    low, high = display_range(BandedValues("I1", "%", bands, ((None, 17.5),), value_min=0.0, value_max=100.0))
    assert low == 0.0
    assert 20.0 < high < 100.0
    low, high = display_range(BandedValues("I1", "%", bands, ((None, 95.0),), value_min=0.0, value_max=100.0))
    assert high == 100.0


CELL = 100.0
ORIGIN = Affine(CELL, 0, 4_000_000.0, 0, -CELL, 3_000_000.0)


def box(c0, r0, c1, r1):
    """Cells [c0, c1) × [r0, r1) of a 100 m grid in EPSG:3035."""
    return shapely.box(
        4_000_000.0 + c0 * CELL, 3_000_000.0 - r1 * CELL, 4_000_000.0 + c1 * CELL, 3_000_000.0 - r0 * CELL
    )


def test_group_ranks_put_the_largest_group_first():
    groups = gpd.GeoDataFrame({"area_ha": [1.0, 6.0]}, geometry=[box(0, 0, 1, 1), box(2, 0, 4, 3)], crs="EPSG:3035")
    ranks, areas = group_ranks(groups, shape=(4, 5), transform=ORIGIN)
    assert areas == [6.0, 1.0]
    assert ranks[0, 0] == 2 and ranks[1, 3] == 1 and ranks[3, 4] == 0
    assert (ranks == 1).sum() == 6


def test_maps_include_protected_and_redline_overlays(tmp_path):
    mask = np.full((10, 10), 255, dtype=np.uint8)
    mask[1:9, 1:9] = 0
    mask[1:9, 1:4] = 1
    write_raster(tmp_path / "natural_areas.tif", mask, transform=ORIGIN, crs="EPSG:3035", nodata=255)
    gpd.GeoDataFrame({"area_ha": [24.0], "n_cells": [24]}, geometry=[box(1, 1, 4, 9)], crs="EPSG:3035").to_file(
        tmp_path / "groups.gpkg", layer="connectivity_groups"
    )
    for kind, geometry in (("protected_areas", box(1, 1, 3, 5)), ("redline", box(2, 4, 6, 8))):
        gpd.GeoDataFrame({"area_ha": [1.0]}, geometry=[geometry], crs="EPSG:3035").to_file(
            tmp_path / "overlays.gpkg", layer=OVERLAY_LAYER_NAMES[kind]
        )
    write_vector(tmp_path / "city.gpkg", [box(1, 1, 9, 9)], crs="EPSG:3035", name=["city"])
    boundary = read_city_boundary(tmp_path / "city.gpkg")
    year = YearOutputs(
        year=2020,
        natural_mask=str(tmp_path / "natural_areas.tif"),
        groups=str(tmp_path / "groups.gpkg"),
        overlays=str(tmp_path / "overlays.gpkg"),
    )
    maps, notes = draw_maps(year, boundary=boundary, gap_distance_m=100.0, language="zh")
    assert [figure.key for figure in maps] == ["natural-areas", "connectivity-groups", "overlays"]
    assert notes == []
    assert all(figure.png.startswith(b"\x89PNG") for figure in maps)
    assert "保护地" in maps[2].title
