"""The words of the QGIS projects in each report language: layer, group and layout names, field aliases, labels.

The texts live in the message catalogue's ``qgis`` section (``cbindex/core/catalogue/qgis.yaml``; how to add one:
:mod:`cbindex.core.messages`). The project of a language takes every name from there; the GeoPackage styles and
the ``.qml`` files, which the projects of every language share, label in both languages.
"""

from __future__ import annotations

from cbindex.core.messages import LANGUAGES, message, section

FIELD_ALIAS_KEYS = {
    "city": "field_city",
    "name": "field_name",
    "name_zh": "field_name_zh",
    "group_id": "field_group_id",
    "patch_id": "field_patch_id",
    "n_cells": "field_n_cells",
    "area_ha": "field_area_ha",
}
"""The fields of the workflow's own layers that get an alias (overlay layers keep the user's field names)."""


def qgis_text(key: str, language: str, **fields: object) -> str:
    """The catalogue's text ``qgis.<key>`` in ``language`` with its ``{field}`` placeholders filled.

    Raises
    ------
    CBIDefectError
        For an unknown key or language (a defect of the calling code, not of the user's input).
    """
    return message(f"qgis.{key}", language, **fields)


def has_qgis_text(key: str) -> bool:
    """Whether the catalogue's ``qgis`` section has ``key``."""
    return key in section("qgis")


def field_aliases(columns: list[str], language: str) -> tuple[tuple[str, str], ...]:
    """``(field, alias)`` of the columns that have an alias in ``language``."""
    return tuple(
        (column, qgis_text(FIELD_ALIAS_KEYS[column], language)) for column in columns if column in FIELD_ALIAS_KEYS
    )


def style_label(key: str, language: str | None, **fields: object) -> str:
    """A legend label in ``language``; in English and Chinese (``English / 中文``) for None, the label of the files
    every project shares (GeoPackage styles, ``.qml`` files)."""
    if language is not None:
        return qgis_text(key, language, **fields)
    english, chinese = (qgis_text(key, lang, **fields) for lang in LANGUAGES)
    return english if english == chinese else f"{english} / {chinese}"
