"""The land-cover composition of a city in one year: the ground area and share of each class of the legend.

``area[class] = Σ weight · cell area`` over the city's cells holding the class's code (weight 1/0 under the
cell-centre rule, the covered fraction under the exact rule; cell area the ground area of a cell of that row), the
cells and weights of :mod:`cbindex.geo.city_grid`, exactly as for the indicators: the classes' areas add up to the
year's ``city_area`` (cells without data are left out and counted apart, as ``nodata_area``).
``share = area ÷ Σ areas × 100``.

The rule's stage function (:func:`compute_class_areas`) lives here, so that the rule imports neither the
compiled kernels nor the polygon outputs of the indicators.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, write_csv
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, open_city_window, strips
from cbindex.geo.legends import Legend, check_codes, load_legend, unique_codes

LOGGER = logging.getLogger(__name__)
CLASS_AREA_COLUMNS = ["year", "legend", "code", "class", "class_zh", "area_ha", "share_percent"]


def class_areas_m2(
    codes: np.ndarray,
    *,
    weight: np.ndarray,
    row_area_m2: np.ndarray,
    classes: Sequence[int],
) -> np.ndarray:
    """Ground area (m²) of each class in ``classes`` over a strip: ``Σ weight · cell area`` of its cells.

    Parameters
    ----------
    codes : ndarray of int, shape (rows, cols)
    weight : ndarray of float, shape (rows, cols)
        Share of each cell that counts (0 outside the city or without data).
    row_area_m2 : ndarray of float, shape (rows,)
        Ground area of one cell of each row, square metres.
    classes : sequence of int
        The legend's codes, in the order of the result.

    Returns
    -------
    ndarray of float64, shape (len(classes),)

    Raises
    ------
    ValueError
        If the shapes disagree or a counted cell holds a code not in ``classes``.
    """
    codes, weight = np.asarray(codes), np.asarray(weight)
    if codes.shape != weight.shape or np.shape(row_area_m2) != (weight.shape[0],):
        raise ValueError("codes and weight must share one shape, row_area_m2 one value per row")
    ordered = np.asarray(classes, dtype=np.int64)
    counted = weight > 0
    values = codes[counted].astype(np.int64)
    sorter = np.argsort(ordered)
    found = np.minimum(np.searchsorted(ordered, values, sorter=sorter), len(ordered) - 1)
    positions = sorter[found]
    unknown = ordered[positions] != values
    if unknown.any():
        raise ValueError(f"codes {sorted(set(values[unknown].tolist()))} are not among the classes")
    cell_area = (weight * np.asarray(row_area_m2, dtype=np.float64)[:, None])[counted]
    return np.bincount(positions, weights=cell_area, minlength=len(ordered)).astype(np.float64)


def class_area_table(areas_m2: np.ndarray, *, legend: Legend, year: int) -> pd.DataFrame:
    """Every class of the legend (absent ones with 0 ha), in legend order, with its area (ha) and share (%).

    Columns :data:`CLASS_AREA_COLUMNS`; ``share_percent`` is NaN when the city has no cell with data.
    """
    total = float(np.sum(areas_m2))
    rows = [
        {
            "year": year,
            "legend": legend.id,
            "code": code,
            "class": legend_class.name,
            "class_zh": legend_class.name_zh,
            "area_ha": float(area) / SQUARE_METRES_PER_HECTARE,
            "share_percent": 100.0 * float(area) / total if total > 0 else float("nan"),
        }
        for (code, legend_class), area in zip(legend.classes.items(), areas_m2, strict=True)
    ]
    return pd.DataFrame(rows, columns=CLASS_AREA_COLUMNS)


def compute_class_areas(
    *,
    city: str,
    year: int,
    raster: str,
    boundary: BoundarySpec,
    legend_path: str,
    boundary_rule: str,
    class_areas_csv: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Measure the area of each land-cover class inside the city in one year and write it as a table.

    The raster is read strip by strip over the city's window (memory bounded by ``block_rows``), with the boundary
    rule and the legend's no-data codes of the indicators.

    Raises
    ------
    CBIInputError
        If the raster holds codes the legend does not define, or the boundary or raster cannot be read.
    """
    legend = load_legend(legend_path)
    window = open_city_window(raster, boundary.read())
    classes = list(legend.classes)
    areas = np.zeros(len(classes))
    for row_start, row_stop in strips(window.shape[0], block_rows):
        grid = window.read_rows(row_start, row_stop, boundary_rule=boundary_rule, nodata_codes=legend.nodata)
        check_codes(legend, unique_codes(grid.codes[grid.weight > 0]), raster_path=grid.path)
        areas += class_areas_m2(grid.codes, weight=grid.weight, row_area_m2=grid.row_area_m2, classes=classes)
    table = class_area_table(areas, legend=legend, year=year)
    write_csv(table, class_areas_csv, encoding=csv_encoding)
    LOGGER.info(
        "City %s %s: %.1f ha in %d classes (%s)",
        city,
        year,
        table["area_ha"].sum(),
        int((table["area_ha"] > 0).sum()),
        class_areas_csv,
    )
