"""Counts of things done inside the fiscal year (seed 004 §D2): datasets, plans, documents.

Several KPIs of seed 004 count what happened in the year against a target: KPI 4.1.4.1 new
GIS datasets ("เพิ่มขึ้นอย่างน้อย 5 ชุดข้อมูล", 004:95), KPI 5.1.1.1 integrated plans by
service area ("แผนบูรณาการฯ อย่างน้อย 1 ด้าน", 004:111), KPI 7.2.1.2 plans achieved through
network cooperation ("1 แผน", 004:189) and the table ข guideline for the policy-and-plan
analysts ("๑ ฉบับ", 004:388, counted from the guideline made and published, 004:392).

One file per KPI lists the candidate items, one row each: the item's name, a yes/no column
saying whether it counts (the KPI's own criterion: published as a map, achieved, approved …)
and the date it was done. Rules:

* an item counts when its yes/no column is yes; its date is then required;
* every date must lie inside the fiscal year (the target is what is expected to happen in the
  year, 004:92), otherwise the file is refused;
* item names are unique; when the catalog lists the expected items (the five service areas of
  KPI 5.1.1.1, 004:111), the file must list exactly those.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import DataValidationError, describe_values
from ._fiscal import dates_in_fiscal_year
from ._inputs import _boolean, _read_table, _require_columns
from .counts import CountScore

__all__ = [
    "read_dated_items",
    "score_dated_count",
]


def read_dated_items(
    data: Any,
    fiscal_year: int,
    *,
    column: str,
    date_column: str,
    item_column: str = "item",
    expected_items: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read and validate a file of dated items.

    Parameters
    ----------
    data : path or DataFrame
        One row per item (UTF-8 CSV, text columns).
    fiscal_year : int
        BE fiscal year the file is evaluated for; every date must lie inside it.
    column : str
        The yes/no column that decides whether the item counts.
    date_column : str
        The date the item was done (``dd/mm/BBBB`` or ``m/d/CCCC``, Thai digits allowed);
        required where ``column`` is yes, may be empty otherwise.
    item_column : str, default "item"
        The item's name (unique, not empty).
    expected_items : sequence of str, optional
        The exact list of items the file must hold (each once).

    Returns
    -------
    DataFrame
        ``item`` (str), ``counted`` (bool), ``date`` (datetime64, NaT when empty), in file
        order.

    Raises
    ------
    DataValidationError
        Naming the file, column and rows: a missing column, an empty or repeated name, an item
        not in ``expected_items`` (or one of them missing), a value that is not yes/no, a
        counted item without a date, a date that is not a date or lies outside the year.
    """
    df, source = _read_table(data, "items")
    _require_columns(df, [item_column, column, date_column], source, "items")
    names = df[item_column].astype("string").str.strip().fillna("")
    blank = (names == "").to_numpy()
    if blank.any():
        raise DataValidationError("item name is empty", source=source, column=item_column,
                                  rows=(np.flatnonzero(blank) + 1).tolist())
    dup = names.duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataValidationError(f"item listed more than once: {describe_values(names[dup])}",
                                  source=source, column=item_column,
                                  rows=(np.flatnonzero(dup) + 1).tolist())
    if expected_items is not None:
        expected = [str(x).strip() for x in expected_items]
        unknown = (~names.isin(expected)).to_numpy()
        if unknown.any():
            raise DataValidationError(
                f"not one of the {len(expected)} items the catalog lists "
                f"({'; '.join(expected)}); got {describe_values(names[unknown])}",
                source=source, column=item_column, rows=(np.flatnonzero(unknown) + 1).tolist())
        absent = [x for x in expected if x not in set(names)]
        if absent:
            raise DataValidationError(f"the file must list every item the catalog lists; "
                                      f"missing {'; '.join(absent)}", source=source,
                                      column=item_column)
    counted = _boolean(df, column, source)
    dates = dates_in_fiscal_year(df, date_column, source, fiscal_year, allow_missing=True)
    undated = (counted & dates.isna()).to_numpy()
    if undated.any():
        raise DataValidationError(
            f"an item marked as counted in {column!r} needs the date it was done in "
            f"{date_column!r}", source=source, column=date_column,
            rows=(np.flatnonzero(undated) + 1).tolist())
    return pd.DataFrame({"item": names.astype(str).to_numpy(),
                         "counted": counted.to_numpy(dtype=bool),
                         "date": dates.to_numpy()})


def score_dated_count(items: pd.DataFrame, target: int, *,
                      out_of: int | None = None) -> CountScore:
    """Count the items done in the year against a target.

    Parameters
    ----------
    items : DataFrame
        As returned by :func:`read_dated_items`.
    target : int
        The target count (> 0).
    out_of : int, optional
        The pool the count comes from (e.g. 5 service areas); must equal the rows listed.

    Returns
    -------
    CountScore
        ``count`` items counted, ``met`` / ``missing`` their names, ``detail`` the items.

    Examples
    --------
    >>> frame = pd.DataFrame({"item": ["a", "b"], "counted": [True, False],
    ...                       "date": pd.to_datetime(["2024-01-31", None])})
    >>> score_dated_count(frame, 1).target_met
    True
    """
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or target < 1:
        raise ValueError(f"target must be a positive integer, got {target!r}")
    if out_of is not None and out_of != len(items):
        raise ValueError(f"out_of={out_of} but the file lists {len(items)} items")
    if out_of is not None and target > out_of:
        raise ValueError(f"target={target} exceeds out_of={out_of}")
    counted = items["counted"].to_numpy(dtype=bool)
    n = int(counted.sum())
    names = items["item"].to_numpy()
    return CountScore(count=n, target=int(target), out_of=out_of,
                      percent_of_target=n * 100 / target, target_met=n >= target,
                      shortfall=max(0, int(target) - n), met=tuple(names[counted].tolist()),
                      missing=tuple(names[~counted].tolist()), detail=items.copy())
