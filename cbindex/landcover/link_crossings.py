"""What a candidate link of SI indicator 2 crosses: the land cover under it, sampled on the raster, and barriers.

A link (:mod:`cbindex.landcover.links`) is the shortest segment between two groups of natural patches. The land it
would turn into a corridor is read from the land-cover raster itself: the segment is sampled at
``n = max(1, ⌈2 · max(|Δcol|, |Δrow|)⌉)`` evenly spaced points (the midpoints of n equal pieces, so at least two
per cell crossed, in cell units of the raster's grid), each point takes the class of the cell under it, and the
share of a category is its points ÷ n × 100. The categories are exclusive, in this order: ``built_up``,
``cropland``, ``water`` (legend categories), ``natural`` (the city's natural classes: a link may cross a third,
smaller group), ``other`` (every other class), ``outside`` (cells outside the city or without data, by the
boundary rule of the indicators). The raster is read in strips of ``block_rows`` rows, only where samples fall,
so memory stays bounded by the strip size and the number of samples.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cbindex.core.method import LandcoverMethod
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.city_grid import CityWindow, strips
from cbindex.geo.legends import Legend

CROSSING_CATEGORIES = ("built_up", "cropland", "water", "natural", "other", "outside")
"""The exclusive categories of a link's share columns ``{category}_share`` (%), in the order they are decided."""

SHARE_COLUMNS = [f"{category}_share" for category in CROSSING_CATEGORIES]

OUTSIDE_NAMES = ("outside the city or no data", "城市外或无数据")


def classes_along_links(
    lines: gpd.GeoSeries,
    *,
    window: CityWindow,
    legend: Legend,
    method: LandcoverMethod,
    block_rows: int,
) -> pd.DataFrame:
    """The land cover under each link, in shares of its length (%), sampled on the land-cover raster.

    Parameters
    ----------
    lines : geopandas.GeoSeries
        The links (two-point lines, any CRS; drawn in the raster's CRS, where they are straight).
    window : CityWindow
        The city's window on the land-cover raster (:func:`cbindex.geo.city_grid.open_city_window`).
    legend : Legend
        The raster's legend.
    method : LandcoverMethod
        The natural classes and the boundary rule of the indicators.
    block_rows : int
        Rows read at once.

    Returns
    -------
    pandas.DataFrame
        One row per link, in order: ``{category}_share`` for :data:`CROSSING_CATEGORIES` (%, summing to 100),
        ``classes_crossed`` and ``classes_crossed_zh``: each class under the link with its share, largest first,
        e.g. "Built 62 %, Crops 38 %" / "建成区 62%，农作物 38%".
    """
    line_of, rows, cols = _samples(lines.to_crs(window.crs), window)
    n_samples = np.bincount(line_of, minlength=len(lines))
    codes = np.full(len(line_of), -1, dtype=np.int64)  # -1: outside the city or without data
    height, width = window.shape
    inside_grid = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    order = np.argsort(np.where(inside_grid, rows, -1), kind="stable")
    sorted_rows = rows[order]
    for start, stop in strips(height, block_rows):
        low, high = np.searchsorted(sorted_rows, [start, stop])
        picked = order[low:high]
        picked = picked[inside_grid[picked]]
        if len(picked) == 0:
            continue
        grid = window.read_rows(start, stop, boundary_rule=method.boundary_rule, nodata_codes=legend.nodata)
        local_rows, local_cols = rows[picked] - start, cols[picked]
        inside = grid.weight[local_rows, local_cols] > 0
        codes[picked[inside]] = grid.codes[local_rows[inside], local_cols[inside]]
    known = CategoryCodes.from_legend(legend, method)
    category = _category_of(codes, (known.built_up, legend.codes_in("cropland"), known.water, known.natural))
    counts = np.zeros((len(lines), len(CROSSING_CATEGORIES)), dtype=np.int64)
    np.add.at(counts, (line_of, category), 1)
    shares = counts / np.maximum(n_samples, 1)[:, None] * 100.0
    frame = pd.DataFrame(shares, columns=SHARE_COLUMNS, index=lines.index)
    frame["classes_crossed"], frame["classes_crossed_zh"] = _class_texts(line_of, codes, n_samples, legend)
    return frame


def crosses_barriers(lines: gpd.GeoSeries, barriers: gpd.GeoSeries) -> np.ndarray:
    """Whether each link intersects a barrier polygon (:func:`cbindex.geo.barriers.read_barriers`), found through
    an STRtree on the barriers."""
    if len(lines) == 0 or len(barriers) == 0:
        return np.zeros(len(lines), dtype=bool)
    projected = np.asarray(lines.to_crs(barriers.crs).values, dtype=object)
    tree = shapely.STRtree(np.asarray(barriers.values, dtype=object))
    line_index, _ = tree.query(projected, predicate="intersects")
    crossing = np.zeros(len(lines), dtype=bool)
    crossing[line_index] = True
    return crossing


def _samples(lines: gpd.GeoSeries, window: CityWindow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Line index, window row and column of every sample point (midpoints of n equal pieces of each line)."""
    inverse = ~window.transform
    coordinates = shapely.get_coordinates(lines.values)
    parts = shapely.get_num_coordinates(lines.values)
    if len(coordinates) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    ends = np.cumsum(parts)
    x0, y0 = coordinates[ends - parts].T
    x1, y1 = coordinates[ends - 1].T
    a, b, c, d, e, f = inverse[:6]
    col0, row0 = a * x0 + b * y0 + c, d * x0 + e * y0 + f
    col1, row1 = a * x1 + b * y1 + c, d * x1 + e * y1 + f
    span = np.maximum(np.abs(col1 - col0), np.abs(row1 - row0))
    n = np.maximum(1, np.ceil(2.0 * span)).astype(np.int64)
    line_of = np.repeat(np.arange(len(n)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    fraction = (np.arange(len(line_of)) - first + 0.5) / n[line_of]
    rows = np.floor(row0[line_of] + fraction * (row1 - row0)[line_of]).astype(np.int64)
    cols = np.floor(col0[line_of] + fraction * (col1 - col0)[line_of]).astype(np.int64)
    return line_of, rows, cols


def _category_of(codes: np.ndarray, selections: tuple[frozenset[int], ...]) -> np.ndarray:
    """Index into :data:`CROSSING_CATEGORIES` of each sampled code (-1 is outside): the first of ``selections``
    (the codes of its first categories, in order) that holds it, else ``other``."""
    category = np.full(len(codes), CROSSING_CATEGORIES.index("other"), dtype=np.int64)
    decided = np.zeros(len(codes), dtype=bool)
    for index, selected in enumerate(selections):
        hit = ~decided & np.isin(codes, sorted(selected))
        category[hit], decided = index, decided | hit
    category[codes == -1] = CROSSING_CATEGORIES.index("outside")
    return category


def _class_texts(
    line_of: np.ndarray, codes: np.ndarray, n_samples: np.ndarray, legend: Legend
) -> tuple[list[str], list[str]]:
    """Per link, every class under it with its share (%), largest first, in English and Chinese."""
    texts: list[list[tuple[float, int, str, str]]] = [[] for _ in range(len(n_samples))]
    if len(codes):
        lowest = int(codes.min())
        keys = line_of * (int(codes.max()) - lowest + 1) + (codes - lowest)
        unique, counts = np.unique(keys, return_counts=True)
        span = int(codes.max()) - lowest + 1
        for key, count in zip(unique.tolist(), counts.tolist(), strict=True):
            line, code = divmod(key, span)
            code += lowest
            if code == -1:
                name, name_zh = OUTSIDE_NAMES
            else:
                legend_class = legend.classes[code]
                name, name_zh = legend_class.name, legend_class.name_zh or legend_class.name
            texts[line].append((count / n_samples[line] * 100.0, code, name, name_zh))
    english, chinese = [], []
    for parts in texts:
        parts.sort(key=lambda part: (-part[0], part[1]))
        english.append(", ".join(f"{name} {_percent(share)} %" for share, _, name, _ in parts))
        chinese.append("，".join(f"{name_zh} {_percent(share)}%" for share, _, _, name_zh in parts))
    return english, chinese


def _percent(share: float) -> str:
    """A share to the nearest whole percent, "<1" for a share that rounds to 0."""
    return "<1" if 0 < share < 0.5 else f"{math.floor(share + 0.5):d}"
