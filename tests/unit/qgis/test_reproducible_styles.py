"""The QGIS ``layer_styles`` table carries a fixed timestamp: the same styled GeoPackage gives the same bytes."""

import hashlib
import sqlite3
import time

import geopandas as gpd
import shapely

from cbindex.core.geopackage import REPRODUCIBLE_TIMESTAMP, atomic_geopackage
from cbindex.qgis.stage import CITY_BOUNDARY_STYLE, NATURAL_PATCHES_STYLE
from cbindex.qgis.styles import write_layer_styles

CLOCK_STEP_S = 1.1  # longer than the coarsest timestamp SQLite writes (seconds)


def _write_styled_package(path) -> None:
    boundary = gpd.GeoDataFrame({"city": ["x"]}, geometry=[shapely.box(0, 0, 4, 4)], crs="EPSG:32628")
    patches = gpd.GeoDataFrame({"patch_id": [1]}, geometry=[shapely.box(1, 1, 2, 2)], crs="EPSG:32628")
    with atomic_geopackage(path, version="1.2") as geopackage:
        geopackage.add_layer("city_boundary", boundary, geometry_type="MultiPolygon", promote_to_multi=True)
        geopackage.add_layer("natural_areas_2020", patches, geometry_type="MultiPolygon", promote_to_multi=True)
        write_layer_styles(
            geopackage.path, styles={"city_boundary": CITY_BOUNDARY_STYLE, "natural_areas_2020": NATURAL_PATCHES_STYLE}
        )


def test_a_styled_geopackage_written_twice_is_byte_identical(tmp_path):
    first, second = tmp_path / "first.gpkg", tmp_path / "second.gpkg"
    _write_styled_package(first)
    time.sleep(CLOCK_STEP_S)
    _write_styled_package(second)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    with sqlite3.connect(first) as connection:
        update_times = {row[0] for row in connection.execute("SELECT update_time FROM layer_styles")}
        (styles_change,) = connection.execute(
            "SELECT last_change FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    connection.close()
    assert update_times == {REPRODUCIBLE_TIMESTAMP}
    assert styles_change == REPRODUCIBLE_TIMESTAMP
