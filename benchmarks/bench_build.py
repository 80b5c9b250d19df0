"""Benchmark: the report build against the naive loop, side by side in one run.

* the whole suite (every catalog KPI and the scorecard) with ``kpianalysis-build --force``
  (``-j 1`` and ``-j`` = cores) against a naive loop of the ``papermill`` and
  ``jupyter nbconvert`` command lines per notebook, on the same notebooks and parameters;
* one report, the same two ways;
* a no-change rebuild (everything up to date).

Whole processes are timed (wall clock, median of ``--repeat`` runs). Run with ``make bench``
or ``.venv/bin/python benchmarks/bench_build.py [--repeat N]``; it writes only under a
temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kpianalysis.build import report_jobs
from kpianalysis.catalog import load_catalog

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def _time(cmds: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for cmd in cmds:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _naive(work: Path, only: set[str] | None = None) -> list[list[str]]:
    """papermill + jupyter nbconvert per report, as a shell script would do it."""
    import importlib.resources

    nbs = importlib.resources.files("kpianalysis") / "notebooks"
    jobs = report_jobs(load_catalog(), Path("data/raw"), Path("naive/p"), Path("naive/out"))
    cmds = []
    for job in jobs:
        if only is not None and job.name not in only:
            continue
        executed = f"naive/out/{job.name}.ipynb"
        params = [x for k, v in job.parameters.items() if k != "options"
                  for x in ("-p", k, str(v))]
        cmds.append([str(BIN / "papermill"), str(nbs / job.notebook), executed, "-k", "python3",
                     "--no-progress-bar", *params])
        cmds.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", executed])
    return cmds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    build = [str(BIN / "kpianalysis-build"), "--data-root", "data/raw", "--processed", "b/p",
             "--out", "b/out", "--force"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "data").symlink_to(ROOT / "data")
        (work / "naive" / "out").mkdir(parents=True)
        rows = {}
        for name, cmds in {
            "suite, kpianalysis-build -j 1": [[*build, "-j", "1"]],
            f"suite, kpianalysis-build -j {cores}": [[*build, "-j", str(cores)]],
            "suite, naive papermill + nbconvert loop": _naive(work),
            "one report, kpianalysis-build": [[*build, "-j", "1", "--only", "gis-open-data"]],
            "one report, naive pair": _naive(work, {"gis-open-data_2567"}),
        }.items():
            rows[name] = statistics.median(_time(cmds, work) for _ in range(args.repeat))
        subprocess.run([*build[:-1], "-j", str(cores)], cwd=work, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows["no-change rebuild"] = statistics.median(
            _time([[*build[:-1], "-j", str(cores)]], work) for _ in range(max(3, args.repeat)))
    naive = rows["suite, naive papermill + nbconvert loop"]
    for name, seconds in rows.items():
        ratio = f"  ({naive / seconds:.1f}x faster than the naive loop)" if "suite" in name \
            and "naive" not in name else ""
        print(f"{name:45s} {seconds:7.1f} s{ratio}")
    one = rows["one report, naive pair"] / rows["one report, kpianalysis-build"]
    n = len(report_jobs(load_catalog(), Path("."), Path("."), Path(".")))
    print(f"one report: {one:.1f}x faster than the naive pair; {n} reports; {cores} cores")


if __name__ == "__main__":
    main()
