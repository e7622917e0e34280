"""Land-cover change between two years: the ground area that went from each class to each class.

Both years' rasters must be on the same grid (same CRS, cell size and alignment over the city), as the years
of one product are.  The city's cells and their ground areas come from :mod:`cbindex.geo.city_grid`, exactly as
for the indicators, so the areas of the matrix add up to the city area of either year when no cell lacks data.
A cell counts when it holds data in both years; the area of cells without data in one year or the other is
reported apart, never guessed.

The rule's stage function (:func:`compute_landcover_transitions`, re-exported by :mod:`cbindex.landcover.stage`)
lives here, so that the rule imports neither the compiled kernels nor the polygon outputs of the indicators.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cbindex.core.errors import CBIInputError
from cbindex.core.indicator_table import DEFAULT_CSV_ENCODING, write_csv
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, CityWindow, open_city_window, strips
from cbindex.geo.legends import Legend, check_codes, load_legend, unique_codes

LOGGER = logging.getLogger(__name__)
TRANSITION_COLUMNS = [
    "year_from",
    "year_to",
    "from_code",
    "from_class",
    "from_class_zh",
    "to_code",
    "to_class",
    "to_class_zh",
    "area_ha",
]
_GRID_TOLERANCE = 1e-9  # relative difference of transform coefficients still counted as the same grid


def transition_areas_m2(
    codes_from: np.ndarray,
    codes_to: np.ndarray,
    *,
    weight: np.ndarray,
    row_area_m2: np.ndarray,
    classes: Sequence[int],
) -> pd.DataFrame:
    """Ground area that each class of the first raster covers in each class of the second.

    Parameters
    ----------
    codes_from, codes_to : ndarray of int, shape (rows, cols)
        Class codes of the two years, co-registered cell by cell.
    weight : ndarray of float, shape (rows, cols)
        Share of each cell that counts (0 outside the city or where either year has no data, 1 inside with
        the centre rule, the covered fraction with the exact rule).
    row_area_m2 : ndarray of float, shape (rows,)
        Ground area of one cell of each row, square metres.
    classes : sequence of int
        Class codes, in the order of the matrix's rows and columns.

    Returns
    -------
    pandas.DataFrame
        ``len(classes) × len(classes)`` areas in m²: row = class in the first year (index ``from_code``),
        column = class in the second (``to_code``); ``Σ weight · cell area`` over the cells of each pair.

    Raises
    ------
    ValueError
        If the arrays' shapes differ, or a cell of positive weight holds a code not in `classes`.
    """
    codes_from, codes_to, weight = np.asarray(codes_from), np.asarray(codes_to), np.asarray(weight)
    if not codes_from.shape == codes_to.shape == weight.shape or row_area_m2.shape != (weight.shape[0],):
        raise ValueError("codes_from, codes_to and weight must share one shape, row_area_m2 one value per row")
    ordered = np.asarray(classes, dtype=np.int64)
    counted = weight > 0
    index_from = _class_index(codes_from[counted], ordered)
    index_to = _class_index(codes_to[counted], ordered)
    cell_area = (weight * row_area_m2[:, None])[counted]
    n_classes = len(ordered)
    areas = np.bincount(index_from * n_classes + index_to, weights=cell_area, minlength=n_classes * n_classes)
    return pd.DataFrame(
        areas.reshape(n_classes, n_classes),
        index=pd.Index(ordered, name="from_code"),
        columns=pd.Index(ordered, name="to_code"),
    )


def _class_index(codes: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Position of each code in `ordered` (raising ValueError for a code that is not there)."""
    sorter = np.argsort(ordered)
    found = np.searchsorted(ordered, codes, sorter=sorter)
    found = np.minimum(found, len(ordered) - 1)
    positions = sorter[found]
    unknown = ordered[positions] != codes
    if unknown.any():
        raise ValueError(f"codes {sorted(set(codes[unknown].tolist()))} are not among the classes")
    return positions


def transition_table(
    areas_m2: pd.DataFrame,
    *,
    legend: Legend,
    year_from: int,
    year_to: int,
) -> pd.DataFrame:
    """The matrix as a long table in hectares, named with the legend's classes.

    Only the classes present in either year are kept, with every pair of them (zero areas included), so the
    table pivots back into a square matrix.

    Parameters
    ----------
    areas_m2 : pandas.DataFrame
        Output of :func:`transition_areas_m2` (codes of `legend`).
    legend : Legend
        Gives the English and Chinese class names.
    year_from, year_to : int
        The two land-cover years.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TRANSITION_COLUMNS`, rows ordered by the legend's class order (from, then to).
    """
    present = (areas_m2.sum(axis=1) > 0) | (areas_m2.sum(axis=0) > 0)
    kept = [code for code in areas_m2.index if present[code]]
    rows = [
        {
            "year_from": year_from,
            "year_to": year_to,
            "from_code": code_from,
            "from_class": legend.classes[code_from].name,
            "from_class_zh": legend.classes[code_from].name_zh,
            "to_code": code_to,
            "to_class": legend.classes[code_to].name,
            "to_class_zh": legend.classes[code_to].name_zh,
            "area_ha": float(areas_m2.loc[code_from, code_to]) / SQUARE_METRES_PER_HECTARE,
        }
        for code_from in kept
        for code_to in kept
    ]
    return pd.DataFrame(rows, columns=TRANSITION_COLUMNS)


def transition_matrix_ha(table: pd.DataFrame, *, names: str = "from_class") -> pd.DataFrame:
    """Pivot a transition table (:func:`transition_table`) back into a from × to matrix of hectares.

    Parameters
    ----------
    table : pandas.DataFrame
        One pair of years, columns :data:`TRANSITION_COLUMNS`.
    names : {"from_class", "from_class_zh"}
        Which class names label the rows and columns.

    Returns
    -------
    pandas.DataFrame
        Rows = class in the first year, columns = class in the second, in the table's order.
    """
    to_names = names.replace("from_", "to_")
    order = list(dict.fromkeys(table[names]))
    matrix = table.pivot(index=names, columns=to_names, values="area_ha")
    return matrix.loc[order, order].rename_axis(index=None, columns=None)


def require_same_grid(first: CityWindow, second: CityWindow, *, years: tuple[int, int]) -> None:
    same = (
        first.crs == second.crs
        and first.shape == second.shape
        and np.allclose(tuple(first.transform)[:6], tuple(second.transform)[:6], rtol=_GRID_TOLERANCE, atol=0)
    )
    if not same:
        raise CBIInputError(
            f"Land-cover rasters of {years[0]} ({first.path}) and {years[1]} ({second.path}) are not on the same "
            "grid over the city; resample one onto the other's grid (same CRS, cell size and alignment) to "
            "compare the years."
        )


def compute_landcover_transitions(
    *,
    city: str,
    year_from: int,
    year_to: int,
    raster_from: str,
    raster_to: str,
    boundary: BoundarySpec,
    legend_path: str,
    boundary_rule: str,
    transitions_csv: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Measure the land-cover transitions of a city between two years and write them as a long table.

    The two rasters are read strip by strip over the city's window (memory bounded by ``block_rows``), with
    the boundary rule and legend no-data codes of the indicators.  Cells without data in either year are left
    out and their area logged.

    Raises
    ------
    CBIInputError
        If the rasters are not on the same grid over the city, hold codes the legend does not define, or the
        boundary or a raster cannot be read.
    """
    legend = load_legend(legend_path)
    city_boundary = boundary.read()
    window_from = open_city_window(raster_from, city_boundary)
    window_to = open_city_window(raster_to, city_boundary)
    require_same_grid(window_from, window_to, years=(year_from, year_to))
    classes = list(legend.classes)
    areas = pd.DataFrame(0.0, index=pd.Index(classes, name="from_code"), columns=pd.Index(classes, name="to_code"))
    left_out_m2 = 0.0
    for row_start, row_stop in strips(window_from.shape[0], block_rows):
        grids = [
            window.read_rows(row_start, row_stop, boundary_rule=boundary_rule, nodata_codes=legend.nodata)
            for window in (window_from, window_to)
        ]
        for grid in grids:
            check_codes(legend, unique_codes(grid.codes[grid.weight > 0]), raster_path=grid.path)
        weight = np.minimum(grids[0].weight, grids[1].weight)
        left_out_m2 += float((np.maximum(grids[0].weight, grids[1].weight) - weight).sum(axis=1) @ grids[0].row_area_m2)
        areas += transition_areas_m2(
            grids[0].codes, grids[1].codes, weight=weight, row_area_m2=grids[0].row_area_m2, classes=classes
        )
    table = transition_table(areas, legend=legend, year_from=year_from, year_to=year_to)
    write_csv(table, transitions_csv, encoding=csv_encoding)
    changed = table.loc[table["from_code"] != table["to_code"], "area_ha"].sum()
    LOGGER.info(
        "City %s %s→%s: %.1f ha compared, %.1f ha changed class, %.1f ha left out (no data in one year)",
        city,
        year_from,
        year_to,
        table["area_ha"].sum(),
        changed,
        left_out_m2 / SQUARE_METRES_PER_HECTARE,
    )
