"""One reader for every tabular input: CSV in the encodings agencies export, and Excel.

Agencies send what their tools write: UTF-8 (with or without a byte-order mark), UTF-16
(Excel's "Unicode text"), Windows Thai (cp874 / TIS-620) and ``.xlsx`` workbooks.
:func:`read_table` returns every cell as text (``""`` for blank), with the header names
normalised (Unicode NFC, surrounding and repeated spaces removed, case folded), and refuses
with the package's :class:`~kpianalysis.DataValidationError` — naming the file, and the row
and column where there is one — an empty file, a file in none of those encodings, a malformed
CSV, a row with fewer or more fields than the header, a cell longer than
:data:`MAX_CELL_CHARS`, a repeated column name (after normalisation) and a missing worksheet.
Lines that are entirely blank (``,,,`` included) are skipped. Every reader of the package goes
through it, so there is one dialect.

A catalog input may name a worksheet (``sheet:``); engines pass it with a :class:`TableRef`
(:func:`table_ref`), which every reader accepts wherever it accepts a path.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import itertools
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validation import DataValidationError

__all__ = [
    "CSV_ENCODINGS",
    "EXCEL_SUFFIXES",
    "MAX_CELL_CHARS",
    "TableRef",
    "normalise_header",
    "read_table",
    "table_ref",
]

#: Encodings tried, in order, for a CSV without a byte-order mark.
CSV_ENCODINGS = ("utf-8", "cp874")
#: File suffixes read as Excel workbooks.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Longest cell accepted (characters); a longer one is refused, never cut.
MAX_CELL_CHARS = 10_000

_SPACES = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class TableRef(os.PathLike):
    """A tabular input file with the worksheet to read and the name errors give it.

    Attributes
    ----------
    path : Path
        The file.
    sheet : str or None
        Worksheet of a workbook (None: the first one; ignored for CSV).
    source : str or None
        How errors name the file (default: ``path``).
    """

    path: Path
    sheet: str | None = None
    source: str | None = None

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return self.source or os.fspath(self.path)


def table_ref(resolved: Any) -> TableRef:
    """The :class:`TableRef` of a resolved catalog input (path, its ``sheet``, its relpath)."""
    spec = getattr(resolved, "spec", None)
    return TableRef(Path(resolved.path), sheet=getattr(spec, "sheet", None),
                    source=getattr(resolved, "relpath", None))


def is_table_path(data: Any) -> bool:
    """Whether ``data`` names a file (``str``, ``Path`` or :class:`TableRef`)."""
    return isinstance(data, (str, Path, TableRef))


def normalise_header(name: Any) -> str:
    """A column name as the package compares it: NFC, spaces trimmed and collapsed, casefolded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(name))).strip().casefold()


def _decode(data: bytes, source: str) -> str:
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError:
        pass
    else:
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
                f"column {name[:80]!r} appears twice (columns {seen[name]} and {i}); expected "
                f"each column once", source=source, column=name[:80])
        seen[name] = i
    if any(n == "" for n in clean):
        raise DataValidationError("a column has no name in the header row", source=source)
    return clean


def read_table(path: str | os.PathLike[str], *, source: str | None = None,
               sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV or Excel file as text columns.

    Parameters
    ----------
    path : path or TableRef
        The file. ``.xlsx`` / ``.xlsm`` are read as workbooks, anything else as CSV. A
        :class:`TableRef` brings its sheet and source name.
    source : str, optional
        How the file is named in errors (default: the TableRef's source, else ``path``).
    sheet : str, optional
        Worksheet of a workbook (default: the TableRef's, else the first one).

    Returns
    -------
    DataFrame
        Every cell as ``str`` (blank cells ``""``), header names normalised
        (:func:`normalise_header`), one row per non-blank data line.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    DataValidationError
        Empty file, unknown encoding, malformed CSV, a row with fewer or more fields than the
        header, an over-long cell, a repeated or blank column name, a missing worksheet. A
        header with no data rows is returned as an empty frame: whether that is valid (no
        outage in the year) or not (a survey with no form) is the caller's to say.
    """
    if isinstance(path, TableRef):
        sheet = sheet if sheet is not None else path.sheet
        source = source or path.source
        path = path.path
    p = Path(path)
    where = source or str(path)
    if not p.is_file():
        raise FileNotFoundError(f"file not found: {where}")
    if p.suffix.lower() in EXCEL_SUFFIXES:
        header, rows = _read_excel(p, where, sheet)
    else:
        data = p.read_bytes()
        if not data.strip():
            raise DataValidationError("the file is empty; expected a header row and data rows",
                                      source=where)
        header, rows = _read_csv_rows(_decode(data, where), where)
    return _frame(header, rows, where)


def _read_csv_rows(text: str, where: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataValidationError(
            f"malformed CSV ({str(exc)[:80]}): a stray quote or an over-long cell; expected "
            f"one value per column, quotes in pairs", source=where,
            rows=[max(reader.line_num - 1, 1)]) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataValidationError("the file is empty; expected a header row and data rows",
                                  source=where)
    return rows[0], rows[1:]


def _frame(header: list[str], rows: list[list[str]], where: str) -> pd.DataFrame:
    columns = _check_header(header, where)
    n = len(columns)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    short = np.flatnonzero(lengths < n)
    if short.size:
        raise DataValidationError(
            f"a row has fewer values than the header's {n} columns (found "
            f"{int(lengths[short[0]])}); expected one value per column, blank cells "
            f"included", source=where, rows=(short + 1).tolist())
    extra = np.flatnonzero(lengths > n)
    if extra.size:
        # trailing empty fields (a spreadsheet's stray separators) are not data
        spill = [rows[i][n:] for i in extra]
        real = np.array([any(c.strip() for c in s) for s in spill])
        if real.any():
            raise DataValidationError(
                f"a row has more values than the header's {n} columns (found "
                f"{int(lengths[extra[real][0]])}); expected one value per column",
                source=where, rows=(extra[real] + 1).tolist())
        rows = [r[:n] for r in rows]
    frame = pd.DataFrame(rows, columns=columns, dtype=str) if rows else \
        pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    if rows and max(map(len, itertools.chain.from_iterable(rows))) > MAX_CELL_CHARS:
        lengths2 = frame.apply(lambda s: s.str.len()).to_numpy()
        big = lengths2 > MAX_CELL_CHARS
        r, c = np.argwhere(big)[0]
        raise DataValidationError(
            f"a cell of {int(lengths2[r, c]):,} characters; expected at most "
            f"{MAX_CELL_CHARS:,}", source=where, column=columns[c],
            rows=(np.flatnonzero(big.any(axis=1)) + 1).tolist())
    return frame


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _read_excel(path: Path, where: str, sheet: str | None
                ) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or non-Excel file: say so, do not crash
        raise DataValidationError(f"not a readable Excel workbook ({type(exc).__name__})",
                                  source=where) from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise DataValidationError(f"worksheet {sheet[:80]!r} not found; the workbook has "
                                      f"{', '.join(map(repr, names))}", source=where)
        ws = book[sheet if sheet is not None else names[0]]
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DataValidationError("the worksheet is empty; expected a header row and data "
                                  "rows", source=where)
    header = rows[0]
    while header and header[-1] == "":  # cells formatted beyond the table
        header = header[:-1]
    n = len(header)
    body = [r + [""] * (n - len(r)) if len(r) < n else r for r in rows[1:]]
    return header, body
