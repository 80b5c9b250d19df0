"""Milestone (success-level) KPIs: the highest level whose criteria, and all lower, are met.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import DataValidationError
from ..thaidate import parse_thai_dates
from ._bands import _check_weight
from ._inputs import _as_of, _boolean, _numeric, _read_table, _require_columns
from ._scores import LevelScore

__all__ = [
    "read_evidence",
    "score_milestones",
]


# -- milestone levels -------------------------------------------------------------------------

def read_evidence(evidence: Any) -> pd.DataFrame:
    """Read and validate a milestone evidence file.

    Columns: ``level`` (1, 2, …), ``criterion`` (text), ``status`` (done / pending, ผ่าน /
    ไม่ผ่าน, true / false …), ``date`` (optional; ``dd/mm/BBBB`` or ``m/d/CCCC``, Thai digits
    allowed; empty when not done). A level may have several criteria (several rows).

    Returns
    -------
    DataFrame
        ``level`` (int), ``criterion``, ``met`` (bool), ``date`` (datetime64, NaT if empty).
    """
    df, source = _read_table(evidence, "evidence", "evidence")
    _require_columns(df, ["level", "criterion", "status"], source, "evidence")
    level = _numeric(df, "level", source, integer=True, low=1).astype(int)
    levels = sorted(set(level))
    expected = list(range(1, max(levels) + 1))
    if levels != expected:
        gaps = sorted(set(expected) - set(levels))
        raise DataValidationError(f"levels must run 1..{max(levels)} without gaps; no "
                                  f"criterion for level(s) {gaps}", source=source,
                                  column="level")
    blank = df["criterion"].astype("string").str.strip().fillna("") == ""
    if blank.any():
        raise DataValidationError("criterion text is empty", source=source, column="criterion",
                                  rows=(np.flatnonzero(blank.to_numpy()) + 1).tolist())
    met = _boolean(df, "status", source)
    if "date" in df.columns:
        date = parse_thai_dates(df["date"], source=source, column="date")
    else:
        date = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.DataFrame({"level": level, "criterion": df["criterion"].astype(str),
                         "met": met, "date": date})


def score_milestones(
    evidence: Any,
    *,
    as_of: Any = None,
    weight: float = 10,
    target_level: int = 5,
    n_levels: int | None = None,
) -> LevelScore:
    """Milestone (success-level) KPI: the highest level whose criteria, and all lower, are met.

    Parameters
    ----------
    evidence : path or DataFrame
        See :func:`read_evidence`.
    as_of : date-like, optional
        Only criteria met on or before this date count (a met criterion without a date counts).
    weight : float, default 10
        KPI weight; ``points = weight × level / n_levels``.
    target_level : int, default 5
    n_levels : int, optional
        Number of levels of the rubric (default: the highest level in the evidence).

    Returns
    -------
    LevelScore
        ``met`` lists the criteria met at the levels achieved; ``missing`` the unmet criteria
        of the first level not achieved.
    """
    ev = read_evidence(evidence) if not _is_evidence_frame(evidence) else evidence
    w = _check_weight(weight)
    met = ev["met"].copy()
    if as_of is not None:
        cut = _as_of(as_of)
        met &= ev["date"].isna() | (ev["date"] <= cut)
    top = int(ev["level"].max())
    n = n_levels or top
    if n < top:
        raise ValueError(f"n_levels={n_levels} is below the highest level {top} in the evidence")
    all_met = met.groupby(ev["level"]).all().reindex(range(1, top + 1), fill_value=False)
    # highest L with all criteria of levels 1..L met
    cum = np.cumprod(all_met.to_numpy().astype(int))
    level = int(cum.sum())
    met_rows = ev[(ev["level"] <= level) & met]
    missing_rows = ev[(ev["level"] == level + 1) & ~met]
    sp = level * 100 / n
    return LevelScore(
        level=level, success_percent=sp, points=w * sp / 100, weight=w, max_points=w,
        target_level=target_level, target_met=level >= target_level, value=None,
        met=tuple(f"level {lv}: {c}" for lv, c in zip(met_rows["level"], met_rows["criterion"],
                                                      strict=True)),
        missing=tuple(f"level {lv}: {c}" for lv, c in zip(missing_rows["level"],
                                                          missing_rows["criterion"],
                                                          strict=True)),
        rubric="milestone levels")


def _is_evidence_frame(obj: Any) -> bool:
    return (isinstance(obj, pd.DataFrame) and {"level", "criterion", "met", "date"} <= set(
        obj.columns) and obj["met"].dtype == bool)
