"""Quarterly progress of a percentage KPI against its cumulative plan (Thai fiscal year).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ..thaidate import BE_OFFSET, parse_thai_dates
from ._bands import BOUNDARY_TOL, _check_percent
from ._inputs import _boolean, _numeric, _read_table, _require_columns

__all__ = [
    "ProgressScore",
    "read_progress",
    "score_quarterly_progress",
]


# -- quarterly progress against a cumulative plan ---------------------------------------------

def read_progress(progress: Any) -> pd.DataFrame:
    """Read and validate a quarterly progress file (Thai fiscal year, Q1 = Oct–Dec).

    Columns: ``quarter`` (1–4, strictly increasing), ``plan_percent`` and ``actual_percent``
    (cumulative, in [0, 100], never decreasing), optional ``report_date`` (``dd/mm/BBBB`` or
    ``m/d/CCCC``, Thai digits allowed; must fall in the stated quarter), optional
    ``fiscal_year`` (BE; one value), optional ``assessed`` (yes/no: whether the evaluator
    scored the quarter; the seed leaves Q2 of KPI 0411-2029 blank).

    Returns
    -------
    DataFrame
        Parsed columns; ``report_date`` as datetime64 (NaT when absent).

    Raises
    ------
    DataValidationError
        Naming the file, column and row of: quarters out of 1–4, going backwards or repeated;
        a cumulative plan or result that decreases; a date that is not a valid BE/CE date or
        lies outside its quarter / fiscal year.
    """
    df, source = _read_table(progress, "progress", "progress")
    _require_columns(df, ["quarter", "plan_percent", "actual_percent"], source, "progress")
    if len(df) == 0:
        raise DataValidationError("progress file has no rows", source=source)
    quarter = _numeric(df, "quarter", source, integer=True, low=1, high=4).astype(int)
    back = quarter.diff() <= 0
    if back.any():
        rows = (np.flatnonzero(back.to_numpy()) + 1).tolist()
        raise DataValidationError(
            f"quarters must increase from row to row; quarter {quarter[back].iloc[0]} comes "
            f"after quarter {quarter.shift()[back].iloc[0]:.0f} (quarters go backwards or "
            "repeat)", source=source, column="quarter", rows=rows)
    out = pd.DataFrame({"quarter": quarter})
    for col in ("plan_percent", "actual_percent"):
        v = _numeric(df, col, source, low=0, high=100, allow_missing=(col == "actual_percent"))
        dec = v.diff() < 0
        if dec.any():
            raise DataValidationError(
                f"cumulative values must not decrease; {v.shift()[dec].iloc[0]:g} then "
                f"{v[dec].iloc[0]:g}", source=source, column=col,
                rows=(np.flatnonzero(dec.to_numpy()) + 1).tolist())
        out[col] = v
    fy = None
    if "fiscal_year" in df.columns:
        fyv = _numeric(df, "fiscal_year", source, integer=True, low=2443, high=2742)
        if fyv.nunique() != 1:
            raise DataValidationError(f"one fiscal year per file; got {sorted(set(fyv))}",
                                      source=source, column="fiscal_year")
        fy = int(fyv.iloc[0])
    out["fiscal_year"] = fy
    if "report_date" in df.columns:
        dates = parse_thai_dates(df["report_date"], source=source, column="report_date")
        has = dates.notna()
        q = dates[has].dt.to_period("Q-SEP")
        wrong_q = pd.Series(False, index=df.index)
        wrong_q[has] = q.dt.quarter.to_numpy() != quarter[has].to_numpy()
        if wrong_q.any():
            raise DataValidationError(
                f"report_date {describe_values(df['report_date'][wrong_q])} is not in the "
                "stated fiscal quarter (Q1 = Oct–Dec, Q2 = Jan–Mar, Q3 = Apr–Jun, Q4 = Jul–Sep)",
                source=source, column="report_date",
                rows=(np.flatnonzero(wrong_q.to_numpy()) + 1).tolist())
        fys = (q.dt.qyear + BE_OFFSET)
        if fy is not None:
            wrong_y = pd.Series(False, index=df.index)
            wrong_y[has] = fys.to_numpy() != fy
            if wrong_y.any():
                raise DataValidationError(
                    f"report_date {describe_values(df['report_date'][wrong_y])} is not in "
                    f"fiscal year {fy}", source=source, column="report_date",
                    rows=(np.flatnonzero(wrong_y.to_numpy()) + 1).tolist())
        elif fys.nunique() > 1:
            raise DataValidationError(
                f"report dates span fiscal years {sorted(set(fys))}", source=source,
                column="report_date")
        else:
            out["fiscal_year"] = int(fys.iloc[0]) if len(fys) else None
        out["report_date"] = dates
    else:
        out["report_date"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    out["assessed"] = (_boolean(df, "assessed", source) if "assessed" in df.columns
                       else pd.Series(True, index=df.index))
    return out


@dataclasses.dataclass(frozen=True)
class ProgressScore(Result):
    """Quarterly progress of a percentage KPI against its cumulative plan.

    Attributes
    ----------
    quarters : DataFrame
        Per quarter: ``quarter``, ``report_date``, ``plan_percent``, ``actual_percent``,
        ``score`` (= min(100, actual × 100 / plan)), ``assessed``, ``assessed_score``
        (the score where the quarter was assessed, else NaN), ``on_plan``.
    percent : float
        The latest cumulative result.
    target : float
        The year-end target.
    target_met : bool
        Latest result ≥ target.
    fiscal_year : int or None
        BE fiscal year.
    behind_plan : tuple of int
        Quarters whose result is below plan — what was missing.
    """

    quarters: pd.DataFrame
    percent: float
    target: float
    target_met: bool
    fiscal_year: int | None
    behind_plan: tuple[int, ...] = ()


def score_quarterly_progress(progress: Any, *, target: float = 100) -> ProgressScore:
    """Score quarterly progress (e.g. campaign KPI 0411-2029: plan 10/30/70/100 %).

    Parameters
    ----------
    progress : path or DataFrame
        See :func:`read_progress`.
    target : float, default 100
        Year-end target percent.

    Returns
    -------
    ProgressScore

    Notes
    -----
    Quarter score = ``min(100, actual × 100 / plan)`` (100 when the plan is 0), the rule that
    reproduces seed 003's assessed scores (10/30/70/100 against plan 10/30/70/100 → 100 each;
    the evaluator left Q2 blank, which the file records as ``assessed = no``).
    """
    df = read_progress(progress)
    t = _check_percent("target", target)
    plan = df["plan_percent"].to_numpy(dtype=float)
    actual = df["actual_percent"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(plan > 0, actual * 100 / np.where(plan > 0, plan, 1), 100.0)
    score = np.minimum(100.0, ratio)
    score = np.where(np.isnan(actual), np.nan, score)
    q = df[["quarter", "report_date", "plan_percent", "actual_percent"]].copy()
    q["score"] = score
    q["assessed"] = df["assessed"].to_numpy()
    q["assessed_score"] = np.where(q["assessed"], score, np.nan)
    q["on_plan"] = actual >= plan - BOUNDARY_TOL * np.maximum(1, plan)
    reported = q.dropna(subset=["actual_percent"])
    if reported.empty:
        raise DataValidationError("no quarter has a result (actual_percent all empty)")
    latest = float(reported["actual_percent"].iloc[-1])
    fy = df["fiscal_year"].iloc[0]
    return ProgressScore(
        quarters=q, percent=latest, target=t,
        target_met=latest >= t - BOUNDARY_TOL * max(1.0, t),
        fiscal_year=int(fy) if fy is not None and not pd.isna(fy) else None,
        behind_plan=tuple(int(x) for x in reported.loc[~reported["on_plan"], "quarter"]))
