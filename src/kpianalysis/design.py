"""Design-based estimation for complex survey samples (Taylor linearisation).

A :class:`SurveyDesign` binds a :class:`pandas.DataFrame` to its sampling design — weights,
strata, primary sampling units (PSUs), an optional second stage and finite-population
corrections — and estimates means, proportions and totals, overall or by domain, with
standard errors that follow R's ``survey`` package (Lumley 2004, 2010):

* the variance is the with-replacement or without-replacement "ultimate cluster" variance of
  the PSU totals of the linearised scores within strata, plus the second-stage term of the
  multistage estimator when population sizes are given for both stages (R's default
  ``options(survey.ultimate.cluster = FALSE)``);
* domains are estimated on the full design with scores set to zero outside the domain (never by
  subsetting the design), so empty PSUs and strata still count; only lonely PSUs under
  ``"adjust"``/``"average"`` see the domain's own strata, as R >= 4.4-1's ``svyby`` does
  (``lonely_domain``);
* proportions get R ``svyciprop``'s intervals (logit, likelihood, asin, beta, mean, Wilson);
* post-stratified, raked and calibrated designs (:func:`poststratify`, :func:`rake`,
  :func:`calibrate`; the weight arithmetic is in :mod:`kpianalysis.weighting`) use the
  residuals of the scores from the calibration model, as R's ``postStratify``/``calibrate``,
  or for ``rake(..., linearisation="rake")`` R ``rake()``'s iterated post-stratification
  residuals;
* the design effect is against simple random sampling *without* replacement, as R's
  ``deff = TRUE``; the effective sample size is ``n / deff``.

Everything is vectorised over respondents with :func:`numpy.bincount` on integer codes: a
million respondents take a few tens of milliseconds.

References
----------
Lumley, T. (2004). Analysis of complex survey samples. *Journal of Statistical Software* 9(8).
doi:10.18637/jss.v009.i08

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. *Survey Methodology* 24(2), 193-201.

Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer. (Ch. 6, Taylor
series methods.)
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import numbers
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._results import ConfidenceInterval, Result, confidence_label, format_interval, format_value
from ._validation import DataValidationError, check_choice, check_confidence, describe_values
from .weighting import (
    CalibrationFunction,
    MarginKind,
    _Block,
    _calibrate,
    _check_bounds,
    _check_met,
    _crossprod,
    _ginv_psd,
    _ipf,
    _margin_series,
    _match_categories,
    _not_met_message,
    _prepare_calibration,
    _prepare_raking,
    _resolve_kind,
    _scaled_targets,
)

__all__ = [
    "LONELY_DOMAIN_OPTIONS",
    "LONELY_PSU_OPTIONS",
    "DESIGN_PROPORTION_CI_METHODS",
    "DOMAIN_N_OPTIONS",
    "DomainEstimates",
    "Estimate",
    "SurveyDesign",
    "poststratify",
    "RAKE_LINEARISATIONS",
    "calibrate",
    "proportion_interval",
    "rake",
]

logger = logging.getLogger(__name__)

LonelyPSU = Literal["fail", "remove", "adjust", "certainty", "average"]
LonelyDomain = Literal["svyby", "full-design"]
ProportionCIMethod = Literal[
    "logit", "korn-graubard", "beta", "wilson", "wald", "likelihood", "asin", "mean"
]
DomainN = Literal["respondents", "design-rows"]

#: Valid values of ``lonely_psu`` (R's ``options(survey.lonely.psu = ...)``).
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "remove", "adjust", "certainty", "average")
#: Valid values of ``lonely_domain``: how ``lonely_psu="adjust"``/``"average"`` treat a domain.
LONELY_DOMAIN_OPTIONS: tuple[str, ...] = ("svyby", "full-design")
#: Valid confidence-interval methods for proportions (``"beta"`` is R's name for Korn-Graubard).
DESIGN_PROPORTION_CI_METHODS: tuple[str, ...] = (
    "logit", "korn-graubard", "beta", "wilson", "wald", "likelihood", "asin", "mean"
)
#: Valid values of ``domain_n`` (the sample size of the Korn-Graubard df adjustment).
DOMAIN_N_OPTIONS: tuple[str, ...] = ("respondents", "design-rows")
_OUTSIDE = " (outside [0, 1])"  # label suffix of a "mean" interval that leaves [0, 1]

_CERTAINTY_TOL = 1e-7  # R treats a stratum with sampling fraction above 1 - 1e-7 as certainty
_MAX_SHOWN = 5
_CHUNK_ELEMENTS = 4_000_000  # bound on temporary (rows x domains) arrays for calibrated designs


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Estimate(Result):
    """A design-based estimate with its uncertainty.

    Attributes
    ----------
    estimate : float
        The point estimate (a mean, a proportion in [0, 1], or a total).
    se : float
        Standard error by Taylor linearisation.
    ci : ConfidenceInterval
        Confidence interval (t on the design degrees of freedom for means and totals; the chosen
        method for proportions).
    deff : float
        Design effect against simple random sampling without replacement of the same number of
        respondents (R's ``deff = TRUE``). ``NaN`` when undefined (one respondent, or a census).
    n_eff : float
        Effective sample size ``n / deff``.
    n : int
        Respondents used (non-missing outcome, positive weight, inside the domain).
    df : int
        Design degrees of freedom: PSUs minus strata among those with respondents (R's
        ``degf``). Intervals use ``max(df, 1)``.
    method : str
        How the estimate and interval were computed.
    variable : str
        The outcome column.
    statistic : str
        ``"mean"``, ``"proportion"`` or ``"total"``.
    """

    estimate: float
    se: float
    ci: ConfidenceInterval
    deff: float
    n_eff: float
    n: int
    df: int
    method: str
    variable: str = ""
    statistic: str = "mean"

    @property
    def cv(self) -> float:
        """Coefficient of variation ``se / |estimate|`` (``inf`` when the estimate is 0)."""
        return self.se / abs(self.estimate) if self.estimate != 0 else float("inf")

    def _summary_lines(self) -> list[str]:
        of = f" of {self.variable}" if self.variable else ""
        return [
            f"Estimate: {self.statistic}{of} = {format_value(self.estimate)}, "
            f"SE {format_value(self.se)}",
            format_interval(self.ci.low, self.ci.high, self.ci.confidence, self.ci.method),
            f"n {format_value(self.n)}, design effect {format_value(self.deff)}, "
            f"effective n {format_value(self.n_eff)}, df {self.df}",
            f"method: {self.method}",
        ]

    def confint(
        self,
        confidence: float = 0.95,
        method: ProportionCIMethod | None = None,
        *,
        df: float | None = None,
        n: int | None = None,
    ) -> ConfidenceInterval:
        """Recompute the confidence interval at another level or (for proportions) by another
        method.

        Parameters
        ----------
        confidence : float, default 0.95
            Nominal coverage in (0, 1).
        method : {"logit", "korn-graubard", "beta", "wilson", "wald", "asin", "mean"}, optional
            For proportions only; defaults to the method the estimate was made with.
            ``"likelihood"`` needs the respondents' data: use
            :meth:`SurveyDesign.proportion` with ``ci_method="likelihood"``.
        df : float, optional
            Degrees of freedom of the interval's t quantile; default the design's
            (:attr:`df`, as R's ``confint(est, df = degf(design))``). ``float("inf")`` gives the
            normal interval of R's default ``confint(est)``. See :func:`proportion_interval`
            for how proportions use it.
        n : int, optional
            Sample size of the Korn-Graubard df adjustment in place of :attr:`n` (e.g. R's
            ``nrow(design)``, see ``domain_n`` of :meth:`SurveyDesign.proportion`).
        """
        confidence = check_confidence(confidence)
        df = _check_df(df)
        if self.statistic != "proportion":
            if method is not None:
                raise ValueError(
                    f"method applies to proportions only; this is a {self.statistic}"
                )
            low, high = _t_interval(
                np.array([self.estimate]),
                np.array([self.se]),
                np.array([self.df if df is None else df]),
                confidence,
            )
            return ConfidenceInterval(
                float(low[0]), float(high[0]), confidence, _interval_label(df)
            )
        method = method or self.ci.method.split(" ")[0]
        return proportion_interval(
            self.estimate,
            self.se,
            n=self.n,
            df=self.df,
            confidence=confidence,
            method=method,
            ci_df=df,
            kg_n=n,
        )


@dataclasses.dataclass(frozen=True, eq=False)
class DomainEstimates(Result):
    """Estimates for each domain (subpopulation) of a design.

    Attributes
    ----------
    variable : str
        The outcome column.
    statistic : str
        ``"mean"``, ``"proportion"`` or ``"total"``.
    by : tuple of str
        The domain column(s).
    table : pandas.DataFrame
        One row per domain: the ``by`` columns, then ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``deff``, ``n_eff``, ``n``, ``df``.
    confidence : float
        Nominal coverage of the intervals.
    method : str
        How the estimates and intervals were computed.
    """

    variable: str
    statistic: str
    by: tuple[str, ...]
    table: pd.DataFrame
    confidence: float
    method: str

    def __len__(self) -> int:
        return len(self.table)

    def _summary_lines(self) -> list[str]:
        shown = 10
        cols = [*self.by, *(c for c in ("estimate", "se", "ci_low", "ci_high", "n", "deff")
                           if c in self.table.columns)]
        text = self.table[cols].head(shown).to_string(
            index=False, float_format=lambda v: format_value(v))
        lines = [f"DomainEstimates: {self.statistic} of {self.variable} by "
                 f"{', '.join(self.by)} ({len(self.table)} domains)",
                 f"{confidence_label(self.confidence)} CI; method: {self.method}",
                 *text.splitlines()]
        if len(self.table) > shown:
            lines.append(f"… {len(self.table) - shown} more domains")
        return lines

    @property
    def domains(self) -> list[Any]:
        """Domain labels in table order (tuples when there are several ``by`` columns)."""
        cols = list(self.by)
        if len(cols) == 1:
            return self.table[cols[0]].tolist()
        return list(self.table[cols].itertuples(index=False, name=None))

    def __getitem__(self, domain: Any) -> Estimate:
        """The :class:`Estimate` of one domain: ``result["online"]``, ``result[(1, "M")]``."""
        labels = self.domains
        matches = [i for i, lab in enumerate(labels) if lab == domain]
        if not matches:
            raise KeyError(
                f"domain {domain!r} not found; domains are: "
                f"{describe_values(labels, limit=len(labels))}"
            )
        row = self.table.iloc[matches[0]]
        ci_method = self.method.split("; ")[-1]
        if "ci_outside" in self.table.columns and bool(row["ci_outside"]):
            ci_method += _OUTSIDE
        return Estimate(
            estimate=float(row["estimate"]),
            se=float(row["se"]),
            ci=ConfidenceInterval(
                float(row["ci_low"]), float(row["ci_high"]), self.confidence, ci_method
            ),
            deff=float(row["deff"]),
            n_eff=float(row["n_eff"]),
            n=int(row["n"]),
            df=int(row["df"]),
            method=self.method,
            variable=self.variable,
            statistic=self.statistic,
        )


# --------------------------------------------------------------------------------------------
# Interval helpers
# --------------------------------------------------------------------------------------------


def _check_df(df: float | None) -> float | None:
    """Validate an interval ``df`` override: ``None`` (the design's) or a number > 0 (``inf``
    for the normal interval)."""
    if df is None:
        return None
    if isinstance(df, bool) or not _is_number(df) or not float(df) > 0:
        raise ValueError(f"df must be None or a number > 0 (float('inf') for normal); got {df!r}")
    return float(df)


def _interval_label(df: float | None) -> str:
    return "normal" if df is not None and np.isinf(df) else "t"


def _t_quantile(confidence: float, df: np.ndarray) -> np.ndarray:
    df = np.maximum(np.asarray(df, dtype=float), 1.0)
    return stats.t.ppf(0.5 + confidence / 2.0, df)


def _t_interval(
    est: np.ndarray, se: np.ndarray, df: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    q = _t_quantile(confidence, df)
    return est - q * se, est + q * se


def _proportion_bounds(
    p: np.ndarray,
    se: np.ndarray,
    n: np.ndarray,
    df: np.ndarray,
    confidence: float,
    method: str,
    ci_df: float | None = None,
    kg_n: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised proportion intervals; returns (low, high, boundary) where ``boundary`` marks
    estimates at 0 or 1 (handled by the Korn-Graubard interval with n_eff = n).

    ``df`` is the design's degrees of freedom; ``ci_df`` (optional) replaces it in the
    interval's own t quantile but not in the Korn-Graubard adjustment, which R's
    ``svyciprop(method = "beta")`` always takes on ``degf(design)``. ``kg_n`` (optional)
    replaces ``n`` in the Korn-Graubard adjustment of ``"korn-graubard"``/``"beta"``.
    ``"likelihood"`` is not handled here (it needs the data, see
    :func:`_likelihood_bounds`)."""
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    n = np.asarray(n, dtype=float)
    df = np.maximum(np.asarray(df, dtype=float), 1.0)
    q_df = df if ci_df is None else np.full_like(df, max(float(ci_df), 1.0))
    alpha = 1.0 - confidence
    var = se**2
    boundary = (p <= 0.0) | (p >= 1.0)
    inner = ~boundary
    low = np.empty_like(p)
    high = np.empty_like(p)
    tq = stats.t.ppf(1.0 - alpha / 2.0, q_df)

    # df-adjustment factor of Korn & Graubard (1998), as R's svyciprop(method = "beta")
    with np.errstate(divide="ignore", invalid="ignore"):
        t_n = stats.t.ppf(alpha / 2.0, np.maximum(n - 1.0, 1.0))
        t_df = stats.t.ppf(alpha / 2.0, df)
        adj = np.where(n > 1, (t_n / t_df) ** 2, 1.0)

    if method == "logit":
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.log(p / (1.0 - p))
            half = tq * se / (p * (1.0 - p))
        low[inner] = _expit(eta - half)[inner]
        high[inner] = _expit(eta + half)[inner]
    elif method in ("korn-graubard", "beta"):
        with np.errstate(divide="ignore", invalid="ignore"):
            if kg_n is not None:
                m = np.asarray(kg_n, dtype=float)
                t_m = stats.t.ppf(alpha / 2.0, np.maximum(m - 1.0, 1.0))
                kg_adj = np.where(m > 1, (t_m / t_df) ** 2, 1.0)
            else:
                kg_adj = adj
            n_eff = np.where(var > 0, p * (1.0 - p) / var, np.inf) * kg_adj
            lo = stats.beta.ppf(alpha / 2.0, n_eff * p, n_eff * (1.0 - p) + 1.0)
            hi = stats.beta.ppf(1.0 - alpha / 2.0, n_eff * p + 1.0, n_eff * (1.0 - p))
        lo = np.where(var > 0, lo, p)
        hi = np.where(var > 0, hi, p)
        low[inner] = lo[inner]
        high[inner] = hi[inner]
    elif method == "wilson":
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(var > 0, p * (1.0 - p) / var, np.inf)
            z2 = tq**2
            denom = 1.0 + z2 / n_eff
            centre = (p + z2 / (2.0 * n_eff)) / denom
            half = tq / denom * np.sqrt(p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff**2))
        low[inner] = np.clip(centre - half, 0.0, 1.0)[inner]
        high[inner] = np.clip(centre + half, 0.0, 1.0)[inner]
    elif method == "wald":
        lo, hi = _t_interval(p, se, q_df, confidence)
        low[inner] = np.clip(lo, 0.0, 1.0)[inner]
        high[inner] = np.clip(hi, 0.0, 1.0)[inner]
    elif method == "mean":
        lo, hi = _t_interval(p, se, q_df, confidence)
        low[inner] = lo[inner]
        high[inner] = hi[inner]
    elif method == "asin":
        with np.errstate(divide="ignore", invalid="ignore"):
            angle = np.arcsin(np.sqrt(p))
            half = tq * se / (2.0 * np.sqrt(p * (1.0 - p)))
            lo = np.sin(np.clip(angle - half, 0.0, np.pi / 2.0)) ** 2
            hi = np.sin(np.clip(angle + half, 0.0, np.pi / 2.0)) ** 2
        low[inner] = lo[inner]
        high[inner] = hi[inner]
    elif method == "likelihood":
        raise ValueError(
            "the likelihood interval needs the respondents' data (its Rao-Scott scaling uses "
            "the weights): use SurveyDesign.proportion(..., ci_method='likelihood')"
        )
    else:  # pragma: no cover - guarded by check_choice
        raise ValueError(f"unknown method {method!r}")

    if np.any(boundary):
        # At p = 0 or 1 the estimated variance is 0 and says nothing about precision: use the
        # Clopper-Pearson form with n_eff = n (design effect 1), df-adjusted as Korn-Graubard.
        n_b = np.maximum(n * adj, 1.0)
        at0 = boundary & (p <= 0.0)
        at1 = boundary & (p >= 1.0)
        up0 = stats.beta.ppf(1.0 - alpha / 2.0, 1.0, n_b)
        low[at0] = 0.0
        high[at0] = up0[at0]
        low[at1] = 1.0 - up0[at1]
        high[at1] = 1.0
    return low, high, boundary


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def proportion_interval(
    p: float,
    se: float,
    *,
    n: int,
    df: int,
    confidence: float = 0.95,
    method: ProportionCIMethod = "logit",
    ci_df: float | None = None,
    kg_n: int | None = None,
) -> ConfidenceInterval:
    """Confidence interval for a design-based proportion.

    Parameters
    ----------
    p : float
        Estimated proportion in [0, 1].
    se : float
        Its design-based standard error.
    n : int
        Number of respondents behind the estimate.
    df : int
        Design degrees of freedom (values below 1 are treated as 1).
    confidence : float, default 0.95
        Nominal coverage.
    method : {"logit", "korn-graubard", "beta", "wilson", "wald", "asin", "mean"}, default "logit"
        ``"logit"``: t interval on the logit scale, back-transformed (R's
        ``svyciprop(method = "logit")``). ``"korn-graubard"`` (alias ``"beta"``): Clopper-Pearson
        interval on the effective sample size ``p(1 - p) / se**2``, df-adjusted by
        ``(t[n-1] / t[df])**2`` (Korn & Graubard 1998; R's ``method = "beta"``). ``"wilson"``:
        Wilson score interval with ``n`` replaced by the effective sample size
        ``p(1 - p) / se**2`` and the t quantile on ``df`` (R survey 4.5's
        ``method = "wilson"``). ``"wald"``: ``p ± t[df] se``, clipped to [0, 1]. ``"mean"``:
        the same interval unclipped, as R's ``method = "mean"``; its ``method`` label ends in
        ``"(outside [0, 1])"`` when a bound leaves [0, 1]. ``"asin"``: t interval for
        ``asin(sqrt(p))`` with the delta-method SE ``se / (2 sqrt(p(1 - p)))``,
        back-transformed by ``sin(.)**2`` (R's ``method = "asin"``); the angle is clipped to
        [0, pi/2], where R folds it back (``sin(-a)**2 > 0``) and returns a lower bound above 0
        (or an upper bound below 1) -- the package returns 0 (1) there. ``"likelihood"`` needs
        the data and is offered by :meth:`SurveyDesign.proportion` only.
    ci_df : float, optional
        Degrees of freedom of the interval's t quantile in place of ``df`` (as R's
        ``svyciprop(..., df = ci_df)``); ``float("inf")`` gives normal quantiles. The
        Korn-Graubard adjustment ``(t[n-1] / t[df])**2`` keeps the design ``df``, as R's
        ``svyciprop(method = "beta")`` does whatever its ``df`` (survey 4.1-1), so
        ``"korn-graubard"`` intervals do not change with ``ci_df``.
    kg_n : int, optional
        Sample size of the Korn-Graubard adjustment ``(t[kg_n - 1] / t[df])**2`` in place of
        ``n`` (R's ``nrow(design)``, see ``domain_n`` of :meth:`SurveyDesign.proportion`).

    Returns
    -------
    ConfidenceInterval

    Notes
    -----
    When ``p`` is exactly 0 or 1 the estimated standard error is 0 and carries no information;
    every method then returns the one-sided Clopper-Pearson interval on ``n`` respondents
    (design effect 1), df-adjusted as Korn-Graubard, and says so in ``method``.
    """
    confidence = check_confidence(confidence)
    method = check_choice("method", method, DESIGN_PROPORTION_CI_METHODS)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1]; got {p!r}")
    if not se >= 0.0:
        raise ValueError(f"se must be >= 0; got {se!r}")
    ci_df = _check_df(ci_df)
    if kg_n is not None and not (isinstance(kg_n, numbers.Integral) and kg_n >= 1):
        raise ValueError(f"kg_n must be a whole number >= 1; got {kg_n!r}")
    low, high, boundary = _proportion_bounds(
        np.array([p]), np.array([se]), np.array([n]), np.array([df]), confidence, method, ci_df,
        None if kg_n is None else np.array([kg_n]),
    )
    label = method + (" (Clopper-Pearson at boundary)" if boundary[0] else "")
    if method == "mean" and not boundary[0] and (low[0] < 0.0 or high[0] > 1.0):
        label += _OUTSIDE
    return ConfidenceInterval(float(low[0]), float(high[0]), confidence, label)


# --------------------------------------------------------------------------------------------
# The likelihood interval (R's svyciprop(method = "likelihood"))
# --------------------------------------------------------------------------------------------


def _fmm_spline(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """Interpolating cubic spline of Forsythe, Malcolm & Moler (1977), R's
    ``spline(method = "fmm")``: at each end the third derivative equals that of the cubic
    through the four nearest points (zero with three points; a line with two)."""
    n = len(x)
    h = np.diff(x)
    slope = np.diff(y) / h
    if n == 2:
        return y[0] + slope[0] * (xout - x[0])
    a = np.zeros((n, n))
    rhs = np.zeros(n)
    i = np.arange(1, n - 1)
    a[i, i - 1] = h[:-1]
    a[i, i] = 2.0 * (h[:-1] + h[1:])
    a[i, i + 1] = h[1:]
    rhs[i] = 6.0 * (slope[1:] - slope[:-1])
    # end conditions on the second derivatives M: (M1 - M0) / h0 = 6 f[x0..x3], and alike
    a[0, 0], a[0, 1] = -1.0 / h[0], 1.0 / h[0]
    a[-1, -2], a[-1, -1] = -1.0 / h[-1], 1.0 / h[-1]
    if n >= 4:
        d2 = np.diff(slope) / (x[2:] - x[:-2])
        d3 = np.diff(d2) / (x[3:] - x[:-3])
        rhs[0], rhs[-1] = 6.0 * d3[0], 6.0 * d3[-1]
    m = np.linalg.solve(a, rhs)
    k = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, n - 2)
    dx = xout - x[k]
    b = slope[k] - h[k] * (2.0 * m[k] + m[k + 1]) / 6.0
    return y[k] + dx * (b + dx * (m[k] / 2.0 + dx * (m[k + 1] - m[k]) / (6.0 * h[k])))


def _approx(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """R's ``approx(x, y, xout)``: linear interpolation after sorting by ``x`` (ties averaged),
    NaN outside the range of ``x``."""
    ux, inverse = np.unique(x, return_inverse=True)
    uy = np.bincount(inverse, weights=y) / np.bincount(inverse)
    out = np.interp(xout, ux, uy)
    return np.where((xout < ux[0]) | (xout > ux[-1]), np.nan, out)


def _binomial_deviance(s1: np.ndarray, s0: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Deviance of an intercept-only binomial model at logit ``b`` for 0/1 outcomes with
    weighted counts ``s1`` (ones) and ``s0`` (zeros)."""
    return -2.0 * (s1 * np.log(_expit(b)) + s0 * np.log(_expit(-b)))


def _logit_mu_eta(b: np.ndarray) -> np.ndarray:
    """d mu / d eta of the logit link (as R's ``binomial()$mu.eta``)."""
    e = np.exp(b)
    return e / (1.0 + e) ** 2


def _likelihood_bounds(
    b0: float,
    var_logit: float,
    naive: float,
    s1: float,
    s0: float,
    phi: float,
    n_rows: int,
    df: float,
    confidence: float,
) -> tuple[float, float]:
    """Rao-Scott scaled likelihood interval of one proportion as R's
    ``svyciprop(method = "likelihood")`` computes it (survey 4.5's ``confint.svyglm`` with
    ``method = "likelihood"``, which profiles as MASS's ``profile.glm``).

    ``b0`` is the quasi-binomial intercept (logit), ``var_logit`` its design variance,
    ``naive`` its model-based variance, ``s1``/``s0`` the weighted counts of ones and zeros
    (weights normalised to mean 1), ``phi`` the dispersion and ``n_rows`` the model's rows.
    The signed root deviance ``z(b) = ±sqrt((D(b) - D(b0)) / phi)`` is profiled at steps of
    ``zmax / 5`` standard errors (at most 9 each way, stopping once ``|z| >= zmax``),
    interpolated by R's ``fmm`` spline on three times as many points and inverted linearly at
    ``z = ±t[df] sqrt(lambda)``, where ``lambda = var_logit / naive`` is the Rao-Scott
    design-effect scaling. Where the profile stops short of the cutoff (R returns NA) the
    bound is the exact root of ``z(b)``.
    """
    se_logit = np.sqrt(var_logit)
    lam = var_logit / naive
    tail = (1.0 - confidence) / 2.0
    quantile = stats.norm.ppf(tail) if np.isinf(df) else stats.t.ppf(tail, max(df, 1.0))
    alpha = stats.norm.cdf(quantile * np.sqrt(lam)) / 2.0
    # R's sqrt(qf(alpha, 1, n - 1, lower = FALSE)); F(1, v) is t(v)^2, and scipy's t is
    # accurate where its F quantile overflows for tiny alpha
    zmax = stats.t.isf(alpha / 2.0, max(n_rows - 1, 1))
    step = zmax / 5.0
    d0 = float(_binomial_deviance(np.array(s1), np.array(s0), np.array(b0)))

    def z_of(b: np.ndarray) -> np.ndarray:
        zz = (_binomial_deviance(s1, s0, b) - d0) / phi
        return np.sign(b - b0) * np.sqrt(np.maximum(zz, 0.0))

    points = [b0]
    for sign in (-1.0, 1.0):
        z = 0.0
        k = 1
        while k < 10 and abs(z) < zmax:
            b = b0 + sign * k * step * se_logit
            z = float(z_of(np.array([b]))[0])
            points.append(b)
            k += 1
    b_grid = np.sort(np.array(points))
    z_grid = z_of(b_grid)
    xout = np.linspace(b_grid[0], b_grid[-1], 3 * len(b_grid))
    cut_low = stats.norm.ppf(2.0 * alpha)
    cut_high = stats.norm.isf(2.0 * alpha)
    bounds = _approx(_fmm_spline(b_grid, z_grid, xout), xout, np.array([cut_low, cut_high]))
    for j, (cut, far) in enumerate(((cut_low, -1.0), (cut_high, 1.0))):
        if np.isnan(bounds[j]):
            width = 40.0 * se_logit + 50.0
            bounds[j] = optimize.brentq(
                lambda b, c=cut: float(z_of(np.array([b]))[0]) - c,
                *sorted((b0, b0 + far * width)),
            )
    return float(_expit(bounds[0])), float(_expit(bounds[1]))


# --------------------------------------------------------------------------------------------
# Column helpers
# --------------------------------------------------------------------------------------------


def _domain_table(labels: pd.DataFrame, est: np.ndarray, se: np.ndarray, low: np.ndarray,
                  high: np.ndarray, deff: np.ndarray, n_eff: np.ndarray, n: np.ndarray,
                  df: np.ndarray) -> pd.DataFrame:
    """The table of a :class:`DomainEstimates`: the domain labels, then the figures."""
    table = labels.copy()
    for name, values in (("estimate", est), ("se", se), ("ci_low", low), ("ci_high", high),
                         ("deff", deff), ("n_eff", n_eff), ("n", n)):
        table[name] = values
    table["df"] = np.asarray(df).astype(np.int64)
    return table


def _first_rows(mask: np.ndarray) -> list[int]:
    """1-based row numbers of the first few ``True`` entries (as a person counts rows)."""
    return (np.flatnonzero(mask)[:_MAX_SHOWN] + 1).tolist()


def _get_column(data: pd.DataFrame, name: Hashable, role: str) -> pd.Series:
    if name not in data.columns:
        shown = ", ".join(repr(c) for c in list(data.columns)[:12])
        more = ", ..." if len(data.columns) > 12 else ""
        raise ValueError(f"{role} column {name!r} not found in data; columns are: {shown}{more}")
    col = data[name]
    if isinstance(col, pd.DataFrame):
        raise ValueError(f"{role} column {name!r} is duplicated in data")
    return col


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number | np.bool_)


def _numeric(series: pd.Series, name: Hashable, role: str) -> np.ndarray:
    """Return ``series`` as float64 (missing → NaN) or raise naming the non-numeric values."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    ):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_object_dtype(dtype):
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind in ("integer", "floating", "mixed-integer-float", "boolean", "decimal", "empty"):
            return pd.to_numeric(series).to_numpy(dtype=float, na_value=np.nan)
    values = series.to_numpy(dtype=object)
    notna = ~pd.isna(values)
    bad = notna & ~np.fromiter((_is_number(v) for v in values), dtype=bool, count=len(values))
    raise DataValidationError(
        f"{role} must be numeric (dtype {dtype}); non-numeric values: "
        f"{describe_values(values[bad])}",
        column=str(name),
        rows=_first_rows(bad),
    )


def _codes(series: pd.Series, name: Hashable, role: str) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    if np.any(codes < 0):
        raise DataValidationError(
            f"{role} has missing values", column=str(name), rows=_first_rows(codes < 0)
        )
    return codes.astype(np.int64), pd.Index(uniques)


def _group_sum(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum ``values`` (1-D or 2-D with rows aligned to ``codes``) by group."""
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    k = values.shape[1]
    flat = (codes[:, None] * k + np.arange(k)).ravel()
    return np.bincount(flat, weights=values.ravel(), minlength=n_groups * k).reshape(n_groups, k)


# --------------------------------------------------------------------------------------------
# Calibration (filled in by poststratify, rake and calibrate, at the end of this module)
# --------------------------------------------------------------------------------------------


_Factor = _Block  # a calibration model-matrix block: a factor's indicators (or an auxiliary)

#: R ``svyrecvar``'s fixed number of passes over the margins of a ``rake()``-linearised design.
_RAKE_VARIANCE_PASSES = 10


@dataclasses.dataclass(frozen=True, eq=False)
class _CalibrationStep:
    """One calibration (post-stratification, raking or calibration) applied to the weights.

    Each block ``b`` of the step has a row weight ``rw[b]`` and a multiplier ``mult[b]``. The
    step turns the weighted scores ``x`` into ``x - sum_b mult[b] * X_b c_b``, where the
    coefficients ``c`` come from the cell sums ``X_b' diag(rw[b]) x``:

    * ``"greg"`` (R's ``postStratify``/``calibrate``): ``rw = before / after``,
      ``mult = after``, ``c = ginv @ sums`` — the residuals of the weighted regression (weights
      *before* the step) on all blocks, times the weights *after* it;
    * ``"rake"`` (R's ``rake()``): ``rw = 1 / w_k``, ``mult = w_k`` with ``w_k`` the weights
      after margin ``k``'s post-stratification in the last raking pass; ``c`` from
      ``_RAKE_VARIANCE_PASSES`` passes of subtracting each margin's unweighted cell means of
      ``x / w_k`` (R's ``svyrecvar`` for a ``raking`` object).
    """

    kind: str
    factors: tuple[_Factor, ...]
    rw: tuple[np.ndarray, ...]
    mult: tuple[np.ndarray, ...]
    linearisation: str  # "greg" or "rake"
    ginv: np.ndarray | None  # greg: generalised inverse of X' diag(before) X  (p, p)
    inner: np.ndarray | None  # rake: X_k' diag(rw_k * mult_m) X_m  (p, p)
    counts: np.ndarray | None  # rake: respondents with a positive weight per cell  (p,)
    cross: tuple[np.ndarray, ...]  # X_b' diag(rw_b * mult_t) X_t for each earlier step
    info: dict[str, Any]

    @property
    def n_params(self) -> int:
        return sum(f.levels for f in self.factors)


def _block_cross(
    a: Sequence[_Factor], rw: Sequence[np.ndarray], b: Sequence[_Factor],
    mult: Sequence[np.ndarray],
) -> np.ndarray:
    """``X_a' diag(rw_a * mult_b) X_b`` block by block."""
    return np.vstack(
        [
            np.hstack([_crossprod([fa], [fb], ra * mb) for fb, mb in zip(b, mult, strict=True)])
            for fa, ra in zip(a, rw, strict=True)
        ]
    )


def _rake_coefficients(step: _CalibrationStep, sums: np.ndarray) -> np.ndarray:
    """R ``svyrecvar``'s linearisation of a ``rake()`` design in coefficient form: for
    ``_RAKE_VARIANCE_PASSES`` passes, for each margin ``k`` in turn, subtract from the scores
    ``x`` the weights ``w_k`` times the unweighted cell means of ``x / w_k``."""
    assert step.inner is not None and step.counts is not None
    coef = np.zeros_like(sums)
    bounds = np.cumsum([0] + [f.levels for f in step.factors])
    for _ in range(_RAKE_VARIANCE_PASSES):
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            resid = sums[lo:hi] - step.inner[lo:hi] @ coef
            coef[lo:hi] += resid / step.counts[lo:hi, None]
    return coef


# --------------------------------------------------------------------------------------------
# The design
# --------------------------------------------------------------------------------------------


class SurveyDesign:
    """A survey sample bound to its design, with design-based estimators.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent. Design columns are read once, when the design is built;
        outcome columns are read at each estimate.
    weights : str, optional
        Column of sampling weights (inverse inclusion probabilities), finite and >= 0. When
        omitted the weights are computed from ``fpc`` population counts (``prod N / n`` over
        stages, as R), or are all 1 when there is no ``fpc`` either.
    strata : str, optional
        Column of first-stage strata. Omitted: one stratum.
    psu : str, optional
        Column of primary sampling units (clusters). Omitted: every respondent is its own PSU.
    ssu : str, optional
        Column of second-stage units within PSUs. Used in the variance only when ``fpc`` is
        given for both stages (R's multistage estimator); otherwise the design is analysed as
        an ultimate-cluster (first-stage) design.
    fpc : str, float or sequence of them, optional
        Finite-population correction per stage: a column name or a constant. Values above 1
        are population counts (PSUs in the stratum for stage 1, SSUs in the PSU for stage 2);
        values in (0, 1] are sampling fractions (mixing the two in one stage is an error).
        Omitted: sampling with replacement.
    nest : bool, default False
        PSU labels repeat across strata (are only unique within a stratum). Without ``nest``
        a PSU found in two strata is an error.
    lonely_psu : {"fail", "remove", "adjust", "certainty", "average"}, default "fail"
        What to do with a stratum that has a single PSU (and is not a certainty stratum by its
        fpc), as R's ``options(survey.lonely.psu = ...)``: ``"fail"`` raises a ``ValueError``
        naming the stratum; ``"remove"`` and ``"certainty"`` let it contribute nothing to the
        variance; ``"adjust"`` centres its PSU total at the mean of all PSU totals;
        ``"average"`` scales the variance of the other strata by (strata / strata with 2+ PSUs).
        A second-stage unit alone in its PSU contributes nothing under every option except
        ``"fail"``. Whole-sample estimates follow R survey >= 4.4-1 (earlier versions centre
        the lonely PSU of ``"adjust"`` at 0); for domains see ``lonely_domain``.
    lonely_domain : {"svyby", "full-design"}, default "svyby"
        How ``lonely_psu="adjust"`` and ``"average"`` treat a domain (a ``by`` group, or the
        respondents with a non-missing outcome under ``na_rm``); the other options give the
        same numbers under both. ``"svyby"`` reproduces R survey >= 4.4-1's ``svyby`` (and
        ``svymean(..., na.rm = TRUE)``), which subsets the design: only the strata with rows in
        the domain count, so a lonely stratum outside the domain contributes nothing,
        ``"adjust"`` centres a lonely PSU at the domain total divided by the number of PSUs of
        the strata present in the domain, and ``"average"`` scales by (strata present) /
        (strata present with 2+ PSUs). R keeps every row when it subsets a calibrated design,
        so for post-stratified and raked designs ``"svyby"`` is ``"full-design"``.
        ``"full-design"`` (the package's convention before issue 12) keeps the whole design
        with the domain's scores set to zero outside it: ``"adjust"`` centres at the domain
        total over all PSUs and every lonely stratum contributes; ``"average"`` scales by all
        strata / strata with 2+ PSUs. It reproduces R survey >= 4.4-1's
        ``svymean(~y, design[in_domain, , drop = FALSE])``.
    confidence : float, default 0.95
        Default coverage of the confidence intervals.

    Raises
    ------
    ValueError
        A design column is absent or has missing values; weights are negative, missing or not
        numeric; an fpc is smaller than the sample or varies within a stratum; PSUs are not
        nested in strata; a stratum has a single PSU under ``lonely_psu="fail"``.

    Examples
    --------
    Stratified sample of California schools (R: ``svydesign(id = ~1, strata = ~stype,
    weights = ~pw, fpc = ~fpc, data = apistrat)``):

    >>> dstrat = SurveyDesign(apistrat, weights="pw", strata="stype", fpc="fpc")  # doctest: +SKIP
    >>> dstrat.mean("api00").estimate  # doctest: +SKIP
    662.287...
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | None = None,
        ssu: str | None = None,
        fpc: str | float | Sequence[str | float] | None = None,
        nest: bool = False,
        lonely_psu: LonelyPSU = "fail",
        confidence: float = 0.95,
        lonely_domain: LonelyDomain = "svyby",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise ValueError("data has no rows")
        self.lonely_psu: str = check_choice("lonely_psu", lonely_psu, LONELY_PSU_OPTIONS)
        self.lonely_domain: str = check_choice(
            "lonely_domain", lonely_domain, LONELY_DOMAIN_OPTIONS
        )
        self.confidence: float = check_confidence(confidence)
        if ssu is not None and psu is None:
            raise ValueError("ssu (second-stage units) needs psu (first-stage units) as well")
        self.data = data
        self.weights_column = weights
        self.strata_column = strata
        self.psu_column = psu
        self.ssu_column = ssu
        self.nest = bool(nest)
        n = len(data)
        self._n = n

        # ---- stage 1: strata and PSUs -------------------------------------------------------
        if strata is not None:
            s_codes, s_labels = _codes(_get_column(data, strata, "strata"), strata, "strata")
        else:
            s_codes, s_labels = np.zeros(n, dtype=np.int64), pd.Index(["(all)"])
        n_strata = len(s_labels)
        if psu is not None:
            p_raw, p_labels = _codes(_get_column(data, psu, "psu"), psu, "psu")
            if self.nest:
                combined = s_codes * (len(p_labels) + 1) + p_raw
                p_codes, _ = pd.factorize(combined, sort=True)
                p_codes = p_codes.astype(np.int64)
            else:
                first_stratum = np.empty(len(p_labels), dtype=np.int64)
                first_stratum[p_raw] = s_codes
                crossing = first_stratum[p_raw] != s_codes
                if np.any(crossing):
                    bad = p_labels[np.unique(p_raw[crossing])]
                    raise ValueError(
                        f"PSUs in column {psu!r} are not nested in strata {strata!r}: "
                        f"PSU(s) {describe_values(bad)} appear in several strata; "
                        "use nest=True if PSU labels are only unique within a stratum"
                    )
                p_codes = p_raw
        else:
            p_codes = np.arange(n, dtype=np.int64)
        n_psu = int(p_codes.max()) + 1
        psu_stratum = np.empty(n_psu, dtype=np.int64)
        psu_stratum[p_codes] = s_codes
        n_h = np.bincount(psu_stratum, minlength=n_strata)

        # ---- stage 2 ---------------------------------------------------------------------------
        if ssu is not None:
            q_raw, q_labels = _codes(_get_column(data, ssu, "ssu"), ssu, "ssu")
            q_codes, _ = pd.factorize(p_codes * (len(q_labels) + 1) + q_raw, sort=True)
            q_codes = q_codes.astype(np.int64)
            n_ssu = int(q_codes.max()) + 1
            ssu_psu = np.empty(n_ssu, dtype=np.int64)
            ssu_psu[q_codes] = p_codes
            n2 = np.bincount(ssu_psu, minlength=n_psu)
        else:
            q_codes = None
            n_ssu = 0
            ssu_psu = None
            n2 = None

        # ---- finite-population corrections ---------------------------------------------------
        fpc_specs: list[str | float]
        if fpc is None:
            fpc_specs = []
        elif isinstance(fpc, str | numbers.Number):
            fpc_specs = [fpc]  # type: ignore[list-item]
        else:
            fpc_specs = list(fpc)
        n_stages = 2 if ssu is not None else 1
        if len(fpc_specs) > n_stages:
            raise ValueError(
                f"fpc has {len(fpc_specs)} stages but the design has {n_stages} "
                f"(give ssu= for a second stage)"
            )
        N_h = None
        N2 = None
        if len(fpc_specs) >= 1:
            N_h = self._stage_population(
                fpc_specs[0], s_codes, n_strata, n_h, s_labels, stage=1, group_role="stratum"
            )
        if len(fpc_specs) == 2:
            assert n2 is not None  # for type checkers; guaranteed by n_stages
            psu_names = self._psu_names(p_codes, n_psu)
            N2 = self._stage_population(
                fpc_specs[1], p_codes, n_psu, n2, psu_names, stage=2, group_role="PSU"
            )
        self.fpc_columns = tuple(fpc_specs)

        f1 = np.ones(n_strata) if N_h is None else 1.0 - n_h / N_h  # 1 - sampling fraction
        self._two_stage = N_h is not None and N2 is not None
        pi1 = None if N_h is None else n_h / N_h

        # ---- weights -------------------------------------------------------------------------
        if weights is not None:
            wcol = _get_column(data, weights, "weights")
            w = _numeric(wcol, weights, "weights")
            bad = ~np.isfinite(w) | (w < 0)
            if np.any(bad):
                raise DataValidationError(
                    "weights must be non-missing, finite and >= 0; offending values: "
                    f"{describe_values(wcol.to_numpy(dtype=object)[bad])}",
                    column=str(weights),
                    rows=_first_rows(bad),
                )
        elif N_h is not None:
            w = (N_h / n_h)[s_codes]
            if N2 is not None and n2 is not None:
                w = w * (N2 / n2)[p_codes]
            logger.info("weights computed from fpc population counts")
        else:
            w = np.ones(n)
            logger.info("no weights or fpc given: equal weights")
        if not np.any(w > 0):
            raise ValueError("all weights are zero")

        # ---- lonely PSUs ---------------------------------------------------------------------
        lonely1 = (n_h == 1) & (f1 > _CERTAINTY_TOL)
        if np.any(lonely1) and self.lonely_psu == "fail":
            bad = s_labels[lonely1]
            what = f"stratum {describe_values(bad)}" if strata is not None else "the design"
            raise ValueError(
                f"{what} has only one PSU"
                + (f" (strata column {strata!r})" if strata is not None else "")
                + "; its variance cannot be estimated. Set lonely_psu to one of "
                + ", ".join(o for o in LONELY_PSU_OPTIONS if o != "fail")
                + ", or merge strata"
            )
        lonely2 = None
        f2 = None
        if self._two_stage:
            assert N2 is not None and n2 is not None
            f2 = 1.0 - n2 / N2
            lonely2 = (n2 == 1) & (f2 > _CERTAINTY_TOL)
            if np.any(lonely2) and self.lonely_psu == "fail":
                names = self._psu_names(p_codes, n_psu)[lonely2]
                raise ValueError(
                    f"PSU {describe_values(names)} (column {psu!r}) has only one second-stage "
                    f"unit ({ssu!r}) but a population of more; set lonely_psu to handle it"
                )

        self._w = np.asarray(w, dtype=float)
        self._strata_codes = s_codes
        self._strata_labels = s_labels
        self._n_strata = n_strata
        self._psu = p_codes
        self._n_psu = n_psu
        self._psu_stratum = psu_stratum
        self._n_h = n_h
        self._f1 = f1
        self._pi1 = pi1
        self._lonely1 = lonely1
        self._ssu = q_codes
        self._n_ssu = n_ssu
        self._ssu_psu = ssu_psu
        self._n2 = n2
        self._f2 = f2
        self._lonely2 = lonely2
        self._calibration: tuple[_CalibrationStep, ...] = ()

    # ---- construction helpers ----------------------------------------------------------------

    def _psu_names(self, p_codes: np.ndarray, n_psu: int) -> pd.Index:
        if self.psu_column is None:
            return pd.Index(np.arange(1, n_psu + 1))
        _, first = np.unique(p_codes, return_index=True)
        return pd.Index(self.data[self.psu_column].to_numpy()[first])

    def _stage_population(
        self,
        spec: str | float,
        group_codes: np.ndarray,
        n_groups: int,
        n_sampled: np.ndarray,
        group_labels: pd.Index,
        *,
        stage: int,
        group_role: str,
    ) -> np.ndarray:
        """Population size per group (stratum or PSU) from an fpc column or constant."""
        label = f"fpc (stage {stage})"
        if isinstance(spec, numbers.Number) and not isinstance(spec, bool):
            values = np.full(self._n, float(spec))
            name = f"{label} = {spec!r}"
            column = None
        elif isinstance(spec, str):
            column = spec
            name = repr(spec)
            values = _numeric(_get_column(self.data, spec, label), spec, label)
        else:
            raise TypeError(f"{label} must be a column name or a number, got {spec!r}")
        bad = ~np.isfinite(values) | (values <= 0)
        if np.any(bad):
            raise DataValidationError(
                f"{label} must be positive and non-missing; offending values: "
                f"{describe_values(values[bad])}",
                column=column,
                rows=_first_rows(bad),
            )
        counts = np.bincount(group_codes, minlength=n_groups)
        mean = np.bincount(group_codes, weights=values, minlength=n_groups) / counts
        varies = np.abs(values - mean[group_codes]) > 1e-9 * np.maximum(1.0, np.abs(values))
        if np.any(varies):
            groups = group_labels[np.unique(group_codes[varies])]
            raise DataValidationError(
                f"{label} {name} varies within {group_role} {describe_values(groups)}; "
                "it must be constant there",
                column=column,
                rows=_first_rows(varies),
            )
        is_count = np.any(values > 1.0)
        if is_count and np.any(values < 1.0):
            raise ValueError(
                f"{label} {name} mixes population counts (> 1) and sampling fractions (< 1): "
                f"{describe_values(np.unique(values)[:_MAX_SHOWN])}"
            )
        population = mean if is_count else n_sampled / mean
        too_small = population < n_sampled - 1e-9
        if np.any(too_small):
            idx = np.flatnonzero(too_small)[:_MAX_SHOWN]
            detail = ", ".join(
                f"{group_labels[i]!r}: population {population[i]:g} < sampled {n_sampled[i]}"
                for i in idx
            )
            raise ValueError(
                f"{label} {name} is smaller than the sample in {group_role} {detail} "
                "(more units sampled than exist)"
            )
        return population

    # ---- public properties -------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of rows (respondents) in the design."""
        return self._n

    @property
    def weights(self) -> np.ndarray:
        """The analysis weights (after any calibration), as a new array."""
        return self._w.copy()

    @property
    def n_psu(self) -> int:
        """Number of primary sampling units."""
        return self._n_psu

    @property
    def n_strata(self) -> int:
        """Number of first-stage strata."""
        return self._n_strata

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (among rows with positive weight)."""
        valid = self._w > 0
        return int(self._domain_df(np.zeros(self._n, dtype=np.int64), 1, valid)[0])

    @property
    def calibration(self) -> tuple[dict[str, Any], ...]:
        """Summary of each calibration applied (kind, margins, iterations, convergence)."""
        return tuple(
            {"kind": s.kind, "margins": [f.name for f in s.factors], **s.info}
            for s in self._calibration
        )

    def __repr__(self) -> str:
        parts = [f"n={self._n}"]
        if self.strata_column is not None:
            parts.append(f"strata={self.strata_column!r} ({self._n_strata})")
        if self.psu_column is not None:
            parts.append(f"psu={self.psu_column!r} ({self._n_psu})")
        if self.ssu_column is not None:
            parts.append(f"ssu={self.ssu_column!r} ({self._n_ssu})")
        if self.weights_column is not None:
            parts.append(f"weights={self.weights_column!r}")
        if self.fpc_columns:
            parts.append(f"fpc={self.fpc_columns!r}")
        if self._calibration:
            parts.append("calibrated=" + "+".join(s.kind for s in self._calibration))
        return f"SurveyDesign({', '.join(parts)})"

    def with_weights(self, weights: Any) -> SurveyDesign:
        """A copy of the design with new analysis weights (e.g. trimmed), without calibration.

        Parameters
        ----------
        weights : array-like
            One finite, non-negative weight per row.
        """
        w = np.asarray(weights, dtype=float)
        if w.shape != (self._n,):
            raise ValueError(f"weights must have one value per row ({self._n}); got {w.shape}")
        bad = ~np.isfinite(w) | (w < 0)
        if np.any(bad):
            raise DataValidationError(
                "weights must be non-missing, finite and >= 0; offending values: "
                f"{describe_values(w[bad])}",
                column="weights",
                rows=_first_rows(bad),
            )
        new = copy.copy(self)
        new._w = w.copy()
        new._calibration = ()
        return new

    def poststratify(
        self,
        by: str | Sequence[str],
        population: Any,
        *,
        kind: Literal["auto", "count", "share"] = "auto",
        total: float | None = None,
    ) -> SurveyDesign:
        """Post-stratified copy of the design; see :func:`kpianalysis.design.poststratify`."""
        return poststratify(self, by, population, kind=kind, total=total)

    def rake(
        self,
        population: Any,
        *,
        kind: Literal["auto", "count", "share"] = "auto",
        total: float | None = None,
        tol: float = 1e-8,
        max_iter: int = 100,
        linearisation: RakeLinearisation = "calibrate",
        force: bool = False,
    ) -> SurveyDesign:
        """Raked copy of the design, with R ``calibrate(calfun = "raking")``'s standard errors
        (default) or R ``rake()``'s (``linearisation="rake"``); see
        :func:`kpianalysis.design.rake`."""
        return rake(self, population, kind=kind, total=total, tol=tol, max_iter=max_iter,
                    linearisation=linearisation, force=force)

    def calibrate(
        self,
        margins: Any = None,
        totals: Mapping[str, float] | None = None,
        *,
        population_size: float | None = None,
        calfun: CalibrationFunction = "linear",
        bounds: tuple[float, float] | None = None,
        kind: Literal["auto", "count", "share"] = "auto",
        tol: float = 1e-7,
        max_iter: int = 50,
        force: bool = False,
    ) -> SurveyDesign:
        """Calibrated copy of the design (R's ``calibrate``: linear/GREG, bounded linear,
        logit, raking); see :func:`kpianalysis.design.calibrate`."""
        return calibrate(self, margins, totals, population_size=population_size,
                         calfun=calfun, bounds=bounds, kind=kind, tol=tol, max_iter=max_iter,
                         force=force)

    # ---- calibration hooks (used by poststratify and rake below) -------------------------------

    def _factor(self, column: str, codes: np.ndarray, levels: int) -> _Factor:
        return _Factor(str(column), np.asarray(codes, dtype=np.int64), int(levels))

    def _calibrated(
        self,
        new_weights: np.ndarray,
        factors: Sequence[_Factor],
        kind: str,
        info: dict[str, Any],
        *,
        pass_weights: Sequence[np.ndarray] | None = None,
    ) -> SurveyDesign:
        """A copy of the design with calibrated weights and the calibration recorded for the
        variance: residuals from the regression on the factors' columns (GREG), or, given
        ``pass_weights`` (the weights after each margin in the last raking pass), R
        ``rake()``'s iterated cell-mean residuals."""
        before = self._w
        after = np.asarray(new_weights, dtype=float)
        factors = tuple(factors)
        ginv = inner = counts = None
        if pass_weights is None:
            linearisation = "greg"
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(after > 0, before / after, 0.0)
            rw: tuple[np.ndarray, ...] = (ratio,) * len(factors)
            mult: tuple[np.ndarray, ...] = (after,) * len(factors)
            ginv = _ginv_psd(_crossprod(factors, factors, before))
        else:
            linearisation = "rake"
            mult = tuple(np.asarray(p, dtype=float) for p in pass_weights)
            with np.errstate(divide="ignore"):
                rw = tuple(np.where(m > 0, 1.0 / np.where(m > 0, m, 1.0), 0.0) for m in mult)
            inner = _block_cross(factors, rw, factors, mult)
            counts = np.concatenate(
                [np.bincount(f.codes, weights=(m > 0).astype(float), minlength=f.levels)
                 for f, m in zip(factors, mult, strict=True)]
            )
        cross = tuple(
            _block_cross(factors, rw, prev.factors, prev.mult) for prev in self._calibration
        )
        step = _CalibrationStep(
            kind=kind,
            factors=factors,
            rw=rw,
            mult=mult,
            linearisation=linearisation,
            ginv=ginv,
            inner=inner,
            counts=counts,
            cross=cross,
            info=dict(info),
        )
        new = copy.copy(self)
        new._w = after
        new._calibration = (*self._calibration, step)
        return new

    # ---- estimators --------------------------------------------------------------------------

    def mean(
        self,
        column: str,
        *,
        by: str | Sequence[str] | None = None,
        na_rm: bool = False,
        confidence: float | None = None,
        df: float | None = None,
    ) -> Estimate | DomainEstimates:
        """Design-based mean of a numeric column, overall or by domain.

        Parameters
        ----------
        column : str
            Numeric (or boolean) outcome column.
        by : str or sequence of str, optional
            Domain column(s); one estimate per observed combination.
        na_rm : bool, default False
            Exclude respondents with a missing outcome (as a domain, keeping the design, like
            R's ``na.rm = TRUE``). Without it a missing outcome is an error.
        confidence : float, optional
            Coverage of the t interval on the design degrees of freedom (default: the design's).
        df : float, optional
            Degrees of freedom of the interval in place of the design's (each domain's ``degf``,
            as R's ``confint(est, df = degf(design))``); ``float("inf")`` gives the normal
            interval of R's default ``confint(est)``. The reported ``df`` stays the design's.

        Returns
        -------
        Estimate or DomainEstimates
        """
        return self._estimate(column, by, "mean", na_rm, confidence, None, None, df)

    def total(
        self,
        column: str,
        *,
        by: str | Sequence[str] | None = None,
        na_rm: bool = False,
        confidence: float | None = None,
        df: float | None = None,
    ) -> Estimate | DomainEstimates:
        """Design-based (Horvitz-Thompson) total of a numeric column, overall or by domain.

        Parameters are as for :meth:`mean`.
        """
        return self._estimate(column, by, "total", na_rm, confidence, None, None, df)

    def proportion(
        self,
        column: str,
        *,
        level: Any = None,
        by: str | Sequence[str] | None = None,
        na_rm: bool = False,
        confidence: float | None = None,
        ci_method: ProportionCIMethod = "logit",
        df: float | None = None,
        domain_n: DomainN = "respondents",
    ) -> Estimate | DomainEstimates:
        """Design-based proportion of a 0/1 or boolean column (or of ``column == level``).

        Parameters
        ----------
        column : str
            A boolean column or a numeric column holding only 0 and 1; with ``level``, any
            column.
        level : optional
            Estimate the proportion of respondents whose ``column`` equals ``level``.
        by, na_rm, confidence
            As for :meth:`mean`.
        ci_method : {"logit", "korn-graubard", "beta", "wilson", "wald", "likelihood", "asin", \
"mean"}, default "logit"
            Interval method, see :func:`proportion_interval`. ``"likelihood"``: the Rao-Scott
            scaled chi-square likelihood interval, computed as R survey 4.5's
            ``svyciprop(method = "likelihood")`` (profile of the quasi-binomial deviance with
            weights normalised over the respondents, interpolated as R does); where R's
            profile stops short of the cutoff (R gives NA) the exact root is used. With
            ``"mean"`` the table gains a boolean column ``ci_outside`` (a bound outside
            [0, 1]).
        df : float, optional
            Degrees of freedom of the interval's t quantile in place of the design's
            (``float("inf")``: normal), as R's ``svyciprop(..., df = df)``; see
            ``ci_df`` of :func:`proportion_interval` (Korn-Graubard keeps the design's).
        domain_n : {"respondents", "design-rows"}, default "respondents"
            Sample size ``n`` of the Korn-Graubard adjustment ``(t[n-1] / t[df])**2``.
            ``"respondents"``: the respondents behind each estimate. ``"design-rows"``: R's
            ``nrow(design)`` as ``svyby(..., svyciprop, method = "beta")`` sees it (R survey
            4.x, checked with 4.5): the domain's rows for an uncalibrated design (the whole
            sample's without ``by``), but *every* row of the sample for a post-stratified or
            raked design, because R forms a domain of a calibrated design by zeroing weights
            instead of dropping rows. The two agree for uncalibrated designs without missing
            outcomes or zero weights.

        Notes
        -----
        With ``na_rm=True`` the interval's degrees of freedom (and the Korn-Graubard ``n``)
        are those of the respondents kept, as R's ``svyciprop`` on ``d[!is.na(y), ]``. R's
        ``svyciprop(..., na.rm = TRUE)`` keeps the full design's ``degf`` and ``nrow``
        instead; pass ``df=design.df`` (and ``domain_n="design-rows"``) to reproduce it.

        Returns
        -------
        Estimate or DomainEstimates
        """
        ci_method = check_choice("ci_method", ci_method, DESIGN_PROPORTION_CI_METHODS)
        domain_n = check_choice("domain_n", domain_n, DOMAIN_N_OPTIONS)
        return self._estimate(
            column, by, "proportion", na_rm, confidence, ci_method, level, df,
            domain_n=domain_n,
        )

    # ---- internals ---------------------------------------------------------------------------

    def _outcome(self, column: str, statistic: str, na_rm: bool, level: Any) -> np.ndarray:
        series = _get_column(self.data, column, "outcome")
        if level is not None:
            values = series.to_numpy(dtype=object)
            missing = pd.isna(values)
            y = np.where(missing, np.nan, (series == level).to_numpy(dtype=bool)).astype(float)
            if not np.any(y[~missing] == 1.0):
                logger.info("level %r does not occur in column %r", level, column)
        else:
            y = _numeric(series, column, "outcome")
        missing = np.isnan(y)
        if np.any(np.isinf(y)):
            bad = np.isinf(y)
            raise DataValidationError(
                f"outcome has infinite values: {describe_values(y[bad])}",
                column=str(column),
                rows=_first_rows(bad),
            )
        if statistic == "proportion" and level is None:
            bad = ~missing & (y != 0.0) & (y != 1.0)
            if np.any(bad):
                raise DataValidationError(
                    "a proportion needs a boolean or 0/1 column (or level=...); found values "
                    f"{describe_values(y[bad])}",
                    column=str(column),
                    rows=_first_rows(bad),
                )
        if np.any(missing) and not na_rm:
            raise DataValidationError(
                f"outcome has {int(missing.sum())} missing value(s); pass na_rm=True to "
                "exclude them (they are then treated as outside the domain, as R's na.rm)",
                column=str(column),
                rows=_first_rows(missing),
            )
        return y

    def _domains(
        self, by: str | Sequence[str] | None
    ) -> tuple[np.ndarray, int, pd.DataFrame | None, tuple[str, ...]]:
        if by is None:
            return np.zeros(self._n, dtype=np.int64), 1, None, ()
        names = (by,) if isinstance(by, str) else tuple(by)
        if not names:
            raise ValueError("by must name at least one column")
        code_list = []
        label_list = []
        for name in names:
            series = _get_column(self.data, name, "domain (by)")
            codes, uniques = _codes(series, name, "domain (by) column")
            if isinstance(series.dtype, pd.CategoricalDtype):
                unused = [c for c in series.cat.categories if c not in set(uniques)]
                if unused:
                    raise ValueError(
                        f"domain column {name!r} has categories with no respondents: "
                        f"{describe_values(unused)}; drop unused categories "
                        "(Series.cat.remove_unused_categories()) or collect data for them"
                    )
            code_list.append(codes)
            label_list.append(uniques)
        if len(names) == 1:
            codes = code_list[0]
            labels = pd.DataFrame({names[0]: label_list[0]})
            return codes, len(label_list[0]), labels, names
        combined = np.zeros(self._n, dtype=np.int64)
        for codes, uniques in zip(code_list, label_list, strict=True):
            combined = combined * len(uniques) + codes
        codes, uniq = pd.factorize(combined, sort=True)
        # decode mixed-radix codes back to the labels of each column
        cols: dict[str, Any] = {}
        rest = np.asarray(uniq, dtype=np.int64)
        for name, uniques in reversed(list(zip(names, label_list, strict=True))):
            cols[name] = uniques[rest % len(uniques)]
            rest = rest // len(uniques)
        labels = pd.DataFrame({name: np.asarray(cols[name]) for name in names})
        return codes.astype(np.int64), len(uniq), labels, names

    def _domain_df(self, codes: np.ndarray, ndom: int, valid: np.ndarray) -> np.ndarray:
        """R's ``degf`` of each domain: PSUs with respondents minus strata with respondents."""
        flat = self._psu * ndom + codes
        has = (
            np.bincount(flat, weights=valid, minlength=self._n_psu * ndom).reshape(
                self._n_psu, ndom
            )
            > 0
        )
        in_stratum = _group_sum(self._psu_stratum, has.astype(float), self._n_strata) > 0
        return has.sum(axis=0) - in_stratum.sum(axis=0)

    def _unit_totals(
        self,
        unit_codes: np.ndarray,
        n_units: int,
        x: np.ndarray,
        codes: np.ndarray,
        ndom: int,
        betas: Sequence[np.ndarray],
    ) -> np.ndarray:
        """Totals of the (calibration-residualised) scores by unit and domain: (n_units, ndom).

        The residualised score of row ``i`` for domain ``d`` is
        ``x[i] * [i in d] - sum_k after_k[i] * (X_k beta_k)[i, d]``; the fitted part is dense,
        so it is accumulated in chunks of domains to bound memory.
        """
        flat = unit_codes * ndom + codes
        totals = np.bincount(flat, weights=x, minlength=n_units * ndom).reshape(n_units, ndom)
        if not betas:
            return totals
        chunk = max(1, _CHUNK_ELEMENTS // max(self._n, 1))
        for start in range(0, ndom, chunk):
            cols = slice(start, min(ndom, start + chunk))
            fitted = self._fitted(betas, cols)
            totals[:, cols] -= _group_sum(unit_codes, fitted, n_units)
        return totals

    def _fitted(self, betas: Sequence[np.ndarray], cols: slice) -> np.ndarray:
        """Calibration fit of the scores for the coefficient columns ``cols``: (n, ncols)."""
        fitted: np.ndarray | None = None
        for step, beta in zip(self._calibration, betas, strict=True):
            part: np.ndarray | None = None
            offset = 0
            for f, m in zip(step.factors, step.mult, strict=True):
                term = beta[offset : offset + f.levels, cols][f.codes]
                if f.values is not None:
                    term = term * f.values[:, None]
                if step.linearisation != "greg":
                    term = m[:, None] * term
                part = term if part is None else part + term
                offset += f.levels
            assert part is not None
            if step.linearisation == "greg":
                part = step.mult[0][:, None] * part
            fitted = part if fitted is None else fitted + part
        assert fitted is not None
        return fitted

    def _calibration_betas(self, u: np.ndarray, codes: np.ndarray, ndom: int) -> list[np.ndarray]:
        """Coefficients of each calibration step's fitted part of the scores (see
        :class:`_CalibrationStep`), one column per domain."""
        x = self._w * u

        def sums(f: _Factor, r: np.ndarray) -> np.ndarray:
            v = r * x if f.values is None else r * x * f.values
            return np.bincount(f.codes * ndom + codes, weights=v,
                               minlength=f.levels * ndom).reshape(f.levels, ndom)

        return self._solve_betas(sums)

    def _solve_betas(self, sums: Any) -> list[np.ndarray]:
        """Each step's coefficients from its cell sums ``sums(factor, row_weight)``."""
        betas: list[np.ndarray] = []
        for k, step in enumerate(self._calibration):
            rhs = np.vstack([sums(f, r) for f, r in zip(step.factors, step.rw, strict=True)])
            for j in range(k):
                rhs = rhs - step.cross[j] @ betas[j]
            if step.linearisation == "greg":
                assert step.ginv is not None
                betas.append(step.ginv @ rhs)
            else:
                betas.append(_rake_coefficients(step, rhs))
        return betas

    def _variance(
        self,
        x: np.ndarray,
        u: np.ndarray,
        codes: np.ndarray,
        ndom: int,
        member: np.ndarray | None = None,
    ) -> np.ndarray:
        """Linearisation variance of each domain's estimator from per-row scores.

        ``x`` are the weighted scores (zero outside the domain), ``u = x / w``. ``member``
        (optional, boolean per row) marks the rows of each domain's subset (R's svyby subset:
        in the domain with a non-missing outcome); it matters only for lonely PSUs under
        ``lonely_domain="svyby"``.
        """
        betas = self._calibration_betas(u, codes, ndom) if self._calibration else []
        totals = self._unit_totals(self._psu, self._n_psu, x, codes, ndom, betas)
        var = self._stage_variance(
            totals,
            self._psu_stratum,
            self._n_strata,
            self._n_h,
            self._f1,
            self._lonely1,
            adjust_ok=True,
            present=self._strata_present(codes, ndom, member),
        )
        if self._two_stage:
            assert self._ssu is not None and self._ssu_psu is not None
            assert self._n2 is not None and self._f2 is not None and self._lonely2 is not None
            assert self._pi1 is not None
            sub = self._unit_totals(self._ssu, self._n_ssu, x, codes, ndom, betas)
            within = self._within_psu(sub)
            var = var + (within * self._pi1[self._psu_stratum][:, None]).sum(axis=0)
        return var

    def _domain_variance(self, x: np.ndarray, u: np.ndarray, codes: np.ndarray, ndom: int,
                         member: np.ndarray, labels: pd.DataFrame | None) -> np.ndarray:
        """:meth:`_variance` of domain estimators (non-negative), refusing a domain whose
        strata all have a single PSU under ``lonely_psu="average"`` (R's svyby gives NaN)."""
        var = self._variance(x, u, codes, ndom, member=member)
        if np.any(np.isnan(var)):
            bad = np.flatnonzero(np.isnan(var))
            raise ValueError(
                f"every stratum with respondents in domain {self._domain_names(labels, bad)} "
                "has a single PSU: lonely_psu='average' has nothing to average there "
                "(R's svyby gives NaN); use another lonely_psu option or "
                "lonely_domain='full-design'"
            )
        return np.maximum(var, 0.0)

    def _strata_present(
        self, codes: np.ndarray, ndom: int, member: np.ndarray | None
    ) -> np.ndarray | None:
        """(n_strata, ndom) mask of the strata with rows in each domain's subset, when the
        ``"svyby"`` lonely-domain convention changes the variance; otherwise ``None``."""
        if (
            member is None
            or self.lonely_domain != "svyby"
            or self._calibration  # R keeps every row of a calibrated design
            or self.lonely_psu not in ("adjust", "average")
            or not np.any(self._lonely1)
        ):
            return None
        flat = self._strata_codes * ndom + codes
        counts = np.bincount(flat, weights=member, minlength=self._n_strata * ndom)
        return counts.reshape(self._n_strata, ndom) > 0

    def _stage_deviations(
        self,
        totals: np.ndarray,
        unit_group: np.ndarray,
        n_groups: int,
        n_g: np.ndarray,
        f_g: np.ndarray,
        lonely: np.ndarray,
        *,
        adjust_ok: bool,
        present: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unit totals' deviations from their group (stratum) means, lonely units centred as
        ``lonely_psu`` says, and each group's variance factor ``f n / (n - 1)``."""
        sums = _group_sum(unit_group, totals, n_groups)
        dev = totals - (sums / np.maximum(n_g, 1)[:, None])[unit_group]
        option = self.lonely_psu
        if np.any(lonely) and option == "adjust" and adjust_ok:
            if present is None:
                grand = totals.sum(axis=0) / totals.shape[0]
            else:
                grand = totals.sum(axis=0) / (n_g[:, None] * present).sum(axis=0)
            lonely_unit = lonely[unit_group]
            dev[lonely_unit] = totals[lonely_unit] - grand
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_g > 1, f_g * n_g / (n_g - 1.0), f_g)
        if option != "adjust":
            scale = np.where(lonely, 0.0, scale)
        return dev, np.where(f_g <= _CERTAINTY_TOL, 0.0, scale)

    def _stage_variance(
        self,
        totals: np.ndarray,
        unit_group: np.ndarray,
        n_groups: int,
        n_g: np.ndarray,
        f_g: np.ndarray,
        lonely: np.ndarray,
        *,
        adjust_ok: bool,
        present: np.ndarray | None = None,
    ) -> np.ndarray:
        """Between-unit variance within groups (strata) at one stage: (ndom,).

        ``present`` (n_groups, ndom), when given, limits each domain to the groups with rows
        in it (R's svyby subset); the lonely-PSU centre and the ``"average"`` scaling then
        count only those groups.
        """
        dev, scale = self._stage_deviations(totals, unit_group, n_groups, n_g, f_g, lonely,
                                            adjust_ok=adjust_ok, present=present)
        option = self.lonely_psu
        ss = _group_sum(unit_group, dev**2, n_groups)
        if present is not None:
            ss = ss * present  # a stratum outside the domain's subset contributes nothing
        var = (ss * scale[:, None]).sum(axis=0)
        if option == "average" and np.any(lonely):
            if present is None:
                n_ok = n_groups - int(lonely.sum())
                if n_ok == 0:
                    raise ValueError(
                        "every stratum has a single PSU: lonely_psu='average' has nothing to "
                        "average"
                    )
                var = var * n_groups / n_ok
            else:
                n_all = present.sum(axis=0)
                n_ok = (present & ~lonely[:, None]).sum(axis=0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    # NaN marks a domain whose strata all have a single PSU; the caller
                    # raises naming it
                    var = np.where(n_ok > 0, var * n_all / n_ok, np.nan)
        return var

    def _within_psu(self, sub: np.ndarray) -> np.ndarray:
        """Second-stage variance within each PSU: (n_psu, ndom), before the stage-1 factor."""
        assert self._ssu_psu is not None and self._n2 is not None and self._f2 is not None
        assert self._lonely2 is not None
        dev, scale = self._second_stage_deviations(sub)
        ss = _group_sum(self._ssu_psu, dev**2, self._n_psu)
        return ss * scale[:, None]

    def _second_stage_deviations(self, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """SSU totals' deviations from their PSU means and each PSU's variance factor (a
        lonely SSU contributes nothing)."""
        assert self._ssu_psu is not None and self._n2 is not None and self._f2 is not None
        assert self._lonely2 is not None
        n2, f2 = self._n2, self._f2
        sums = _group_sum(self._ssu_psu, sub, self._n_psu)
        dev = sub - (sums / np.maximum(n2, 1)[:, None])[self._ssu_psu]
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n2 > 1, f2 * n2 / (n2 - 1.0), 0.0)
        return dev, np.where(self._lonely2 | (f2 <= _CERTAINTY_TOL), 0.0, scale)

    def _covariance(self, x: np.ndarray, u: np.ndarray,
                    member: np.ndarray | None = None) -> np.ndarray:
        """Linearisation covariance matrix of the totals of ``k`` score columns: (k, k).

        ``x`` (n, k) are weighted scores, ``u = x / w``. Same estimator as :meth:`_variance`
        on the full design (whose diagonal it reproduces) for scores that are dense over the
        sample, such as the cell proportions of a two-way table (R's
        ``attr(svymean(mm, design), "var")``). ``member`` (optional, boolean per row) marks
        the rows of the subpopulation the scores belong to; under ``lonely_domain="svyby"``
        lonely PSUs then see only the strata with rows in it, as for :meth:`_variance`.
        """
        betas = self._dense_betas(u) if self._calibration else []
        totals = self._dense_totals(self._psu, self._n_psu, x, betas)
        present = self._strata_present(np.zeros(self._n, dtype=np.int64), 1, member)
        dev, scale = self._stage_deviations(totals, self._psu_stratum, self._n_strata,
                                            self._n_h, self._f1, self._lonely1, adjust_ok=True,
                                            present=present)
        if present is not None:
            scale = np.where(present[:, 0], scale, 0.0)  # strata outside contribute nothing
        cov = dev.T @ (dev * scale[self._psu_stratum][:, None])
        if self.lonely_psu == "average" and np.any(self._lonely1):
            kept = np.ones(self._n_strata, bool) if present is None else present[:, 0]
            n_ok = int((kept & ~self._lonely1).sum())
            if n_ok == 0:
                raise ValueError("every stratum with respondents has a single PSU: "
                                 "lonely_psu='average' has nothing to average")
            cov = cov * int(kept.sum()) / n_ok
        if self._two_stage:
            assert self._ssu is not None and self._ssu_psu is not None and self._pi1 is not None
            sub = self._dense_totals(self._ssu, self._n_ssu, x, betas)
            dev2, scale2 = self._second_stage_deviations(sub)
            scale2 = scale2 * self._pi1[self._psu_stratum]
            cov = cov + dev2.T @ (dev2 * scale2[self._ssu_psu][:, None])
        return cov

    def _dense_betas(self, u: np.ndarray) -> list[np.ndarray]:
        """:meth:`_calibration_betas` for dense (n, k) scores."""
        x = self._w[:, None] * u

        def sums(f: _Factor, r: np.ndarray) -> np.ndarray:
            rv = r if f.values is None else r * f.values
            return _group_sum(f.codes, rv[:, None] * x, f.levels)

        return self._solve_betas(sums)

    def _dense_totals(self, unit_codes: np.ndarray, n_units: int, x: np.ndarray,
                      betas: Sequence[np.ndarray]) -> np.ndarray:
        """Unit totals of dense (n, k) scores minus their calibration fit: (n_units, k)."""
        totals = _group_sum(unit_codes, x, n_units)
        if betas:
            totals = totals - _group_sum(unit_codes, self._fitted(betas, slice(None)), n_units)
        return totals

    def _estimate(
        self,
        column: str,
        by: str | Sequence[str] | None,
        statistic: str,
        na_rm: bool,
        confidence: float | None,
        ci_method: str | None,
        level: Any,
        ci_df: float | None = None,
        domain_n: str = "respondents",
    ) -> Estimate | DomainEstimates:
        confidence = self.confidence if confidence is None else check_confidence(confidence)
        ci_df = _check_df(ci_df)
        y = self._outcome(column, statistic, na_rm, level)
        codes, ndom, labels, by_names = self._domains(by)
        w = self._w
        valid = ~np.isnan(y) & (w > 0)
        yv = np.where(valid, y, 0.0)
        wv = np.where(valid, w, 0.0)

        n_d = np.bincount(codes, weights=valid, minlength=ndom).astype(np.int64)
        if np.any(n_d == 0):
            shown = self._domain_names(labels, np.flatnonzero(n_d == 0))
            raise ValueError(
                f"domain {shown} of {list(by_names) or 'the design'} has no respondents with a "
                f"non-missing {column!r} and a positive weight"
            )
        N_d = np.bincount(codes, weights=wv, minlength=ndom)
        wy = wv * yv
        T_d = np.bincount(codes, weights=wy, minlength=ndom)
        mean_d = T_d / N_d
        resid = np.where(valid, yv - mean_d[codes], 0.0)

        if statistic == "total":
            est = T_d
            u = yv
            x = wy
        else:
            est = mean_d
            inv_n = 1.0 / N_d
            u = resid * inv_n[codes]
            x = wv * u
        var = self._domain_variance(x, u, codes, ndom, ~np.isnan(y), labels)
        se = np.sqrt(var)
        df = self._domain_df(codes, ndom, valid)

        # design effect against SRS without replacement (R's deff = TRUE)
        ss_w = np.bincount(codes, weights=wv * resid**2, minlength=ndom)
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = ss_w / N_d * n_d / (n_d - 1.0)
            fpc_srs = np.maximum(0.0, 1.0 - n_d / N_d)
            v_srs = s2 / n_d * fpc_srs
            if statistic == "total":
                v_srs = v_srs * N_d**2
            deff = np.where(v_srs > 0, var / v_srs, np.nan)
            n_eff = np.where(deff > 0, n_d / deff, np.nan)

        outside = None
        if statistic == "proportion":
            assert ci_method is not None
            kg_n = None
            if domain_n == "design-rows":  # R's nrow(design) inside svyby
                kg_n = (
                    np.full(ndom, self._n)
                    if self._calibration
                    else np.bincount(codes, minlength=ndom)
                )
            if ci_method == "likelihood":
                low, high, boundary = self._likelihood_intervals(
                    est, var, n_d, df, confidence, ci_df, codes, ndom, valid, yv, wv,
                    ~np.isnan(y), domain_n,
                )
            else:
                low, high, boundary = _proportion_bounds(
                    est, se, n_d, df, confidence, ci_method, ci_df, kg_n
                )
            if ci_method == "mean":
                outside = ~boundary & ((low < 0.0) | (high > 1.0))
            ci_label = ci_method
        else:
            q_df = df if ci_df is None else np.full(ndom, ci_df)
            low, high = _t_interval(est, se, q_df, confidence)
            boundary = np.zeros(ndom, dtype=bool)
            ci_label = _interval_label(ci_df)
        method = f"Taylor linearisation; {statistic}; {self._design_label()}; {ci_label}"

        if labels is None:
            label = ci_label + (" (Clopper-Pearson at boundary)" if boundary[0] else "")
            if outside is not None and outside[0]:
                label += _OUTSIDE
            return Estimate(
                estimate=float(est[0]),
                se=float(se[0]),
                ci=ConfidenceInterval(float(low[0]), float(high[0]), confidence, label),
                deff=float(deff[0]),
                n_eff=float(n_eff[0]),
                n=int(n_d[0]),
                df=int(df[0]),
                method=method,
                variable=str(column),
                statistic=statistic,
            )
        table = _domain_table(labels, est, se, low, high, deff, n_eff, n_d, df)
        if outside is not None:
            table["ci_outside"] = outside
        return DomainEstimates(
            variable=str(column),
            statistic=statistic,
            by=by_names,
            table=table,
            confidence=confidence,
            method=method,
        )

    def _likelihood_intervals(
        self,
        p: np.ndarray,
        var: np.ndarray,
        n_d: np.ndarray,
        df: np.ndarray,
        confidence: float,
        ci_df: float | None,
        codes: np.ndarray,
        ndom: int,
        valid: np.ndarray,
        yv: np.ndarray,
        wv: np.ndarray,
        member: np.ndarray,
        domain_n: str = "respondents",
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """R's ``svyciprop(method = "likelihood")`` for each domain (see
        :func:`_likelihood_bounds`); estimates at 0 or 1 get the boundary interval.

        R fits ``svyglm(y ~ 1, family = quasibinomial)`` with the weights normalised to mean 1
        over the domain's respondents (``domain_n="design-rows"``: over the rows R's design
        object holds, every row of the sample for a calibrated design); its IRLS path
        matters (the model-based variance comes from the working weights of the last
        iteration), so it is followed here: R's
        ``binomial()$initialize`` start, then Newton steps until the relative change of the
        deviance is below ``glm.control()$epsilon = 1e-8``.
        """
        boundary = (p <= 0.0) | (p >= 1.0)
        low, high, _ = _proportion_bounds(
            p, np.sqrt(var), n_d, df, confidence, "logit", ci_df
        )  # replaced below except at the boundary
        todo = np.flatnonzero(~boundary & (var > 0))
        if todo.size == 0:
            return low, high, boundary
        n_f = n_d.astype(float)
        w_sum = np.bincount(codes, weights=wv, minlength=ndom)
        if domain_n == "design-rows":  # the rows of R's design object for each domain
            missing = np.isnan(np.where(member, 0.0, np.nan))
            w_rows = np.bincount(codes, weights=self._w, minlength=ndom)
            if self._calibration:
                rows = np.full(ndom, float(self._n))
                n_fit = np.full(ndom, self._n - int(missing.sum()))
            else:
                rows = np.bincount(codes, minlength=ndom).astype(float)
                n_fit = rows - np.bincount(codes, weights=missing, minlength=ndom)
            scale = rows / w_rows
        else:
            scale = n_f / w_sum
            n_fit = n_f
        big_w = np.where(valid, wv * scale[codes], 0.0)  # svyglm's rescaled weights
        s1 = np.bincount(codes, weights=big_w * yv, minlength=ndom)
        s0 = np.bincount(codes, weights=big_w * (1.0 - yv), minlength=ndom)
        # IRLS iteration 1 from R's start mu_i = (W_i y_i + 0.5) / (W_i + 1)
        mu_s = (big_w * yv + 0.5) / (big_w + 1.0)
        eta_s = np.log(mu_s / (1.0 - mu_s))
        me_s = _logit_mu_eta(eta_s)
        a_s = np.where(valid, big_w * me_s**2 / (mu_s * (1.0 - mu_s)), 0.0)
        z_s = eta_s + (yv - mu_s) / me_s
        a_sum = np.bincount(codes, weights=a_s, minlength=ndom)
        coef = np.bincount(codes, weights=a_s * z_s, minlength=ndom) / a_sum
        dev_old = np.bincount(
            codes,
            weights=np.where(valid, -2.0 * big_w * (yv * np.log(mu_s)
                                                    + (1.0 - yv) * np.log(1.0 - mu_s)), 0.0),
            minlength=ndom,
        )
        naive = 1.0 / a_sum
        done = np.zeros(ndom, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            for _ in range(25):  # glm.control()$maxit
                dev = _binomial_deviance(s1, s0, coef)
                done |= np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < 1e-8
                if done[todo].all():
                    break
                mu = _expit(coef)
                me = _logit_mu_eta(coef)
                step = (s1 / (s1 + s0) - mu) / me
                naive = np.where(done, naive, 1.0 / (me**2 / (mu * (1.0 - mu)) * (s1 + s0)))
                coef = np.where(done, coef, coef + step)
                dev_old = np.where(done, dev_old, dev)
        mu_hat = _expit(coef)
        me_hat = _logit_mu_eta(coef)
        # design variance of the logit: the linearised score W (y - mu_hat) of the fit
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(valid, (yv - mu_hat[codes]) / w_sum[codes], 0.0)
        var_fit = np.maximum(self._variance(wv * u, u, codes, ndom, member=member), 0.0)
        var_logit = var_fit / me_hat**2
        # dispersion: R's svyvar of svyglm's Pearson residuals (y - mu) / sqrt(mu (1 - mu))
        # (residuals.svyglm divides the prior weights back out), n / (n - 1) weighted variance
        with np.errstate(divide="ignore", invalid="ignore"):
            pq = (mu_hat * (1.0 - mu_hat))[codes]
            r = np.where(valid, (yv - mu_hat[codes]) / np.sqrt(pq), 0.0)
            r_mean = np.bincount(codes, weights=wv * r, minlength=ndom) / w_sum
            r_dev = np.where(valid, r - r_mean[codes], 0.0)
            phi = (
                np.bincount(codes, weights=wv * r_dev**2, minlength=ndom) / w_sum
                * n_f / (n_f - 1.0)
            )
        q_df = df.astype(float) if ci_df is None else np.full(ndom, ci_df)
        for i in todo:
            low[i], high[i] = _likelihood_bounds(
                float(coef[i]), float(var_logit[i]), float(naive[i]), float(s1[i]),
                float(s0[i]), float(phi[i]), int(n_fit[i]), float(q_df[i]), confidence,
            )
        return low, high, boundary

    @staticmethod
    def _domain_names(labels: pd.DataFrame | None, index: np.ndarray) -> str:
        """Readable labels of the domains at ``index`` (``"(all)"`` for the whole sample)."""
        if labels is None:
            return "(all)"
        if labels.shape[1] > 1:
            return ", ".join(str(tuple(labels.iloc[i])) for i in index[:_MAX_SHOWN])
        return ", ".join(repr(labels.iloc[i, 0]) for i in index[:_MAX_SHOWN])

    def _design_label(self) -> str:
        parts = []
        if self.strata_column is not None:
            parts.append("stratified")
        if self.psu_column is not None:
            parts.append("two-stage cluster" if self._two_stage else "cluster")
        if not parts:
            parts.append("independent sampling")
        parts.append("without replacement" if self.fpc_columns else "with replacement")
        if self._calibration:
            parts.append("calibrated (" + "+".join(s.kind for s in self._calibration) + ")")
        return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Design-level calibration
# --------------------------------------------------------------------------------------------


def _design_column(design: SurveyDesign, name: Hashable) -> pd.Series:
    data = design.data
    if name not in data.columns:
        raise ValueError(f"margin column {name!r} not found in the design's data")
    return data[name]


def poststratify(
    design: SurveyDesign,
    by: str | Sequence[str],
    population: Mapping[Hashable, float] | pd.Series,
    *,
    kind: MarginKind = "auto",
    total: float | None = None,
) -> SurveyDesign:
    """Post-stratify a design to population cell counts (R's ``postStratify``).

    Parameters
    ----------
    design : SurveyDesign
        The design to adjust.
    by : str or sequence of str
        Post-stratification column(s); with several, ``population`` is keyed by tuples (or a
        Series with a MultiIndex).
    population : mapping or pandas.Series
        Population count (or share) of each cell.
    kind, total
        As for :func:`poststratify_weights`.

    Returns
    -------
    SurveyDesign
        A new design with post-stratified weights; its standard errors use the residuals of the
        scores from their post-stratum means (R's linearisation).

    Examples
    --------
    R: ``postStratify(dclus1, ~stype, data.frame(stype = c("E", "H", "M"),
    Freq = c(4421, 755, 1018)))``

    >>> dclus1p = poststratify(dclus1, "stype", {"E": 4421, "H": 755, "M": 1018})  # doctest: +SKIP
    """
    names = (by,) if isinstance(by, str) else tuple(by)
    if not names:
        raise ValueError("by must name at least one column")
    w0 = design._w
    if len(names) == 1:
        cells: Any = _design_column(design, names[0])
    else:
        cells = pd.MultiIndex.from_arrays([_design_column(design, n) for n in names])
    label = "+".join(map(str, names))
    margin = _margin_series(label, population)
    kind = _resolve_kind({label: margin}, kind)
    scaled, _ = _scaled_targets({label: margin}, kind, total, w0)
    codes, targets = _match_categories(label, cells, scaled[label], w0)
    sums = np.bincount(codes, weights=w0, minlength=len(targets))
    new_w = w0 * (targets / sums)[codes]
    factor = design._factor(label, codes, len(targets))
    return design._calibrated(new_w, [factor], "poststratify", {"cells": len(targets)})


RakeLinearisation = Literal["calibrate", "rake"]
#: Standard-error linearisations of a raked design (see :func:`rake`).
RAKE_LINEARISATIONS: tuple[str, ...] = ("calibrate", "rake")


def _margin_factors(design: SurveyDesign, population: Mapping[Any, Any]) -> dict[Any, Any]:
    if not isinstance(population, Mapping) or not population:
        raise ValueError("population must map each margin column to its margin")
    factors: dict[Any, Any] = {}
    for key in population:
        if isinstance(key, tuple):
            factors[key] = pd.MultiIndex.from_arrays([_design_column(design, k) for k in key])
        else:
            factors[key] = _design_column(design, key)
    return factors


def rake(
    design: SurveyDesign,
    population: Mapping[str, Mapping[Hashable, float] | pd.Series],
    *,
    kind: MarginKind = "auto",
    total: float | None = None,
    tol: float = 1e-8,
    max_iter: int = 100,
    linearisation: RakeLinearisation = "calibrate",
    force: bool = False,
) -> SurveyDesign:
    """Rake a design to population margins (iterative proportional fitting, R's ``rake()``
    weights), with either of R's two linearisations for the standard errors.

    The raked weights are those of R survey 4.1-1 ``rake(design, sample.margins,
    population.margins)``. The standard errors follow, by name:

    * ``linearisation="calibrate"`` (default): R's
      ``calibrate(design, ~a + b, population, calfun = "raking")`` — the GREG linearisation:
      residuals of the scores from one regression (weighted by the weights before raking) on
      the indicators of every margin, times the raked weights;
    * ``linearisation="rake"``: R's ``rake(design, list(~a, ~b), list(pop.a, pop.b))`` —
      ``svyrecvar``'s iterated post-stratification residuals: ten passes of subtracting, for
      each margin in turn, the weights after that margin's post-stratification in the last
      raking pass times the *unweighted* cell means of the scores divided by those weights.

    The two agree when the design weights are constant within margin cells and differ
    otherwise: api two-stage cluster design, raked to ``stype`` and ``sch.wide``, mean
    ``api00``: SE 25.99754 (``"calibrate"``) and 31.72751 (``"rake"``). Respondents with a
    zero weight are left out of the ``"rake"`` cell means (R would give ``NaN``).

    Parameters
    ----------
    design : SurveyDesign
        The design to adjust.
    population : mapping of str (or tuple of str) to mapping or Series
        For each margin column of the design's data, the population count (or share) of every
        category, e.g. ``{"district": {...}, "sex": {"M": 2555426, "F": 2916162}}``. A tuple
        of columns as key rakes to their joint distribution (categories keyed by tuples, or a
        Series with a MultiIndex), as R's ``rake(design, list(~a + b, ~c), ...)``.
    kind, total, tol, max_iter
        As for :func:`rake_weights`. R's default ``control = list(epsilon = 1)`` (an absolute
        change of one unit of weight) corresponds to ``tol = 1 / population total``,
        ``max_iter = 10``.
    linearisation : {"calibrate", "rake"}, default "calibrate"
        Which of R's linearisations the standard errors use (above).
    force : bool, default False
        Keep weights that did not converge (with a warning, as R's ``rake``) instead of
        raising.

    Returns
    -------
    SurveyDesign
        A new design with raked weights and the chosen linearisation recorded for its
        standard errors.

    Raises
    ------
    DataValidationError
        The margins cannot be met within ``max_iter`` passes (naming the margin, category and
        by how much the weights miss it), a category is missing from the sample or from the
        margins, or the margins disagree in total.
    ValueError
        A margin column is absent or an argument is invalid.
    """
    linearisation = check_choice("linearisation", linearisation, RAKE_LINEARISATIONS)
    factors = _margin_factors(design, population)
    w0 = design._w
    margins = _prepare_raking(w0, factors, population, kind, total)
    result, last_pass = _ipf(w0, margins, tol=tol, max_iter=max_iter)
    if not result.converged:
        message = _not_met_message("raking", result.weights, margins, result.iterations,
                                   result.max_change)
        if not force:
            raise DataValidationError(
                message.replace("raking did not", "raking cannot meet its margins: it did not")
                + "; or pass force=True to keep the weights anyway"
            )
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    fs = [
        _Block(name, codes, len(targets), None, tuple(labels))
        for name, codes, targets, labels in zip(
            margins.names, margins.codes, margins.targets, margins.labels, strict=True
        )
    ]
    info = {
        "converged": result.converged,
        "iterations": result.iterations,
        "max_margin_error": result.max_margin_error,
        "linearisation": linearisation,
    }
    logger.debug("raking finished: %s", info)
    return design._calibrated(
        result.weights, fs, "rake", info,
        pass_weights=last_pass if linearisation == "rake" else None,
    )


def calibrate(
    design: SurveyDesign,
    margins: Mapping[Any, Mapping[Hashable, float] | pd.Series] | None = None,
    totals: Mapping[str, float] | None = None,
    *,
    population_size: float | None = None,
    calfun: CalibrationFunction = "linear",
    bounds: tuple[float, float] | None = None,
    kind: MarginKind = "auto",
    tol: float = 1e-7,
    max_iter: int = 50,
    force: bool = False,
) -> SurveyDesign:
    """Calibrate a design to categorical margins and totals of numeric auxiliaries (R's
    ``calibrate``), with the calibrated design's standard errors.

    The weights are :func:`~kpianalysis.weighting.calibrate_weights` of the design weights;
    the standard errors use the residuals of the scores from their regression (weighted by
    the weights before calibration) on the calibration model's columns, times the calibrated
    weights (the GREG linearisation), as R survey 4.1-1. The R call reproduced is::

        calibrate(design, ~a + b + x, c(`(Intercept)` = N, <non-base levels of a and b>,
                  x = T_x), calfun = calfun, bounds = bounds)

    for ``margins={"a": ..., "b": ...}, totals={"x": T_x}`` (R's list form
    ``calibrate(design, list(~a, ~b), list(pop.a, pop.b))`` for margins alone): ``"linear"``
    without bounds is GREG (R's ``calfun = "linear"``, which R solves in one step),
    ``"linear"`` with ``bounds`` is R's bounded linear calibration, ``"logit"`` with ``bounds``
    R's ``calfun = "logit"`` and ``"raking"`` R's ``calfun = "raking"``.

    Parameters
    ----------
    design : SurveyDesign
        The design to calibrate.
    margins : mapping of str (or tuple of str) to mapping or Series, optional
        Population count (or share) of every category of each margin column (a tuple key for a
        joint margin), as for :func:`rake`.
    totals : mapping of str to float, optional
        Population total of each numeric auxiliary column of the design's data.
    population_size, calfun, bounds, kind, tol, max_iter, force
        As for :func:`~kpianalysis.weighting.calibrate_weights`.

    Returns
    -------
    SurveyDesign
        A new design with calibrated weights; ``design.calibration`` records the calibration
        function, bounds, Newton steps and the largest misfit.

    Raises
    ------
    DataValidationError
        The calibration cannot meet its margins or totals (naming the margin and category, or
        the auxiliary, and by how much it misses), margins disagree in total, a margin
        category is absent from the sample (or a sample category has no margin), an
        auxiliary has missing values, or unbounded linear calibration gives negative weights
        (R keeps them; give ``bounds`` instead).
    ValueError
        A column is absent or an argument is invalid.

    Examples
    --------
    R: ``calibrate(dclus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755,
    stypeM = 1018, api99 = 3914069), calfun = "logit", bounds = c(0.5, 2))``

    >>> cal = calibrate(dclus1, {"stype": {"E": 4421, "H": 755, "M": 1018}},
    ...                 {"api99": 3914069}, calfun="logit", bounds=(0.5, 2))  # doctest: +SKIP
    """
    lo_hi = _check_bounds(calfun, bounds)
    factors = _margin_factors(design, margins) if margins else {}
    covariates = {}
    for name in totals or {}:
        covariates[name] = _design_column(design, name)
    w0 = design._w
    model = _prepare_calibration(
        w0, factors, margins or {}, covariates, totals, population_size, kind
    )
    result = _calibrate(w0, model, calfun, lo_hi, tol=tol, max_iter=max_iter)
    _check_met(result, model, force, stacklevel=3)
    negative = result.weights < 0
    if np.any(negative):
        # R keeps negative GREG weights; the estimators here treat a weight <= 0 as outside
        # the sample, so they would silently drop these respondents
        raise DataValidationError(
            f"{calfun} calibration gives {int(negative.sum())} negative weight(s) (smallest g "
            f"{float(result.g.min()):.4g}); bound the weight ratios, e.g. bounds=(0.1, 10) or "
            "calfun='logit' with bounds",
            rows=_first_rows(negative),
        )
    info = {
        "calfun": calfun,
        "bounds": result.bounds,
        "converged": result.converged,
        "iterations": result.iterations,
        "max_misfit": result.max_misfit,
        "auxiliaries": list(model.auxiliaries),
    }
    logger.debug("calibration finished: %s", info)
    return design._calibrated(result.weights, model.blocks, f"calibrate:{calfun}", info)
