"""Land-cover legends: which raster codes of a product are natural, permeable, tree canopy, built-up, ...

A legend is a YAML file (schema ``cbindex/core/schemas/legend.schema.yaml``; shipped ones in ``config/legends/``)
that lists a land-cover product's class codes, their English and Chinese names and the Singapore Index
categories of each class. Indicators never name class codes: they ask the legend for the codes of a category
and turn a code raster into a boolean mask with :func:`codes_mask`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import jsonschema
import numpy as np
import numpy.typing as npt
import yaml

from cbindex.core.config_files import schema_path
from cbindex.core.errors import CBIInputError
from cbindex.core.messages import pair

CATEGORIES: tuple[str, ...] = (
    "natural",
    "tree_canopy",
    "permeable",
    "built_up",
    "water",
    "cropland",
    "bare",
    "snow_ice",
    "wetland",
)
"""The fixed category vocabulary of legend classes (the schema's enum lists the same words)."""

CATEGORY_NAMES: Mapping[str, tuple[str, str]] = {category: pair(f"categories.{category}") for category in CATEGORIES}
"""English and Chinese name of each category (message catalogue section ``categories``), as tables comparing two
products by category name them."""

CATEGORIES_DECIDED_BY_FLAGS: Mapping[str, str] = {"bare": "bare_is_natural", "snow_ice": "snow_is_natural"}
"""Categories whose classes count as natural only when the named run-time flag says so."""

SCHEMA_PATH = schema_path("legend")

LOOKUP_TABLE_MAX_SPAN = 2**16
"""A code raster whose values span fewer than this many integers is masked and counted with a lookup table."""

MAX_CODES_IN_MESSAGE = 20

DEFAULT_CLASS_COLOUR = "#9e9e9e"
"""Grey for a class whose legend file gives no colour."""

_BINCOUNT_CHUNK_CELLS = 2**22


@dataclass(frozen=True)
class LegendClass:
    """One class of a land-cover legend.

    Attributes
    ----------
    code : int
        Raster value of the class.
    name, name_zh : str
        English and simplified Chinese class names.
    categories : frozenset of str
        Categories of the class, a non-empty subset of :data:`CATEGORIES`.
    note : str or None
        Why the class got these categories, when the choice is not obvious.
    vector_codes : tuple of str
        Code texts of land-use polygons that mean this class besides the code itself (``'05H1'``), see
        :mod:`cbindex.landcover.landuse_polygons`.
    colour : str
        Display colour ``#rrggbb`` (the legend's ``colours_source`` says where it comes from);
        :data:`DEFAULT_CLASS_COLOUR` when the file gives none.
    """

    code: int
    name: str
    name_zh: str
    categories: frozenset[str]
    note: str | None = None
    colour: str = DEFAULT_CLASS_COLOUR
    vector_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Legend:
    """A land-cover product's classes and the codes that mean "no data".

    Attributes
    ----------
    id, name, version : str
        Identifier (the file stem of a shipped legend), product name and version.
    path : pathlib.Path
        The YAML file the legend was read from; error messages name it.
    nodata : tuple of int
        Raster values that mean "no data" (possibly empty).
    classes : dict of int to LegendClass
        Classes by code, in file order.
    source, description : str
        Citation and free-text description of the product.
    colours_source : str
        Where the class colours come from (empty when the file gives no colours).
    nominal_resolution_m : float or None
        The product's native cell size (m), when the file gives it.
    accuracy_percent : float or None
        The product's published overall accuracy (%), None when not published or not given.
    accuracy_source : str
        Where the accuracy is published, or why none is given (empty when the file has no ``accuracy`` block).
    """

    id: str
    name: str
    version: str
    path: Path
    nodata: tuple[int, ...]
    classes: dict[int, LegendClass]
    source: str = ""
    description: str = ""
    colours_source: str = ""
    nominal_resolution_m: float | None = None
    accuracy_percent: float | None = None
    accuracy_source: str = ""

    def codes_in(self, category: str) -> frozenset[int]:
        """Return the codes of the classes that carry `category`.

        Parameters
        ----------
        category : str
            One of :data:`CATEGORIES`.

        Returns
        -------
        frozenset of int
            Possibly empty (a legend without snow classes has no ``snow_ice`` codes).

        Raises
        ------
        CBIInputError
            If `category` is not in :data:`CATEGORIES`.
        """
        if category not in CATEGORIES:
            raise CBIInputError(f"Unknown land-cover category {category!r}; use one of {', '.join(CATEGORIES)}.")
        return frozenset(code for code, legend_class in self.classes.items() if category in legend_class.categories)


def load_legend(path: str | Path, *, schema_path: str | Path = SCHEMA_PATH) -> Legend:
    """Read and check a legend YAML file.

    Checks, in order: the file is YAML holding a mapping; it follows the schema (required keys, no unknown
    keys, categories from :data:`CATEGORIES`, ...); no code appears twice; no code is both a class and
    no data; no ``bare`` or ``snow_ice`` class also says ``natural`` (run-time flags decide those).

    Parameters
    ----------
    path : str or pathlib.Path
        The legend file.
    schema_path : str or pathlib.Path, optional
        JSON Schema (YAML) the file must follow; defaults to the project's ``legend.schema.yaml``.

    Returns
    -------
    Legend

    Raises
    ------
    CBIInputError
        With one sentence naming the file, the faulty class or key, and the fix.
    """
    path = Path(path)
    document = _read_yaml_mapping(path)
    _validate_against_schema(document, path=path, schema_path=Path(schema_path))
    classes = _classes_from_entries(document["classes"], path=path)
    nodata = tuple(document["nodata"])
    if "colours_source" not in document and any("colour" in entry for entry in document["classes"]):
        raise CBIInputError(
            f"Legend {path} gives class colours without saying where they come from; add colours_source (the "
            "producer's colour table, a catalogue, or 'own choice')."
        )
    codes_both_class_and_nodata = sorted(set(nodata) & classes.keys())
    if codes_both_class_and_nodata:
        raise CBIInputError(
            f"Legend {path} lists {_codes_phrase(codes_both_class_and_nodata)} both as a class and under "
            "nodata; remove each code from one of the two."
        )
    return Legend(
        id=document["id"],
        name=document["name"],
        version=document["version"],
        path=path,
        nodata=nodata,
        classes=classes,
        source=document["source"],
        description=document["description"],
        colours_source=document.get("colours_source", ""),
        nominal_resolution_m=document.get("nominal_resolution_m"),
        accuracy_percent=document.get("accuracy", {}).get("overall_accuracy_percent"),
        accuracy_source=document.get("accuracy", {}).get("source", ""),
    )


def resolve_legend(name_or_path: str | Path, *, legends_dir: str | Path) -> Path:
    """Find the legend file a config names.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A bare name such as ``"esa_worldcover_v100"`` (no directory, no ``.yaml``/``.yml`` suffix) for a
        shipped legend, or the path of a user-written legend file.
    legends_dir : str or pathlib.Path
        Directory of the shipped legends, ``<name>.yaml`` each.

    Returns
    -------
    pathlib.Path
        ``legends_dir / "<name>.yaml"`` for a bare name, else the given path; read it with
        :func:`load_legend`.

    Raises
    ------
    CBIInputError
        If the file does not exist; the message lists the shipped legend names.
    """
    legends_dir = Path(legends_dir)
    shipped = ", ".join(sorted(legend_file.stem for legend_file in legends_dir.glob("*.yaml"))) or "none"
    text = str(name_or_path)
    if _is_bare_legend_name(text):
        path = legends_dir / f"{text}.yaml"
        if not path.is_file():
            raise CBIInputError(
                f"Legend {text!r} is not one of the legends shipped in {legends_dir} ({shipped}); "
                "use one of those names or the path of your own legend YAML file."
            )
        return path
    path = Path(text)
    if not path.is_file():
        raise CBIInputError(
            f"Legend file {path} does not exist; give the path of an existing legend YAML file "
            f"or the name of a shipped legend ({shipped})."
        )
    return path


def natural_codes(
    legend: Legend,
    *,
    bare_is_natural: bool,
    snow_is_natural: bool,
    override_codes: Iterable[int] | None = None,
) -> frozenset[int]:
    """Return the codes counted as natural area (SI indicator 1, and the patches of indicator 2).

    Parameters
    ----------
    legend : Legend
    bare_is_natural, snow_is_natural : bool
        Add the ``bare`` / ``snow_ice`` classes to the legend's ``natural`` classes (project default:
        bare not natural, snow natural).
    override_codes : iterable of int, optional
        A city's own list of natural codes. It replaces the legend's choice entirely, flags included.

    Returns
    -------
    frozenset of int

    Raises
    ------
    CBIInputError
        If an override code is not an integer or not a class of the legend.
    """
    if override_codes is not None:
        codes = _integer_codes(override_codes, what=f"The natural-code override for legend {legend.path}")
        _require_legend_classes(codes, legend=legend, what="The natural-code override")
        return codes
    codes = legend.codes_in("natural")
    if bare_is_natural:
        codes |= legend.codes_in("bare")
    if snow_is_natural:
        codes |= legend.codes_in("snow_ice")
    return codes


def codes_mask(array: npt.ArrayLike, codes: Iterable[int]) -> np.ndarray:
    """Return a boolean mask of the cells whose code is in `codes`.

    Integer rasters whose values span fewer than :data:`LOOKUP_TABLE_MAX_SPAN` integers (always the case for
    8- and 16-bit rasters) go through a boolean lookup table, ``table[value - lowest]``; wider ranges and
    non-integer rasters use :func:`numpy.isin`. Both give ``mask[i] = array[i] in codes``.

    Parameters
    ----------
    array : array_like of int
        Code raster of any shape; negative and large values are fine.
    codes : iterable of int
        Codes to select; codes outside the raster's value range are simply absent.

    Returns
    -------
    numpy.ndarray of bool
        Same shape as `array`.
    """
    array = np.asarray(array)
    codes = frozenset(int(code) for code in codes)
    if array.dtype.kind not in "iu" or array.size == 0:
        return np.isin(array, sorted(codes))
    if array.dtype.itemsize <= 2:
        return _full_dtype_lookup_table(codes, array.dtype.str)[_as_unsigned(array)]
    lowest, highest = int(array.min()), int(array.max())
    if highest - lowest >= LOOKUP_TABLE_MAX_SPAN:
        return np.isin(array, sorted(codes))
    table = np.zeros(highest - lowest + 1, dtype=bool)
    table[[code - lowest for code in codes if lowest <= code <= highest]] = True
    return table[array - array.dtype.type(lowest)]


def category_lookup(
    legend: Legend, codes: frozenset[int], *, dtype: npt.DTypeLike
) -> Callable[[np.ndarray], np.ndarray]:
    """Prepare a fast ``mask = lookup(block)`` for many blocks of one raster (windowed reads).

    For 8- and 16-bit integer `dtype` the lookup table over the dtype's whole range is built once here;
    other dtypes fall back to :func:`codes_mask` per block.

    Parameters
    ----------
    legend : Legend
        The raster's legend; every code must be one of its classes.
    codes : frozenset of int
        Codes to select, for example ``legend.codes_in("tree_canopy")`` or :func:`natural_codes`.
    dtype : numpy dtype
        Data type of the blocks that will be passed to the returned function.

    Returns
    -------
    callable
        ``lookup(block) -> numpy.ndarray of bool``, equal to ``codes_mask(block, codes)``.

    Raises
    ------
    CBIInputError
        If a code is not a class of `legend`.
    """
    codes = _integer_codes(codes, what=f"The code selection for legend {legend.path}")
    _require_legend_classes(codes, legend=legend, what="The code selection")
    dtype = np.dtype(dtype)
    if dtype.kind not in "iu" or dtype.itemsize > 2:
        return functools.partial(codes_mask, codes=codes)
    table = _full_dtype_lookup_table(codes, dtype.str)

    def lookup(block: np.ndarray) -> np.ndarray:
        block = np.asarray(block)
        if block.dtype != dtype:
            return codes_mask(block, codes)
        return table[_as_unsigned(block)]

    return lookup


def unique_codes(array: npt.ArrayLike) -> np.ndarray:
    """Return the sorted distinct values of a code raster.

    Integer rasters whose values span fewer than :data:`LOOKUP_TABLE_MAX_SPAN` integers (always the case for
    8- and 16-bit rasters) are counted with :func:`numpy.bincount` chunk by chunk, so the extra memory is
    bounded by the chunk, not the raster; anything else goes to :func:`numpy.unique`. Masked cells of a
    masked array are left out.

    Parameters
    ----------
    array : array_like
        Code raster of any shape.

    Returns
    -------
    numpy.ndarray
        1-D, sorted, same dtype as `array`.
    """
    if isinstance(array, np.ma.MaskedArray):
        array = array.compressed()
    array = np.asarray(array)
    if array.dtype.kind not in "iu" or array.size == 0:
        return np.unique(array)
    values = array.reshape(-1)
    if array.dtype.itemsize <= 2:
        unsigned = _as_unsigned(values)
        seen = _seen_offsets(unsigned, lowest=0, span=2 ** (8 * array.dtype.itemsize))
        return np.sort(np.flatnonzero(seen).astype(unsigned.dtype).view(array.dtype))
    lowest, highest = int(values.min()), int(values.max())
    if highest - lowest >= LOOKUP_TABLE_MAX_SPAN:
        return np.unique(array)
    seen = _seen_offsets(values, lowest=lowest, span=highest - lowest + 1)
    return np.flatnonzero(seen).astype(array.dtype) + array.dtype.type(lowest)


def check_codes(legend: Legend, present_codes: Iterable[int], *, raster_path: str | Path) -> None:
    """Fail when a raster holds codes its legend neither defines as a class nor lists as no data.

    Parameters
    ----------
    legend : Legend
    present_codes : iterable of int
        Codes found in the raster, for example :func:`unique_codes` of its valid cells.
    raster_path : str or pathlib.Path
        Raster the codes come from, for the message.

    Raises
    ------
    CBIInputError
        Naming the raster, the legend file and the unknown codes (at most :data:`MAX_CODES_IN_MESSAGE`).
    """
    known = legend.classes.keys() | set(legend.nodata)
    unknown = sorted({_as_python_number(code) for code in present_codes} - known)
    if unknown:
        pronoun = "it" if len(unknown) == 1 else "them"
        raise CBIInputError(
            f"Raster {raster_path} holds class {_codes_phrase(unknown)} that legend {legend.path} does not "
            f"define; add {pronoun} to the legend or choose the right legend for this product."
        )


# ----------------------------------------------------------------------------------------------------------
# Reading and checking legend files


def _read_yaml_mapping(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CBIInputError(f"Legend file {path} does not exist; check the path in your config.") from None
    except UnicodeDecodeError:
        raise CBIInputError(f"Legend file {path} is not UTF-8 text; save it as UTF-8.") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CBIInputError(f"Legend file {path} is not valid YAML{where}; fix the syntax there.") from None
    if not isinstance(document, dict):
        raise CBIInputError(
            f"Legend file {path} does not hold a YAML mapping; write the keys id, name, version, source, "
            "description, nodata and classes as in config/legends/esa_worldcover_v100.yaml."
        )
    return document


@functools.cache
def _schema_validator(schema_path: Path) -> jsonschema.protocols.Validator:
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_against_schema(document: dict, *, path: Path, schema_path: Path) -> None:
    error = jsonschema.exceptions.best_match(_schema_validator(schema_path).iter_errors(document))
    if error is not None:
        raise CBIInputError(f"Legend {path}: {_explain_schema_error(error, document, schema_path)}.")


def _explain_schema_error(error: jsonschema.ValidationError, document: dict, schema_path: Path) -> str:
    """Turn a schema violation into the clause of a one-sentence message that says what to fix."""
    subject, key_path = _describe_location(list(error.absolute_path), document)
    if error.validator == "enum" and key_path[:1] == ["categories"]:
        return f"{subject} has unknown category {error.instance!r}; use one of {', '.join(CATEGORIES)}"
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        return f"{subject} lacks the required key {missing[0]!r}; add it"
    if error.validator == "additionalProperties":
        allowed = list(error.schema["properties"])
        unknown = [key for key in error.instance if key not in allowed]
        return f"{subject} has the unknown key {unknown[0]!r}; remove it or use only {', '.join(allowed)}"
    location = subject
    if key_path:
        key = f"key {_format_key_path(key_path)!r}"
        location = key if subject == "the file" else f"{subject}, {key}"
    return f"{location}: {error.message}; correct it as {schema_path.name} describes"


def _describe_location(location: list, document: dict) -> tuple[str, list]:
    """Return a readable subject ('class 40', 'class entry 3', 'the file') and the key path below it."""
    if len(location) >= 2 and location[0] == "classes" and isinstance(location[1], int):
        entry = document["classes"][location[1]]
        code = entry.get("code") if isinstance(entry, dict) else None
        subject = f"class {code}" if _is_integer(code) else f"class entry {location[1] + 1}"
        return subject, location[2:]
    return "the file", location


def _format_key_path(key_path: list) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in key_path).lstrip(".")


def _classes_from_entries(entries: Sequence[dict], *, path: Path) -> dict[int, LegendClass]:
    code_counts = Counter(entry["code"] for entry in entries)
    repeated = sorted(code for code, count in code_counts.items() if count > 1)
    if repeated:
        raise CBIInputError(
            f"Legend {path} defines class {_codes_phrase(repeated)} more than once; give each class its own code."
        )
    classes = {}
    for entry in entries:
        legend_class = LegendClass(
            code=entry["code"],
            name=entry["name"],
            name_zh=entry["name_zh"],
            categories=frozenset(entry["categories"]),
            note=entry.get("note"),
            colour=entry.get("colour", DEFAULT_CLASS_COLOUR).lower(),
            vector_codes=tuple(entry.get("vector_codes", ())),
        )
        _require_flags_decide_naturalness(legend_class, path=path)
        classes[legend_class.code] = legend_class
    return classes


def _require_flags_decide_naturalness(legend_class: LegendClass, *, path: Path) -> None:
    if "natural" not in legend_class.categories:
        return
    for category, flag in CATEGORIES_DECIDED_BY_FLAGS.items():
        if category in legend_class.categories:
            raise CBIInputError(
                f"Legend {path}: class {legend_class.code} carries both {category!r} and 'natural'; remove "
                f"'natural', because the run-time flag {flag} decides whether {category} classes are natural."
            )


# ----------------------------------------------------------------------------------------------------------
# Codes


def _is_bare_legend_name(text: str) -> bool:
    candidate = Path(text)
    return bool(text) and candidate.name == text and candidate.suffix.lower() not in {".yaml", ".yml"}


def _is_integer(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _integer_codes(values: Iterable[int], *, what: str) -> frozenset[int]:
    values = list(values)
    for value in values:
        if not _is_integer(value):
            raise CBIInputError(f"{what} lists {value!r}, which is not an integer class code; fix or remove it.")
    return frozenset(int(value) for value in values)


def _require_legend_classes(codes: frozenset[int], *, legend: Legend, what: str) -> None:
    unknown = sorted(codes - legend.classes.keys())
    if unknown:
        raise CBIInputError(
            f"{what} lists {_codes_phrase(unknown)} that legend {legend.path} does not define; "
            f"use only its class codes ({_format_codes(legend.classes)})."
        )


def _as_python_number(value: object) -> int | float:
    number = float(value)
    return int(value) if number.is_integer() else number


def _format_codes(codes: Iterable[int]) -> str:
    listed = sorted(codes)
    shown = ", ".join(str(code) for code in listed[:MAX_CODES_IN_MESSAGE])
    return shown + ", …" if len(listed) > MAX_CODES_IN_MESSAGE else shown


def _codes_phrase(codes: Sequence[int]) -> str:
    return f"{'code' if len(codes) == 1 else 'codes'} {_format_codes(codes)}"


# ----------------------------------------------------------------------------------------------------------
# Rasters of 8- and 16-bit codes: tables over the whole dtype range, indexed by the unsigned view


def _as_unsigned(array: np.ndarray) -> np.ndarray:
    """View signed integers as unsigned of the same width (-1 becomes 255 for int8); no copy."""
    return array.view(array.dtype.str.replace("i", "u"))


@functools.lru_cache(maxsize=64)
def _full_dtype_lookup_table(codes: frozenset[int], dtype_str: str) -> np.ndarray:
    """Boolean table with ``table[unsigned view of v] = v in codes`` for every value v of the dtype."""
    limits = np.iinfo(np.dtype(dtype_str))
    table_size = 2 ** (8 * np.dtype(dtype_str).itemsize)
    table = np.zeros(table_size, dtype=bool)
    table[[code % table_size for code in codes if limits.min <= code <= limits.max]] = True
    table.flags.writeable = False
    return table


def _seen_offsets(values: np.ndarray, *, lowest: int, span: int) -> np.ndarray:
    """Boolean ``seen[v - lowest]`` for the values of a 1-D integer array, counted chunk by chunk."""
    seen = np.zeros(span, dtype=bool)
    for start in range(0, values.size, _BINCOUNT_CHUNK_CELLS):
        chunk = values[start : start + _BINCOUNT_CHUNK_CELLS]
        offsets = chunk - chunk.dtype.type(lowest) if lowest else chunk
        seen |= np.bincount(offsets.astype(np.intp, copy=False), minlength=span) > 0
    return seen
