"""One reader for every tabular input: CSV in the encodings agencies export, and Excel.

Agencies send what their tools write: UTF-8 (with or without a byte-order mark), UTF-16
(Excel's "Unicode text"), Windows Thai (cp874 / TIS-620) and ``.xlsx`` workbooks.
:func:`read_table` returns every cell as text (``""`` for blank), with the header names
normalised (Unicode NFC, surrounding and repeated spaces removed), and refuses with the
package's :class:`~kpianalysis.DataValidationError` — naming the file — an empty file, a
file in none of those encodings, a malformed CSV, a repeated column name (after
normalisation) and a missing worksheet. Every reader of the package goes through it, so
there is one dialect.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from ._validation import DataValidationError

__all__ = ["CSV_ENCODINGS", "EXCEL_SUFFIXES", "normalise_header", "read_table"]

#: Encodings tried, in order, for a CSV without a byte-order mark.
CSV_ENCODINGS = ("utf-8", "cp874")
#: File suffixes read as Excel workbooks.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

_SPACES = re.compile(r"\s+")


def normalise_header(name: Any) -> str:
    """A column name as the package compares it: NFC, spaces trimmed and collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(name))).strip()


def _decode(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataValidationError("the file is not text in UTF-8, UTF-16 or Windows Thai (cp874); "
                              "save it as CSV UTF-8", source=source)


def _check_header(names: list[str], source: str) -> list[str]:
    clean = [normalise_header(n) for n in names]
    seen: dict[str, int] = {}
    for i, name in enumerate(clean, start=1):
        if name in seen:
            raise DataValidationError(
                f"column {name!r} appears twice (columns {seen[name]} and {i}); expected each "
                f"column once", source=source, column=name)
        seen[name] = i
    if any(n == "" for n in clean):
        raise DataValidationError("a column has no name in the header row", source=source)
    return clean


def read_table(path: str | Path, *, source: str | None = None, sheet: str | None = None
               ) -> pd.DataFrame:
    """Read a CSV or Excel file as text columns.

    Parameters
    ----------
    path : path
        The file. ``.xlsx`` / ``.xlsm`` are read as workbooks, anything else as CSV.
    source : str, optional
        How the file is named in errors (default: ``path`` as given).
    sheet : str, optional
        Worksheet of a workbook (default: the first one).

    Returns
    -------
    DataFrame
        Every cell as ``str`` (blank cells ``""``), header names normalised.

    Raises
    ------
    DataValidationError
        Empty file, unknown encoding, malformed CSV, a repeated or blank column name, a
        missing worksheet. A header with no data rows is returned as an empty frame: whether
        that is valid (no outage in the year) or not (a survey with no form) is the caller's
        to say.
    """
    p = Path(path)
    where = source or str(path)
    if not p.is_file():
        raise FileNotFoundError(f"file not found: {where}")
    if p.suffix.lower() in EXCEL_SUFFIXES:
        frame = _read_excel(p, where, sheet)
    else:
        data = p.read_bytes()
        if not data.strip():
            raise DataValidationError("the file is empty; expected a header row and data rows",
                                      source=where)
        text = _decode(data, where)
        header = next(csv.reader(io.StringIO(text)), [])
        columns = _check_header(header, where)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                header=0)
        except pd.errors.ParserError as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise DataValidationError(
                "malformed CSV (a stray quote or a row with too many fields); expected one "
                "value per column", source=where,
                rows=[int(line.group(1)) - 1] if line else None) from None
        frame.columns = columns
    return frame


def _read_excel(path: Path, where: str, sheet: str | None) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # a corrupt or non-Excel file: say so, do not crash
        raise DataValidationError(f"not a readable Excel workbook ({type(exc).__name__})",
                                  source=where) from None
    with book:
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise DataValidationError(f"worksheet {sheet!r} not found; the workbook has "
                                      f"{', '.join(map(repr, names))}", source=where)
        raw = pd.read_excel(book, sheet_name=sheet if sheet is not None else names[0],
                            dtype=str, header=None, keep_default_na=False)
    if raw.empty:
        raise DataValidationError("the worksheet is empty; expected a header row and data "
                                  "rows", source=where)
    columns = _check_header([str(v) for v in raw.iloc[0]], where)
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = columns
    return frame.fillna("").astype(str)
