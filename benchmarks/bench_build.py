"""Benchmark: the report build against the naive loop, side by side in one run.

* the whole suite (every catalog KPI, the scorecard and the action plan) with
  ``kpianalysis-build --force`` (``-j 1`` and ``-j`` = cores) against a naive loop of the
  ``papermill`` and ``jupyter nbconvert`` command lines per notebook, on the same notebooks and
  parameters;
* one report (``social-media-proactive_2564``: nothing depends on it), the same two ways;
* a no-change rebuild (everything up to date);
* the scaling series on the all-units data root (``python -m kpianalysis.sample_data
  --all-units``): 7, 70 and every report (about 700), ``-j`` = cores.

Every figure is for whole processes: wall clock; CPU seconds of the command and every process
under it (``getrusage(RUSAGE_CHILDREN)``: the build, its kernel server, workers and kernels, or
papermill, its kernel and nbconvert); peak memory as the largest sum of the proportional set
sizes (PSS, shared pages split between the processes sharing them) of the process tree,
sampled every 0.5 s (needs psutil); for the all-units series also the peak in each third of
the run's wall time, which stays level when memory is flat. Run with ``make bench`` or
``.venv/bin/python benchmarks/bench_build.py [--series 7 70 700] [--repeat N]``; it writes only
under a temporary folder.
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kpianalysis.build import report_jobs
from kpianalysis.catalog import load_catalog

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
ONE = "social-media-proactive_2564"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_pss(pid: int) -> int:
    import psutil

    total = 0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except (psutil.Error, AttributeError):
                continue
    except psutil.Error:
        pass
    return total


def _measure(cmds: list[list[str]], cwd: Path) -> dict[str, float]:
    """Run the commands one after the other: wall s, CPU s, peak MiB (PSS of the tree)."""
    try:
        import psutil  # noqa: F401
        sample = True
    except ImportError:
        sample = False
    peak = 0
    timeline: list[tuple[float, int]] = []
    cpu0, start = _children_cpu(), time.perf_counter()
    for cmd in cmds:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        stop = threading.Event()

        def watch(p: subprocess.Popen[bytes] = proc, done: threading.Event = stop) -> None:
            nonlocal peak
            while not done.wait(0.5):
                pss = _tree_pss(p.pid)
                timeline.append((time.perf_counter() - start, pss))
                peak = max(peak, pss)

        watcher = threading.Thread(target=watch, daemon=True)
        if sample:
            watcher.start()
        code = proc.wait()
        stop.set()
        if sample:
            watcher.join()
        if code not in (0, 1):  # 1: a report failed, reported by the build itself
            raise SystemExit(f"{' '.join(cmd[:3])} … exited {code}")
    wall = time.perf_counter() - start
    thirds = [max((m for t, m in timeline if i * wall / 3 <= t < (i + 1) * wall / 3), default=0)
              / 2**20 for i in range(3)]
    return {"wall": wall, "cpu": _children_cpu() - cpu0,
            "mib": peak / 2**20 if sample else float("nan"),
            **{f"mib{i + 1}": v if sample else float("nan") for i, v in enumerate(thirds)}}


def _naive(only: set[str] | None = None) -> list[list[str]]:
    """papermill + jupyter nbconvert per report, as a shell script would do it."""
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


def _series_only(units: Path, size: int) -> list[str]:
    """KPI codes of the all-units catalog giving ``size`` reports with the scorecards they pull
    in: whole units (10 KPIs + their scorecard), topped up with KPIs outside any scorecard.
    None: everything."""
    cat = load_catalog(units / "catalog.yaml")
    by_unit: dict[str, list] = {}
    for k in cat:
        if "." in k.code and k.code.split(".", 1)[0].startswith("d"):
            by_unit.setdefault(k.code.split(".", 1)[0], []).append(k)
    codes: list[str] = []
    blocks = list(by_unit.values())
    whole = size // 11 if size >= 11 else 0
    for block in blocks[:whole]:
        codes += [k.code for k in block]
    loose = [k.code for block in blocks[whole:] for k in block if k.scorecard_agency is None]
    return codes + loose[: size - 11 * whole]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--series", type=int, nargs="*", default=[7, 70, 700],
                        help="all-units series sizes; a size ≥ the catalog's builds everything")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    build = [str(BIN / "kpianalysis-build"), "--data-root", "data/raw", "--processed", "b/p",
             "--out", "b/out", "--force"]
    rows: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "data").symlink_to(ROOT / "data")
        (work / "naive" / "out").mkdir(parents=True)
        n_suite = len(report_jobs(load_catalog(), Path("."), Path("."), Path(".")))
        for name, cmds, n in (
            ("suite, kpianalysis-build -j 1", [[*build, "-j", "1"]], n_suite),
            (f"suite, kpianalysis-build -j {cores}", [[*build, "-j", str(cores)]], n_suite),
            ("suite, naive papermill + nbconvert loop", _naive(), n_suite),
            ("one report, kpianalysis-build", [[*build, "-j", "1", "--only", ONE]], 1),
            ("one report, naive pair", _naive({ONE}), 1),
        ):
            runs = [_measure(cmds, work) for _ in range(args.repeat)]
            rows[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            counts[name] = n
        _measure([[*build[:-1], "-j", str(cores)]], work)
        runs = [_measure([[*build[:-1], "-j", str(cores)]], work)
                for _ in range(max(3, args.repeat))]
        rows["no-change rebuild"] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        counts["no-change rebuild"] = n_suite
        if args.series:
            units = work / "units"
            subprocess.run([sys.executable, "-m", "kpianalysis.sample_data", "--all-units",
                            "--out", str(units)], check=True, stdout=subprocess.DEVNULL)
            total = len(report_jobs(load_catalog(units / "catalog.yaml"), units, units, units))
            for size in args.series:
                only = _series_only(units, size) if size < total else []
                cmd = [str(BIN / "kpianalysis-build"), "--data-root", str(units), "--catalog",
                       str(units / "catalog.yaml"), "--processed", f"s{size}/p", "--out",
                       f"s{size}/out", "-j", str(cores), "--force",
                       *(["--only", *only] if only else [])]
                name = f"all units, {min(size, total)} reports, -j {cores}"
                rows[name] = _measure([cmd], work)
                counts[name] = min(size, total)
    naive = rows["suite, naive papermill + nbconvert loop"]
    print(f"{'':48s} {'wall s':>8s} {'s/report':>9s} {'CPU s':>8s} {'CPU s/rep':>9s} "
          f"{'peak MiB':>9s}")
    for name, r in rows.items():
        n = counts[name]
        ratio = ""
        if name.startswith("suite, kpianalysis"):
            ratio = (f"  {naive['wall'] / r['wall']:.1f}x faster, "
                     f"{naive['cpu'] / r['cpu']:.1f}x less CPU than the naive loop")
        print(f"{name:48s} {r['wall']:8.1f} {r['wall'] / n:9.2f} {r['cpu']:8.1f} "
              f"{r['cpu'] / n:9.2f} {r['mib']:9.0f}{ratio}")
    one, pair = rows["one report, kpianalysis-build"], rows["one report, naive pair"]
    print(f"one report: {pair['wall'] / one['wall']:.2f}x the naive pair's speed "
          f"({one['wall']:.1f} s vs {pair['wall']:.1f} s), CPU {one['cpu']:.1f} s vs "
          f"{pair['cpu']:.1f} s")
    series = [(counts[k], v) for k, v in rows.items() if k.startswith("all units")]
    for n, r in series:  # flat memory: no rise from the first third of a run to the last
        print(f"all units, {n} reports: peak memory in each third of the run "
              f"{r['mib1']:.0f} / {r['mib2']:.0f} / {r['mib3']:.0f} MiB")
    if len(series) >= 2:
        (n0, r0), (n1, r1) = series[0], series[-1]
        marginal = (r1["cpu"] - r0["cpu"]) / (n1 - n0)
        print(f"scaling {n0} → {n1} reports: {r1['wall'] / n1 / (r0['wall'] / n0):.2f}x the "
              f"seconds per report, {marginal:.2f} CPU s per additional report, peak memory "
              f"{r0['mib']:.0f} → {r1['mib']:.0f} MiB")
    load = os.getloadavg()
    print(f"{n_suite} reports in the suite; {cores} cores; Python {platform.python_version()}; "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


if __name__ == "__main__":
    main()
