"""Land-use survey polygons as a land-cover input: read a polygon layer whose code field follows a legend (GB/T
21010-2017 for China's land surveys), check it, remove overlaps, and measure each class's exact area in the city.

A Chinese city's land cover is usually the Third National Land Survey (三调): polygons with a text code such as
``'0101'`` (field ``DLBM``). The code maps to the legend's integer raster code (:func:`landuse_code`): a class's
``vector_codes`` first (the survey's letter codes ``05H1``, ``08H1``, ``08H2``, ``0810A``), else the digits read as
a number (``'0101'`` → 101); a trailing ``K`` (the survey's adjustable classes, 可调整地类) is dropped.

Overlaps are never counted twice: where polygons overlap, the first feature in file order keeps the overlap and
the later ones lose it (the count of overlapping features and the area removed are reported). Invalid geometries
are repaired with ``make_valid`` (counted and reported).

The exact areas are those of the polygons clipped to the city boundary, measured in a Lambert azimuthal
equal-area projection centred on the city (true ground area, never square degrees or a conformal projection's
scaled area); SI indicators 1, 11 and 12 are computed from them (:func:`polygon_area_values`), while indicator 2
needs cells and is computed on the rasterized grid (:mod:`cbindex.landcover.landuse_raster`).

A survey layer may hold a million polygons (``benchmarks/benchmark_landuse.py`` measures one): only the code field
and the geometry are read, overlaps are looked up in one spatial index a chunk of features at a time
(:func:`overlapping_pairs`), and only the polygons crossing the city's outline are intersected with it, the areas
reprojected a chunk at a time (:func:`clipped_areas_m2`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from cbindex.core.errors import CBIInputError
from cbindex.core.indicator_table import IndicatorValue
from cbindex.core.units import SQUARE_METRES_PER_HECTARE, percent
from cbindex.geo import area_crs
from cbindex.geo.boundary import CityBoundary
from cbindex.geo.categories import CategoryCodes
from cbindex.geo.legends import Legend
from cbindex.geo.vector_layers import found_values, layer_fields, open_vector_layer, read_vector_frame

WHAT = "Land-use layer"
INPUT_COLUMN = "landcover_vector"
AREA_COLUMNS = ["code", "name", "name_zh", "area_ha"]
"""Columns of the exact class-area table (one row per legend code found in the city)."""
TEXT_COLUMN = "code_text"
"""Column of the code texts as the layer holds them, when read with ``keep_text``."""
AREA_CHUNK_SIZE = 100_000
"""Polygons reprojected and measured at a time by :func:`clipped_areas_m2` (bounds memory on a large layer)."""
OVERLAP_CHUNK_SIZE = 100_000
"""Features whose overlaps are looked up at a time by :func:`overlapping_pairs`."""
POLYGON_TYPE_ID, MULTIPOLYGON_TYPE_ID = 3, 6
"""shapely.get_type_id of polygons and multipolygons."""
_ADJUSTABLE_SUFFIX = re.compile(r"^(\d+)K$", re.IGNORECASE)


@dataclass(frozen=True)
class LandUseSpec:
    """Where a city's land-use polygons are: the file (``{year}`` filled in), its layer, the code field and the
    text encoding (city-sheet columns ``landcover_vector``, ``landcover_vector_layer``, ``landcover_code_column``,
    ``landcover_vector_encoding``; config ``vector_encoding`` as ``default_encoding``)."""

    path: str
    code_column: str
    layer: str | None = None
    encoding: str | None = None
    default_encoding: str | None = None


@dataclass(frozen=True)
class LandUsePolygons:
    """Land-use polygons ready to rasterize and measure: geometry and integer ``code``, overlaps removed.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        Columns ``code`` (legend raster code) and geometry, in the file's CRS, in file order.
    path : str
    n_features : int
        Features read (non-empty).
    n_repaired : int
        Invalid geometries repaired with ``make_valid``.
    n_overlapping : int
        Features that lost area to an earlier overlapping feature.
    overlap_area_ha : float
        Area removed from them (so not counted twice), hectares.
    """

    frame: gpd.GeoDataFrame
    path: str
    n_features: int
    n_repaired: int
    n_overlapping: int
    overlap_area_ha: float

    @property
    def crs(self) -> CRS:
        return CRS.from_user_input(self.frame.crs)

    def summary(self) -> str:
        """One sentence for the log and the method column: features, repairs, overlaps."""
        return (
            f"{self.n_features} land-use polygons from {self.path}; {self.n_repaired} invalid repaired; "
            f"{self.n_overlapping} overlapping an earlier feature, {self.overlap_area_ha:.4f} ha removed from them "
            "(counted once)"
        )


def landuse_code(text: object, *, aliases: Mapping[str, int]) -> int | None:
    """The legend raster code of one land-use code text, or None when it cannot be one.

    ``aliases`` maps the legend classes' ``vector_codes`` to their codes. ``'0101'`` → 101; ``'0201K'`` → 201 (the
    survey's adjustable classes keep their class); ``'05H1'`` → the class whose ``vector_codes`` hold it.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    value = str(text).strip()
    if value in aliases:
        return aliases[value]
    adjustable = _ADJUSTABLE_SUFFIX.match(value)
    if adjustable:
        value = adjustable.group(1)
    if value in aliases:
        return aliases[value]
    return int(value) if value.isdigit() else None


def read_landuse_polygons(
    spec: LandUseSpec, *, legend: Legend, bbox: tuple[float, ...] | None = None, keep_text: bool = False
) -> LandUsePolygons:
    """Read a land-use layer, map its codes to the legend, repair invalid polygons and remove overlaps.

    ``bbox`` (in the layer's CRS) limits the features read to those intersecting it (the city's extent);
    ``keep_text`` keeps each feature's code text (column :data:`TEXT_COLUMN`, e.g. ``'0201K'``), which a scenario
    writes back for the polygons it leaves unchanged (:mod:`cbindex.landcover.landuse_scenarios`).

    Raises
    ------
    CBIInputError
        One sentence naming the file and the fix: the code field does not exist (the fields are listed), codes
        the legend does not define (a few listed, with the legend file), features that are not polygons, an empty
        layer, or the usual reading errors (several layers and none named, encoding, no CRS).
    """
    layer, encoding = open_vector_layer(
        spec.path,
        what=WHAT,
        input_column=INPUT_COLUMN,
        layer=spec.layer,
        encoding=spec.encoding,
        default_encoding=spec.default_encoding,
    )
    fields = layer_fields(spec.path, what=WHAT, input_column=INPUT_COLUMN, layer=layer, encoding=encoding)
    if spec.code_column not in fields:
        fields = ", ".join(fields)
        raise CBIInputError(
            f"{WHAT} {spec.path} has no field {spec.code_column!r} (fields: {fields}); set the city sheet's "
            "landcover_code_column to the field holding the land-use code (e.g. DLBM)."
        )
    # only the code and the geometry: a survey layer's thirty other fields would multiply the memory
    frame = read_vector_frame(
        spec.path,
        what=WHAT,
        input_column=INPUT_COLUMN,
        layer=layer,
        encoding=encoding,
        bbox=bbox,
        columns=[spec.code_column],
    )
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        raise CBIInputError(
            f"{WHAT} {spec.path} holds no polygon inside the city's extent; check the file, its layer and its CRS."
        )
    kinds = set(frame.geom_type)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise CBIInputError(
            f"{WHAT} {spec.path} holds {', '.join(sorted(kinds - {'Polygon', 'MultiPolygon'}))} features besides "
            "polygons; give a layer of land-use polygons only."
        )
    aliases = {text: code for code, c in legend.classes.items() for text in c.vector_codes}
    texts = frame[spec.code_column]
    distinct = pd.unique(texts.dropna())
    codes = texts.map({text: landuse_code(text, aliases=aliases) for text in distinct})
    unknown = frame.loc[codes.isna() | ~codes.isin(list(legend.classes)), spec.code_column]
    if len(unknown):
        raise CBIInputError(
            f"{WHAT} {spec.path} field {spec.code_column} holds codes legend {legend.path} does not define "
            f"({found_values(unknown)}; {len(unknown)} features); correct the codes or give a legend that defines them."
        )
    geometries = frame.geometry.values
    invalid = ~shapely.is_valid(geometries)
    if invalid.any():
        geometries = geometries.copy()
        geometries[invalid] = shapely.make_valid(geometries[invalid])
    not_polygonal = ~np.isin(shapely.get_type_id(geometries), [POLYGON_TYPE_ID, MULTIPOLYGON_TYPE_ID])
    if not_polygonal.any():
        geometries = geometries.copy()
        geometries[not_polygonal] = [_polygonal(geometry) for geometry in geometries[not_polygonal]]
    columns = {"code": codes.astype(np.int64).to_numpy()}
    if keep_text:
        columns[TEXT_COLUMN] = texts.astype(str).str.strip().to_numpy()
    polygons = gpd.GeoDataFrame(columns, geometry=np.asarray(geometries), crs=frame.crs)
    del frame
    polygons, n_overlapping, overlap_m2 = _first_feature_keeps_overlaps(polygons)
    return LandUsePolygons(
        frame=polygons,
        path=str(spec.path),
        n_features=len(polygons),
        n_repaired=int(invalid.sum()),
        n_overlapping=n_overlapping,
        overlap_area_ha=overlap_m2 / SQUARE_METRES_PER_HECTARE,
    )


def exact_class_areas(polygons: LandUsePolygons, *, boundary: CityBoundary, legend: Legend) -> pd.DataFrame:
    """Each legend code's area inside the city, from the polygons clipped to the boundary (ha, equal-area).

    Returns a table with :data:`AREA_COLUMNS`, one row per code present, sorted by code. Areas are measured in a
    Lambert azimuthal equal-area projection centred on the city (WGS84 ellipsoid), so a Gauss-Krüger or UTM
    layer's scale error does not enter.
    """
    city = boundary.to_crs(polygons.crs, max_segment_length=boundary.densify_step())
    laea = _equal_area_crs(city, polygons.crs)
    areas_m2 = clipped_areas_m2(polygons.frame.geometry.values, city=city, crs=polygons.crs, equal_area_crs=laea)
    by_code = pd.Series(areas_m2).groupby(polygons.frame["code"].to_numpy()).sum()
    by_code = by_code[by_code > 0]
    return pd.DataFrame(
        {
            "code": by_code.index.astype(int),
            "name": [legend.classes[code].name for code in by_code.index],
            "name_zh": [legend.classes[code].name_zh for code in by_code.index],
            "area_ha": by_code.to_numpy() / SQUARE_METRES_PER_HECTARE,
        },
        columns=AREA_COLUMNS,
    )


def clipped_areas_m2(
    geometries: np.ndarray, *, city, crs: CRS, equal_area_crs: CRS, chunk_size: int = AREA_CHUNK_SIZE
) -> np.ndarray:
    """Each polygon's area inside ``city`` (both in ``crs``), measured in ``equal_area_crs``, square metres.

    Only the polygons crossing the city's outline are intersected with it (a survey's polygons are nearly all
    well inside or outside: intersecting each with an outline of thousands of vertices is what costs); those the
    city contains count whole, the others 0. Reprojection and measurement go ``chunk_size`` polygons at a time, so
    memory holds one chunk's reprojected copy, not the layer's.
    """
    geometries = np.asarray(geometries, dtype=object)
    shapely.prepare(city)
    inside = shapely.contains(city, geometries)
    crossing = ~inside & shapely.intersects(city, geometries)
    areas_m2 = np.zeros(len(geometries))
    for start in range(0, len(geometries), chunk_size):
        stop = min(start + chunk_size, len(geometries))
        part = np.where(inside[start:stop], geometries[start:stop], None)
        cross = np.flatnonzero(crossing[start:stop])
        part[cross] = shapely.intersection(geometries[start:stop][cross], city)
        areas_m2[start:stop] = gpd.GeoSeries(part, crs=crs).to_crs(equal_area_crs).area.fillna(0.0).to_numpy()
    return areas_m2


def polygon_area_values(
    values: list[IndicatorValue], *, class_areas: pd.DataFrame, city_ha: float, codes: CategoryCodes, legend: Legend
) -> list[IndicatorValue]:
    """Replace the grid's area rows and SI indicators 1, 11 and 12 by their exact polygon values.

    - I1 (%) = natural area ÷ covered city area × 100; I11 (%) = permeable ÷ terrestrial × 100; I12 (%) =
      tree canopy ÷ terrestrial × 100, terrestrial = covered city area − water; covered city area = the area of
      the polygons inside the city; ``nodata_area`` = city area − covered area (no polygon).
    - I2 keeps its grid value (it needs cells): its denominator is the grid's natural area (or, with
      ``mesh_denominator: landscape``, the grid's city area), kept as the rows ``natural_area_grid`` and
      ``city_area_grid`` so that the scorecard's groups reproduce I2 and I2 ≤ that area holds by construction.
    """

    def area(selected: frozenset[int]) -> float:
        return float(class_areas.loc[class_areas["code"].isin(list(selected)), "area_ha"].sum())

    covered = float(class_areas["area_ha"].sum())
    natural, water = area(codes.natural), area(codes.water)
    terrestrial = covered - water
    how = f"exact polygon areas clipped to the city (equal-area projection), legend {legend.id}"
    natural_text = ",".join(str(code) for code in sorted(codes.natural))
    exact = {
        "city_area": IndicatorValue("city_area", covered, "ha", f"area of the land-use polygons in the city; {how}"),
        "nodata_area": IndicatorValue(
            "nodata_area", max(city_ha - covered, 0.0), "ha", f"city area without a land-use polygon; {how}"
        ),
        "terrestrial_area": IndicatorValue("terrestrial_area", terrestrial, "ha", f"city area minus water; {how}"),
        "natural_area": IndicatorValue("natural_area", natural, "ha", f"classes {natural_text}; {how}"),
        "I1": IndicatorValue("I1", percent(natural, covered), "%", f"natural area / city area x 100; {how}"),
        "I11": IndicatorValue(
            "I11", percent(area(codes.permeable), terrestrial), "%", f"permeable / terrestrial area x 100; {how}"
        ),
        "I12": IndicatorValue(
            "I12", percent(area(codes.tree_canopy), terrestrial), "%", f"tree canopy / terrestrial area x 100; {how}"
        ),
    }
    rows = []
    for value in values:
        grid = f"{value.method}; rasterized polygons"
        if value.indicator == "natural_area":
            rows.append(IndicatorValue("natural_area_grid", value.value, value.unit, f"{grid}, I2's A_total"))
        elif value.indicator == "city_area":
            rows.append(IndicatorValue("city_area_grid", value.value, value.unit, f"{grid}, I2's A_total (landscape)"))
        rows.append(exact.get(value.indicator, value))
    return rows


def overlapping_pairs(geometries: np.ndarray, *, chunk_size: int = OVERLAP_CHUNK_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (later, earlier) of features, by index in file order, whose interiors intersect (not merely touch).

    One spatial index (STRtree) over all features is queried ``chunk_size`` features at a time, so memory holds one
    chunk's candidate pairs (a tessellation gives each feature about eight touching neighbours), not the layer's.
    Returns the pairs sorted by ``later``, then ``earlier``.
    """
    geometries = np.asarray(geometries, dtype=object)
    tree = shapely.STRtree(geometries)
    found_later, found_earlier = [], []
    for start in range(0, len(geometries), chunk_size):
        chunk = np.arange(start, min(start + chunk_size, len(geometries)))
        index, earlier = tree.query(geometries[chunk], predicate="intersects")
        later = chunk[index]
        keep = later > earlier
        later, earlier = later[keep], earlier[keep]
        interiors_meet = shapely.relate_pattern(geometries[later], geometries[earlier], "T********")
        found_later.append(later[interiors_meet])
        found_earlier.append(earlier[interiors_meet])
    later, earlier = (
        np.concatenate([np.zeros(0, np.intp), *found_later]),
        np.concatenate([np.zeros(0, np.intp), *found_earlier]),
    )
    order = np.lexsort((earlier, later))
    return later[order], earlier[order]


def _first_feature_keeps_overlaps(polygons: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int, float]:
    """Remove from each feature the parts an earlier feature already covers (interiors that intersect)."""
    geometries = polygons.geometry.values
    later, earlier = overlapping_pairs(geometries)
    if len(later) == 0:
        return polygons, 0, 0.0
    losers = np.unique(later)
    after = np.array(
        [
            _polygonal(shapely.difference(geometries[i], shapely.union_all(geometries[earlier[later == i]])))
            for i in losers
        ],
        dtype=object,
    )
    laea = _equal_area_crs(shapely.union_all(geometries[losers]), polygons.crs)
    before_m2 = gpd.GeoSeries(geometries[losers], crs=polygons.crs).to_crs(laea).area.to_numpy()
    after_m2 = gpd.GeoSeries(after, crs=polygons.crs).to_crs(laea).area.to_numpy()
    repaired = geometries.copy()
    repaired[losers] = after
    result = polygons.copy()
    result["geometry"] = repaired
    result = result[~result.geometry.is_empty]
    return result, len(losers), float((before_m2 - after_m2).sum())


def _polygonal(geometry):
    """The polygonal part of a geometry (make_valid and difference may leave lines or points)."""
    if geometry is None or geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _equal_area_crs(geometry, crs) -> CRS:
    """The ``auto`` equal-area CRS (:func:`cbindex.geo.area_crs.equal_area_crs`) centred on ``geometry``."""
    centre = gpd.GeoSeries([geometry], crs=crs).to_crs(4326).iloc[0].centroid
    return area_crs.equal_area_crs(area_crs.AUTO, centre_lon=centre.x, centre_lat=centre.y).crs
