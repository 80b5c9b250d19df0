"""Quantiles, ratios and tests of association on a :class:`~kpianalysis.design.SurveyDesign`.

These follow R's ``survey`` package (version 4.1-1, Lumley 2010) call for call:

* :func:`quantile` — R's ``svyquantile`` (the rewrite of survey 4.1): the quantile of the
  weighted empirical distribution under a named rule (``qrule``: ``"math"``, ``"school"``,
  ``"shahvaish"``, ``"hf1"`` … ``"hf9"``) and Woodruff's (1952) interval: an interval for the
  distribution function at the estimated quantile (``interval_type``: ``"mean"`` — Wald,
  ``"xlogit"``, ``"asin"``, ``"beta"``) mapped back through the same rule, with the standard
  error ``(upper - lower) / (2 t)`` as R reports it;
* :func:`ratio` — R's ``svyratio``: ``sum(w y) / sum(w x)`` with the linearised score
  ``(y - R x) / sum(w x)``;
* :func:`chisq_test` — R's ``svychisq`` for a two-way table: the Rao-Scott first-order
  (``"Chisq"``) and second-order (``"F"``, the default) corrections of Pearson's statistic, and
  the design-based Wald tests (``"Wald"``, ``"adjWald"``).

Domains (``by=``) are estimated on the full design with scores set to zero outside the domain,
which is what R's ``svyby`` gives (R subsets the design; the strata and PSU counts of the full
design are kept); lonely PSUs follow the design's ``lonely_domain`` convention (R >= 4.4-1's
``svyby`` by default). Reference values: survey 4.1-1, and survey 4.5 for lonely PSUs.

References
----------
Woodruff, R. S. (1952). Confidence intervals for medians and other position measures. *JASA*
47, 635-646.

Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables with
cell proportions estimated from survey data. *Annals of Statistics* 12, 46-60.

Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician* 50, 361-365.

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. (Ch. 2.4, 3.3, 6.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._results import ConfidenceInterval, Result, confidence_label, format_value
from ._validation import check_choice, check_confidence

if TYPE_CHECKING:  # pragma: no cover
    from .design import DomainEstimates, Estimate, SurveyDesign

__all__ = [
    "QUANTILE_INTERVALS",
    "QUANTILE_RULES",
    "CHISQ_STATISTICS",
    "QuantileEstimates",
    "TableTest",
    "chisq_test",
    "quantile",
    "ratio",
]

#: Quantile rules, as R's ``svyquantile(qrule = ...)``.
QUANTILE_RULES: tuple[str, ...] = (
    "math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9",
)
#: Woodruff interval types, as R's ``svyquantile(interval.type = ...)``.
QUANTILE_INTERVALS: tuple[str, ...] = ("mean", "xlogit", "asin", "beta")
#: Statistics of :func:`chisq_test`, as R's ``svychisq(statistic = ...)``.
CHISQ_STATISTICS: tuple[str, ...] = ("F", "Chisq", "Wald", "adjWald")

QuantileRule = Literal[
    "math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9"
]


# --------------------------------------------------------------------------------------------
# Weighted quantile rules (one domain's values, sorted)
# --------------------------------------------------------------------------------------------


def _cumulative(w: np.ndarray) -> np.ndarray:
    """Cumulative weights accumulated in extended precision, as R's ``cumsum``."""
    return np.cumsum(w.astype(np.longdouble)).astype(float)


def _qs(x: np.ndarray, cumw: np.ndarray, p: float) -> tuple[int, int, float, float]:
    """R's ``survey:::qs``: the last position with cumulative share <= p and the next one.

    Returns 0-based ``(low, up, wlow, wup)``. For ``p`` below the first cumulative share the
    quantile is the smallest value (``low = up = 0``, ``wlow = 0``), as survey >= 4.4 and
    numpy's ``inverted_cdf``; survey 4.1-1 returns the second-smallest value there.
    """
    total = cumw[-1]
    at_or_below = np.flatnonzero(cumw <= p * total)
    if not at_or_below.size:
        return 0, 0, 0.0, cumw[0] / total - p
    low = int(at_or_below[-1])
    up = low if low == len(x) - 1 else low + 1
    return low, up, p - cumw[low] / total, cumw[up] / total - p


def _rule_value(x: np.ndarray, w: np.ndarray, p: float, rule: str) -> float:
    """The ``p`` quantile of ``x`` (sorted, positive weights ``w``) under R's ``qrule``."""
    n = len(x)
    cumw = _cumulative(w)
    if rule in ("math", "hf1", "school", "hf2", "hf4"):
        low, up, wlow, wup = _qs(x, cumw, p)
        if rule in ("math", "hf1"):
            return float(x[low] if wlow == 0 else x[up])
        if rule in ("school", "hf2"):
            return float((x[low] + x[up]) / 2.0 if wlow == 0 else x[up])
        with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 at p = 1: NaN, as R
            gamma = wlow / (wup + wlow)
        return float(x[low] * (1.0 - gamma) + x[up] * gamma)
    if rule == "hf3":
        ux, start = np.unique(x, return_index=True)
        uw = np.add.reduceat(w, start)
        ucum = _cumulative(uw)
        low, up, wlow, _ = _qs(ux, ucum, p)
        return float(ux[low] if (wlow == 0 and (low + 1) % 2 == 0) else ux[up])
    prev = np.concatenate(([0.0], cumw[:-1]))
    if rule == "hf5":
        pk = (cumw - w / 2.0) / cumw[-1]
    elif rule == "hf6":
        pk = cumw / (cumw[-1] + w[-1])
    elif rule == "hf7":
        pk = prev / cumw[-2] if n > 1 else np.zeros(1)
    elif rule == "hf8":
        pk = (prev / 3.0 + cumw * 2.0 / 3.0) / (cumw[-1] + w[-1] / 3.0)
    elif rule == "hf9":
        pk = (prev * 3.0 / 8.0 + cumw * 5.0 / 8.0) / (cumw[-1] + w[-1] / 4.0)
    elif rule == "shahvaish":
        s = _cumulative(w / np.mean(w))
        # R: approx(pk, x, p, method = "constant", f = 0, rule = 2)
        return _approx((s + 0.5 - w / 2.0) / (n + 1.0), x, p, step=True)
    else:  # pragma: no cover - guarded by check_choice
        raise ValueError(f"unknown quantile rule {rule!r}")
    # R: approx(pk, x, p, method = "linear", rule = 2)
    return _approx(pk, x, p, step=False)


def _approx(pk: np.ndarray, y: np.ndarray, p: float, *, step: bool) -> float:
    """R's ``approx(pk, y, p, rule = 2)``: points ordered by ``pk``, tied ``pk`` averaged
    (R's ``ties = mean``), then linear or left-continuous step interpolation, constant
    beyond the ends."""
    order = np.argsort(pk, kind="stable")
    pk_s, y_s = pk[order], y[order]
    knots, start = np.unique(pk_s, return_index=True)
    if len(knots) < len(pk_s):
        counts = np.diff(np.append(start, len(pk_s)))
        y_s = np.add.reduceat(y_s, start) / counts
    else:
        y_s = y_s.astype(float)
    if step:
        i = int(np.searchsorted(knots, p, side="right")) - 1
        return float(y_s[min(max(i, 0), len(y_s) - 1)])
    return float(np.interp(p, knots, y_s))


# --------------------------------------------------------------------------------------------
# Design helpers
# --------------------------------------------------------------------------------------------


def _domain_means(
    design: SurveyDesign, y: np.ndarray, valid: np.ndarray, codes: np.ndarray, ndom: int,
    labels: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Design-based domain means of ``y`` and their standard errors (zero scores outside)."""
    w = np.where(valid, design._w, 0.0)
    yv = np.where(valid, y, 0.0)
    big_n = np.bincount(codes, weights=w, minlength=ndom)
    mean = np.bincount(codes, weights=w * yv, minlength=ndom) / big_n
    u = np.where(valid, (yv - mean[codes]) / big_n[codes], 0.0)
    return mean, np.sqrt(design._domain_variance(w * u, u, codes, ndom, valid, labels))


def _crit(confidence: float, df: float) -> float:
    q = 0.5 + confidence / 2.0
    return float(stats.norm.ppf(q) if np.isinf(df) else stats.t.ppf(q, df))


def _prepare(
    design: SurveyDesign, columns: Sequence[str], by: str | Sequence[str] | None, na_rm: bool
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, int, pd.DataFrame | None, tuple[str, ...]]:
    """Outcome columns as float arrays, the rows used, and the domain codes."""
    ys = [design._outcome(c, "mean", na_rm, None) for c in columns]
    valid = design._w > 0
    for y in ys:
        valid &= ~np.isnan(y)
    codes, ndom, labels, names = design._domains(by)
    n_d = np.bincount(codes, weights=valid, minlength=ndom)
    if np.any(n_d == 0):
        raise ValueError(
            f"a domain of {list(names) or 'the design'} has no respondents with non-missing "
            f"{', '.join(map(repr, columns))} and a positive weight"
        )
    return ys, valid, codes, ndom, labels, names


# --------------------------------------------------------------------------------------------
# Quantiles
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class QuantileEstimates(Result):
    """Design-based quantiles with Woodruff intervals.

    Attributes
    ----------
    variable : str
        The outcome column.
    by : tuple of str
        Domain columns (empty for the whole population).
    table : pandas.DataFrame
        One row per domain and probability: the ``by`` columns, ``p``, ``quantile``,
        ``ci_low``, ``ci_high``, ``se`` (R's ``(upper - lower) / (2 t)``), ``n`` and ``df``. An
        interval end is ``NaN`` where the interval for the distribution function leaves
        [0, 1] (as R).
    confidence : float
        Nominal coverage of the intervals.
    rule : str
        The quantile rule (R's ``qrule``).
    interval_type : str
        The Woodruff interval type (R's ``interval.type``).
    method : str
        How the quantiles and intervals were computed.
    """

    variable: str
    by: tuple[str, ...]
    table: pd.DataFrame
    confidence: float
    rule: str
    interval_type: str
    method: str

    def _summary_lines(self) -> list[str]:
        cols = [*self.by, "p", "quantile", "ci_low", "ci_high", "se", "n"]
        text = self.table[cols].head(12).to_string(
            index=False, float_format=lambda v: format_value(v))
        return [f"QuantileEstimates: {self.variable}"
                + (f" by {', '.join(self.by)}" if self.by else ""),
                f"{confidence_label(self.confidence)} CI; method: {self.method}",
                *text.splitlines()]


def quantile(
    design: SurveyDesign,
    column: str,
    probs: float | Sequence[float],
    *,
    by: str | Sequence[str] | None = None,
    rule: QuantileRule = "math",
    interval_type: Literal["mean", "xlogit", "asin", "beta"] = "mean",
    confidence: float | None = None,
    df: float | None = None,
    na_rm: bool = False,
) -> QuantileEstimates:
    """Design-based quantiles with Woodruff confidence intervals (R's ``svyquantile``).

    Parameters
    ----------
    design : SurveyDesign
        The design (linearisation; calibrated designs use their calibrated weights).
    column : str
        Numeric outcome column.
    probs : float or sequence of float
        Probabilities in [0, 1].
    by : str or sequence of str, optional
        Domain column(s), as R's ``svyby(..., FUN = svyquantile)``.
    rule : str, default "math"
        R's ``qrule``: ``"math"`` (= ``"hf1"``, the inverse of the weighted distribution
        function), ``"school"`` (= ``"hf2"``, averaging at an exact split), ``"shahvaish"``,
        or the weighted Hyndman-Fan rules ``"hf3"`` … ``"hf9"`` as survey 4.1-1 defines them.
    interval_type : {"mean", "xlogit", "asin", "beta"}, default "mean"
        Interval for the distribution function at the estimated quantile (Woodruff 1952):
        Wald (``"mean"``), on the logit or arcsine-square-root scale, or Korn-Graubard
        (``"beta"``), as R's ``interval.type``.
    confidence : float, optional
        Coverage; default the design's (R's ``alpha = 1 - confidence``).
    df : float, optional
        Degrees of freedom of the t quantile; default each domain's design df (R's
        ``degf``); ``float("inf")`` for normal quantiles.
    na_rm : bool, default False
        Drop respondents with a missing outcome (otherwise missing values are an error).

    Returns
    -------
    QuantileEstimates
    """
    from .design import _check_df

    rule = check_choice("rule", rule, QUANTILE_RULES)
    interval_type = check_choice("interval_type", interval_type, QUANTILE_INTERVALS)
    confidence = design.confidence if confidence is None else check_confidence(confidence)
    df_override = _check_df(df)
    plist = [float(probs)] if np.isscalar(probs) else [float(p) for p in probs]  # type: ignore[arg-type]
    if not plist or any(not 0.0 <= p <= 1.0 for p in plist):
        raise ValueError(f"probs must be probabilities in [0, 1]; got {probs!r}")
    (x,), valid, codes, ndom, labels, names = _prepare(design, [column], by, na_rm)
    dom_df = design._domain_df(codes, ndom, valid).astype(float)
    n_d = np.bincount(codes, weights=valid, minlength=ndom).astype(int)
    # nrow(design) for Korn-Graubard: a subset of an uncalibrated design drops the other rows;
    # a calibrated one keeps them with zero weight (R's `[.survey.design2`)
    n_rows = np.full(ndom, design.n) if design._calibration else n_d
    w = design._w
    order = np.lexsort((x, codes))
    order = order[valid[order]]
    seg = np.searchsorted(codes[order], np.arange(ndom + 1))
    rows: list[dict[str, Any]] = []
    for p in plist:
        qhat = np.empty(ndom)
        for d in range(ndom):
            idx = order[seg[d]:seg[d + 1]]
            qhat[d] = _rule_value(x[idx], w[idx], p, rule)
        below = (x <= qhat[codes]).astype(float)
        m, se = _domain_means(design, below, valid, codes, ndom, labels)
        for d in range(ndom):
            idx = order[seg[d]:seg[d + 1]]
            d_df = dom_df[d] if df_override is None else df_override
            lo_p, hi_p = _cdf_interval(m[d], se[d], d_df, confidence, interval_type,
                                       n_rows[d], dom_df[d])
            defined = not np.isnan(qhat[d])  # e.g. "hf4" at p = 1 (R: NaN throughout)
            low = (float("nan") if not (defined and lo_p >= 0.0)
                   else _rule_value(x[idx], w[idx], lo_p, rule))
            high = (float("nan") if not (defined and hi_p <= 1.0)
                    else _rule_value(x[idx], w[idx], hi_p, rule))
            row: dict[str, Any] = {}
            if labels is not None:
                row.update({k: labels.iloc[d][k] for k in names})
            row.update(p=p, quantile=qhat[d], ci_low=low, ci_high=high,
                       se=(high - low) / (2.0 * _crit(confidence, max(d_df, 1.0))),
                       n=int(n_d[d]), df=int(dom_df[d]))
            rows.append(row)
    table = pd.DataFrame(rows)
    if names:
        table = table.sort_values([*names, "p"], kind="stable", ignore_index=True)
    method = (f"weighted quantile (qrule {rule}); Woodruff interval ({interval_type}); "
              f"{design._design_label()}")
    return QuantileEstimates(variable=str(column), by=names, table=table,
                             confidence=confidence, rule=rule,
                             interval_type=interval_type, method=method)


def _cdf_interval(
    m: float, se: float, df: float, confidence: float, kind: str, n_rows: int, design_df: float
) -> tuple[float, float]:
    """R's ``survey:::woodruffCI``: an interval for the distribution function at the quantile."""
    q = _crit(confidence, max(df, 1.0) if not np.isinf(df) else df)
    alpha = 1.0 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            return m - q * se, m + q * se
        if kind == "xlogit":
            eta = np.log(m / (1.0 - m))
            half = q * se / (m * (1.0 - m))
            return float(1 / (1 + np.exp(-(eta - half)))), float(1 / (1 + np.exp(-(eta + half))))
        if kind == "asin":
            eta = np.arcsin(np.sqrt(m))
            half = q * se / (2.0 * np.sqrt(m * (1.0 - m)))
            return float(np.sin(eta - half) ** 2), float(np.sin(eta + half) ** 2)
        # beta: Korn-Graubard on n_eff, df-adjusted with nrow(design) - 1 and degf(design)
        n_eff = m * (1.0 - m) / se**2
        n_eff *= (stats.t.ppf(alpha / 2.0, n_rows - 1) / stats.t.ppf(alpha / 2.0, design_df)) ** 2
        return (float(stats.beta.ppf(alpha / 2.0, n_eff * m, n_eff * (1.0 - m) + 1.0)),
                float(stats.beta.ppf(1.0 - alpha / 2.0, n_eff * m + 1.0, n_eff * (1.0 - m))))


# --------------------------------------------------------------------------------------------
# Ratios
# --------------------------------------------------------------------------------------------


def ratio(
    design: SurveyDesign,
    numerator: str,
    denominator: str,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float | None = None,
    df: float | None = None,
    na_rm: bool = False,
) -> Estimate | DomainEstimates:
    """Design-based ratio of two totals, ``sum(w y) / sum(w x)`` (R's ``svyratio``).

    The standard error is the linearisation one of R's ``svyratio``: the variance of the total
    of ``(y - R x) / sum(w x)`` under the design (calibration residuals included).

    Parameters
    ----------
    design : SurveyDesign
        The design.
    numerator, denominator : str
        Numeric columns ``y`` and ``x``.
    by : str or sequence of str, optional
        Domain column(s), as ``svyby(~y, ~g, denominator = ~x, FUN = svyratio)``.
    confidence : float, optional
        Coverage of the t interval (default the design's).
    df : float, optional
        Degrees of freedom of the interval (default each domain's design df, as
        ``confint(r, df = degf(design))``; ``float("inf")``: R's default normal interval).
    na_rm : bool, default False
        Drop respondents missing either column.

    Returns
    -------
    Estimate or DomainEstimates
        ``statistic`` is ``"ratio"``; the design effect and effective sample size are not
        computed for ratios (``NaN``).
    """
    from .design import (
        DomainEstimates,
        Estimate,
        _check_df,
        _domain_table,
        _interval_label,
        _t_interval,
    )

    confidence = design.confidence if confidence is None else check_confidence(confidence)
    ci_df = _check_df(df)
    (y, x), valid, codes, ndom, labels, names = _prepare(
        design, [numerator, denominator], by, na_rm)
    w = np.where(valid, design._w, 0.0)
    yv = np.where(valid, y, 0.0)
    xv = np.where(valid, x, 0.0)
    tx = np.bincount(codes, weights=w * xv, minlength=ndom)
    if np.any(tx == 0):
        raise ValueError(f"the weighted total of {denominator!r} is 0 in a domain: no ratio")
    est = np.bincount(codes, weights=w * yv, minlength=ndom) / tx
    u = np.where(valid, (yv - est[codes] * xv) / tx[codes], 0.0)
    se = np.sqrt(design._domain_variance(w * u, u, codes, ndom, valid, labels))
    dom_df = design._domain_df(codes, ndom, valid)
    n_d = np.bincount(codes, weights=valid, minlength=ndom).astype(np.int64)
    low, high = _t_interval(est, se, dom_df if ci_df is None else np.full(ndom, ci_df),
                            confidence)
    label = _interval_label(ci_df)
    variable = f"{numerator}/{denominator}"
    method = f"Taylor linearisation; ratio; {design._design_label()}; {label}"
    if labels is None:
        return Estimate(estimate=float(est[0]), se=float(se[0]),
                        ci=ConfidenceInterval(float(low[0]), float(high[0]), confidence, label),
                        deff=float("nan"), n_eff=float("nan"), n=int(n_d[0]),
                        df=int(dom_df[0]), method=method, variable=variable, statistic="ratio")
    nan = np.full(ndom, np.nan)
    table = _domain_table(labels, est, se, low, high, nan, nan, n_d, dom_df)
    return DomainEstimates(variable=variable, statistic="ratio", by=names, table=table,
                           confidence=confidence, method=method)


# --------------------------------------------------------------------------------------------
# Tests of association in a two-way table
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class TableTest(Result):
    """A design-based test of association in a two-way table (R's ``svychisq``).

    Attributes
    ----------
    rows, cols : str
        The two variables.
    statistic_name : str
        ``"F"`` (Rao-Scott second order), ``"Chisq"`` (Rao-Scott first order), ``"Wald"`` or
        ``"adjWald"``.
    statistic : float
        The test statistic as R reports it (for ``"Chisq"``, Pearson's X² itself; the p-value
        uses X² divided by the mean generalised design effect).
    ndf, ddf : float
        Numerator and denominator degrees of freedom of the F reference distribution
        (``"Chisq"``: ``ndf`` is the chi-square df and ``ddf`` is ``inf``).
    p_value : float
        Upper-tail p-value.
    pearson : float
        Pearson's X² on the weighted table scaled to the sample size.
    mean_deff : float
        Mean of the generalised design effects (eigenvalues of R's ``Delta``); ``NaN`` for
        the Wald tests.
    table : pandas.DataFrame
        Estimated population proportions, rows by columns.
    method : str
        What was computed.
    """

    rows: str
    cols: str
    statistic_name: str
    statistic: float
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    mean_deff: float
    table: pd.DataFrame
    method: str

    def _summary_lines(self) -> list[str]:
        return [f"{self.method}: {self.rows} × {self.cols}",
                f"{self.statistic_name} = {format_value(self.statistic)}, "
                f"df = {format_value(self.ndf)}, {format_value(self.ddf)}, "
                f"p = {format_value(self.p_value, 4)}"]


def chisq_test(
    design: SurveyDesign,
    rows: str,
    cols: str,
    *,
    statistic: Literal["F", "Chisq", "Wald", "adjWald"] = "F",
    within: np.ndarray | None = None,
) -> TableTest:
    """Design-based test of independence of two categorical variables (R's ``svychisq``).

    Parameters
    ----------
    design : SurveyDesign
        The design (calibrated designs use their calibration residuals, as R).
    rows, cols : str
        The two categorical columns. Respondents missing either are left out (R's
        ``na.rm = TRUE``); categories are sorted, as R's ``factor``.
    statistic : {"F", "Chisq", "Wald", "adjWald"}, default "F"
        ``"F"``: Pearson's X² divided by the mean generalised design effect, referred to an F
        distribution with Satterthwaite's ``d0`` and ``d0 * df`` degrees of freedom (Rao-Scott
        second-order correction; R's default). ``"Chisq"``: X² divided by the mean design
        effect, referred to chi-square on ``(r - 1)(c - 1)`` df (first-order correction).
        ``"Wald"`` and ``"adjWald"``: Wald tests of the interaction contrasts of the cell
        totals (Koch et al. 1975), the second with the ``(nu - k + 1) / (k nu)`` adjustment.
    within : boolean array, optional
        Test within a subpopulation only (e.g. the groups a report shows): rows outside are
        left out as a domain, the design kept — R's ``svychisq`` on the design with both
        variables set to ``NA`` outside (its ``na.rm``). The denominator df ``nu`` stays the
        full design's; R's ``svychisq(f, subset(design, within))`` on an uncalibrated design
        counts only the PSUs and strata of the subset instead.

    Returns
    -------
    TableTest
    """
    statistic = check_choice("statistic", statistic, CHISQ_STATISTICS)
    a = _category_codes(design, rows)
    b = _category_codes(design, cols)
    (ra, la), (rb, lb) = a, b
    valid = (ra >= 0) & (rb >= 0) & (design._w > 0)
    if within is not None:
        mask = np.asarray(within, dtype=bool)
        if mask.shape != valid.shape:
            raise ValueError(f"within must be a boolean array of {design.n} rows")
        valid &= mask
    # categories seen only outside the rows tested (or on zero weights) are not categories here
    (ra, la), (rb, lb) = _recode(ra, la, valid), _recode(rb, lb, valid)
    nr, nc = len(la), len(lb)
    if nr < 2 or nc < 2:
        raise ValueError(
            f"a test of association needs at least two categories in each of {rows!r} "
            f"({nr}) and {cols!r} ({nc})")
    k = nr * nc
    cell = np.where(valid, ra + nr * rb, 0)  # rows vary fastest, as R's interaction()
    w = np.where(valid, design._w, 0.0)
    z = np.zeros((design.n, k))
    z[np.flatnonzero(valid), cell[valid]] = 1.0
    n_all = design.n
    nu = float(design._n_psu - design._n_strata)
    counts = np.bincount(cell, weights=w, minlength=k)
    big_n = counts.sum()
    props = counts / big_n

    # Pearson's X² on the weighted table scaled to the sample size (svytable(Ntotal = N))
    obs = (counts * n_all / big_n).reshape(nc, nr).T
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((obs - expected) ** 2 / expected))
    table = pd.DataFrame(props.reshape(nc, nr).T, index=pd.Index(la, name=rows),
                         columns=pd.Index(lb, name=cols))

    grid_r = np.tile(np.arange(nr), nc)
    grid_c = np.repeat(np.arange(nc), nr)
    if statistic in ("Wald", "adjWald"):
        zr = np.zeros((design.n, nr))
        zr[np.flatnonzero(valid), ra[valid]] = 1.0
        zc = np.zeros((design.n, nc))
        zc[np.flatnonzero(valid), rb[valid]] = 1.0
        allz = np.hstack([z, zr, zc, valid[:, None].astype(float)])
        tot = (w[:, None] * allz).sum(axis=0)
        var = design._covariance(w[:, None] * allz, allz, member=valid)
        row_t, col_t, one = tot[k:k + nr], tot[k + nr:k + nr + nc], tot[-1]
        jac = np.hstack([
            np.eye(k),
            -(grid_r[:, None] == np.arange(nr)).astype(float) * np.repeat(col_t / one, nr)[:, None],
            -(grid_c[:, None] == np.arange(nc)).astype(float) * np.tile(row_t / one, nc)[:, None],
            (np.outer(row_t, col_t) / one**2).T.ravel()[:, None],
        ])
        y = tot[:k] - (np.outer(row_t, col_t) / one).T.ravel()
        v = jac @ var @ jac.T
        use = (grid_r > 0) & (grid_c > 0)
        wald = float(y[use] @ np.linalg.solve(v[np.ix_(use, use)], y[use]))
        numdf = float((nr - 1) * (nc - 1))
        if statistic == "Wald":
            stat, ddf = wald / numdf, nu
        else:
            ddf = nu - numdf + 1.0
            stat = wald * ddf / (numdf * nu)
        p = float(stats.f.sf(stat, numdf, ddf))
        return TableTest(rows=str(rows), cols=str(cols), statistic_name=statistic,
                         statistic=stat, ndf=numdf, ddf=ddf, p_value=p, pearson=pearson,
                         mean_deff=float("nan"), table=table,
                         method="Design-based Wald test of association"
                                + (" (adjusted)" if statistic == "adjWald" else ""))

    # Rao-Scott: generalised design effects of the interaction contrasts
    u = np.where(valid[:, None], (z - props) / big_n, 0.0)
    v = design._covariance(w[:, None] * u, u, member=valid)
    x1 = np.column_stack([np.ones(k), grid_r[:, None] == np.arange(1, nr),
                          grid_c[:, None] == np.arange(1, nc)]).astype(float)
    inter = ((grid_r[:, None, None] == np.arange(1, nr)[None, :, None])
             & (grid_c[:, None, None] == np.arange(1, nc)[None, None, :])
             ).reshape(k, -1).astype(float)
    cmat = inter - x1 @ np.linalg.lstsq(x1, inter, rcond=None)[0]
    inv_p = np.where(props == 0, 0.0, 1.0 / np.where(props == 0, 1.0, props))
    denom = cmat.T @ (cmat * (inv_p / n_all)[:, None])
    numr = (cmat * inv_p[:, None]).T @ v @ (cmat * inv_p[:, None])
    delta = np.linalg.solve(denom, numr)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    mean_deff = trace / delta.shape[0]
    if statistic == "F":
        stat = pearson / trace
        p = float(stats.f.sf(stat, d0, d0 * nu))
        ndf, ddf = d0, d0 * nu
    else:
        stat = pearson
        ndf, ddf = float(delta.shape[0]), float("inf")
        p = float(stats.chi2.sf(pearson / mean_deff, ndf))
    return TableTest(rows=str(rows), cols=str(cols), statistic_name=statistic, statistic=stat,
                     ndf=ndf, ddf=ddf, p_value=p, pearson=pearson, mean_deff=mean_deff,
                     table=table, method="Pearson's X²: Rao & Scott adjustment"
                     + (" (second order, F)" if statistic == "F" else " (first order)"))


def _recode(codes: np.ndarray, labels: list[Any], keep: np.ndarray
            ) -> tuple[np.ndarray, list[Any]]:
    """Codes of the categories present among the kept rows (``-1`` elsewhere)."""
    present = np.unique(codes[keep])
    new = np.full(len(labels), -1, dtype=np.int64)
    new[present] = np.arange(len(present))
    return np.where(keep, new[np.maximum(codes, 0)], -1), [labels[i] for i in present]


def _category_codes(design: SurveyDesign, column: str) -> tuple[np.ndarray, list[Any]]:
    """Sorted category codes of a column (``-1`` where missing)."""
    from .design import _get_column

    series = _get_column(design.data, column, "table variable")
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), list(uniques)
