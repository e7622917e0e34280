"""The land-cover copy of the QGIS package: the city's cells of the input raster, the rest nodata, in the legend's
colours (worked on 4×6 rasters whose answers are drawn in the comments)."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio
import rasterio.transform
import shapely
from affine import Affine

from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.legends import load_legend
from cbindex.qgis.landcover_map import class_label, hex_rgba, landcover_palette, map_nodata
from cbindex.qgis.stage import write_landcover_map
from cbindex.qgis.styles import raster_qml
from tests.helpers import REPO, write_raster, write_vector

DYNAMIC_WORLD = REPO / "config/legends/dynamic_world.yaml"
WORLDCOVER = REPO / "config/legends/esa_worldcover_v100.yaml"
TRANSFORM = Affine(10, 0, 500_000, 0, -10, 1_000_040)  # 10 m cells, UTM 28N, 6 columns × 4 rows


def test_hex_colours_become_rgba():
    assert hex_rgba("#419bdf") == (0x41, 0x9B, 0xDF, 255)
    assert hex_rgba("397d49", alpha=0) == (0x39, 0x7D, 0x49, 0)
    with pytest.raises(ValueError):
        hex_rgba("#fff")


def test_the_palette_is_the_legend_codes_colours_and_names_in_each_language():
    legend = load_legend(DYNAMIC_WORLD)
    for language, names in (
        ("en", [c.name for c in legend.classes.values()]),
        ("zh", [c.name_zh for c in legend.classes.values()]),
        (None, [f"{c.name} / {c.name_zh}" for c in legend.classes.values()]),
    ):
        palette = landcover_palette(legend, language=language)
        assert [entry.value for entry in palette.entries] == list(legend.classes)
        assert ["#{:02x}{:02x}{:02x}".format(*entry.colour[:3]) for entry in palette.entries] == [
            c.colour for c in legend.classes.values()
        ]
        assert {entry.colour[3] for entry in palette.entries} == {255}
        assert [entry.label for entry in palette.entries] == names
    assert class_label("Water", "Water", language=None) == "Water"
    with pytest.raises(ValueError):
        class_label("Water", "水体", language="fr")


def test_the_qml_palette_lists_every_class_in_file_order():
    legend = load_legend(WORLDCOVER)
    entries = ET.fromstring(raster_qml(landcover_palette(legend))).iter("paletteEntry")
    assert [(int(e.get("value")), e.get("color")) for e in entries] == [
        (code, c.colour) for code, c in legend.classes.items()
    ]


def test_the_copy_nodata_is_never_a_class_code():
    dynamic_world, worldcover = load_legend(DYNAMIC_WORLD), load_legend(WORLDCOVER)
    # Dynamic World: no nodata code, 0 is water; uint8 → 255, int32 → the smallest int32
    assert map_nodata("uint8", raster_nodata=None, legend=dynamic_world) == 255
    assert map_nodata("int32", raster_nodata=None, legend=dynamic_world) == np.iinfo(np.int32).min
    # WorldCover: the legend's no-data code 0 comes first unless the raster declares its own
    assert map_nodata("uint8", raster_nodata=None, legend=worldcover) == 0
    assert map_nodata("uint8", raster_nodata=250, legend=worldcover) == 250
    # a raster nodata that is a class code (10, tree cover) is skipped
    assert map_nodata("uint8", raster_nodata=10, legend=worldcover) == 0


def l_shaped_city(tmp_path):
    """A boundary over columns 1-4 of rows 0-2 of the 6×4 raster, less the cell of row 0, column 4 (an L)."""
    boundary = shapely.box(500_010, 1_000_010, 500_050, 1_000_040).difference(
        shapely.box(500_040, 1_000_030, 500_050, 1_000_040)
    )
    return write_vector(tmp_path / "city.gpkg", [boundary], crs="EPSG:32628")


def test_write_landcover_map_keeps_the_city_cells_and_sets_the_rest_to_nodata(tmp_path):
    codes = np.array(
        [
            [1, 0, 1, 2, 6, 7],
            [1, 1, 8, 2, 6, 7],
            [0, 0, 0, 5, 4, 7],
            [3, 3, 3, 3, 3, 3],
        ],
        dtype=np.int32,
    )  # Dynamic World: int32, no nodata, 0 is water
    write_raster(tmp_path / "lc.tif", codes, transform=TRANSFORM, crs="EPSG:32628")
    write_landcover_map(
        landcover=str(tmp_path / "lc.tif"),
        boundary=BoundarySpec(str(l_shaped_city(tmp_path))),
        legend=str(DYNAMIC_WORLD),
        map_tif=str(tmp_path / "landcover.tif"),
        map_style=str(tmp_path / "landcover.qml"),
    )
    outside = np.iinfo(np.int32).min
    o = outside
    expected = np.array(
        [
            [o, 0, 1, 2, o, o],
            [o, 1, 8, 2, 6, o],
            [o, 0, 0, 5, 4, o],
        ],
        dtype=np.int32,
    )  # rows 0-2 of the raster: the cells whose centre lies outside the L are nodata
    with rasterio.open(tmp_path / "landcover.tif") as copy:
        assert copy.nodata == outside and copy.dtypes[0] == "int32"
        assert copy.crs.to_epsg() == 32628
        window_codes = copy.read(1)
        columns = round((copy.transform.c - TRANSFORM.c) / 10)
        assert copy.transform.a == 10 and copy.transform.f == TRANSFORM.f
    assert window_codes.tolist() == expected[:, columns : columns + window_codes.shape[1]].tolist()
    palette = ET.parse(tmp_path / "landcover.qml").getroot().find("pipe/rasterrenderer/colorPalette")
    assert [int(entry.get("value")) for entry in palette] == list(range(9))


def test_legend_nodata_codes_inside_the_city_become_the_copy_nodata(tmp_path):
    codes = np.full((4, 6), 10, dtype=np.uint8)
    codes[1, 2] = 0  # WorldCover's no-data code inside the city
    codes[2, 3] = 50
    write_raster(tmp_path / "lc.tif", codes, transform=TRANSFORM, crs="EPSG:32628")
    write_landcover_map(
        landcover=str(tmp_path / "lc.tif"),
        boundary=BoundarySpec(str(l_shaped_city(tmp_path))),
        legend=str(WORLDCOVER),
        map_tif=str(tmp_path / "landcover.tif"),
        map_style=str(tmp_path / "landcover.qml"),
    )
    with rasterio.open(tmp_path / "landcover.tif") as copy:
        values, nodata, transform = copy.read(1), copy.nodata, copy.transform
    assert nodata == 0
    assert values[rasterio.transform.rowcol(transform, 500_025, 1_000_025)] == 0  # the centre of input cell (1, 2)
    assert values[rasterio.transform.rowcol(transform, 500_035, 1_000_015)] == 50  # input cell (2, 3)
    assert np.count_nonzero(values == 10) == 11 - 2  # the L's 11 cells less the no-data and the built-up cell
