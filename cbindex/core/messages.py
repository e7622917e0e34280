"""The message catalogue: every user-facing string of the outputs, in English and Simplified Chinese, in one place.

Reports, scorecard notes, the scorecard workbook, QGIS layer names and the errors a report shows take their words
from the YAML files of ``cbindex/core/catalogue/`` (package data, found with :mod:`importlib.resources`, so an
installed package has them too). Each file is one *section*, named after the file (``report.yaml`` is section
``report``); each entry is a key with its text in every language of :data:`LANGUAGES`::

    # cbindex/core/catalogue/report.yaml
    natural_map:
      en: Natural areas, {year}
      zh: 自然区域，{year}年

and code asks for it by ``section.key``::

    from cbindex.core.messages import message, messages

    message("report.natural_map", "zh", year=2020)   # '自然区域，2020年'
    messages("report.natural_map", year=2020)        # {'en': 'Natural areas, 2020', 'zh': '自然区域，2020年'}

How to add a string
-------------------
1. Put it in the section of the output that shows it (``report``, ``scorecard``, ``workbook``, ``headline``,
   ``status``, ``units``, ``qgis``, ...; a new output gets a new file ``<section>.yaml``, shipped by the
   ``cbindex/core/catalogue/*.yaml`` package-data pattern of ``pyproject.toml``), with ``en`` and ``zh``; both are
   required and neither may be empty (``tests/unit/core/test_messages.py`` checks every entry).
2. Fields are ``{name}`` placeholders filled by :func:`str.format` (``{{`` for a literal brace). A language may use
   fewer fields than the call passes: English grammar words (``{has}`` / ``{have}``) are passed for English only.
3. Use the glossary's terms (``docs/glossary.md``, generated from ``docs/glossary.yaml`` by
   :mod:`cbindex.core.glossary`): wherever an English text says a glossary term, its Chinese must say the
   glossary's Chinese term (``tests/unit/core/test_glossary.py``); a new term goes into the glossary first.
4. Anything that reaches a Chinese output is checked by the no-English test
   (``tests/workflow/test_no_english.py``): names, codes, units and international abbreviations may stay in Latin
   letters, English words may not.
5. Code that writes English only (the indicator tables' method column) is translated for the Chinese report by
   the ``methods`` section, read as patterns (:func:`match_pattern`): add the English clause with ``{fields}``.

Strings that come with data (indicator, component and class names, band labels) live with that data, in the rule
sets (``name_zh``, ``label_zh``) and the legends; this catalogue holds the workflow's own words.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cbindex.core.errors import CBIDefectError

LANGUAGES = ("en", "zh")
"""The languages every entry has, English first."""

CATALOGUE_DIR = Path(str(importlib.resources.files("cbindex.core") / "catalogue"))
"""The folder of the catalogue's YAML files (one per section)."""


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    """Every section of the catalogue: ``{section: {key: {language: text}}}`` (read once, then cached).

    Raises
    ------
    CBIDefectError
        If a file is not a mapping of keys to one text per language of :data:`LANGUAGES`.
    """
    sections: dict[str, dict[str, dict[str, str]]] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(entries, dict):
            raise CBIDefectError(f"Message catalogue {path.name} is not a mapping of keys to texts.")
        for key, texts in entries.items():
            if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
                raise CBIDefectError(
                    f"Message catalogue {path.name}: entry {key!r} must have exactly the languages "
                    f"{', '.join(LANGUAGES)}."
                )
            for language, text in texts.items():
                if not isinstance(text, str) or not text.strip():
                    raise CBIDefectError(f"Message catalogue {path.name}: entry {key!r} has no {language} text.")
        sections[path.stem] = entries
    return sections


def _entry(key: str) -> Mapping[str, str]:
    section, _, name = key.partition(".")
    try:
        return catalogue()[section][name]
    except KeyError:
        raise CBIDefectError(
            f"Message {key!r} is not in the catalogue (cbindex/core/catalogue/{section}.yaml): add it there."
        ) from None


def message(key: str, language: str, /, **fields: Any) -> str:
    """The text of `key` (``section.name``) in `language`, its ``{fields}`` filled in.

    Parameters
    ----------
    key : str
        ``section.name``, e.g. ``report.title``.
    language : {"en", "zh"}
    **fields
        Values of the placeholders; a language may use only some of them.

    Raises
    ------
    CBIDefectError
        If the key or the language is unknown or a placeholder has no value.
    """
    if language not in LANGUAGES:
        raise CBIDefectError(f"Language {language!r} is not one of the catalogue's: {', '.join(LANGUAGES)}.")
    template = _entry(key)[language]
    if not fields:
        return template
    try:
        return template.format(**fields)
    except KeyError as missing:
        raise CBIDefectError(f"Message {key!r} ({language}) needs the field {missing}.") from None


def messages(key: str, /, **fields: Any) -> dict[str, str]:
    """`key` in every language: ``{"en": ..., "zh": ...}``."""
    return {language: message(key, language, **fields) for language in LANGUAGES}


def pair(key: str, /, **fields: Any) -> tuple[str, str]:
    """`key` as an ``(English, Chinese)`` pair, for records that keep ``text`` and ``text_zh`` side by side."""
    return message(key, "en", **fields), message(key, "zh", **fields)


def section(name: str) -> dict[str, tuple[str, str]]:
    """A section as ``{key: (English template, Chinese template)}`` (unformatted)."""
    try:
        entries = catalogue()[name]
    except KeyError:
        raise CBIDefectError(f"The message catalogue has no section {name!r} (cbindex/core/catalogue/).") from None
    return {key: (texts["en"], texts["zh"]) for key, texts in entries.items()}


@functools.cache
def patterns(name: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A section read as patterns: each English text as a whole-text regex (a ``{field}`` matches any text), with
    its Chinese template; for words written in English by code that cannot know the language (the method column).
    """
    compiled = []
    for english, chinese in section(name).values():
        regex = "".join(
            re.escape(literal) + (f"(?P<{field}>.+?)" if field else "")
            for literal, field, _, _ in string.Formatter().parse(english)
        )
        compiled.append((re.compile(f"^{regex}$", re.DOTALL), chinese))
    return tuple(compiled)


def match_pattern(name: str, text: str) -> tuple[str, dict[str, str]] | None:
    """The Chinese template of the first pattern of section `name` that matches all of `text`, with the fields."""
    for regex, chinese in patterns(name):
        found = regex.match(text)
        if found:
            return chinese, found.groupdict()
    return None


def fields(key: str) -> dict[str, set[str]]:
    """The placeholder names of `key` per language (for tests and for checking a call)."""
    return {
        language: {name for _, name, _, _ in string.Formatter().parse(text) if name}
        for language, text in _entry(key).items()
    }
