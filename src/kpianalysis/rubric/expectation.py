"""Satisfaction against expectation (seed 004 ส่วนที่ 2, ประเด็นการพัฒนาที่ 1, 004:273).

The KPI of the policy-and-plan analysts' development issue reads "ระดับความพึงพอใจจากการ
ประเมินผลคุณภาพการให้บริการจากประสิทธิภาพของการนำแนวทางในการปฏิบัติงานฯ ไปใช้ อยู่ในระดับเท่ากับ
ความคาดหวังของผู้รับบริการ" (004:273): the satisfaction level is to be *equal to the service
users' expectation*. The seed defines no rating scale, no way to combine the answers (means,
or respondent by respondent) and no tolerance. What is measured here is what the data
records, nothing more:

* each respondent's satisfaction rating and expectation rating, on the agency's own
  questionnaire scale (the same scale for both; a scale is checked only when the catalog
  gives one);
* their means, the difference ``mean satisfaction − mean expectation`` (0 = "equal", the
  seed's word), and, as information, the respondents whose satisfaction is at least their
  own expectation.

Whether the target is met is left undecided: the engine flags that the threshold is not
defined (KPI_SPEC §G.6).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ._fiscal import dates_in_fiscal_year
from ._inputs import _numeric, _read_table, _require_columns

__all__ = [
    "ExpectationScore",
    "read_expectation_ratings",
    "score_expectation",
]


@dataclasses.dataclass(frozen=True)
class ExpectationScore(Result):
    """Satisfaction and expectation ratings, summarised without a verdict.

    Attributes
    ----------
    n : int
        Respondents.
    mean_satisfaction, mean_expectation : float
        Means of the two ratings.
    gap : float
        ``mean_satisfaction − mean_expectation`` (0 = equal).
    n_at_or_above : int
        Respondents whose satisfaction rating is at least their expectation rating.
    percent_at_or_above : float
        ``n_at_or_above × 100 / n``.
    """

    _headline_fields = ("gap", "mean_satisfaction", "mean_expectation", "n")

    n: int
    mean_satisfaction: float
    mean_expectation: float
    gap: float
    n_at_or_above: int
    percent_at_or_above: float


def read_expectation_ratings(
    data: Any,
    fiscal_year: int,
    *,
    satisfaction_column: str = "satisfaction",
    expectation_column: str = "expectation",
    id_column: str = "respondent_id",
    date_column: str = "response_date",
    scale: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Read and validate the ratings file: one row per respondent.

    Parameters
    ----------
    data : path or DataFrame
        Columns ``respondent_id`` (unique; no personal data), ``response_date`` (inside the
        fiscal year), ``satisfaction`` and ``expectation`` (numbers, Thai digits allowed).
    fiscal_year : int
        BE fiscal year.
    satisfaction_column, expectation_column, id_column, date_column : str
        Column names.
    scale : (low, high), optional
        The questionnaire's scale when the catalog gives it; ratings outside it are refused.

    Returns
    -------
    DataFrame
        ``respondent_id``, ``date``, ``satisfaction``, ``expectation``.

    Raises
    ------
    DataValidationError
        A missing column, an empty or repeated id, a rating that is not a number (or outside
        ``scale``), a missing rating, a date outside the fiscal year.
    """
    df, source = _read_table(data, "ratings")
    cols = [id_column, date_column, satisfaction_column, expectation_column]
    _require_columns(df, cols, source, "ratings")
    if len(df) == 0:
        raise DataValidationError("the ratings file has no respondent", source=source)
    ids = df[id_column].astype("string").str.strip().fillna("").astype(str)
    blank = (ids == "").to_numpy()
    if blank.any():
        raise DataValidationError("respondent id is empty", source=source, column=id_column,
                                  rows=(np.flatnonzero(blank) + 1).tolist())
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataValidationError(f"respondent listed more than once: "
                                  f"{describe_values(ids[dup])}", source=source,
                                  column=id_column, rows=(np.flatnonzero(dup) + 1).tolist())
    low = high = None
    if scale is not None:
        if len(scale) != 2 or not float(scale[0]) < float(scale[1]):
            raise ValueError(f"scale must be (low, high) with low < high, got {scale!r}")
        low, high = float(scale[0]), float(scale[1])
    sat = _numeric(df, satisfaction_column, source, low=low, high=high)
    exp = _numeric(df, expectation_column, source, low=low, high=high)
    for col, values in ((satisfaction_column, sat), (expectation_column, exp)):
        inf = (~np.isfinite(values)).to_numpy()
        if inf.any():
            raise DataValidationError(f"must be a finite number; got "
                                      f"{describe_values(df[col][inf])}", source=source,
                                      column=col, rows=(np.flatnonzero(inf) + 1).tolist())
    dates = dates_in_fiscal_year(df, date_column, source, fiscal_year, allow_missing=False)
    return pd.DataFrame({"respondent_id": ids.to_numpy(), "date": dates.to_numpy(),
                         "satisfaction": sat.to_numpy(dtype=float),
                         "expectation": exp.to_numpy(dtype=float)})


def score_expectation(ratings: pd.DataFrame) -> ExpectationScore:
    """Means of satisfaction and expectation, their difference, respondents at or above.

    Parameters
    ----------
    ratings : DataFrame
        :func:`read_expectation_ratings` (columns ``satisfaction`` and ``expectation``).

    Returns
    -------
    ExpectationScore

    Examples
    --------
    >>> r = pd.DataFrame({"satisfaction": [4.0, 3.0], "expectation": [4.0, 4.0]})
    >>> s = score_expectation(r)
    >>> s.gap, s.n_at_or_above
    (-0.5, 1)
    """
    if len(ratings) == 0:
        raise ValueError("no respondent")
    sat = ratings["satisfaction"].to_numpy(dtype=float)
    exp = ratings["expectation"].to_numpy(dtype=float)
    if not (np.isfinite(sat).all() and np.isfinite(exp).all()):
        raise ValueError("ratings must be finite numbers (use read_expectation_ratings)")
    at_or_above = int((sat >= exp).sum())
    return ExpectationScore(
        n=len(ratings), mean_satisfaction=float(sat.mean()), mean_expectation=float(exp.mean()),
        gap=float(sat.mean() - exp.mean()), n_at_or_above=at_or_above,
        percent_at_or_above=at_or_above * 100 / len(ratings))
