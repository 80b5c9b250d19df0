"""Benchmark: design-based proportion by domain, kpianalysis vs svy (and samplics).

Synthetic stratified two-stage-like sample: 1,000,000 respondents, 50 strata, 2,000 PSUs
(40 per stratum, PSU population 400 per stratum for the fpc), 3 domains (e.g. survey rounds),
a 0/1 outcome with PSU-level clustering and unequal weights.

For each implementation the script times

* ``cold``: build the design object and estimate the proportion with SE by domain once;
* ``warm``: best of 5 repeated estimates on the already-built design (svy caches the design
  on first use, so this is the fairest steady-state comparison);

and checks that estimates and standard errors agree to 1e-9 relative. ``svy`` and ``samplics``
are benchmark-only dependencies: the script says so and skips them when they are missing.

Run: ``.venv/bin/python benchmarks/bench_design.py``
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from kpianalysis.design import SurveyDesign

N = 1_000_000
STRATA = 50
PSUS = 2_000
DOMAINS = 3
PSU_POP_PER_STRATUM = 400
REPEATS = 5


def make_data(seed: int = 20240101) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, PSUS, N)
    stratum = psu % STRATA
    domain = rng.integers(0, DOMAINS, N)
    psu_effect = rng.normal(0.0, 0.4, PSUS)[psu]
    eta = -0.6 + 0.35 * domain + psu_effect
    y = (rng.random(N) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)
    x = 50.0 + 10.0 * eta + rng.normal(0.0, 5.0, N)
    w = rng.lognormal(4.0, 0.4, N)
    return pd.DataFrame(
        {
            "stratum": stratum,
            "psu": psu,
            "domain": domain,
            "w": w,
            "y": y,
            "x": x,
            "fpc": np.full(N, PSU_POP_PER_STRATUM, dtype=np.int64),
        }
    )


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best = np.inf
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_kpianalysis(df: pd.DataFrame) -> tuple[float, float, pd.DataFrame]:
    t0 = time.perf_counter()
    design = SurveyDesign(df, weights="w", strata="stratum", psu="psu", fpc="fpc")
    res = design.proportion("y", by="domain")
    cold = time.perf_counter() - t0
    warm, res = best_of(lambda: design.proportion("y", by="domain"))
    return cold, warm, res.table  # type: ignore[union-attr]


def run_svy(df: pd.DataFrame):
    try:
        import polars as pl
        import svy
    except ImportError:
        print("svy (benchmark-only dependency) is not installed: skipping the svy comparison")
        return None
    warnings.filterwarnings("ignore", module="svy")
    pdf = pl.from_pandas(df)
    t0 = time.perf_counter()
    sample = svy.Sample(pdf, svy.Design(stratum="stratum", psu="psu", wgt="w", pop_size="fpc"))
    out = sample.estimation.prop("y", by="domain")
    cold = time.perf_counter() - t0
    warm, out = best_of(lambda: sample.estimation.prop("y", by="domain"))
    table = out.to_polars().filter(pl.col("y") == 1).sort("domain").to_pandas()  # type: ignore[union-attr]
    return cold, warm, table, getattr(svy, "__version__", "?")


def run_means(df: pd.DataFrame) -> None:
    """Means of a continuous outcome (whole sample and by domain), repeated on one design."""
    try:
        import polars as pl
        import svy
    except ImportError:
        return
    design = SurveyDesign(df, weights="w", strata="stratum", psu="psu", fpc="fpc")
    sample = svy.Sample(pl.from_pandas(df),
                        svy.Design(stratum="stratum", psu="psu", wgt="w", pop_size="fpc"))
    for label, by in (("mean", None), ("mean by domain", "domain")):
        t0 = time.perf_counter()
        SurveyDesign(df, weights="w", strata="stratum", psu="psu", fpc="fpc").mean("x", by=by)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        fresh = svy.Sample(pl.from_pandas(df),
                           svy.Design(stratum="stratum", psu="psu", wgt="w", pop_size="fpc"))
        s_out = fresh.estimation.mean("x", by=by)
        s_cold = time.perf_counter() - t0
        warm, ours = best_of(lambda by=by: design.mean("x", by=by))
        sample.estimation.mean("x", by=by)
        s_warm, s_out = best_of(lambda by=by: sample.estimation.mean("x", by=by))
        s_tab = s_out.to_polars().to_pandas()  # type: ignore[union-attr]
        if by is not None:
            s_tab = s_tab.sort_values("domain")
            est, se = ours.table["estimate"], ours.table["se"]  # type: ignore[union-attr]
        else:
            est, se = [ours.estimate], [ours.se]  # type: ignore[union-attr]
        print(f"{label:15s} kpianalysis cold {cold * 1e3:7.1f} ms warm {warm * 1e3:7.1f} ms | "
              f"svy cold {s_cold * 1e3:7.1f} ms warm {s_warm * 1e3:7.1f} ms | "
              f"warm ratio ours/svy {warm / s_warm:4.2f} (target <= 1.5), cold speed-up "
              f"{s_cold / cold:4.1f}x (target >= 3) | max rel. diff est "
              f"{rel_diff(est, s_tab['est']):.1e}, SE {rel_diff(se, s_tab['se']):.1e}")


def run_samplics(df: pd.DataFrame):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import samplics
            from samplics.estimation import TaylorEstimator
            from samplics.utils.types import PopParam
    except ImportError:
        print("samplics (benchmark-only dependency) is not installed: skipping samplics")
        return None
    n_h = df.groupby("stratum")["psu"].nunique()
    fpc = {int(h): 1.0 - n / PSU_POP_PER_STRATUM for h, n in n_h.items()}
    est = TaylorEstimator(PopParam.mean)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.estimate(
            y=df["y"].to_numpy(dtype=float),
            samp_weight=df["w"].to_numpy(),
            stratum=df["stratum"].to_numpy(),
            psu=df["psu"].to_numpy(),
            domain=df["domain"].to_numpy(),
            fpc=fpc,
        )
    elapsed = time.perf_counter() - t0
    point = pd.Series(est.point_est).sort_index().to_numpy(dtype=float)
    se = pd.Series(est.stderror).sort_index().to_numpy(dtype=float)
    return elapsed, point, se, getattr(samplics, "__version__", "?")


def rel_diff(a, b) -> float:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def main() -> None:
    print(f"data: {N:,} respondents, {STRATA} strata, {PSUS:,} PSUs, {DOMAINS} domains")
    df = make_data()
    cold, warm, ours = run_kpianalysis(df)
    print(f"kpianalysis  proportion by domain: cold {cold * 1e3:8.1f} ms   "
          f"warm {warm * 1e3:8.1f} ms")
    print(ours[["domain", "estimate", "se", "ci_low", "ci_high", "deff", "n", "df"]].to_string())

    svy_out = run_svy(df)
    if svy_out is not None:
        s_cold, s_warm, s_table, version = svy_out
        print(f"svy {version:8s} proportion by domain: cold {s_cold * 1e3:8.1f} ms   "
              f"warm {s_warm * 1e3:8.1f} ms")
        print(f"speed-up vs svy: cold {s_cold / cold:5.1f}x   warm {s_warm / warm:5.1f}x "
              f"(target >= 3x)")
        d_est = rel_diff(ours["estimate"], s_table["est"])
        d_se = rel_diff(ours["se"], s_table["se"])
        d_lo = rel_diff(ours["ci_low"], s_table["lci"])
        print(f"max relative difference vs svy: estimate {d_est:.2e}, SE {d_se:.2e}, "
              f"logit CI low {d_lo:.2e} (target <= 1e-9)")
        if max(d_est, d_se) > 1e-9:
            raise SystemExit("estimates or SEs differ from svy by more than 1e-9 relative")

    run_means(df)

    smp = run_samplics(df)
    if smp is not None:
        elapsed, point, se, version = smp
        print(f"samplics {version}: domain means with SE in {elapsed * 1e3:8.1f} ms; max relative "
              f"difference: estimate {rel_diff(ours['estimate'], point):.2e}, "
              f"SE {rel_diff(ours['se'], se):.2e}")


if __name__ == "__main__":
    main()
