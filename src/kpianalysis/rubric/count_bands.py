"""Count-band KPIs: a level from a count (livable-city development issues with indicators and
data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import DataValidationError
from ._bands import ThresholdBands, _check_weight
from ._inputs import _boolean, _numeric, _read_table, _require_columns
from ._scores import LevelScore, _level_from_success

__all__ = [
    "LIVABLE_CITY_BANDS",
    "count_livable_city_issues",
    "score_count_bands",
]


# -- count bands (livable-city indicators) ----------------------------------------------------

#: Seed 004 table ค item 3: development issues (of 28) with indicators and data:
#: 1–6 → 1, 7–13 → 2, 14–20 → 3, 21–27 → 4, 28 (and a report to executives) → 5.
LIVABLE_CITY_BANDS = ThresholdBands.from_table(
    at_least=[28, 21, 14, 7, 1],
    levels=[5, 4, 3, 2, 1],
    success_percent=[100, 80, 60, 40, 20],
    name="livable-city development issues with indicators and data",
)


def score_count_bands(
    count: int,
    *,
    bands: ThresholdBands = LIVABLE_CITY_BANDS,
    total: int | None = 28,
    top_level_requires: Sequence[tuple[str, bool]] = (),
    weight: float = 10,
    target_level: int = 5,
) -> LevelScore:
    """Level from a count (e.g. livable-city issues with indicators and data).

    Parameters
    ----------
    count : int
        The count achieved (0 … ``total``).
    bands : ThresholdBands
        Count → level table (default :data:`LIVABLE_CITY_BANDS`).
    total : int, optional
        The maximum possible count (28 issues); a larger count is an error.
    top_level_requires : sequence of (str, bool)
        Extra conditions for the top level, e.g. ``[("report to executives", True)]``. If any
        is False the level stops one below the top (for 28 issues without the report: level 4).
    weight : float, default 10
        KPI weight; ``points = weight × success % / 100``.
    target_level : int, default 5

    Returns
    -------
    LevelScore
    """
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise TypeError(f"count must be an integer, got {count!r}")
    if count < 0 or (total is not None and count > total):
        raise ValueError(f"count must be between 0 and {total}, got {count!r}")
    w = _check_weight(weight)
    band = bands.band(count)
    met: list[str] = [f"{count} counted" + (f" of {total}" if total else "")]
    missing: list[str] = []
    unmet = [name for name, ok in top_level_requires if not ok]
    if band is bands.bands[0] and unmet:
        band = bands.bands[1]
    met.extend(name for name, ok in top_level_requires if ok)
    missing.extend(f"level {bands.bands[0].level} also needs: {name}" for name in unmet)
    nxt = bands.next_band(band)
    if nxt is not None and count < float(nxt.at_least):
        missing.insert(0, f"level {nxt.level} needs a count of at least {nxt.at_least:g}")
    level = band.level if band else bands.below_level
    sp = band.success_percent if band else 0.0
    return LevelScore(level=level, success_percent=sp, points=_level_from_success(w, sp),
                      weight=w, max_points=_level_from_success(w, bands.bands[0].success_percent),
                      target_level=target_level, target_met=level >= target_level,
                      value=float(count), met=tuple(met), missing=tuple(missing),
                      rubric=bands.name)


def count_livable_city_issues(issues: Any) -> int:
    """Count development issues that have indicators with data (and are published, if given).

    Parameters
    ----------
    issues : path or DataFrame
        One row per development issue: ``issue_no``, ``n_indicators`` (indicators defined),
        ``has_data`` (yes/no) and optionally ``published_open_data`` (yes/no).

    Returns
    -------
    int
        Issues with ``n_indicators >= 1``, ``has_data`` and (when the column exists)
        ``published_open_data``.
    """
    df, source = _read_table(issues, "livable-city issues", "issues")
    _require_columns(df, ["issue_no", "n_indicators", "has_data"], source, "livable-city issues")
    no = _numeric(df, "issue_no", source, integer=True, low=1)
    dup = no.duplicated(keep=False)
    if dup.any():
        raise DataValidationError("duplicate issue numbers", source=source, column="issue_no",
                                  rows=(np.flatnonzero(dup.to_numpy()) + 1).tolist())
    ok = (_numeric(df, "n_indicators", source, integer=True, low=0) >= 1) & _boolean(
        df, "has_data", source)
    if "published_open_data" in df.columns:
        ok &= _boolean(df, "published_open_data", source)
    return int(ok.sum())
