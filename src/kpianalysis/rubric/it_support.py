"""The IT-support KPI (seed 004 table ค item 5): SLA compliance of tickets and the composite
of satisfaction points and SLA points.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ._bands import SLA_BANDS, ThresholdBands, _check_percent, _check_weight
from ._inputs import _as_of, _numeric, _read_table, _require_columns, _timestamps
from .satisfaction import SatisfactionScore, score_satisfaction

__all__ = [
    "ITSupportScore",
    "SLACompliance",
    "score_it_support",
    "sla_compliance",
]


# -- SLA compliance and the IT-support composite ----------------------------------------------

@dataclasses.dataclass(frozen=True)
class SLACompliance(Result):
    """SLA compliance of IT-support tickets (seed 004 table ค item 5, part 2).

    Attributes
    ----------
    n_tickets : int
        Tickets counted (resolved, plus unresolved ones already past their SLA deadline).
    n_met : int
        Tickets resolved within their SLA hours.
    n_pending : int
        Unresolved tickets still within their SLA at ``as_of`` (not counted).
    percent : float
        ``n_met × 100 / n_tickets``.
    points : float
        0–5 from :data:`SLA_BANDS`.
    level : int
        Same as points (the seed's table gives 5/4/3/2/1 points for levels 5..1).
    missed_tickets : tuple of str
        Ids of tickets that did not meet their SLA.
    """

    n_tickets: int
    n_met: int
    n_pending: int
    percent: float
    points: float
    level: int
    missed_tickets: tuple[str, ...] = ()


def sla_compliance(
    tickets: Any,
    *,
    as_of: Any = None,
    bands: ThresholdBands = SLA_BANDS,
) -> SLACompliance:
    """SLA compliance from a ticket file: tickets resolved within their SLA hours × 100 / tickets.

    Parameters
    ----------
    tickets : path or DataFrame
        Columns ``ticket_id``, ``opened``, ``resolved`` (empty when unresolved), ``sla_hours``.
        Timestamps are ISO 8601 (``2024-01-15 09:30``) in Common Era; a year ``>= 2400`` in
        an ISO timestamp is read as Buddhist Era.
    as_of : date-like, optional
        Cut-off time. Without it, every unresolved ticket counts as a miss. With it, an
        unresolved ticket whose deadline (``opened + sla_hours``) is after ``as_of`` is
        *pending* and left out; one past its deadline is a miss. Tickets opened after
        ``as_of`` are left out.
    bands : ThresholdBands
        Compliance → points table (default the seed's ≥ 90/85/80/75/70 → 5..1).

    Returns
    -------
    SLACompliance

    Notes
    -----
    A ticket meets the SLA when ``resolved - opened <= sla_hours`` (exactly on the deadline
    counts as met). The comparison is on integer nanoseconds, so it is exact.
    """
    df, source = _read_table(tickets, "tickets", "tickets")
    _require_columns(df, ["ticket_id", "opened", "resolved", "sla_hours"], source, "tickets")
    opened = _timestamps(df, "opened", source, allow_missing=False)
    resolved = _timestamps(df, "resolved", source, allow_missing=True)
    sla = _numeric(df, "sla_hours", source, low=0)
    if (sla <= 0).any():
        bad = sla <= 0
        raise DataValidationError(f"must be > 0; got {describe_values(df['sla_hours'][bad])}",
                                  source=source, column="sla_hours",
                                  rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    backwards = resolved.notna() & (resolved < opened)
    if backwards.any():
        raise DataValidationError("resolved is before opened",
                                  source=source, column="resolved",
                                  rows=(np.flatnonzero(backwards.to_numpy()) + 1).tolist())
    dup = df["ticket_id"].duplicated(keep=False)
    if dup.any():
        raise DataValidationError(f"duplicate ticket ids {describe_values(df['ticket_id'][dup])}",
                                  source=source, column="ticket_id",
                                  rows=(np.flatnonzero(dup.to_numpy()) + 1).tolist())
    deadline = opened + pd.to_timedelta(sla, unit="h")
    met = resolved.notna() & (resolved <= deadline)
    counted = pd.Series(True, index=df.index)
    pending = pd.Series(False, index=df.index)
    if as_of is not None:
        cut = _as_of(as_of)
        counted &= opened <= cut
        # resolved after the cut-off is unknown at as_of
        resolved_by_cut = resolved.notna() & (resolved <= cut)
        met &= resolved_by_cut
        pending = counted & ~resolved_by_cut & (deadline > cut)
        counted &= ~pending
    n = int(counted.sum())
    if n == 0:
        raise DataValidationError("no tickets to score (all pending or after as_of)",
                                  source=source)
    n_met = int((met & counted).sum())
    pct = n_met * 100 / n
    band = bands.band_of_fraction(n_met, n)
    level = band.level if band else bands.below_level
    missed = tuple(df.loc[counted & ~met, "ticket_id"].astype(str))
    return SLACompliance(n_tickets=n, n_met=n_met, n_pending=int(pending.sum()), percent=pct,
                         points=float(level), level=int(level), missed_tickets=missed)


@dataclasses.dataclass(frozen=True)
class ITSupportScore(Result):
    """IT-support composite KPI (seed 004 table ค item 5): satisfaction points + SLA points.

    Attributes
    ----------
    satisfaction_percent : float
        A for the requesters' satisfaction survey.
    satisfaction_points : float
        0–5 (A ≥ 80/75/70/65/60 → 5/4/3/2/1).
    sla_percent : float
        Tickets meeting SLA × 100 / tickets.
    sla_points : float
        0–5 (≥ 90/85/80/75/70 → 5/4/3/2/1).
    points : float
        ``(satisfaction_points + sla_points) × weight / 10``.
    weight, max_points : float
        The KPI weight (10) and the maximum (= weight).
    level : float
        ``points × 5 / weight`` (0–5 in steps of 0.5), the success level on the 5-level scale.
    target_met : bool
        Both parts at 5 points.
    missing : tuple of str
        What keeps each part below 5 points.
    """

    satisfaction_percent: float
    satisfaction_points: float
    sla_percent: float
    sla_points: float
    points: float
    weight: float
    max_points: float
    level: float
    target_met: bool
    missing: tuple[str, ...] = ()


def score_it_support(
    satisfaction: float | SatisfactionScore,
    sla: float | SLACompliance,
    weight: float = 10,
) -> ITSupportScore:
    """Score the IT-support KPI: satisfaction points (0–5) + SLA points (0–5), out of 10.

    Parameters
    ----------
    satisfaction : float or SatisfactionScore
        A (percent) or a satisfaction result (its percent is re-scored on the 5-point part).
    sla : float or SLACompliance
        SLA compliance percent or the result of :func:`sla_compliance`.
    weight : float, default 10
        KPI weight; the two 5-point parts are scaled by ``weight / 10``.

    Returns
    -------
    ITSupportScore

    Examples
    --------
    >>> score_it_support(82.0, 86.0).points
    9.0
    """
    w = _check_weight(weight)
    if isinstance(satisfaction, SatisfactionScore):
        sat = score_satisfaction(satisfaction.percent, weight=5)
    else:
        sat = score_satisfaction(satisfaction, weight=5)
    if isinstance(sla, SLACompliance):
        sla_pct, sla_pts = sla.percent, sla.points
    else:
        sla_pct = _check_percent("sla", sla)
        sla_pts = float(SLA_BANDS.level(sla_pct))
    missing = []
    if sat.points < 5:
        missing.append(f"satisfaction A = {sat.percent:.2f} % < 80 % (5 points)")
    if sla_pts < 5:
        missing.append(f"SLA compliance = {sla_pct:.2f} % < 90 % (5 points)")
    total = (sat.points + sla_pts) * w / 10
    return ITSupportScore(
        satisfaction_percent=sat.percent, satisfaction_points=sat.points,
        sla_percent=sla_pct, sla_points=sla_pts, points=total, weight=w, max_points=w,
        level=total * 5 / w, target_met=not missing, missing=tuple(missing))
