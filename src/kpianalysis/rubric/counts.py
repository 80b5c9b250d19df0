"""Count KPIs against a target (pending transfers confirmed, committees with a citizen
share).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ..tables import TableRef
from ._bands import _check_percent, _exact
from ._inputs import _boolean, _numeric, _read_table, _require_columns

__all__ = [
    "CountScore",
    "score_committee_share",
    "score_count_target",
]


@dataclasses.dataclass(frozen=True)
class CountScore(Result):
    """Result of a count KPI against a target (committees, transfers, agencies).

    Attributes
    ----------
    count : int
        Achieved count.
    target : int
        Target count.
    out_of : int or None
        The pool the count comes from (e.g. 26 pending transfers, 77 committees).
    percent_of_target : float
        ``count × 100 / target``.
    target_met : bool
        ``count >= target``.
    shortfall : int
        ``max(0, target - count)``.
    met, missing : tuple of str
        Items counted / not counted.
    detail : DataFrame or None
    """

    count: int
    target: int
    out_of: int | None
    percent_of_target: float
    target_met: bool
    shortfall: int
    met: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    detail: pd.DataFrame | None = None


def score_count_target(
    count: int | Sequence[bool] | Any,
    target: int,
    *,
    out_of: int | None = None,
    column: str | None = None,
    id_column: str | None = None,
) -> CountScore:
    """Count KPI against a target (e.g. KPI 5.3.1.2: 3 of 26 pending transfers confirmed).

    Parameters
    ----------
    count : int, sequence of bool, or path / DataFrame
        The achieved count, one flag per item, or a file with a yes/no ``column``.
    target : int
        The target count (> 0).
    out_of : int, optional
        Size of the pool; with flags or a file it defaults to the number of rows and must match.
    column, id_column : str, optional
        For a file: the yes/no column to count and the item id column.

    Returns
    -------
    CountScore
    """
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or target < 1:
        raise ValueError(f"target must be a positive integer, got {target!r}")
    names: list[str] = []
    source: str | None = None
    if isinstance(count, (str, Path, TableRef, pd.DataFrame)):
        if column is None:
            raise ValueError("column (the yes/no column to count) is required for a file")
        df, source = _read_table(count, "count")
        _require_columns(df, [column], source, "count")
        flags = _boolean(df, column, source).to_numpy()
        names = (df[id_column].astype(str).tolist() if id_column and id_column in df.columns
                 else [f"row {i + 1}" for i in range(len(df))])
    elif isinstance(count, (int, np.integer)) and not isinstance(count, bool):
        flags = None
    else:
        flags = np.asarray(count)
        if flags.dtype != bool:
            raise TypeError(f"count must be an integer, booleans, or a file; got {count!r}")
        names = [f"item {i + 1}" for i in range(len(flags))]
    if flags is not None:
        n = int(flags.sum())
        if out_of is not None and out_of != len(flags):
            raise DataValidationError(f"the file has {len(flags)} items; expected the "
                                      f"{out_of} the KPI counts from (out_of)",
                                      source=source)
        out_of = len(flags)
        met = tuple(nm for nm, f in zip(names, flags, strict=True) if f)
        missing = tuple(nm for nm, f in zip(names, flags, strict=True) if not f)
    else:
        n = int(count)
        if n < 0 or (out_of is not None and n > out_of):
            raise ValueError(f"count must be between 0 and out_of={out_of}, got {count!r}")
        met = missing = ()
    if out_of is not None and target > out_of:
        if source is not None:
            raise DataValidationError(f"the file has {out_of} items, fewer than the target "
                                      f"{target}; expected at least {target} rows",
                                      source=source)
        raise ValueError(f"target={target} exceeds out_of={out_of}")
    return CountScore(count=n, target=int(target), out_of=out_of,
                      percent_of_target=n * 100 / target, target_met=n >= target,
                      shortfall=max(0, int(target) - n), met=met, missing=missing)


def score_committee_share(
    committees: Any,
    *,
    min_share: float = 30,
    target: int = 77,
    id_column: str = "committee_id",
    citizen_column: str = "citizen_members",
    total_column: str = "total_members",
) -> CountScore:
    """KPI 5.2.1.2: committees whose citizen / civil-society / private share is ≥ 30 %.

    Parameters
    ----------
    committees : path or DataFrame
        One row per committee: ``committee_id``, ``citizen_members``, ``total_members``.
    min_share : float, default 30
        Minimum share in percent; compared exactly (``citizen × 100 >= 30 × total``).
    target : int, default 77
        Number of committees that must reach the share.

    Returns
    -------
    CountScore
        ``detail`` has the per-committee ``share_percent`` and ``meets`` columns.
    """
    df, source = _read_table(committees, "committees",
                             "committees" if (id_column, citizen_column, total_column) == (
                                 "committee_id", "citizen_members", "total_members") else None)
    _require_columns(df, [id_column, citizen_column, total_column], source, "committees")
    citizens = _numeric(df, citizen_column, source, integer=True, low=0).astype(int)
    total = _numeric(df, total_column, source, integer=True, low=1).astype(int)
    over = citizens > total
    if over.any():
        raise DataValidationError(f"{citizen_column} exceeds {total_column}", source=source,
                                  column=citizen_column,
                                  rows=(np.flatnonzero(over.to_numpy()) + 1).tolist())
    dup = df[id_column].duplicated(keep=False)
    if dup.any():
        raise DataValidationError(f"duplicate committee ids {describe_values(df[id_column][dup])}",
                                  source=source, column=id_column,
                                  rows=(np.flatnonzero(dup.to_numpy()) + 1).tolist())
    thr = _exact(_check_percent("min_share", min_share))
    # exact: citizens * 100 * thr.denominator >= thr.numerator * total
    meets = citizens * 100 * thr.denominator >= total * thr.numerator
    detail = pd.DataFrame({id_column: df[id_column].astype(str), citizen_column: citizens,
                           total_column: total, "share_percent": citizens * 100 / total,
                           "meets": meets.astype(bool)})
    ids = detail[id_column]
    n = int(meets.sum())
    return CountScore(count=n, target=int(target), out_of=len(df),
                      percent_of_target=n * 100 / target, target_met=n >= target,
                      shortfall=max(0, int(target) - n), met=tuple(ids[meets]),
                      missing=tuple(ids[~meets]), detail=detail)
