"""Benchmark: score 1,000,000 respondents x 10 Likert items (bands, A, Wilson CI).

Target (issue 2): <= 0.5 s on the 2-core reference machine, vectorised (no per-respondent loop).
Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_likert.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from kpianalysis import score_likert

N, K, REPEAT = 1_000_000, 10, 5


def main() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(1, 6, size=(N, K)).astype(float)
    values[rng.random((N, K)) < 0.03] = np.nan
    items = pd.DataFrame(values, columns=[f"q{i}" for i in range(K)]).astype("Int8")
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = score_likert(items)
        ci = result.ci("wilson")
        timings.append(time.perf_counter() - start)
    best, median = min(timings), float(np.median(timings))
    print(f"score_likert {N:,} x {K} items: best {best:.3f} s, median {median:.3f} s "
          f"(target <= 0.5 s) -> A = {result.percent_high_or_above:.3f} %, "
          f"Wilson CI ({ci.low * 100:.3f}, {ci.high * 100:.3f})")


if __name__ == "__main__":
    main()
