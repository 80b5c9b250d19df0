"""Benchmark: score 1,000,000 respondents x 10 Likert items, against its plain-numpy floor.

Targets: issue 2, <= 0.5 s on the 2-core reference machine, vectorised; issue 14, within 2x
of a plain numpy version of the same rule (the answered-mean policy: >= 80 % answered, mean
>= 3.51 by integer comparison) on identical data, timed side by side in one run. The floor
starts from the same DataFrame of nullable Int8 columns the package receives.
Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_likert.py``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from kpianalysis import score_likert

N, K, REPEAT = 1_000_000, 10, 7


def numpy_floor(items: pd.DataFrame) -> tuple[int, int]:
    """The same rule in plain numpy: B and C only, nothing else computed."""
    values = items.to_numpy(dtype=np.float64, na_value=np.nan)
    answered = ~np.isnan(values)
    k = answered.sum(axis=1)
    s = np.where(answered, values, 0).sum(axis=1)
    scored = k >= math.ceil(0.8 * items.shape[1])
    high = scored & (s * 100 >= 351 * k)
    return int(high.sum()), int(scored.sum())


def _median(fn) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(1, 6, size=(N, K)).astype(float)
    values[rng.random((N, K)) < 0.03] = np.nan
    items = pd.DataFrame(values, columns=[f"q{i}" for i in range(K)]).astype("Int8")
    result = score_likert(items)
    b, c = numpy_floor(items)
    assert (b, c) == (result.n_high_or_above, result.n_scored)  # the same rule, same answer
    ours = _median(lambda: score_likert(items).ci("wilson"))
    floor = _median(lambda: numpy_floor(items))
    print(f"score_likert {N:,} x {K} items (+ Wilson CI): median {ours:.3f} s (target <= 0.5 s)"
          f"; numpy floor {floor:.3f} s; ratio {ours / floor:.2f}x (target <= 2x) -> "
          f"A = {result.percent_high_or_above:.3f} %")


if __name__ == "__main__":
    main()
