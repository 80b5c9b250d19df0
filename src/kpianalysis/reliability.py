"""Reliability of a multi-item (Likert) instrument: Cronbach's alpha with Feldt's interval.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*
16, 297-334. doi:10.1007/BF02310555

Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical inference for coefficient
alpha. *Applied Psychological Measurement* 11(1), 93-103. doi:10.1177/014662168701100107
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ._results import ConfidenceInterval, Result, format_interval, format_value
from ._validation import DataValidationError, check_choice, check_confidence, describe_values

__all__ = ["CronbachAlpha", "cronbach_alpha", "feldt_interval"]

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class CronbachAlpha(Result):
    """Cronbach's alpha of an instrument.

    Attributes
    ----------
    alpha : float
        ``k / (k - 1) * (1 - sum of item variances / variance of the total score)``.
    ci : ConfidenceInterval
        Feldt's F-based confidence interval.
    n : int
        Respondents used (complete cases; with ``nan_policy="pairwise"``, respondents with at
        least one item response).
    k : int
        Number of items.
    n_dropped : int
        Respondents dropped for a missing item response (with ``nan_policy="pairwise"``,
        those with no item response at all).
    method : str
        ``"feldt"``.
    """

    alpha: float
    ci: ConfidenceInterval
    n: int
    k: int
    n_dropped: int = 0
    method: str = "feldt"

    def _summary_lines(self) -> list[str]:
        return [
            f"CronbachAlpha: alpha = {format_value(self.alpha)}",
            format_interval(self.ci.low, self.ci.high, self.ci.confidence, self.ci.method),
            f"k {self.k} items, n {self.n} respondents used ({self.n_dropped} dropped)",
        ]


def feldt_interval(alpha: float, n: int, k: int, confidence: float = 0.95) -> ConfidenceInterval:
    """Feldt's confidence interval for Cronbach's alpha.

    ``(1 - alpha_hat) / (1 - alpha)`` follows an F distribution with ``n - 1`` and
    ``(n - 1)(k - 1)`` degrees of freedom (Feldt, Woodruff & Salih 1987, eqs. 6-7), so the
    bounds are ``1 - (1 - alpha_hat) F[1 - c/2]`` and ``1 - (1 - alpha_hat) F[c/2]``, with
    ``c = 1 - confidence``.

    Parameters
    ----------
    alpha : float
        Estimated alpha (at most 1).
    n : int
        Number of respondents (>= 2).
    k : int
        Number of items (>= 2).
    confidence : float, default 0.95
        Nominal coverage.

    Returns
    -------
    ConfidenceInterval
    """
    confidence = check_confidence(confidence)
    if not (np.isfinite(alpha) and alpha <= 1.0):
        raise ValueError(f"alpha must be finite and <= 1; got {alpha!r}")
    if int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2; got {n!r}")
    if int(k) != k or k < 2:
        raise ValueError(f"k must be an integer >= 2; got {k!r}")
    df1 = n - 1
    df2 = (n - 1) * (k - 1)
    tail = (1.0 - confidence) / 2.0
    low = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - tail, df1, df2)
    high = 1.0 - (1.0 - alpha) * stats.f.ppf(tail, df1, df2)
    return ConfidenceInterval(float(low), float(high), confidence, "feldt")


def cronbach_alpha(
    items: pd.DataFrame | Any,
    *,
    confidence: float = 0.95,
    nan_policy: Literal["listwise", "raise"] = "listwise",
    missing: Literal["listwise", "pairwise"] = "listwise",
) -> CronbachAlpha:
    """Cronbach's alpha of a set of items, with Feldt's confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array-like
        One row per respondent, one numeric column per item (e.g. Likert scores 1-5).
    confidence : float, default 0.95
        Coverage of the interval.
    nan_policy : {"listwise", "raise"}, default "listwise"
        ``"listwise"`` accepts missing item responses, handled as ``missing`` says;
        ``"raise"`` makes a missing response an error.
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"listwise"`` drops respondents with any missing item (as R's
        ``psych::alpha(use = "complete.obs")``) and reports how many. ``"pairwise"`` uses
        pairwise-complete covariances, ``C = cov(items, use = "pairwise.complete.obs")`` in R,
        and ``alpha = k / (k - 1) * (1 - trace(C) / sum(C))`` — R ``psych::alpha``'s formula
        with its default ``use = "pairwise"``; without missing responses it equals the
        listwise alpha. Its Feldt interval takes ``n`` as the respondents with at least one
        item response (an approximation: the pairs rest on fewer).

    Returns
    -------
    CronbachAlpha

    Raises
    ------
    ValueError
        Fewer than 2 items or 2 complete respondents, non-numeric items, or a total score with
        no variance.

    Examples
    --------
    Pingouin's ``cronbach_alpha`` example data (15 respondents, 10 items) give
    ``alpha = 0.5917``, 95% CI ``[0.195, 0.840]``.
    """
    nan_policy = check_choice("nan_policy", nan_policy, ("listwise", "raise"))
    missing_rule = check_choice("missing", missing, ("listwise", "pairwise"))
    confidence = check_confidence(confidence)
    frame = items if isinstance(items, pd.DataFrame) else pd.DataFrame(np.asarray(items))
    if frame.ndim != 2 or frame.shape[1] < 2:
        raise ValueError(f"items must have at least 2 columns (items); got shape {frame.shape}")
    for col in frame.columns:
        dtype = frame[col].dtype
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            converted = pd.to_numeric(frame[col], errors="coerce")
            bad = converted.isna() & frame[col].notna()
            if bad.any():
                raise DataValidationError(
                    f"item responses must be numeric; found {describe_values(frame[col][bad])}",
                    column=str(col),
                    rows=(np.flatnonzero(bad.to_numpy())[:5] + 1).tolist(),
                )
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(values).any(axis=1)
    if missing_rule == "pairwise" and not (missing.any() and nan_policy == "raise"):
        return _alpha_pairwise(values, confidence)
    if missing.any():
        if nan_policy == "raise":
            raise DataValidationError(
                f"{int(missing.sum())} respondent(s) have missing item responses; use "
                "nan_policy='listwise' to drop them",
                rows=(np.flatnonzero(missing)[:5] + 1).tolist(),
            )
        logger.info("cronbach_alpha: dropped %d incomplete respondents", int(missing.sum()))
    complete = values[~missing]
    n, k = complete.shape
    if n < 2:
        raise ValueError(f"need at least 2 complete respondents; got {n}")
    item_var = complete.var(axis=0, ddof=1)
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        raise ValueError("the total score has no variance: alpha is undefined")
    alpha = k / (k - 1.0) * (1.0 - item_var.sum() / total_var)
    return CronbachAlpha(
        alpha=float(alpha),
        ci=feldt_interval(float(alpha), n, k, confidence),
        n=int(n),
        k=int(k),
        n_dropped=int(missing.sum()),
    )


def _alpha_pairwise(values: np.ndarray, confidence: float) -> CronbachAlpha:
    """Alpha from the pairwise-complete covariance matrix (R ``cov(use = "pairwise")``)."""
    k = values.shape[1]
    answered = ~np.isnan(values)
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            both = answered[:, i] & answered[:, j]
            if both.sum() < 2:
                raise ValueError(
                    f"items {i + 1} and {j + 1} have {int(both.sum())} respondent(s) answering "
                    "both: need at least 2 for a pairwise covariance"
                )
            x = values[both, i]
            y = values[both, j]
            cov[i, j] = cov[j, i] = float(np.sum((x - x.mean()) * (y - y.mean())) / (x.size - 1))
    total_var = float(cov.sum())
    if total_var <= 0:
        raise ValueError("the total score has no variance: alpha is undefined")
    alpha = k / (k - 1.0) * (1.0 - float(np.trace(cov)) / total_var)
    used = answered.any(axis=1)
    n = int(used.sum())
    if not alpha <= 1.0:  # pragma: no cover - alpha <= 1 whenever C is a covariance matrix
        raise ValueError(f"pairwise covariances give alpha = {alpha!r}")
    return CronbachAlpha(
        alpha=float(alpha),
        ci=feldt_interval(float(alpha), n, k, confidence),
        n=n,
        k=int(k),
        n_dropped=int((~used).sum()),
        method="feldt",
    )
