"""Build every KPI report: execute the parameterised notebooks with Papermill, export HTML.

Command line (what ``make reports`` runs)::

    python -m kpianalysis.build --raw data/raw --processed data/processed --out reports

For each report the executed notebook goes to ``<out>/executed/``, the HTML and the JSON summary
to ``<out>/``. A report that fails does not stop the others: its stale HTML/JSON are removed,
the error is written to ``<out>/<name>.error.txt`` and the command exits with status 1 after
listing every failure. All notebooks run in this one Python process (no CLI start-up per
report) and one at a time (Papermill has no parallelism and concurrent kernels can collide).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import papermill
from papermill.exceptions import PapermillExecutionError

from .files import write_text_atomic
from .html_export import export_html

__all__ = ["ReportJob", "ReportOutcome", "build_reports", "check_parameters", "main",
           "report_jobs"]

logger = logging.getLogger(__name__)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@dataclasses.dataclass(frozen=True)
class ReportJob:
    """One report to build: a notebook and the parameters Papermill injects."""

    name: str
    notebook: Path
    parameters: dict[str, Any]
    title: str = ""


@dataclasses.dataclass(frozen=True)
class ReportOutcome:
    """What happened to one report."""

    name: str
    ok: bool
    seconds: float
    html: Path | None = None
    error: str = ""


def check_parameters(notebook: Path, parameters: dict[str, Any]) -> None:
    """Fail unless ``notebook`` has a ``parameters`` cell declaring every given parameter.

    Papermill only warns about both problems; a scheduled run must not go ahead silently.
    """
    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ValueError(f"{notebook}: no cell tagged 'parameters'")
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(
            f"{notebook}: unknown parameter(s) {', '.join(unknown)}; the notebook declares "
            f"{', '.join(sorted(declared))}"
        )


def report_jobs(raw: Path, processed: Path, out: Path) -> list[ReportJob]:
    """The reports built from the files in ``raw``, in dependency order.

    One satisfaction report per KPI with a survey file (the latest round, compared with the
    previous round when its file is there); the awareness-survey report; then the agency
    scorecard, which reads the JSON summaries the reports before it wrote.
    """
    from .instruments import load_instruments
    from .readers import survey_round_files

    jobs = []
    for code, instrument in load_instruments().items():
        rounds = list(survey_round_files(raw / "satisfaction", code))
        if not rounds:
            logger.warning("no survey file for %s in %s: report skipped", code,
                           raw / "satisfaction")
            continue
        latest = rounds[-1]
        previous = raw / "satisfaction" / f"{code}_r{latest - 1}.csv"
        jobs.append(
            ReportJob(
                name=code,
                notebook=NOTEBOOKS / "satisfaction_survey.ipynb",
                parameters={
                    "kpi": code,
                    "input_path": str((raw / "satisfaction" / f"{code}_r{latest}.csv").resolve()),
                    "previous_input_path": str(previous.resolve()) if previous.exists() else "",
                    "survey_round": latest,
                    "output_dir": str(out.resolve()),
                    "processed_dir": str(processed.resolve()),
                },
                title=instrument.name_th,
            )
        )
    awareness = raw / "awareness" / "awareness_survey.csv"
    if (NOTEBOOKS / "awareness_survey.ipynb").exists() and awareness.exists():
        jobs.append(
            ReportJob(
                name="awareness-pr",
                notebook=NOTEBOOKS / "awareness_survey.ipynb",
                parameters={
                    "kpi": "awareness-pr",
                    "input_path": str(awareness.resolve()),
                    "margins_path": str((raw / "awareness" / "population_margins.csv").resolve()),
                    "output_dir": str(out.resolve()),
                    "processed_dir": str(processed.resolve()),
                },
                title="ร้อยละการรับรู้ข่าวสารการดำเนินงานของกรุงเทพมหานคร",
            )
        )
    if (NOTEBOOKS / "scorecard.ipynb").exists():
        jobs.append(
            ReportJob(
                name="scorecard",
                notebook=NOTEBOOKS / "scorecard.ipynb",
                parameters={
                    "summaries_dir": str(out.resolve()),
                    "rubric_dir": str((raw / "rubric").resolve()),
                    "output_dir": str(out.resolve()),
                },
                title="คะแนนตัวชี้วัดของหน่วยงาน (Agency scorecard)",
            )
        )
    return jobs


def _run(job: ReportJob, out: Path, kernel_name: str) -> ReportOutcome:
    start = time.perf_counter()
    html = out / f"{job.name}.html"
    error_file = out / f"{job.name}.error.txt"
    executed = out / "executed" / f"{job.name}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        check_parameters(job.notebook, job.parameters)
        nb = papermill.execute_notebook(
            str(job.notebook),
            str(executed),
            parameters=job.parameters,
            kernel_name=kernel_name,
            cwd=str(job.notebook.parent),
            progress_bar=False,
            log_output=False,
        )
        export_html(nb, html, title=job.title or job.name)
    except Exception as exc:
        for stale in (html, out / f"{job.name}.json"):
            stale.unlink(missing_ok=True)
        if isinstance(exc, PapermillExecutionError):
            message = f"{exc.ename}: {exc.evalue}\n{exc}"  # the cell's error first
        else:
            message = f"{type(exc).__name__}: {exc}"
        write_text_atomic(error_file, f"report {job.name} failed\n{message}\n"
                          f"executed notebook (if any): {executed}\n")
        logger.error("report %s FAILED: %s", job.name, message.splitlines()[0] if message else "")
        return ReportOutcome(job.name, False, time.perf_counter() - start, error=message)
    error_file.unlink(missing_ok=True)
    return ReportOutcome(job.name, True, time.perf_counter() - start, html=html)


def build_reports(
    raw: Path, processed: Path, out: Path, only: Sequence[str] = (), kernel_name: str = "python3"
) -> list[ReportOutcome]:
    """Build the reports (all, or those named in ``only``); return one outcome per report."""
    jobs = report_jobs(raw, processed, out)
    if only:
        unknown = sorted(set(only) - {j.name for j in jobs})
        if unknown:
            raise ValueError(f"unknown report(s) {', '.join(unknown)}; available: "
                             f"{', '.join(j.name for j in jobs)}")
        jobs = [j for j in jobs if j.name in only]
    out.mkdir(parents=True, exist_ok=True)
    processed.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for job in jobs:
        logger.info("building %s ...", job.name)
        outcome = _run(job, out, kernel_name)
        if outcome.ok:
            logger.info("built %s in %.1f s -> %s", job.name, outcome.seconds, outcome.html)
        outcomes.append(outcome)
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="kpianalysis-build", description=__doc__.split("\n")[0])
    parser.add_argument("--raw", type=Path, default=Path("data/raw"))
    parser.add_argument("--processed", type=Path, default=Path("data/processed"))
    parser.add_argument("--out", type=Path, default=Path("reports"))
    parser.add_argument("--only", nargs="*", default=(), help="build only these reports")
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for noisy in ("papermill", "traitlets", "blib2to3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        outcomes = build_reports(args.raw, args.processed, args.out, args.only, args.kernel)
    except ValueError as exc:
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
