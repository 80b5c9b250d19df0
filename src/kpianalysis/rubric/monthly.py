"""Monthly-frequency KPIs (seed 004 §D2): a report at least once a month of the fiscal year.

KPI 7.2.2.1 (the monitoring report with improvement proposals) and KPI 7.2.2.2 (times the
performance data was entered and reported) both print the target "เดือนละ 1 ครั้ง" (once a
month, 004:193 and 004:194). Over a fiscal year (October – September) that is 12 months, each
with at least ``per_month`` reports dated inside it. Rules:

* value = months of the fiscal year with at least ``per_month`` reports (0–12);
* the target is met when every one of the 12 months is covered; a second report in one month
  does not make up for a month without one;
* every report needs a date inside the fiscal year (``dd/mm/BBBB`` or ``m/d/CCCC``, Thai
  digits allowed); a date outside it, a missing date or the same report listed twice (same
  title and date) refuses the file;
* the months without a report are named in Thai (``ธ.ค. 2566``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError
from ._fiscal import dates_in_fiscal_year, fiscal_months, month_label_th
from ._inputs import _read_table, _require_columns

__all__ = [
    "MonthlyScore",
    "read_monthly_reports",
    "score_monthly_reports",
]


@dataclasses.dataclass(frozen=True)
class MonthlyScore(Result):
    """Result of a monthly-frequency KPI.

    Attributes
    ----------
    fiscal_year : int
        BE fiscal year.
    per_month : int
        Reports a month needs to count as covered.
    months_covered : int
        Months of the fiscal year with at least ``per_month`` reports.
    months_total : int
        12.
    n_reports : int
        Reports in the file.
    target_met : bool
        ``months_covered == months_total``.
    missing_months : tuple of str
        Thai labels of the months not covered, in fiscal order (``ธ.ค. 2566``).
    months : DataFrame
        One row per fiscal month: ``month`` (Thai label), ``period`` (``YYYY-MM``, CE),
        ``n_reports``, ``covered``.
    """

    _headline_fields = ("months_covered", "months_total", "n_reports", "target_met")

    fiscal_year: int
    per_month: int
    months_covered: int
    months_total: int
    n_reports: int
    target_met: bool
    missing_months: tuple[str, ...]
    months: pd.DataFrame


def read_monthly_reports(data: Any, fiscal_year: int, *, title_column: str = "report",
                         date_column: str = "date") -> pd.DataFrame:
    """Read and validate a file of dated reports.

    Parameters
    ----------
    data : path or DataFrame
        One row per report: its title and its date.
    fiscal_year : int
        BE fiscal year the file is evaluated for.
    title_column, date_column : str
        Column names (default ``report`` and ``date``).

    Returns
    -------
    DataFrame
        ``report`` (str) and ``date`` (datetime64), in file order.

    Raises
    ------
    DataValidationError
        Naming file, column and rows: a missing column, an empty title, a missing or invalid
        date, a date outside the fiscal year, a report listed twice.
    """
    df, source = _read_table(data, "reports")
    _require_columns(df, [title_column, date_column], source, "reports")
    titles = df[title_column].astype("string").str.strip().fillna("")
    blank = (titles == "").to_numpy()
    if blank.any():
        raise DataValidationError("report title is empty", source=source, column=title_column,
                                  rows=(np.flatnonzero(blank) + 1).tolist())
    dates = dates_in_fiscal_year(df, date_column, source, fiscal_year, allow_missing=False)
    frame = pd.DataFrame({"report": titles.astype(str).to_numpy(), "date": dates.to_numpy()})
    dup = frame.duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataValidationError("the same report (title and date) is listed more than once",
                                  source=source, column=title_column,
                                  rows=(np.flatnonzero(dup) + 1).tolist())
    return frame


def score_monthly_reports(reports: pd.DataFrame, fiscal_year: int, *,
                          per_month: int = 1) -> MonthlyScore:
    """Months of the fiscal year covered by at least ``per_month`` reports.

    Parameters
    ----------
    reports : DataFrame
        As returned by :func:`read_monthly_reports` (a ``date`` column inside the year).
    fiscal_year : int
        BE fiscal year.
    per_month : int, default 1
        Reports a month needs (seed 004: "เดือนละ 1 ครั้ง").

    Returns
    -------
    MonthlyScore

    Examples
    --------
    >>> r = pd.DataFrame({"report": ["a", "b"],
    ...                   "date": pd.to_datetime(["2023-10-31", "2023-11-30"])})
    >>> s = score_monthly_reports(r, 2567)
    >>> s.months_covered, s.missing_months[0]
    (2, 'ธ.ค. 2566')
    """
    if isinstance(per_month, bool) or not isinstance(per_month, (int, np.integer)) \
            or per_month < 1:
        raise ValueError(f"per_month must be a positive integer, got {per_month!r}")
    months = fiscal_months(fiscal_year)
    dates = pd.to_datetime(reports["date"])
    if dates.isna().any():
        raise ValueError("every report needs a date (use read_monthly_reports)")
    period = dates.dt.to_period("M")
    outside = ~period.isin(months)
    if outside.any():
        raise ValueError(f"{int(outside.sum())} report(s) dated outside fiscal year "
                         f"{fiscal_year} (use read_monthly_reports)")
    counts = period.value_counts().reindex(months, fill_value=0).astype(int)
    covered = counts.to_numpy() >= per_month
    labels = [month_label_th(m) for m in months]
    table = pd.DataFrame({"month": labels, "period": months.strftime("%Y-%m"),
                          "n_reports": counts.to_numpy(), "covered": covered})
    return MonthlyScore(
        fiscal_year=int(fiscal_year), per_month=int(per_month),
        months_covered=int(covered.sum()), months_total=len(months),
        n_reports=len(reports), target_met=bool(covered.all()),
        missing_months=tuple(np.asarray(labels)[~covered].tolist()), months=table)
