"""One schema per input kind, declared once, and the cell types every reader shares.

Every tabular input is read by :func:`kpianalysis.tables.read_table` (encodings, Excel, header
normalisation, row shape) and then checked against its kind's :class:`InputSchema` here: the
columns it must have, and for each declared column its cell type. There is one dialect:

- **numbers**: ASCII or Thai digits (``๐``–``๙``), optional sign and decimals, surrounding
  spaces ignored; no thousands separators unless the column says so; a value that does not fit
  a float (``1e400``), an integer beyond 2**53, ``nan`` / ``inf`` and anything outside the
  column's range are refused;
- **yes/no**: :data:`YES` / :data:`NO` (English, Thai, 1/0), case-insensitive;
- **dates**: as :mod:`kpianalysis.thaidate` reads them (``dd/mm/BBBB``, ``m/d/CCCC``, ISO,
  ``d <Thai month> BBBB``, Thai digits, an optional time); a year outside CE 1900–2199 /
  BE 2443–2742 is refused, never converted;
- **timestamps**: ISO ``YYYY-MM-DD HH:MM`` with a CE or BE year (same plausible years).

:func:`check_input` raises the package's :class:`~kpianalysis.DataValidationError` naming the
file, the column, the rows and what was expected; it returns the frame with every declared
column stripped of surrounding spaces and, in number and date columns, Thai digits as ASCII.
A reader then converts the columns it uses (with the same parsers, :func:`parse_numbers` …)
and checks what involves several rows or columns (unique ids, totals).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import DataValidationError, describe_values
from .thaidate import BE_OFFSET, parse_thai_dates, thai_digits_to_ascii

__all__ = [
    "NO",
    "SCHEMAS",
    "YES",
    "Column",
    "InputSchema",
    "check_input",
    "parse_numbers",
    "parse_timestamps",
    "parse_yesno",
]

#: Yes/no cells (compared after stripping and lower-casing).
YES = frozenset({"1", "true", "yes", "y", "done", "met", "ผ่าน", "ใช่", "มี", "ดำเนินการแล้ว",
                 "แล้วเสร็จ"})
NO = frozenset({"0", "false", "no", "n", "not met", "pending", "missing", "ไม่ผ่าน", "ไม่ใช่",
                "ไม่มี", "อยู่ระหว่างดำเนินการ", "ยังไม่ดำเนินการ"})

#: Largest integer a column of whole numbers accepts (exact in a float).
MAX_EXACT_INTEGER = 2**53
_CE_MIN, _CE_MAX = 1900, 2199
_BE_MIN, _BE_MAX = _CE_MIN + BE_OFFSET, _CE_MAX + BE_OFFSET

_TYPES = ("text", "integer", "number", "yesno", "date", "timestamp")


def _rows(mask: Any) -> list[int]:
    return (np.flatnonzero(np.asarray(mask, dtype=bool)) + 1).tolist()


def parse_numbers(values: pd.Series, *, source: str | None, column: str,
                  integer: bool = False, low: float | None = None, high: float | None = None,
                  allow_missing: bool = False, thousands: bool = False) -> pd.Series:
    """A column of numbers as floats (NaN for a blank cell when ``allow_missing``).

    Raises
    ------
    DataValidationError
        A cell that is not a number, is blank (unless allowed), overflows (``1e400``, an
        integer beyond 2**53), is not whole (``integer``), or is outside ``[low, high]``.
    """
    text = thai_digits_to_ascii(values.astype("string").str.strip())
    missing = text.isna() | (text == "")
    if thousands:
        grouped = text.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?").fillna(False)
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
    number = pd.to_numeric(text.mask(missing), errors="coerce").astype(float)
    bad = (number.isna() & ~missing) | np.isinf(number)
    if not allow_missing:
        bad |= missing
    if integer:
        bad |= number.notna() & ((number != np.round(number))
                                 | (number.abs() > MAX_EXACT_INTEGER))
    if low is not None:
        bad |= number < low
    if high is not None:
        bad |= number > high
    if bad.any():
        rng = [f">= {low}" if low is not None else "", f"<= {high}" if high is not None
               else ""]
        rule = (f"{'an integer' if integer else 'a number'}"
                f"{' ' + ' and '.join(r for r in rng if r) if any(rng) else ''}")
        blank = "" if allow_missing else " on every row"
        raise DataValidationError(f"must be {rule}{blank} (finite); got "
                                  f"{describe_values(values[bad])}",
                                  source=source, column=column, rows=_rows(bad))
    return number


def parse_yesno(values: pd.Series, *, source: str | None, column: str,
                allow_missing: bool = False) -> pd.Series:
    """A yes/no column as bool (a blank cell is False when ``allow_missing``)."""
    if values.dtype == bool:
        return values
    text = values.astype("string").str.strip().str.lower().fillna("")
    yes = text.isin(YES)
    bad = ~(yes | text.isin(NO))
    if allow_missing:
        bad &= text != ""
    if bad.any():
        raise DataValidationError(
            f"must be a yes/no value (true/false, 1/0, done/pending, ผ่าน/ไม่ผ่าน …); got "
            f"{describe_values(values[bad])}", source=source, column=column, rows=_rows(bad))
    return yes.astype(bool)


def parse_timestamps(values: pd.Series, *, source: str | None, column: str,
                     allow_missing: bool = False) -> pd.Series:
    """ISO 8601 timestamps (``YYYY-MM-DD HH:MM[:SS]``) with a CE or BE year, Thai digits ok."""
    text = thai_digits_to_ascii(values.astype("string").str.strip())
    missing = text.isna() | (text == "")
    years = pd.to_numeric(text.str.extract(r"^(\d{4})-")[0], errors="coerce")
    be = years >= 2400
    year_ok = years.between(_CE_MIN, _CE_MAX) | years.between(_BE_MIN, _BE_MAX)
    shifted = text.where(~be, text.str.replace(
        r"^(\d{4})", lambda m: str(int(m.group(1)) - BE_OFFSET), regex=True))
    parsed = pd.to_datetime(shifted.mask(missing | ~year_ok), errors="coerce",
                            format="ISO8601")
    bad = parsed.isna() & ~missing
    if not allow_missing:
        bad |= missing
    if bad.any():
        raise DataValidationError(
            f"not a valid ISO 8601 timestamp (YYYY-MM-DD HH:MM, year CE {_CE_MIN}–{_CE_MAX} or "
            f"BE {_BE_MIN}–{_BE_MAX}); got {describe_values(values[bad])}",
            source=source, column=column, rows=_rows(bad))
    return parsed


@dataclasses.dataclass(frozen=True)
class Column:
    """One declared column of an input kind.

    Attributes
    ----------
    name : str
        The column name as :func:`kpianalysis.tables.normalise_header` gives it.
    type : str
        ``text``, ``integer``, ``number``, ``yesno``, ``date`` or ``timestamp``.
    required : bool
        Whether the file must have the column.
    blank : bool
        Whether a cell may be blank.
    low, high : float, optional
        Range of a number column (inclusive).
    thousands : bool
        Whether a number may be written with thousands separators (``200,000``).
    """

    name: str
    type: str = "text"
    required: bool = True
    blank: bool = False
    low: float | None = None
    high: float | None = None
    thousands: bool = False

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"column {self.name!r}: type must be one of {', '.join(_TYPES)}")


@dataclasses.dataclass(frozen=True)
class InputSchema:
    """The columns of one input kind.

    Attributes
    ----------
    kind : str
        The input kind (a key of :data:`SCHEMAS`).
    description : str
        What the file holds (used in messages).
    columns : tuple of Column
        The declared columns; other columns are allowed and left as they are.
    """

    kind: str
    description: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The declared column ``name``."""
        return next(c for c in self.columns if c.name == name)

    def check(self, frame: pd.DataFrame, source: str | None,
              extra: Sequence[Column] = ()) -> pd.DataFrame:
        """Check ``frame`` (text cells) against the schema; see :func:`check_input`."""
        columns = [*self.columns, *extra]
        missing = [c.name for c in columns if c.required and c.name not in frame.columns]
        if missing:
            found = ", ".join(str(c)[:40] for c in frame.columns[:15])
            more = ", ..." if len(frame.columns) > 15 else ""
            raise DataValidationError(
                f"{self.description} needs columns "
                f"{', '.join(c.name for c in columns if c.required)}; missing column(s) "
                f"{', '.join(map(repr, missing))} (found: {found}{more})", source=source)
        out = frame.copy()
        for col in columns:
            if col.name not in out.columns:
                continue
            text = out[col.name].astype("string").str.strip().fillna("")
            if col.type in ("integer", "number"):
                parse_numbers(text, source=source, column=col.name,
                              integer=col.type == "integer", low=col.low, high=col.high,
                              allow_missing=col.blank, thousands=col.thousands)
                text = thai_digits_to_ascii(text)
            elif col.type == "yesno":
                parse_yesno(text, source=source, column=col.name, allow_missing=col.blank)
            elif col.type == "date":
                dates = parse_thai_dates(text, source=source, column=col.name)
                if not col.blank and dates.isna().any():
                    _blank(dates.isna(), source, col.name)
                text = thai_digits_to_ascii(text)
            elif col.type == "timestamp":
                parse_timestamps(text, source=source, column=col.name,
                                 allow_missing=col.blank)
                text = thai_digits_to_ascii(text)
            elif not col.blank and (text == "").any():
                _blank(text == "", source, col.name)
            out[col.name] = text.astype(str)
        return out


def _blank(mask: pd.Series, source: str | None, column: str) -> None:
    raise DataValidationError("is empty; expected a value on every row", source=source,
                              column=column, rows=_rows(mask))


def _s(kind: str, description: str, *columns: Column) -> InputSchema:
    return InputSchema(kind, description, tuple(columns))


_T, _I, _N, _YN, _D, _TS = "text", "integer", "number", "yesno", "date", "timestamp"

#: The input kinds of the package and their columns (the one declaration every reader uses).
SCHEMAS: dict[str, InputSchema] = {s.kind: s for s in (
    _s("satisfaction_survey", "a satisfaction-survey file",
       Column("respondent_id"), Column("round", _I, low=1, high=2),
       Column("response_date", _D),
       Column("weight", _N, required=False, low=0), Column("stratum", required=False,
                                                            blank=True),
       Column("psu", required=False, blank=True)),
    # the awareness survey's columns are declared with its sample generator
    # (kpianalysis.awareness._schema); its margins here
    _s("population_margins", "a population-margins file",
       Column("variable"), Column("category"), Column("label_th", required=False, blank=True),
       Column("population", _N, low=0, high=1e10), Column("status"),
       Column("source", required=False, blank=True)),
    _s("evidence", "a milestone evidence file",
       Column("level", _I, low=1, high=100), Column("criterion"), Column("status", _YN),
       Column("date", _D, required=False, blank=True)),
    _s("requirements", "a requirements file",
       Column("criterion"), Column("status", _YN), Column("date", _D, required=False,
                                                           blank=True)),
    _s("progress", "a quarterly progress file",
       Column("fiscal_year", _I, required=False, low=_BE_MIN, high=_BE_MAX),
       Column("quarter", _I, low=1, high=4), Column("report_date", _D, required=False,
                                                    blank=True),
       Column("plan_percent", _N, low=0, high=100),
       Column("actual_percent", _N, blank=True, low=0, high=100),
       Column("assessed", _YN, required=False)),
    _s("sources", "an evidence-sources file",
       Column("source_no", _I, low=1, high=10_000), Column("source"),
       Column("measure", _N, blank=True, thousands=True), Column("unit", blank=True),
       Column("status", _YN), Column("date", _D, blank=True)),
    _s("tickets", "an IT-support ticket log",
       Column("ticket_id"), Column("opened", _TS), Column("resolved", _TS, blank=True),
       Column("sla_hours", _N, low=0, high=100_000)),
    _s("issues", "a livable-city issues file",
       Column("issue_no", _I, low=1, high=10_000),
       Column("n_indicators", _I, low=0, high=1_000_000), Column("has_data", _YN),
       Column("published_open_data", _YN, required=False)),
    _s("steps", "a steps file", Column("step"), Column("status", _YN),
       Column("planned_date", _D, required=False, blank=True),
       Column("done_date", _D, required=False, blank=True)),
    _s("scores", "a training-scores file", Column("score", _N, low=0, high=100)),
    _s("committees", "a committees file", Column("committee_id"),
       Column("citizen_members", _I, low=0, high=1_000_000),
       Column("total_members", _I, low=1, high=1_000_000)),
    _s("items", "an items file"),
    _s("checklist", "a checklist file", Column("form", _I, low=1, high=1000),
       Column("item"), Column("status", _YN), Column("date", _D, required=False, blank=True),
       Column("weight", _N, required=False, low=0, high=1e9)),
    _s("notes", "a status-notes file", Column("date", _D), Column("note", blank=True)),
    _s("agencies", "an agency list", Column("agency")),
    _s("issue_log", "an issue log", Column("issue_id"),
       Column("sent_at", blank=True),  # its reader requires it, with the time
       Column("agency"), Column("answered_at", blank=True),
       Column("news_items", _I, low=0, high=1_000_000),
       Column("urgent", _YN, required=False)),
    _s("reports", "a monthly-reports file"),
    _s("ratings", "a ratings file"),
    _s("sites", "a sites file", Column("site_id"), Column("site")),
    _s("outages", "an outages file", Column("site_id"), Column("date", _D),
       Column("outage_hours", _N, low=0, high=24 * 366)),
    _s("district_targets", "a plan-and-actual file",
       Column("district_code", _I, low=1001, high=1050), Column("item"),
       Column("plan", _N, low=0, high=1e12, thousands=True),
       Column("actual", _N, low=0, high=1e12, thousands=True)),
)}


def check_input(frame: pd.DataFrame, kind: str, source: str | None,
                extra: Sequence[Column] = ()) -> pd.DataFrame:
    """Check a frame of text cells against the schema of ``kind``.

    Parameters
    ----------
    frame : DataFrame
        As :func:`kpianalysis.tables.read_table` returns it.
    kind : str
        A key of :data:`SCHEMAS`.
    source : str or None
        The file, for messages.
    extra : sequence of Column
        Columns a reader adds for this file (e.g. the item columns the catalog names).

    Returns
    -------
    DataFrame
        ``frame`` with the declared columns stripped, Thai digits in number, date and
        timestamp columns as ASCII.

    Raises
    ------
    DataValidationError
        A required column is missing or a declared cell is invalid (file, column, rows and
        expectation named).
    """
    return SCHEMAS[kind].check(frame, source, extra)
