"""Reading the project's YAML config files and checking them against their schemas.

The schemas the library needs (legend, scoring rule set, figures) ship as package data in
``cbindex/core/schemas/`` and are found with :mod:`importlib.resources`, so an installed package (not
editable) finds them too. The workflow's own schemas (config, city sheet) stay in ``workflow/schemas/``; the
Snakefile checks the configuration with :func:`validate_config` and the city sheet with :func:`validate_sheet`,
which say what is wrong in one sentence (an unknown key with the closest valid one: "did you mean
gap_distance_m?") instead of the schema dump of ``snakemake.utils.validate``.
"""

from __future__ import annotations

import copy
import difflib
import functools
import importlib.resources
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import yaml

from cbindex.core.errors import CBIInputError

SCHEMA_DIR = Path(str(importlib.resources.files("cbindex.core") / "schemas"))


def schema_path(name: str) -> Path:
    """The path of a schema shipped with the package: ``legend``, ``scoring`` or ``figures``."""
    return SCHEMA_DIR / f"{name}.schema.yaml"


_MAX_MESSAGE_CHARS = 200


def read_yaml_file(path: str | Path, *, what: str) -> Any:
    """Read a YAML file, turning a missing file or bad syntax into one-sentence errors.

    Parameters
    ----------
    path : str or Path
        File to read.
    what : str
        What the file is, for messages, e.g. ``"Scoring rule set"``.

    Returns
    -------
    object
        The parsed document (None for an empty file).

    Raises
    ------
    CBIInputError
        If the file is missing, unreadable or not valid YAML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CBIInputError(f"{what} {path} does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CBIInputError(f"{what} {path} cannot be read ({error}); save it as UTF-8 text.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise CBIInputError(f"{what} {path} is not valid YAML{where} ({problem}); fix the syntax.") from None


@functools.cache
def _schema(schema_path: str) -> dict[str, Any]:
    with open(schema_path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def check_against_schema(document: Any, *, schema_path: str | Path, origin: str, definition: str | None = None) -> None:
    """Validate a document against a YAML JSON Schema, raising one sentence naming the file and key.

    Parameters
    ----------
    document : object
        Parsed document.
    schema_path : str or Path
        Schema file (JSON Schema 2020-12 written in YAML).
    origin : str
        The file or config key the document came from, named in the message.
    definition : str, optional
        Validate against ``$defs/<definition>`` of the schema instead of the whole schema.

    Raises
    ------
    CBIInputError
        On the most relevant schema violation.
    """
    if document is None:
        raise CBIInputError(f"{origin} is empty; fill it in as {Path(schema_path).name} describes.")
    schema = _schema(str(schema_path))
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document))
    if error is None:
        return
    key = _describe_key(document, error.absolute_path)
    subject = f"key {key}" if key else "the top level"
    explanation = _schema_error_text(error, schema_name=Path(schema_path).name)
    raise CBIInputError(f"{origin}: {subject} {explanation}.")


def _describe_key(document: Any, path: Iterable[str | int]) -> str:
    """Dotted key path; list items that have an `id` are named by it, e.g. ``indicators[I3].bands[0]``."""
    parts: list[str] = []
    node = document
    for step in path:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            item_id = item.get("id") if isinstance(item, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item_id or step}]"]
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _schema_error_text(error: jsonschema.ValidationError, *, schema_name: str) -> str:
    """The clause after the key: what is wrong and how to fix it."""
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        return f"lacks the required key {missing[0]!r}; add it"
    if error.validator == "additionalProperties" and "properties" in error.schema:
        allowed = list(error.schema["properties"])
        unknown = [key for key in error.instance if key not in allowed]
        return f"has the unknown key {unknown[0]!r}; remove it or use only {', '.join(allowed)}"
    if error.validator == "not" and "required" in error.validator_value:
        keys = " and ".join(error.validator_value["required"])
        return f"must not contain {keys} together; keep only the one that fits"
    text = " ".join(error.message.split())
    if len(text) > _MAX_MESSAGE_CHARS:
        text = text[: _MAX_MESSAGE_CHARS - 1] + "…"
    return f"is invalid ({text}); correct it as {schema_name} describes"


# ------------------------------------------------------------------------------------------- workflow config

CONFIG_DOCS = "config/README.md"
"""Where every configuration key and city-sheet column is described, named in the messages."""


def _fill_defaults(validator_class: type[jsonschema.protocols.Validator]) -> type[jsonschema.protocols.Validator]:
    """The validator class that also sets each missing property to its schema ``default`` (a copy), as
    ``snakemake.utils.validate`` does, nested objects included."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def properties(validator, properties, instance, schema):  # noqa: ANN001, ANN202 - jsonschema's signature
        if validator.is_type(instance, "object"):
            for name, subschema in properties.items():
                if isinstance(subschema, Mapping) and "default" in subschema:
                    instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": properties})


_DefaultFillingValidator = _fill_defaults(jsonschema.Draft202012Validator)


def validate_config(
    config: dict[str, Any],
    schema_path: str | Path,
    *,
    config_files: Sequence[str | Path] = (),
    log_path: str | Path | None = None,
) -> None:
    """Check the workflow configuration against its schema and fill in the schema's defaults, in place.

    A violation raises one sentence naming the file, the key and the fix; for an unknown key (the schema allows
    no other keys) or a value not in a list of choices, the closest valid one ("did you mean gap_distance_m?").
    The full jsonschema report goes to ``log_path`` only, so the console shows the sentence alone.

    Parameters
    ----------
    config : dict
        The configuration Snakemake loaded (``config``); missing keys with a schema default are set.
    schema_path : str or Path
        The configuration's JSON Schema (``workflow/schemas/config.schema.yaml``).
    config_files : sequence of paths
        The files the configuration came from (Snakemake's ``workflow.configfiles``), named in the message.
    log_path : str or Path, optional
        Where the full report of a violation is written (e.g. ``.snakemake/log/validation.log``).

    Raises
    ------
    CBIInputError
        On the most relevant violation.
    """
    schema = _schema(str(schema_path))
    error = jsonschema.exceptions.best_match(_DefaultFillingValidator(schema).iter_errors(config))
    if error is None:
        return
    origin = _config_origin(config_files)
    sentence = _config_error_sentence(error, config, origin=origin)
    _write_report(log_path, sentence, error)
    raise CBIInputError(sentence)


def validate_sheet(
    frame: pd.DataFrame,
    schema_path: str | Path,
    *,
    path: str,
    id_column: str = "city_id",
    log_path: str | Path | None = None,
    coverage_columns: Sequence[str] = (),
) -> None:
    """Check a sheet (every cell text) against the JSON Schema of one row, raising one sentence.

    An unknown column is named with the closest valid one ("did you mean boundary_layer?"), a missing required
    column is named, and a cell breaking its column's rule is named by its row (numbered as in Excel: the
    header is row 1) with the rule, the column's schema ``description``. The full jsonschema report of a
    cell goes to ``log_path`` only.

    Parameters
    ----------
    frame : pandas.DataFrame
        The sheet as read (:meth:`cbindex.core.city_sheet.CitySheet.read`), one column per sheet column.
    schema_path : str or Path
        JSON Schema of one row (``workflow/schemas/cities.schema.yaml``), with ``properties`` per column.
    path : str
        The sheet's file, named in messages.
    id_column : str
        The column that names a row in messages.
    log_path : str or Path, optional
        Where the full report of a violation is written.
    coverage_columns : sequence of str
        The sheet columns of config ``coverage_layers``: each, with its ``_layer``, ``_encoding`` and ``_datum``
        columns, is a column of the sheet like ``redline`` (the schema lists only the shipped layers').

    Raises
    ------
    CBIInputError
        On the first unknown column, missing required column or invalid cell.
    """
    schema = _schema(str(schema_path))
    if coverage_columns:
        schema = _with_coverage_columns(schema, coverage_columns)
    columns = list(schema.get("properties", {}))
    origin = f"City sheet {path}"
    for column in map(str, frame.columns):
        if column not in columns:
            raise CBIInputError(f"{origin} has the unknown column {column!r}; {_closest(column, columns, 'column')}")
    for column in schema.get("required", []):
        if column not in frame.columns:
            raise CBIInputError(
                f"{origin} lacks the required column {column!r}; add it ({CONFIG_DOCS} says what it holds)."
            )
    validator = jsonschema.Draft202012Validator(schema)
    for number, row in enumerate(frame.to_dict("records"), start=2):
        error = jsonschema.exceptions.best_match(validator.iter_errors(row))
        if error is not None:
            sentence = _cell_error_sentence(error, row, origin=origin, number=number, id_column=id_column)
            _write_report(log_path, sentence, error)
            raise CBIInputError(sentence)


def _with_coverage_columns(schema: dict, columns: Sequence[str]) -> dict:
    """The sheet schema with the columns of each coverage layer, as the red line's (``redline``, ``_layer``,
    ``_encoding``, ``_datum``)."""
    properties = dict(schema["properties"])
    for column in columns:
        for suffix in ("", "_layer", "_encoding", "_datum"):
            properties.setdefault(f"{column}{suffix}", schema["properties"][f"redline{suffix}"])
    return {**schema, "properties": properties}


def _config_origin(config_files: Sequence[str | Path]) -> str:
    """``Config file config/config.yaml`` (files named as given, relative ones relative to the working directory)."""
    names = list(dict.fromkeys(_relative(str(name)) for name in config_files))
    if not names:
        return "The configuration"
    return f"Config file {names[0]}" if len(names) == 1 else f"Config files {' and '.join(names)}"


def _relative(name: str) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return name
    return name


def _closest(name: str, choices: Sequence[str], what: str) -> str:
    """``did you mean X?`` with the most similar choice (ignoring case), else the fix naming every choice."""
    by_lower = {str(choice).lower(): str(choice) for choice in choices}
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f"did you mean {by_lower[close[0]]}?"
    listed = ", ".join(map(str, choices))
    return f"remove it or use one of the {what}s {listed} ({CONFIG_DOCS} describes each)."


def _config_error_sentence(error: jsonschema.ValidationError, config: Any, *, origin: str) -> str:
    key = _describe_key(config, error.absolute_path)
    if (
        error.validator == "additionalProperties"
        and error.validator_value is False
        and isinstance(error.instance, dict)
    ):
        allowed = list(error.schema.get("properties", {}))
        unknown = next(name for name in error.instance if name not in allowed)
        dotted = f"{key}.{unknown}" if key else str(unknown)
        return f"{origin} has the unknown key {dotted}; {_closest(unknown, allowed, 'key')}"
    if error.validator == "enum" and key:
        choices = [str(choice) for choice in error.validator_value]
        fix = _closest(str(error.instance), choices, "value") if isinstance(error.instance, str) else ""
        if not fix.startswith("did you mean"):
            fix = f"use one of {', '.join(choices)}."
        return f"{origin}: {key} is {error.instance!r}, which is not one of {', '.join(choices)}; {fix}"
    subject = f"key {key}" if key else "the top level"
    explanation = _schema_error_text(error, schema_name=CONFIG_DOCS)
    return f"{origin}: {subject} {explanation}."


def _cell_error_sentence(
    error: jsonschema.ValidationError, row: Mapping[str, Any], *, origin: str, number: int, id_column: str
) -> str:
    path = list(error.absolute_path)
    if not path:
        return f"{origin}, row {number}: {' '.join(error.message.split())[:_MAX_MESSAGE_CHARS]}; correct the row."
    column = str(path[0])
    where = f"row {number}" if column == id_column or not row.get(id_column) else f"row {number} ({row[id_column]})"
    rule = str(error.schema.get("description", "")).strip().rstrip(".") or " ".join(error.message.split())
    return f"{origin}, {where}: {column} {row.get(column)!r} is not allowed ({rule}); correct the cell."


def _write_report(log_path: str | Path | None, sentence: str, error: jsonschema.ValidationError) -> None:
    """The sentence and jsonschema's full report, for whoever needs more than the sentence."""
    if log_path is None:
        return
    try:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        Path(log_path).write_text(f"{sentence}\n\n{error}\n", encoding="utf-8")
    except OSError:
        pass  # the sentence on the console is what matters
