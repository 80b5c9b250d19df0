"""Survey figures shared by the survey engines: intervals and the chance a target is met."""

from __future__ import annotations

from ..proportion import jeffreys_p_at_least, proportion_ci
from ..result import Uncertainty

__all__ = ["count_uncertainty", "jeffreys_p_at_least"]


def count_uncertainty(b: int, c: int, target_percent: float, *, method: str, confidence: float,
                      estimator: str) -> Uncertainty:
    """Interval of ``b × 100 / c`` and the chance it meets ``target_percent``."""
    ci = proportion_ci(b, c, method=method, confidence=confidence)
    return Uncertainty(estimate=b * 100 / c, ci_low=float(ci.low) * 100,
                       ci_high=float(ci.high) * 100, confidence=float(confidence),
                       method=str(ci.method), estimator=estimator, n=int(c),
                       p_target_met=jeffreys_p_at_least(b, c, target_percent / 100),
                       design_effect=None)
