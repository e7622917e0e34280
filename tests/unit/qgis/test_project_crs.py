"""The QGIS project's CRS, ellipsoid and initial view: written so that QGIS reads them (the real-QGIS check is in
tests/workflow/test_qgis.py), in the city's display CRS while every layer keeps its own CRS."""

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from pyproj import CRS

from cbindex.geo.boundary import BoundarySpec
from cbindex.qgis.project import ellipsoid_id, project_xml
from cbindex.qgis.stage import YearOutputs, write_qgis_project
from tests.helpers import write_raster, write_vector

CITY = shapely.box(-13.30, 8.40, -13.10, 8.50)  # about Freetown, in degrees


def properties(root: ET.Element) -> dict[str, tuple[str, str]]:
    """``group/key`` → (type, text) of the project's ``<properties>``."""
    return {
        f"{group.tag}/{entry.tag}": (entry.get("type"), entry.text)
        for group in root.find("properties")
        for entry in group
    }


@pytest.mark.parametrize(
    ("epsg", "ellipsoid"),
    [(32648, "EPSG:7030"), (4545, "EPSG:1024"), (4326, "EPSG:7030"), (2154, "EPSG:7019")],
)
def test_projections_are_enabled_and_the_ellipsoid_is_the_crs_own(epsg, ellipsoid):
    crs = CRS.from_epsg(epsg)
    root = ET.fromstring(project_xml(title="City", crs=crs, view_extent=(0, 0, 1, 1), tree=[]).split("\n", 1)[1])
    assert properties(root) == {
        "Measure/Ellipsoid": ("QString", ellipsoid),
        "Measurement/AreaUnits": ("QString", "ha"),
        "Measurement/DistanceUnits": ("QString", "meters"),
        "Paths/Absolute": ("bool", "false"),
        "SpatialRefSys/ProjectionsEnabled": ("int", "1"),
    }
    assert root.findtext("projectCrs/spatialrefsys/authid") == f"EPSG:{epsg}"
    assert root.findtext("projectCrs/spatialrefsys/ellipsoidacronym") == ellipsoid


def test_an_ellipsoid_without_authority_is_given_by_its_axes():
    crs = CRS.from_proj4("+proj=tmerc +lon_0=100 +a=6378000 +b=6356000 +units=m")
    assert ellipsoid_id(crs) == "PARAMETER:6378000.0:6356000.0"


def city_package(tmp_path, **options):
    """The QGIS project of a one-year city in degrees around Freetown (one natural cell); its parsed root."""
    transform = Affine(0.01, 0, -13.30, 0, -0.01, 8.50)
    mask = np.zeros((10, 20), dtype=np.uint8)
    mask[4, 4] = 1
    (tmp_path / "2020").mkdir()
    write_raster(tmp_path / "2020/natural_areas.tif", mask, transform=transform, crs="EPSG:4326", nodata=255)
    cell = shapely.box(-13.26, 8.45, -13.25, 8.46)
    gpd.GeoDataFrame({"group_id": [1], "area_ha": [121.0]}, geometry=[cell], crs="EPSG:4326").to_file(
        tmp_path / "2020/groups.gpkg", layer="connectivity_groups"
    )
    boundary = write_vector(tmp_path / "city.gpkg", [CITY], crs="EPSG:4326")
    write_qgis_project(
        city="c",
        names={"en": "C", "zh": "C"},
        boundary=BoundarySpec(str(boundary)),
        neighbourhood=8,
        layers_gpkg=str(tmp_path / "c_layers.gpkg"),
        projects={"en": str(tmp_path / "c.qgs")},
        years=[YearOutputs(2020, str(tmp_path / "2020/natural_areas.tif"), str(tmp_path / "2020/groups.gpkg"))],
        **options,
    )
    return ET.parse(tmp_path / "c.qgs").getroot()


def view(root: ET.Element) -> tuple[float, ...]:
    element = root.find("ProjectViewSettings/DefaultViewExtent")
    return tuple(float(element.get(key)) for key in ("xmin", "ymin", "xmax", "ymax"))


def test_the_project_shows_the_city_in_its_utm_zone_and_layers_keep_their_crs(tmp_path):
    root = city_package(tmp_path)
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:32628"
    assert root.findtext("mapcanvas/destinationsrs/spatialrefsys/authid") == "EPSG:32628"
    assert root.findtext("mapcanvas/units") == "meters"
    assert root.find("ProjectViewSettings/DefaultViewExtent/spatialrefsys/authid").text == "EPSG:32628"
    assert {layer.findtext("srs/spatialrefsys/authid") for layer in root.iter("maplayer")} == {"EPSG:4326"}
    assert properties(root)["Measure/Ellipsoid"] == ("QString", "EPSG:7030")
    in_utm = gpd.GeoSeries([CITY], crs=4326).to_crs(32628).iloc[0]
    xmin, ymin, xmax, ymax = view(root)
    assert shapely.box(xmin, ymin, xmax, ymax).contains(in_utm)
    width, height = in_utm.bounds[2] - in_utm.bounds[0], in_utm.bounds[3] - in_utm.bounds[1]
    assert (xmax - xmin) == pytest.approx(1.06 * width, rel=1e-3)  # 3 % margin each side, in metres
    assert (ymax - ymin) == pytest.approx(1.06 * height, rel=1e-3)


def test_the_display_crs_setting_replaces_the_utm_zone(tmp_path):
    root = city_package(tmp_path, display_crs="EPSG:3857")
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:3857"
    metres_per_degree = 6_378_137 * np.pi / 180  # along the equator of Web Mercator
    xmin, _, xmax, _ = view(root)
    assert (xmin, xmax) == pytest.approx(((-13.30 - 0.006) * metres_per_degree, (-13.10 + 0.006) * metres_per_degree))
