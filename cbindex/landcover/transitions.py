"""Land-cover change between two years: the ground area that went from each class to each class.

Both years' rasters must be on the same grid (same CRS, cell size and alignment over the city), as the years
of one product are.  The city's cells and their ground areas come from :mod:`cbindex.geo.city_grid`, exactly as
for the indicators, so the areas of the matrix add up to the city area of either year when no cell lacks data.
A cell counts when it holds data in both years; the area of cells without data in one year or the other is
reported apart, never guessed.

Two years of **different products** (legends with other ids or classes, e.g. ESA WorldCover 2020 then Dynamic
World 2021) are compared on the indicator categories instead of raw codes: each class stands for the set of
categories it carries (``natural + tree_canopy + permeable`` for WorldCover's "Tree cover" and Dynamic World's
"Trees" alike), so a product switch never shows as a change of class, and what does show is a change of what
the indicators count. Such a table has the columns ``basis`` (:data:`CATEGORY_BASIS`), ``legend_from`` and
``legend_to`` besides :data:`TRANSITION_COLUMNS`, and its ``from_code``/``to_code`` hold the category sets
(``natural+tree_canopy+permeable``).

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
from cbindex.core.messages import pair
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import BoundarySpec
from cbindex.geo.city_grid import DEFAULT_BLOCK_ROWS, CityWindow, open_city_window, strips
from cbindex.geo.legends import CATEGORIES, CATEGORY_NAMES, Legend, LegendClass, check_codes, load_legend, unique_codes

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
CATEGORY_BASIS = "categories, products differ"
"""The ``basis`` of a table comparing two products on the indicator categories."""
CATEGORY_TRANSITION_COLUMNS = [*TRANSITION_COLUMNS, "basis", "legend_from", "legend_to"]
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
    legend: Legend | None,
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
    legend : Legend or None
        Gives the English and Chinese class names; None when the codes are category sets
        (:func:`category_key`), named by :data:`cbindex.geo.legends.CATEGORY_NAMES`.
    year_from, year_to : int
        The two land-cover years.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TRANSITION_COLUMNS`, rows ordered by the legend's class order (from, then to).
    """
    present = (areas_m2.sum(axis=1) > 0) | (areas_m2.sum(axis=0) > 0)
    kept = [code for code in areas_m2.index if present[code]]
    names = {
        code: _category_names(code) if legend is None else (legend.classes[code].name, legend.classes[code].name_zh)
        for code in kept
    }
    rows = [
        {
            "year_from": year_from,
            "year_to": year_to,
            "from_code": code_from,
            "from_class": names[code_from][0],
            "from_class_zh": names[code_from][1],
            "to_code": code_to,
            "to_class": names[code_to][0],
            "to_class_zh": names[code_to][1],
            "area_ha": float(areas_m2.loc[code_from, code_to]) / SQUARE_METRES_PER_HECTARE,
        }
        for code_from in kept
        for code_to in kept
    ]
    return pd.DataFrame(rows, columns=TRANSITION_COLUMNS)


def same_product(first: Legend, second: Legend) -> bool:
    """Whether two years' legends are one product: same id, no-data codes and classes (codes, names,
    categories), so their codes can be compared as they are."""
    return first.id == second.id and first.nodata == second.nodata and first.classes == second.classes


def category_key(legend_class: LegendClass) -> str:
    """The categories a class carries, in :data:`CATEGORIES` order joined by ``+`` (``natural+tree_canopy+permeable``):
    what a class is compared as between two products."""
    return "+".join(category for category in CATEGORIES if category in legend_class.categories)


def category_keys(*legends: Legend) -> list[str]:
    """Every category set a class of the legends carries, in the order of the legends' classes."""
    return list(dict.fromkeys(category_key(item) for legend in legends for item in legend.classes.values()))


def category_index(codes: np.ndarray, *, legend: Legend, keys: Sequence[str]) -> np.ndarray:
    """Position in ``keys`` of each cell's category set (-1 for a code the legend does not define: no data)."""
    legend_codes = np.asarray(sorted(legend.classes), dtype=np.int64)
    key_of_code = np.asarray([keys.index(category_key(legend.classes[code])) for code in legend_codes.tolist()])
    codes = np.asarray(codes)
    found = np.minimum(np.searchsorted(legend_codes, codes), len(legend_codes) - 1)
    return np.where(legend_codes[found] == codes, key_of_code[found], -1)


def category_transition_table(
    areas_m2: pd.DataFrame,
    *,
    legend_from: Legend,
    legend_to: Legend,
    year_from: int,
    year_to: int,
) -> pd.DataFrame:
    """The matrix of two products' category sets as a long table in hectares (:func:`transition_table`'s
    rows, codes being category sets named in English and Chinese, e.g. "natural, tree canopy, permeable").

    Parameters
    ----------
    areas_m2 : pandas.DataFrame
        Output of :func:`transition_areas_m2` whose codes are the category sets' positions in ``keys``
        (index and columns are the sets themselves).
    legend_from, legend_to : Legend
        The two years' legends, named in columns ``legend_from`` and ``legend_to``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CATEGORY_TRANSITION_COLUMNS`; ``basis`` is :data:`CATEGORY_BASIS`.
    """
    table = transition_table(areas_m2, legend=None, year_from=year_from, year_to=year_to)
    return table.assign(basis=CATEGORY_BASIS, legend_from=legend_from.id, legend_to=legend_to.id)[
        CATEGORY_TRANSITION_COLUMNS
    ]


def _category_names(key: str) -> tuple[str, str]:
    categories = key.split("+")
    separators = pair("categories.separator")
    return tuple(
        separator.join(CATEGORY_NAMES[category][language] for category in categories)
        for language, separator in enumerate(separators)
    )


def transition_matrix_ha(table: pd.DataFrame, *, names: str = "from_class") -> pd.DataFrame:
    """Pivot a transition table (:func:`transition_table`) back into a from × to matrix of hectares.

    The matrix is keyed by code (or category set), so two classes of the same name stay apart: a name that
    labels more than one code gets its code in brackets ("Grassland (30)").

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
    order = list(dict.fromkeys(table["from_code"]))
    matrix = table.pivot(index="from_code", columns="to_code", values="area_ha").loc[order, order]
    labels = dict(zip(table["from_code"], table[names], strict=True))
    repeated = {name for name in labels.values() if list(labels.values()).count(name) > 1}
    labels = {code: f"{name} ({code})" if name in repeated else name for code, name in labels.items()}
    return matrix.rename(index=labels, columns=labels).rename_axis(index=None, columns=None)


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
    legend_from_path: str,
    legend_to_path: str,
    boundary_rule: str,
    transitions_csv: str,
    block_rows: int = DEFAULT_BLOCK_ROWS,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Measure the land-cover transitions of a city between two years and write them as a long table.

    The two rasters are read strip by strip over the city's window (memory bounded by ``block_rows``), with
    the boundary rule and each year's legend no-data codes, as the indicators.  Cells without data in either
    year are left out and their area logged.  Years of one product (:func:`same_product`) are compared class
    by class (:func:`transition_table`); years of different products on the category sets of their classes
    (:func:`category_transition_table`), so that a product switch is not a land-cover change.

    Raises
    ------
    CBIInputError
        If the rasters are not on the same grid over the city, hold codes their legend does not define, or the
        boundary or a raster cannot be read.
    """
    legends = (load_legend(legend_from_path), load_legend(legend_to_path))
    by_class = same_product(*legends)
    city_boundary = boundary.read()
    windows = (open_city_window(raster_from, city_boundary), open_city_window(raster_to, city_boundary))
    require_same_grid(*windows, years=(year_from, year_to))
    keys = category_keys(*legends)
    classes = list(legends[0].classes) if by_class else list(range(len(keys)))
    areas = pd.DataFrame(0.0, index=pd.Index(classes, name="from_code"), columns=pd.Index(classes, name="to_code"))
    left_out_m2 = 0.0
    for row_start, row_stop in strips(windows[0].shape[0], block_rows):
        grids = [
            window.read_rows(row_start, row_stop, boundary_rule=boundary_rule, nodata_codes=legend.nodata)
            for window, legend in zip(windows, legends, strict=True)
        ]
        for grid, legend in zip(grids, legends, strict=True):
            check_codes(legend, unique_codes(grid.codes[grid.weight > 0]), raster_path=grid.path)
        weight = np.minimum(grids[0].weight, grids[1].weight)
        left_out_m2 += float((np.maximum(grids[0].weight, grids[1].weight) - weight).sum(axis=1) @ grids[0].row_area_m2)
        codes = [grid.codes for grid in grids]
        if not by_class:
            codes = [
                category_index(grid.codes, legend=legend, keys=keys)
                for grid, legend in zip(grids, legends, strict=True)
            ]
        areas += transition_areas_m2(*codes, weight=weight, row_area_m2=grids[0].row_area_m2, classes=classes)
    if by_class:
        table = transition_table(areas, legend=legends[0], year_from=year_from, year_to=year_to)
    else:
        areas = areas.set_axis(keys, axis=0).set_axis(keys, axis=1)
        table = category_transition_table(
            areas, legend_from=legends[0], legend_to=legends[1], year_from=year_from, year_to=year_to
        )
    write_csv(table, transitions_csv, encoding=csv_encoding)
    changed = table.loc[table["from_code"] != table["to_code"], "area_ha"].sum()
    LOGGER.info(
        "City %s %s→%s: %.1f ha compared, %.1f ha changed %s, %.1f ha left out (no data in one year)",
        city,
        year_from,
        year_to,
        table["area_ha"].sum(),
        changed,
        "class" if by_class else f"category ({legends[0].id} → {legends[1].id}: {CATEGORY_BASIS})",
        left_out_m2 / SQUARE_METRES_PER_HECTARE,
    )
