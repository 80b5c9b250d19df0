"""Benchmark: Fay–Herriot REML fits on 50 and on 5,000 areas (issue 12, item 6).

Simulated area-level data: two covariates plus an intercept, sampling variances uniform on
[0.001, 0.01], model variance 0.004. For each size the script times one complete
:func:`kpianalysis.sae.fay_herriot` fit (REML by Fisher scoring written in ``O(m p²)``,
EBLUP and the Prasad–Rao MSE included; input validation and the result tables on top, which
cost about a millisecond whatever the size) and of its array-level core against two naive
alternatives:

* ``scipy``: the REML log-likelihood maximised by the generic
  ``scipy.optimize.minimize_scalar(method="bounded")``, then β̂ and the EBLUP (no MSE);
* ``dense``: sae's Fisher scoring as written in R (``sae::eblupFH``), with the ``m × m``
  projection matrix ``P`` and ``tr(P P)`` — ``O(m³)``; run on 50 and 1,000 areas only (5,000
  areas would need a 200 MB matrix and minutes per fit).

It prints the time per fit (best of several runs), the ratio naive / package, and the largest
relative difference of the model variance between the package and each alternative.

Run: ``.venv/bin/python benchmarks/bench_sae.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import optimize

from kpianalysis.sae import _eblup_mse, _refvar, fay_herriot

TOL = 1e-6  # relative change of A for the scoring methods


def make_data(m: int, seed: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(0.3, 0.9, m)
    x2 = rng.uniform(0.1, 0.3, m)
    psi = rng.uniform(0.001, 0.01, m)
    theta = 0.5 + 0.4 * x1 - 0.3 * x2 + rng.normal(0.0, np.sqrt(0.004), m)
    return pd.DataFrame({"y": theta + rng.normal(0.0, np.sqrt(psi)), "psi": psi,
                         "x1": x1, "x2": x2})


def _design(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = np.column_stack([np.ones(len(frame)), frame["x1"], frame["x2"]])
    return X, frame["y"].to_numpy(), frame["psi"].to_numpy()


def naive_scipy(frame: pd.DataFrame) -> float:
    """REML by generic bounded scalar maximisation; returns Â (the EBLUP is computed too)."""
    X, y, psi = _design(frame)

    def neg_reml(A: float) -> float:
        vi = 1.0 / (A + psi)
        xtv = X.T * vi
        M = xtv @ X
        r = y - X @ np.linalg.solve(M, xtv @ y)
        return 0.5 * (np.log(A + psi).sum() + np.linalg.slogdet(M)[1] + r @ (r * vi))

    upper = 10.0 * float(np.var(y))
    A = float(optimize.minimize_scalar(neg_reml, bounds=(0.0, upper), method="bounded",
                                       options={"xatol": 1e-9}).x)
    vi = 1.0 / (A + psi)
    xtv = X.T * vi
    beta = np.linalg.solve(xtv @ X, xtv @ y)
    synthetic = X @ beta
    _eblup = synthetic + A * vi * (y - synthetic)
    return A


def naive_dense(frame: pd.DataFrame) -> float:
    """sae::eblupFH's REML loop with the dense m × m matrix P; returns Â."""
    X, y, psi = _design(frame)
    A, diff, k = float(np.median(psi)), 1.0, 0
    while diff > TOL and k < 100:
        k += 1
        vi = 1.0 / (A + psi)
        xtv = X.T * vi
        Q = np.linalg.inv(xtv @ X)
        P = np.diag(vi) - xtv.T @ Q @ xtv
        Py = P @ y
        s = -0.5 * np.trace(P) + 0.5 * Py @ Py
        F = 0.5 * np.trace(P @ P)
        new = A + s / F
        diff, A = abs(new - A) / A, new
    return max(A, 0.0)


def core(frame: pd.DataFrame) -> float:
    """The package's array-level core: scoring for Â, then EBLUP and MSE (no validation,
    no tables)."""
    X, y, psi = _design(frame)
    A = _refvar("REML", X, y, psi, 100, TOL)[0]
    _eblup_mse("REML", X, y, psi, A)
    return A


def best_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    print("Fay-Herriot REML fit (2 covariates + intercept); time per fit, best of runs")
    for m, repeat in ((50, 50), (1_000, 10), (5_000, 20)):
        frame = make_data(m)
        fit = fay_herriot(frame, "y", "psi", ["x1", "x2"], tol=TOL)
        ours = best_time(lambda f=frame: fay_herriot(f, "y", "psi", ["x1", "x2"], tol=TOL),
                         repeat)
        t_core = best_time(lambda f=frame: core(f), repeat)
        a_scipy = naive_scipy(frame)
        t_scipy = best_time(lambda f=frame: naive_scipy(f), repeat)
        line = (f"m={m:>5,}: fay_herriot {ours * 1e3:6.2f} ms, core {t_core * 1e3:6.2f} ms "
                f"({fit.iterations} iterations, MSE included) | scipy generic "
                f"{t_scipy * 1e3:6.2f} ms, ratio {t_scipy / ours:4.1f}x (vs core "
                f"{t_scipy / t_core:4.1f}x), |dA|/A {abs(a_scipy - fit.refvar) / fit.refvar:.1e}")
        if m <= 1_000:
            a_dense = naive_dense(frame)
            t_dense = best_time(lambda f=frame: naive_dense(f), max(1, repeat // 5))
            line += (f" | dense sae-style {t_dense * 1e3:9.2f} ms, ratio "
                     f"{t_dense / ours:6.1f}x, |dA|/A "
                     f"{abs(a_dense - fit.refvar) / fit.refvar:.1e}")
        print(line)


if __name__ == "__main__":
    main()
