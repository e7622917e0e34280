"""Chinese Shapefiles without a .cpg (GBK attributes, which GDAL reads as Latin-1): every polygon reader takes an
``encoding``, and a filter finding nothing lists the values found and asks for the encoding when they look
mis-decoded."""

import logging
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from cbindex.core.errors import CBIInputError
from cbindex.geo.barriers import BarrierRule, read_barriers
from cbindex.geo.boundary import BoundarySpec, read_city_boundary
from cbindex.geo.overlay_polygons import AttributeFilter, read_overlay_polygons
from cbindex.geo.vector_layers import declares_encoding, encoding_hint
from tests.helpers import write_vector

UTM = "EPSG:32648"
X0, Y0 = 400_000.0, 3_380_000.0
DISTRICTS = {
    "成都市": shapely.box(X0 - 3000, Y0 - 3000, X0 + 3000, Y0 + 3000),
    "锦江区": shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
    "青羊区": shapely.box(X0 - 1000, Y0, X0, Y0 + 1000),
}
HINT = "set the input's encoding (e.g. gbk"


def write_gbk_shapefile(path: Path, geometries, **columns) -> str:
    """A Shapefile whose attributes are GBK, without the .cpg that would tell GDAL so (as most are delivered)."""
    frame = gpd.GeoDataFrame(columns, geometry=list(geometries), crs=UTM)
    pyogrio.write_dataframe(frame, path, encoding="gbk")
    path.with_suffix(".cpg").unlink()
    assert pyogrio.read_info(path)["encoding"] != "GBK"
    return str(path)


@pytest.fixture
def gbk_districts(tmp_path):
    return write_gbk_shapefile(tmp_path / "districts.shp", DISTRICTS.values(), 名称=list(DISTRICTS))


def test_boundary_read_with_its_encoding_finds_the_district(gbk_districts):
    boundary = read_city_boundary(gbk_districts, filter_column="名称", filter_value="锦江区", encoding="gbk")
    assert boundary.geometry.equals(DISTRICTS["锦江区"])


def test_boundary_read_without_its_encoding_asks_for_it(gbk_districts):
    # GDAL decodes the field name too, so the Chinese column is not found either
    with pytest.raises(CBIInputError, match="has no column '名称'") as error:
        read_city_boundary(gbk_districts, filter_column="名称", filter_value="锦江区")
    assert "column names look mis-decoded" in str(error.value) and HINT in str(error.value)
    column = [name for name in pyogrio.read_info(gbk_districts)["fields"]][0]
    with pytest.raises(CBIInputError, match="No feature of boundary file") as error:
        read_city_boundary(gbk_districts, filter_column=column, filter_value="锦江区")
    text = str(error.value)
    assert gbk_districts in text and "values found: '" in text and HINT in text and "boundary_encoding" in text
    assert text.endswith("fix boundary_filter_value in the city sheet.") and "\n" not in text


def test_readable_values_are_listed_without_an_encoding_hint(tmp_path):
    path = write_vector(
        tmp_path / "cities.gpkg",
        [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        name=["São Paulo", "Zürich"],
    )
    with pytest.raises(CBIInputError, match=r"\(values found: 'São Paulo', 'Zürich'\); fix boundary_filter_value"):
        read_city_boundary(path, filter_column="name", filter_value="Sao Paulo")


def test_overlay_read_with_its_encoding_keeps_the_district(gbk_districts, caplog):
    arguments = {
        "kind": "redline",
        "target_crs": CRS.from_user_input(UTM),
        "clip_bounds": DISTRICTS["锦江区"].bounds,
        "attribute_filter": AttributeFilter(where={"名称": ("锦江区",)}),
    }
    kept = read_overlay_polygons(gbk_districts, encoding="gbk", **arguments)
    assert kept.n_kept == 1 and kept.geometry.area == pytest.approx(DISTRICTS["锦江区"].area)
    with pytest.raises(CBIInputError, match="has no column '名称'.*column names look mis-decoded.*redline_encoding"):
        read_overlay_polygons(gbk_districts, **arguments)


def test_overlay_filter_keeping_nothing_asks_for_the_encoding(gbk_districts, caplog):
    column = [name for name in pyogrio.read_info(gbk_districts)["fields"]][0]
    with caplog.at_level(logging.WARNING):
        overlay = read_overlay_polygons(
            gbk_districts,
            kind="parks",
            target_crs=CRS.from_user_input(UTM),
            clip_bounds=DISTRICTS["锦江区"].bounds,
            attribute_filter=AttributeFilter(where={column: ("锦江区",)}),
        )
    assert overlay.geometry.is_empty
    assert "keeps none" in caplog.text and HINT in caplog.text and "parks_encoding" in caplog.text


def test_barrier_classes_read_with_and_without_their_encoding(tmp_path, gbk_districts):
    city = read_city_boundary(gbk_districts, filter_column="名称", filter_value="锦江区", encoding="gbk")
    road = shapely.LineString([(X0 + 500, Y0 - 100), (X0 + 500, Y0 + 1100)])
    roads = write_gbk_shapefile(tmp_path / "roads.shp", [road], highway=["高速公路"])
    rule = BarrierRule(class_widths_m={"高速公路": 30.0})
    barriers = read_barriers(roads, rule=rule, city=city, encoding="gbk")
    assert len(barriers) == 1 and barriers.iloc[0].area == pytest.approx(30 * 1200, rel=0.01)
    with pytest.raises(CBIInputError, match="no highway value matching barriers.class_widths_m") as error:
        read_barriers(roads, rule=rule, city=city)
    assert HINT in str(error.value) and "barriers_encoding" in str(error.value)


@pytest.mark.parametrize(
    ("values", "misdecoded"),
    [
        (["³É¶¼ÊÐ"], True),  # 成都市 in GBK read as Latin-1
        (["\u00e6\u0088\u0090\u00e9\u0083\u00bd"], True),  # 成都 in UTF-8 read as Latin-1
        (["Chengdu \ufffd"], True),  # bytes that could not be decoded
        (["Chengdu", "São Paulo", "Zürich", "Genève"], False),
        (["成都市", "锦江区"], False),
        ([], False),
    ],
)
def test_encoding_hint(values, misdecoded):
    assert bool(encoding_hint(values, sheet_column="boundary_encoding")) is misdecoded


# ------------------------------------------------------------------------------------------- sheet and config


@pytest.fixture
def utf8_files(tmp_path):
    """The districts as a GeoPackage (UTF-8 by definition) and as a Shapefile whose .cpg says UTF-8."""
    frame = gpd.GeoDataFrame({"名称": list(DISTRICTS)}, geometry=list(DISTRICTS.values()), crs=UTM)
    frame.to_file(tmp_path / "districts.gpkg")
    pyogrio.write_dataframe(frame, tmp_path / "declared.shp", encoding="utf-8")
    assert (tmp_path / "declared.cpg").exists()
    return str(tmp_path / "districts.gpkg"), str(tmp_path / "declared.shp")


def test_only_a_shapefile_without_cpg_or_code_page_declares_no_encoding(gbk_districts, utf8_files):
    assert not declares_encoding(gbk_districts)
    assert all(declares_encoding(path) for path in utf8_files)


def test_boundary_spec_forwards_the_sheet_encoding_and_the_config_default(gbk_districts):
    district = {"filter_column": "名称", "filter_value": "锦江区"}
    for spec in (
        BoundarySpec(gbk_districts, **district, encoding="gbk", default_encoding=""),
        BoundarySpec(gbk_districts, **district, encoding="", default_encoding="gbk"),
    ):
        assert spec.read().geometry.equals(DISTRICTS["锦江区"])
    with pytest.raises(CBIInputError, match="has no column '名称'.*boundary_encoding, or config vector_encoding"):
        BoundarySpec(gbk_districts, **district, encoding="", default_encoding="").read()


def test_the_config_default_leaves_files_that_declare_their_encoding_alone(utf8_files):
    # read as GBK, the UTF-8 text of these files would be garbage or not decode at all
    for path in utf8_files:
        boundary = read_city_boundary(path, filter_column="名称", filter_value="锦江区", default_encoding="gbk")
        assert boundary.geometry.equals(DISTRICTS["锦江区"])
    overlay = read_overlay_polygons(
        utf8_files[0],
        kind="parks",
        target_crs=CRS.from_user_input(UTM),
        clip_bounds=DISTRICTS["锦江区"].bounds,
        attribute_filter=AttributeFilter(where={"名称": ("锦江区",)}),
        default_encoding="gbk",
    )
    assert overlay.n_kept == 1


def test_a_sheet_encoding_the_file_cannot_be_decoded_in_is_one_sentence(utf8_files):
    geopackage = utf8_files[0]
    with pytest.raises(CBIInputError) as error:
        read_city_boundary(geopackage, filter_column="名称", filter_value="锦江区", encoding="gbk")
    message = str(error.value)
    assert message.startswith(f"Boundary file {geopackage} cannot be decoded as gbk (")
    assert "set the city sheet's boundary_encoding (or config vector_encoding)" in message
    assert message.endswith("or leave it empty for a GeoPackage or GeoJSON, which are always UTF-8.")
    with pytest.raises(CBIInputError, match=r"^Red-line file .* cannot be decoded as gbk .*redline_encoding"):
        read_overlay_polygons(
            geopackage,
            kind="redline",
            target_crs=CRS.from_user_input(UTM),
            clip_bounds=DISTRICTS["锦江区"].bounds,
            encoding="gbk",
        )


def test_barriers_read_with_the_config_default_and_an_empty_layer_cell(tmp_path, gbk_districts):
    city = read_city_boundary(gbk_districts, filter_column="名称", filter_value="锦江区", encoding="gbk")
    road = shapely.LineString([(X0 + 500, Y0 - 100), (X0 + 500, Y0 + 1100)])
    roads = write_gbk_shapefile(tmp_path / "roads.shp", [road], highway=["高速公路"])
    rule = BarrierRule(class_widths_m={"高速公路": 30.0})
    barriers = read_barriers(roads, rule=rule, city=city, layer="", encoding="", default_encoding="gbk")
    assert len(barriers) == 1
