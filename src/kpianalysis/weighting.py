"""Survey weighting: post-stratification, raking, calibration, trimming and Kish's weighting
effect.

This module holds the array functions — :func:`poststratify_weights`, :func:`rake_weights`,
:func:`calibrate_weights`, :func:`trim_weights`, :func:`kish_deff`, :func:`kish_ess`,
:func:`weight_summary` — which take weights and category (or auxiliary) arrays and return
adjusted weights or statistics. It knows nothing of :class:`~kpianalysis.design.SurveyDesign`.

The design functions :func:`kpianalysis.design.poststratify`, :func:`kpianalysis.design.rake`
and :func:`kpianalysis.design.calibrate` (also methods of ``SurveyDesign``) live in
:mod:`kpianalysis.design`, which builds on this module: they return a new design whose weights
reproduce the population margins and whose standard errors account for the calibration, as R
survey 4.1-1's ``postStratify``, ``calibrate`` and — by name, ``rake(...,
linearisation="rake")`` — ``rake()`` (whose weights equal ``calibrate(calfun = "raking")``'s
but whose standard errors differ when design weights vary within margin cells; the default,
``linearisation="calibrate"``, gives ``calibrate(calfun = "raking")``'s).

Population margins are given per variable as a mapping (or :class:`pandas.Series`) from category
to population count or share. Every category present in the sample must have a margin, every
category with a positive margin must be present in the sample, and the margins of different
variables must agree in total: otherwise a :class:`~kpianalysis.DataValidationError` names the
variable and categories. Weights that cannot meet the margins (raking that does not converge
to them, calibration whose Newton steps do not) are an error naming the margin, category and
miss at the design level; :func:`rake_weights` returns them with ``converged=False`` and a
warning saying the same.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling. *Journal
of the American Statistical Association* 87, 376-382.

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
    "CALIBRATION_FUNCTIONS",
    "CalibrationResult",
    "RakingResult",
    "WeightSummary",
    "calibrate_weights",
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
#: A raked margin category counts as met when it misses by at most (joint cells x epsilon) or
#: this fraction of its population total.
_MET_RTOL = 1e-3


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
            raise DataValidationError(
                "population shares must sum to 1 in every margin; got "
                + ", ".join(f"{k!r}: {v:.8g}" for k, v in off.items())
            )
        return 1.0
    ref = next(iter(sums.values()))
    if ref <= 0:
        raise ValueError("population margins must have a positive total")
    if any(abs(v - ref) > _TOTAL_RTOL * ref for v in sums.values()):
        raise DataValidationError(
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
    codes, targets, _ = _match_categories_labelled(name, values, margin, weights)
    return codes, targets


def _match_categories_labelled(
    name: str, values: Any, margin: pd.Series, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """As :func:`_match_categories`, with the labels of the kept categories."""
    if isinstance(values, pd.MultiIndex):
        sample_index = values
        codes = margin.index.get_indexer(sample_index)
    else:
        ser = values if isinstance(values, pd.Series | pd.Index) else np.asarray(values)
        if ser.ndim != 1 or len(ser) != len(weights):
            raise ValueError(
                f"categories for {name!r} must have one value per respondent ({len(weights)}); "
                f"got shape {ser.shape}"
            )
        # match the few distinct values, not every respondent
        sample_codes, uniques = pd.factorize(ser, use_na_sentinel=True)
        missing = sample_codes < 0
        if np.any(missing):
            raise DataValidationError(
                "margin variable has missing values; recode them to a category with a "
                "population margin",
                column=name,
                rows=(np.flatnonzero(missing)[:5] + 1).tolist(),
            )
        codes = margin.index.get_indexer(pd.Index(uniques))[sample_codes]
        sample_index = pd.Index(uniques)[sample_codes]
    unknown = codes < 0
    if np.any(unknown):
        vals = sample_index[unknown].unique()
        raise DataValidationError(
            f"categories of {name!r} in the sample have no population margin: "
            f"{describe_values(vals)} (margin categories: {describe_values(margin.index, 10)})",
            column=name,
            rows=(np.flatnonzero(unknown)[:5] + 1).tolist(),
        )
    present = np.bincount(codes, weights=weights, minlength=len(margin)) > 0
    targets = margin.to_numpy()
    absent = ~present & (targets > 0)
    if np.any(absent):
        raise DataValidationError(
            f"categories of {name!r} with a positive population margin are absent from the "
            f"sample (no respondent with a positive weight): "
            f"{describe_values(margin.index[absent])} (population "
            f"{describe_values(targets[absent])}); collapse them with a neighbouring category",
            column=name,
        )
    zero_sampled = present & (targets <= 0)
    if np.any(zero_sampled):
        raise DataValidationError(
            f"categories of {name!r} in the sample have a population margin of 0: "
            f"{describe_values(margin.index[zero_sampled])}",
            column=name,
        )
    keep = present
    remap = np.cumsum(keep) - 1
    return remap[codes].astype(np.int64), targets[keep], list(margin.index[keep])



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
    DataValidationError
        Margins disagree in total, or a category is absent from the sample or from the
        margins.
    ValueError
        Invalid arguments.

    Warns
    -----
    RuntimeWarning
        When the margins are not reached within ``max_iter`` passes, or the weights stop
        changing while a margin category still misses its population by more than
        (joint cells x ``tol`` x total) and 0.1 % (margins that cannot hold together); the
        warning names the margin, category and miss, and ``converged`` is ``False``.
    """
    w0 = _weights_array(weights)
    margins = _prepare_raking(w0, factors, population, kind, total)
    result, _ = _ipf(w0, margins, tol=tol, max_iter=max_iter)
    if not result.converged:
        warnings.warn(_not_met_message("raking", result.weights, margins, result.iterations,
                                       result.max_change),
                      RuntimeWarning, stacklevel=2)
    return result


def _margin_name(key: Any) -> str:
    return " x ".join(map(str, key)) if isinstance(key, tuple) else str(key)


@dataclasses.dataclass(frozen=True, eq=False)
class _Margins:
    """Categorical margins matched to the sample: codes, targets and labels per margin."""

    names: list[str]
    codes: list[np.ndarray]
    targets: list[np.ndarray]
    labels: list[list[Any]]


def _prepare_raking(
    w0: np.ndarray,
    factors: Mapping[Any, Any],
    population: Mapping[Any, Any],
    kind: str,
    total: float | None,
) -> _Margins:
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
    out = _Margins([], [], [], [])
    for key in population:
        name = _margin_name(key)
        codes, targets, labels = _match_categories_labelled(name, factors[key], scaled[name], w0)
        out.names.append(name)
        out.codes.append(codes)
        out.targets.append(targets)
        out.labels.append(labels)
    return out


def _largest_miss(w: np.ndarray, margins: _Margins) -> tuple[str, Any, float, float]:
    """The margin category whose weighted total is farthest (relative to 1 + its target)
    from its target: (margin, category, achieved, target)."""
    best: tuple[float, str, Any, float, float] = (-1.0, "", None, 0.0, 0.0)
    for name, codes, targets, labels in zip(
        margins.names, margins.codes, margins.targets, margins.labels, strict=True
    ):
        achieved = np.bincount(codes, weights=w, minlength=len(targets))
        rel = np.abs(achieved - targets) / (1.0 + np.abs(targets))
        k = int(np.argmax(rel))
        if rel[k] > best[0]:
            best = (float(rel[k]), name, labels[k], float(achieved[k]), float(targets[k]))
    return best[1], best[2], best[3], best[4]


def _miss_text(margin: str, category: Any, achieved: float, target: float) -> str:
    what = f"margin {margin!r}" + ("" if category is None else f", category {category!r}")
    pct = f" ({100 * abs(achieved - target) / abs(target):.3g} % of it)" if target else ""
    return (f"{what}: weighted total {achieved:.10g} against the population's {target:.10g}, "
            f"missing it by {achieved - target:+.6g}{pct}")


def _not_met_message(
    what: str, w: np.ndarray, margins: _Margins, iterations: int, change: float
) -> str:
    return (f"{what} did not converge to the margins in {iterations} passes (last change "
            f"{change:.4g}); "
            f"largest miss at {_miss_text(*_largest_miss(w, margins))}. Increase max_iter, or "
            "collapse sparse categories / check that the margins can hold together")


def _ipf(
    w0: np.ndarray,
    margins: _Margins,
    *,
    tol: float,
    max_iter: int,
) -> tuple[RakingResult, list[np.ndarray]]:
    """Iterative proportional fitting; also returns the weights after each margin's
    post-stratification in the last pass (R's ``rake()`` keeps them for its variance)."""
    if not (isinstance(max_iter, int | np.integer) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be positive; got {tol!r}")
    codes_list, targets_list = margins.codes, margins.targets
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
    last_pass: list[np.ndarray] = []
    while iterations < max_iter:
        last_pass = []
        for codes, targets in zip(codes_list, targets_list, strict=True):
            sums = np.bincount(codes, weights=w, minlength=len(targets))
            w = w * (targets / sums)[codes]
            last_pass.append(w)
        iterations += 1
        new_table = np.bincount(joint, weights=w, minlength=n_cells)
        delta = float(np.max(np.abs(new_table - table)))
        table = new_table
        if delta < epsilon:
            converged = True
            break
    if converged:
        # the joint table can stop changing while a margin is still missed (margins that
        # cannot hold together make IPF cycle within each pass): call that not converged
        for codes, targets in zip(codes_list, targets_list, strict=True):
            miss = np.abs(np.bincount(codes, weights=w, minlength=len(targets)) - targets)
            if np.any((miss > n_cells * epsilon) & (miss > _MET_RTOL * targets)):
                converged = False
                break
    err = max(
        float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(t)) - t)))
        for c, t in zip(codes_list, targets_list, strict=True)
    )
    result = RakingResult(
        weights=w, converged=converged, iterations=iterations, max_change=delta,
        max_margin_error=err,
    )
    return result, last_pass


# --------------------------------------------------------------------------------------------
# Calibration (GREG and its generalisations, R's calibrate())
# --------------------------------------------------------------------------------------------

CalibrationFunction = Literal["linear", "raking", "logit"]
#: Calibration functions offered by :func:`calibrate_weights` (R's ``calfun``).
CALIBRATION_FUNCTIONS: tuple[str, ...] = ("linear", "raking", "logit")
_RESCALE_THRESHOLD = 20.0  # R's grake: SOMETHRESHOLD


@dataclasses.dataclass(frozen=True, eq=False)
class _Block:
    """Columns of a calibration model matrix: the indicators of a factor's ``levels`` levels,
    each multiplied by ``values`` when given (a numeric auxiliary has one level)."""

    name: str
    codes: np.ndarray  # (n,) int64 in [0, levels)
    levels: int
    values: np.ndarray | None = None
    labels: tuple[Any, ...] = ()


def _crossprod(a: Sequence[_Block], b: Sequence[_Block], weights: np.ndarray) -> np.ndarray:
    """``X_a' diag(weights) X_b`` for the model-matrix blocks ``a`` and ``b``."""
    rows = []
    for fa in a:
        row = []
        for fb in b:
            v = weights
            if fa.values is not None:
                v = v * fa.values
            if fb.values is not None:
                v = v * fb.values
            flat = fa.codes * fb.levels + fb.codes
            row.append(
                np.bincount(flat, weights=v, minlength=fa.levels * fb.levels).reshape(
                    fa.levels, fb.levels
                )
            )
        rows.append(np.hstack(row))
    return np.vstack(rows)


class _CrossPlan:
    """``X' diag(weights) X`` for one list of blocks and many weight vectors (Newton steps):
    the joint codes and value products of every pair of blocks are computed once."""

    def __init__(self, blocks: Sequence[_Block]) -> None:
        self.levels = [b.levels for b in blocks]
        self.pairs: list[tuple[int, int, np.ndarray, np.ndarray | None]] = []
        for i, a in enumerate(blocks):
            for j in range(i, len(blocks)):
                b = blocks[j]
                flat = a.codes if i == j else a.codes * b.levels + b.codes
                if a.values is None:
                    vals = b.values if i != j else None
                elif b.values is None:
                    vals = a.values
                else:
                    vals = a.values * b.values
                self.pairs.append((i, j, flat, vals))
        self.offsets = np.concatenate([[0], np.cumsum(self.levels)])

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        p = int(self.offsets[-1])
        out = np.zeros((p, p))
        for i, j, flat, vals in self.pairs:
            v = weights if vals is None else weights * vals
            oi, oj = self.offsets[i], self.offsets[j]
            li, lj = self.levels[i], self.levels[j]
            if i == j:
                out[oi : oi + li, oi : oi + li] = np.diag(np.bincount(flat, weights=v,
                                                                      minlength=li))
                continue
            m = np.bincount(flat, weights=v, minlength=li * lj).reshape(li, lj)
            out[oi : oi + li, oj : oj + lj] = m
            out[oj : oj + lj, oi : oi + li] = m.T
        return out


def _tmatvec(blocks: Sequence[_Block], v: np.ndarray) -> np.ndarray:
    """``X' v`` for a vector ``v``."""
    parts = []
    for b in blocks:
        vv = v if b.values is None else v * b.values
        parts.append(np.bincount(b.codes, weights=vv, minlength=b.levels))
    return np.concatenate(parts)


def _matvec(blocks: Sequence[_Block], coef: np.ndarray, n: int) -> np.ndarray:
    """``X coef``."""
    out = np.zeros(n)
    offset = 0
    for b in blocks:
        part = coef[offset : offset + b.levels][b.codes]
        out += part if b.values is None else part * b.values
        offset += b.levels
    return out


def _ginv_psd(t: np.ndarray) -> np.ndarray:
    """A generalised inverse of the symmetric positive semi-definite ``t``: the inverse of its
    non-null rows and columns scaled to unit diagonal (so auxiliaries in large units do not
    swamp the indicators) by Cholesky, or their Moore-Penrose inverse when they are (nearly)
    collinear."""
    d = np.diag(t)
    keep = d > 0
    out = np.zeros_like(t, dtype=float)
    if not np.any(keep):
        return out
    scale = 1.0 / np.sqrt(d[keep])
    sub = t[np.ix_(keep, keep)] * np.outer(scale, scale)
    try:
        chol = np.linalg.cholesky(sub)
        full_rank = float(np.min(np.diag(chol))) ** 2 > 1e-10
    except np.linalg.LinAlgError:
        full_rank = False
    if full_rank:
        inner = np.linalg.inv(sub)
    else:
        inner = np.linalg.pinv(sub, rcond=1e-10, hermitian=True)
    out[np.ix_(keep, keep)] = inner * np.outer(scale, scale)
    return out


def _calfun(name: str, lower: float, upper: float) -> Any:
    """R's ``cal.linear``, ``cal.raking`` and ``cal.logit``: a function of ``u`` giving
    ``(Fm1(u), dF(u))`` with ``g = 1 + Fm1(u)``."""
    lo, hi = lower, upper
    if name == "linear":
        def linear(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return (np.clip(u + 1.0, lo, hi) - 1.0,
                    ((u < hi - 1.0) & (u > lo - 1.0)).astype(float))
        return linear
    if name == "raking":
        def raking(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(over="ignore"):
                e = np.exp(u)
            return np.clip(e, lo, hi) - 1.0, np.where((e < hi) & (e > lo), e, 0.0)
        return raking
    # logit: g = L + (U - L) * expit(A u + log((1 - L) / (U - 1))), R's cal.logit written
    # without overflow
    a = (hi - lo) / ((hi - 1.0) * (1.0 - lo))
    shift = np.log((1.0 - lo) / (hi - 1.0))

    def logit(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = a * u + shift
        e = np.exp(-np.abs(t))
        p = np.where(t >= 0, 1.0, e) / (1.0 + e)
        return lo + (hi - lo) * p - 1.0, (hi - lo) * a * p * (1.0 - p)
    return logit


def _check_bounds(calfun: str, bounds: tuple[float, float] | None) -> tuple[float, float]:
    check_choice("calfun", calfun, CALIBRATION_FUNCTIONS)
    if bounds is None:
        if calfun == "logit":
            raise ValueError("calfun='logit' needs finite bounds=(lower, upper) with "
                             "lower < 1 < upper (R: 'Logit calibration requires finite bounds')")
        return -np.inf, np.inf
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"bounds must be a pair (lower, upper); got {bounds!r}") from exc
    if np.isnan(lo) or np.isnan(hi) or not lo < 1.0 < hi:
        raise ValueError(f"bounds must satisfy lower < 1 < upper; got {bounds!r}")
    if calfun == "logit" and not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"calfun='logit' needs finite bounds; got {bounds!r}")
    return lo, hi


@dataclasses.dataclass(frozen=True, eq=False)
class _CalibrationModel:
    """Model-matrix blocks of a calibration and the population total of each column."""

    blocks: list[_Block]
    targets: np.ndarray  # (p,)
    margins: _Margins  # the categorical part, for messages
    auxiliaries: list[str]


def _prepare_calibration(
    w0: np.ndarray,
    factors: Mapping[Any, Any] | None,
    population: Mapping[Any, Any] | None,
    covariates: Mapping[str, Any] | None,
    totals: Mapping[str, float] | None,
    population_size: float | None,
    kind: str,
) -> _CalibrationModel:
    n = len(w0)
    population = population or {}
    factors = factors or {}
    covariates = covariates or {}
    totals = totals or {}
    if set(covariates) != set(totals):
        raise ValueError(
            f"covariates {sorted(map(str, covariates))} and totals {sorted(map(str, totals))} "
            "must name the same auxiliaries"
        )
    blocks: list[_Block] = []
    targets: list[np.ndarray] = []
    margins = _Margins([], [], [], [])
    if population:
        shares = _resolve_kind(
            {_margin_name(k): _margin_series(_margin_name(k), v) for k, v in population.items()},
            kind,
        ) == "share"
        margins = _prepare_raking(
            w0, factors, population, kind, population_size if shares else None
        )
        ref = float(margins.targets[0].sum())
        if population_size is not None and not shares and (
            abs(float(population_size) - ref) > _TOTAL_RTOL * ref
        ):
            raise DataValidationError(
                f"population_size {population_size!r} disagrees with the total of margin "
                f"{margins.names[0]!r} ({ref:.10g})"
            )
        for k, (name, codes, tgt, labels) in enumerate(zip(
            margins.names, margins.codes, margins.targets, margins.labels, strict=True
        )):
            values = None
            if k:  # margins agree within _TOTAL_RTOL; make them agree exactly
                tgt = tgt * (ref / float(tgt.sum()))
                margins.targets[k] = tgt
                # the first margin carries the total: leave out this margin's first category
                # (R's treatment contrasts), so that the model matrix has full rank
                values = (codes != 0).astype(float)
                tgt = np.concatenate([[0.0], tgt[1:]])
            blocks.append(_Block(name, codes, len(tgt), values, tuple(labels)))
            targets.append(tgt)
    elif population_size is not None:
        size = float(population_size)
        if not (np.isfinite(size) and size > 0):
            raise ValueError(f"population_size must be positive; got {population_size!r}")
        blocks.append(_Block("(population size)", np.zeros(n, dtype=np.int64), 1))
        targets.append(np.array([size]))
    aux = []
    for name in covariates:
        raw = covariates[name]
        arr = raw.to_numpy() if isinstance(raw, pd.Series) else np.asarray(raw)
        try:
            x = np.asarray(pd.to_numeric(pd.Series(arr.ravel()), errors="coerce"), dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataValidationError("auxiliary must be numeric", column=str(name)) from exc
        if arr.ndim != 1 or len(x) != n:
            raise ValueError(
                f"auxiliary {name!r} must have one value per respondent ({n}); got shape "
                f"{arr.shape}"
            )
        bad = ~np.isfinite(x)
        if np.any(bad):
            raise DataValidationError(
                "auxiliary for calibration has missing, non-numeric or infinite values: "
                f"{describe_values(arr[bad])}",
                column=str(name),
                rows=(np.flatnonzero(bad)[:5] + 1).tolist(),
            )
        try:
            target = float(totals[name])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"total of {name!r} must be a number; got {totals[name]!r}") from exc
        if not np.isfinite(target):
            raise ValueError(f"total of {name!r} must be finite; got {totals[name]!r}")
        if not np.any(x[w0 > 0] != 0.0):
            if target == 0.0:
                logger.info("auxiliary %r is 0 everywhere with total 0: dropped", name)
                continue
            raise DataValidationError(
                f"auxiliary is 0 for every respondent with a positive weight, so its "
                f"population total {target:.10g} cannot be met",
                column=str(name),
            )
        blocks.append(_Block(str(name), np.zeros(n, dtype=np.int64), 1, x))
        targets.append(np.array([target]))
        aux.append(str(name))
    if not blocks:
        raise ValueError("give at least one margin, auxiliary total or population_size")
    return _CalibrationModel(blocks, np.concatenate(targets), margins, aux)


def _model_miss(w: np.ndarray, model: _CalibrationModel) -> str:
    """Text naming the margin category or auxiliary total farthest (relative to 1 + its
    population total) from its population total."""
    best: tuple[float, str, Any, float, float] = (-1.0, "", None, 0.0, 0.0)
    if model.margins.names:
        margin, category, achieved, target = _largest_miss(w, model.margins)
        best = (abs(achieved - target) / (1.0 + abs(target)), margin, category, achieved,
                target)
    achieved_all = _tmatvec(model.blocks, w)
    offset = 0
    for b in model.blocks:
        if not b.labels:  # an auxiliary or the population size
            achieved, target = float(achieved_all[offset]), float(model.targets[offset])
            rel = abs(achieved - target) / (1.0 + abs(target))
            if rel > best[0]:
                best = (rel, f"{b.name} (total)", None, achieved, target)
        offset += b.levels
    return _miss_text(*best[1:])


@dataclasses.dataclass(frozen=True, eq=False)
class CalibrationResult(Result):
    """Result of :func:`calibrate_weights`.

    Attributes
    ----------
    weights : numpy.ndarray
        The calibrated weights.
    g : numpy.ndarray
        Calibrated over starting weights (R's ``g``; 0 where the starting weight is 0).
    calfun : str
        The calibration function (R's ``calfun``).
    bounds : tuple of float
        Bounds on ``g`` (``(-inf, inf)`` when unbounded).
    converged : bool
        Whether every constraint was met to ``tol``.
    iterations : int
        Newton steps taken.
    max_misfit : float
        Largest ``|achieved - population total| / (1 + |population total|)`` (R's criterion).
    """

    weights: np.ndarray
    g: np.ndarray
    calfun: str
    bounds: tuple[float, float]
    converged: bool
    iterations: int
    max_misfit: float

    def _summary_lines(self) -> list[str]:
        state = "converged" if self.converged else "did NOT converge"
        w = np.asarray(self.weights, dtype=float)
        lines = [f"CalibrationResult ({self.calfun}): {state} after {self.iterations} steps, "
                 f"largest relative misfit {format_value(self.max_misfit)}"]
        if w.size and np.all(np.isfinite(w)) and np.any(w > 0):
            lines.append(f"weights: n {w.size}, total {format_value(float(w.sum()))}, g in "
                         f"[{format_value(float(self.g.min()))}, "
                         f"{format_value(float(self.g.max()))}], Kish design effect "
                         f"{format_value(kish_deff(w))}")
        return lines


def _calibrate(
    w0: np.ndarray,
    model: _CalibrationModel,
    calfun: str,
    bounds: tuple[float, float],
    *,
    tol: float,
    max_iter: int,
) -> CalibrationResult:
    """R's ``grake`` (survey 4.1-1): Newton steps on the calibration equations from
    ``g = 1``, halving a step that gives non-finite weights, until every
    ``|misfit| / (1 + |total|) < tol``."""
    if not (isinstance(max_iter, int | np.integer) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be positive; got {tol!r}")
    blocks, targets = model.blocks, model.targets
    n = len(w0)
    lo, hi = bounds
    calf = _calfun(calfun, lo, hi)
    ww = w0
    sample_total = _tmatvec(blocks, ww)
    active = (sample_total != 0) | (targets != 0)  # not a left-out first category
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = targets[active] / sample_total[active]
    scale = None
    if np.all(np.isfinite(scales)) and float(scales.min()) > _RESCALE_THRESHOLD:
        scale = float(scales.mean())
        ww = ww * scale
        sample_total = sample_total * scale
        if np.isfinite(lo) or np.isfinite(hi):
            warnings.warn(
                f"every population total is over {_RESCALE_THRESHOLD:g} times its sample "
                f"estimate: the weights were first scaled by {scale:.3g} and the bounds apply "
                "to the scaled weights (as R's calibrate)",
                RuntimeWarning,
                stacklevel=3,
            )
    eta = np.zeros(len(targets))
    xeta = np.zeros(n)
    it = 1
    denom = 1.0 + np.abs(targets)
    crossprod = _CrossPlan(blocks)
    fm, deriv = calf(xeta)
    misfit = targets - sample_total - _tmatvec(blocks, ww * fm)
    while True:
        deta = _ginv_psd(crossprod(ww * deriv)) @ misfit
        eta = eta + deta
        xeta = _matvec(blocks, eta, n)
        fm, deriv = calf(xeta)
        while it < max_iter and not (np.all(np.isfinite(fm)) and np.all(np.isfinite(deriv))):
            it += 1
            deta = deta / 2.0
            eta = eta - deta
            xeta = _matvec(blocks, eta, n)
            fm, deriv = calf(xeta)
        misfit = targets - sample_total - _tmatvec(blocks, ww * fm)
        worst = float(np.max(np.abs(misfit) / denom)) if np.all(np.isfinite(misfit)) else np.inf
        if worst < tol:
            converged = True
            break
        it += 1
        if it > max_iter:
            converged = False
            break
    g = 1.0 + fm
    if scale is not None:
        g = g * scale
    return CalibrationResult(
        weights=w0 * g, g=np.where(w0 > 0, g, 0.0), calfun=calfun, bounds=(lo, hi),
        converged=converged, iterations=it, max_misfit=worst,
    )


def calibrate_weights(
    weights: Any,
    factors: Mapping[Any, Any] | None = None,
    population: Mapping[Any, Mapping[Hashable, float] | pd.Series] | None = None,
    *,
    covariates: Mapping[str, Any] | None = None,
    totals: Mapping[str, float] | None = None,
    population_size: float | None = None,
    calfun: CalibrationFunction = "linear",
    bounds: tuple[float, float] | None = None,
    kind: MarginKind = "auto",
    tol: float = 1e-7,
    max_iter: int = 50,
    force: bool = False,
) -> CalibrationResult:
    """Calibrate weights to categorical margins and totals of numeric auxiliaries.

    The calibrated weights are ``w = d * g(x' lambda)`` with ``x`` the respondent's row of the
    model matrix (the indicators of every margin's categories and the auxiliaries), solved by
    Newton's method so that the weighted totals of every column equal the population's: R
    survey 4.1-1 ``calibrate(design, formula, population, calfun = calfun, bounds = bounds)``
    (its ``grake``), with ``formula`` the sum of the margins and auxiliaries.

    Parameters
    ----------
    weights : array-like
        Starting (design) weights ``d``, finite and >= 0.
    factors, population : mapping, optional
        Categorical margins as for :func:`rake_weights` (a tuple key for a joint margin).
    covariates : mapping of str to array-like, optional
        Numeric auxiliaries, one value per respondent.
    totals : mapping of str to float, optional
        Population total of each auxiliary (same keys as ``covariates``).
    population_size : float, optional
        The population count ``N`` (R's ``(Intercept)`` total). Needed for calibration to
        auxiliaries alone when the weights must also sum to ``N`` (without it and without
        margins the weights are calibrated to the auxiliaries only: R's ``~ x - 1``); with
        margins it must equal their total, and with shares it is the total they multiply
        (default: the sum of the starting weights).
    calfun : {"linear", "raking", "logit"}, default "linear"
        ``g(u) = 1 + u`` (GREG), ``exp(u)`` or the bounded logit of Deville and Särndal (1992),
        as R's ``cal.linear``, ``cal.raking``, ``cal.logit``.
    bounds : (float, float), optional
        ``lower < 1 < upper`` bounds on ``g``; required by ``"logit"`` (which keeps ``g``
        strictly inside them); with ``"linear"`` (R's bounded linear calibration) and
        ``"raking"`` ``g`` is truncated at them.
    kind : {"auto", "count", "share"}, default "auto"
        Whether margins hold counts or shares.
    tol, max_iter : float, int
        R's ``epsilon`` and ``maxit``: stop when every constraint's
        ``|misfit| / (1 + |total|)`` is below ``tol``; at most ``max_iter`` Newton steps.
    force : bool, default False
        Return weights that miss the constraints (with a warning) instead of raising, as
        R's ``force = TRUE``.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    DataValidationError
        A calibration that cannot meet its constraints (naming the margin and category, or
        the auxiliary, and by how much the weights miss it); margins that disagree in total;
        a margin category absent from the sample or a sample category without a margin; an
        auxiliary with missing values.
    ValueError
        Invalid arguments (``calfun``, ``bounds``, ``tol``, ``max_iter``).

    Notes
    -----
    Unbounded linear calibration can give negative weights, as R's; the design-level
    :func:`kpianalysis.design.calibrate` refuses them (its estimators read a weight <= 0 as
    outside the sample).

    As R, when every population total exceeds 20 times its sample estimate the starting
    weights are first scaled by the mean ratio (and bounds then apply to the scaled weights).

    References
    ----------
    Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling.
    *Journal of the American Statistical Association* 87, 376-382.
    """
    w0 = _weights_array(weights)
    lo_hi = _check_bounds(calfun, bounds)
    model = _prepare_calibration(
        w0, factors, population, covariates, totals, population_size, kind
    )
    result = _calibrate(w0, model, calfun, lo_hi, tol=tol, max_iter=max_iter)
    _check_met(result, model, force, stacklevel=3)
    return result


def _check_met(
    result: CalibrationResult, model: _CalibrationModel, force: bool, stacklevel: int
) -> None:
    if result.converged:
        return
    if np.all(np.isfinite(result.weights)):
        detail = _model_miss(result.weights, model)
    else:
        detail = "the Newton steps gave non-finite weights"
    bounds = "" if not np.isfinite(result.bounds).any() else (
        f" within bounds {result.bounds}")
    message = (f"calibration ({result.calfun}{bounds}) cannot meet its constraints after "
               f"{result.iterations} steps; largest miss at {detail}")
    if not force or not np.all(np.isfinite(result.weights)):
        raise DataValidationError(
            message + ". Widen the bounds, collapse sparse categories, check the population "
            "totals, or pass force=True to keep the weights anyway"
        )
    warnings.warn(message, RuntimeWarning, stacklevel=stacklevel)


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
