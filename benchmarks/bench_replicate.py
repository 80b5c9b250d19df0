"""Benchmark: mean and SE with 80 replicate weights on 1,000,000 rows, kpianalysis vs naive.

Synthetic stratified cluster sample: 1,000,000 respondents, 50 strata, 2,000 PSUs (40 per
stratum), unequal weights, and 80 bootstrap replicate weights (each replicate resamples 40
PSUs per stratum with replacement), stored as 80 columns of combined analysis weights the way
an agency ships them.

Timed, each best of ``REPEATS`` after one cold run:

* ``kpianalysis, columns``: :meth:`ReplicateDesign.from_columns` (validation of the 80
  columns) + ``mean`` (cold), then ``mean`` again (warm): one matrix product ``y' W``;
* ``kpianalysis, from a design``: :func:`as_replicate_design` on the linearisation design
  (PSU-level replicate factors, R's compressed form) + ``mean``;
* ``pandas loop``: the naive alternative, one weighted mean per replicate column;
* ``samplics`` ``ReplicateEstimator`` (benchmark-only dependency, skipped when missing).

The script prints the ratios and checks that the estimates and SEs agree to 1e-9 relative.

Run: ``.venv/bin/python benchmarks/bench_replicate.py``
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from kpianalysis.design import SurveyDesign
from kpianalysis.replicate import ReplicateDesign, as_replicate_design

N = 1_000_000
STRATA = 50
PSUS = 2_000
REPLICATES = 80
REPEATS = 3
PSU_PER_STRATUM = PSUS // STRATA
# Canty-Davison scale for a bootstrap with m PSUs per stratum: m / ((m - 1) (R - 1))
SCALE = PSU_PER_STRATUM / ((PSU_PER_STRATUM - 1) * (REPLICATES - 1))


def make_data(seed: int = 20261130) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, PSUS, N)
    stratum = psu % STRATA
    y = 50 + rng.normal(0, 5, PSUS)[psu] + rng.normal(0, 15, N)
    w = rng.lognormal(4.0, 0.4, N)
    # bootstrap counts: per stratum, 40 draws with replacement of its 40 PSUs
    members = np.arange(PSUS).reshape(PSU_PER_STRATUM, STRATA).T  # stratum h: psu % 50 == h
    counts = np.zeros((PSUS, REPLICATES))
    for h in range(STRATA):  # 50 strata, not rows
        draws = rng.integers(0, PSU_PER_STRATUM, (REPLICATES, PSU_PER_STRATUM))
        for r in range(REPLICATES):
            counts[members[h], r] = np.bincount(draws[r], minlength=PSU_PER_STRATUM)
    names = [f"rep{r:02d}" for r in range(1, REPLICATES + 1)]
    reps = w[:, None] * counts[psu]
    frame = pd.DataFrame(reps, columns=names)
    frame.insert(0, "y", y)
    frame.insert(0, "w", w)
    frame.insert(0, "psu", psu)
    frame.insert(0, "stratum", stratum)
    return frame, names


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best = np.inf
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def naive_pandas(df: pd.DataFrame, names: list[str]) -> tuple[float, float]:
    """One weighted mean per replicate column, then the bootstrap variance."""
    est = (df["w"] * df["y"]).sum() / df["w"].sum()
    reps = []
    for col in names:
        reps.append((df[col] * df["y"]).sum() / df[col].sum())
    reps_a = np.asarray(reps)
    var = SCALE * ((reps_a - reps_a.mean()) ** 2).sum()
    return float(est), float(np.sqrt(var))


def run_samplics(df: pd.DataFrame, names: list[str]):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import samplics
            from samplics.estimation import ReplicateEstimator
            from samplics.utils.types import PopParam, RepMethod
    except ImportError:
        print("samplics (benchmark-only dependency) is not installed: skipping samplics")
        return None
    y = df["y"].to_numpy()
    w = df["w"].to_numpy()
    reps = df[names].to_numpy()

    def fit():
        est = ReplicateEstimator(RepMethod.bootstrap, PopParam.mean)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.estimate(y=y, samp_weight=w, rep_weights=reps, rep_coefs=SCALE)
        return est

    elapsed, est = best_of(fit, 1)
    point = float(np.ravel(list(np.atleast_1d(est.point_est)))[0])
    se = float(np.ravel(list(np.atleast_1d(est.stderror)))[0])
    return elapsed, point, se, getattr(samplics, "__version__", "?")


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def main() -> None:
    print(f"data: {N:,} rows, {STRATA} strata, {PSUS:,} PSUs, {REPLICATES} replicate-weight "
          "columns (bootstrap)")
    df, names = make_data()

    t0 = time.perf_counter()
    rd = ReplicateDesign.from_columns(df, repweights=names, weights="w", type="bootstrap",
                                      scale=SCALE)
    ours = rd.mean("y")
    cold = time.perf_counter() - t0
    warm, ours = best_of(lambda: rd.mean("y"))
    print(f"kpianalysis, columns     : cold {cold * 1e3:8.1f} ms (validate 80 columns + mean)"
          f"   warm {warm * 1e3:8.1f} ms   mean {ours.estimate:.6f} SE {ours.se:.6f}")

    design = SurveyDesign(df[["stratum", "psu", "w", "y"]], weights="w", strata="stratum",
                          psu="psu")
    t0 = time.perf_counter()
    rd2 = as_replicate_design(design, "bootstrap", replicates=REPLICATES, seed=1)
    m2 = rd2.mean("y")
    cold2 = time.perf_counter() - t0
    warm2, m2 = best_of(lambda: rd2.mean("y"))
    print(f"kpianalysis, from design : cold {cold2 * 1e3:8.1f} ms (build 80 replicates + mean)"
          f"   warm {warm2 * 1e3:8.1f} ms   mean {m2.estimate:.6f} SE {m2.se:.6f}")

    naive_t, (n_est, n_se) = best_of(lambda: naive_pandas(df, names))
    print(f"pandas loop over columns : {naive_t * 1e3:8.1f} ms   mean {n_est:.6f} SE {n_se:.6f}")
    print(f"ratio pandas loop / kpianalysis (columns, warm): {naive_t / warm:6.1f}x; "
          f"cold: {naive_t / cold:6.1f}x")
    d = max(rel(ours.estimate, n_est), rel(ours.se, n_se))
    print(f"max relative difference vs the pandas loop: {d:.2e} (target <= 1e-9)")
    if d > 1e-9:
        raise SystemExit("kpianalysis and the pandas loop disagree by more than 1e-9")

    smp = run_samplics(df, names)
    if smp is not None:
        s_t, s_est, s_se, version = smp
        print(f"samplics {version} ReplicateEstimator: {s_t * 1e3:8.1f} ms   mean {s_est:.6f} "
              f"SE {s_se:.6f}")
        print(f"ratio samplics / kpianalysis (columns, warm): {s_t / warm:6.1f}x; "
              f"max relative difference {max(rel(ours.estimate, s_est), rel(ours.se, s_se)):.2e}")


if __name__ == "__main__":
    main()
