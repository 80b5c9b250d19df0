"""Satisfaction KPIs (seed 004 table ค): level and points from A, the percent of respondents
"high or above", or from the counts B and C.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from .._results import Result
from ._bands import SATISFACTION_BANDS, Band, _check_percent, _check_weight

__all__ = [
    "SatisfactionScore",
    "score_satisfaction",
    "score_satisfaction_counts",
]


# -- satisfaction ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SatisfactionScore(Result):
    """Level and points of a satisfaction KPI (seed 004 table ค).

    Attributes
    ----------
    percent : float
        A = respondents scoring ≥ 3.51 × 100 / respondents.
    level : int
        0–5 from :data:`SATISFACTION_BANDS`.
    success_percent : float
        100/80/60/40/20 (0 below 60 %).
    points, weight, max_points : float
        ``points = weight × success_percent / 100``; ``max_points = weight``.
    target_met : bool
        ``percent >= 80`` (level 5).
    level_at_ci_low, level_at_ci_high : int or None
        Levels at the bounds of a confidence interval for A (None without one).
    points_at_ci_low, points_at_ci_high : float or None
        Points at those bounds.
    next_level_at : float or None
        A needed for the next level (None at level 5).
    missing : tuple of str
        Unmet extra conditions of level 5 (e.g. the BMA Q report to executives) and the A
        needed for the next level.
    """

    percent: float
    level: int
    success_percent: float
    points: float
    weight: float
    max_points: float
    target_met: bool
    level_at_ci_low: int | None = None
    level_at_ci_high: int | None = None
    points_at_ci_low: float | None = None
    points_at_ci_high: float | None = None
    next_level_at: float | None = None
    missing: tuple[str, ...] = ()


def _satisfaction_result(percent: float, band: Band | None, weight: float,
                         ci_low: float | None, ci_high: float | None,
                         top_level_requires: Sequence[tuple[str, bool]] = ()
                         ) -> SatisfactionScore:
    bands = SATISFACTION_BANDS
    top = bands.bands[0]
    missing: list[str] = []
    unmet = [str(name) for name, ok in top_level_requires if not ok]
    if unmet and band is top:
        band = bands.bands[1]
        missing.extend(f"level {top.level} also needs: {name}" for name in unmet)
    sp = band.success_percent if band else 0.0
    lo = hi = None
    plo = phi = None
    if (ci_low is None) != (ci_high is None):
        raise ValueError("give both ci_low and ci_high, or neither; got "
                         f"ci_low={ci_low!r}, ci_high={ci_high!r}")
    if ci_low is not None and ci_high is not None:
        cl = _check_percent("ci_low", ci_low)
        ch = _check_percent("ci_high", ci_high)
        if cl > ch:
            raise ValueError(f"ci_low must be <= ci_high, got {ci_low!r} > {ci_high!r}")
        lo, hi = bands.level(cl), bands.level(ch)
        if unmet:
            lo, hi = min(lo, bands.bands[1].level), min(hi, bands.bands[1].level)
        plo = weight * bands.success_percent(cl) / 100.0
        phi = weight * bands.success_percent(ch) / 100.0
        if unmet:
            cap = weight * bands.bands[1].success_percent / 100.0
            plo, phi = min(plo, cap), min(phi, cap)
    nxt = bands.next_band(band)
    if nxt is not None and percent < float(nxt.at_least):
        missing.insert(0, f"level {nxt.level} needs A >= {nxt.at_least:g} %")
    return SatisfactionScore(
        percent=percent,
        level=band.level if band else bands.below_level,
        success_percent=sp,
        points=weight * sp / 100.0,
        weight=weight,
        max_points=weight * top.success_percent / 100.0,
        target_met=band is top,
        level_at_ci_low=lo,
        level_at_ci_high=hi,
        points_at_ci_low=plo,
        points_at_ci_high=phi,
        next_level_at=float(nxt.at_least) if nxt else None,
        missing=tuple(missing),
    )


def score_satisfaction(
    percent: float,
    weight: float = 10,
    ci_low: float | None = None,
    ci_high: float | None = None,
    *,
    top_level_requires: Sequence[tuple[str, bool]] = (),
) -> SatisfactionScore:
    """Score a satisfaction KPI from A (percent of respondents "high or above").

    Parameters
    ----------
    percent : float
        A = B × 100 / C, in [0, 100].
    weight : float, default 10
        The KPI weight (table ค: 10, or 20 for BMA Q). Points = weight × success % / 100.
    ci_low, ci_high : float, optional
        Bounds of a confidence interval for A (percent); the levels and points at both bounds
        are reported so a reader sees whether the level is robust to sampling error.
    top_level_requires : sequence of (str, bool), optional
        Extra conditions of level 5, e.g. BMA Q (seed 004 item 4) also needs
        ``[("report to executives", True)]``. An unmet condition caps the level at 4.

    Returns
    -------
    SatisfactionScore

    Notes
    -----
    A ≥ 80 → level 5 (100 %), ≥ 75 → 4 (80 %), ≥ 70 → 3 (60 %), ≥ 65 → 2 (40 %),
    ≥ 60 → 1 (20 %), else 0. A value within ``BOUNDARY_TOL`` (relative, 1e-9) below a
    threshold counts as reaching it, so ``79.99999999999999`` produced by ``B * 100 / C``
    rounding is level 5 while ``79.99999`` is level 4; see the :mod:`kpianalysis.rubric` docstring.
    Use :func:`score_satisfaction_counts` to compare the counts exactly.

    Examples
    --------
    >>> score_satisfaction(80.0, weight=20).points
    20.0
    >>> score_satisfaction(79.99999).level
    4
    """
    p = _check_percent("percent", percent)
    w = _check_weight(weight)
    return _satisfaction_result(p, SATISFACTION_BANDS.band(p), w, ci_low, ci_high,
                                top_level_requires)


def score_satisfaction_counts(
    b: int,
    c: int,
    weight: float = 10,
    ci_low: float | None = None,
    ci_high: float | None = None,
    *,
    top_level_requires: Sequence[tuple[str, bool]] = (),
) -> SatisfactionScore:
    """Score a satisfaction KPI from counts, comparing ``b * 100 >= threshold * c`` exactly.

    Parameters
    ----------
    b : int
        B, respondents whose mean score is ≥ 3.51.
    c : int
        C, respondents who answered (> 0, ≥ ``b``).
    weight : float, default 10
        The KPI weight.
    ci_low, ci_high : float, optional
        Confidence bounds for A in percent.
    top_level_requires : sequence of (str, bool), optional
        Extra conditions of level 5 (see :func:`score_satisfaction`).

    Returns
    -------
    SatisfactionScore
        ``percent`` is ``b * 100 / c`` as a float; the level is decided on the exact ratio.
    """
    for name, v in (("b", b), ("c", c)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer count, got {v!r}")
    if c <= 0:
        raise ValueError(f"c (respondents) must be > 0, got {c!r}")
    if not 0 <= b <= c:
        raise ValueError(f"b must be between 0 and c={c}, got {b!r}")
    w = _check_weight(weight)
    band = SATISFACTION_BANDS.band_of_fraction(int(b), int(c))
    return _satisfaction_result(int(b) * 100 / int(c), band, w, ci_low, ci_high,
                                top_level_requires)
