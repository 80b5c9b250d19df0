"""Shared readers of the rubric input files: CSV/DataFrame intake, required columns, numeric,
yes/no and timestamp columns, cut-off dates, and the extra-requirements file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._validation import DataValidationError
from ..thaidate import parse_thai_date, parse_thai_dates, thai_digits_to_ascii

__all__ = [
    "read_requirements",
]


# -- shared helpers for data files -----------------------------------------------------------

def read_csv_checked(path: Any, source: str | None = None, kind: str | None = None
                     ) -> pd.DataFrame:
    """Read a tabular input as text columns (:func:`kpianalysis.tables.read_table`): CSV in
    UTF-8, UTF-16 or cp874, or Excel (the sheet a :class:`~kpianalysis.tables.TableRef`
    names); checked against the schema of ``kind`` (:mod:`kpianalysis.input_schema`) when
    given. A bad file is the package's DataValidationError."""
    from ..input_schema import check_input
    from ..tables import read_table

    frame = read_table(path, source=source)
    where = source or str(path)
    return check_input(frame, kind, where) if kind is not None else frame


def _read_table(data: Any, what: str, kind: str | None = None
                ) -> tuple[pd.DataFrame, str | None]:
    """Accept a path, a :class:`~kpianalysis.tables.TableRef` or a DataFrame; return (frame,
    source name). A file is checked against the schema of ``kind`` when given."""
    from ..tables import TableRef

    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), None
    if isinstance(data, (str, Path, TableRef)):
        path = Path(data)
        source = str(data)
        if not path.is_file():
            raise FileNotFoundError(f"{what} file not found: {source}")
        return read_csv_checked(data, source, kind), source
    raise TypeError(f"{what} must be a CSV path or a DataFrame, got {type(data).__name__}")


def _require_columns(df: pd.DataFrame, columns: Sequence[str], source: str | None,
                     what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(str(c)[:40] for c in df.columns[:15])
        raise DataValidationError(
            f"{what} needs columns {', '.join(columns)}; missing {', '.join(missing)} "
            f"(found: {found}{', ...' if len(df.columns) > 15 else ''})", source=source)


def _numeric(df: pd.DataFrame, column: str, source: str | None, *, integer: bool = False,
             low: float | None = None, high: float | None = None,
             allow_missing: bool = False) -> pd.Series:
    """A number column as floats (:func:`kpianalysis.input_schema.parse_numbers`)."""
    from ..input_schema import parse_numbers

    return parse_numbers(df[column], source=source, column=column, integer=integer, low=low,
                         high=high, allow_missing=allow_missing)


def _boolean(df: pd.DataFrame, column: str, source: str | None) -> pd.Series:
    """A yes/no column as bool (:func:`kpianalysis.input_schema.parse_yesno`)."""
    from ..input_schema import parse_yesno

    return parse_yesno(df[column], source=source, column=column)


def _as_of(value: Any) -> pd.Timestamp:
    """A cut-off: a Thai date (``dd/mm/BBBB``, ``m/d/CCCC``), an ISO timestamp, or a date."""
    if isinstance(value, str):
        text = thai_digits_to_ascii(value).strip()
        if ":" in text:
            try:
                return pd.Timestamp(text)
            except ValueError as exc:
                raise ValueError(f"as_of is not a valid timestamp: {value!r}") from exc
        return parse_thai_date(text)
    return pd.Timestamp(value)


def _timestamps(df: pd.DataFrame, column: str, source: str | None, *,
                allow_missing: bool) -> pd.Series:
    """ISO timestamps, CE or BE (:func:`kpianalysis.input_schema.parse_timestamps`)."""
    from ..input_schema import parse_timestamps

    return parse_timestamps(df[column], source=source, column=column,
                            allow_missing=allow_missing)


def read_requirements(requirements: Any) -> list[tuple[str, bool]]:
    """Read a small file of extra requirements (``criterion``, ``status``[, ``date``]).

    Returns ``[(criterion, met), ...]`` for the ``top_level_requires`` argument of
    :func:`score_count_bands` and :func:`score_satisfaction` (e.g. the report to executives).
    """
    return [(c, m) for c, m, _ in read_dated_requirements(requirements)]


def read_dated_requirements(requirements: Any) -> list[tuple[str, bool, Any]]:
    """As :func:`read_requirements`, with each row's date (``NaT`` when blank or absent)."""
    df, source = _read_table(requirements, "requirements", "requirements")
    _require_columns(df, ["criterion", "status"], source, "requirements")
    met = _boolean(df, "status", source)
    dates = (parse_thai_dates(df["date"], source=source, column="date")
             if "date" in df.columns else pd.Series([pd.NaT] * len(df)))
    return [(str(c), bool(m), d) for c, m, d in zip(df["criterion"], met, dates, strict=True)]
