"""The connectivity-group map's ranks: GDAL's all-touched rasterize for a few groups, the compiled burner past
COMPILED_BURN_BYTES; both put the largest group first and smaller groups over larger ones."""

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine

from cbindex.report import stage
from cbindex.report.stage import group_ranks

GRID = Affine(10.0, 0.0, 500_000.0, 0.0, -10.0, 4_000_000.0)


def random_groups(seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    geometries = []
    for _ in range(40):
        x, y = rng.uniform(500_000, 501_000), rng.uniform(3_999_000, 4_000_000)
        blob = shapely.Point(x, y).buffer(rng.uniform(5, 150), quad_segs=int(rng.integers(1, 8)))
        if rng.random() < 0.3:
            blob = blob.difference(shapely.Point(x, y).buffer(rng.uniform(2, 40)))
        geometries.append(blob)
    areas = np.array([geometry.area / 10_000 for geometry in geometries])
    return gpd.GeoDataFrame({"area_ha": areas}, geometry=geometries, crs="EPSG:32628")


def test_both_burners_give_the_same_ranks(monkeypatch):
    for seed in range(3):
        groups = random_groups(seed)
        gdal, areas = group_ranks(groups, shape=(100, 100), transform=GRID)
        monkeypatch.setattr(stage, "COMPILED_BURN_BYTES", 0)
        compiled, compiled_areas = group_ranks(groups, shape=(100, 100), transform=GRID)
        monkeypatch.undo()
        assert areas == compiled_areas == sorted(areas, reverse=True)
        assert (gdal != compiled).mean() < 0.005  # a cell an outline crosses within rounding of its side may differ
        assert set(np.unique(gdal)) == set(np.unique(compiled))
