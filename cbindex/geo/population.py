"""The city's population for I13: a number from the city sheet, or a population-count raster summed under the
boundary with exact coverage fractions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cbindex.core.errors import CBIInputError
from cbindex.core.units import SQUARE_METRES_PER_HECTARE
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.city_grid import open_city_window

LOGGER = logging.getLogger(__name__)
RASTER_LABEL = "Population raster"


@dataclass(frozen=True)
class Population:
    """Residents of the city and how the number was obtained."""

    persons: float
    method: str


@dataclass(frozen=True)
class RasterPopulation:
    """A population raster summed under the boundary.

    Attributes
    ----------
    persons : float
        ``Σ f · count`` over cells with data, ``f`` the exact fraction of the cell inside the boundary.
    covered_m2 : float
        Ground area of the boundary covered by cells with data, ``Σ f · cell area``.
    nodata_m2 : float
        Ground area of the boundary covered by cells without data (counted as nobody).
    """

    persons: float
    covered_m2: float
    nodata_m2: float


def parse_population(text: str | float | None) -> float | None:
    """The city sheet's ``population`` cell as a number of persons, or None when it is empty.

    Raises
    ------
    CBIInputError
        Not a number, or not more than 0.
    """
    if text is None or str(text).strip() == "":
        return None
    try:
        persons = float(str(text).strip())
    except ValueError as error:
        raise CBIInputError(
            f"City sheet population {text!r} is not a number; write the residents as digits, e.g. 2093000."
        ) from error
    if not np.isfinite(persons) or persons <= 0:
        raise CBIInputError(f"City sheet population {text!r} must be more than 0; write the city's residents.")
    return persons


def sum_population_raster(
    raster_path: str | Path,
    boundary: CityBoundary,
    *,
    block_rows: int,
) -> RasterPopulation:
    """Sum a population-count raster under the boundary, area-weighted by exact coverage fractions.

    ``population = Σ f_i · c_i`` over the cells ``i`` with data, where ``c_i`` is the count of people in cell
    ``i`` and ``f_i`` the exact fraction of the cell inside the boundary (:mod:`cbindex.geo.exact_coverage`; a cell
    half inside brings half its people). For SI indicator 13 (ha per 1,000 persons).

    Parameters
    ----------
    raster_path : path-like
        Single-band raster of persons per cell (e.g. WorldPop "ppp" counts), any CRS; the boundary is
        reprojected to it. Cells equal to the raster's nodata value or not finite hold no data.
    boundary : CityBoundary
    block_rows : int
        Rows read at a time.

    Raises
    ------
    CBIInputError
        Missing or corrupt raster, no CRS, no overlap with the boundary, or negative counts.
    """
    window = open_city_window(
        raster_path, boundary, label=RASTER_LABEL, sheet_column="population_raster", categorical=False
    )
    persons = covered_m2 = nodata_m2 = 0.0
    for _, grid in window.read_strips(block_rows, boundary_rule="exact"):
        counts = grid.codes.astype(np.float64)
        finite = np.isfinite(counts)
        weight = np.where(finite, grid.weight, 0.0)
        cell_area = grid.cell_area_m2
        nodata_m2 += grid.nodata_area_m2 + float(np.sum(np.where(finite, 0.0, grid.weight) * cell_area))
        if np.any((counts < 0) & (weight > 0)):
            raise CBIInputError(
                f"{RASTER_LABEL} {window.path} holds negative counts inside the city; set its nodata value "
                "(gdal_edit.py -a_nodata) or fix the raster."
            )
        persons += float(np.sum(weight * np.where(finite, counts, 0.0)))
        covered_m2 += float(np.sum(weight * cell_area))
    return RasterPopulation(persons=persons, covered_m2=covered_m2, nodata_m2=nodata_m2)


def city_population(
    *,
    population: str | float | None,
    raster_path: str | None,
    boundary: CityBoundary,
    block_rows: int,
    boundary_area_ha: float,
    coverage_tolerance_percent: float,
) -> Population | None:
    """The city's population from the sheet's ``population`` number or its ``population_raster``.

    Returns None when neither is given (I13 is then not assessed). A raster that covers the boundary's
    area (``boundary_area_ha``, measured in an equal-area CRS) with data for less than
    ``100 − coverage_tolerance_percent`` % of it is summed anyway, with a warning in the log.

    Raises
    ------
    CBIInputError
        Both or a bad number given, a bad raster (see :func:`sum_population_raster`), or a raster holding
        nobody inside the city.
    """
    persons = parse_population(population)
    if persons is not None and raster_path:
        raise CBIInputError(
            "The city sheet gives both population and population_raster; keep one of them and empty the other."
        )
    if persons is not None:
        return Population(persons=persons, method="city sheet population")
    if not raster_path:
        return None
    summed = sum_population_raster(raster_path, boundary, block_rows=block_rows)
    if summed.persons <= 0:
        raise CBIInputError(
            f"{RASTER_LABEL} {raster_path} counts nobody inside the city; check that it covers the city and holds "
            "persons per cell."
        )
    covered_ha = summed.covered_m2 / SQUARE_METRES_PER_HECTARE
    if boundary_area_ha > 0 and 100 * (1 - covered_ha / boundary_area_ha) > coverage_tolerance_percent:
        LOGGER.warning(
            "%s %s has data for %.1f ha of the city's %.1f ha (%.1f ha without data); people there are not counted.",
            RASTER_LABEL,
            raster_path,
            covered_ha,
            boundary_area_ha,
            summed.nodata_m2 / SQUARE_METRES_PER_HECTARE,
        )
    return Population(
        persons=summed.persons,
        method=f"sum of {Path(raster_path).name} under the boundary weighted by exact cell coverage fractions",
    )
