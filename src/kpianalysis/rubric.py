"""Rubric scoring engines for BMA KPIs (seed 002, 003, 004; KPI_SPEC sections B–E).

Every engine is a plain function returning a frozen dataclass deriving from
:class:`~kpianalysis._results.Result` (``level``, ``points``, ``percent`` where it applies, and
what was met / what was missing).

Threshold rule (used by every "A at least x" table)
----------------------------------------------------
A band is reached when the value is **at least** its threshold. Percentages arrive as floats
computed as ``B * 100 / C``; that arithmetic can land one unit in the last place below or above
the decimal the author meant (``0.8 * 100 == 80.00000000000001``, ``(7 / 10) * 100 ==
70.00000000000001``, ``56.99999999999999`` …). A float value therefore counts as reaching a
threshold ``t`` when ``value >= t - BOUNDARY_TOL * max(1, |t|)`` with
``BOUNDARY_TOL = 1e-9``. This cannot misclassify a real proportion: for ``A = B * 100 / C`` the
distance between ``A`` and any of the satisfaction thresholds 80/75/70/65/60 is either 0 or at
least ``5 / C`` (e.g. ``|100 B - 80 C| = 20 |5 B - 4 C|``), far above ``1e-7`` for any survey
size below 10⁷, while a genuinely lower value written with ≤ 8 decimals (``79.99999``) stays
below. When the counts are at hand, the ``*_counts`` functions compare exact integers/fractions
(``B * 100 >= t * C`` with ``t`` taken as the exact decimal it is written as) and need no
tolerance.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result
from ._validation import DataValidationError, check_in_range, describe_values
from .likert import BANDS as _LIKERT_BANDS
from .thaidate import BE_OFFSET, parse_thai_date, parse_thai_dates, thai_digits_to_ascii

logger = logging.getLogger(__name__)

__all__ = [
    "BOUNDARY_TOL",
    "LIKERT_BANDS",
    "LIVABLE_CITY_BANDS",
    "SATISFACTION_BANDS",
    "SLA_BANDS",
    "TRAINING_BANDS",
    "Band",
    "BandScore",
    "CountScore",
    "ITSupportScore",
    "LevelScore",
    "PercentScore",
    "ProgressScore",
    "SLACompliance",
    "SatisfactionScore",
    "ThresholdBands",
    "count_livable_city_issues",
    "read_evidence",
    "read_progress",
    "read_requirements",
    "score_committee_share",
    "score_count_bands",
    "score_count_target",
    "score_it_support",
    "score_milestones",
    "score_percent_target",
    "score_quarterly_progress",
    "score_satisfaction",
    "score_satisfaction_counts",
    "score_step_completion",
    "score_training",
    "sla_compliance",
]

#: Relative tolerance absorbing floating-point error at a threshold (see module docstring).
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
    module docstring; :meth:`level_of_fraction` compares exactly.
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
    rounding is level 5 while ``79.99999`` is level 4; see the module docstring. Use
    :func:`score_satisfaction_counts` to compare the counts exactly.

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


# -- shared helpers for data files -----------------------------------------------------------

def _read_table(data: Any, what: str) -> tuple[pd.DataFrame, str | None]:
    """Accept a path (CSV) or a DataFrame; return (frame, source name)."""
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), None
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise FileNotFoundError(f"{what} file not found: {path}")
        return pd.read_csv(path, dtype=str, keep_default_na=False), str(path)
    raise TypeError(f"{what} must be a CSV path or a DataFrame, got {type(data).__name__}")


def _require_columns(df: pd.DataFrame, columns: Sequence[str], source: str | None,
                     what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataValidationError(
            f"{what} needs columns {', '.join(columns)}; missing {', '.join(missing)} "
            f"(found: {', '.join(map(str, df.columns))})", source=source)


def _numeric(df: pd.DataFrame, column: str, source: str | None, *, integer: bool = False,
             low: float | None = None, high: float | None = None,
             allow_missing: bool = False) -> pd.Series:
    raw = df[column]
    text = raw.astype("string").str.strip()
    text = thai_digits_to_ascii(text)
    missing = text.isna() | (text == "")
    values = pd.to_numeric(text.mask(missing), errors="coerce").astype(float)
    bad = values.isna() & ~missing
    if not allow_missing:
        bad |= missing
    if integer:
        bad |= values.notna() & (values != np.round(values))
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= values > high
    if bad.any():
        rng = []
        if low is not None:
            rng.append(f">= {low}")
        if high is not None:
            rng.append(f"<= {high}")
        kind = "an integer" if integer else "a number"
        rule = f"{kind}{' ' + ' and '.join(rng) if rng else ''}"
        raise DataValidationError(
            f"must be {rule}; got {describe_values(raw[bad])}", source=source, column=column,
            rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    return values


_TRUE = {"1", "true", "yes", "y", "done", "met", "ผ่าน", "ใช่", "มี", "ดำเนินการแล้ว", "แล้วเสร็จ"}
_FALSE = {"0", "false", "no", "n", "not met", "pending", "missing", "ไม่ผ่าน", "ไม่ใช่", "ไม่มี",
          "อยู่ระหว่างดำเนินการ", "ยังไม่ดำเนินการ"}


def _boolean(df: pd.DataFrame, column: str, source: str | None) -> pd.Series:
    raw = df[column]
    if raw.dtype == bool:
        return raw
    text = raw.astype("string").str.strip().str.lower()
    is_true = text.isin(_TRUE)
    is_false = text.isin(_FALSE)
    bad = ~(is_true | is_false)
    if bad.any():
        raise DataValidationError(
            f"must be a yes/no value (true/false, 1/0, done/pending, ผ่าน/ไม่ผ่าน …); got "
            f"{describe_values(raw[bad])}", source=source, column=column,
            rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    return is_true.astype(bool)


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
    df, source = _read_table(tickets, "tickets")
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


def _as_of(value: Any) -> pd.Timestamp:
    """A cut-off: a Thai date (``dd/mm/BBBB``, ``m/d/CCCC``), an ISO timestamp, or a date."""
    if isinstance(value, str):
        text = thai_digits_to_ascii(value).strip()
        if ":" in text:
            try:
                return pd.Timestamp(text)
            except ValueError as exc:
                raise ValueError(f"as_of is not a valid timestamp: {value!r}") from exc
        return parse_thai_date(text)
    return pd.Timestamp(value)


def _timestamps(df: pd.DataFrame, column: str, source: str | None, *,
                allow_missing: bool) -> pd.Series:
    raw = df[column]
    text = thai_digits_to_ascii(raw.astype("string").str.strip())
    missing = text.isna() | (text == "")
    parsed = pd.to_datetime(text.mask(missing), errors="coerce", format="ISO8601")
    # ISO strings with a BE year: shift by 543 years
    years = text.str.extract(r"^(\d{4})-")[0].astype(float)
    be = years >= 2400
    if be.any():
        shifted = text[be].str.replace(r"^(\d{4})", lambda m: str(int(m.group(1)) - BE_OFFSET),
                                       regex=True)
        parsed[be] = pd.to_datetime(shifted, errors="coerce", format="ISO8601")
    bad = parsed.isna() & ~missing
    if not allow_missing:
        bad |= missing
    if bad.any():
        raise DataValidationError(
            f"not a valid ISO 8601 timestamp (YYYY-MM-DD HH:MM); got {describe_values(raw[bad])}",
            source=source, column=column, rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    return parsed


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
    df, source = _read_table(issues, "livable-city issues")
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
    df, source = _read_table(evidence, "evidence")
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


# -- percentage and count KPIs ----------------------------------------------------------------

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


def score_step_completion(
    done: int | Sequence[bool] | Any,
    planned: int | None = None,
    *,
    target: float = 80,
    step_names: Sequence[str] | None = None,
) -> PercentScore:
    """Step-completion KPI (seed 004): steps done × 100 / planned steps, against a target.

    Parameters
    ----------
    done : int, sequence of bool, or path / DataFrame
        The number of steps done, one flag per planned step, or a steps file with columns
        ``step`` and ``status`` (yes/no; done/pending …).
    planned : int, optional
        Planned steps (required with an integer ``done``).
    target : float, default 80
        Target percent (seed 004: ร้อยละ 80; "ถ้าครบขั้นตอน คิดเป็นร้อยละ 100").
    step_names : sequence of str, optional
        Names of the steps for a flag sequence.

    Returns
    -------
    PercentScore
    """
    names: list[str] = []
    if isinstance(done, (str, Path, pd.DataFrame)):
        df, source = _read_table(done, "steps")
        _require_columns(df, ["step", "status"], source, "steps")
        flags = _boolean(df, "status", source).to_numpy()
        names = df["step"].astype(str).tolist()
    elif isinstance(done, (int, np.integer)) and not isinstance(done, bool):
        if planned is None:
            raise ValueError("planned is required when done is a count")
        if isinstance(planned, bool) or not isinstance(planned, (int, np.integer)) or planned < 1:
            raise ValueError(f"planned must be a positive integer, got {planned!r}")
        if not 0 <= done <= planned:
            raise ValueError(f"done must be between 0 and planned={planned}, got {done!r}")
        flags = np.arange(planned) < done
    else:
        flags = np.asarray(done)
        if flags.dtype != bool:
            raise TypeError(f"done must be a count, booleans, or a steps file; got {done!r}")
        names = list(step_names) if step_names is not None else []
    if not names:
        names = [f"step {i + 1}" for i in range(len(flags))]
    if len(names) != len(flags):
        raise ValueError(f"step_names has {len(names)} names for {len(flags)} steps")
    if len(flags) == 0:
        raise ValueError("no planned steps")
    num, den = int(flags.sum()), len(flags)
    t = _check_percent("target", target)
    return PercentScore(
        numerator=num, denominator=den, percent=num * 100 / den, target=t,
        target_met=_exact_at_least(num, den, t),
        met=tuple(n for n, f in zip(names, flags, strict=True) if f),
        missing=tuple(n for n, f in zip(names, flags, strict=True) if not f))


#: KPI 6.1.2.1 trainee score bands: ดีมาก ≥ 81, ดี 71–80, ปานกลาง 61–70, พอใช้ 51–60,
#: ควรปรับปรุง below. The seed leaves 50 unassigned ("ต่ำกว่า 50" vs "51 – 60"); here a band is
#: reached when the score is at least its lower bound, so 50 (and 50.5) is ควรปรับปรุง and
#: 80.5 is ดี.
TRAINING_BANDS = ThresholdBands.from_table(
    at_least=[81, 71, 61, 51],
    levels=[5, 4, 3, 2],
    success_percent=[100, 80, 60, 40],
    labels=["ดีมาก", "ดี", "ปานกลาง", "พอใช้"],
    below_level=1,
    name="training score bands (KPI 6.1.2.1)",
)
_TRAINING_LABELS = {5: "ดีมาก", 4: "ดี", 3: "ปานกลาง", 2: "พอใช้", 1: "ควรปรับปรุง"}


def score_training(
    scores: Any,
    *,
    target: float = 80,
    pass_label: str = "ดี",
    bands: ThresholdBands = TRAINING_BANDS,
    column: str = "score",
    id_column: str = "trainee_id",
) -> PercentScore:
    """Training KPI 6.1.2.1: trainees at ดี or better × 100 / all trainees, against 80 %.

    Parameters
    ----------
    scores : array-like, path or DataFrame
        Trainee scores in [0, 100], or a file with a ``score`` column (``trainee_id``
        optional).
    target : float, default 80
    pass_label : str, default "ดี"
        The lowest band that counts as passing.
    bands : ThresholdBands
        Score bands (default :data:`TRAINING_BANDS`; a score of exactly 50 is ควรปรับปรุง).

    Returns
    -------
    PercentScore
        ``detail`` has one row per band: ``band``, ``at_least``, ``n``, ``percent``.
    """
    ids: list[str] | None = None
    if isinstance(scores, (str, Path, pd.DataFrame)):
        df, source = _read_table(scores, "training scores")
        _require_columns(df, [column], source, "training scores")
        values = _numeric(df, column, source, low=0, high=100).to_numpy()
        if id_column in df.columns:
            ids = df[id_column].astype(str).tolist()
    else:
        values = check_in_range("scores", scores, 0, 100)
        values = np.atleast_1d(values)
    if values.size == 0:
        raise ValueError("scores must not be empty")
    labels = {b.label: b for b in bands.bands}
    if pass_label not in labels:
        raise ValueError(f"unknown pass_label {pass_label!r}; valid values are: "
                         f"{', '.join(labels)}")
    level = np.asarray(bands.level(values))
    passed = level >= labels[pass_label].level
    num, den = int(passed.sum()), int(values.size)
    t = _check_percent("target", target)
    counts = pd.Series(level).value_counts()
    rows = [(b.label or _TRAINING_LABELS.get(b.level, str(b.level)), b.at_least,
             int(counts.get(b.level, 0))) for b in bands.bands]
    rows.append((_TRAINING_LABELS.get(bands.below_level, "below"), None,
                 int(counts.get(bands.below_level, 0))))
    detail = pd.DataFrame(rows, columns=["band", "at_least", "n"])
    detail["percent"] = detail["n"] * 100 / den
    ids = ids or [f"trainee {i + 1}" for i in range(den)]
    return PercentScore(
        numerator=num, denominator=den, percent=num * 100 / den, target=t,
        target_met=_exact_at_least(num, den, t),
        met=(), missing=tuple(i for i, p in zip(ids, passed, strict=True) if not p),
        detail=detail)


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
    if isinstance(count, (str, Path, pd.DataFrame)):
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
            raise ValueError(f"out_of={out_of} but the data has {len(flags)} items")
        out_of = len(flags)
        met = tuple(nm for nm, f in zip(names, flags, strict=True) if f)
        missing = tuple(nm for nm, f in zip(names, flags, strict=True) if not f)
    else:
        n = int(count)
        if n < 0 or (out_of is not None and n > out_of):
            raise ValueError(f"count must be between 0 and out_of={out_of}, got {count!r}")
        met = missing = ()
    if out_of is not None and target > out_of:
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
    df, source = _read_table(committees, "committees")
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


# -- quarterly progress against a cumulative plan ---------------------------------------------

def read_progress(progress: Any) -> pd.DataFrame:
    """Read and validate a quarterly progress file (Thai fiscal year, Q1 = Oct–Dec).

    Columns: ``quarter`` (1–4, strictly increasing), ``plan_percent`` and ``actual_percent``
    (cumulative, in [0, 100], never decreasing), optional ``report_date`` (``dd/mm/BBBB`` or
    ``m/d/CCCC``, Thai digits allowed; must fall in the stated quarter), optional
    ``fiscal_year`` (BE; one value), optional ``assessed`` (yes/no: whether the evaluator
    scored the quarter; the seed leaves Q2 of KPI 0411-2029 blank).

    Returns
    -------
    DataFrame
        Parsed columns; ``report_date`` as datetime64 (NaT when absent).

    Raises
    ------
    DataValidationError
        Naming the file, column and row of: quarters out of 1–4, going backwards or repeated;
        a cumulative plan or result that decreases; a date that is not a valid BE/CE date or
        lies outside its quarter / fiscal year.
    """
    df, source = _read_table(progress, "progress")
    _require_columns(df, ["quarter", "plan_percent", "actual_percent"], source, "progress")
    if len(df) == 0:
        raise DataValidationError("progress file has no rows", source=source)
    quarter = _numeric(df, "quarter", source, integer=True, low=1, high=4).astype(int)
    back = quarter.diff() <= 0
    if back.any():
        rows = (np.flatnonzero(back.to_numpy()) + 1).tolist()
        raise DataValidationError(
            f"quarters must increase from row to row; quarter {quarter[back].iloc[0]} comes "
            f"after quarter {quarter.shift()[back].iloc[0]:.0f} (quarters go backwards or "
            "repeat)", source=source, column="quarter", rows=rows)
    out = pd.DataFrame({"quarter": quarter})
    for col in ("plan_percent", "actual_percent"):
        v = _numeric(df, col, source, low=0, high=100, allow_missing=(col == "actual_percent"))
        dec = v.diff() < 0
        if dec.any():
            raise DataValidationError(
                f"cumulative values must not decrease; {v.shift()[dec].iloc[0]:g} then "
                f"{v[dec].iloc[0]:g}", source=source, column=col,
                rows=(np.flatnonzero(dec.to_numpy()) + 1).tolist())
        out[col] = v
    fy = None
    if "fiscal_year" in df.columns:
        fyv = _numeric(df, "fiscal_year", source, integer=True, low=2443, high=2742)
        if fyv.nunique() != 1:
            raise DataValidationError(f"one fiscal year per file; got {sorted(set(fyv))}",
                                      source=source, column="fiscal_year")
        fy = int(fyv.iloc[0])
    out["fiscal_year"] = fy
    if "report_date" in df.columns:
        dates = parse_thai_dates(df["report_date"], source=source, column="report_date")
        has = dates.notna()
        q = dates[has].dt.to_period("Q-SEP")
        wrong_q = pd.Series(False, index=df.index)
        wrong_q[has] = q.dt.quarter.to_numpy() != quarter[has].to_numpy()
        if wrong_q.any():
            raise DataValidationError(
                f"report_date {describe_values(df['report_date'][wrong_q])} is not in the "
                "stated fiscal quarter (Q1 = Oct–Dec, Q2 = Jan–Mar, Q3 = Apr–Jun, Q4 = Jul–Sep)",
                source=source, column="report_date",
                rows=(np.flatnonzero(wrong_q.to_numpy()) + 1).tolist())
        fys = (q.dt.qyear + BE_OFFSET)
        if fy is not None:
            wrong_y = pd.Series(False, index=df.index)
            wrong_y[has] = fys.to_numpy() != fy
            if wrong_y.any():
                raise DataValidationError(
                    f"report_date {describe_values(df['report_date'][wrong_y])} is not in "
                    f"fiscal year {fy}", source=source, column="report_date",
                    rows=(np.flatnonzero(wrong_y.to_numpy()) + 1).tolist())
        elif fys.nunique() > 1:
            raise DataValidationError(
                f"report dates span fiscal years {sorted(set(fys))}", source=source,
                column="report_date")
        else:
            out["fiscal_year"] = int(fys.iloc[0]) if len(fys) else None
        out["report_date"] = dates
    else:
        out["report_date"] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    out["assessed"] = (_boolean(df, "assessed", source) if "assessed" in df.columns
                       else pd.Series(True, index=df.index))
    return out


@dataclasses.dataclass(frozen=True)
class ProgressScore(Result):
    """Quarterly progress of a percentage KPI against its cumulative plan.

    Attributes
    ----------
    quarters : DataFrame
        Per quarter: ``quarter``, ``report_date``, ``plan_percent``, ``actual_percent``,
        ``score`` (= min(100, actual × 100 / plan)), ``assessed``, ``assessed_score``
        (the score where the quarter was assessed, else NaN), ``on_plan``.
    percent : float
        The latest cumulative result.
    target : float
        The year-end target.
    target_met : bool
        Latest result ≥ target.
    fiscal_year : int or None
        BE fiscal year.
    behind_plan : tuple of int
        Quarters whose result is below plan — what was missing.
    """

    quarters: pd.DataFrame
    percent: float
    target: float
    target_met: bool
    fiscal_year: int | None
    behind_plan: tuple[int, ...] = ()


def score_quarterly_progress(progress: Any, *, target: float = 100) -> ProgressScore:
    """Score quarterly progress (e.g. campaign KPI 0411-2029: plan 10/30/70/100 %).

    Parameters
    ----------
    progress : path or DataFrame
        See :func:`read_progress`.
    target : float, default 100
        Year-end target percent.

    Returns
    -------
    ProgressScore

    Notes
    -----
    Quarter score = ``min(100, actual × 100 / plan)`` (100 when the plan is 0), the rule that
    reproduces seed 003's assessed scores (10/30/70/100 against plan 10/30/70/100 → 100 each;
    the evaluator left Q2 blank, which the file records as ``assessed = no``).
    """
    df = read_progress(progress)
    t = _check_percent("target", target)
    plan = df["plan_percent"].to_numpy(dtype=float)
    actual = df["actual_percent"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(plan > 0, actual * 100 / np.where(plan > 0, plan, 1), 100.0)
    score = np.minimum(100.0, ratio)
    score = np.where(np.isnan(actual), np.nan, score)
    q = df[["quarter", "report_date", "plan_percent", "actual_percent"]].copy()
    q["score"] = score
    q["assessed"] = df["assessed"].to_numpy()
    q["assessed_score"] = np.where(q["assessed"], score, np.nan)
    q["on_plan"] = actual >= plan - BOUNDARY_TOL * np.maximum(1, plan)
    reported = q.dropna(subset=["actual_percent"])
    if reported.empty:
        raise DataValidationError("no quarter has a result (actual_percent all empty)")
    latest = float(reported["actual_percent"].iloc[-1])
    fy = df["fiscal_year"].iloc[0]
    return ProgressScore(
        quarters=q, percent=latest, target=t,
        target_met=latest >= t - BOUNDARY_TOL * max(1.0, t),
        fiscal_year=int(fy) if fy is not None and not pd.isna(fy) else None,
        behind_plan=tuple(int(x) for x in reported.loc[~reported["on_plan"], "quarter"]))


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


def read_requirements(requirements: Any) -> list[tuple[str, bool]]:
    """Read a small file of extra requirements (``criterion``, ``status``[, ``date``]).

    Returns ``[(criterion, met), ...]`` for the ``top_level_requires`` argument of
    :func:`score_count_bands` and :func:`score_satisfaction` (e.g. the report to executives).
    """
    df, source = _read_table(requirements, "requirements")
    _require_columns(df, ["criterion", "status"], source, "requirements")
    met = _boolean(df, "status", source)
    if "date" in df.columns:
        parse_thai_dates(df["date"], source=source, column="date")  # validate only
    return [(str(c), bool(m)) for c, m in zip(df["criterion"], met, strict=True)]
