"""Areas are ground areas: a raster in EPSG:4326 gives the same indicators as its UTM reprojection.

Each sample raster is reprojected with nearest neighbour to its UTM zone at about its own ground resolution;
values must agree within 0.5 % relative. The connectivity (I2) is compared under the ``exact`` boundary
rule: under the ``centre`` rule a single resampled boundary cell can join or split two large groups (on
Freetown 2020 this moves I2 by 2.7 %), which is resampling error of the mesh, not of the areas.
"""

from pathlib import Path

import pytest
import rasterio
from rasterio.warp import Resampling, calculate_default_transform, reproject

from cbindex.core.method import LandcoverMethod
from cbindex.geo.boundary import read_city_boundary
from cbindex.geo.city_grid import read_city_grid
from cbindex.geo.legends import load_legend
from cbindex.landcover.in_memory import compute_landcover_in_memory
from cbindex.landcover.stage import boundary_area_ha
from tests.helpers import REPO

TOLERANCE = 0.005
CASES = {
    "freetown_2020": (
        "data/freetown/SLE-Freetown_core-landcover2020.tif",
        "data/freetown/SLE-Freetown_core-boundary.geojson",
        None,
        None,
        "dynamic_world",
        "EPSG:32628",
        10,
    ),
    "chengdu_2020": (
        "data/chengdu/world_cover_CHN-Chengdu.tif",
        "data/chengdu/admin_boundaries_CHN-Chengdu.geojson",
        "boundary_use",
        "TRUE",
        "esa_worldcover_v100",
        "EPSG:32648",
        90,
    ),
}


def reproject_nearest(source_path: Path, destination_path: Path, *, crs: str, resolution_m: float) -> Path:
    with rasterio.open(source_path) as source:
        transform, width, height = calculate_default_transform(
            source.crs, crs, source.width, source.height, *source.bounds, resolution=resolution_m
        )
        nodata = -1 if source.dtypes[0] == "int32" else source.nodata
        profile = {
            **source.profile,
            "driver": "GTiff",
            "crs": crs,
            "transform": transform,
            "width": width,
            "height": height,
            "nodata": nodata,
        }
        with rasterio.open(destination_path, "w", **profile) as destination:
            reproject(
                rasterio.band(source, 1),
                rasterio.band(destination, 1),
                resampling=Resampling.nearest,
                dst_nodata=nodata,
            )
    return destination_path


def indicators(raster, boundary, legend, rule):
    grid = read_city_grid(raster, boundary, boundary_rule=rule, nodata_codes=legend.nodata)
    result = compute_landcover_in_memory(grid, legend=legend, method=LandcoverMethod(boundary_rule=rule))
    return {key: result.value_of(key) for key in ("city_area", "natural_area", "I1", "I2", "I11", "I12")}


@pytest.mark.parametrize("rule", ["centre", "exact"])
@pytest.mark.parametrize("case", list(CASES))
def test_same_values_in_utm(case, rule, tmp_path):
    raster, boundary_path, column, value, legend_name, utm, resolution = CASES[case]
    boundary = read_city_boundary(REPO / boundary_path, filter_column=column, filter_value=value)
    legend = load_legend(REPO / "config" / "legends" / f"{legend_name}.yaml")
    geographic = indicators(REPO / raster, boundary, legend, rule)
    projected = indicators(
        reproject_nearest(REPO / raster, tmp_path / "utm.tif", crs=utm, resolution_m=resolution), boundary, legend, rule
    )
    compared = [key for key in geographic if rule == "exact" or key != "I2"]
    for key in compared:
        assert projected[key] == pytest.approx(geographic[key], rel=TOLERANCE), key
    if rule == "exact":  # exact coverage fractions of ground areas add up to the polygon's own area
        polygon_ha = boundary_area_ha(boundary, equal_area_crs="auto")
        assert geographic["city_area"] == pytest.approx(polygon_ha, rel=5e-4)
