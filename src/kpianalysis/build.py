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

Before anything runs the build takes the lock of the reports and processed folders
(:mod:`kpianalysis.buildlock`; a second build stops naming the first, or waits with
``--wait``) and checks the input manifest (:mod:`kpianalysis.manifest`): a KPI with a missing
or unreadable file fails without running, naming the file and what was expected; nothing
falls back to another round or an older file. A report that fails does not stop the others:
its older HTML/JSON/processed tables are removed, the error is written to
``<out>/<stem>.error.txt`` and the command exits with status 1 after listing every failure.
A scorecard whose KPI failed fails too, naming that KPI. ``<out>/build-summary.json``
(:mod:`kpianalysis.build_summary`) records every report, failure and removed file; last,
``<out>/index.html`` lists every report of the build in Thai (:mod:`kpianalysis.index_page`).
Every output is written to a temporary file and renamed.

Kernels talk to the build over local IPC sockets (no TCP, so no "running over TCP without
encryption" warning), one fresh kernel per report.
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

from ._version import __version__
from .catalog import Catalog, CatalogError, load_catalog
from .files import write_text_atomic
from .kinds import REPORT_FAMILIES, applicable_options
from .result import now_utc, result_stem
from .rules import RULES
from .scorecard import scorecard_stem

__all__ = ["ANALYSIS_PARAMETERS", "ReportJob", "ReportOutcome", "build_reports",
           "check_parameters", "main", "notebook_path", "parse_analysis_parameters",
           "report_jobs"]

logger = logging.getLogger(__name__)


def _confidence(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise ValueError("must be a proportion strictly between 0 and 1, e.g. 0.95 (not 95)")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise ValueError("must be a proportion in (0, 1], e.g. 0.8")
    return value


def _ci_method(text: str) -> str:
    from .proportion import PROPORTION_CI_NAMES

    if text not in PROPORTION_CI_NAMES:
        raise ValueError(f"must be one of {', '.join(sorted(PROPORTION_CI_NAMES))}")
    return text


def _rule_parser(rule: Any) -> Any:
    def parse(text: str) -> str:
        try:
            return rule.check(text)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
    return parse


#: Analysis parameters ``-p NAME=VALUE`` passes to every report, with their parsers.
ANALYSIS_PARAMETERS: dict[str, Any] = {
    "confidence": _confidence,
    "ci_method": _ci_method,
    "min_answered_share": _share,
    **{name: _rule_parser(rule) for name, rule in RULES.items()},
}


def parse_analysis_parameters(pairs: Sequence[str]) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` strings into validated analysis options.

    Raises
    ------
    ValueError
        One line naming the bad pair and listing what is accepted.
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or name not in ANALYSIS_PARAMETERS:
            raise ValueError(f"-p {pair!r}: unknown parameter; accepted: "
                             f"{', '.join(ANALYSIS_PARAMETERS)} (as NAME=VALUE)")
        try:
            out[name] = ANALYSIS_PARAMETERS[name](text.strip())
        except ValueError as exc:
            raise ValueError(f"-p {pair!r}: {exc}") from None
    return out


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
    skipped: bool = False


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
                catalog_path: Path | None = None, options: dict[str, Any] | None = None
                ) -> list[ReportJob]:
    """The reports of every catalog KPI, then one scorecard per agency that has one.

    Everything comes from the catalog: the KPI code, its fiscal year, its report family.
    ``options`` (rule choices and analysis options) go to every KPI report.
    """
    common = {"data_root": _rel(data_root),
              "catalog_path": _rel(catalog_path) if catalog_path else "",
              "output_dir": _rel(out)}
    jobs = []
    for k in catalog:
        jobs.append(ReportJob(
            name=result_stem(k.code, k.fiscal_year), notebook=REPORT_FAMILIES[k.report],
            parameters={"kpi": k.code, "fiscal_year": k.fiscal_year, **common,
                        "processed_dir": _rel(processed),
                        "options": applicable_options(k.rubric_kind, dict(options or {}))},
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
    jobs.extend(_action_plan_jobs(catalog, common))
    return jobs


def _action_plan_jobs(catalog: Catalog, common: dict[str, Any]) -> list[ReportJob]:
    """The action-plan report (seed 004's tree with each node's status), after the KPI
    reports of the plan's fiscal year it reads."""
    from .action_plan import action_plan_stem, link_catalog, load_action_plan

    plan = load_action_plan()
    deps = tuple(dict.fromkeys(
        result_stem(link.catalog_code, plan.fiscal_year)
        for link in link_catalog(plan, catalog).values()
        if catalog.get(link.catalog_code).fiscal_year == plan.fiscal_year))
    return [ReportJob(
        name=action_plan_stem(plan.abbreviation or plan.agency, plan.fiscal_year),
        notebook="action_plan.ipynb",
        parameters={"results_dir": common["output_dir"], **common},
        title=f"{plan.title_th}: {plan.agency} — โครงสร้างแผนและสถานะ", depends_on=deps)]


def _relative_text(text: str) -> str:
    """Strip the working directory (and home) from a message so no absolute path leaks."""
    for prefix in {str(Path.cwd()) + os.sep, str(Path.cwd().resolve()) + os.sep}:
        text = text.replace(prefix, "")
    return text.replace(str(Path.home()), "~")


def _sanitise(executed: Path, notebook_name: str, final: Path) -> None:
    """Rewrite papermill's path metadata as package- or cwd-relative; move atomically."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):  # a traceback names files of this machine: keep the error
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [_relative_text(
                    f"{output.get('ename', '')}: {output.get('evalue', '')}")]
    meta = nb.get("metadata", {}).get("papermill", {})
    if meta:
        meta["input_path"] = f"kpianalysis/notebooks/{notebook_name}"
        meta["output_path"] = _rel(final)
        meta.pop("cwd", None)
    write_text_atomic(final, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
    executed.unlink(missing_ok=True)


def _kernel_manager_class() -> type:
    """A kernel manager that takes a ready kernel from the build's kernel server (or starts
    one) and talks to it over local IPC sockets (:mod:`kpianalysis.kernels`)."""
    from .kernels import kernel_manager_class

    return kernel_manager_class()


def _run(job: ReportJob, out: Path, kernel_name: str) -> ReportOutcome:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .html_export import export_html
    from .papermill_engine import engine_name

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
                cwd=str(Path.cwd()), progress_bar=False, log_output=False,
                kernel_manager_class=_kernel_manager_class(), engine_name=engine_name(),
                # the kernel's own log: its shutdown "KeyboardInterrupt caught" line is not an
                # error of the report (cell errors still fail the report)
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        _sanitise(tmp, job.notebook, final)
        export_html(nb, html, title=job.title or job.name,
                    footer=f"สร้างเมื่อ {now_utc()} · kpianalysis {__version__} · "
                           f"{job.name}.html")
    except BaseException as exc:  # also Ctrl-C: never leave a new JSON beside an old HTML
        for stale in (html, out / f"{job.name}.json"):
            stale.unlink(missing_ok=True)
        processed = job.parameters.get("processed_dir")
        if processed:
            for stale in Path(processed).glob(f"{job.name}*.parquet"):
                stale.unlink(missing_ok=True)
        if not isinstance(exc, Exception):
            tmp.unlink(missing_ok=True)
            raise
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


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def job_stamp(job: ReportJob, catalog: Catalog, data_root: Path, out: Path) -> str | None:
    """A hash of everything a report depends on; None when an input is missing.

    Inputs' SHA-256 (every file the report reads, :func:`kpianalysis.manifest.report_inputs`,
    and ``dataset.yaml``), the notebook's bytes, the parameters, the package version, the
    catalog entry; for a scorecard, the result JSONs it sums. A report whose stamp is
    unchanged, and whose outputs are those that build wrote, is not rebuilt (Ploomber-style).
    """
    from .files import sha256_of
    from .inputs import DATASET_FILE

    parts: dict[str, Any] = {"version": __version__, "parameters": job.parameters}
    with notebook_path(job.notebook) as nb:
        parts["notebook"] = _sha(nb.read_bytes())
    status = data_root / DATASET_FILE
    parts["dataset"] = sha256_of(status) if status.is_file() else None
    code = job.parameters.get("kpi")
    if code is not None:
        from .manifest import report_inputs

        kpi = catalog.get(code)
        parts["entry"] = repr(kpi)
        files = {}  # what the report reads: its fiscal year's files and any trend years'
        for _, _, spec in report_inputs(kpi, job.parameters["fiscal_year"], job.notebook):
            path = data_root / spec.path
            if not path.is_file():
                return None
            files[spec.path] = sha256_of(path)
        parts["inputs"] = files
    else:
        deps = {}
        for dep in job.depends_on:  # a missing result is part of the state (the plan shows it)
            path = out / f"{dep}.json"
            deps[dep] = sha256_of(path) if path.is_file() else None
        parts["results"] = deps
        parts["catalog"] = repr(sorted((k.code, repr(k)) for k in catalog))
        if job.notebook == "action_plan.ipynb":  # the transcription itself
            plan = importlib.resources.files("kpianalysis") / "action_plan_sa_2567.yaml"
            parts["action_plan"] = _sha(plan.read_bytes())
    return _sha(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))


def _stamp_path(out: Path, name: str) -> Path:
    return out / ".build" / f"{name}.stamp"


def _outputs(out: Path, name: str) -> list[Path]:
    return [out / f"{name}.html", out / f"{name}.json", out / "executed" / f"{name}.ipynb"]


def _write_stamp(job: ReportJob, stamp: str, out: Path) -> None:
    """Record the inputs' stamp and the SHA-256 of the outputs this build wrote."""
    from .files import sha256_of

    outputs = {p.relative_to(out).as_posix(): sha256_of(p)
               for p in _outputs(out, job.name) if p.is_file()}
    write_text_atomic(_stamp_path(out, job.name),
                      json.dumps({"stamp": stamp, "outputs": outputs}, sort_keys=True) + "\n")


def _up_to_date(job: ReportJob, stamp: str | None, out: Path) -> bool:
    """Same inputs as the last build, and exactly the outputs that build wrote.

    An output replaced since (an older copy put back, one edited by hand) or removed makes
    the report rebuilt: nothing older stands in for it.
    """
    from .files import sha256_of

    if stamp is None:
        return False
    path = _stamp_path(out, job.name)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("stamp") != stamp:
        return False
    outputs = record.get("outputs")
    expected = {p.relative_to(out).as_posix(): p for p in _outputs(out, job.name)}
    if not isinstance(outputs, dict) or set(outputs) != set(expected):
        return False
    return all(p.is_file() and sha256_of(p) == outputs[k] for k, p in expected.items())


def build_reports(data_root: Path, processed: Path, out: Path, only: Sequence[str] = (),
                  kernel_name: str = "python3", catalog: Path | None = None,
                  options: dict[str, Any] | None = None, index: bool = True,
                  workers: int = 1, force: bool = False, wait: float | None = 0.0,
                  timeout: float | None = None, runner: Any = None) -> list[ReportOutcome]:
    """Build the reports (all, or those named in ``only``); return one outcome per report.

    ``only`` takes report names (``sat-oss_2567``, ``scorecard_สยป_2567``) or KPI codes.
    ``options`` are rule choices and analysis options passed to every KPI report. With
    ``index`` the Thai index ``<out>/index.html`` of the reports built is written last.
    ``workers`` reports run at once, each in its own fresh kernel (KPI reports first, then
    the scorecards that sum them). A report whose inputs, notebook, parameters and package
    version are unchanged since it was last built, and whose outputs are the ones that build
    wrote, is skipped unless ``force``. A report taking longer than ``timeout`` seconds, or
    whose worker dies, fails alone. ``runner`` is an executor of :mod:`kpianalysis.executors`
    (default: a local one with ``workers`` processes); the build closes it.

    The build holds the lock of ``out`` and ``processed`` (:mod:`kpianalysis.buildlock`):
    another build of them stops at once, or after ``wait`` seconds (None: no limit). A KPI
    whose input manifest (:mod:`kpianalysis.manifest`) has a missing or unreadable file fails
    without running and its older outputs are removed. ``<out>/build-summary.json``
    (:mod:`kpianalysis.build_summary`) records every report, failure and removed file.

    Raises
    ------
    kpianalysis.buildlock.BuildLockedError
        Another build holds the lock beyond ``wait`` (its pid and start time named).
    """
    from .buildlock import build_lock

    with build_lock([out, processed], wait=wait):
        return _build_reports_locked(data_root, processed, out, only, kernel_name, catalog,
                                     options, index, workers, force, timeout, runner)


def _build_reports_locked(data_root: Path, processed: Path, out: Path, only: Sequence[str],
                          kernel_name: str, catalog: Path | None,
                          options: dict[str, Any] | None, index: bool, workers: int,
                          force: bool, timeout: float | None = None,
                          runner: Any = None) -> list[ReportOutcome]:
    from .build_summary import BuildRecorder

    cat = load_catalog(catalog)
    every = report_jobs(cat, data_root, processed, out, catalog, options)
    jobs = select_jobs(every, only)
    out.mkdir(parents=True, exist_ok=True)
    processed.mkdir(parents=True, exist_ok=True)
    recorder = BuildRecorder(cat, jobs, [j.name for j in every], data_root=data_root,
                             processed=processed, out=out,
                             settings={"catalog": catalog, "only": list(only),
                                       "options": options, "workers": workers, "force": force})
    recorder.start(cat, every)
    try:
        outcomes = _build_jobs(jobs, cat, data_root, processed, out, kernel_name, index,
                               workers, force, recorder, timeout, runner)
    except BaseException:
        with contextlib.suppress(Exception):  # never hide why the build stopped
            recorder.write("interrupted")
        raise
    recorder.finish()
    return outcomes


def _build_jobs(jobs: list[ReportJob], cat: Catalog, data_root: Path, processed: Path,
                out: Path, kernel_name: str, index: bool, workers: int, force: bool,
                recorder: Any, timeout: float | None = None,
                runner: Any = None) -> list[ReportOutcome]:
    by_name: dict[str, ReportOutcome] = {}
    done = 0

    def record(job: ReportJob, outcome: ReportOutcome, stamp: str | None) -> None:
        nonlocal done
        done += 1
        by_name[job.name] = outcome
        stamp_file = _stamp_path(out, job.name)
        if outcome.ok and stamp is not None and not outcome.skipped:
            _write_stamp(job, stamp, out)
        elif not outcome.ok:
            stamp_file.unlink(missing_ok=True)
        recorder.record(job, outcome)
        state = "up to date" if outcome.skipped else "ok" if outcome.ok else "FAILED"
        logger.info("[%d/%d] %s … %.1f s %s", done, len(jobs), job.name, outcome.seconds, state)

    first = [j for j in jobs if not j.depends_on]
    then = [j for j in jobs if j.depends_on]
    from .executors import LocalExecutor, TaskLost

    if runner is None:
        runner = LocalExecutor(workers, timeout=timeout, kernel_name=kernel_name)
    stamps: dict[str, str | None] = {}
    for phase in (first, then):  # scorecards after the KPI reports they sum
        todo = []
        for job in phase:
            problem = recorder.must_fail(job, by_name)
            if problem is not None:  # a missing input: fail now, leave nothing older behind
                recorder.fail_before_run(job, problem)
                logger.error("report %s FAILED: %s", job.name, problem.splitlines()[0])
                record(job, ReportOutcome(job.name, False, 0.0, error=problem), None)
                continue
            stamp = job_stamp(job, cat, data_root, out)
            if not force and _up_to_date(job, stamp, out):
                record(job, ReportOutcome(job.name, True, 0.0, html=out / f"{job.name}.html",
                                          skipped=True), stamp)
            else:
                recorder.snapshot(job)
                todo.append((job, stamp))
                stamps[job.name] = stamp
        for job, result in runner.map(_run, [job for job, _ in todo], out, kernel_name):
            if isinstance(result, TaskLost):  # its worker died or it timed out
                for stale in (out / f"{job.name}.html", out / f"{job.name}.json"):
                    stale.unlink(missing_ok=True)
                result = ReportOutcome(job.name, False, 0.0, error=str(result))
                write_text_atomic(out / f"{job.name}.error.txt",
                                  f"report {job.name} failed\n{result.error}\n")
                logger.error("report %s FAILED: %s", job.name, result.error)
            record(job, result, stamps[job.name])
    runner.close()
    outcomes = [by_name[j.name] for j in jobs]
    if index:
        from .index_page import write_index

        names = {result_stem(k.code, k.fiscal_year): (k.name_th, cat.abbreviation(
            k.host_agency) or k.host_agency, k.fiscal_year) for k in cat}
        write_index(out, outcomes, names=names, built_at=now_utc())
    return outcomes


def select_jobs(jobs: list[ReportJob], only: Sequence[str]) -> list[ReportJob]:
    """The jobs named in ``only`` (report names or KPI codes) and the reports that depend on
    them (scorecards); all when ``only`` is empty.

    Raises
    ------
    ValueError
        A name that is neither a report nor a KPI code (the available names listed).
    """
    if not only:
        return jobs
    by_code = {j.parameters.get("kpi"): j.name for j in jobs if "kpi" in j.parameters}
    names = {by_code.get(w, w) for w in only}
    unknown = sorted(n for n in names if n not in {j.name for j in jobs})
    if unknown:
        raise ValueError(f"unknown report(s) {', '.join(unknown)}; available: "
                         f"{', '.join(j.name for j in jobs)}")
    # what depends on a rebuilt report (a scorecard) is rebuilt too, never left stale
    names |= {j.name for j in jobs if names & set(j.depends_on)}
    return [j for j in jobs if j.name in names]


def _dry_run(jobs: list[ReportJob], cat: Catalog, data_root: Path) -> int:
    """Print what would be built from which files; 1 when an input file is missing or
    unreadable."""
    from .manifest import format_entry, kpi_manifest

    bad = 0
    for job in jobs:
        print(f"{job.name}  ({job.notebook})")
        code = job.parameters.get("kpi")
        if code is None:
            print(f"    sums: {', '.join(job.depends_on)}")
            continue
        entry = kpi_manifest(cat.get(code), data_root, job.parameters["fiscal_year"],
                             job.notebook)
        bad += len(entry.problems)
        print("\n".join(format_entry(entry)))
    print(f"{len(jobs)} report(s); {bad} input file(s) missing or unreadable")
    return 1 if bad else 0


def _write_manifest(jobs: list[ReportJob], cat: Catalog, data_root: Path, target: str) -> int:
    """Print (``-``) or write the input manifest of the jobs' KPIs; 1 when a file is bad."""
    from .manifest import build_manifest, write_manifest

    manifest = build_manifest(cat, data_root, [j.parameters["kpi"] for j in jobs
                                               if "kpi" in j.parameters])
    if target == "-":
        sys.stdout.write(manifest.to_json())
    else:
        write_manifest(manifest, Path(target))
    data = manifest.to_dict()
    print(f"kpianalysis-build: manifest of {len(data['kpis'])} KPI report(s): "
          f"{data['missing']} file(s) missing, {data['unreadable']} unreadable",
          file=sys.stderr)
    return 0 if manifest.ok else 1


def _wait_seconds(text: str) -> float | None:
    value = float(text)
    if value != value or value < 0:
        raise ValueError("must be a number of seconds >= 0")
    return None if value == float("inf") else value


_EPILOG = """examples:
  kpianalysis-build                                  build every report of the catalog
  kpianalysis-build --list                           list the reports and exit
  kpianalysis-build --dry-run --data-root /srv/bma   show which files each report reads
  kpianalysis-build --only sat-wifi sat-oss          build two KPIs (codes or report names)
  kpianalysis-build -p confidence=0.9 -p survey_rounds=latest
  kpianalysis-build -j 2 --force                     two reports at a time, rebuild all
  kpianalysis-build --manifest inputs.json           write every input file's check, build nothing
  kpianalysis-build --wait 600                       wait up to 10 min for a running build
  kpianalysis-build --timeout 600                    fail a report that runs over 10 minutes
  kpianalysis-build --executor dask --scheduler tcp://10.0.0.5:8786   on a Dask cluster

exit status: 0 all built, 1 a report failed (see <out>/build-summary.json and
<out>/<name>.error.txt) or, with --dry-run/--manifest, an input file is missing or unreadable,
2 bad arguments, catalog or parameters, or an unreachable Dask scheduler (nothing built),
3 another build is using the same folders (its pid and start time are named; nothing built)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        prog="kpianalysis-build", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build one HTML report (and a KPIResult JSON) per catalog KPI, each "
                    "agency's scorecard and a Thai index of them all.")
    parser.add_argument("--data-root", "--raw", dest="data_root", type=Path,
                        default=Path("data/raw"), metavar="DIR",
                        help="folder the catalog's input paths are relative to "
                             "(default: data/raw; e.g. --data-root /srv/bma/2567)")
    parser.add_argument("--processed", type=Path, default=Path("data/processed"),
                        metavar="DIR", help="folder for de-identified Parquet tables "
                                            "(default: data/processed)")
    parser.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                        help="folder for the HTML reports, result JSONs and index.html "
                             "(default: reports)")
    parser.add_argument("--catalog", type=Path, default=None, metavar="FILE",
                        help="a catalog YAML file (default: the one shipped in the package; "
                             "e.g. --catalog my_catalog.yaml)")
    parser.add_argument("--only", nargs="+", default=(), metavar="NAME",
                        help="build only these reports: KPI codes or report names "
                             "(e.g. --only sat-wifi scorecard_สยป_2567)")
    parser.add_argument("-p", dest="parameters", action="append", default=[],
                        metavar="NAME=VALUE",
                        help="analysis parameter for every report, repeatable: "
                             f"{', '.join(ANALYSIS_PARAMETERS)} "
                             "(e.g. -p confidence=0.9 -p missing_answers=answered_mean)")
    parser.add_argument("--list", action="store_true",
                        help="list the reports the catalog defines and exit")
    parser.add_argument("--dry-run", action="store_true",
                        help="show what would be built from which input files, build nothing "
                             "(exit 1 when an input file is missing)")
    parser.add_argument("--manifest", nargs="?", const="-", default=None, metavar="FILE",
                        help="write the input manifest (every file each KPI report reads, per "
                             "fiscal year and round, checked) as JSON to FILE, or print it "
                             "without FILE; build nothing (exit 1 when a file is missing or "
                             "unreadable)")
    parser.add_argument("--wait", nargs="?", const="inf", default="0", metavar="SECONDS",
                        help="when another build is using the same reports or processed "
                             "folder, wait for it (at most SECONDS; no limit without a "
                             "number) instead of stopping with exit status 3")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="reports built at once, each in its own kernel (default: the "
                             "number of cores; e.g. -j 1 for one at a time)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every report, even those whose inputs, notebook, "
                             "parameters and package version are unchanged")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="fail a report (not the build) that takes longer than this "
                             "(e.g. --timeout 600; default: no limit; local executor)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="where reports run: local worker processes (default) or a "
                             "Dask cluster (needs --scheduler and the 'dask' extra)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="Dask scheduler address for --executor dask "
                             "(e.g. tcp://10.0.0.5:8786)")
    parser.add_argument("--kernel", default="python3", metavar="NAME",
                        help="Jupyter kernel the notebooks run in (default: python3)")
    parser.add_argument("--version", action="version", version=f"kpianalysis {__version__}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for noisy in ("papermill", "traitlets", "blib2to3", "nbclient", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        wait = _wait_seconds(args.wait)
    except ValueError as exc:
        print(f"kpianalysis-build: error: --wait {args.wait!r}: {exc}", file=sys.stderr)
        return 2
    try:
        options = parse_analysis_parameters(args.parameters)
        cat = load_catalog(args.catalog)
        jobs = select_jobs(report_jobs(cat, args.data_root, args.processed, args.out,
                                       args.catalog, options), args.only)
    except (ValueError, CatalogError, FileNotFoundError) as exc:
        print(f"kpianalysis-build: error: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for job in jobs:
            print(f"{job.name}\t{job.notebook}\t{job.title}")
        return 0
    if args.dry_run:
        return _dry_run(jobs, cat, args.data_root)
    if args.manifest is not None:
        return _write_manifest(jobs, cat, args.data_root, args.manifest)
    if args.jobs < 1:
        print("kpianalysis-build: error: -j must be at least 1", file=sys.stderr)
        return 2
    if args.timeout is not None and args.timeout <= 0:
        print("kpianalysis-build: error: --timeout must be a positive number of seconds",
              file=sys.stderr)
        return 2
    from .buildlock import BuildLockedError
    from .executors import ExecutorError, make_executor

    try:
        runner = make_executor(args.executor, args.jobs, args.timeout, args.scheduler,
                               args.kernel)
    except ExecutorError as exc:
        print(f"kpianalysis-build: error: {exc}", file=sys.stderr)
        return 2
    try:
        outcomes = build_reports(args.data_root, args.processed, args.out, args.only,
                                 args.kernel, args.catalog, options, workers=args.jobs,
                                 force=args.force, wait=wait, runner=runner)
    except BuildLockedError as exc:
        runner.close()
        print(f"kpianalysis-build: {exc}", file=sys.stderr)
        return 3
    failed = [o for o in outcomes if not o.ok]
    fresh = sum(o.skipped for o in outcomes)
    logger.info("%d report(s) built, %d up to date, %d failed; index: %s",
                len(outcomes) - len(failed) - fresh, fresh, len(failed),
                args.out / "index.html")
    for o in failed:
        logger.error("FAILED %s: %s (see %s)", o.name, o.error.splitlines()[0] if o.error else "",
                     args.out / f"{o.name}.error.txt")
    if failed:
        logger.error("%d report(s) failed; summary: %s", len(failed),
                     args.out / "build-summary.json")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    # run the module's own copy, so jobs sent to workers name kpianalysis.build, not __main__
    from kpianalysis.build import main as _main

    sys.exit(_main())
