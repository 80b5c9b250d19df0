"""Build every report the catalog describes: one per KPI, then each agency's scorecard.

Command line (what ``make reports`` runs)::

    python -m kpianalysis.build --data-root data/raw --processed data/processed --out reports

The jobs come from the catalog alone (:func:`report_jobs`): every KPI gets the notebook of its
report family (shipped in the package, found with :mod:`importlib.resources`), executed by
Papermill with the KPI code, fiscal year and data root as parameters; it writes
``<out>/<kpi>_<fy>.json`` (a :class:`~kpianalysis.result.KPIResult`) and the HTML report.
Each agency with a negotiated scorecard then gets ``<out>/scorecard_<agency>_<fy>.html``,
which only sums those results. Paths passed to the notebooks are relative to the working
directory, so no output carries the machine's absolute paths.

A report that fails does not stop the others: its stale HTML/JSON are removed, the error is
written to ``<out>/<stem>.error.txt`` and the command exits with status 1 after listing every
failure. A scorecard whose KPI failed fails too, naming that KPI.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.resources
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .catalog import Catalog, CatalogError, load_catalog
from .files import write_text_atomic
from .kinds import REPORT_FAMILIES
from .result import result_stem
from .scorecard import scorecard_stem

__all__ = ["ReportJob", "ReportOutcome", "build_reports", "check_parameters", "main",
           "notebook_path", "report_jobs"]

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ReportJob:
    """One report to build: a packaged notebook and the parameters Papermill injects."""

    name: str
    notebook: str
    parameters: dict[str, Any]
    title: str = ""
    depends_on: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ReportOutcome:
    """What happened to one report."""

    name: str
    ok: bool
    seconds: float
    html: Path | None = None
    error: str = ""


@contextlib.contextmanager
def notebook_path(name: str) -> Iterator[Path]:
    """The packaged report notebook ``name`` as a file path (works from a wheel)."""
    ref = importlib.resources.files("kpianalysis") / "notebooks" / name
    if not ref.is_file():
        raise FileNotFoundError(f"report notebook {name} is not shipped in the package")
    with importlib.resources.as_file(ref) as path:
        yield path


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Fail unless ``notebook`` has a ``parameters`` cell declaring every given parameter.

    Papermill only warns about both problems; a scheduled run must not go ahead silently.
    """
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ValueError(f"{notebook.name}: no cell tagged 'parameters'")
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(
            f"{notebook.name}: unknown parameter(s) {', '.join(unknown)}; the notebook declares "
            f"{', '.join(sorted(declared))}")


def _rel(path: Path) -> str:
    """``path`` relative to the working directory (POSIX), never absolute."""
    return Path(os.path.relpath(Path(path).resolve(), Path.cwd())).as_posix()


def report_jobs(catalog: Catalog, data_root: Path, processed: Path, out: Path,
                catalog_path: Path | None = None) -> list[ReportJob]:
    """The reports of every catalog KPI, then one scorecard per agency that has one.

    Everything comes from the catalog: the KPI code, its fiscal year, its report family.
    """
    common = {"data_root": _rel(data_root),
              "catalog_path": _rel(catalog_path) if catalog_path else "",
              "output_dir": _rel(out)}
    jobs = []
    for k in catalog:
        jobs.append(ReportJob(
            name=result_stem(k.code, k.fiscal_year), notebook=REPORT_FAMILIES[k.report],
            parameters={"kpi": k.code, "fiscal_year": k.fiscal_year, **common,
                        "processed_dir": _rel(processed)},
            title=f"{k.name_th} ({k.code}, ปีงบประมาณ {k.fiscal_year})"))
    for agency in catalog.scorecard_agencies():
        kpis = catalog.scorecard_kpis(agency)
        for fy in sorted({k.fiscal_year for k in kpis}):
            stem = scorecard_stem(catalog.abbreviation(agency) or agency, fy)
            jobs.append(ReportJob(
                name=stem, notebook="scorecard.ipynb",
                parameters={"results_dir": common["output_dir"], "agency": agency,
                            "fiscal_year": fy, **common},
                title=f"คะแนนตัวชี้วัดของ {agency} ปีงบประมาณ {fy}",
                depends_on=tuple(result_stem(k.code, fy) for k in kpis
                                 if k.fiscal_year == fy)))
    return jobs


def _relative_text(text: str) -> str:
    """Strip the working directory (and home) from a message so no absolute path leaks."""
    for prefix in {str(Path.cwd()) + os.sep, str(Path.cwd().resolve()) + os.sep}:
        text = text.replace(prefix, "")
    return text.replace(str(Path.home()), "~")


def _sanitise(executed: Path, notebook_name: str, final: Path) -> None:
    """Rewrite papermill's path metadata as package- or cwd-relative; move atomically."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("papermill", {})
    if meta:
        meta["input_path"] = f"kpianalysis/notebooks/{notebook_name}"
        meta["output_path"] = _rel(final)
        meta.pop("cwd", None)
    write_text_atomic(final, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
    executed.unlink(missing_ok=True)


def _run(job: ReportJob, out: Path, kernel_name: str) -> ReportOutcome:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .html_export import export_html

    start = time.perf_counter()
    html = out / f"{job.name}.html"
    error_file = out / f"{job.name}.error.txt"
    executed_dir = out / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    final = executed_dir / f"{job.name}.ipynb"
    tmp = executed_dir / f".{job.name}.{os.getpid()}.running.ipynb"
    try:
        with notebook_path(job.notebook) as nb_path:
            check_parameters(nb_path, job.parameters)
            nb = papermill.execute_notebook(
                str(nb_path), str(tmp), parameters=job.parameters, kernel_name=kernel_name,
                cwd=str(Path.cwd()), progress_bar=False, log_output=False)
        _sanitise(tmp, job.notebook, final)
        export_html(nb, html, title=job.title or job.name)
    except Exception as exc:
        for stale in (html, out / f"{job.name}.json"):
            stale.unlink(missing_ok=True)
        if tmp.exists():
            with contextlib.suppress(Exception):
                _sanitise(tmp, job.notebook, final)
        if isinstance(exc, PapermillExecutionError):
            message = f"{exc.ename}: {exc.evalue}"  # the cell's error, without the traceback
        else:
            message = f"{type(exc).__name__}: {exc}"
        message = _relative_text(message)
        write_text_atomic(error_file, f"report {job.name} failed\n{message}\n"
                          f"executed notebook (if any): {_rel(final)}\n")
        logger.error("report %s FAILED: %s", job.name, message.splitlines()[0] if message else "")
        return ReportOutcome(job.name, False, time.perf_counter() - start, error=message)
    error_file.unlink(missing_ok=True)
    return ReportOutcome(job.name, True, time.perf_counter() - start, html=html)


def build_reports(data_root: Path, processed: Path, out: Path, only: Sequence[str] = (),
                  kernel_name: str = "python3", catalog: Path | None = None
                  ) -> list[ReportOutcome]:
    """Build the reports (all, or those named in ``only``); return one outcome per report.

    ``only`` takes report names (``sat-oss_2567``, ``scorecard_สยป_2567``) or KPI codes.
    """
    cat = load_catalog(catalog)
    jobs = report_jobs(cat, data_root, processed, out, catalog)
    if only:
        wanted = set(only)
        by_code = {j.parameters.get("kpi"): j.name for j in jobs if "kpi" in j.parameters}
        names = {by_code.get(w, w) for w in wanted}
        unknown = sorted(n for n in names if n not in {j.name for j in jobs})
        if unknown:
            raise ValueError(f"unknown report(s) {', '.join(unknown)}; available: "
                             f"{', '.join(j.name for j in jobs)}")
        jobs = [j for j in jobs if j.name in names]
    out.mkdir(parents=True, exist_ok=True)
    processed.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for job in jobs:  # KPI reports first; scorecards after the results they sum
        logger.info("building %s ...", job.name)
        outcome = _run(job, out, kernel_name)
        if outcome.ok:
            logger.info("built %s in %.1f s", job.name, outcome.seconds)
        outcomes.append(outcome)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="kpianalysis-build", description=__doc__.split("\n")[0])
    parser.add_argument("--data-root", "--raw", dest="data_root", type=Path,
                        default=Path("data/raw"),
                        help="folder the catalog's input paths are relative to")
    parser.add_argument("--processed", type=Path, default=Path("data/processed"),
                        help="folder for de-identified Parquet tables")
    parser.add_argument("--out", type=Path, default=Path("reports"),
                        help="folder for the HTML reports and result JSONs")
    parser.add_argument("--catalog", type=Path, default=None,
                        help="a catalog YAML file (default: the one shipped in the package)")
    parser.add_argument("--only", nargs="+", default=(), metavar="NAME",
                        help="build only these reports (report names or KPI codes)")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for noisy in ("papermill", "traitlets", "blib2to3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        outcomes = build_reports(args.data_root, args.processed, args.out, args.only,
                                 args.kernel, args.catalog)
    except (ValueError, CatalogError, FileNotFoundError) as exc:
        logger.error("%s", exc)
        return 2
    failed = [o for o in outcomes if not o.ok]
    logger.info("%d report(s) built, %d failed", len(outcomes) - len(failed), len(failed))
    for o in failed:
        logger.error("FAILED %s: %s (see %s)", o.name, o.error.splitlines()[0] if o.error else "",
                     args.out / f"{o.name}.error.txt")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
