"""What a build did, recorded as it goes: ``<out>/build-summary.json``, and its clean-up.

:class:`BuildRecorder` is the build's book-keeper. At the start it writes the summary with
status ``running`` (so an older summary never stands for a build that died), removes the
outputs of reports the catalog no longer defines, and checks the input manifest
(:mod:`kpianalysis.manifest`). Before a report runs it says whether the report must fail
at once — a KPI with a missing or unreadable input, a scorecard whose KPI failed in this
build — and then removes that report's older outputs (HTML, result JSON, executed notebook,
processed tables, stamp), so nothing older stands in for it. After a KPI report is built it
removes processed tables of that report the run did not write again (a round the catalog no
longer lists). At the end it writes the summary: each report's status and outputs, every
failure (report, KPI, input files, message cut to :data:`MAX_MESSAGE` characters), the
manifest and the files removed. Schema: ``schemas/build_summary.schema.json``, version
:data:`BUILD_SUMMARY_SCHEMA_VERSION`. Paths are relative to the reports folder (where the
summary is), input paths relative to the data root; nothing absolute.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .catalog import Catalog
from .files import write_text_atomic
from .manifest import Manifest, build_manifest
from .result import now_utc

__all__ = ["BUILD_SUMMARY_FILE", "BUILD_SUMMARY_SCHEMA_VERSION", "MAX_MESSAGE",
           "BuildRecorder", "bounded", "derived_files", "read_build_summary"]

logger = logging.getLogger(__name__)

#: The summary's file name in the reports folder.
BUILD_SUMMARY_FILE = "build-summary.json"
#: Version of the summary JSON (``schemas/build_summary.schema.json``).
BUILD_SUMMARY_SCHEMA_VERSION = 1
#: Longest failure message kept in the summary (a longer one is cut, its length given).
MAX_MESSAGE = 2000


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to at most ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    note = f" … [cut: {len(text)} characters in all]"
    return text[: max(0, limit - len(note))] + note


def _rel(path: Path, start: Path) -> str:
    """``path`` relative to the folder ``start`` (POSIX), never absolute."""
    return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()


def derived_files(name: str, out: Path, processed: Path | None) -> list[Path]:
    """Every file a build derives for report ``name`` (existing or not, error file aside)."""
    files = [out / f"{name}.html", out / f"{name}.json", out / "executed" / f"{name}.ipynb",
             out / ".build" / f"{name}.stamp"]
    if processed is not None and processed.is_dir():
        files += sorted(processed.glob(f"{glob.escape(name)}*.parquet"))
    return files


def read_build_summary(out: str | Path) -> dict[str, Any]:
    """Read and check ``<out>/build-summary.json``.

    Raises
    ------
    ValueError
        The file fails its schema (the field and the reason named).
    """
    from ._schemas import first_schema_error

    path = Path(out) / BUILD_SUMMARY_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    error = first_schema_error("build_summary.schema.json", data)
    if error is None and data.get("manifest") is not None:
        error = first_schema_error("input_manifest.schema.json", data["manifest"])
    if error is not None:
        raise ValueError(f"{BUILD_SUMMARY_FILE}: fails its schema at {error[0]}: {error[1]}")
    return data


class BuildRecorder:
    """Book-keeping of one build (see the module docstring).

    Parameters
    ----------
    catalog : Catalog
    jobs : sequence of ReportJob
        The reports of this build.
    all_names : iterable of str
        Every report the catalog defines (what is not among them is an orphan).
    data_root, processed, out : Path
    settings : dict
        ``catalog`` (path or None), ``only``, ``options``, ``workers``, ``force``: recorded.
    """

    def __init__(self, catalog: Catalog, jobs: Sequence[Any], all_names: Iterable[str], *,
                 data_root: Path, processed: Path, out: Path, settings: dict[str, Any]
                 ) -> None:
        self.jobs = list(jobs)
        self.all_names = set(all_names)
        self.data_root, self.processed, self.out = Path(data_root), Path(processed), Path(out)
        self.settings = settings
        self.started_at = now_utc()
        self.removed: list[Path] = []
        self.outcomes: dict[str, Any] = {}
        self._snapshots: dict[str, dict[Path, tuple[int, int]]] = {}
        codes = [j.parameters["kpi"] for j in self.jobs if "kpi" in j.parameters]
        self.manifest: Manifest = build_manifest(catalog, data_root, codes)

    # -- start ---------------------------------------------------------------------------
    def start(self, catalog: Catalog | None = None, every: Sequence[Any] = ()) -> None:
        """Write the summary as ``running``; remove the outputs of reports no longer defined
        and, given the ``catalog`` and ``every`` job, of KPIs outside this build whose input
        files are gone."""
        self.write("running")
        self.prune_orphans()
        if catalog is not None:
            self.prune_sourceless(catalog, every)

    def prune_sourceless(self, catalog: Catalog, every: Sequence[Any]) -> list[Path]:
        """Remove the outputs of KPI reports outside this build whose input file is gone or
        unreadable (checked, not hashed): such a report can no longer be reproduced."""
        from .inputs import check_input_file
        from .manifest import report_inputs

        mine = {j.name for j in self.jobs}
        gone: list[Path] = []
        for job in every:
            code = job.parameters.get("kpi")
            if code is None or job.name in mine or not any(
                    p.is_file() for p in derived_files(job.name, self.out, self.processed)):
                continue
            bad = [spec.path for _, _, spec in report_inputs(
                       catalog.get(code), job.parameters["fiscal_year"], job.notebook)
                   if check_input_file(self.data_root / spec.path)[0] != "ok"]
            if bad:
                removed = self.remove(job.name)
                logger.warning("removed the outputs of %s: its input file %s is gone or "
                               "unreadable", job.name, ", ".join(bad))
                gone += removed
        return gone

    def prune_orphans(self) -> list[Path]:
        """Remove the outputs of reports this folder holds but the catalog no longer defines."""
        seen: set[str] = set()
        seen |= {p.name[: -len(".stamp")] for p in (self.out / ".build").glob("*.stamp")}
        seen |= {p.name[: -len(".error.txt")] for p in self.out.glob("*.error.txt")}
        seen |= {p.stem for p in (self.out / "executed").glob("*.ipynb")}
        for p in self.out.glob("*.json"):
            if p.name != BUILD_SUMMARY_FILE and _is_our_json(p):
                seen.add(p.stem)
        gone = []
        for name in sorted(seen - self.all_names):
            gone += self.remove(name, error_file=True)
        return gone

    # -- before a report -----------------------------------------------------------------
    def must_fail(self, job: Any, done: dict[str, Any]) -> str | None:
        """Why ``job`` fails without running (None when it may run).

        A KPI whose manifest entry has a missing or unreadable file; a scorecard one of
        whose KPIs failed in this build (``done``: outcomes so far by report name).
        """
        code = job.parameters.get("kpi")
        if code is not None:
            entry = self.manifest.entry(code)
            return None if entry.ok else entry.message()
        if job.notebook != "scorecard.ipynb":
            return None  # the action plan shows a missing result as undetermined
        failed = [d for d in job.depends_on if d in done and not done[d].ok]
        if not failed:
            return None
        return (f"the scorecard sums {', '.join(failed)}, which failed in this build (see "
                f"{', '.join(f'{d}.error.txt' for d in failed)}); a scorecard never uses an "
                f"older or a missing result")

    def fail_before_run(self, job: Any, message: str) -> None:
        """Remove the report's older outputs and write its error file."""
        self.remove(job.name)
        write_text_atomic(self.out / f"{job.name}.error.txt",
                          f"report {job.name} failed before it ran\n{bounded(message)}\n")

    def snapshot(self, job: Any) -> None:
        """Note the processed tables a KPI report has before it runs."""
        if "kpi" not in job.parameters:
            return
        shot = {}
        for p in derived_files(job.name, self.out, self.processed)[4:]:
            st = p.stat()
            shot[p] = (st.st_ino, st.st_mtime_ns)
        self._snapshots[job.name] = shot

    def remove(self, name: str, error_file: bool = False) -> list[Path]:
        """Remove every derived file of report ``name``; return those removed."""
        files = derived_files(name, self.out, self.processed)
        if error_file:
            files.append(self.out / f"{name}.error.txt")
        gone = [p for p in files if p.is_file()]
        for p in gone:
            p.unlink(missing_ok=True)
        self.removed += gone
        return gone

    # -- after a report ------------------------------------------------------------------
    def record(self, job: Any, outcome: Any) -> None:
        """Note what happened; after a KPI is built, remove processed tables it did not
        write again (an atomic write replaces the file, so its inode changes)."""
        self.outcomes[job.name] = outcome
        shot = self._snapshots.pop(job.name, {})
        if outcome.ok and not outcome.skipped:
            for p, ident in shot.items():
                try:
                    st = p.stat()
                except FileNotFoundError:
                    continue
                if (st.st_ino, st.st_mtime_ns) == ident:
                    p.unlink(missing_ok=True)
                    self.removed.append(p)

    # -- the summary ---------------------------------------------------------------------
    def _rel(self, path: Path) -> str:
        return _rel(path, self.out)

    def _failure(self, job: Any, outcome: Any) -> dict[str, Any]:
        code = job.parameters.get("kpi")
        files: list[str] = []
        if code is not None:
            entry = self.manifest.entry(code)
            bad = [f.spec.path for f in entry.problems]
            named = [f.spec.path for f in entry.files
                     if f.spec.path in outcome.error or
                     f"{Path(f.spec.path).name}" in outcome.error]
            files = list(dict.fromkeys(bad or named))
        return {"report": job.name, "kpi": code, "files": files,
                "message": bounded(outcome.error or "unknown error")}

    def _report(self, job: Any) -> dict[str, Any]:
        outcome = self.outcomes.get(job.name)
        kind = ("kpi" if "kpi" in job.parameters else
                "scorecard" if job.notebook == "scorecard.ipynb" else "action_plan")
        status = ("not_run" if outcome is None else "up_to_date" if outcome.skipped else
                  "built" if outcome.ok else "failed")
        outputs = []
        if outcome is not None and outcome.ok:
            outputs = [self._rel(p) for p in derived_files(job.name, self.out, self.processed)
                       if p.is_file() and p.suffix != ".stamp"]
        error_file = self.out / f"{job.name}.error.txt"
        return {"name": job.name, "kind": kind, "kpi": job.parameters.get("kpi"),
                "fiscal_year": job.parameters.get("fiscal_year"), "status": status,
                "seconds": round(outcome.seconds, 3) if outcome is not None else 0.0,
                "outputs": outputs,
                "error_file": self._rel(error_file) if status == "failed" and error_file.is_file()
                else None}

    def summary(self, status: str) -> dict[str, Any]:
        """The summary as a dict (``status``: running, ok, failed or interrupted)."""
        reports = [self._report(j) for j in self.jobs]
        counts = {"reports": len(reports),
                  **{k: sum(r["status"] == s for r in reports) for k, s in (
                      ("built", "built"), ("up_to_date", "up_to_date"), ("failed", "failed"),
                      ("not_run", "not_run"))}}
        failures = [self._failure(j, self.outcomes[j.name]) for j in self.jobs
                    if j.name in self.outcomes and not self.outcomes[j.name].ok]
        cat = self.settings.get("catalog")
        return {
            "schema": "kpianalysis-build-summary",
            "schema_version": BUILD_SUMMARY_SCHEMA_VERSION,
            "status": status, "package_version": __version__, "pid": os.getpid(),
            "started_at": self.started_at,
            "finished_at": None if status == "running" else now_utc(),
            "data_root": self._rel(self.data_root),
            "processed_dir": self._rel(self.processed), "output_dir": ".",
            "catalog": self._rel(Path(cat)) if cat else None,
            "only": [str(x) for x in self.settings.get("only", ())],
            "options": dict(self.settings.get("options") or {}),
            "workers": int(self.settings.get("workers", 1)),
            "force": bool(self.settings.get("force", False)),
            "counts": counts, "reports": reports, "failures": failures,
            "removed": sorted({self._rel(p) for p in self.removed}),
            "manifest": self.manifest.to_dict(),
        }

    def write(self, status: str) -> Path:
        """Write ``<out>/build-summary.json`` atomically (schema-checked)."""
        from ._schemas import first_schema_error

        data = self.summary(status)
        for schema, part in (("build_summary.schema.json", data),
                             ("input_manifest.schema.json", data["manifest"])):
            error = first_schema_error(schema, part)
            if error is not None:  # pragma: no cover - a bug here, never the data
                raise ValueError(f"build summary fails {schema} at {error[0]}: {error[1]}")
        return write_text_atomic(self.out / BUILD_SUMMARY_FILE,
                                 json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    def finish(self) -> Path:
        """Write the final summary: ``ok`` or ``failed``."""
        failed = any(not o.ok for o in self.outcomes.values())
        return self.write("failed" if failed else "ok")


def _is_our_json(path: Path) -> bool:
    """A result, scorecard or plan status this package wrote (has its version fields)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and "schema_version" in doc and (
        "package_version" in doc or "kpi" in doc)
