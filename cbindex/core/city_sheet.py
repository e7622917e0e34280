"""The city sheet: reading its cells (years, raster path patterns, code lists, config file names) and
:class:`CitySheet`, what the workflow asks of a city's row."""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from cbindex.core.errors import CBIInputError
from cbindex.core.method import NATURAL_CODES_KEY


def parse_years(text: str) -> list[int]:
    """Years of a sheet's ``years`` cell, e.g. ``"2016 2017"`` → ``[2016, 2017]`` (sorted, distinct)."""
    try:
        years = sorted({int(part) for part in str(text).split()})
    except ValueError as error:
        raise CBIInputError(f"City sheet years {text!r} must be four-digit years separated by spaces.") from error
    if not years:
        raise CBIInputError("City sheet years is empty; give at least one land-cover year.")
    return years


def landcover_path(pattern: str, year: int) -> str:
    """The raster path of one year: ``pattern`` with ``{year}`` filled in (a fixed path for one year)."""
    return pattern.replace("{year}", str(year))


def parse_codes(text: str) -> tuple[int, ...] | None:
    """Class codes of a sheet's ``natural_codes`` cell, or None when it is empty."""
    parts = str(text or "").split()
    if not parts:
        return None
    try:
        return tuple(sorted({int(part) for part in parts}))
    except ValueError as error:
        raise CBIInputError(
            f"City sheet natural_codes {text!r} must be integer class codes separated by spaces."
        ) from error


def parse_band_count(text: str, *, default: int) -> int:
    """Row bands of a sheet's ``landcover_bands`` cell (the schema allows a positive integer), else ``default``."""
    text = str(text or "").strip()
    return int(text) if text else int(default)


def known_encoding(name: str, *, where: str) -> str:
    """The codec name of a text encoding (``gbk``, ``GB18030``, ``utf-8``...), or a one-sentence error naming
    ``where`` it was given (e.g. ``"Config vector_encoding"``)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise CBIInputError(
            f"{where} {name!r} is not a known text encoding; use e.g. gbk, gb18030, big5 or utf-8."
        ) from None


def read_sheet_text(path: str, *, encoding: str | None = None) -> str:
    """The text of a CSV sheet as Excel saves it: UTF-8 with or without a BOM ("CSV UTF-8"), else ``encoding``.

    A sheet that is valid UTF-8 is read as UTF-8 whatever ``encoding`` says (a BOM is dropped), so saving it
    either way works; ``encoding`` (config ``cities_encoding``, e.g. ``gbk`` for Excel's plain "CSV" on a
    Chinese Windows) decodes any other. Line ends (CRLF or LF) are left to the CSV reader.

    Raises
    ------
    CBIInputError
        Missing or unreadable file; a sheet that is not UTF-8 and no ``encoding`` (the fix: save it as UTF-8
        or set ``cities_encoding``); a sheet ``encoding`` cannot decode either; an unknown ``encoding``.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CBIInputError(f"City sheet {path} does not exist; check config cities.") from None
    except OSError as error:
        raise CBIInputError(f"City sheet {path} cannot be read ({error.strerror}); check config cities.") from None
    codec = known_encoding(encoding, where="Config cities_encoding") if encoding else None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if codec is None:
            raise CBIInputError(
                f'City sheet {path} is not UTF-8 text (byte {error.start + 1} is not; Excel\'s plain "CSV" saves '
                'the Windows code page, e.g. GBK), so save it as "CSV UTF-8" or set cities_encoding: gbk in '
                "config/config.yaml."
            ) from None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as error:
        raise CBIInputError(
            f"City sheet {path} is neither UTF-8 nor {encoding} text (config cities_encoding; byte "
            f"{error.start + 1} is not), so set cities_encoding to the encoding it was saved in, or save it as "
            '"CSV UTF-8".'
        ) from None


def parse_year_legends(text: str, *, years: Sequence[int], where: str) -> dict[int, str]:
    """The legend of each year of a sheet's ``legend`` cell, by year (sorted).

    The cell holds one legend for every year (a name such as ``esa_worldcover_v100`` or a path, spaces
    allowed), or one ``year:legend`` entry per year separated by spaces, e.g. ``2020:esa_worldcover_v100
    2021:dynamic_world``, when a city's years come from different products. Every year of ``years`` must be
    given exactly once, and no other year.

    Parameters
    ----------
    text : str
        The cell.
    years : sequence of int
        The row's years (its ``years`` cell).
    where : str
        Names the sheet, row and column in errors, e.g. ``"City sheet config/cities.csv, row freetown, column
        legend"``.

    Raises
    ------
    CBIInputError
        An empty cell; a cell mixing the two forms; a year given twice, not among the row's years, or missing.
    """
    text = str(text or "").strip()
    example = " ".join(f"{year}:<legend>" for year in years)
    if not text:
        raise CBIInputError(f"{where} is empty; name the land-cover legend (e.g. esa_worldcover_v100).")
    entries = [_YEAR_LEGEND.fullmatch(part) for part in text.split()]
    if not any(entries):
        return dict.fromkeys(years, text)
    if not all(entries):
        raise CBIInputError(
            f"{where} {text!r} mixes a legend without a year with year:legend entries; give one legend for every "
            f"year, or one entry per year ({example})."
        )
    legends: dict[int, str] = {}
    for entry in entries:
        year = int(entry[1])
        if year not in years:
            raise CBIInputError(
                f"{where} gives a legend for {year}, which is not one of the row's years "
                f"({' '.join(map(str, years))}); give one entry per year of the years column ({example})."
            )
        if year in legends:
            raise CBIInputError(f"{where} gives {year} more than once; give each year one legend ({example}).")
        legends[year] = entry[2]
    missing = [year for year in years if year not in legends]
    if missing:
        raise CBIInputError(
            f"{where} gives no legend for {' '.join(map(str, missing))}; give one entry per year of the years "
            f"column ({example})."
        )
    return dict(sorted(legends.items()))


_YEAR_LEGEND = re.compile(r"(\d{4}):(\S+)")


def resolve_config_file(name_or_path: str, *, folder: str, kind: str, where: str = "the city sheet") -> str:
    """A bare name (``si-2014``) means ``<folder>/<name>.yaml``; anything with a slash or suffix is a path.
    ``where`` names the cell in errors (e.g. ``"city sheet config/cities.csv, row freetown, column legend"``)."""
    if "/" in name_or_path or name_or_path.endswith((".yaml", ".yml")):
        path = Path(name_or_path)
    else:
        path = Path(folder) / f"{name_or_path}.yaml"
    if not path.exists():
        shipped = sorted(p.stem for p in Path(folder).glob("*.yaml"))
        raise CBIInputError(
            f"The {kind} {name_or_path!r} named in {where} does not exist ({path}); use one of "
            f"{', '.join(shipped)} or a path to your own file."
        )
    return str(path)


OVERLAY_COLUMNS = ("protected_areas", "redline", "parks")
"""Sheet columns naming an overlay polygon layer (each may hold ``{year}``; ``<column>_layer`` names its layer)."""

BOUNDARY_COLUMNS = {
    "layer": "boundary_layer",
    "filter_column": "boundary_filter_column",
    "filter_value": "boundary_filter_value",
}
"""The sheet columns that say how to read the boundary file, by the name the boundary reader gives them."""

DISTRICT_COLUMNS = {
    "layer": "districts_layer",
    "name_column": "districts_name_column",
    "population_column": "districts_population_column",
}
"""The sheet columns that say how to read the districts file, by the name the districts reader gives them."""

VECTOR_COLUMNS = ("boundary", "barriers", *OVERLAY_COLUMNS, "landcover_vector", "districts")
"""Sheet columns naming a vector file; ``<column>_encoding`` gives the encoding of its text attributes."""


DEFAULT_FRAMEWORKS_DIR = "config/frameworks"
DEFAULT_FRAMEWORK = "kmgbf"
"""The framework mapping of a city whose ``framework`` cell is empty (``config/frameworks/kmgbf.yaml``)."""

NOT_REPORT_SOURCES = ("scenarios",)
"""Sheet columns whose files the report does not checksum (they feed outputs of their own)."""


RESULTS = {
    "landcover_indicators": "results/{city}/{year}/landcover_indicators.csv",
    "natural_mask": "results/{city}/{year}/natural_areas.tif",
    "natural_mask_style": "results/{city}/{year}/natural_areas.qml",
    "groups": "results/{city}/{year}/connectivity_groups.gpkg",
    "overlay_indicators": "results/{city}/{year}/overlay_indicators.csv",
    "overlays": "results/{city}/{year}/overlays.gpkg",
    "species_indicators": "results/{city}/{year}/species_indicators.csv",
    "species_list_indicators": "results/{city}/species_list_indicators.csv",
    "transitions": "results/{city}/transitions_{year0}_{year1}.csv",
    "landuse_raster": "results/{city}/{year}/landcover_from_polygons.tif",
    "landuse_class_areas": "results/{city}/{year}/landuse_class_areas.csv",
    "landuse_check": "results/{city}/{year}/landuse_check.csv",
    "districts_table": "results/{city}/{year}/districts.csv",
    "districts_layers": "results/{city}/{year}/districts.gpkg",
    "indicators": "results/{city}/indicators.csv",
    "scorecard": "results/{city}/scorecard.json",
    "scorecard_workbook": "results/{city}/scorecard.xlsx",
    "targets": "results/{city}/targets.csv",
    "report": "results/{city}/report_{lang}.html",
    "qgis_layers": "results/{city}/{city}_layers.gpkg",
    "qgis_project": "results/{city}/{city}.qgs",
}
"""The workflow's output paths that the sheet's answers name (the rules write them under the same patterns)."""


def qgis_project_pattern(language: str) -> str:
    """The path pattern of a city's QGIS project in a report language: ``results/{city}/{city}.qgs`` in English,
    ``results/{city}/{city}_<language>.qgs`` in another (``{city}_zh.qgs``)."""
    pattern = RESULTS["qgis_project"]
    return pattern if language == "en" else pattern.removesuffix(".qgs") + f"_{language}.qgs"


class CitySheet:
    """The city sheet (config ``cities``): one row per city, every cell text, an empty cell meaning "not given".

    Answers what the workflow asks of a city: its years and the files of each year, which optional inputs it
    has, its band count, the outputs it gets. Paths are returned as the sheet writes them (relative ones
    relative to the working directory). A column the sheet lacks counts as empty in every row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The sheet, every column text (``dtype=str``, ``keep_default_na=False``), with a ``city_id`` column.
    path : str
        Where the sheet was read from, named in errors.
    legends_dir, scoring_dir : str
        Folders where a legend or rule set given by bare name is looked up (config ``legends_dir``,
        ``scoring_dir``).
    default_landcover_bands : int
        Row bands of a city whose ``landcover_bands`` cell is empty (config ``landcover_bands``).
    default_vector_encoding : str, optional
        Encoding of the text attributes of vector files that do not declare theirs (config
        ``vector_encoding``); a ``<column>_encoding`` cell overrides it for its file.
    frameworks_dir : str, optional
        Folder where a framework mapping given by bare name is looked up (``config/frameworks``).
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        path: str,
        legends_dir: str,
        scoring_dir: str,
        default_landcover_bands: int,
        default_vector_encoding: str | None = None,
        frameworks_dir: str = DEFAULT_FRAMEWORKS_DIR,
        coverage_columns: Mapping[str, str] | None = None,
    ) -> None:
        if "city_id" not in frame.columns:
            raise CBIInputError(f"City sheet {path} has no city_id column; add it as the first column.")
        repeated = sorted(set(frame["city_id"][frame["city_id"].duplicated()]))
        if repeated:
            raise CBIInputError(
                f"City sheet {path} has more than one row for {', '.join(repeated)}; give each city one row."
            )
        self.frame = frame.set_index("city_id", drop=False)
        self.path = path
        self.legends_dir = legends_dir
        self.scoring_dir = scoring_dir
        self.frameworks_dir = frameworks_dir
        self.default_landcover_bands = default_landcover_bands
        self.default_vector_encoding = (default_vector_encoding or "").strip()
        coverage = dict(coverage_columns) if coverage_columns is not None else {"redline": "redline"}
        self.overlay_inputs = {"protected_areas": "protected_areas", **coverage, "parks": "parks"}
        """Overlay kind (``protected_areas``, each coverage layer's id, ``parks``) to the sheet column naming its
        file (config ``coverage_layers`` gives the coverage layers' columns; default the red line alone)."""
        if self.default_vector_encoding:
            known_encoding(self.default_vector_encoding, where="Config vector_encoding")
        for column in (f"{kind}_encoding" for kind in (*VECTOR_COLUMNS, *coverage.values())):
            for city in self.cities if column in self.frame.columns else ():
                if self.cell(city, column).strip():
                    known_encoding(self.cell(city, column).strip(), where=f"City sheet {path}: {column} of {city}")
        for city in self.cities:
            self._check_landcover_source(city)

    def _check_landcover_source(self, city: str) -> None:
        """A row gives its land cover as a raster (``landcover``) or as land-use polygons (``landcover_vector``
        with ``landcover_code_column``), exactly one of the two."""
        raster, polygons = self.has(city, "landcover"), self.has(city, "landcover_vector")
        if raster == polygons:
            state = "both" if raster else "neither"
            raise CBIInputError(
                f"City sheet {self.path}: {city} gives {state} of landcover and landcover_vector; give the land-cover "
                "raster in landcover or the land-use polygon layer in landcover_vector, not both."
            )
        if polygons and not self.has(city, "landcover_code_column"):
            raise CBIInputError(
                f"City sheet {self.path}: {city} gives landcover_vector without landcover_code_column; name the field "
                "holding the land-use code (e.g. DLBM)."
            )

    @classmethod
    def read(
        cls,
        path: str,
        *,
        legends_dir: str,
        scoring_dir: str,
        default_landcover_bands: int,
        encoding: str | None = None,
        default_vector_encoding: str | None = None,
        frameworks_dir: str = DEFAULT_FRAMEWORKS_DIR,
        coverage_columns: Mapping[str, str] | None = None,
    ) -> CitySheet:
        """Read a CSV sheet as Excel saves it, every cell as text (``NA`` stays the text ``NA``, an empty cell
        stays empty): UTF-8 with or without BOM, else ``encoding`` (config ``cities_encoding``; see
        :func:`read_sheet_text`), CRLF or LF line ends. Columns without a header and rows without a cell filled
        (what Excel leaves after a cell that was cleared) are dropped.
        """
        text = read_sheet_text(path, encoding=encoding)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            problem = " ".join(str(error).split())
            raise CBIInputError(f"City sheet {path} is not a valid CSV table ({problem}); save it as CSV.") from None
        unnamed = [column for column in frame.columns if str(column).startswith("Unnamed: ")]
        frame = frame.drop(columns=[column for column in unnamed if not frame[column].str.strip().ne("").any()])
        frame = frame[frame.apply(lambda column: column.str.strip()).ne("").any(axis=1)]
        return cls(
            frame.reset_index(drop=True),
            path=path,
            legends_dir=legends_dir,
            scoring_dir=scoring_dir,
            default_landcover_bands=default_landcover_bands,
            default_vector_encoding=default_vector_encoding,
            frameworks_dir=frameworks_dir,
            coverage_columns=coverage_columns,
        )

    # ------------------------------------------------------------------------------------------- cells

    @property
    def cities(self) -> list[str]:
        """The city ids, in sheet order."""
        return list(self.frame.index)

    def cell(self, city: str, column: str) -> str:
        """The text of one cell; empty when the sheet has no such column."""
        if city not in self.frame.index:
            raise CBIInputError(f"City {city!r} is not in the city sheet {self.path}; add its row or fix the id.")
        return str(self.frame.at[city, column]) if column in self.frame.columns else ""

    def has(self, city: str, column: str) -> bool:
        """Whether the city's row fills a column."""
        return bool(self.cell(city, column))

    def file(self, city: str, column: str) -> list[str]:
        """The file a column names, as a list of none or one path (an input that may be absent)."""
        path = self.cell(city, column)
        return [path] if path else []

    def year_file(self, city: str, column: str, year: int) -> list[str]:
        """As :meth:`file`, with ``{year}`` in the path filled in."""
        return [landcover_path(path, year) for path in self.file(city, column)]

    # ------------------------------------------------------------------------------------------- years

    def years(self, city: str) -> list[int]:
        """The city's land-cover years, sorted."""
        return parse_years(self.cell(city, "years"))

    def landcover_raster(self, city: str, year: int) -> str:
        """The land-cover raster of one year: the ``landcover`` pattern with ``{year}`` filled in, or, for a city
        given as land-use polygons, the raster the workflow burns from them (rule rasterize_landcover_vector)."""
        if self.uses_landuse_polygons(city):
            return self._result(city, "landuse_raster", year)
        return landcover_path(self.cell(city, "landcover"), year)

    def uses_landuse_polygons(self, city: str) -> bool:
        """Whether the city's land cover is a land-use polygon layer (column ``landcover_vector``)."""
        return self.has(city, "landcover_vector")

    def landuse_spec(self, city: str) -> dict[str, str]:
        """How to read the land-use polygons: ``code_column``, ``layer`` and the :meth:`encodings`; keywords of
        :class:`cbindex.landcover.landuse_polygons.LandUseSpec` besides the path."""
        return {
            "code_column": self.cell(city, "landcover_code_column"),
            "layer": self.cell(city, "landcover_vector_layer"),
        } | self.encodings(city, "landcover_vector")

    def landuse_outputs(self, city: str, year: int) -> list[str]:
        """The exact class areas and the polygon check of a year of a land-use city (none for a raster city)."""
        if not self.uses_landuse_polygons(city):
            return []
        return [self._result(city, name, year) for name in ("landuse_class_areas", "landuse_check")]

    def _result(self, city: str, name: str, year: int) -> str:
        return RESULTS[name].replace("{city}", city).replace("{year}", str(year))

    def year_pairs(self, city: str) -> list[tuple[int, int]]:
        """Each land-cover year with the next one: the pairs whose transitions are measured."""
        return list(pairwise(self.years(city)))

    def per_year(self, city: str, pattern: str) -> list[str]:
        """A path pattern with ``{city}`` and ``{year}`` filled in for each of the city's years."""
        with_city = pattern.replace("{city}", city)
        return [with_city.replace("{year}", str(year)) for year in self.years(city)]

    # ------------------------------------------------------------------------------------------- settings

    def boundary(self, city: str) -> str:
        """The city's boundary file (column ``boundary``)."""
        return self.cell(city, "boundary")

    def legend(self, city: str, year: int) -> str:
        """The legend file of one of the city's years (a bare name resolved in ``legends_dir``)."""
        return self.legends(city)[int(year)]

    def legends(self, city: str) -> dict[int, str]:
        """The legend file of each of the city's years, by year: column ``legend`` holds one legend for every
        year or ``year:legend`` entries (:func:`parse_year_legends`)."""
        cell = f"{self.path}, row {city}, column legend"
        per_year = parse_year_legends(self.cell(city, "legend"), years=self.years(city), where=f"City sheet {cell}")
        resolved = {
            name: resolve_config_file(name, folder=self.legends_dir, kind="legend", where=f"city sheet {cell}")
            for name in dict.fromkeys(per_year.values())
        }
        return {year: resolved[name] for year, name in per_year.items()}

    def legend_files(self, city: str) -> list[str]:
        """The city's distinct legend files, in the order of the years that first use them."""
        return list(dict.fromkeys(self.legends(city).values()))

    def check_legends(self) -> None:
        """Resolve every city's legends, so a bad ``legend`` cell stops the run before anything is planned."""
        for city in self.cities:
            self.legends(city)

    def rule_set(self, city: str) -> str:
        """The city's scoring rule-set file (a bare name resolved in ``scoring_dir``)."""
        return resolve_config_file(self.cell(city, "scoring"), folder=self.scoring_dir, kind="scoring rule set")

    def framework(self, city: str) -> str:
        """The city's framework mapping file: the ``framework`` cell (a bare name resolved in ``frameworks_dir``,
        or a path), default :data:`DEFAULT_FRAMEWORK`."""
        return resolve_config_file(
            self.cell(city, "framework") or DEFAULT_FRAMEWORK, folder=self.frameworks_dir, kind="framework mapping"
        )

    def boundary_spec(self, city: str) -> dict[str, str]:
        """How to read the boundary file: ``layer``, ``filter_column``, ``filter_value``, ``encoding`` and
        ``default_encoding`` (:meth:`encodings`; empty = not given).

        A plain dict (of :class:`cbindex.geo.boundary.BoundarySpec` fields besides the path), so the workflow
        can pass it as one rule parameter and see when it changes.
        """
        return (
            {key: self.cell(city, column) for key, column in BOUNDARY_COLUMNS.items()}
            | self.encodings(city, "boundary")
            | self.datum(city, "boundary")
        )

    def datum(self, city: str, column: str) -> dict[str, str]:
        """The datum of the vector file a column names: ``{"datum": <column>_datum cell}`` in lower case (empty =
        ``wgs84``; ``gcj02`` and ``bd09`` are converted to WGS 84 on reading, :mod:`cbindex.geo.datum_shift`)."""
        return {"datum": self.cell(city, f"{column}_datum").strip().lower()}

    def encodings(self, city: str, column: str) -> dict[str, str]:
        """How the text of the vector file a column names is decoded: ``encoding``, the sheet's
        ``<column>_encoding`` cell (used whatever the file declares), and ``default_encoding``, config
        ``vector_encoding`` (used for a file that declares none); empty = not given. Keywords of the readers
        in :mod:`cbindex.geo`.
        """
        return {
            "encoding": self.cell(city, f"{column}_encoding").strip(),
            "default_encoding": self.default_vector_encoding,
        }

    def barriers_spec(self, city: str) -> dict[str, str]:
        """How to read the barrier file: ``layer`` (column ``barriers_layer``, empty = the file's only layer) and
        its :meth:`encodings`; keywords of :func:`cbindex.geo.barriers.read_barriers`."""
        return {"layer": self.cell(city, "barriers_layer")} | self.encodings(city, "barriers")

    def input_datums(self, city: str) -> dict[str, str]:
        """The :meth:`datum` of each polygon input the city's row names (boundary and overlays), by column."""
        return {
            column: self.datum(city, column)["datum"] or "wgs84"
            for column in ("boundary", *self.overlay_inputs.values())
            if self.has(city, column)
        }

    def districts_spec(self, city: str) -> dict[str, str]:
        """How to read the districts file: ``layer``, ``name_column``, ``population_column`` (columns
        ``districts_layer``, ``districts_name_column``, ``districts_population_column``; empty = not given), its
        :meth:`encodings` and :meth:`datum`; keywords of :class:`cbindex.geo.districts.DistrictsSpec` besides the
        path."""
        spec = {key: self.cell(city, column) for key, column in DISTRICT_COLUMNS.items()}
        return spec | self.encodings(city, "districts") | self.datum(city, "districts")

    def district_tables(self, city: str) -> list[str]:
        """The city's districts.csv of every year, or none when its row names no districts file."""
        return self.per_year(city, RESULTS["districts_table"]) if self.has(city, "districts") else []

    def district_layers(self, city: str) -> list[str]:
        """The city's districts.gpkg of every year, or none when its row names no districts file."""
        return self.per_year(city, RESULTS["districts_layers"]) if self.has(city, "districts") else []

    def previous_district_table(self, city: str, year: int) -> list[str]:
        """The districts.csv of the land-cover year before ``year`` (none for the first year or without
        districts): the change per district across years is measured against it."""
        earlier = [y for y in self.years(city) if y < year]
        if not earlier or not self.has(city, "districts"):
            return []
        return [RESULTS["districts_table"].replace("{city}", city).replace("{year}", str(earlier[-1]))]

    def overlay_encodings(self, city: str) -> dict[str, dict[str, str]]:
        """How each overlay file (:attr:`overlay_inputs`: ``protected_areas``, the coverage layers, ``parks``) is
        read, by kind: its column's :meth:`encodings` and :meth:`datum`."""
        return {
            kind: self.encodings(city, column) | self.datum(city, column)
            for kind, column in self.overlay_inputs.items()
        }

    def overlay_files_of_year(self, city: str, year: int) -> dict[str, list[str]]:
        """Each overlay kind's file of one year (none or one path; ``{year}`` filled in), for the overlay rules."""
        return {kind: self.year_file(city, column, year) for kind, column in self.overlay_inputs.items()}

    def natural_codes(self, city: str) -> tuple[int, ...] | None:
        """The city's own natural classes (column ``natural_codes``), or None for the legend's."""
        return parse_codes(self.cell(city, "natural_codes"))

    def method_settings(self, city: str, method: Mapping[str, Any], *, keys: Sequence[str]) -> dict[str, Any]:
        """The method settings one stage reads: ``keys`` of config ``method``, and the sheet's natural classes
        as ``natural_codes_override`` when ``keys`` names it.
        """
        missing = [key for key in keys if key != NATURAL_CODES_KEY and key not in method]
        if missing:
            raise CBIInputError(
                f"Config method lacks {', '.join(missing)}; add the key(s) to config method (see config/README.md)."
            )
        settings = {key: method[key] for key in keys if key != NATURAL_CODES_KEY}
        if NATURAL_CODES_KEY in keys:
            settings[NATURAL_CODES_KEY] = self.natural_codes(city)
        return settings

    def landcover_bands(self, city: str) -> int:
        """How many row bands (separate jobs) the city's land cover is computed in: its sheet cell, else the
        default (config ``landcover_bands``)."""
        return parse_band_count(self.cell(city, "landcover_bands"), default=self.default_landcover_bands)

    @property
    def banded_cities(self) -> list[str]:
        """The cities computed in more than one band."""
        return [city for city in self.cities if self.landcover_bands(city) > 1]

    @property
    def one_job_cities(self) -> list[str]:
        """The cities computed in one job per year."""
        return [city for city in self.cities if self.landcover_bands(city) == 1]

    def has_overlays(self, city: str) -> bool:
        """Whether the city has an overlay layer (protected_areas, a coverage layer or parks)."""
        return any(self.has(city, column) for column in self.overlay_inputs.values())

    def overlay_layers(self, city: str) -> dict[str, str]:
        """The layer of each overlay file (columns ``<kind>_layer``; empty = the file's only layer)."""
        return {kind: self.cell(city, f"{column}_layer") for kind, column in self.overlay_inputs.items()}

    def population(self, city: str) -> str:
        """The city's population cell (empty = none, or a population_raster instead)."""
        return self.cell(city, "population")

    def boundary_notes(self, city: str) -> dict[str, str]:
        """What the boundary is, per report language: ``boundary_note`` and ``boundary_note_zh`` (the Chinese falls
        back to the English; both empty = no note)."""
        english = self.cell(city, "boundary_note").strip()
        return {"en": english, "zh": self.cell(city, "boundary_note_zh").strip() or english}

    def names(self, city: str) -> dict[str, str]:
        """The city's name per report language: ``name`` and ``name_zh``, each falling back to the id."""
        english = self.cell(city, "name") or city
        return {"en": english, "zh": self.cell(city, "name_zh") or english}

    # ------------------------------------------------------------------------------------------- files

    def source_files(self, city: str, *, rule_set_files: Callable[[str], Sequence[str]]) -> list[str]:
        """Every data file the city's row names (each year's, for ``{year}`` patterns, when it exists), then its
        legend and ``rule_set_files(rule set)`` (the rule set and those it extends): what a report checksums.
        The scenarios file is left out: scenarios have their own outputs, and editing one must re-run only its
        jobs.
        """
        years = self.years(city)
        row = self.frame.loc[city].drop(labels=list(NOT_REPORT_SOURCES), errors="ignore")
        named = [landcover_path(value, year) for value in row if value for year in years]
        files = [path for path in named if os.path.isfile(path)]
        files += [*self.legend_files(city), *rule_set_files(self.rule_set(city))]
        return list(dict.fromkeys(files))

    def indicator_tables(self, city: str) -> list[str]:
        """Every indicator table the scoring combines: land cover per year, then the optional stages'."""
        tables = self.per_year(city, RESULTS["landcover_indicators"])
        if self.has_overlays(city):
            tables += self.per_year(city, RESULTS["overlay_indicators"])
        if self.has(city, "occurrences"):
            tables += self.per_year(city, RESULTS["species_indicators"])
        if self.has(city, "species_lists"):
            tables += [RESULTS["species_list_indicators"].replace("{city}", city)]
        return tables

    def overlay_files(self, city: str) -> list[str]:
        """The city's overlays.gpkg of every year, or none when it has no overlay layer."""
        return self.per_year(city, RESULTS["overlays"]) if self.has_overlays(city) else []

    def transition_tables(self, city: str) -> list[str]:
        """The land-cover transition table of every pair of consecutive years."""
        pattern = RESULTS["transitions"].replace("{city}", city)
        return [pattern.replace("{year0}", str(a)).replace("{year1}", str(b)) for a, b in self.year_pairs(city)]

    def final_outputs(self, *, languages: Sequence[str]) -> list[str]:
        """Every file a full run makes: per city its reports and QGIS projects (one per language), transition
        tables, scores, QGIS layers and, per year, its mask, groups and mask style."""
        outputs = []
        for city in self.cities:
            outputs += [RESULTS["report"].replace("{city}", city).replace("{lang}", lang) for lang in languages]
            outputs += self.transition_tables(city)
            outputs += [
                RESULTS[name].replace("{city}", city)
                for name in ("indicators", "scorecard", "scorecard_workbook", "targets")
            ]
            outputs.append(RESULTS["qgis_layers"].replace("{city}", city))
            outputs += [qgis_project_pattern(lang).replace("{city}", city) for lang in languages]
            outputs += self.district_tables(city) + self.district_layers(city)
            for year in self.years(city):
                outputs += [
                    RESULTS[name].replace("{city}", city).replace("{year}", str(year))
                    for name in ("natural_mask", "groups", "natural_mask_style")
                ]
        return outputs


def cities_pattern(cities: Sequence[str]) -> str:
    """A regular expression matching exactly these city ids (and nothing when there is none)."""
    return "|".join(re.escape(city) for city in cities) if cities else "(?!)"
