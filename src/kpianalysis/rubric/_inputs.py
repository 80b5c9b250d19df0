"""Shared readers of the rubric input files: CSV/DataFrame intake, required columns, numeric,
yes/no and timestamp columns, cut-off dates, and the extra-requirements file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DataValidationError, describe_values
from ..thaidate import BE_OFFSET, parse_thai_date, parse_thai_dates, thai_digits_to_ascii

__all__ = [
    "read_requirements",
]


# -- shared helpers for data files -----------------------------------------------------------

def read_csv_checked(path: Any, source: str) -> pd.DataFrame:
    """Read a tabular input as text columns (:func:`kpianalysis.tables.read_table`): CSV in
    UTF-8, UTF-16 or cp874, or Excel; a bad file is the package's DataValidationError."""
    from ..tables import read_table

    return read_table(path, source=source)


def _read_table(data: Any, what: str) -> tuple[pd.DataFrame, str | None]:
    """Accept a path (CSV) or a DataFrame; return (frame, source name)."""
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), None
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise FileNotFoundError(f"{what} file not found: {path}")
        return read_csv_checked(path, str(path)), str(path)
    raise TypeError(f"{what} must be a CSV path or a DataFrame, got {type(data).__name__}")


def _require_columns(df: pd.DataFrame, columns: Sequence[str], source: str | None,
                     what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"{what} needs columns {', '.join(columns)}; missing {', '.join(missing)} "
            f"(found: {', '.join(map(str, df.columns))})", source=source)


def _numeric(df: pd.DataFrame, column: str, source: str | None, *, integer: bool = False,
             low: float | None = None, high: float | None = None,
             allow_missing: bool = False) -> pd.Series:
    raw = df[column]
    text = raw.astype("string").str.strip()
    text = thai_digits_to_ascii(text)
    missing = text.isna() | (text == "")
    values = pd.to_numeric(text.mask(missing), errors="coerce").astype(float)
    bad = values.isna() & ~missing
    if not allow_missing:
        bad |= missing
    if integer:
        bad |= values.notna() & (values != np.round(values))
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= values > high
    if bad.any():
        rng = []
        if low is not None:
            rng.append(f">= {low}")
        if high is not None:
            rng.append(f"<= {high}")
        kind = "an integer" if integer else "a number"
        rule = f"{kind}{' ' + ' and '.join(rng) if rng else ''}"
        raise DataValidationError(
            f"must be {rule}; got {describe_values(raw[bad])}", source=source, column=column,
            rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    return values


_TRUE = {"1", "true", "yes", "y", "done", "met", "ผ่าน", "ใช่", "มี", "ดำเนินการแล้ว", "แล้วเสร็จ"}
_FALSE = {"0", "false", "no", "n", "not met", "pending", "missing", "ไม่ผ่าน", "ไม่ใช่", "ไม่มี",
          "อยู่ระหว่างดำเนินการ", "ยังไม่ดำเนินการ"}


def _boolean(df: pd.DataFrame, column: str, source: str | None) -> pd.Series:
    raw = df[column]
    if raw.dtype == bool:
        return raw
    text = raw.astype("string").str.strip().str.lower()
    is_true = text.isin(_TRUE)
    is_false = text.isin(_FALSE)
    bad = ~(is_true | is_false)
    if bad.any():
        raise DataValidationError(
            f"must be a yes/no value (true/false, 1/0, done/pending, ผ่าน/ไม่ผ่าน …); got "
            f"{describe_values(raw[bad])}", source=source, column=column,
            rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    return is_true.astype(bool)


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
    raw = df[column]
    text = thai_digits_to_ascii(raw.astype("string").str.strip())
    missing = text.isna() | (text == "")
    parsed = pd.to_datetime(text.mask(missing), errors="coerce", format="ISO8601")
    # ISO strings with a BE year: shift by 543 years
    years = text.str.extract(r"^(\d{4})-")[0].astype(float)
    be = years >= 2400
    if be.any():
        shifted = text[be].str.replace(r"^(\d{4})", lambda m: str(int(m.group(1)) - BE_OFFSET),
                                       regex=True)
        parsed[be] = pd.to_datetime(shifted, errors="coerce", format="ISO8601")
    bad = parsed.isna() & ~missing
    if not allow_missing:
        bad |= missing
    if bad.any():
        raise DataValidationError(
            f"not a valid ISO 8601 timestamp (YYYY-MM-DD HH:MM); got {describe_values(raw[bad])}",
            source=source, column=column, rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    return parsed


def read_requirements(requirements: Any) -> list[tuple[str, bool]]:
    """Read a small file of extra requirements (``criterion``, ``status``[, ``date``]).

    Returns ``[(criterion, met), ...]`` for the ``top_level_requires`` argument of
    :func:`score_count_bands` and :func:`score_satisfaction` (e.g. the report to executives).
    """
    return [(c, m) for c, m, _ in read_dated_requirements(requirements)]


def read_dated_requirements(requirements: Any) -> list[tuple[str, bool, Any]]:
    """As :func:`read_requirements`, with each row's date (``NaT`` when blank or absent)."""
    df, source = _read_table(requirements, "requirements")
    _require_columns(df, ["criterion", "status"], source, "requirements")
    met = _boolean(df, "status", source)
    dates = (parse_thai_dates(df["date"], source=source, column="date")
             if "date" in df.columns else pd.Series([pd.NaT] * len(df)))
    return [(str(c), bool(m), d) for c, m, d in zip(df["criterion"], met, dates, strict=True)]
