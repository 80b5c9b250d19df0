"""The input manifest: every file each report of a build reads, per fiscal year and round.

It comes from the catalog alone. A KPI report reads the catalog's inputs of its fiscal year
(what its result rests on); a satisfaction report also reads every earlier fiscal year the
catalog lists, for its trend table (the notebook's ``history`` cell). :func:`build_manifest`
checks each file without trusting anything older: a file that is missing, a broken link, a
folder, a pipe or unreadable is recorded with the reason and what was expected, and
that KPI fails before its notebook runs. Nothing falls back to another round, another
fiscal year or an older file.

``kpianalysis-build --manifest`` prints it as JSON (schema
``schemas/input_manifest.schema.json``, version :data:`MANIFEST_SCHEMA_VERSION`); the build
summary records the manifest of the KPIs it built. Paths are relative to the data root.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .catalog import KPI, Catalog, InputSpec
from .files import sha256_of, write_text_atomic
from .inputs import DATASET_FILE, check_input_file, expected_text, input_problem
from .kinds import REPORT_FAMILIES
from .result import result_stem

__all__ = ["MANIFEST_SCHEMA_VERSION", "READS_EARLIER_YEARS", "Manifest", "ManifestEntry",
           "ManifestFile", "build_manifest", "format_entry", "format_manifest", "kpi_manifest",
           "report_inputs", "write_manifest"]

#: Version of the manifest JSON (``schemas/input_manifest.schema.json``).
MANIFEST_SCHEMA_VERSION = 1

#: Report notebooks that also read the KPI's earlier fiscal years (the trend table).
READS_EARLIER_YEARS = frozenset({"satisfaction_survey.ipynb"})


@dataclasses.dataclass(frozen=True)
class ManifestFile:
    """One input file a report reads, checked.

    Attributes
    ----------
    fiscal_year : int
        The fiscal year the file is for.
    purpose : str
        ``result`` (the KPI's result rests on it) or ``trend`` (an earlier fiscal year shown
        beside it).
    spec : InputSpec
        The catalog's declaration (role, path relative to the data root, round, sheet).
    status : str
        ``ok``, ``missing`` or ``unreadable``.
    reason : str
        Why it is not ``ok`` (empty when it is).
    sha256 : str or None
        SHA-256 of the bytes when ``ok``.
    size : int or None
        Size in bytes when ``ok``.
    """

    fiscal_year: int
    purpose: str
    spec: InputSpec
    status: str
    reason: str = ""
    sha256: str | None = None
    size: int | None = None

    @property
    def ok(self) -> bool:
        """True when the file is there and readable."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (paths relative to the data root)."""
        return {"path": self.spec.path, "role": self.spec.role, "round": self.spec.round,
                "sheet": self.spec.sheet, "fiscal_year": self.fiscal_year,
                "purpose": self.purpose, "expected": expected_text(self.spec),
                "status": self.status, "reason": self.reason, "sha256": self.sha256,
                "bytes": self.size}


@dataclasses.dataclass(frozen=True)
class ManifestEntry:
    """The files one KPI's report reads, and whether they can all be read."""

    kpi: str
    report: str
    fiscal_year: int
    files: tuple[ManifestFile, ...]

    @property
    def ok(self) -> bool:
        """True when every file is there and readable."""
        return all(f.ok for f in self.files)

    @property
    def problems(self) -> list[ManifestFile]:
        """The files that are missing or unreadable."""
        return [f for f in self.files if not f.ok]

    def message(self) -> str:
        """One line per bad file: the KPI, the file, the reason and what was expected."""
        return "\n".join(input_problem(self.kpi, f.fiscal_year, f.spec, f.status, f.reason)
                         + ("" if f.purpose == "result" else
                            f" (read for the report's trend beside fiscal year "
                            f"{self.fiscal_year})")
                         for f in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"kpi": self.kpi, "report": self.report, "fiscal_year": self.fiscal_year,
                "status": "ok" if self.ok else "failed",
                "files": [f.to_dict() for f in self.files]}


@dataclasses.dataclass(frozen=True)
class Manifest:
    """The input manifest of a build: one entry per KPI report."""

    entries: tuple[ManifestEntry, ...]
    dataset: str | None

    @property
    def ok(self) -> bool:
        """True when every file of every entry is there and readable."""
        return all(e.ok for e in self.entries)

    def entry(self, kpi: str) -> ManifestEntry:
        """The entry of KPI ``kpi``."""
        for e in self.entries:
            if e.kpi == kpi:
                return e
        raise KeyError(f"KPI {kpi!r} is not in this manifest")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the KPIs' files, and the same files per fiscal year and round."""
        groups: dict[tuple[int, int], set[str]] = {}
        for e in self.entries:
            for f in e.files:
                key = (f.fiscal_year, -1 if f.spec.round is None else f.spec.round)
                groups.setdefault(key, set()).add(f.spec.path)
        return {
            "schema": "kpianalysis-input-manifest",
            "schema_version": MANIFEST_SCHEMA_VERSION,
            "dataset_file": self.dataset,
            "status": "ok" if self.ok else "failed",
            "missing": sum(f.status == "missing" for e in self.entries for f in e.files),
            "unreadable": sum(f.status == "unreadable" for e in self.entries for f in e.files),
            "kpis": [e.to_dict() for e in self.entries],
            "by_fiscal_year_and_round": [
                {"fiscal_year": fy, "round": None if rnd < 0 else rnd, "files": sorted(paths)}
                for (fy, rnd), paths in sorted(groups.items())],
        }

    def to_json(self) -> str:
        """Canonical JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


def report_inputs(kpi: KPI, fiscal_year: int | None = None,
                  notebook: str | None = None) -> list[tuple[int, str, InputSpec]]:
    """``(fiscal year, purpose, spec)`` of every file the report of ``kpi`` reads.

    The catalog's inputs of the fiscal year (purpose ``result``), then, for a notebook in
    :data:`READS_EARLIER_YEARS`, those of every earlier fiscal year (purpose ``trend``).
    """
    fy = kpi.fiscal_year if fiscal_year is None else int(fiscal_year)
    nb = notebook or REPORT_FAMILIES[kpi.report]
    out = [(fy, "result", s) for s in kpi.inputs_for(fy)]
    if nb in READS_EARLIER_YEARS:
        for year in kpi.fiscal_years:
            if year < fy:
                out += [(year, "trend", s) for s in kpi.inputs_for(year)]
    return out


def _check(root: Path, fy: int, purpose: str, spec: InputSpec) -> ManifestFile:
    path = root / spec.path
    status, reason = check_input_file(path)
    if status == "missing" and not root.is_dir():
        reason = "was not found: the data root folder itself does not exist (check --data-root)"
    if status != "ok":
        return ManifestFile(fy, purpose, spec, status, reason)
    try:
        digest, size = sha256_of(path), path.stat().st_size
    except OSError as exc:
        return ManifestFile(fy, purpose, spec, "unreadable", f"cannot be read ({exc.strerror})")
    return ManifestFile(fy, purpose, spec, "ok", sha256=digest, size=size)


def kpi_manifest(kpi: KPI, data_root: str | Path, fiscal_year: int | None = None,
                 notebook: str | None = None) -> ManifestEntry:
    """Check every file the report of ``kpi`` reads under ``data_root``."""
    fy = kpi.fiscal_year if fiscal_year is None else int(fiscal_year)
    root = Path(data_root)
    files = tuple(_check(root, year, purpose, spec)
                  for year, purpose, spec in report_inputs(kpi, fy, notebook))
    return ManifestEntry(kpi=kpi.code, report=result_stem(kpi.code, fy), fiscal_year=fy,
                         files=files)


def build_manifest(catalog: Catalog, data_root: str | Path,
                   codes: Iterable[str] | None = None) -> Manifest:
    """The manifest of the catalog's KPIs (or of ``codes``) under ``data_root``.

    Each KPI at its own fiscal year, with its report family's files.
    """
    wanted = None if codes is None else set(codes)
    entries = tuple(kpi_manifest(k, data_root) for k in catalog
                    if wanted is None or k.code in wanted)
    status = Path(data_root) / DATASET_FILE
    return Manifest(entries=entries, dataset=DATASET_FILE if status.is_file() else None)


def write_manifest(manifest: Manifest, path: str | Path) -> Path:
    """Write the manifest JSON atomically (schema-checked); return the path."""
    from ._schemas import first_schema_error

    data = manifest.to_dict()
    error = first_schema_error("input_manifest.schema.json", data)
    if error is not None:  # pragma: no cover - a bug in to_dict, never the data
        raise ValueError(f"input manifest fails its schema at {error[0]}: {error[1]}")
    return write_text_atomic(path, manifest.to_json())


def format_entry(entry: ManifestEntry) -> list[str]:
    """Readable lines for one KPI report: each file with its status, round and fiscal year."""
    lines = []
    for f in entry.files:
        mark = {"ok": "ok     ", "missing": "MISSING"}.get(f.status, "UNREADABLE")
        rnd = f" round {f.spec.round}" if f.spec.round is not None else ""
        trend = "" if f.purpose == "result" else f" (FY{f.fiscal_year}, trend)"
        why = f"  — {f.reason}" if f.reason else ""
        lines.append(f"    {mark} {f.spec.role}{rnd}{trend}: {f.spec.path}{why}")
    return lines


def format_manifest(manifest: Manifest) -> str:
    """A readable listing: per KPI report, each file with its status, round and fiscal year."""
    lines = []
    for e in manifest.entries:
        lines += [f"{e.report}", *format_entry(e)]
    bad = sum(not f.ok for e in manifest.entries for f in e.files)
    total = sum(len(e.files) for e in manifest.entries)
    lines.append(f"{len(manifest.entries)} KPI report(s), {total} input file(s); "
                 f"{bad} missing or unreadable")
    return "\n".join(lines)
