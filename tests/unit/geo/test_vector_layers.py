"""Files with several layers: no polygon reader silently takes the first one; the user names the layer."""

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from cbindex.core.errors import CBIInputError
from cbindex.geo.barriers import BarrierRule, read_barriers
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.overlay_polygons import read_overlay_polygons
from cbindex.geo.vector_layers import pick_layer
from tests.helpers import write_vector

UTM = "EPSG:32648"
X0, Y0 = 400_000.0, 3_380_000.0
CITY = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)
PROVINCE = shapely.box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)


def write_layers(path, layers: dict[str, list]) -> str:
    """A GeoPackage with the given layers (name -> geometries), written in this order."""
    for name, geometries in layers.items():
        gpd.GeoDataFrame({"n": range(len(geometries))}, geometry=geometries, crs=UTM).to_file(path, layer=name)
    return str(path)


@pytest.fixture
def province_first(tmp_path):
    """A GeoPackage whose first layer is the province (1 polygon), then the districts (2), then the roads (1)."""
    path = write_layers(
        tmp_path / "admin.gpkg",
        {
            "province": [PROVINCE],
            "districts": [CITY, shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
            "roads": [shapely.LineString([(X0, Y0), (X0 + 1000, Y0 + 1000)])],
        },
    )
    assert [name for name, _ in pyogrio.list_layers(path)][0] == "province"
    return path


def assert_one_sentence_naming(error: pytest.ExceptionInfo, path: str) -> str:
    text = str(error.value)
    assert path in text and text.endswith(".") and "\n" not in text
    return text


def test_boundary_of_several_layers_needs_a_layer_name(province_first):
    with pytest.raises(CBIInputError, match="holds 3 layers") as error:
        read_city_boundary(province_first)
    text = assert_one_sentence_naming(error, province_first)
    assert "province (Polygon, 1 feature)" in text
    assert "districts (Polygon, 2 features)" in text
    assert "roads (LineString, 1 feature)" in text
    assert "city sheet's boundary_layer column" in text


def test_boundary_read_from_the_named_layer(province_first):
    boundary = read_city_boundary(province_first, layer="districts")
    assert boundary.geometry.bounds == (X0, Y0, X0 + 2000, Y0 + 1000)
    assert boundary.layer == "districts"


def test_unknown_layer_lists_the_layers(province_first):
    with pytest.raises(CBIInputError, match="has no layer 'city'") as error:
        read_city_boundary(province_first, layer="city")
    text = assert_one_sentence_naming(error, province_first)
    assert "province (Polygon, 1 feature)" in text and "boundary_layer" in text


def test_a_table_without_geometry_does_not_count_as_a_layer(tmp_path):
    path = write_layers(tmp_path / "city.gpkg", {"city": [CITY]})
    pyogrio.write_dataframe(pd.DataFrame({"style": ["x"]}), path, layer="layer_styles")
    assert len(pyogrio.list_layers(path)) == 2
    assert read_city_boundary(path).geometry.equals(CITY)


@pytest.mark.parametrize("kind", ["protected_areas", "redline", "parks"])
def test_overlay_of_several_layers_names_its_layer_column(province_first, kind):
    with pytest.raises(CBIInputError, match="holds 3 layers") as error:
        read_overlay_polygons(province_first, kind=kind, target_crs=CRS.from_user_input(UTM), clip_bounds=CITY.bounds)
    text = assert_one_sentence_naming(error, province_first)
    assert "districts (Polygon, 2 features)" in text and f"city sheet's {kind}_layer column" in text


def test_overlay_read_from_the_named_layer(province_first):
    overlay = read_overlay_polygons(
        province_first, kind="parks", target_crs=CRS.from_user_input(UTM), clip_bounds=CITY.bounds, layer="districts"
    )
    assert overlay.geometry.area == pytest.approx(CITY.area)


def test_barriers_of_several_layers_need_a_layer_name(province_first):
    city = read_city_boundary(province_first, layer="districts")
    with pytest.raises(CBIInputError, match="holds 3 layers") as error:
        read_barriers(province_first, rule=BarrierRule(), city=city)
    text = assert_one_sentence_naming(error, province_first)
    assert "roads (LineString, 1 feature)" in text and "city sheet's barriers_layer column" in text
    with pytest.raises(CBIInputError, match="has no layer 'rivers'.*barriers_layer"):
        read_barriers(province_first, rule=BarrierRule(), city=city, layer="rivers")


def test_barriers_read_from_the_named_layer(province_first):
    city = read_city_boundary(province_first, layer="districts")
    barriers = read_barriers(province_first, rule=BarrierRule(), city=city, layer="province")
    assert len(barriers) == 1 and barriers.iloc[0].area == pytest.approx(PROVINCE.area, rel=1e-2)


def test_missing_barrier_file_names_its_sheet_column(tmp_path):
    city = read_city_boundary(write_vector(tmp_path / "city.gpkg", [CITY], crs=UTM))
    with pytest.raises(CBIInputError, match="does not exist; check the city sheet's barriers column"):
        read_barriers(str(tmp_path / "roads.gpkg"), rule=BarrierRule(), city=city)


def test_pick_layer_of_a_single_layer_file(tmp_path):
    path = write_vector(tmp_path / "city.geojson", [CITY], crs=UTM)
    assert pick_layer(path, layer=None, sheet_column="boundary_layer", what="Boundary file") == "city"
    with pytest.raises(CBIInputError, match=r"has no layer 'town' \(layers: city \(Polygon, 1 feature\)\)"):
        pick_layer(path, layer="town", sheet_column="boundary_layer", what="Boundary file")
