"""Reading the project's YAML config files and checking them against their schemas.

The schemas the library needs (legend, scoring rule set, figures) ship as package data in
``cbindex/core/schemas/`` and are found with :mod:`importlib.resources`, so an installed package (not
editable) finds them too. The workflow's own schemas (config, city sheet) stay in ``workflow/schemas/``.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
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
