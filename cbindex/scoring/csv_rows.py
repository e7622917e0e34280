"""A hand-filled CSV file a city supplies (figures, targets) read as rows of text, with one-sentence errors.

The file is UTF-8 (with or without the byte-order mark spreadsheet programs write); its first row names columns
from a fixed list; rows with no cell filled (what a spreadsheet leaves after a cleared row) are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from cbindex.core.errors import CBIInputError

CSV_ENCODING = "utf-8-sig"  # a byte-order mark lets spreadsheet programs open the Chinese names as UTF-8


def read_csv_rows(
    path: Path, *, what: str, columns: Sequence[str], required: Sequence[str], template: str
) -> list[tuple[int, dict[str, str]]]:
    """The filled rows of a city's CSV file, each as its line number and ``{column: stripped text}``.

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file is, for messages, e.g. ``"City figures file"``.
    columns, required : sequence of str
        The columns the header may name, and those it must name.
    template : str
        The template to start from, named in the fixes (e.g. ``config/figures_template.csv``).

    Raises
    ------
    CBIInputError
        If the file is missing, unreadable, not CSV or empty, its header names an unknown column, a column twice
        or lacks a required one, or a row has more cells than the header.
    """
    try:
        text = path.read_text(encoding=CSV_ENCODING)
    except FileNotFoundError:
        raise CBIInputError(f"{what} {path} does not exist; check the city sheet.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CBIInputError(f"{what} {path} cannot be read ({error}); save it as UTF-8 CSV.") from None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise CBIInputError(f"{what} {path} is not valid CSV ({error}); re-export it as CSV.") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CBIInputError(
            f"{what} {path} is empty; start from {template}, whose first row names the columns {', '.join(columns)}."
        )
    header = [cell.strip() for cell in rows[0]]
    unknown = [column for column in header if column not in columns]
    if unknown:
        raise CBIInputError(
            f"{path}: the header has the unknown column {unknown[0]!r}; use only {', '.join(columns)} as in {template}."
        )
    repeated = [column for column in columns if header.count(column) > 1]
    if repeated:
        raise CBIInputError(f"{path}: the header names the column {repeated[0]!r} twice; keep one.")
    missing = [column for column in required if column not in header]
    if missing:
        raise CBIInputError(f"{path}: the header lacks the column {missing[0]!r}; add it as in {template}.")
    filled = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            raise CBIInputError(
                f"{path}: row {line} has more cells than the header has columns; remove the extra cells or quote a "
                "value that contains a comma."
            )
        filled.append((line, {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)}))
    return filled
