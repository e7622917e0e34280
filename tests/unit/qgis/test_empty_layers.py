"""A year without any natural cell, group or overlay feature: the QGIS package keeps every layer, empty but typed,
and each empty layer's name says why it is empty, in English and Chinese."""

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.geo.boundary import BoundarySpec
from cbindex.landcover.spatial_outputs import GroupPolygonCollector, write_geopackage_layer
from cbindex.qgis.stage import YearOutputs, natural_patches_frame, write_qgis_project
from tests.helpers import write_raster, write_vector

UTM = CRS.from_epsg(32628)
TRANSFORM = Affine(10, 0, 500_000, 0, -10, 1_000_100)


def test_a_mask_without_natural_cells_gives_no_patch():
    mask = np.zeros((10, 10), dtype=np.uint8)
    mask[0, :] = 255  # outside the city
    patches = natural_patches_frame(mask, transform=TRANSFORM, crs=UTM, neighbourhood=8)
    assert patches.empty
    assert list(patches.columns) == ["patch_id", "n_cells", "area_ha", "geometry"]
    assert patches["n_cells"].dtype == np.int64


def test_package_of_a_year_without_natural_area_keeps_its_empty_layers(tmp_path):
    (tmp_path / "2020").mkdir()
    mask = np.zeros((10, 10), dtype=np.uint8)
    write_raster(tmp_path / "2020/natural_areas.tif", mask, transform=TRANSFORM, crs="EPSG:32628", nodata=255)
    collector = GroupPolygonCollector()
    collector.add_strip(local_labels=np.zeros((10, 10), np.int32), label_offset=0, transform=TRANSFORM)
    groups = collector.frame(group_of_patch=np.zeros(1, np.int64), group_areas_m2=np.zeros(1), crs=UTM)
    groups_gpkg = tmp_path / "2020/groups.gpkg"
    write_geopackage_layer(groups_gpkg, groups, layer="connectivity_groups", geometry_type="MultiPolygon")
    overlays = tmp_path / "2020/overlays.gpkg"
    gpd.GeoDataFrame({"area_ha": []}, geometry=gpd.GeoSeries([], crs=UTM)).to_file(
        overlays, layer="protected_natural_areas", geometry_type="MultiPolygon"
    )
    boundary = write_vector(
        tmp_path / "city.gpkg", [shapely.box(500_000, 1_000_000, 500_100, 1_000_100)], crs="EPSG:32628"
    )
    write_qgis_project(
        city="c",
        names={"en": "C", "zh": "C"},
        boundary=BoundarySpec(str(boundary)),
        neighbourhood=8,
        layers_gpkg=str(tmp_path / "c_layers.gpkg"),
        projects={"en": str(tmp_path / "c.qgs")},
        years=[YearOutputs(2020, str(tmp_path / "2020/natural_areas.tif"), str(groups_gpkg), str(overlays))],
    )
    package = tmp_path / "c_layers.gpkg"
    for layer in ("protected_natural_areas_2020", "connectivity_groups_2020", "natural_areas_2020"):
        info = pyogrio.read_info(package, layer=layer)
        assert info["features"] == 0 and info["geometry_type"] == "MultiPolygon", layer
    root = ET.parse(tmp_path / "c.qgs").getroot()
    names = [layer.get("name") for layer in root.find("layer-tree-group").iter("layer-tree-layer")]
    assert names == [
        "City boundary",
        "Protected natural areas 2020 — no protected area inside the city",
        "Connectivity groups 2020 (I2) — no natural patch to connect in 2020",
        "Natural patches 2020 — no natural area in 2020",
        "Natural-area mask 2020 (I1)",
    ]
