"""GeoPackages written reproducibly (same frames, same bytes) and atomically (all layers, then one rename)."""

import hashlib
import re
import sqlite3
import time

import geopandas as gpd
import pyogrio
import pytest
import shapely

from cbindex.core.geopackage import REPRODUCIBLE_TIMESTAMP, atomic_geopackage, write_geopackage
from tests.helpers import REPO

GDAL_CLOCK_STEP_S = 1.1  # longer than the coarsest timestamp GDAL or SQLite writes (seconds)


def _layers() -> dict[str, gpd.GeoDataFrame]:
    patches = gpd.GeoDataFrame(
        {"patch_id": [1, 2], "area_ha": [1.5, 0.25]},
        geometry=[shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]), shapely.MultiPolygon([shapely.box(2, 2, 3, 3)])],
        crs="EPSG:32628",
    )
    empty = gpd.GeoDataFrame({"area_ha": []}, geometry=gpd.GeoSeries([], crs="EPSG:32628"), crs="EPSG:32628")
    return {"patches": patches, "empty": empty}


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_writing_the_same_frames_twice_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "first.gpkg", tmp_path / "second.gpkg"
    write_geopackage(first, _layers(), geometry_type="MultiPolygon")
    time.sleep(GDAL_CLOCK_STEP_S)  # GDAL would otherwise stamp each file with a different last_change
    write_geopackage(second, _layers(), geometry_type="MultiPolygon")
    assert _sha256(first) == _sha256(second)
    with sqlite3.connect(first) as connection:
        stamps = connection.execute("SELECT table_name, last_change FROM gpkg_contents ORDER BY table_name").fetchall()
    connection.close()
    assert stamps == [("empty", REPRODUCIBLE_TIMESTAMP), ("patches", REPRODUCIBLE_TIMESTAMP)]
    assert pyogrio.list_layers(first).tolist() == [["patches", "MultiPolygon"], ["empty", "MultiPolygon"]]
    assert gpd.read_file(first, layer="patches")["area_ha"].tolist() == [1.5, 0.25]


def test_the_gdal_date_is_pinned_only_while_writing(tmp_path, monkeypatch):
    monkeypatch.delenv("OGR_CURRENT_DATE", raising=False)  # GDAL falls back to the environment
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None
    with atomic_geopackage(tmp_path / "layers.gpkg") as geopackage:
        assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") == REPRODUCIBLE_TIMESTAMP
        geopackage.add_layer("patches", _layers()["patches"])
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None


def test_a_failed_write_leaves_the_previous_file_and_nothing_else(tmp_path):
    path = tmp_path / "layers.gpkg"
    write_geopackage(path, {"patches": _layers()["patches"]})
    before = _sha256(path)
    with pytest.raises(RuntimeError, match="second layer"), atomic_geopackage(path) as geopackage:
        geopackage.add_layer("patches", _layers()["patches"].iloc[:1])
        assert geopackage.path.parent == path.parent and geopackage.path.exists()  # same folder: rename is atomic
        assert _sha256(path) == before  # layers go to the temporary file, not the output
        raise RuntimeError("failure before the second layer")
    assert _sha256(path) == before
    assert sorted(child.name for child in tmp_path.iterdir()) == ["layers.gpkg"]


def test_every_geopackage_writer_goes_through_the_helper():
    """No module writes a vector file itself: ``to_file`` and ``write_dataframe`` only in cbindex.core.geopackage."""
    writer = re.compile(r"\.to_file\(|write_dataframe\(")
    helper = REPO / "cbindex" / "core" / "geopackage.py"
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted((REPO / "cbindex").rglob("*.py"))
        if path != helper
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if writer.search(line)
    ]
    assert offenders == []
