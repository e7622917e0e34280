"""Reading the species files a city supplies: delimited text tables, their columns, and species names.

Shared by the occurrence records of indicator 3 (:mod:`cbindex.species.birds_in_built_up`) and the species lists of
indicators 4–8 and 10 (:mod:`cbindex.species.species_change`).  A table may be comma-, tab- or semicolon-separated,
UTF-8 (with or without byte-order mark) or Latin-1, plain or a zip archive holding one table (a GBIF
download); every cell is read as text.

Species names are matched by a *key*: the name in Unicode NFC form with leading and trailing white space
removed, every run of inner white space collapsed to one space, and case folded.  So ``" Passer  montanus"``
and ``"passer montanus"`` are the same species, while synonyms, misspellings and names with and without an
author (``"Passer montanus (Linnaeus, 1758)"``) are different species: the city must harmonise its names.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from cbindex.core.errors import CBIInputError

LOGGER = logging.getLogger(__name__)

ENCODINGS = ("utf-8-sig", "latin-1")
"""Encodings tried in order; Latin-1 decodes any byte, so it is the last resort."""
SEPARATORS = ("\t", ",", ";")
ZIP_MEMBERS_PREFERRED = ("occurrence.txt",)
"""Member of a Darwin Core archive holding the records (GBIF "Darwin Core Archive" downloads)."""
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")

NATIVE, INTRODUCED, INVASIVE = "native", "introduced", "invasive"
STATUS_ALIASES: dict[str, str] = {
    "native": NATIVE,
    "indigenous": NATIVE,
    "本土": NATIVE,
    "乡土": NATIVE,
    "本地": NATIVE,
    "土著": NATIVE,
    "introduced": INTRODUCED,
    "alien": INTRODUCED,
    "exotic": INTRODUCED,
    "non-native": INTRODUCED,
    "nonnative": INTRODUCED,
    "non native": INTRODUCED,
    "外来": INTRODUCED,
    "引入": INTRODUCED,
    "非本土": INTRODUCED,
    "invasive": INVASIVE,
    "invasive alien": INVASIVE,
    "invasive alien species": INVASIVE,
    "ias": INVASIVE,
    "入侵": INVASIVE,
    "外来入侵": INVASIVE,
    "外来入侵物种": INVASIVE,
    "入侵物种": INVASIVE,
}
"""Status words a species list may use (compared after :func:`name_key`), mapped to the three statuses."""

NAME_RULE = "names matched after trimming and collapsing white space and ignoring case; synonyms not resolved"
"""How species names are matched, for the ``method`` column of the outputs."""

SPECIES_COLUMN_ALIASES = ("species", "scientificName", "scientific_name", "name", "物种", "学名", "种名")
STATUS_COLUMN_ALIASES = ("status", "establishmentMeans", "origin", "状态", "来源")


@dataclass(frozen=True)
class TextTable:
    """A delimited text file whose header has been read: its columns, separator and encoding.

    Attributes
    ----------
    path : str
        The file (a zip archive when ``member`` is set).
    member : str or None
        The table inside a zip archive.
    columns : list of str
        Header names, trimmed.
    separator : str
        Tab, comma or semicolon: whichever occurs most often in the header line.
    what : str
        What the file is, for messages.
    """

    path: str
    member: str | None
    columns: list[str]
    separator: str
    what: str

    def column(
        self, candidates: str | Sequence[str] | None, *, what: str, fix: str, required: bool = True
    ) -> str | None:
        """The first of ``candidates`` that is a column (exact name first, then ignoring case).

        Raises
        ------
        CBIInputError
            When ``required`` and no candidate is a column: names the file, what was looked for, its columns
            and ``fix``.
        """
        return find_column(
            self.columns, candidates, what=what, origin=f"{self.what} {self.path}", fix=fix, required=required
        )

    def read(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Read the rows (only ``columns`` when given) with every cell as text; empty cells are ``""``.

        UTF-8 is tried first, Latin-1 when the file is not valid UTF-8.  Tab-separated files are read
        without quote handling, as GBIF writes them (unquoted, with stray quotes inside the text).

        Raises
        ------
        CBIInputError
            A malformed line (wrong number of fields, unterminated quote).
        """
        wanted = None if columns is None else [self.columns.index(column) for column in dict.fromkeys(columns)]
        quoting = _quoting(self.separator)
        for encoding in ENCODINGS:
            try:
                with _open_table(self.path, self.member) as stream:
                    frame = pd.read_csv(
                        stream,
                        sep=self.separator,
                        dtype=str,
                        keep_default_na=False,
                        quoting=quoting,
                        encoding=encoding,
                        usecols=wanted,
                        header=0,
                        names=self.columns,
                        skip_blank_lines=True,
                    )
            except UnicodeDecodeError:
                continue
            except (pd.errors.ParserError, ValueError) as error:
                raise CBIInputError(
                    f"{self.what} {self.path} is not a well-formed table ({' '.join(str(error).split())}); "
                    "fix that line."
                ) from error
            frame = frame.fillna("")
            LOGGER.info(
                "%s %s%s: %d rows read as %s, separator %r",
                self.what,
                self.path,
                f" ({self.member})" if self.member else "",
                len(frame),
                encoding,
                self.separator,
            )
            return frame
        raise AssertionError("Latin-1 decodes every byte")  # pragma: no cover


def read_text_table(path: str | Path, *, what: str, sheet_column: str) -> TextTable:
    """Open a delimited text table (or the one table inside a zip archive) and read its header.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.tsv``, ``.txt`` or a ``.zip`` holding ``occurrence.txt`` or exactly one table (a GBIF
        download).  Comma-, tab- or semicolon-separated; UTF-8 (with or without byte-order mark) or Latin-1.
    what : str
        What the file is, for messages (e.g. ``"Occurrence file"``).
    sheet_column : str
        City-sheet column naming the file, for messages.

    Returns
    -------
    TextTable
        Call :meth:`TextTable.read` for the rows, so that only the columns needed are held in memory.

    Raises
    ------
    CBIInputError
        Missing file, a file without a header line, or a zip archive without a single table.
    """
    path = str(path)
    if not Path(path).is_file():
        raise CBIInputError(f"{what} {path} does not exist; check the city sheet's {sheet_column} column.")
    member = _zip_member(path, what=what)
    with _open_table(path, member) as stream:
        header = _decode(stream.readline()).strip("\r\n")
    if not header.strip():
        raise CBIInputError(f"{what} {path} is empty or has no header line; give a table with a header row.")
    separator = max(SEPARATORS, key=header.count)
    columns = [
        column.strip() for column in next(csv.reader([header], delimiter=separator, quoting=_quoting(separator)))
    ]
    return TextTable(path=path, member=member, columns=columns, separator=separator, what=what)


def find_column(
    columns: Sequence[str],
    candidates: str | Sequence[str] | None,
    *,
    what: str,
    origin: str,
    fix: str,
    required: bool = True,
) -> str | None:
    """The first candidate naming one of ``columns``, exactly or else ignoring case; None when none does.

    Raises
    ------
    CBIInputError
        When ``required`` and nothing matches: names ``origin``, the candidates, the columns and ``fix``.
    """
    wanted = [candidates] if isinstance(candidates, str) else list(candidates or ())
    folded = {str(column).casefold(): column for column in reversed(columns)}
    for candidate in wanted:
        if candidate in columns:
            return candidate
    for candidate in wanted:
        if candidate.casefold() in folded:
            return folded[candidate.casefold()]
    if not required:
        return None
    raise CBIInputError(
        f"{origin} has no {what} column (looked for {', '.join(wanted) or 'none'}; its columns are "
        f"{', '.join(map(str, columns))}); {fix}."
    )


def normalise_name(text: object) -> str:
    """A species name as written, in NFC form with white space trimmed and inner runs collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def name_key(text: object) -> str:
    """The key two names must share to be the same species: :func:`normalise_name`, case folded."""
    return normalise_name(text).casefold()


def parse_status(text: object) -> str | None:
    """``native``, ``introduced`` or ``invasive`` for a status word of :data:`STATUS_ALIASES`, else None."""
    return STATUS_ALIASES.get(name_key(text))


def read_non_native_names(path: str | Path) -> frozenset[str]:
    """Keys (:func:`name_key`) of the species on a city's list of non-native species (SI indicator 3).

    Parameters
    ----------
    path : str or Path
        Either a plain text file with one name per line (blank lines and lines starting with ``#`` are
        ignored), or a table (``.csv``, ``.tsv``) with a species column (:data:`SPECIES_COLUMN_ALIASES`).
        A table with a status column (:data:`STATUS_COLUMN_ALIASES`, e.g. the city's species-list file)
        contributes only the names whose status is ``introduced`` or ``invasive``.

    Returns
    -------
    frozenset of str

    Raises
    ------
    CBIInputError
        Missing file, or a table without a species column.
    """
    path = str(path)
    if Path(path).suffix.lower() not in (".csv", ".tsv"):
        if not Path(path).is_file():
            raise CBIInputError(
                f"Non-native species list {path} does not exist; check the city sheet's non_native_species column."
            )
        text = _decode(Path(path).read_bytes())
        names = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        return frozenset(name_key(name) for name in names)
    table = read_text_table(path, what="Non-native species list", sheet_column="non_native_species")
    species = table.column(
        SPECIES_COLUMN_ALIASES,
        what="species",
        fix="name the column of species names species, or give a text file of one name a line",
    )
    status = table.column(STATUS_COLUMN_ALIASES, what="status", fix="", required=False)
    rows = table.read([species] if status is None else [species, status])
    if status is not None:
        rows = rows[rows[status].map(parse_status).isin([INTRODUCED, INVASIVE])]
    return frozenset(name_key(name) for name in rows[species] if name.strip())


def distinct_names(names: Iterable[str]) -> dict[str, str]:
    """Distinct species of ``names`` as ``{key: first spelling seen}``, empty names left out."""
    distinct: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key:
            distinct.setdefault(key, normalise_name(name))
    return distinct


def _zip_member(path: str, *, what: str) -> str | None:
    """The table inside a zip archive (None for a plain file)."""
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]
    member = next((name for name in names if Path(name).name in ZIP_MEMBERS_PREFERRED), None)
    tables = [name for name in names if Path(name).suffix.lower() in TABLE_SUFFIXES]
    if member is None and len(tables) == 1:
        member = tables[0]
    if member is None:
        raise CBIInputError(
            f"{what} {path} is a zip archive without occurrence.txt or a single table ({', '.join(names)}); "
            "unzip it and name the table in the city sheet."
        )
    return member


@contextlib.contextmanager
def _open_table(path: str, member: str | None) -> Iterator[IO[bytes]]:
    """The file's bytes, or those of ``member`` inside the zip archive ``path``."""
    if member is None:
        with open(path, "rb") as stream:
            yield stream
        return
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        yield stream


def _quoting(separator: str) -> int:
    """GBIF writes tab-separated files unquoted (with stray quotes in the text); other tables may quote."""
    return csv.QUOTE_NONE if separator == "\t" else csv.QUOTE_MINIMAL


def _decode(raw: bytes) -> str:
    """Text of ``raw`` in the first of :data:`ENCODINGS` that decodes it."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes every byte")  # pragma: no cover
