"""Small-area estimation: the area-level Fay–Herriot model and its EBLUP.

The model (Fay and Herriot 1979) for ``m`` areas with direct estimates ``y_d`` whose sampling
variances ``ψ_d`` are taken as known::

    y_d = x_d'β + u_d + e_d,    u_d ~ N(0, A),    e_d ~ N(0, ψ_d).

The empirical best linear unbiased predictor (EBLUP) of ``θ_d = x_d'β + u_d`` is the
shrinkage combination ``θ̂_d = (1 − B_d) y_d + B_d x_d'β̂`` with ``B_d = ψ_d / (Â + ψ_d)``:
an area whose direct estimate is precise keeps it, a noisy one leans on the regression.

Estimators of the model variance ``A`` (all three of R's ``sae::eblupFH``, same algorithms):

* ``"REML"`` — restricted maximum likelihood by Fisher scoring;
* ``"ML"`` — maximum likelihood by Fisher scoring;
* ``"FH"`` — the Fay–Herriot moment estimator (solving ``Σ r_d² / (A + ψ_d) = m − p`` by the
  same scoring-type iteration).

Each starts at ``median(ψ)`` and stops when the relative change of ``A`` falls to ``tol``
(sae's ``PRECISION``, default 1e-4) or after ``max_iter`` (sae's ``MAXITER``, 100) steps; a
negative final value is set to 0. The MSE is the second-order approximation
``g1 + g2 + 2 g3`` of Prasad and Rao (1990) for REML (Datta and Lahiri 2000), with the
bias correction ``− b · B_d²`` for ML (``b = −tr[(X'V⁻¹X)⁻¹ X'V⁻²X] / Σ V_d⁻²``, the ML
bias of ``Â``, Datta and Lahiri 2000) and for the FH moment estimator
(``b = 2 (m Σ V_d⁻² − (Σ V_d⁻¹)²) / (Σ V_d⁻¹)³``, Datta, Rao and Smith 2005), and the
asymptotic variance of ``Â`` of each estimator in ``g3``: exactly what ``sae::mseFH`` computes.
The code follows the formulas of those papers (written here in ``O(m p²)`` operations, no
``m × m`` matrix) and reproduces ``sae`` 1.3 to rounding (``tests/test_sae.py``).

Where the scoring iteration leaves the parameter space (an iterate ``A < 0``), ``sae``
carries on with a negative variance; here the iterate is set to 0 and the iteration stops
at 0 when the next step points below it again (the boundary maximum).

References
----------
Fay, R. E. and Herriot, R. A. (1979). Estimates of income for small places: an application of
James-Stein procedures to census data. *JASA* 74, 269-277.

Prasad, N. G. N. and Rao, J. N. K. (1990). The estimation of the mean squared error of
small-area estimators. *JASA* 85, 163-171.

Datta, G. S. and Lahiri, P. (2000). A unified measure of uncertainty of estimated best linear
unbiased predictors in small area estimation problems. *Statistica Sinica* 10, 613-627.

Datta, G. S., Rao, J. N. K. and Smith, D. D. (2005). On measuring the variability of small
area estimators under a basic area level model. *Biometrika* 92, 183-196.

Molina, I. and Marhuenda, Y. (2015). sae: an R package for small area estimation. *The R
Journal* 7(1), 81-98.

Rao, J. N. K. and Molina, I. (2015). *Small Area Estimation*, 2nd ed. Wiley. (Ch. 6.)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, format_value
from ._validation import DataValidationError, check_choice

__all__ = [
    "FH_METHODS",
    "FayHerriotConvergenceError",
    "FayHerriotResult",
    "fay_herriot",
]

#: Estimators of the model variance, as ``sae::eblupFH(method = ...)`` names them.
FH_METHODS: dict[str, str] = {
    "REML": "restricted maximum likelihood (Fisher scoring)",
    "ML": "maximum likelihood (Fisher scoring)",
    "FH": "Fay-Herriot moment estimator",
}


class FayHerriotConvergenceError(DataValidationError):
    """The iteration for the model variance did not converge within ``max_iter`` steps."""


@dataclasses.dataclass(frozen=True, eq=False)
class FayHerriotResult(Result):
    """A fitted Fay–Herriot model: EBLUPs, their MSE, the coefficients and the model variance.

    Attributes
    ----------
    method : str
        ``"REML"``, ``"ML"`` or ``"FH"`` (see :data:`FH_METHODS`).
    areas : DataFrame
        One row per area, in input order: ``area``, ``direct``, ``variance`` (the sampling
        variance ψ), ``se_direct``, ``cv_direct``, ``synthetic`` (``x'β̂``), ``shrinkage``
        (``B = ψ / (Â + ψ)``, the weight of the synthetic part), ``eblup``, ``g1``, ``g2``,
        ``g3``, ``mse``, ``se_eblup`` (``√mse``), ``cv_eblup`` (``se / |eblup|``).
    coefficients : DataFrame
        ``term``, ``estimate``, ``se``, ``z``, ``p_value`` (normal reference, as sae).
    refvar : float
        The estimated model (random-effect) variance ``Â`` (sae's ``refvar``).
    refvar_var : float
        The asymptotic variance of ``Â`` used in ``g3``.
    loglike, aic, bic : float
        Log-likelihood at ``(β̂, Â)`` and the information criteria with ``p + 1`` parameters
        (sae's ``goodness``).
    iterations : int
        Scoring steps taken.
    n_areas, n_terms : int
        ``m`` and ``p`` (columns of the design matrix, intercept included).
    tol : float
        The relative-change tolerance of the iteration.
    """

    method: str
    areas: pd.DataFrame
    coefficients: pd.DataFrame
    refvar: float
    refvar_var: float
    loglike: float
    aic: float
    bic: float
    iterations: int
    n_areas: int
    n_terms: int
    tol: float

    @property
    def eblup(self) -> np.ndarray:
        """The EBLUPs, in input order."""
        return self.areas["eblup"].to_numpy()

    @property
    def mse(self) -> np.ndarray:
        """The estimated MSEs of the EBLUPs, in input order."""
        return self.areas["mse"].to_numpy()

    def _summary_lines(self) -> list[str]:
        a = self.areas
        b = a["shrinkage"]
        ratio = float(np.median(a["se_eblup"] / a["se_direct"]))
        return [
            f"FayHerriotResult ({self.method}): {self.n_areas} areas, {self.n_terms} terms, "
            f"model variance {format_value(self.refvar)} after {self.iterations} iterations",
            f"shrinkage towards the regression: median {format_value(float(b.median()))} "
            f"(range {format_value(float(b.min()))}–{format_value(float(b.max()))})",
            f"median SE(EBLUP) / SE(direct) {format_value(ratio)}; log-likelihood "
            f"{format_value(self.loglike)}, AIC {format_value(self.aic)}",
        ]


def _design_matrix(frame: pd.DataFrame, covariates: Sequence[str], categorical: Sequence[str],
                   intercept: bool, source: str | None) -> tuple[np.ndarray, list[str]]:
    columns: list[np.ndarray] = []
    names: list[str] = []
    if intercept:
        columns.append(np.ones(len(frame)))
        names.append("(Intercept)")
    for col in covariates:
        if col in categorical:
            values = frame[col]
            if values.isna().any():
                raise DataValidationError(
                    "a covariate must have a value for every area",
                    source=source, column=col,
                    rows=(np.flatnonzero(values.isna().to_numpy()) + 1).tolist())
            try:
                levels = sorted(values.unique())
            except TypeError:
                raise DataValidationError(
                    "a categorical covariate must hold values of one kind (all numbers or all "
                    "text); it mixes them", source=source, column=col) from None
            # treatment contrasts against the first level, as R's model.matrix
            for level in levels[1 if intercept else 0:]:
                columns.append((values == level).to_numpy(dtype=float))
                names.append(f"{col}[{level}]")
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataValidationError(
                "a covariate must be a finite number for every area", source=source,
                column=col, rows=(np.flatnonzero(bad) + 1).tolist())
        columns.append(values)
        names.append(col)
    if not columns:
        raise ValueError("the model has no terms: give covariates or keep the intercept")
    return np.column_stack(columns), names


def _check_rank(X: np.ndarray, names: list[str], source: str | None) -> None:
    m, p = X.shape
    if m <= p:
        raise DataValidationError(
            f"the Fay-Herriot model needs more areas than terms of the regression: {m} areas "
            f"for {p} terms ({', '.join(names)})", source=source)
    # scale columns so that the rank test does not depend on units
    norms = np.linalg.norm(X, axis=0)
    zero = norms == 0
    if zero.any():
        raise DataValidationError(
            f"covariate column(s) {', '.join(n for n, z in zip(names, zero, strict=True) if z)} "
            "are zero in every area", source=source)
    Xs = X / norms
    rank = np.linalg.matrix_rank(Xs)
    if rank < p:
        # the first column that adds nothing to the span of the ones before it
        dependent = [names[j] for j in range(1, p)
                     if np.linalg.matrix_rank(Xs[:, : j + 1]) <= np.linalg.matrix_rank(Xs[:, :j])]
        raise DataValidationError(
            f"the covariates are linearly dependent (rank {rank} < {p} terms); drop or merge "
            f"{', '.join(dependent)}", source=source)


def _gls(X: np.ndarray, y: np.ndarray, vi: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``Q = (X'V⁻¹X)⁻¹``, ``β̂ = Q X'V⁻¹y`` and the residuals ``y − Xβ̂``."""
    xtv = X.T * vi
    Q = np.linalg.inv(xtv @ X)
    beta = Q @ (xtv @ y)
    return Q, beta, y - X @ beta


def _score(method: str, A: float, X: np.ndarray, y: np.ndarray, psi: np.ndarray
           ) -> tuple[float, float]:
    """Score ``s`` and expected information ``F`` of the method at ``A`` (as sae's loops)."""
    vi = 1.0 / (A + psi)
    Q, _, r = _gls(X, y, vi)
    py = vi * r  # P y, with P = V⁻¹ − V⁻¹X Q X'V⁻¹
    if method == "ML":
        return -0.5 * vi.sum() + 0.5 * py @ py, 0.5 * (vi * vi).sum()
    if method == "REML":
        m2 = Q @ ((X.T * vi**2) @ X)  # Q X'V⁻²X
        m3 = Q @ ((X.T * vi**3) @ X)  # Q X'V⁻³X
        tr_p = vi.sum() - np.trace(m2)
        tr_pp = (vi * vi).sum() - 2.0 * np.trace(m3) + np.sum(m2 * m2.T)
        return -0.5 * tr_p + 0.5 * py @ py, 0.5 * tr_pp
    m, p = X.shape  # FH moment equation
    return float(r @ (r * vi)) - (m - p), float(vi.sum())


def _refvar(method: str, X: np.ndarray, y: np.ndarray, psi: np.ndarray, max_iter: int,
            tol: float) -> tuple[float, int, float]:
    """sae's scoring iteration for ``A`` from ``median(ψ)``: (``Â`` ≥ 0, steps, last change)."""
    A = float(np.median(psi))
    k, diff = 0, tol + 1.0
    while diff > tol and k < max_iter:
        k += 1
        s, F = _score(method, A, X, y, psi)
        new = A + s / F
        if new < 0:  # left the parameter space: restart from the boundary (sae goes on)
            new = 0.0
        diff = abs(new - A) / A if A > 0 else (0.0 if new == 0 else math.inf)
        A = new
    return max(A, 0.0), k, diff


def _eblup_mse(method: str, X: np.ndarray, y: np.ndarray, psi: np.ndarray, A: float
               ) -> dict[str, Any]:
    """β̂, the EBLUP, the log-likelihood and sae::mseFH's MSE at the model variance ``A``."""
    m = X.shape[0]
    vi = 1.0 / (A + psi)
    Q, beta, resid = _gls(X, y, vi)
    synthetic = X @ beta
    B = psi * vi
    sum_v2 = float((vi * vi).sum())
    g1 = psi * (1.0 - B)
    g2 = B**2 * np.einsum("ij,jk,ik->i", X, Q, X)
    if method == "FH":
        sum_v = float(vi.sum())
        var_a = 2.0 * m / sum_v**2
        bias = 2.0 * (m * sum_v2 - sum_v**2) / sum_v**3
    else:
        var_a = 2.0 / sum_v2
        bias = (-np.trace(Q @ ((X.T * vi**2) @ X)) / sum_v2) if method == "ML" else 0.0
    g3 = B**2 * var_a * vi
    return {
        "beta": beta, "se_beta": np.sqrt(np.diag(Q)), "synthetic": synthetic, "B": B,
        "eblup": synthetic + (1.0 - B) * resid, "g1": g1, "g2": g2, "g3": g3,
        "mse": g1 + g2 + 2.0 * g3 - bias * B**2, "var_a": var_a,
        "loglike": float(-0.5 * np.sum(np.log(2 * np.pi / vi) + resid**2 * vi)),
    }


def fay_herriot(
    data: pd.DataFrame,
    direct: str,
    variance: str,
    covariates: Sequence[str] = (),
    *,
    categorical: Sequence[str] = (),
    area: str | None = None,
    intercept: bool = True,
    method: str = "REML",
    max_iter: int = 100,
    tol: float = 1e-4,
    source: str | None = None,
) -> FayHerriotResult:
    """Fit the area-level Fay–Herriot model and return the EBLUPs with their MSE.

    The estimators, the iteration and the MSE are those of R's ``sae::eblupFH`` and
    ``sae::mseFH`` (see :mod:`kpianalysis.sae`); with the defaults,
    ``fay_herriot(milk, "yi", "var", ["MajorArea"], categorical=["MajorArea"])`` gives
    ``mseFH(yi ~ as.factor(MajorArea), var, data = milk)``.

    Parameters
    ----------
    data : DataFrame
        One row per area.
    direct : str
        Column of the direct estimates ``y_d``.
    variance : str
        Column of their sampling variances ``ψ_d`` (taken as known; each must be > 0).
    covariates : sequence of str, default ()
        Columns of area-level auxiliary variables.
    categorical : sequence of str, default ()
        Those of ``covariates`` to expand into indicator columns (treatment contrasts against
        the first sorted level, as R's ``as.factor`` in a formula).
    area : str, optional
        Column of area identifiers (must be unique); default: the row position from 1.
    intercept : bool, default True
        Include an intercept.
    method : {"REML", "ML", "FH"}, default "REML"
        Estimator of the model variance (see :data:`FH_METHODS`).
    max_iter : int, default 100
        Maximum scoring steps (sae's ``MAXITER``).
    tol : float, default 1e-4
        Stop when ``|A_{k+1} − A_k| / A_k`` is at most ``tol`` (sae's ``PRECISION``).
    source : str, optional
        Name of the file the data came from, used in error messages.

    Returns
    -------
    FayHerriotResult

    Raises
    ------
    DataValidationError
        A direct estimate or covariate that is missing or not finite, a sampling variance that
        is missing or not positive, duplicate area ids, no more areas than regression terms,
        or linearly dependent covariates (the message names the column and rows).
    FayHerriotConvergenceError
        The iteration did not converge within ``max_iter`` steps.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [0.2, 0.5, 0.4, 0.9, 0.7, 0.3], "v": [0.01, 0.02, 0.01, 0.03,
    ...                   0.02, 0.01], "x": [1.0, 2.0, 2.0, 4.0, 3.0, 1.0]})
    >>> fit = fay_herriot(d, "y", "v", ["x"])
    >>> fit.areas[["eblup", "mse"]].shape
    (6, 2)
    """
    method = check_choice("method", method, FH_METHODS)
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be >= 1; got {max_iter!r}")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0; got {tol!r}")
    covariates = list(covariates)
    categorical = list(categorical)
    unknown = [c for c in [direct, variance, *covariates, *([area] if area else [])]
               if c not in data.columns]
    if unknown:
        raise DataValidationError(
            f"missing column(s) {', '.join(map(repr, unknown))}; the data has "
            f"{', '.join(map(str, data.columns))}", source=source)
    stray = [c for c in categorical if c not in covariates]
    if stray:
        raise ValueError(f"categorical column(s) {', '.join(stray)} are not among covariates")
    frame = data.reset_index(drop=True)
    if len(frame) == 0:
        raise DataValidationError("no areas to fit", source=source)

    y = pd.to_numeric(frame[direct], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(y)
    if bad.any():
        raise DataValidationError("the direct estimate must be a finite number for every area",
                                  source=source, column=direct,
                                  rows=(np.flatnonzero(bad) + 1).tolist())
    psi = pd.to_numeric(frame[variance], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(psi) | ~(psi > 0)
    if bad.any():
        shown = ", ".join(format_value(v) for v in psi[bad][:5])
        raise DataValidationError(
            f"the sampling variance must be a finite number > 0 for every area (got {shown}); "
            "an area whose direct estimate has no sampling variance cannot be shrunk: drop it "
            "or give it a smoothed variance", source=source, column=variance,
            rows=(np.flatnonzero(bad) + 1).tolist())
    if area is not None:
        ids = frame[area]
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            raise DataValidationError("area ids must be unique", source=source, column=area,
                                      rows=(np.flatnonzero(dup) + 1).tolist())
        ids = ids.to_numpy()
    else:
        ids = np.arange(1, len(frame) + 1)
    X, names = _design_matrix(frame, covariates, categorical, intercept, source)
    _check_rank(X, names, source)
    m, p = X.shape

    A, k, diff = _refvar(method, X, y, psi, int(max_iter), float(tol))
    if k >= max_iter and diff >= tol:
        raise FayHerriotConvergenceError(
            f"the {method} iteration for the model variance did not converge in {max_iter} "
            f"steps (last relative change {diff:.3g} > tol {tol:g}); raise max_iter, or try "
            "method='FH'", source=source)
    f = _eblup_mse(method, X, y, psi, A)
    beta, se_beta, B, mse, eblup = f["beta"], f["se_beta"], f["B"], f["mse"], f["eblup"]
    z = beta / se_beta
    loglike = f["loglike"]
    se_eblup = np.sqrt(mse)
    columns = {"direct": y, "variance": psi, "se_direct": np.sqrt(psi),
               "cv_direct": np.sqrt(psi) / np.abs(y), "synthetic": f["synthetic"],
               "shrinkage": B, "eblup": eblup, "g1": f["g1"], "g2": f["g2"], "g3": f["g3"],
               "mse": mse, "se_eblup": se_eblup, "cv_eblup": se_eblup / np.abs(eblup)}
    areas = pd.DataFrame(np.column_stack(list(columns.values())), columns=list(columns))
    areas.insert(0, "area", ids)
    coefficients = pd.DataFrame({"term": names, "estimate": beta, "se": se_beta, "z": z,
                                 "p_value": 2.0 * stats.norm.sf(np.abs(z))})
    return FayHerriotResult(
        method=method, areas=areas, coefficients=coefficients, refvar=A, refvar_var=f["var_a"],
        loglike=loglike, aic=-2.0 * loglike + 2.0 * (p + 1),
        bic=-2.0 * loglike + (p + 1) * math.log(m), iterations=k, n_areas=m, n_terms=p,
        tol=float(tol))

