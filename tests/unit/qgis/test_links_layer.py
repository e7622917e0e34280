"""The QGIS package's candidate links: a line layer per year, graduated by gain (line width), bilingual name."""

import xml.etree.ElementTree as ET

import pyogrio
import pytest

from cbindex.geo.boundary import BoundarySpec
from cbindex.qgis.stage import YearOutputs, candidate_links_style, write_qgis_project
from tests.unit.landcover.test_links import hand_raster, run_stage


def test_links_are_styled_wider_where_they_gain_more():
    style = candidate_links_style([0.05, 0.3, 2.0, 40.0])  # decades 0.01–0.1–1–10–100 ha
    assert style.attribute == "gain_ha" and style.geometry_kind == "line"
    bounds = [bound for c in style.classes for bound in (c.lower, c.upper)]
    assert bounds == pytest.approx([0.01, 0.1, 0.1, 1, 1, 10, 10, 100])
    widths = [c.symbol.width_mm for c in style.classes]
    assert widths == sorted(widths) and widths[0] == pytest.approx(0.4) and widths[-1] == pytest.approx(2.0)


def test_the_package_holds_the_links_of_each_year(tmp_path):
    raster, boundary = hand_raster(tmp_path)
    run_stage(tmp_path, raster, boundary, link_search_m=300)
    write_qgis_project(
        city="c",
        names={"en": "C", "zh": "C"},
        boundary=BoundarySpec(str(boundary)),
        neighbourhood=8,
        layers_gpkg=str(tmp_path / "c_layers.gpkg"),
        projects={"en": str(tmp_path / "c.qgs"), "zh": str(tmp_path / "c_zh.qgs")},
        years=[YearOutputs(2020, str(tmp_path / "natural.tif"), str(tmp_path / "groups.gpkg"))],
    )
    info = pyogrio.read_info(tmp_path / "c_layers.gpkg", layer="candidate_links_2020")
    assert info["features"] == 2 and info["geometry_type"] == "MultiLineString"
    assert "gain_ha" in info["fields"] and "classes_crossed_zh" in info["fields"]
    for project, name in (
        ("c.qgs", "Candidate links 2020 (I2), line width by gain"),
        ("c_zh.qgs", "2020年候选连接（I2），线宽表示增益"),
    ):
        tree = ET.parse(tmp_path / project).getroot().find("layer-tree-group")
        assert name in [layer.get("name") for layer in tree.iter("layer-tree-layer")]
