"""Threshold tables: :class:`Band`, :class:`ThresholdBands`, :class:`BandScore`, the boundary
tolerance and the standard band tables of the seeds.

The threshold rule ("at least", with :data:`BOUNDARY_TOL`) is explained in the
:mod:`kpianalysis.rubric` package docstring.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .._results import Result
from ..likert import BANDS as _LIKERT_BANDS

__all__ = [
    "BOUNDARY_TOL",
    "LIKERT_BANDS",
    "SATISFACTION_BANDS",
    "SLA_BANDS",
    "Band",
    "BandScore",
    "ThresholdBands",
]


#: Relative tolerance absorbing floating-point error at a threshold (see the package docstring).
BOUNDARY_TOL = 1e-9


def _exact(value: Any) -> Fraction:
    """The exact rational a number is *written* as (``80.1`` → 801/10, not the binary float)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return Fraction(int(value))
    f = float(value)
    if not math.isfinite(f):
        raise ValueError(f"threshold must be finite, got {value!r}")
    return Fraction(repr(f))


@dataclasses.dataclass(frozen=True)
class Band(Result):
    """One row of a threshold table: reach ``at_least`` → ``level`` (and ``success_percent``).

    Attributes
    ----------
    level : int
        The level (or points) awarded.
    at_least : float
        The smallest value that reaches this band.
    success_percent : float
        The success percentage of the level (``points = weight × success_percent / 100``).
    label : str
        Optional readable name (e.g. ``"มาก"``).
    """

    level: int
    at_least: float
    success_percent: float
    label: str = ""


@dataclasses.dataclass(frozen=True)
class ThresholdBands(Result):
    """A table of "value at least *t* → level" bands, highest level first.

    Parameters
    ----------
    bands : sequence of Band
        The bands. They must be ordered from the highest level to the lowest, with strictly
        decreasing levels, strictly decreasing thresholds and non-increasing success
        percentages (no overlapping or unordered bands).
    below_level : int, default 0
        The level of a value below every threshold.
    name : str
        What the table is for (used in error messages and results).

    Notes
    -----
    The float comparison allows :data:`BOUNDARY_TOL` (relative) below a threshold, see the
    :mod:`kpianalysis.rubric` docstring; :meth:`level_of_fraction` compares exactly.
    """

    bands: tuple[Band, ...]
    below_level: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        bands = tuple(self.bands)
        object.__setattr__(self, "bands", bands)
        who = f"rubric {self.name!r}" if self.name else "rubric"
        if not bands:
            raise ValueError(f"{who}: bands must not be empty")
        for i, b in enumerate(bands):
            if not isinstance(b, Band):
                raise TypeError(f"{who}: band {i + 1} must be a Band, got {b!r}")
            if not math.isfinite(float(b.at_least)):
                raise ValueError(f"{who}: band {i + 1} (level {b.level}) threshold must be "
                                 f"finite, got {b.at_least!r}")
            if not 0 <= float(b.success_percent) <= 100:
                raise ValueError(f"{who}: band {i + 1} (level {b.level}) success_percent must "
                                 f"be in [0, 100], got {b.success_percent!r}")
        for i, (hi, lo) in enumerate(zip(bands, bands[1:], strict=False)):
            where = f"{who}: bands {i + 1} and {i + 2} (levels {hi.level}, {lo.level})"
            if not hi.level > lo.level:
                raise ValueError(f"{where} are unordered: levels must strictly decrease from "
                                 "the first band to the last")
            if not _exact(hi.at_least) > _exact(lo.at_least):
                raise ValueError(
                    f"{where} overlap or are unordered: thresholds must strictly decrease, "
                    f"got {hi.at_least!r} then {lo.at_least!r}")
            if hi.success_percent < lo.success_percent:
                raise ValueError(f"{where}: success_percent must not increase with a lower "
                                 f"level, got {hi.success_percent!r} then {lo.success_percent!r}")
        if not self.below_level < bands[-1].level:
            raise ValueError(f"{who}: below_level {self.below_level!r} must be lower than the "
                             f"lowest band level {bands[-1].level!r}")

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_table(
        cls,
        at_least: Sequence[float],
        levels: Sequence[int],
        success_percent: Sequence[float] | None = None,
        labels: Sequence[str] | None = None,
        *,
        below_level: int = 0,
        name: str = "",
    ) -> ThresholdBands:
        """Build bands from parallel columns (highest level first).

        ``success_percent`` defaults to ``level × 100 / max(levels)``.
        """
        n = len(at_least)
        if len(levels) != n:
            raise ValueError(f"rubric {name!r}: at_least has {n} entries but levels has "
                             f"{len(levels)}")
        top = max(levels) if levels else 1
        if success_percent is None:
            success_percent = [lv * 100 / top for lv in levels]
        if len(success_percent) != n:
            raise ValueError(f"rubric {name!r}: at_least has {n} entries but success_percent "
                             f"has {len(success_percent)}")
        labels = list(labels) if labels is not None else [""] * n
        if len(labels) != n:
            raise ValueError(f"rubric {name!r}: at_least has {n} entries but labels has "
                             f"{len(labels)}")
        return cls(
            tuple(Band(int(lv), t, float(s), lab)
                  for t, lv, s, lab in zip(at_least, levels, success_percent, labels, strict=True)),
            below_level=below_level,
            name=name,
        )

    # -- lookup -----------------------------------------------------------------------------
    @property
    def thresholds(self) -> np.ndarray:
        """Thresholds, highest band first."""
        return np.array([float(b.at_least) for b in self.bands])

    @property
    def levels(self) -> np.ndarray:
        """Levels, highest first."""
        return np.array([b.level for b in self.bands])

    def _index(self, value: Any) -> np.ndarray:
        """Index of the band reached (``len(bands)`` for none); vectorised."""
        x = np.asarray(value, dtype=float)
        if np.any(np.isnan(x)):
            raise ValueError(f"rubric {self.name!r}: value must not be NaN")
        t = self.thresholds
        cut = t - BOUNDARY_TOL * np.maximum(1.0, np.abs(t))
        reached = x[..., None] >= cut  # (..., nbands); monotone: reached[k] implies reached[k+1]
        # first reached band == number of unreached bands (thresholds decrease)
        return (~reached).sum(axis=-1)

    def level(self, value: Any) -> Any:
        """Level reached by ``value`` (scalar → int, array → int array)."""
        idx = self._index(value)
        lv = np.append(self.levels, self.below_level)[idx]
        return int(lv) if np.ndim(lv) == 0 else lv

    def success_percent(self, value: Any) -> Any:
        """Success percentage of the level reached (0 below every band)."""
        idx = self._index(value)
        sp = np.append([b.success_percent for b in self.bands], 0.0)[idx]
        return float(sp) if np.ndim(sp) == 0 else sp

    def band(self, value: float) -> Band | None:
        """The band reached by a scalar ``value`` (``None`` below every threshold)."""
        i = int(self._index(float(value)))
        return self.bands[i] if i < len(self.bands) else None

    def band_of_fraction(self, numerator: int, denominator: int, scale: int = 100) -> Band | None:
        """The band reached by ``numerator * scale / denominator``, compared exactly.

        Uses integer/rational arithmetic: band reached iff
        ``numerator * scale >= at_least * denominator``, where ``at_least`` is the exact
        decimal the threshold is written as.
        """
        for name, v in (("numerator", numerator), ("denominator", denominator)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name} must be an integer count, got {v!r}")
        if denominator <= 0:
            raise ValueError(f"denominator must be > 0, got {denominator!r}")
        if not 0 <= numerator:
            raise ValueError(f"numerator must be >= 0, got {numerator!r}")
        value = Fraction(int(numerator) * scale, int(denominator))
        for b in self.bands:
            if value >= _exact(b.at_least):
                return b
        return None

    def next_band(self, band: Band | None) -> Band | None:
        """The band just above ``band`` (the lowest band when ``band`` is None)."""
        if band is None:
            return self.bands[-1]
        i = self.bands.index(band)
        return self.bands[i - 1] if i > 0 else None

    def score(self, value: float, weight: float = 1.0) -> BandScore:
        """Score a scalar ``value``: level, success percentage and ``weight``-scaled points."""
        w = _check_weight(weight)
        return self._make_score(float(value), self.band(value), w)

    def _make_score(self, value: float, band: Band | None, weight: float) -> BandScore:
        sp = band.success_percent if band else 0.0
        nxt = self.next_band(band)
        return BandScore(
            value=value,
            level=band.level if band else self.below_level,
            label=band.label if band else "",
            success_percent=sp,
            points=weight * sp / 100.0,
            weight=weight,
            max_points=weight * self.bands[0].success_percent / 100.0,
            next_level_at=float(nxt.at_least) if nxt else None,
            rubric=self.name,
        )

    def to_frame(self):
        """The table as a DataFrame (``level``, ``at_least``, ``success_percent``, ``label``)."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(b) for b in self.bands])


def _check_weight(weight: Any) -> float:
    if isinstance(weight, bool):
        raise TypeError(f"weight must be a number, got {weight!r}")
    try:
        w = float(weight)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"weight must be a number, got {weight!r}") from exc
    if not math.isfinite(w) or w <= 0:
        raise ValueError(f"weight must be finite and > 0, got {weight!r}")
    return w


def _check_percent(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number, got {value!r}") from exc
    if not (math.isfinite(v) and -BOUNDARY_TOL * 100 <= v <= 100 * (1 + BOUNDARY_TOL)):
        raise ValueError(f"{name} must be a percentage in [0, 100], got {value!r}")
    return v


@dataclasses.dataclass(frozen=True)
class BandScore(Result):
    """Generic result of :meth:`ThresholdBands.score`.

    Attributes
    ----------
    value : float
        The scored value.
    level : int
        Level reached (``below_level`` when no band is reached).
    label : str
        The label of the band reached.
    success_percent, points, weight, max_points : float
        ``points = weight × success_percent / 100``; ``max_points`` is the top band's points.
    next_level_at : float or None
        The value needed for the next level (None at the top) — what is missing.
    rubric : str
        Name of the table.
    """

    value: float
    level: int
    label: str
    success_percent: float
    points: float
    weight: float
    max_points: float
    next_level_at: float | None
    rubric: str = ""


# -- tables from the seeds ------------------------------------------------------------------

#: Seed 004 table ค (every satisfaction sheet): A at least 80/75/70/65/60 → level 5..1,
#: success 100/80/60/40/20 %. Below 60 → level 0.
SATISFACTION_BANDS = ThresholdBands.from_table(
    at_least=[80, 75, 70, 65, 60],
    levels=[5, 4, 3, 2, 1],
    success_percent=[100, 80, 60, 40, 20],
    name="satisfaction A (high or above, %)",
)

#: Seed 004 item 5: SLA compliance (tickets meeting SLA × 100 / tickets) at least
#: 90/85/80/75/70 → 5/4/3/2/1 points (success 100..20 % of the 5-point part).
SLA_BANDS = ThresholdBands.from_table(
    at_least=[90, 85, 80, 75, 70],
    levels=[5, 4, 3, 2, 1],
    success_percent=[100, 80, 60, 40, 20],
    name="SLA compliance (%)",
)

#: Likert mean-score bands of the satisfaction sheets (4.51–5.00 มากที่สุด … 1.00–1.50
#: น้อยที่สุด) as a ThresholdBands table, built from the single definition in
#: :data:`kpianalysis.likert.BANDS`. The table's gaps (e.g. 4.505) fall into the lower band
#: ("at least" rule). Respondent scoring itself uses exact integer comparisons (likert.py).
LIKERT_BANDS = ThresholdBands.from_table(
    at_least=[b.lower for b in _LIKERT_BANDS],
    levels=[b.code for b in _LIKERT_BANDS],
    success_percent=[100, 80, 60, 40, 20],
    labels=[b.label_th for b in _LIKERT_BANDS],
    name="Likert mean score",
)
