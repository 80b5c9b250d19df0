"""Sample sizes and precision for estimating a proportion, and allocation across strata.

Every function is vectorised: numeric arguments may be scalars or array-likes that broadcast
against each other. A function returns a Python ``int`` (or ``float``) when every numeric
argument is a scalar and a NumPy array otherwise.

Conventions shared by :func:`cochran`, :func:`margin_of_error` and
:func:`n_one_sided_proportion_test`:

* ``population`` (N) switches on the finite-population correction (FPC) for sampling without
  replacement, with the variance of a sample proportion ``PQ/n · (N − n)/(N − 1)`` (Cochran
  1977, Theorem 3.2). Solving for ``n`` gives ``n = n0 / (1 + (n0 − 1)/N)`` (Cochran 1977,
  eq. 4.2), which equals the form ``N z²PQ / (d²(N − 1) + z²PQ)`` used by Krejcie & Morgan and by
  ``samplics``. The correction is never allowed to *increase* the sample size (it would, for
  ``n0 < 1`` only).
* ``deff`` is Kish's design effect: a design with ``n`` respondents is as precise as a simple
  random sample (without replacement) of ``n / deff``. The required sample is therefore ``deff``
  times the SRS size, and the completed sample is capped at ``N`` (a census has no sampling
  error). This is the convention of ``samplics.SampleSize`` (deff applied after the FPC).
* ``response_rate`` inflates the number of people to *approach*: ``n / response_rate``. That
  number may exceed ``N``, which means the precision cannot be reached at that response rate.
* Sample sizes are rounded up (``rounding="ceil"``), after rounding to 8 decimals so that
  floating-point noise (``385.00000000001``) does not add a respondent. ``rounding="nearest"``
  (half up) reproduces published tables that round to the nearest integer.

References
----------
Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley. Sections 3.2, 4.4, 5.5.
Yamane, T. (1967). *Statistics: An Introductory Analysis* (2nd ed.). Harper & Row.
Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research activities.
*Educational and Psychological Measurement* 30, 607–610, Table 1.
Kish, L. (1965). *Survey Sampling*. Wiley. Section 8.2 (design effect).
Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
Proportions* (3rd ed.). Wiley. Section 2.5 (sample size for a one-sample test).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from ._results import Result, format_value
from ._validation import check_choice, check_in_range, check_positive, check_probability

__all__ = [
    "ALLOCATION_METHODS",
    "Allocation",
    "allocate",
    "cochran",
    "krejcie_morgan",
    "margin_of_error",
    "n_one_sided_proportion_test",
    "yamane",
]

logger = logging.getLogger(__name__)

Rounding = Literal["ceil", "nearest"]
AllocationMethod = Literal["proportional", "neyman", "equal"]

#: Valid ``method`` names of :func:`allocate`.
ALLOCATION_METHODS: frozenset[str] = frozenset({"proportional", "neyman", "equal"})
_ROUNDINGS = frozenset({"ceil", "nearest"})


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def _is_scalar(*values: Any) -> bool:
    return all(v is None or np.ndim(v) == 0 for v in values)


def _check_open_unit(name: str, value: Any) -> np.ndarray:
    return check_in_range(name, value, 0.0, 1.0, low_inclusive=False, high_inclusive=False)


def _check_margin(margin: Any) -> np.ndarray:
    return _check_open_unit("margin", margin)


def _check_response_rate(response_rate: Any) -> np.ndarray:
    return check_in_range(
        "response_rate", response_rate, 0.0, 1.0, low_inclusive=False, high_inclusive=True
    )


def _check_population(population: Any) -> np.ndarray | None:
    if population is None:
        return None
    arr = check_in_range("population", population, 1.0, np.inf)
    return arr


def _z_two_sided(confidence: np.ndarray) -> np.ndarray:
    return stats.norm.isf((1.0 - confidence) / 2.0)


def _round(x: np.ndarray, rounding: str) -> np.ndarray:
    check_choice("rounding", rounding, _ROUNDINGS)
    x = np.round(np.asarray(x, dtype=float), 8)
    out = np.ceil(x) if rounding == "ceil" else np.floor(x + 0.5)
    return out.astype(np.int64)


def _as_result(x: np.ndarray, scalar: bool) -> int | np.ndarray:
    return int(x) if scalar else x


def _fpc_size(n0: np.ndarray, population: np.ndarray) -> np.ndarray:
    """``n0 / (1 + (n0 − 1)/N)``, never above ``n0``; safe for ``N = inf`` and ``n0 = 0``."""
    den = 1.0 + (n0 - 1.0) / population
    n0b, denb = np.broadcast_arrays(n0, den)
    n = np.divide(n0b, denb, out=np.zeros(n0b.shape), where=n0b > 0)
    return np.minimum(n0, n)


def _finalise(
    n0: np.ndarray,
    population: np.ndarray | None,
    deff: np.ndarray,
    response_rate: np.ndarray,
) -> np.ndarray:
    """FPC (never increasing n), design effect, census cap and response-rate inflation."""
    n = n0
    if population is not None:
        n = _fpc_size(n0, population)
    n = n * deff
    if population is not None:
        n = np.minimum(n, population)
    return n / response_rate


# ---------------------------------------------------------------------------------------------
# sample size for a margin of error
# ---------------------------------------------------------------------------------------------
def cochran(
    p: ArrayLike = 0.5,
    margin: ArrayLike = 0.05,
    confidence: ArrayLike = 0.95,
    population: ArrayLike | None = None,
    deff: ArrayLike = 1.0,
    response_rate: ArrayLike = 1.0,
    *,
    rounding: Rounding = "ceil",
) -> int | np.ndarray:
    """Sample size to estimate a proportion within ``± margin`` (Cochran's formula).

    ``n0 = z² p (1 − p) / margin²`` with ``z`` the two-sided normal quantile of
    ``confidence``; with ``population`` the finite-population correction
    ``n = n0 / (1 + (n0 − 1)/N)``; then ``n × deff``, capped at ``N``, divided by
    ``response_rate``, rounded up.

    Parameters
    ----------
    p : float or array_like, default 0.5
        Anticipated proportion in [0, 1]; 0.5 gives the largest (safest) size.
    margin : float or array_like, default 0.05
        Half-width of the confidence interval on the proportion scale, in (0, 1).
    confidence : float or array_like, default 0.95
        Two-sided confidence level in (0, 1).
    population : float or array_like, optional
        Population size N (>= 1) for the finite-population correction; ``None`` (or
        ``np.inf`` elements) for an infinite population.
    deff : float or array_like, default 1.0
        Design effect (> 0).
    response_rate : float or array_like, default 1.0
        Expected response rate in (0, 1]; the result is the number to approach.
    rounding : {"ceil", "nearest"}, default "ceil"
        How to turn the real-valued size into an integer.

    Returns
    -------
    int or ndarray of int64
        ``int`` when every numeric argument is a scalar.

    Raises
    ------
    ValueError
        If an argument is outside its range (the message names it and the value).

    Notes
    -----
    For ``p = 0.5, margin = 0.05, confidence = 0.95``: ``z = 1.959964``,
    ``n0 = 384.146`` and the sample size is 385 (Cochran 1977, section 4.4). With
    ``population=10_000`` the corrected size is 370. These agree with
    ``samplics.SampleSize(param="proportion", method="wald").calculate(half_ci=0.05,
    target=0.5, pop_size=N)``.

    Examples
    --------
    >>> cochran()
    385
    >>> cochran(population=10_000)
    370
    >>> cochran(margin=[0.03, 0.05]).tolist()
    [1068, 385]
    """
    scalar = _is_scalar(p, margin, confidence, population, deff, response_rate)
    p_ = check_probability("p", p)
    e = _check_margin(margin)
    z = _z_two_sided(_check_open_unit("confidence", confidence))
    N = _check_population(population)
    d = check_positive("deff", deff)
    rr = _check_response_rate(response_rate)
    n0 = z**2 * p_ * (1.0 - p_) / e**2
    return _as_result(_round(_finalise(n0, N, d, rr), rounding), scalar)


def yamane(
    population: ArrayLike,
    margin: ArrayLike = 0.05,
    *,
    rounding: Rounding = "ceil",
) -> int | np.ndarray:
    """Yamane's (1967) simplified sample size ``n = N / (1 + N e²)``.

    Equivalent to Cochran's formula with ``p = 0.5`` and ``z = 2`` (about 95.4 %
    confidence) and the approximate correction ``n0 / (1 + n0/N)``.

    Parameters
    ----------
    population : float or array_like
        Population size N (>= 1).
    margin : float or array_like, default 0.05
        Precision ``e`` in (0, 1).
    rounding : {"ceil", "nearest"}, default "ceil"
        Published tables of the formula (e.g. Israel 1992, Table 2) round to the nearest
        integer; ``"ceil"`` never under-samples.

    Returns
    -------
    int or ndarray of int64

    Examples
    --------
    >>> yamane(10_000)
    385
    >>> yamane(500), yamane(500, rounding="nearest")
    (223, 222)
    """
    scalar = _is_scalar(population, margin)
    N = _check_population(population)
    e = _check_margin(margin)
    # N / (1 + N e²) written as n0 / (1 + n0/N), n0 = 1/e², so that N = inf gives 1/e²
    n0 = 1.0 / e**2
    return _as_result(_round(n0 / (1.0 + n0 / N), rounding), scalar)


def krejcie_morgan(
    population: ArrayLike,
    chi2: ArrayLike = 3.841,
    p: ArrayLike = 0.5,
    margin: ArrayLike = 0.05,
    *,
    rounding: Rounding = "nearest",
) -> int | np.ndarray:
    """Krejcie & Morgan's (1970) sample size ``s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P))``.

    Parameters
    ----------
    population : float or array_like
        Population size N (>= 1).
    chi2 : float or array_like, default 3.841
        Chi-square value for 1 degree of freedom at the desired confidence (3.841 for 95 %).
    p : float or array_like, default 0.5
        Population proportion P in [0, 1].
    margin : float or array_like, default 0.05
        Degree of accuracy d in (0, 1).
    rounding : {"nearest", "ceil"}, default "nearest"
        ``"nearest"`` (half up) reproduces the published Table 1.

    Returns
    -------
    int or ndarray of int64

    Notes
    -----
    Rounding the formula to the nearest integer reproduces 90 of the 91 entries of Krejcie &
    Morgan (1970), Table 1 (rounding up disagrees with 46 of them). The exception is
    N = 100,000: the formula gives 382.63 (383), the table prints 384, which is the limit of
    the formula for N → ∞ (χ²P(1−P)/d² = 384.1). The N = 1,000,000 entry, 384, is the formula
    (383.95) rounded.

    Examples
    --------
    >>> krejcie_morgan([10, 100, 500, 1000, 10_000]).tolist()
    [10, 80, 217, 278, 370]
    """
    scalar = _is_scalar(population, chi2, p, margin)
    N = _check_population(population)
    x2 = check_positive("chi2", chi2)
    p_ = check_probability("p", p)
    d = _check_margin(margin)
    # the formula divided through by d²: n0 / (1 + (n0 − 1)/N) with n0 = χ²P(1−P)/d²
    n0 = x2 * p_ * (1.0 - p_) / d**2
    return _as_result(_round(_fpc_size(n0, N), rounding), scalar)


def margin_of_error(
    n: ArrayLike,
    p: ArrayLike = 0.5,
    confidence: ArrayLike = 0.95,
    population: ArrayLike | None = None,
    deff: ArrayLike = 1.0,
) -> float | np.ndarray:
    """Half-width of the normal-approximation confidence interval reached by ``n`` respondents.

    ``z · sqrt(p (1 − p) / n_eff · (N − n_eff)/(N − 1))`` with ``n_eff = n / deff``; without
    ``population`` the last factor is 1. This is the inverse of :func:`cochran` before
    rounding.

    Parameters
    ----------
    n : float or array_like
        Completed sample size (> 0, and not larger than ``population``).
    p : float or array_like, default 0.5
        Proportion in [0, 1] (0.5 gives the widest margin).
    confidence : float or array_like, default 0.95
        Two-sided confidence level in (0, 1).
    population : float or array_like, optional
        Population size N for the finite-population correction.
    deff : float or array_like, default 1.0
        Design effect (> 0).

    Returns
    -------
    float or ndarray
        On the proportion scale (0.05 = 5 percentage points).

    Raises
    ------
    ValueError
        If ``n > population`` or another argument is out of range.

    Examples
    --------
    >>> round(margin_of_error(385), 4)
    0.0499
    >>> round(margin_of_error(10_000, p=0.8), 4)
    0.0078
    """
    scalar = _is_scalar(n, p, confidence, population, deff)
    n_ = check_positive("n", n)
    p_ = check_probability("p", p)
    z = _z_two_sided(_check_open_unit("confidence", confidence))
    N = _check_population(population)
    d = check_positive("deff", deff)
    n_eff = n_ / d
    var = p_ * (1.0 - p_) / n_eff
    if N is not None:
        too_big = np.broadcast_to(n_ > N, np.broadcast(n_, N).shape)
        if np.any(too_big):
            nb, Nb = np.broadcast_arrays(n_, N)
            raise ValueError(
                f"n must not exceed population; got n={nb[too_big].tolist()[:5]} with "
                f"population={Nb[too_big].tolist()[:5]}"
            )
        finite = np.isfinite(N)
        Nf = np.where(finite, N, 2.0)
        num = np.maximum(Nf - n_eff, 0.0)
        den = Nf - 1.0
        fpc = np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)
        var = var * np.where(finite, fpc, 1.0)
    moe = z * np.sqrt(var)
    return float(moe) if scalar else np.asarray(moe, dtype=float)


def n_one_sided_proportion_test(
    p_target: ArrayLike,
    p_expected: ArrayLike,
    alpha: ArrayLike = 0.05,
    power: ArrayLike = 0.8,
    population: ArrayLike | None = None,
    deff: ArrayLike = 1.0,
    response_rate: ArrayLike = 1.0,
    *,
    rounding: Rounding = "ceil",
) -> int | np.ndarray:
    """Sample size for a one-sided test that a proportion differs from a target in one direction.

    Typical KPI use: the target is 80 % and the true value is expected to be 77 %; how many
    respondents are needed so that a one-sided level-``alpha`` test of
    ``H0: p >= p_target`` against ``H1: p < p_target`` rejects with probability ``power``?
    The direction of ``H1`` is the side of ``p_target`` on which ``p_expected`` lies, so the
    same function sizes a test that a target is exceeded.

    ``n0 = ((z_{1−α} sqrt(p0 q0) + z_{power} sqrt(p1 q1)) / (p0 − p1))²`` (Fleiss, Levin &
    Paik 2003, eq. 2.23 without continuity correction), with ``p0 = p_target`` and
    ``p1 = p_expected``; then the finite-population correction, ``deff`` and
    ``response_rate`` as in :func:`cochran`.

    Parameters
    ----------
    p_target : float or array_like
        The value under the null hypothesis, in (0, 1).
    p_expected : float or array_like
        The anticipated true value, in [0, 1], different from ``p_target``.
    alpha : float or array_like, default 0.05
        One-sided significance level in (0, 1).
    power : float or array_like, default 0.8
        Required power in (0, 1).
    population, deff, response_rate
        As in :func:`cochran`.
    rounding : {"ceil", "nearest"}, default "ceil"

    Returns
    -------
    int or ndarray of int64
        0 when ``power <= alpha`` makes the requirement void.

    Notes
    -----
    Agrees with ``statsmodels.stats.power.normal_sample_size_one_tail(diff, power, alpha,
    std_null=sqrt(p0 q0), std_alternative=sqrt(p1 q1))`` before rounding.

    Examples
    --------
    >>> n_one_sided_proportion_test(0.80, 0.77)
    1139
    """
    scalar = _is_scalar(p_target, p_expected, alpha, power, population, deff, response_rate)
    p0 = _check_open_unit("p_target", p_target)
    p1 = check_probability("p_expected", p_expected)
    a = _check_open_unit("alpha", alpha)
    pw = _check_open_unit("power", power)
    N = _check_population(population)
    d = check_positive("deff", deff)
    rr = _check_response_rate(response_rate)
    diff = p0 - p1
    same = np.broadcast_to(diff == 0, diff.shape)
    if np.any(same):
        raise ValueError(
            "p_expected must differ from p_target; got p_target == p_expected == "
            f"{np.broadcast_to(p0, diff.shape)[same].tolist()[:5]}"
        )
    num = stats.norm.isf(a) * np.sqrt(p0 * (1 - p0)) + stats.norm.isf(1 - pw) * np.sqrt(
        p1 * (1 - p1)
    )
    n0 = (np.maximum(num, 0.0) / diff) ** 2
    return _as_result(_round(_finalise(n0, N, d, rr), rounding), scalar)


# ---------------------------------------------------------------------------------------------
# allocation across strata
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Allocation(Result):
    """Allocation of a total sample size across strata.

    Attributes
    ----------
    strata : tuple
        Stratum labels (positions ``0 … H−1`` when none were given).
    population : ndarray of float
        Stratum sizes N_h.
    n : ndarray of int64
        Sample size per stratum; sums exactly to ``total_n``.
    method : str
        ``"proportional"``, ``"neyman"`` or ``"equal"``.
    total_n : int
        The total allocated.
    minimum : int
        The minimum per stratum that was requested (a stratum smaller than it is taken whole).
    """

    strata: tuple
    population: np.ndarray
    n: np.ndarray
    method: str
    total_n: int
    minimum: int

    @property
    def fraction(self) -> np.ndarray:
        """Sampling fraction ``n_h / N_h`` per stratum."""
        return self.n / self.population

    @property
    def design_weight(self) -> np.ndarray:
        """Design weight ``N_h / n_h`` per stratum (``inf`` where ``n_h = 0``)."""
        with np.errstate(divide="ignore"):
            return self.population / self.n

    def to_frame(self) -> pd.DataFrame:
        """One row per stratum: ``stratum``, ``population``, ``n``, ``fraction``."""
        return pd.DataFrame(
            {
                "stratum": list(self.strata),
                "population": self.population,
                "n": self.n,
                "fraction": self.fraction,
            }
        )

    def to_series(self) -> pd.Series:
        """``n`` indexed by stratum."""
        return pd.Series(self.n, index=pd.Index(list(self.strata), name="stratum"), name="n")

    def _summary_lines(self) -> list[str]:
        shown = 10
        lines = [f"Allocation ({self.method}): n = {format_value(self.total_n)} of "
                 f"{format_value(float(np.sum(self.population)))} over {len(self.strata)} "
                 f"strata (minimum {self.minimum} per stratum)"]
        lines += [f"{s}: {format_value(n)} of {format_value(N)} ({f * 100:.1f} %)"
                  for s, n, N, f in zip(self.strata[:shown], self.n[:shown],
                                        self.population[:shown], self.fraction[:shown],
                                        strict=True)]
        if len(self.strata) > shown:
            lines.append(f"… {len(self.strata) - shown} more strata")
        return lines


def _water_fill(total: float, w: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``x_h = clip(λ w_h, low_h, high_h)`` with λ such that ``Σ x_h = total``.

    ``Σ x_h`` is a non-decreasing piecewise-linear function of λ whose breakpoints are
    ``low_h / w_h`` and ``high_h / w_h``; λ is found by interpolating between them (exact up to
    floating point). Assumes ``Σ low <= total <= Σ_{w>0} high + Σ_{w=0} low``.
    """
    pos = w > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.concatenate([[0.0], low[pos] / w[pos], high[pos] / w[pos]])
    bp = np.unique(bp)
    f = np.clip(bp[:, None] * w[None, :], low[None, :], high[None, :]).sum(axis=1)
    lam = np.interp(total, f, bp)
    return np.clip(lam * w, low, high)


def _largest_remainder(x: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative reals summing to ``total`` to integers with the same sum."""
    base = np.floor(np.round(x, 9)).astype(np.int64)
    short = int(total - base.sum())
    if short > 0:
        frac = x - base
        # stable: ties go to the earlier stratum
        order = np.argsort(-frac, kind="stable")
        base[order[:short]] += 1
    return base


def allocate(
    total_n: int,
    strata_sizes: ArrayLike | Mapping[Any, float] | pd.Series,
    method: AllocationMethod = "proportional",
    sd: ArrayLike | Mapping[Any, float] | pd.Series | None = None,
    minimum: int = 0,
) -> Allocation:
    """Allocate a total sample size across strata.

    * ``"proportional"``: ``n_h ∝ N_h`` (Cochran 1977, section 5.5);
    * ``"neyman"``: ``n_h ∝ N_h S_h``, optimal for a fixed total (Cochran 1977, section 5.5,
      eq. 5.26); ``sd`` gives ``S_h`` (for a proportion ``sqrt(P_h (1 − P_h))``);
    * ``"equal"``: ``n_h = total_n / H``.

    Every stratum gets at least ``min(minimum, N_h)`` and at most ``N_h``: the real-valued
    allocation is ``clip(λ w_h, min(minimum, N_h), N_h)`` with the weights ``w_h`` of the
    method and λ chosen so that the total is ``total_n`` (strata held at a bound give their
    excess or shortfall to the others in proportion to ``w_h``). It is then rounded by the
    largest-remainder (Hamilton) method so that the integers sum exactly to ``total_n``.

    Parameters
    ----------
    total_n : int
        Total sample size (>= 0, not larger than the population).
    strata_sizes : array_like, mapping or Series
        Stratum sizes N_h (> 0). Labels are taken from a mapping's keys or a Series' index.
    method : {"proportional", "neyman", "equal"}, default "proportional"
    sd : array_like, mapping or Series, optional
        Stratum standard deviations S_h (>= 0, not all 0), required for ``"neyman"``; a
        mapping/Series is aligned on the labels of ``strata_sizes``.
    minimum : int, default 0
        Minimum sample size per stratum.

    Returns
    -------
    Allocation

    Raises
    ------
    ValueError
        Unknown ``method``; ``total_n`` larger than the population or smaller than the sum of
        the minimums; missing or invalid ``sd``.

    Examples
    --------
    >>> allocate(10, [50, 30, 20]).n.tolist()
    [5, 3, 2]
    >>> allocate(100, {"a": 9000, "b": 900, "c": 100}, minimum=10).n.tolist()
    [80, 10, 10]
    """
    check_choice("method", method, ALLOCATION_METHODS)
    if isinstance(total_n, bool) or not isinstance(total_n, (int, np.integer)):
        raise TypeError(f"total_n must be an integer, got {total_n!r}")
    total_n = int(total_n)
    if total_n < 0:
        raise ValueError(f"total_n must be >= 0; got {total_n}")
    if isinstance(minimum, bool) or not isinstance(minimum, (int, np.integer)) or minimum < 0:
        raise ValueError(f"minimum must be a non-negative integer; got {minimum!r}")
    minimum = int(minimum)

    if isinstance(strata_sizes, pd.Series):
        labels = tuple(strata_sizes.index)
        sizes_raw: Any = strata_sizes.to_numpy()
    elif isinstance(strata_sizes, Mapping):
        labels = tuple(strata_sizes.keys())
        sizes_raw = list(strata_sizes.values())
    else:
        sizes_raw = strata_sizes
        labels = tuple(range(np.size(sizes_raw)))
    sizes = check_positive("strata_sizes", sizes_raw)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError(f"strata_sizes must be a non-empty 1-d sequence; got {strata_sizes!r}")
    H = sizes.size
    if total_n > sizes.sum():
        raise ValueError(
            f"total_n ({total_n}) must not exceed the population ({sizes.sum():g})"
        )

    if method == "neyman":
        if sd is None:
            raise ValueError("method 'neyman' needs sd (the stratum standard deviations)")
        if isinstance(sd, (pd.Series, Mapping)):
            sd_map = dict(sd.items())
            missing = [lab for lab in labels if lab not in sd_map]
            if missing:
                raise ValueError(f"sd has no value for strata {missing[:5]}")
            sd_raw: Any = [sd_map[lab] for lab in labels]
        else:
            sd_raw = sd
        s = check_positive("sd", sd_raw, allow_zero=True)
        if s.shape != sizes.shape:
            raise ValueError(f"sd must have one value per stratum ({H}); got shape {s.shape}")
        if not np.any(s > 0):
            raise ValueError("sd must not be all zero for method 'neyman'")
        share = sizes * s
    elif method == "proportional":
        share = sizes.copy()
    else:
        share = np.ones(H)

    low = np.minimum(minimum, np.floor(sizes)).astype(float)
    high = np.floor(sizes)
    if total_n < low.sum():
        raise ValueError(
            f"total_n ({total_n}) is smaller than the minimums it must cover "
            f"({int(low.sum())} = {H} strata × minimum {minimum}, capped at stratum sizes)"
        )
    if total_n > high.sum():
        raise ValueError(
            f"total_n ({total_n}) exceeds the whole-unit stratum sizes ({int(high.sum())})"
        )

    positive = share > 0
    f_max = high[positive].sum() + low[~positive].sum()
    if total_n <= f_max:
        x = _water_fill(total_n, share, low, high)
    else:  # zero-weight strata (Neyman with S_h = 0) must absorb the excess
        x = np.where(positive, high, low)
        x[~positive] = _water_fill(
            total_n - high[positive].sum(), np.ones((~positive).sum()), low[~positive],
            high[~positive],
        )
    n = _largest_remainder(x, total_n)
    logger.debug("allocate(%s): %s", method, n)
    return Allocation(
        strata=labels,
        population=sizes,
        n=n,
        method=method,
        total_n=total_n,
        minimum=minimum,
    )
