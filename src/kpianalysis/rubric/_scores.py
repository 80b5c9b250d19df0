"""Result types shared by several rubric kinds: :class:`LevelScore` (count bands, milestones)
and :class:`PercentScore` (step completion, training), with their arithmetic helpers.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pandas as pd

from .._results import Result
from ._bands import _exact

__all__ = [
    "LevelScore",
    "PercentScore",
]


def _level_from_success(weight: float, success_percent: float) -> float:
    return weight * success_percent / 100.0


@dataclasses.dataclass(frozen=True)
class LevelScore(Result):
    """Result of a level rubric (count bands, milestones).

    Attributes
    ----------
    level : int
        Level reached (0 when none).
    success_percent, points, weight, max_points : float
        ``points = weight × success_percent / 100``.
    target_level : int
        The level named as the target.
    target_met : bool
        ``level >= target_level``.
    value : float or None
        The counted value (count bands) or None.
    met : tuple of str
        Criteria met.
    missing : tuple of str
        What is missing for the next level.
    rubric : str
        Name of the rubric.
    """

    level: int
    success_percent: float
    points: float
    weight: float
    max_points: float
    target_level: int
    target_met: bool
    value: float | None = None
    met: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    rubric: str = ""


# -- percentage KPIs (step completion, training) ----------------------------------------------

@dataclasses.dataclass(frozen=True)
class PercentScore(Result):
    """Result of a percentage KPI against a target (step completion, training, shares).

    Attributes
    ----------
    numerator, denominator : int
        Counts (steps done / planned, trainees at ดี or better / trainees, …).
    percent : float
        ``numerator × 100 / denominator``.
    target : float
        Target percent.
    target_met : bool
        ``numerator × 100 >= target × denominator`` (exact).
    met, missing : tuple of str
        Items counted and items not counted.
    detail : DataFrame or None
        Per-item table (bands, per-committee shares …).
    """

    numerator: int
    denominator: int
    percent: float
    target: float
    target_met: bool
    met: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    detail: pd.DataFrame | None = None


def _exact_at_least(num: int, den: int, target: float) -> bool:
    return Fraction(int(num) * 100, int(den)) >= _exact(target)
