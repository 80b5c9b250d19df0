"""Benchmark: raking 100,000 respondents to three margins (50 districts, sex, 6 age groups).

Population margins follow the Bangkok registration totals of KPI_SPEC section F (5,471,588
persons; 2,555,426 male, 2,916,162 female); district sizes and age shares are synthetic. The
sample over-represents women, the young and a few districts, so raking has real work to do.

The script prints the time to convergence of the array-level :func:`rake_weights` and of the
design-level :func:`rake` (which also prepares the calibration-aware variance), the number of
passes and the largest margin error, then a raked estimate with its SE under both
linearisations (``"calibrate"``: R ``calibrate(calfun = "raking")``; ``"rake"``: R ``rake()``),
overall and by the 50 districts. Beside the ``"rake"`` SE it runs the naive form of R's
``svyrecvar`` (ten passes of pandas ``groupby().transform("mean")`` on the score column) and
prints both. It then calibrates the same sample to the same margins plus the population total
of a numeric auxiliary (linear/GREG and bounded logit, :func:`calibrate`) beside a naive dense
GREG (a 100,000 x 59 model matrix, one ``numpy.linalg.lstsq``) and prints the times and the
largest weight difference. When ``svy`` (a benchmark-only dependency) is installed it rakes the
same data with ``svy`` and prints the largest relative difference between the two weight
vectors; otherwise it says it skipped it.

Target: raking and each calibration in under 0.5 s.

Run: ``.venv/bin/python benchmarks/bench_raking.py``
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from kpianalysis.design import SurveyDesign, calibrate
from kpianalysis.weighting import rake_weights

N = 100_000
TOTAL = 5_471_588
MALE = 2_555_426
FEMALE = 2_916_162
AGES = ["15-24", "25-34", "35-44", "45-54", "55-64", "65+"]
AGE_SHARES = np.array([0.13, 0.18, 0.19, 0.18, 0.16, 0.16])
TOL = 1e-10


def make_data(seed: int = 7) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    district_pop = rng.integers(40_000, 200_000, 50).astype(float)
    district_pop = np.round(district_pop / district_pop.sum() * TOTAL)
    district_pop[-1] += TOTAL - district_pop.sum()
    districts = [f"D{i:02d}" for i in range(1, 51)]
    sample_p = district_pop * rng.uniform(0.5, 1.8, 50)
    district = rng.choice(districts, N, p=sample_p / sample_p.sum())
    sex = rng.choice(["M", "F"], N, p=[0.38, 0.62])
    age = rng.choice(AGES, N, p=[0.22, 0.24, 0.2, 0.15, 0.11, 0.08])
    aware = (rng.random(N) < 0.6 + 0.1 * (sex == "F") - 0.05 * (age == "65+")).astype(int)
    hh_size = rng.poisson(2.0 + 0.5 * (age == "35-44"), N) + 1.0
    data = pd.DataFrame(
        {
            "district": district,
            "sex": sex,
            "age": age,
            "aware": aware,
            "hh_size": hh_size,
            "w0": np.full(N, TOTAL / N),
        }
    )
    age_counts = np.round(AGE_SHARES * TOTAL)
    age_counts[-1] += TOTAL - age_counts.sum()
    margins = {
        "district": dict(zip(districts, district_pop, strict=True)),
        "sex": {"M": MALE, "F": FEMALE},
        "age": dict(zip(AGES, age_counts, strict=True)),
    }
    return data, margins


def naive_rake_se(data: pd.DataFrame, margins: dict, raked: SurveyDesign) -> tuple[float, float]:
    """R ``svyrecvar``'s raking branch written plainly: ten passes over the margins of
    ``x <- x - psw * ave(x / psw, margin)`` with pandas, then the with-replacement variance."""
    from kpianalysis.weighting import _prepare_raking

    t0 = time.perf_counter()
    w0 = data["w0"].to_numpy()
    prepared = _prepare_raking(w0, {k: data[k] for k in margins}, margins, "auto", None)
    from kpianalysis.weighting import _ipf

    result, last_pass = _ipf(w0, prepared, tol=TOL, max_iter=100)
    w = result.weights
    y = data["aware"].to_numpy(dtype=float)
    p = float(np.sum(w * y) / np.sum(w))
    x = pd.Series(w * (y - p) / np.sum(w))
    for _ in range(10):
        for key, psw in zip(margins, last_pass, strict=True):
            x = x - psw * (x / psw).groupby(data[key]).transform("mean")
    n = len(x)
    se = float(np.sqrt(n / (n - 1) * np.sum((x - x.mean()) ** 2)))
    return se, time.perf_counter() - t0


def naive_greg(data: pd.DataFrame, margins: dict, totals: dict) -> tuple[np.ndarray, float]:
    """Linear (GREG) calibration with a dense model matrix (intercept, treatment contrasts of
    every margin, the auxiliary) and one least-squares solve."""
    t0 = time.perf_counter()
    d = data["w0"].to_numpy()
    cols = [np.ones(N)]
    target = [float(TOTAL)]
    for key, margin in margins.items():
        for cat in list(margin)[1:]:
            cols.append((data[key].to_numpy() == cat).astype(float))
            target.append(float(margin[cat]))
    for key, value in totals.items():
        cols.append(data[key].to_numpy(dtype=float))
        target.append(value)
    x = np.column_stack(cols)
    t = x.T @ (x * d[:, None])
    lam = np.linalg.lstsq(t, np.array(target) - x.T @ d, rcond=None)[0]
    w = d * (1.0 + x @ lam)
    return w, time.perf_counter() - t0


def main() -> None:
    data, margins = make_data()
    print(f"raking {N:,} respondents to margins: district (50), sex (2), age (6)")

    factors = {k: data[k].to_numpy() for k in margins}
    times = []
    res = None
    for _ in range(5):
        t0 = time.perf_counter()
        res = rake_weights(data["w0"].to_numpy(), factors, margins, tol=TOL)
        times.append(time.perf_counter() - t0)
    assert res is not None
    print(f"rake_weights: first {times[0] * 1e3:7.1f} ms, best {min(times) * 1e3:7.1f} ms; "
          f"converged={res.converged} after {res.iterations} passes; largest margin error "
          f"{res.max_margin_error:.3g} persons (target: under 500 ms)")

    design = SurveyDesign(data, weights="w0")
    t0 = time.perf_counter()
    raked = design.rake(margins, tol=TOL)
    t_design = time.perf_counter() - t0
    print(f"SurveyDesign.rake (weights + variance set-up): {t_design * 1e3:7.1f} ms; "
          f"{raked.calibration[0]}")
    t0 = time.perf_counter()
    est = raked.proportion("aware")
    t_est = time.perf_counter() - t0
    print(f"raked proportion aware: {est.estimate:.5f} (SE {est.se:.5f}, deff {est.deff:.3f}) "
          f"in {t_est * 1e3:.1f} ms")
    t0 = time.perf_counter()
    by = raked.proportion("aware", by="district")
    print(f"  by 50 districts: {(time.perf_counter() - t0) * 1e3:.1f} ms, median SE "
          f"{float(by.table['se'].median()):.5f}")

    t0 = time.perf_counter()
    raked_r = design.rake(margins, tol=TOL, linearisation="rake")
    t_rake_r = time.perf_counter() - t0
    t0 = time.perf_counter()
    est_r = raked_r.proportion("aware")
    t_est_r = time.perf_counter() - t0
    t0 = time.perf_counter()
    by_r = raked_r.proportion("aware", by="district")
    t_by_r = time.perf_counter() - t0
    print(f"rake(linearisation='rake'): set-up {t_rake_r * 1e3:.1f} ms; SE {est_r.se:.5f} in "
          f"{t_est_r * 1e3:.1f} ms; by 50 districts {t_by_r * 1e3:.1f} ms, median SE "
          f"{float(by_r.table['se'].median()):.5f}")
    se_naive, t_naive = naive_rake_se(data, margins, raked_r)
    print(f"  naive R svyrecvar loop (pandas groupby): SE {se_naive:.5f} in "
          f"{t_naive * 1e3:.1f} ms; |difference| {abs(se_naive - est_r.se):.2e}")

    totals = {"hh_size": float(TOTAL * 3.1)}
    for calfun, bounds in (("linear", None), ("logit", (0.3, 3.0))):
        t0 = time.perf_counter()
        cal = calibrate(design, margins, totals, calfun=calfun, bounds=bounds)
        t_cal = time.perf_counter() - t0
        info = cal.calibration[0]
        print(f"calibrate({calfun!r}, bounds={bounds}): {t_cal * 1e3:7.1f} ms, "
              f"{info['iterations']} Newton steps, misfit {info['max_misfit']:.2e}; "
              f"proportion aware {cal.proportion('aware').estimate:.5f}")
        if calfun == "linear":
            w_naive, t_dense = naive_greg(data, margins, totals)
            print(f"  naive dense GREG (lstsq on the {N:,} x 59 matrix): {t_dense * 1e3:7.1f} "
                  f"ms; max relative weight difference "
                  f"{float(np.max(np.abs(cal.weights - w_naive) / w_naive)):.2e}")
        times.append(t_cal)
    if max(times[0], t_design, *times[5:]) >= 0.5:
        raise SystemExit("raking or calibration took 0.5 s or more")

    try:
        import polars as pl
        import svy
    except ImportError:
        print("svy (benchmark-only dependency) is not installed: skipping the svy cross-check")
        return
    warnings.filterwarnings("ignore", module="svy")
    sample = svy.Sample(pl.from_pandas(data), svy.Design(wgt="w0"))
    t0 = time.perf_counter()
    out = sample.weighting.rake(controls=margins, tol=1e-12, max_iter=1000, wgt_name="rk")
    t_svy = time.perf_counter() - t0
    w_svy = out.data["rk"].to_numpy()
    diff = float(np.max(np.abs(raked.weights - w_svy) / w_svy))
    print(f"svy {getattr(svy, '__version__', '?')} rake: {t_svy * 1e3:7.1f} ms; max relative "
          f"difference of weights vs kpianalysis: {diff:.2e}")


if __name__ == "__main__":
    main()
