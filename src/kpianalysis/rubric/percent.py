"""Simple percentage KPIs against a target (survey KPIs such as awareness).
"""

from __future__ import annotations

from typing import Any

from ._bands import BOUNDARY_TOL, _check_percent

__all__ = [
    "score_percent_target",
]


# -- simple percentage target (survey KPIs such as awareness) ---------------------------------

def score_percent_target(percent: float, target: float = 80, *, ci_low: float | None = None,
                         ci_high: float | None = None) -> dict[str, Any]:
    """Whether a percentage KPI meets its target, with the verdict at the CI bounds.

    Returns a plain dict (``percent``, ``target``, ``target_met``, ``met_at_ci_low``,
    ``met_at_ci_high``) for JSON summaries.
    """
    p = _check_percent("percent", percent)
    t = _check_percent("target", target)
    cut = t - BOUNDARY_TOL * max(1.0, t)
    out: dict[str, Any] = {"percent": p, "target": t, "target_met": p >= cut,
                           "met_at_ci_low": None, "met_at_ci_high": None}
    if ci_low is not None and ci_high is not None:
        out["met_at_ci_low"] = _check_percent("ci_low", ci_low) >= cut
        out["met_at_ci_high"] = _check_percent("ci_high", ci_high) >= cut
    return out
