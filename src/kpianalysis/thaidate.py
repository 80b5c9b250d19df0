"""Thai dates: Thai digits, Buddhist-Era years and the Thai government fiscal year.

The seeds write report dates in two forms inside the same table (seed 002, 003):
``dd/mm/BBBB`` with a Buddhist-Era year (``28/10/2563``) and ``m/d/CCCC`` with a Common-Era
year (``1/31/2021``), sometimes with Thai digits (``๓๑/๑๒/๒๕๖๓``).

Rule used here: **the year decides the form.** A year ``>= 2400`` is Buddhist Era and the date
is read day first (``dd/mm/BBBB``); a year ``< 2400`` is Common Era and the date is read month
first (``m/d/CCCC``), as the seeds' spreadsheet exports write it. Plausible years are
CE 1900–2199 and BE 2443–2742 (the same span); anything else, an impossible day/month, or a
two-digit year is an error naming the value. ISO dates ``YYYY-MM-DD`` are also accepted (year
``>= 2400`` read as BE), and ``d <Thai month name> BBBB`` (``19 พฤศจิกายน 2565``). Any of
these may be followed by a time of day ``HH:MM[:SS]`` (as Google Forms' "Timestamp" column and
spreadsheet exports write it: ``1/26/2024 10:15:30``, ``26/1/2567, 10:15:30``), which is kept.

Fiscal year: 1 October – 30 September, named by the BE year in which it ends
(FY2568 = 1 Oct 2024 – 30 Sep 2025); Q1 = Oct–Dec, Q2 = Jan–Mar, Q3 = Apr–Jun, Q4 = Jul–Sep.
Computed with ``pd.Period(date, freq="Q-SEP")``: ``.qyear + 543`` is the BE fiscal year and
``.quarter`` the fiscal quarter.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd

from ._validation import DataValidationError, describe_values

logger = logging.getLogger(__name__)

__all__ = [
    "BE_OFFSET",
    "be_to_ce",
    "ce_to_be",
    "fiscal_quarter",
    "fiscal_year_be",
    "fiscal_year_bounds",
    "parse_thai_date",
    "parse_thai_dates",
    "thai_digits_to_ascii",
]

#: BE = CE + 543.
BE_OFFSET = 543
_BE_MIN, _BE_MAX = 2443, 2742  # = CE 1900 .. 2199
_CE_MIN, _CE_MAX = 1900, 2199

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

_THAI_MONTHS = {
    "มกราคม": 1, "กุมภาพันธ์": 2, "มีนาคม": 3, "เมษายน": 4, "พฤษภาคม": 5, "มิถุนายน": 6,
    "กรกฎาคม": 7, "สิงหาคม": 8, "กันยายน": 9, "ตุลาคม": 10, "พฤศจิกายน": 11, "ธันวาคม": 12,
    "ม.ค.": 1, "ก.พ.": 2, "มี.ค.": 3, "เม.ย.": 4, "พ.ค.": 5, "มิ.ย.": 6,
    "ก.ค.": 7, "ส.ค.": 8, "ก.ย.": 9, "ต.ค.": 10, "พ.ย.": 11, "ธ.ค.": 12,
}

_SLASH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_THAI_TEXT = re.compile(r"^\s*(\d{1,2})\s+(\S+)\s+(?:พ\.ศ\.\s*)?(\d{4})\s*$")
#: A time of day after a date: `` 10:15``, ``, 10:15:30``, ``T10:15:30.5``, `` 10:15 น.``.
_TIME = r"(?:[\sT,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*น\.)?)?\s*$"
_SPLIT_TIME = re.compile(r"^(.*?)" + _TIME)
_NUMERIC_DATE = (r"^(?:(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})|(\d{4})-(\d{1,2})-(\d{1,2}))"
                 + _TIME)


def _time_of_day(h: Any, m: Any, s: Any) -> pd.Timedelta | None:
    """A time of day as a Timedelta, None when absent; ValueError when impossible."""
    if h is None:
        return pd.Timedelta(0)
    h, m, s = int(h), int(m), int(s or 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return pd.Timedelta(hours=h, minutes=m, seconds=s)


def thai_digits_to_ascii(text: Any) -> Any:
    """Replace Thai digits (๐–๙) with ASCII digits; non-strings are returned unchanged.

    Works on a ``str`` or element-wise on a pandas ``Series`` / ``Index`` of strings.

    >>> thai_digits_to_ascii("๒๘/๑๐/๒๕๖๓")
    '28/10/2563'
    """
    if isinstance(text, (pd.Series, pd.Index)):
        if not len(text) or not text.str.contains("[๐-๙]", regex=True, na=False).any():
            return text  # the usual case, found by one vectorised search
        return text.str.translate(_THAI_DIGITS)
    if isinstance(text, str):
        return text.translate(_THAI_DIGITS)
    return text


def be_to_ce(year: Any) -> Any:
    """Buddhist-Era year → Common-Era year (``year - 543``); scalars or arrays."""
    return np.asarray(year) - BE_OFFSET if np.ndim(year) else int(year) - BE_OFFSET


def ce_to_be(year: Any) -> Any:
    """Common-Era year → Buddhist-Era year (``year + 543``); scalars or arrays."""
    return np.asarray(year) + BE_OFFSET if np.ndim(year) else int(year) + BE_OFFSET


def _year_to_ce(year: int, value: Any) -> tuple[int, bool]:
    """Return (CE year, is_be) or raise for an implausible year."""
    if year >= 2400:
        if not _BE_MIN <= year <= _BE_MAX:
            raise ValueError(f"not a valid date: {value!r} (Buddhist-Era year {year} outside "
                             f"{_BE_MIN}–{_BE_MAX})")
        return year - BE_OFFSET, True
    if not _CE_MIN <= year <= _CE_MAX:
        raise ValueError(f"not a valid date: {value!r} (year {year} is neither a Common-Era "
                         f"year {_CE_MIN}–{_CE_MAX} nor a Buddhist-Era year "
                         f"{_BE_MIN}–{_BE_MAX})")
    return year, False


def parse_thai_date(value: Any) -> pd.Timestamp:
    """Parse one date written ``dd/mm/BBBB`` (BE), ``m/d/CCCC`` (CE), ISO, or Thai month text.

    Parameters
    ----------
    value : str or date-like
        Thai digits are accepted. ``datetime``/``Timestamp`` values are returned as Timestamps.

    Returns
    -------
    pandas.Timestamp
        The Common-Era date.

    Raises
    ------
    ValueError
        For an unrecognised form, an implausible year, or an impossible day/month; the message
        quotes the value.

    Examples
    --------
    >>> parse_thai_date("31/03/2564")
    Timestamp('2021-03-31 00:00:00')
    >>> parse_thai_date("6/30/2021")
    Timestamp('2021-06-30 00:00:00')
    >>> parse_thai_date("๑๙ พฤศจิกายน ๒๕๖๕")
    Timestamp('2022-11-19 00:00:00')
    """
    if isinstance(value, pd.Timestamp):
        return value
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return pd.Timestamp(value)
    if not isinstance(value, str):
        raise TypeError(f"date must be a string or date, got {value!r}")
    text = thai_digits_to_ascii(value)
    split = _SPLIT_TIME.match(text)
    clock = _time_of_day(*split.groups()[1:]) if split else pd.Timedelta(0)
    if clock is None:
        raise ValueError(f"not a valid date: {value!r} (impossible time of day)")
    if split and split.group(2) is not None:
        text = split.group(1)
    if m := _SLASH.match(text):
        a, b, y = (int(g) for g in m.groups())
        ce, is_be = _year_to_ce(y, value)
        day, month = (a, b) if is_be else (b, a)
    elif m := _ISO.match(text):
        y, month, day = (int(g) for g in m.groups())
        ce, _ = _year_to_ce(y, value)
    elif m := _THAI_TEXT.match(text):
        d, name, y = m.groups()
        if name not in _THAI_MONTHS:
            raise ValueError(f"not a valid date: {value!r} (unknown Thai month {name!r})")
        day, month = int(d), _THAI_MONTHS[name]
        ce, _ = _year_to_ce(int(y), value)
    else:
        raise ValueError(f"not a valid date: {value!r}; expected dd/mm/BBBB (Buddhist Era), "
                         "m/d/CCCC (Common Era), YYYY-MM-DD or 'd <Thai month> BBBB'")
    try:
        return pd.Timestamp(year=ce, month=month, day=day) + clock
    except ValueError as exc:
        form = "dd/mm/BBBB" if text.count("/") == 2 and int(text.rsplit("/", 1)[1]) >= 2400 \
            else "m/d/CCCC" if "/" in text else "date"
        raise ValueError(f"not a valid date: {value!r} (read as {form}: day {day}, month "
                         f"{month}, CE year {ce})") from exc


def parse_thai_dates(values: Any, *, source: str | None = None,
                     column: str | None = None) -> pd.Series:
    """Parse a Series (or list) of Thai dates, mixing forms freely; see :func:`parse_thai_date`.

    Missing values (NaN / None / empty strings) become ``NaT``. The regular-expression split is
    vectorised; every bad entry is reported at once.

    Raises
    ------
    DataValidationError
        Listing the 1-based rows that are not valid dates and the first offending values.
    """
    s = pd.Series(values, copy=False)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if isinstance(s.dtype, pd.StringDtype):
        is_dt = pd.Series(False, index=s.index)
    else:
        is_dt = s.map(lambda v: isinstance(v, pd.Timestamp) or hasattr(v, "year"))
    if is_dt.any():
        out[is_dt] = pd.to_datetime(s[is_dt])
    text = s[~is_dt]
    missing = text.isna() | (text.astype("string").str.strip() == "")
    text = text[~missing].astype("string")
    if len(text):
        text = thai_digits_to_ascii(text).str.strip()
        # fast path: plain ISO dates with a CE year (the survey files), parsed in C
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        iso_ok = iso.notna() & iso.dt.year.between(_CE_MIN, _CE_MAX)
        if iso_ok.any():
            out.loc[text.index[iso_ok.to_numpy()]] = iso[iso_ok].to_numpy()
            text_all, text = text, text[~iso_ok.to_numpy()]
        else:
            text_all = text
        # groups: slash d/m/y (0-2), ISO y-m-d (3-5), time h:m:s (6-8)
        num = text.str.extract(_NUMERIC_DATE).astype(float).to_numpy()
        slash = ~np.isnan(num[:, 0])
        numeric = slash | ~np.isnan(num[:, 3])
        ok = np.zeros(len(text), dtype=bool)
        if numeric.any():
            n = np.nan_to_num(num[numeric]).astype(np.int64)
            sl = slash[numeric]
            y = np.where(sl, n[:, 2], n[:, 3])
            is_be = y >= 2400
            year_ok = np.where(is_be, (y >= _BE_MIN) & (y <= _BE_MAX),
                               (y >= _CE_MIN) & (y <= _CE_MAX))
            day_first = is_be | ~sl  # dd/mm/BBBB; ISO is y-m-d
            day = np.where(sl, np.where(day_first, n[:, 0], n[:, 1]), n[:, 5])
            month = np.where(sl, np.where(day_first, n[:, 1], n[:, 0]), n[:, 4])
            ce = np.where(is_be, y - BE_OFFSET, y)
            h, mi, sec = n[:, 6], n[:, 7], n[:, 8]
            valid = (year_ok & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
                     & (h <= 23) & (mi <= 59) & (sec <= 59))
            ce = np.where(valid, ce, 2000)
            month = np.where(valid, month, 1)
            day = np.where(valid, day, 1)
            first = ((ce - 1970) * 12 + month - 1).astype("datetime64[M]")
            stamp = first.astype("datetime64[D]") + (day - 1)
            valid &= stamp.astype("datetime64[M]") == first  # 31/02 rolls into March
            stamp = stamp.astype("datetime64[ns]") + (h * 3600 + mi * 60 + sec).astype(
                "timedelta64[s]")
            stamp[~valid] = np.datetime64("NaT")
            idx = text.index[numeric]
            out.loc[idx] = stamp
            ok[numeric] = valid
        for pos in np.flatnonzero(~numeric):  # rare forms: Thai month names
            try:
                out.loc[text.index[pos]] = parse_thai_date(str(text.iloc[pos]))
                ok[pos] = True
            except ValueError:
                ok[pos] = False
        ok = pd.Series(ok, index=text.index).reindex(text_all.index, fill_value=True)
        text = text_all
        if not ok.all():
            bad_mask = s.index.isin(text.index[~ok.to_numpy()])
            pos = np.flatnonzero(bad_mask)
            rows = [int(p) + 1 for p in pos]
            shown = describe_values(s.iloc[pos[:50]].tolist())
            raise DataValidationError(
                f"not a valid date (expected dd/mm/BBBB with a Buddhist-Era year, m/d/CCCC "
                f"with a Common-Era year, or YYYY-MM-DD): {shown}",
                source=source, column=column, rows=rows)
    return out


def fiscal_year_be(dates: Any) -> Any:
    """Thai fiscal year (BE) of each date: the BE year in which the 1 Oct – 30 Sep year ends.

    >>> fiscal_year_be(pd.Timestamp("2024-10-01"))
    2568
    """
    if isinstance(dates, (pd.Series, pd.Index, np.ndarray, list)):
        s = pd.Series(pd.to_datetime(pd.Series(dates)))
        return s.dt.to_period("Q-SEP").dt.qyear + BE_OFFSET
    return int(pd.Period(pd.Timestamp(dates), freq="Q-SEP").qyear) + BE_OFFSET


def fiscal_quarter(dates: Any) -> Any:
    """Thai fiscal quarter (1 = Oct–Dec … 4 = Jul–Sep) of each date.

    >>> fiscal_quarter(pd.Timestamp("2021-06-30"))
    3
    """
    if isinstance(dates, (pd.Series, pd.Index, np.ndarray, list)):
        s = pd.Series(pd.to_datetime(pd.Series(dates)))
        return s.dt.to_period("Q-SEP").dt.quarter
    return int(pd.Period(pd.Timestamp(dates), freq="Q-SEP").quarter)


def fiscal_year_bounds(fy_be: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a BE fiscal year (FY2568 → 2024-10-01, 2025-09-30)."""
    if isinstance(fy_be, bool) or not isinstance(fy_be, (int, np.integer)):
        raise TypeError(f"fy_be must be an integer Buddhist-Era year, got {fy_be!r}")
    if not _BE_MIN <= fy_be <= _BE_MAX:
        raise ValueError(f"fy_be must be a Buddhist-Era year in {_BE_MIN}–{_BE_MAX}, "
                         f"got {fy_be!r}")
    end_ce = int(fy_be) - BE_OFFSET
    return pd.Timestamp(year=end_ce - 1, month=10, day=1), pd.Timestamp(year=end_ce, month=9,
                                                                          day=30)
