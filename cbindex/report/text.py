"""The city report's wording in English and Simplified Chinese, and number formatting.

The report's own words are the ``report`` section of the message catalogue (``cbindex/core/catalogue/report.yaml``;
how to add one: :mod:`cbindex.core.messages`). Everything that comes from data (indicator, component and class
names, band labels, notes, the distance to the next band) carries its own English and Chinese text.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

from cbindex.core.messages import LANGUAGES as LANGUAGES  # re-exported: the report languages
from cbindex.core.messages import match_pattern, message, section

LABELS: dict[str, tuple[str, str]] = section("report")
"""The report's section of the message catalogue as ``{key: (English, Chinese)}`` (kept for older call sites:
new code calls :func:`text` or :func:`cbindex.core.messages.message`)."""


def text(key: str, language: str, **values: Any) -> str:
    """The report's wording for `key` (catalogue entry ``report.<key>``) in `language`, ``{placeholders}`` filled."""
    return message(f"report.{key}", language, **values)


def text_html(key: str, language: str, **codes: Any) -> str:
    """:func:`text` as HTML whose fields are names or codes shown as written, in ``<code>`` (a font, a file)."""
    return html.escape(message(f"report.{key}", language)).format(
        **{name: f"<code>{html.escape(str(value))}</code>" for name, value in codes.items()}
    )


_SETTING = re.compile(r"^[A-Za-z_][\w.]*=\S*$")
_NUMBER = re.compile(r"^[-+]?[\d,.]+$")


def method_html(method: str, language: str) -> str:
    """An indicator table's method text as HTML in `language` (the tables write it in English).

    In Chinese, each clause (split at ``"; "``) is translated by the catalogue's ``methods`` patterns; a clause
    ``key=value`` (a setting) and the fields the patterns match (codes, files, CRS names) are shown as ``<code>``.
    A clause no pattern matches stays English, which the no-English test reports (add its pattern to
    ``cbindex/core/catalogue/methods.yaml``).
    """
    if language != "zh" or not method:
        return html.escape(method or "—")
    parts = []
    for clause in method.split("; "):
        found = None if _SETTING.match(clause) else match_pattern("methods", clause)
        if found is None:
            parts.append(f"<code>{html.escape(clause)}</code>" if _SETTING.match(clause) else html.escape(clause))
            continue
        template, fields = found
        shown = {
            name: html.escape(value) if _NUMBER.match(value) else f"<code>{html.escape(value)}</code>"
            for name, value in fields.items()
        }
        parts.append(html.escape(template).format(**shown))
    return "；".join(parts)


def localized(record: Any, key: str, language: str) -> Any:
    """``key + "_zh"`` of a record in a Chinese report when it is given, else `key` (None when absent).

    Parameters
    ----------
    record : mapping or object
        A JSON record (scorecard rows) or an object with attributes (rules, bands, levels, rule sets).
    key : str
        The English field, e.g. ``name``; its Chinese twin is ``name_zh``.
    language : {"en", "zh"}
    """
    if isinstance(record, Mapping):
        english, chinese = record.get(key), record.get(f"{key}_zh")
    else:
        english, chinese = getattr(record, key, None), getattr(record, f"{key}_zh", None)
    return chinese if language == "zh" and chinese else english


def format_number(value: Any, *, unit: str | None = None) -> str:
    """A value as the report prints it: whole numbers plain, others to 1 decimal from 100 up, else 2.

    Parameters
    ----------
    value : number, str or None
        None and NaN print as a dash; text prints as it is.
    unit : str, optional
        Appended after a space (``%`` without one).

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if isinstance(value, numbers.Integral) or (float(value).is_integer() and abs(value) >= 1):
            number = f"{int(value):,}"
        elif abs(value) >= 100:
            number = f"{value:,.1f}"
        else:
            number = f"{value:,.2f}"
    else:
        number = str(value)
    if not unit:
        return number
    return f"{number} %" if unit == "%" else f"{number} {unit}"


def format_change(change: float | None, *, unit: str | None = None) -> str:
    """A signed change (``+0.12``, ``−3.4 ha``), or an empty string when there is none."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return sign + format_number(abs(change), unit=unit)


def format_percent(share: float | None) -> str:
    """A share in percent as ``25.0 %`` (a dash when unknown)."""
    return "—" if share is None else f"{share:.1f} %"
