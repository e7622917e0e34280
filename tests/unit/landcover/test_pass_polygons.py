"""The polygons the land-cover pass writes strip by strip (groups and natural patches) equal, patch by patch and
group by group, what the old whole-array path produced: the whole mask labelled at once, polygonized at once by
rasterio (4-connectivity), cells and areas counted with bincount (the QGIS stage's natural_patches_frame before
the patches moved into the land-cover pass)."""

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import rasterio.features
import shapely
from pyproj import CRS
from scipy import ndimage

from cbindex.core.method import LandcoverMethod
from cbindex.core.output_names import GROUPS_LAYER, NATURAL_PATCHES_LAYER
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import BoundarySpec, read_city_boundary
from cbindex.geo.cell_area import row_cell_areas_m2
from cbindex.geo.city_grid import read_city_grid
from cbindex.geo.legends import load_legend
from cbindex.landcover.blockwise import compute_landcover_indicators_blockwise, habitat_is_natural
from cbindex.landcover.in_memory import compute_landcover_in_memory
from cbindex.landcover.spatial_outputs import PassPolygons
from cbindex.landcover.stage import compute_landcover_band, compute_landcover_indicators, merge_landcover_bands
from tests.helpers import REPO, write_vector

WORLDCOVER = load_legend(REPO / "config/legends/esa_worldcover_v100.yaml")
DYNAMIC_WORLD = load_legend(REPO / "config/legends/dynamic_world.yaml")
FREETOWN = (
    REPO / "data/freetown/SLE-Freetown_core-landcover2020.tif",
    REPO / "data/freetown/SLE-Freetown_core-boundary.geojson",
)
CHENGDU = (
    REPO / "data/chengdu/world_cover_CHN-Chengdu.tif",
    REPO / "data/chengdu/admin_boundaries_CHN-Chengdu.geojson",
)


# --- the old whole-array path ---------------------------------------------------------------------------------


def whole_raster_polygons(labels: np.ndarray, *, transform) -> dict[int, shapely.MultiPolygon]:
    pieces: dict[int, list] = {}
    shapes = rasterio.features.shapes(labels.astype(np.int32), mask=labels > 0, transform=transform, connectivity=4)
    for geometry, value in shapes:
        pieces.setdefault(int(value), []).append(shapely.geometry.shape(geometry))
    return {label: shapely.MultiPolygon(parts) for label, parts in pieces.items()}


def old_natural_patches(natural: np.ndarray, *, transform, crs, neighbourhood: int) -> gpd.GeoDataFrame:
    structure = ndimage.generate_binary_structure(2, 2 if neighbourhood == 8 else 1)
    labels, n_patches = ndimage.label(natural, structure=structure)
    row_area = row_cell_areas_m2(crs=crs, transform=transform, height=labels.shape[0], width=labels.shape[1])
    areas = np.bincount(
        labels.ravel(), weights=np.broadcast_to(row_area[:, None], labels.shape).ravel(), minlength=n_patches + 1
    )
    cells = np.bincount(labels.ravel(), minlength=n_patches + 1)
    geometries = whole_raster_polygons(labels, transform=transform)
    ids = np.array(sorted(geometries), dtype=np.int64)
    return gpd.GeoDataFrame(
        {"patch_id": ids, "n_cells": cells[ids], "area_ha": areas[ids] / SQUARE_METRES_PER_HECTARE},
        geometry=[geometries[i] for i in ids],
        crs=crs,
    )


def old_groups(raster, boundary, *, legend, method, barriers=None) -> gpd.GeoDataFrame:
    grid = read_city_grid(raster, boundary, boundary_rule=method.boundary_rule, nodata_codes=legend.nodata)
    whole = compute_landcover_in_memory(grid, legend=legend, method=method, barriers=barriers)
    geometries = whole_raster_polygons(whole.groups.labels, transform=grid.transform)
    ids = np.array(sorted(geometries), dtype=np.int64)
    groups = gpd.GeoDataFrame(
        {"group_id": ids, "area_ha": whole.group_areas_m2[ids] / SQUARE_METRES_PER_HECTARE},
        geometry=[geometries[i] for i in ids],
        crs=grid.crs,
    )
    return groups, whole.natural, grid


def assert_same_layer(expected: gpd.GeoDataFrame, got: gpd.GeoDataFrame, *, key: str) -> None:
    assert list(got.columns) == list(expected.columns)
    assert got[key].tolist() == expected[key].tolist()  # same ids, same order
    got_geometries, expected_geometries = got.geometry.values, expected.geometry.values
    assert shapely.is_valid(got_geometries).all()
    same = shapely.equals_exact(shapely.normalize(got_geometries), shapely.normalize(expected_geometries), tolerance=0)
    # the same vertices in the same rings, or (a ring touching itself where GDAL splits it) the same point set
    assert shapely.equals(got_geometries[~same], expected_geometries[~same]).all()
    for column in expected.columns.drop([key, "geometry"]):
        np.testing.assert_allclose(got[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-12)


# --- the pass -------------------------------------------------------------------------------------------------


def pass_layers(raster, boundary, *, legend, method, block_rows, barriers=None, keep=None):
    """The two layers as the land-cover stage builds them, from the strips of one pass (kept in ``keep``)."""
    collected = {}

    def on_strip(strip):
        if "polygons" not in collected:
            collected["polygons"] = PassPolygons(
                width=strip.local_labels.shape[1],
                neighbourhood=method.neighbourhood,
                habitat_is_natural=habitat_is_natural(method, barriers),
            )
        collected["polygons"].add_strip(
            local_labels=strip.local_labels,
            label_offset=strip.label_offset,
            natural=strip.natural,
            row_area_m2=strip.grid.row_area_m2,
            transform=strip.grid.transform,
        )
        if keep is not None:
            keep.append(strip)

    result = compute_landcover_indicators_blockwise(
        raster, boundary, legend=legend, method=method, block_rows=block_rows, on_strip=on_strip, barriers=barriers
    )
    if keep is not None:
        keep.insert(0, result)
    return collected["polygons"].frames(result)


def old_groups_of_strips(result, strips) -> gpd.GeoDataFrame:
    """The old collector up to 200 million cells: the strips' labels stacked, mapped to groups, polygonized once."""
    labels = np.vstack([np.where(s.local_labels > 0, s.local_labels + s.label_offset, 0) for s in strips])
    geometries = whole_raster_polygons(result.group_of_patch[labels], transform=strips[0].grid.transform)
    ids = np.array(sorted(geometries), dtype=np.int64)
    return gpd.GeoDataFrame(
        {"group_id": ids, "area_ha": result.group_areas_m2[ids] / SQUARE_METRES_PER_HECTARE},
        geometry=[geometries[i] for i in ids],
        crs=result.window.crs,
    )


METHODS = {
    "gap0-n8": LandcoverMethod(gap_distance_m=0, neighbourhood=8),
    "gap0-n4": LandcoverMethod(gap_distance_m=0, neighbourhood=4),
    "gap25": LandcoverMethod(gap_distance_m=25),
    "gap100-n4": LandcoverMethod(gap_distance_m=100, neighbourhood=4),
    "built-up barrier": LandcoverMethod(gap_distance_m=25, builtup_is_barrier=True),  # patches labelled apart
    "exact rule": LandcoverMethod(gap_distance_m=25, boundary_rule="exact"),
}


@pytest.mark.parametrize("block_rows", [1, 2, 5, 7, 40])
@pytest.mark.parametrize("method", list(METHODS.values()), ids=list(METHODS))
def test_crossing_patterns_equal_the_whole_array_polygons(crossing_city, method, block_rows):
    raster, boundary = crossing_city
    groups, natural, grid = old_groups(raster, boundary, legend=WORLDCOVER, method=method)
    patches = old_natural_patches(natural, transform=grid.transform, crs=grid.crs, neighbourhood=method.neighbourhood)
    layers = pass_layers(raster, boundary, legend=WORLDCOVER, method=method, block_rows=block_rows)
    assert_same_layer(groups, layers[GROUPS_LAYER], key="group_id")
    assert_same_layer(patches, layers[NATURAL_PATCHES_LAYER], key="patch_id")
    assert len(patches) > 5 and len(groups) > 1


def freetown_road(boundary):
    centre = boundary.geometry.centroid
    line = shapely.LineString([(centre.x - 0.2, centre.y - 0.2), (centre.x + 0.2, centre.y + 0.2)])
    return gpd.GeoSeries([line.buffer(0.0002)], crs=boundary.crs)


@pytest.mark.parametrize(
    "city, legend, block_rows, with_road",
    [
        (FREETOWN, DYNAMIC_WORLD, 512, False),
        (FREETOWN, DYNAMIC_WORLD, 61, True),  # a road barrier: groups of habitat, patches of natural cells
        (CHENGDU, WORLDCOVER, 512, False),
    ],
    ids=["freetown-2020", "freetown-2020-road", "chengdu-2020"],
)
def test_sample_cities_equal_the_whole_array_polygons(city, legend, block_rows, with_road):
    raster, boundary_path = city
    spec = {"filter_column": "boundary_use", "filter_value": "TRUE"} if city == CHENGDU else {}
    boundary = BoundarySpec(str(boundary_path), **spec).read()
    barriers = freetown_road(boundary) if with_road else None
    method = LandcoverMethod(gap_distance_m=100)
    kept = []
    layers = pass_layers(
        raster, boundary, legend=legend, method=method, block_rows=block_rows, barriers=barriers, keep=kept
    )
    result, strips = kept[0], kept[1:]
    natural = np.vstack([strip.natural for strip in strips])
    transform = strips[0].grid.transform
    patches = old_natural_patches(natural, transform=transform, crs=result.window.crs, neighbourhood=8)
    assert_same_layer(old_groups_of_strips(result, strips), layers[GROUPS_LAYER], key="group_id")
    assert_same_layer(patches, layers[NATURAL_PATCHES_LAYER], key="patch_id")
    if with_road:  # the road cuts natural patches for I2 only; the whole-array groups agree too
        groups, _, _ = old_groups(raster, boundary, legend=legend, method=method, barriers=barriers)
        assert_same_layer(groups.drop(columns="area_ha"), layers[GROUPS_LAYER].drop(columns="area_ha"), key="group_id")
        assert layers[GROUPS_LAYER]["area_ha"].sum() < layers[NATURAL_PATCHES_LAYER]["area_ha"].sum()


# --- the stage: one job, or bands and a merge ------------------------------------------------------------------


@pytest.fixture
def crossing_job(crossing_city, tmp_path):
    raster, boundary = crossing_city
    boundary_path = write_vector(tmp_path / "boundary.gpkg", [boundary.geometry], crs=boundary.crs)
    return {
        "city": "crossing",
        "year": 2020,
        "raster_path": str(raster),
        "boundary": BoundarySpec(str(boundary_path)),
        "legend_path": str(REPO / "config/legends/esa_worldcover_v100.yaml"),
        "method": {"gap_distance_m": 25.0},
        "block_rows": 4,
        "equal_area_crs": "auto",
        "boundary_coverage_tolerance_percent": 1.0,
    }


def test_the_stage_writes_both_layers_and_bands_write_the_same(crossing_job, crossing_city, tmp_path):
    raster, boundary = crossing_city
    one = tmp_path / "one"
    one.mkdir()
    compute_landcover_indicators(
        indicators_csv=str(one / "table.csv"),
        natural_mask_tif=str(one / "mask.tif"),
        groups_gpkg=str(one / "groups.gpkg"),
        **crossing_job,
    )
    method = LandcoverMethod(gap_distance_m=25.0)
    groups, natural, grid = old_groups(raster, boundary, legend=WORLDCOVER, method=method)
    with rasterio.open(one / "mask.tif") as mask:
        np.testing.assert_array_equal(mask.read(1) == 1, natural)
        patches = old_natural_patches(
            natural, transform=mask.transform, crs=CRS.from_user_input(mask.crs), neighbourhood=8
        )
    for layer, expected, key in ((GROUPS_LAYER, groups, "group_id"), (NATURAL_PATCHES_LAYER, patches, "patch_id")):
        assert_same_layer(expected, gpd.read_file(one / "groups.gpkg", layer=layer), key=key)

    bands = tmp_path / "bands"
    bands.mkdir()
    job = {
        key: value
        for key, value in crossing_job.items()
        if key not in ("equal_area_crs", "boundary_coverage_tolerance_percent")
    }
    parts = {"state_npz": [], "mask_part_tif": [], "labels_part_tif": []}
    for band in range(3):
        paths = {name: str(bands / f"{name}_{band}") for name in parts}
        compute_landcover_band(band=band, n_bands=3, **paths, **job)
        for name, path in paths.items():
            parts[name].append(path)
    merge_landcover_bands(
        state_npzs=parts["state_npz"],
        mask_part_tifs=parts["mask_part_tif"],
        labels_part_tifs=parts["labels_part_tif"],
        indicators_csv=str(bands / "table.csv"),
        natural_mask_tif=str(bands / "mask.tif"),
        groups_gpkg=str(bands / "groups.gpkg"),
        **crossing_job,
    )
    for layer, key in ((GROUPS_LAYER, "group_id"), (NATURAL_PATCHES_LAYER, "patch_id")):
        assert_same_layer(
            gpd.read_file(one / "groups.gpkg", layer=layer), gpd.read_file(bands / "groups.gpkg", layer=layer), key=key
        )


def test_a_mask_file_gives_the_same_patches_strip_by_strip(crossing_city, tmp_path):
    from cbindex.landcover.spatial_outputs import natural_patches_from_mask

    raster, boundary = crossing_city
    method = LandcoverMethod(gap_distance_m=0)
    _, natural, grid = old_groups(raster, boundary, legend=WORLDCOVER, method=method)
    path = tmp_path / "mask.tif"
    profile = {"driver": "GTiff", "width": natural.shape[1], "height": natural.shape[0], "count": 1, "dtype": "uint8"}
    with rasterio.open(path, "w", crs=grid.crs, transform=grid.transform, nodata=255, **profile) as out:
        out.write(natural.astype(np.uint8), 1)
    expected = old_natural_patches(natural, transform=grid.transform, crs=grid.crs, neighbourhood=8)
    assert_same_layer(expected, natural_patches_from_mask(path, neighbourhood=8, block_rows=3), key="patch_id")


def test_empty_city_gives_empty_typed_layers(tmp_path):
    boundary = read_city_boundary(write_vector(tmp_path / "b.gpkg", [shapely.box(0, 0, 1, 1)], crs="EPSG:32628"))
    polygons = PassPolygons(width=4, neighbourhood=8, habitat_is_natural=True)
    transform = rasterio.transform.from_origin(0, 1, 0.25, 0.25)
    polygons.add_strip(
        local_labels=np.zeros((4, 4), np.int32),
        label_offset=0,
        natural=np.zeros((4, 4), bool),
        row_area_m2=np.full(4, 0.0625),
        transform=transform,
    )

    class Result:
        group_of_patch = np.zeros(1, np.int64)
        group_areas_m2 = np.zeros(1)
        patch_of_label = np.zeros(1, np.int64)
        window = type("Window", (), {"crs": boundary.crs})

    layers = polygons.frames(Result)
    assert layers[GROUPS_LAYER].empty and layers[NATURAL_PATCHES_LAYER].empty
    assert layers[NATURAL_PATCHES_LAYER]["n_cells"].dtype == np.int64
    assert layers[GROUPS_LAYER]["group_id"].dtype == np.int64
