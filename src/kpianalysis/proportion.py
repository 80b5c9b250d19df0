"""Confidence intervals for a binomial proportion and for a difference of two proportions.

Simple-random-sample intervals, as used for the satisfaction KPIs (A = B × 100 / C) when the
survey carries no design information. Design-based intervals live in :mod:`kpianalysis.design`.

References
----------
Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial proportion.
*Statistical Science* 16(2), 101–133. https://doi.org/10.1214/ss/1009213286
Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion: comparison
of seven methods. *Statistics in Medicine* 17, 857–872.
Newcombe, R. G. (1998b). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from ._results import ConfidenceInterval, Result, confidence_label, format_interval, format_value
from ._validation import check_confidence

__all__ = [
    "jeffreys_p_at_least",
    "PROPORTION_CI_ALIASES",
    "PROPORTION_CI_METHODS",
    "PROPORTION_CI_NAMES",
    "ProportionCI",
    "ProportionDifference",
    "canonical_proportion_ci_method",
    "proportion_ci",
    "proportion_difference_ci",
]

ProportionCIMethod = Literal[
    "wilson", "clopper-pearson", "agresti-coull", "jeffreys", "normal",
    "wald", "beta", "clopper_pearson", "agresti_coull",
]

#: The canonical ``method`` names of :func:`proportion_ci` (what a result's ``method`` says).
PROPORTION_CI_METHODS: frozenset[str] = frozenset(
    {"wilson", "clopper-pearson", "agresti-coull", "jeffreys", "normal"}
)

#: Other accepted spellings → canonical name: statsmodels' ``proportion_confint`` names
#: (``normal``, ``beta``, ``agresti_coull``, ``wilson``, ``jeffreys``), the textbook name
#: ``wald`` and the underscore forms. Every alias gives the same numbers as its method.
PROPORTION_CI_ALIASES: Mapping[str, str] = MappingProxyType({
    "wald": "normal",
    "beta": "clopper-pearson",
    "clopper_pearson": "clopper-pearson",
    "agresti_coull": "agresti-coull",
})

#: Every spelling :func:`proportion_ci` accepts (canonical names and aliases).
PROPORTION_CI_NAMES: frozenset[str] = PROPORTION_CI_METHODS | frozenset(PROPORTION_CI_ALIASES)


def _accepted_spellings() -> str:
    parts = []
    for name in sorted(PROPORTION_CI_METHODS):
        aliases = sorted(a for a, c in PROPORTION_CI_ALIASES.items() if c == name)
        parts.append(f"{name} (or {', '.join(aliases)})" if aliases else name)
    return "; ".join(parts)


def canonical_proportion_ci_method(method: Any) -> str:
    """The canonical name of an interval method given by any accepted spelling.

    >>> canonical_proportion_ci_method("wald"), canonical_proportion_ci_method("beta")
    ('normal', 'clopper-pearson')

    Raises
    ------
    ValueError
        An unknown name (exact spelling only, no prefixes); the message lists every accepted
        spelling.
    """
    if isinstance(method, str):
        if method in PROPORTION_CI_METHODS:
            return method
        if method in PROPORTION_CI_ALIASES:
            return PROPORTION_CI_ALIASES[method]
    raise ValueError(f"unknown method {method!r}; valid values are: {_accepted_spellings()}")


@dataclasses.dataclass(frozen=True)
class ProportionCI(Result):
    """A proportion with its confidence interval.

    Attributes
    ----------
    estimate : float or ndarray
        ``count / nobs``.
    low, high : float or ndarray
        Interval bounds, clipped to [0, 1].
    count, nobs : int or ndarray
        The inputs.
    method : str
        One of :data:`PROPORTION_CI_METHODS`.
    confidence : float
        Nominal two-sided coverage.
    """

    estimate: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    count: int | np.ndarray
    nobs: int | np.ndarray
    method: str
    confidence: float

    @property
    def ci(self) -> ConfidenceInterval:
        """The interval as a :class:`ConfidenceInterval` (scalar inputs only)."""
        return ConfidenceInterval(float(self.low), float(self.high), self.confidence, self.method)

    def __iter__(self):  # ``low, high = proportion_ci(...)``
        yield self.low
        yield self.high

    def _summary_lines(self) -> list[str]:
        if np.ndim(self.estimate) == 0:
            return [f"ProportionCI: {format_value(self.estimate)} "
                    f"({self.count} of {self.nobs})",
                    format_interval(self.low, self.high, self.confidence, self.method)]
        est, low, high, count, nobs = (np.atleast_1d(np.asarray(v)) for v in (
            self.estimate, self.low, self.high, self.count, self.nobs))
        count, nobs = np.broadcast_to(count, est.shape), np.broadcast_to(nobs, est.shape)
        lines = [f"ProportionCI: {est.size} proportions, "
                 f"{confidence_label(self.confidence)} CI ({self.method})"]
        shown = 10
        lines += [f"{format_value(e)} ({c} of {n}) {format_interval(lo, hi)}"
                  for e, lo, hi, c, n in zip(est.ravel()[:shown], low.ravel()[:shown],
                                             high.ravel()[:shown], count.ravel()[:shown],
                                             nobs.ravel()[:shown], strict=True)]
        if est.size > shown:
            lines.append(f"… {est.size - shown} more")
        return lines


def _check_counts(count, nobs) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    if np.any(~np.isfinite(n)) or np.any(n <= 0) or np.any(n != np.floor(n)):
        raise ValueError(f"nobs must be a positive integer; got {nobs!r}")
    if np.any(~np.isfinite(c)) or np.any(c < 0) or np.any(c != np.floor(c)):
        raise ValueError(f"count must be a non-negative integer; got {count!r}")
    if np.any(c > n):
        raise ValueError(f"count must not exceed nobs; got count={count!r}, nobs={nobs!r}")
    return c, n


def _unwrap(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def proportion_ci(
    count: int | np.ndarray,
    nobs: int | np.ndarray,
    method: ProportionCIMethod = "wilson",
    confidence: float = 0.95,
) -> ProportionCI:
    """Confidence interval for a binomial proportion ``count / nobs``.

    Parameters
    ----------
    count : int or array_like of int
        Number of successes (e.g. respondents scoring ≥ 3.51).
    nobs : int or array_like of int
        Number of trials (respondents scored).
    method : str, default "wilson"
        ``"wilson"`` — score interval (Wilson 1927), the default: good coverage at every n.
        ``"clopper-pearson"`` (also ``"beta"``, ``"clopper_pearson"``) — exact interval from
        beta quantiles; conservative.
        ``"agresti-coull"`` (also ``"agresti_coull"``) — adjusted Wald interval.
        ``"jeffreys"`` — equal-tailed Beta(count + ½, nobs − count + ½) interval with the
        Brown–Cai–DasGupta (2001, §4.1.2) boundary rule: lower bound 0 when ``count == 0``,
        upper bound 1 when ``count == nobs``.
        ``"normal"`` (also ``"wald"``) — Wald interval; shown for comparison only, poor
        coverage near 0 or 1.
        The aliases are statsmodels' ``proportion_confint`` spellings (``normal``, ``beta``,
        ``agresti_coull``, ``wilson``, ``jeffreys``) and ``wald``; they give the same numbers
        as the canonical name, which the result's ``method`` reports
        (:data:`PROPORTION_CI_ALIASES`).
    confidence : float, default 0.95
        Two-sided confidence level in (0, 1).

    Returns
    -------
    ProportionCI
        ``estimate``, ``low``, ``high`` (clipped to [0, 1]), the inputs, method and level.

    Raises
    ------
    ValueError
        Unknown ``method`` (the message lists every accepted spelling), ``confidence`` outside
        (0, 1), negative or non-integer counts, ``count > nobs``.

    Examples
    --------
    Newcombe (1998a), Table I, 81 of 263:

    >>> ci = proportion_ci(81, 263, method="wilson")
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.2553, 0.3662)
    >>> print(ci)
    ProportionCI: 0.308 (81 of 263)
      95% CI [0.2553, 0.3662] (wilson)
    """
    from scipy import stats  # imported on first use: the catalog needs none of it
    method = canonical_proportion_ci_method(method)
    conf = check_confidence(confidence)
    c, n = _check_counts(count, nobs)
    alpha = 1.0 - conf
    z = stats.norm.isf(alpha / 2)
    p = c / n

    if method == "wilson":
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        # Analytically the bounds are exactly 0 at count == 0 and 1 at count == nobs.
        low = np.where(c == 0, 0.0, centre - half)
        high = np.where(c == n, 1.0, centre + half)
    elif method == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            low = np.where(c > 0, stats.beta.ppf(alpha / 2, c, n - c + 1), 0.0)
            high = np.where(c < n, stats.beta.isf(alpha / 2, c + 1, n - c), 1.0)
    elif method == "agresti-coull":
        n_t = n + z**2
        p_t = (c + z**2 / 2) / n_t
        half = z * np.sqrt(p_t * (1 - p_t) / n_t)
        low, high = p_t - half, p_t + half
    elif method == "jeffreys":
        low = np.where(c > 0, stats.beta.ppf(alpha / 2, c + 0.5, n - c + 0.5), 0.0)
        high = np.where(c < n, stats.beta.isf(alpha / 2, c + 0.5, n - c + 0.5), 1.0)
    else:  # normal
        half = z * np.sqrt(p * (1 - p) / n)
        low, high = p - half, p + half

    low = np.clip(low, 0.0, 1.0)
    high = np.clip(high, 0.0, 1.0)
    return ProportionCI(
        estimate=_unwrap(p),
        low=_unwrap(low),
        high=_unwrap(high),
        count=int(c) if np.ndim(c) == 0 else c.astype(np.int64),
        nobs=int(n) if np.ndim(n) == 0 else n.astype(np.int64),
        method=method,
        confidence=conf,
    )


@dataclasses.dataclass(frozen=True)
class ProportionDifference(Result):
    """Difference ``p1 − p2`` of two independent proportions with its confidence interval."""

    difference: float
    low: float
    high: float
    p1: float
    p2: float
    method: str
    confidence: float

    @property
    def ci(self) -> ConfidenceInterval:
        """The interval as a :class:`ConfidenceInterval`."""
        return ConfidenceInterval(self.low, self.high, self.confidence, self.method)

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval excludes 0 (the two proportions differ at this level)."""
        return self.low > 0 or self.high < 0

    def _summary_lines(self) -> list[str]:
        verdict = "excludes 0" if self.excludes_zero else "includes 0"
        return [f"ProportionDifference: {format_value(self.difference)} = "
                f"{format_value(self.p1)} − {format_value(self.p2)}",
                f"{format_interval(self.low, self.high, self.confidence, self.method)}; "
                f"{verdict}"]


def proportion_difference_ci(
    count1: int, nobs1: int, count2: int, nobs2: int, confidence: float = 0.95
) -> ProportionDifference:
    """Newcombe's hybrid score interval for the difference of two independent proportions.

    Method 10 of Newcombe (1998b): combines the Wilson intervals of each proportion; it keeps
    close to nominal coverage for small samples and never leaves [−1, 1].

    Parameters
    ----------
    count1, nobs1 : int
        Successes and trials of the first sample (e.g. round 2).
    count2, nobs2 : int
        Successes and trials of the second sample (e.g. round 1).
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    ProportionDifference

    Examples
    --------
    Newcombe (1998b), Table II, example (a): 56/70 − 48/80.

    >>> d = proportion_difference_ci(56, 70, 48, 80)
    >>> round(d.low, 4), round(d.high, 4)
    (0.0524, 0.3339)
    """
    a = proportion_ci(count1, nobs1, "wilson", confidence)
    b = proportion_ci(count2, nobs2, "wilson", confidence)
    p1, p2 = float(a.estimate), float(b.estimate)
    l1, u1, l2, u2 = float(a.low), float(a.high), float(b.low), float(b.high)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return ProportionDifference(
        difference=d,
        low=float(low),
        high=float(high),
        p1=p1,
        p2=p2,
        method="newcombe-hybrid-score",
        confidence=float(confidence),
    )


def jeffreys_p_at_least(b: int, c: int, threshold: float) -> float:
    """``P(p ≥ threshold)`` under the Jeffreys posterior ``Beta(b + ½, c − b + ½)``.

    The chance a proportion of ``b`` successes in ``c`` trials is at least ``threshold``:
    the same posterior gives the Jeffreys interval (Brown, Cai & DasGupta 2001), so at the
    interval's upper bound it is ``(1 − confidence) / 2``. In R:
    ``pbeta(threshold, b + 0.5, c - b + 0.5, lower.tail = FALSE)``.
    """
    from scipy import stats  # imported on first use: the catalog needs none of it

    return float(stats.beta.sf(threshold, b + 0.5, c - b + 0.5))
