"""Survey weighting: post-stratification, raking, trimming and Kish's weighting effect.

This module holds the array functions — :func:`poststratify_weights`, :func:`rake_weights`,
:func:`trim_weights`, :func:`kish_deff`, :func:`kish_ess`, :func:`weight_summary` — which take
weights and category arrays and return adjusted weights or statistics. It knows nothing of
:class:`~kpianalysis.design.SurveyDesign`.

The design functions :func:`kpianalysis.design.poststratify` and :func:`kpianalysis.design.rake`
(also available as :meth:`SurveyDesign.poststratify` / :meth:`SurveyDesign.rake`) live in
:mod:`kpianalysis.design`, which builds on this module: they return a new design whose weights
reproduce the population margins and whose standard errors account for the calibration, as
R's ``survey::postStratify`` and (for raking) ``survey::calibrate(calfun = "raking")`` — the
GREG linearisation, not that of ``survey::rake``, whose weights are the same but whose
standard errors differ when design weights vary within margin cells.

Population margins are given per variable as a mapping (or :class:`pandas.Series`) from category
to population count or share. Every category present in the sample must have a margin, every
category with a positive margin must be present in the sample, and the margins of different
variables must agree in total: otherwise a ``ValueError`` names the variable and categories.

References
----------
Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. *Annals of Mathematical Statistics* 11,
427-444.

Kish, L. (1992). Weighting for unequal P_i. *Journal of Official Statistics* 8(2), 183-200.

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, ch. 7. Wiley.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._results import Result, format_value
from ._validation import DataValidationError, check_choice, describe_values

__all__ = [
    "RakingResult",
    "WeightSummary",
    "kish_deff",
    "kish_ess",
    "poststratify_weights",
    "rake_weights",
    "trim_weights",
    "weight_summary",
]

logger = logging.getLogger(__name__)

MarginKind = Literal["auto", "count", "share"]
_TOTAL_RTOL = 1e-6


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _weights_array(weights: Any, name: str = "weights") -> np.ndarray:
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric") from exc
    if w.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {w.shape}")
    if w.size == 0:
        raise ValueError(f"{name} is empty")
    bad = ~np.isfinite(w) | (w < 0)
    if np.any(bad):
        raise DataValidationError(
            f"{name} must be non-missing, finite and >= 0; offending values: "
            f"{describe_values(w[bad])}",
            column=name,
            rows=(np.flatnonzero(bad)[:5] + 1).tolist(),
        )
    return w


def _margin_series(name: str, margin: Any) -> pd.Series:
    if isinstance(margin, pd.Series):
        s = margin.copy()
    elif isinstance(margin, Mapping):
        keys = list(margin.keys())
        if keys and all(isinstance(k, tuple) for k in keys):
            index: pd.Index = pd.MultiIndex.from_tuples(keys)
        else:
            index = pd.Index(keys)
        s = pd.Series(list(margin.values()), index=index, dtype=float)
    else:
        raise TypeError(
            f"population margin for {name!r} must be a mapping or a pandas Series of "
            f"category -> count or share, got {type(margin).__name__}"
        )
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()].unique()
        raise ValueError(
            f"population margin for {name!r} repeats categories {describe_values(dup)}"
        )
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if np.any(bad):
        raise ValueError(
            f"population margin for {name!r} must be finite and >= 0; offending categories "
            f"{describe_values(s.index[bad])} with values {describe_values(s.to_numpy()[bad])}"
        )
    return pd.Series(values, index=s.index, dtype=float)


def _resolve_kind(margins: Mapping[str, pd.Series], kind: str) -> str:
    check_choice("kind", kind, ("auto", "count", "share"))
    if kind != "auto":
        return kind
    sums = [float(m.sum()) for m in margins.values()]
    if all(abs(s - 1.0) <= 1e-6 for s in sums) and all(
        float(m.max()) <= 1.0 for m in margins.values()
    ):
        return "share"
    return "count"


def _check_totals(margins: Mapping[str, pd.Series], kind: str) -> float:
    sums = {name: float(m.sum()) for name, m in margins.items()}
    if kind == "share":
        off = {k: v for k, v in sums.items() if abs(v - 1.0) > _TOTAL_RTOL}
        if off:
            raise ValueError(
                "population shares must sum to 1 in every margin; got "
                + ", ".join(f"{k!r}: {v:.8g}" for k, v in off.items())
            )
        return 1.0
    ref = next(iter(sums.values()))
    if ref <= 0:
        raise ValueError("population margins must have a positive total")
    if any(abs(v - ref) > _TOTAL_RTOL * ref for v in sums.values()):
        raise ValueError(
            "population margins disagree in total: "
            + ", ".join(f"{k!r}: {v:.10g}" for k, v in sums.items())
            + " (every margin must describe the same population)"
        )
    return ref


def _match_categories(
    name: str, values: Any, margin: pd.Series, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each respondent's category in ``margin`` (dropping empty zero categories)
    and the aligned target vector; errors name absent or unknown categories."""
    if isinstance(values, pd.MultiIndex):
        sample_index = values
    else:
        arr = values.to_numpy() if isinstance(values, pd.Series | pd.Index) else np.asarray(values)
        if arr.ndim != 1 or len(arr) != len(weights):
            raise ValueError(
                f"categories for {name!r} must have one value per respondent ({len(weights)}); "
                f"got shape {arr.shape}"
            )
        missing = pd.isna(arr)
        if np.any(missing):
            raise DataValidationError(
                "margin variable has missing values; recode them to a category with a "
                "population margin",
                column=name,
                rows=(np.flatnonzero(missing)[:5] + 1).tolist(),
            )
        sample_index = pd.Index(arr)
    codes = margin.index.get_indexer(sample_index)
    unknown = codes < 0
    if np.any(unknown):
        vals = sample_index[unknown].unique()
        raise ValueError(
            f"categories of {name!r} in the sample have no population margin: "
            f"{describe_values(vals)} (margin categories: {describe_values(margin.index, 10)})"
        )
    present = np.bincount(codes, weights=weights, minlength=len(margin)) > 0
    targets = margin.to_numpy()
    absent = ~present & (targets > 0)
    if np.any(absent):
        raise ValueError(
            f"categories of {name!r} with a positive population margin are absent from the "
            f"sample (no respondent with a positive weight): "
            f"{describe_values(margin.index[absent])}; collapse them with a neighbouring "
            "category"
        )
    zero_sampled = present & (targets <= 0)
    if np.any(zero_sampled):
        raise ValueError(
            f"categories of {name!r} in the sample have a population margin of 0: "
            f"{describe_values(margin.index[zero_sampled])}"
        )
    keep = present
    remap = np.cumsum(keep) - 1
    return remap[codes].astype(np.int64), targets[keep]


def _scaled_targets(
    margins: Mapping[str, pd.Series], kind: str, total: float | None, weights: np.ndarray
) -> tuple[dict[str, pd.Series], float]:
    reference = _check_totals(margins, kind)
    if kind == "share":
        grand = float(weights.sum()) if total is None else float(total)
        if not grand > 0:
            raise ValueError(f"total must be positive; got {total!r}")
        return {k: m * grand for k, m in margins.items()}, grand
    if total is not None:
        raise ValueError("total= applies to margins given as shares (kind='share') only")
    return dict(margins), reference


# --------------------------------------------------------------------------------------------
# Array-level weighting
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class RakingResult(Result):
    """Result of :func:`rake_weights`.

    Attributes
    ----------
    weights : numpy.ndarray
        The raked weights.
    converged : bool
        Whether the change criterion was met within ``max_iter`` passes.
    iterations : int
        Full passes over the margins.
    max_change : float
        Largest absolute change of a cell of the joint weighted table in the last pass.
    max_margin_error : float
        Largest absolute difference between an achieved and a target margin.
    """

    weights: np.ndarray
    converged: bool
    iterations: int
    max_change: float
    max_margin_error: float

    def _summary_lines(self) -> list[str]:
        state = "converged" if self.converged else "did NOT converge"
        w = np.asarray(self.weights, dtype=float)
        lines = [f"RakingResult: {state} after {self.iterations} iterations, largest margin "
                 f"error {format_value(self.max_margin_error)}",
                 f"last change {format_value(self.max_change)}"]
        if w.size and np.all(np.isfinite(w)) and np.any(w > 0):
            lines.append(f"weights: n {w.size}, total {format_value(float(w.sum()))}, "
                         f"range [{format_value(float(w.min()))}, "
                         f"{format_value(float(w.max()))}], Kish design effect "
                         f"{format_value(kish_deff(w))}")
        return lines


def poststratify_weights(
    weights: Any,
    cells: Any,
    population: Mapping[Hashable, float] | pd.Series,
    *,
    kind: MarginKind = "auto",
    total: float | None = None,
) -> np.ndarray:
    """Post-stratify weights to population cell counts (or shares).

    Each weight is multiplied by ``N_c / sum of weights in cell c`` so that the weighted cell
    totals equal the population counts.

    Parameters
    ----------
    weights : array-like
        Design weights, finite and >= 0.
    cells : array-like or pandas.MultiIndex
        Each respondent's post-stratum (one value per weight; a MultiIndex for crossed cells,
        with ``population`` keyed by tuples).
    population : mapping or pandas.Series
        Population count (or share) of each cell.
    kind : {"auto", "count", "share"}, default "auto"
        Whether ``population`` holds counts or shares; ``"auto"`` takes shares when the values
        are at most 1 and sum to 1.
    total : float, optional
        Population total used with shares (default: the sum of ``weights``).

    Returns
    -------
    numpy.ndarray
        Post-stratified weights.

    Raises
    ------
    ValueError
        A sample cell has no population count, a populated cell is absent from the sample, or
        shares do not sum to 1.
    """
    w = _weights_array(weights)
    margin = _margin_series("cells", population)
    kind = _resolve_kind({"cells": margin}, kind)
    targets_map, _ = _scaled_targets({"cells": margin}, kind, total, w)
    codes, targets = _match_categories("cells", cells, targets_map["cells"], w)
    sums = np.bincount(codes, weights=w, minlength=len(targets))
    return w * (targets / sums)[codes]


def rake_weights(
    weights: Any,
    factors: Mapping[str, Any],
    population: Mapping[str, Mapping[Hashable, float] | pd.Series],
    *,
    kind: MarginKind = "auto",
    total: float | None = None,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> RakingResult:
    """Rake weights to population margins by iterative proportional fitting.

    Each pass post-stratifies the weights to every margin in turn. Iteration stops when no
    cell of the joint weighted table of all margin variables changes by ``tol * total`` or
    more in a pass (R's ``rake(control = list(epsilon = tol))`` with ``tol < 1``), or after
    ``max_iter`` passes.

    Parameters
    ----------
    weights : array-like
        Starting (design) weights, finite and >= 0.
    factors : mapping of str to array-like
        Each margin variable's category per respondent.
    population : mapping of str to mapping or Series
        For each margin variable (same keys as ``factors``), the population count or share of
        every category.
    kind : {"auto", "count", "share"}, default "auto"
        Whether margins hold counts or shares (``"auto"``: shares when every margin sums to 1).
    total : float, optional
        Population total used with shares (default: the sum of ``weights``).
    tol : float, default 1e-8
        Relative convergence tolerance (see above).
    max_iter : int, default 100
        Maximum number of passes.

    Returns
    -------
    RakingResult

    Raises
    ------
    ValueError
        Margins disagree in total, a category is absent from the sample or from the margins,
        or arguments are invalid.

    Warns
    -----
    RuntimeWarning
        When the margins are not reached within ``max_iter`` passes.
    """
    w0 = _weights_array(weights)
    codes_list, targets_list, _ = _prepare_raking(w0, factors, population, kind, total)
    return _ipf(w0, codes_list, targets_list, tol=tol, max_iter=max_iter)


def _margin_name(key: Any) -> str:
    return " x ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _prepare_raking(
    w0: np.ndarray,
    factors: Mapping[str, Any],
    population: Mapping[str, Any],
    kind: str,
    total: float | None,
) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    if not isinstance(population, Mapping) or not population:
        raise ValueError("population must map each margin variable to its margin")
    if set(factors) != set(population):
        raise ValueError(
            f"factors {sorted(map(str, factors))} and population margins "
            f"{sorted(map(str, population))} must name the same variables"
        )
    margins = {_margin_name(k): _margin_series(_margin_name(k), v) for k, v in population.items()}
    kind = _resolve_kind(margins, kind)
    scaled, _ = _scaled_targets(margins, kind, total, w0)
    codes_list = []
    targets_list = []
    names = []
    for key in population:
        name = _margin_name(key)
        codes, targets = _match_categories(name, factors[key], scaled[name], w0)
        codes_list.append(codes)
        targets_list.append(targets)
        names.append(name)
    return codes_list, targets_list, names


def _ipf(
    w0: np.ndarray,
    codes_list: Sequence[np.ndarray],
    targets_list: Sequence[np.ndarray],
    *,
    tol: float,
    max_iter: int,
) -> RakingResult:
    if not (isinstance(max_iter, int | np.integer) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be positive; got {tol!r}")
    # joint cells of all margin variables (only the observed combinations)
    joint = np.zeros(len(w0), dtype=np.int64)
    for codes, targets in zip(codes_list, targets_list, strict=True):
        joint = joint * len(targets) + codes
    joint, uniq = pd.factorize(joint)
    n_cells = len(uniq)
    w = w0.copy()
    table = np.bincount(joint, weights=w, minlength=n_cells)
    epsilon = tol * float(sum(targets_list[0]))
    converged = False
    delta = np.inf
    iterations = 0
    while iterations < max_iter:
        for codes, targets in zip(codes_list, targets_list, strict=True):
            sums = np.bincount(codes, weights=w, minlength=len(targets))
            w *= (targets / sums)[codes]
        iterations += 1
        new_table = np.bincount(joint, weights=w, minlength=n_cells)
        delta = float(np.max(np.abs(new_table - table)))
        table = new_table
        if delta < epsilon:
            converged = True
            break
    err = max(
        float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(t)) - t)))
        for c, t in zip(codes_list, targets_list, strict=True)
    )
    if not converged:
        warnings.warn(
            f"raking did not converge in {max_iter} passes (last change {delta:.4g}, "
            f"largest margin error {err:.4g}); increase max_iter or collapse sparse categories",
            RuntimeWarning,
            stacklevel=3,
        )
    return RakingResult(
        weights=w, converged=converged, iterations=iterations, max_change=delta,
        max_margin_error=err,
    )


def trim_weights(
    weights: Any,
    *,
    upper: float | None = None,
    lower: float | None = None,
    relative_to: Literal["value", "mean", "median"] = "value",
    keep_total: bool = True,
    max_iter: int = 100,
    method: Literal["proportional", "additive"] = "proportional",
    strict: bool = False,
) -> np.ndarray:
    """Trim extreme weights to bounds, optionally redistributing the trimmed amount.

    Parameters
    ----------
    weights : array-like
        Weights, finite and >= 0.
    upper, lower : float, optional
        Bounds. With ``relative_to="mean"`` or ``"median"`` they are multiples of the mean or
        median of the original weights (e.g. ``upper=3.5, relative_to="median"``).
    relative_to : {"value", "mean", "median"}, default "value"
        How to read the bounds.
    keep_total : bool, default True
        Redistribute the trimmed amount proportionally over the untrimmed weights so the total
        is unchanged, repeating until every weight lies within the bounds.
    max_iter : int, default 100
        Maximum redistribution rounds.
    method : {"proportional", "additive"}, default "proportional"
        How the trimmed amount is redistributed (with ``keep_total``). ``"proportional"``:
        the untrimmed weights are scaled up or down by a common factor, repeating until every
        weight lies within the bounds. ``"additive"``: R's ``survey::trimWeights`` rule (survey
        4.1-1): the net trimmed amount is divided equally among the weights that were inside
        the bounds and added to each; one pass unless ``strict``.
    strict : bool, default False
        With ``method="additive"``, repeat the pass (as R's ``trimWeights(strict = TRUE)``)
        until no weight lies outside the bounds; a weight trimmed to a bound counts as inside
        in later passes and receives its share, as in R. Without it, one pass, after which
        some weights may again lie outside the bounds (R's default ``strict = FALSE``).
        Ignored by ``method="proportional"``, which always iterates.

    Returns
    -------
    numpy.ndarray
        Trimmed weights.

    Raises
    ------
    ValueError
        No bound given, ``lower > upper``, the bounds cannot hold the total, or
        ``method="additive"`` without ``keep_total``.

    Notes
    -----
    Zero weights (units outside the sample) stay zero under both methods; R's
    ``trimWeights`` would treat them like any other weight.
    """
    w = _weights_array(weights)
    check_choice("relative_to", relative_to, ("value", "mean", "median"))
    check_choice("method", method, ("proportional", "additive"))
    if method == "additive" and not keep_total:
        raise ValueError(
            "method='additive' redistributes the trimmed amount; it needs keep_total=True "
            "(use keep_total=False alone to clip without redistributing)"
        )
    if upper is None and lower is None:
        raise ValueError("give upper and/or lower")
    base = {"value": 1.0, "mean": float(w.mean()), "median": float(np.median(w))}[relative_to]
    hi = np.inf if upper is None else float(upper) * base
    lo = 0.0 if lower is None else float(lower) * base
    if not (lo >= 0 and hi > 0 and lo <= hi):
        raise ValueError(f"bounds must satisfy 0 <= lower <= upper; got lower={lo}, upper={hi}")
    total = float(w.sum())
    positive = w > 0
    n_pos = int(positive.sum())
    if keep_total and not (lo * n_pos <= total * (1 + 1e-12) and hi * n_pos >= total * (1 - 1e-12)):
        raise ValueError(
            f"bounds [{lo:g}, {hi:g}] cannot hold the weight total {total:g} over {n_pos} "
            "positive weights"
        )
    if method == "additive":
        return _trim_additive(w, positive, lo, hi, strict, max_iter)
    out = w.copy()
    for _ in range(max_iter):
        clipped = np.where(positive, np.clip(out, lo, hi), 0.0)
        if not keep_total:
            return clipped
        at_bound = positive & ((clipped <= lo) | (clipped >= hi))
        free = positive & ~at_bound
        gap = total - float(clipped.sum())
        if abs(gap) <= 1e-12 * total:
            return clipped
        free_sum = float(clipped[free].sum())
        if free_sum <= 0:
            raise ValueError("every weight is at a bound: cannot keep the total")
        clipped[free] *= 1.0 + gap / free_sum
        out = clipped
        if np.all(out[positive] <= hi * (1 + 1e-12)) and np.all(out[positive] >= lo * (1 - 1e-12)):
            return out
    raise ValueError(f"trimming did not settle in {max_iter} rounds")


def _trim_additive(
    w: np.ndarray, positive: np.ndarray, lo: float, hi: float, strict: bool, max_iter: int
) -> np.ndarray:
    """R's ``survey::trimWeights`` (survey 4.1-1), applied to the positive weights: clip, then
    add ``sum(w - clipped) / (number inside the bounds)`` to each weight that was inside."""
    out = w.copy()
    for _ in range(max_iter):
        pw = out[positive]
        outside = (pw < lo) | (pw > hi)
        if not outside.any():
            return out
        new = np.maximum(lo, np.minimum(pw, hi))
        n_inside = int((~outside).sum())
        if n_inside == 0:
            raise ValueError("every weight is outside the bounds: cannot keep the total")
        new[~outside] += float(np.sum(pw - new)) / n_inside
        out[positive] = new
        if not strict:
            return out
    raise ValueError(
        f"trimming (strict) did not settle in {max_iter} rounds; the bounds may be too tight "
        "for the weight total"
    )


def kish_deff(weights: Any) -> float:
    """Kish's design effect due to unequal weighting, ``n * sum(w**2) / sum(w)**2``.

    Equals ``1 + cv**2`` with the coefficient of variation of the weights computed with
    divisor ``n``. ``n`` counts every weight, zeros included (as ``balance``).

    Parameters
    ----------
    weights : array-like
        Weights, finite and >= 0, at least one positive.
    """
    w = _weights_array(weights)
    s = float(w.sum())
    if s <= 0:
        raise ValueError("weights must include at least one positive value")
    return float(len(w) * float(np.sum(w**2)) / s**2)


def kish_ess(weights: Any) -> float:
    """Kish's effective sample size ``sum(w)**2 / sum(w**2)`` (= ``n / kish_deff``)."""
    w = _weights_array(weights)
    s2 = float(np.sum(w**2))
    if s2 <= 0:
        raise ValueError("weights must include at least one positive value")
    return float(w.sum()) ** 2 / s2


@dataclasses.dataclass(frozen=True)
class WeightSummary(Result):
    """Summary of a weight vector.

    Attributes
    ----------
    n : int
        Number of weights.
    total, mean, min, max : float
        Their sum, mean, minimum and maximum.
    cv : float
        Coefficient of variation (divisor ``n``).
    kish_deff : float
        ``1 + cv**2``.
    kish_ess : float
        ``n / kish_deff``.
    """

    n: int
    total: float
    mean: float
    min: float
    max: float
    cv: float
    kish_deff: float
    kish_ess: float

    def _summary_lines(self) -> list[str]:
        return [
            f"WeightSummary: n {self.n}, Kish design effect {format_value(self.kish_deff)}, "
            f"effective n {format_value(self.kish_ess)}",
            f"total {format_value(self.total)}, mean {format_value(self.mean)}, range "
            f"[{format_value(self.min)}, {format_value(self.max)}], CV {format_value(self.cv)}",
        ]


def weight_summary(weights: Any) -> WeightSummary:
    """Summarise a weight vector with Kish's design effect and effective sample size."""
    w = _weights_array(weights)
    deff = kish_deff(w)
    mean = float(w.mean())
    return WeightSummary(
        n=len(w),
        total=float(w.sum()),
        mean=mean,
        min=float(w.min()),
        max=float(w.max()),
        cv=float(w.std() / mean),
        kish_deff=deff,
        kish_ess=len(w) / deff,
    )
