"""Benchmark: cold ``import kpianalysis`` against importing the stack it used to load eagerly.

Target (issue 9): under 1 s cold, and no IPython, matplotlib, papermill or nbconvert loaded.
Each run is a fresh interpreter (``python -X importtime`` is not used: the figure is the whole
process, start-up included), side by side in one run with the naive alternative — importing
pandas, scipy.stats, matplotlib, IPython, papermill and nbconvert, what the first version of
the package imported at ``import kpianalysis``. Run with ``make bench``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

REPEAT = 7
LIGHT = "import kpianalysis"
NAIVE = ("import kpianalysis, pandas, scipy.stats, matplotlib.pyplot, IPython, papermill, "
         "nbconvert")


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    _time(LIGHT), _time(NAIVE)  # warm the file cache
    light, naive = [], []
    for _ in range(REPEAT):  # interleaved so drift affects both alike
        light.append(_time(LIGHT))
        naive.append(_time(NAIVE))
    lm, nm = statistics.median(light), statistics.median(naive)
    print(f"cold `import kpianalysis`: median {lm:.3f} s (min {min(light):.3f}, max "
          f"{max(light):.3f}; target < 1 s) vs eager stack median {nm:.3f} s "
          f"({nm / lm:.1f}x), {REPEAT} runs each, whole process")


if __name__ == "__main__":
    main()
