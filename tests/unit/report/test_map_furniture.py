"""Map furniture: degree labels, graticule ticks where meridians cross the frame, a scale bar true on the ground,
a north arrow turned by the grid convergence; rasters warped into the display CRS cell for cell."""

from __future__ import annotations

import math

import numpy as np
import pytest
from affine import Affine
from matplotlib.figure import Figure
from pyproj import CRS, Geod, Transformer

from cbindex.report.display_rasters import DataGrid, display_grid, read_display_raster, read_display_window, to_display
from cbindex.report.map_furniture import (
    degree_label,
    degree_step,
    graticule,
    ground_metres_per_map_unit,
    length_label,
    round_length_m,
    scale_bar,
    true_north_angle,
)
from tests.helpers import write_raster

UTM_48N = CRS.from_epsg(32648)  # Chengdu's display CRS; central meridian 105°E
WEB_MERCATOR = CRS.from_epsg(3857)
TO_UTM = Transformer.from_crs(4326, UTM_48N, always_xy=True)


def frame_around(lon0, lat0, lon1, lat1, crs=UTM_48N):
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform([lon0, lon1], [lat0, lat1])
    return (min(x), max(x), min(y), max(y))


def test_degree_labels_and_steps():
    assert degree_label(104.0, step=1.0, positive="E", negative="W") == "104°E"
    assert degree_label(-13.25, step=0.05, positive="E", negative="W") == "13.25°W"
    assert degree_label(8.45, step=0.05, positive="N", negative="S") == "8.45°N"
    assert degree_label(30.5, step=0.25, positive="N", negative="S") == "30.50°N"
    assert degree_step(2.8) == 1.0  # 2.8° across: 1° lines, at most 5
    assert degree_step(0.12) == 0.05
    assert degree_step(0.04) == 0.01


def test_round_lengths():
    assert round_length_m(27_000) == 20_000
    assert round_length_m(5_000) == 5_000
    assert round_length_m(930) == 500
    assert round_length_m(1.9) == 1.0
    assert length_label(20_000) == "20 km" and length_label(500) == "500 m" and length_label(2_500) == "2.5 km"


def test_graticule_ticks_sit_where_meridians_and_parallels_cross_the_frame():
    extent = frame_around(103.1, 30.1, 104.9, 31.4)
    axes = Figure().add_subplot()
    ticks = graticule(axes, crs=UTM_48N, extent=extent)
    assert ticks.x_labels == ("104°E",) or ticks.x_labels[0].endswith("°E")
    left, right, bottom, top = extent
    to_degrees = Transformer.from_crs(UTM_48N, 4326, always_xy=True)
    for x, label in zip(ticks.x, ticks.x_labels, strict=True):
        lon, _ = to_degrees.transform(x, bottom)  # the bottom edge at the tick is on that meridian
        assert lon == pytest.approx(float(label[:-2]), abs=1e-4)
    for y, label in zip(ticks.y, ticks.y_labels, strict=True):
        _, lat = to_degrees.transform(left, y)
        assert lat == pytest.approx(float(label[:-2]), abs=1e-4)
    assert [tick.get_text() for tick in axes.get_xticklabels()] == list(ticks.x_labels)


def test_scale_bar_is_true_on_the_ground_in_utm_and_in_web_mercator():
    for crs in (UTM_48N, WEB_MERCATOR):
        extent = frame_around(103.5, 30.3, 104.5, 31.0, crs=crs)
        axes = Figure().add_subplot()
        ground = scale_bar(axes, crs=crs, extent=extent)
        assert ground in (10_000, 20_000, 50_000)
        # the drawn bar (two patches side by side) measured independently with pyproj's geodesic
        bars = [patch for patch in axes.patches if patch.get_edgecolor() == (0.0, 0.0, 0.0, 1.0)]  # not the backdrop
        x0 = min(patch.get_x() for patch in bars)
        x1 = max(patch.get_x() + patch.get_width() for patch in bars)
        y = bars[0].get_y()
        lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform([x0, x1], [y, y])
        _, _, distance = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
        assert distance == pytest.approx(ground, rel=0.02)  # measured at the centre, drawn near the bottom
    # Web Mercator at 30.6°N stretches map metres by 1 / cos(latitude)
    scale = ground_metres_per_map_unit(WEB_MERCATOR, extent=frame_around(103.5, 30.3, 104.5, 31.0, crs=WEB_MERCATOR))
    assert scale == pytest.approx(math.cos(math.radians(30.65)), rel=0.01)


def test_north_arrow_turns_by_the_grid_convergence():
    # west of the central meridian (105°E) in the northern hemisphere, meridians lean towards it going north, so
    # true north is turned clockwise from the grid's up by the convergence γ ≈ (λ0 − λ) · sin φ
    extent = frame_around(103.9, 30.5, 104.1, 30.7)
    angle = true_north_angle(UTM_48N, extent=extent)
    assert angle == pytest.approx((105.0 - 104.0) * math.sin(math.radians(30.6)), abs=0.02)
    assert true_north_angle(UTM_48N, extent=frame_around(104.9, 30.5, 105.1, 30.7)) == pytest.approx(0.0, abs=0.01)


def test_rasters_are_read_decimated_and_warped_cell_for_cell(tmp_path):
    # a 0.01° grid at 30°N with a distinct value per cell; read at most 20 cells a side, then into UTM 48N
    codes = (np.arange(40 * 60).reshape(40, 60) % 250 + 1).astype(np.uint8)
    transform = Affine(0.01, 0.0, 103.5, 0.0, -0.01, 30.8)
    path = write_raster(tmp_path / "codes.tif", codes, transform=transform, nodata=255)
    data = read_display_raster(str(path), max_cells=20)
    assert data.array.shape == (13, 20)  # 40 × 60 read at a third of its cells
    grid = display_grid(data, crs=UTM_48N, max_cells=30)
    assert max(grid.shape) <= 30
    warped = to_display(data, grid, fill=255)
    # every display cell's centre, taken back to degrees, holds the value of the data cell it falls in
    rows, cols = np.mgrid[0 : grid.shape[0], 0 : grid.shape[1]]
    x, y = grid.transform * (cols + 0.5, rows + 0.5)
    lon, lat = Transformer.from_crs(UTM_48N, 4326, always_xy=True).transform(x, y)
    data_col, data_row = ~data.transform * (lon, lat)
    inside = (data_col >= 0) & (data_col < data.array.shape[1]) & (data_row >= 0) & (data_row < data.array.shape[0])
    expected = np.full(grid.shape, 255, dtype=np.uint8)
    expected[inside] = data.array[data_row[inside].astype(int), data_col[inside].astype(int)]
    assert (warped == expected).mean() > 0.98  # cells on a data cell's edge may go either way
    same = read_display_window(str(path), like=data)
    assert np.array_equal(same.array, data.array)


def test_display_grid_keeps_the_data_crs_extent():
    data = DataGrid(np.zeros((10, 10), dtype=np.uint8), Affine(0.01, 0, 104.0, 0, -0.01, 30.6), "EPSG:4326")
    grid = display_grid(data, crs=UTM_48N)
    left, right, bottom, top = grid.extent
    corner_x, corner_y = TO_UTM.transform(104.05, 30.55)  # the data's centre is inside the display grid
    assert left < corner_x < right and bottom < corner_y < top
