"""BoundarySpec: the boundary file and the sheet's three boundary cells, read as one."""

import geopandas as gpd
import pytest
import shapely

from cbindex.core.errors import CBIInputError
from cbindex.geo.boundary import BoundarySpec

LEFT, RIGHT = shapely.box(0, 0, 1, 1), shapely.box(2, 0, 4, 1)


@pytest.fixture
def two_layers(tmp_path):
    """A GeoPackage with layer ``districts`` (two features, column ``use``) and layer ``other`` (one feature)."""
    path = tmp_path / "boundary.gpkg"
    frame = gpd.GeoDataFrame({"use": ["TRUE", "FALSE"]}, geometry=[LEFT, RIGHT], crs="EPSG:3857")
    frame.to_file(path, layer="districts")
    gpd.GeoDataFrame({"use": ["x"]}, geometry=[shapely.box(10, 10, 15, 15)], crs="EPSG:3857").to_file(
        path, layer="other"
    )
    return str(path)


def test_sheet_cells_pick_the_layer_and_features(two_layers):
    spec = BoundarySpec(two_layers, **{"layer": "districts", "filter_column": "use", "filter_value": "true"})
    boundary = spec.read()
    assert boundary.geometry.equals(LEFT)
    assert boundary.path == two_layers


def test_empty_cells_mean_every_feature_of_the_named_layer(two_layers):
    boundary = BoundarySpec(two_layers, layer="districts", filter_column="", filter_value="").read()
    assert boundary.geometry.area == pytest.approx(LEFT.area + RIGHT.area)
    assert BoundarySpec(two_layers, layer="other").read().geometry.area == pytest.approx(25.0)


def test_a_filter_matching_nothing_names_the_sheet_column(two_layers):
    spec = BoundarySpec(two_layers, layer="districts", filter_column="use", filter_value="MAYBE")
    with pytest.raises(CBIInputError, match="boundary_filter_value"):
        spec.read()
