"""The fiscal year as the seed-004 year-bound kinds use it: its dates, months and hours.

Seed 004 sets its targets for what is expected "to happen in the year 2567" (ค่าเป้าหมาย
หมายถึง เป้าหมายหรือผลการดำเนินงานที่หน่วยงานคาดหมายให้เกิดขึ้นในปี พ.ศ. 2567, 004:92). A dated
row of an input file therefore belongs to the fiscal year the KPI is evaluated for
(1 October – 30 September, :func:`kpianalysis.thaidate.fiscal_year_bounds`); a date outside it
is a :class:`~kpianalysis.DataValidationError` naming the file, the rows and the column.

Hours of a fiscal year: ``24 × days`` from 1 October to 30 September inclusive (FY2567 =
1 Oct 2023 – 30 Sep 2024, which holds 29 February 2024: 366 days, 8,784 hours).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DataValidationError, describe_values
from ..thaidate import BE_OFFSET, fiscal_year_bounds, parse_thai_dates

__all__ = [
    "FISCAL_MONTHS_TH",
    "dates_in_fiscal_year",
    "fiscal_months",
    "hours_in_fiscal_year",
    "month_label_th",
]

#: Thai month abbreviations in fiscal order (October first).
FISCAL_MONTHS_TH = ("ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                    "ก.ค.", "ส.ค.", "ก.ย.")
_CALENDAR_MONTHS_TH = FISCAL_MONTHS_TH[3:] + FISCAL_MONTHS_TH[:3]


def _check_fy(fiscal_year: int) -> int:
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, (int, np.integer)):
        raise TypeError(f"fiscal_year must be a Buddhist-Era year (e.g. 2567), got "
                        f"{fiscal_year!r}")
    fiscal_year_bounds(int(fiscal_year))  # range check
    return int(fiscal_year)


def fiscal_months(fiscal_year: int) -> pd.PeriodIndex:
    """The 12 calendar months of a BE fiscal year, October first (FY2567: 2023-10 … 2024-09)."""
    start, _ = fiscal_year_bounds(_check_fy(fiscal_year))
    return pd.period_range(start=start, periods=12, freq="M")


def month_label_th(month: pd.Period) -> str:
    """``Period('2023-12', 'M')`` → ``ธ.ค. 2566`` (Thai abbreviation, Buddhist-Era year)."""
    return f"{_CALENDAR_MONTHS_TH[month.month - 1]} {month.year + BE_OFFSET}"


def hours_in_fiscal_year(fiscal_year: int) -> int:
    """``24 × days`` of a BE fiscal year (FY2567, a leap year: 366 × 24 = 8,784)."""
    start, end = fiscal_year_bounds(_check_fy(fiscal_year))
    return 24 * ((end - start).days + 1)


def dates_in_fiscal_year(frame: pd.DataFrame, column: str, source: str | None,
                         fiscal_year: int, *, allow_missing: bool) -> pd.Series:
    """Parse a Thai date column and refuse a date outside the fiscal year.

    Parameters
    ----------
    frame : DataFrame
        The file as read (text columns).
    column : str
        The date column (``dd/mm/BBBB`` or ``m/d/CCCC``, Thai digits allowed, ISO accepted).
    source : str or None
        The file name for the error message.
    fiscal_year : int
        BE fiscal year the file is evaluated for.
    allow_missing : bool
        Whether an empty cell is allowed (it becomes ``NaT``).

    Returns
    -------
    Series of datetime64
        The Common-Era dates (``NaT`` where empty).

    Raises
    ------
    DataValidationError
        A value that is not a date, an empty cell where one is required, or a date outside
        1 October – 30 September of the fiscal year; rows are counted from 1 after the header.
    """
    fy = _check_fy(fiscal_year)
    dates = parse_thai_dates(frame[column], source=source, column=column)
    if not allow_missing and dates.isna().any():
        rows = (np.flatnonzero(dates.isna().to_numpy()) + 1).tolist()
        raise DataValidationError("a date is required (dd/mm/BBBB or m/d/CCCC)", source=source,
                                  column=column, rows=rows)
    start, end = fiscal_year_bounds(fy)
    outside = (dates.notna() & ((dates < start) | (dates > end))).to_numpy()
    if outside.any():
        raise DataValidationError(
            f"date outside fiscal year {fy} ({start.day}/{start.month}/{start.year + BE_OFFSET}"
            f" – {end.day}/{end.month}/{end.year + BE_OFFSET}); got "
            f"{describe_values(frame[column][outside])}: is the file of another year?",
            source=source, column=column, rows=(np.flatnonzero(outside) + 1).tolist())
    return dates
