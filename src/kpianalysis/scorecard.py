"""The agency scorecard (seed 004 table ค): the sum of the KPIs' points, nothing else.

:func:`score_agency` is the only function that turns :class:`~kpianalysis.result.KPIResult`
objects into an agency score. It never scores a KPI: it reads the level and points each
result carries. It refuses, naming the KPI and the reason, a scorecard KPI whose result is
missing, fails the schema, disagrees with the catalog (weight, fiscal year) or is stale — its
package version is not this one, or an input file it rests on is missing or has changed since
(SHA-256 compared with the file under the data root). The scorecard notebook, the build and
the Python API all call it.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._results import Result, to_jsonable
from ._version import __version__
from .catalog import Catalog, load_catalog
from .files import sha256_of, write_text_atomic
from .result import KPIResult, ResultSchemaError, now_utc, read_result, result_stem

__all__ = [
    "SCORECARD_SCHEMA_VERSION",
    "AgencyScore",
    "ScoreRow",
    "ScorecardError",
    "check_fresh",
    "load_results",
    "result_files",
    "score_agency",
    "validate_scorecard_dict",
    "write_scorecard",
]

logger = logging.getLogger(__name__)

#: Version of the scorecard JSON (``scorecard_<abbreviation>_<fy>.json``).
SCORECARD_SCHEMA_VERSION = 1


class ScorecardError(ValueError):
    """A result the scorecard cannot use; the message names the KPI and the reason."""


@dataclasses.dataclass(frozen=True)
class ScoreRow(Result):
    """One KPI line of the scorecard, copied from its :class:`KPIResult`."""

    item: int
    kpi: str
    name_th: str
    weight: float
    level: float | None
    points: float
    target_met: bool
    value_text: str
    report: str
    flags: tuple[str, ...] = ()
    level_range: tuple[int, int] | None = None
    missing: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class AgencyScore(Result):
    """An agency's scorecard: the per-KPI points and their sum against the total weight.

    Attributes
    ----------
    agency, abbreviation : str
    fiscal_year : int
    rows : tuple of ScoreRow
        One per scorecard KPI, in item order.
    total_points, max_points, percent : float
        ``percent = total_points × 100 / max_points``.
    missing_target : tuple of str
        Codes of the KPIs that missed their target.
    data_status : str
        ``sample`` when any result was built from the bundled sample, else ``agency``.
    package_version, schema_version, built_at
    """

    agency: str
    abbreviation: str
    fiscal_year: int
    rows: tuple[ScoreRow, ...]
    total_points: float
    max_points: float
    percent: float
    missing_target: tuple[str, ...]
    data_status: str
    package_version: str = __version__
    schema_version: int = SCORECARD_SCHEMA_VERSION
    built_at: str = ""

    @property
    def stem(self) -> str:
        """File stem of the scorecard's outputs: ``scorecard_<abbreviation>_<fy>``."""
        return scorecard_stem(self.abbreviation or self.agency, self.fiscal_year)

    def summary(self) -> str:
        """Short text summary."""
        lines = [f"scorecard {self.abbreviation or self.agency} FY{self.fiscal_year}: "
                 f"{self.total_points:g} / {self.max_points:g} points ({self.percent:.2f} %)"]
        lines += [f"  {r.item}. {r.kpi}: {r.points:g}/{r.weight:g}"
                  + ("" if r.target_met else "  (target missed)") for r in self.rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        e = html.escape
        body = "".join(f"<tr><td>{r.item}</td><td>{e(r.kpi)}</td><td>{e(r.name_th)}</td>"
                       f"<td>{r.points:g} / {r.weight:g}</td><td>{'✓' if r.target_met else '✗'}"
                       f"</td></tr>" for r in self.rows)
        return (f"<table class='kpianalysis-result'><caption>{e(self.agency)} ปีงบประมาณ "
                f"{self.fiscal_year}: {self.total_points:g} / {self.max_points:g} คะแนน "
                f"({self.percent:.2f} %)</caption>{body}</table>")

    def to_json(self) -> str:
        """Canonical JSON text."""
        return json.dumps(to_jsonable(self.to_dict()), ensure_ascii=False, sort_keys=True,
                          indent=1) + "\n"


def scorecard_stem(agency: str, fiscal_year: int) -> str:
    """``scorecard_<agency abbreviation without dots>_<fiscal year>``."""
    return f"scorecard_{agency.replace('.', '').replace(' ', '')}_{int(fiscal_year)}"


#: JSON files of a build's output folder that are not KPI results.
NOT_RESULTS = ("scorecard", "action_plan", "build-summary.json")


def result_files(folder: str | Path) -> list[Path]:
    """The KPI result JSONs of a build's output folder: every ``*.json`` but the scorecards,
    the action-plan summaries and the build summary, sorted."""
    return [f for f in sorted(Path(folder).glob("*.json")) if not f.name.startswith(NOT_RESULTS)]


def load_results(source: Any) -> list[KPIResult]:
    """Read results: a directory of ``*.json`` results, one JSON file, or an iterable of
    :class:`KPIResult` / dicts / paths. Every JSON is validated against the schema.

    Files in a directory that are not KPI results (``scorecard_*.json``,
    ``action_plan_*.json``, ``build-summary.json``) are skipped (:func:`result_files`).
    """
    if isinstance(source, (str, Path)):
        p = Path(source)
        if p.is_dir():
            return [read_result(f) for f in result_files(p)]
        return [read_result(p)]
    out = []
    for r in source:
        if isinstance(r, KPIResult):
            out.append(r)
        elif isinstance(r, Mapping):
            out.append(KPIResult.from_dict(r, source="result"))
        elif isinstance(r, (str, Path)):
            out.extend(load_results(r))
        else:
            raise TypeError(f"results must be KPIResult objects, dicts or JSON paths; got "
                            f"{type(r).__name__}")
    return out


def check_fresh(result: KPIResult, data_root: str | Path, catalog: Catalog | None = None
                ) -> None:
    """Raise :class:`ScorecardError` unless ``result`` is current.

    Current means: built by this package version, from exactly the input files the catalog
    lists now for the KPI and fiscal year, each present under ``data_root`` with the same
    SHA-256; under the rule choices the catalog sets for the KPI (the official ones unless the
    catalog overrides them); and with the data status of ``data_root`` (§G.7).
    """
    who = f"KPI {result.kpi!r} (fiscal year {result.fiscal_year})"
    if result.package_version != __version__:
        raise ScorecardError(f"{who}: its result was built by kpianalysis "
                             f"{result.package_version}, this is {__version__}: rebuild it")
    root = Path(data_root)
    if catalog is not None:
        kpi = catalog.get(result.kpi)
        listed = sorted(s.path for s in kpi.inputs_for(result.fiscal_year))
        used = sorted(e.path for e in result.evidence)
        if listed != used:
            raise ScorecardError(f"{who}: its result was built from {', '.join(used)} but the "
                                 f"catalog now lists {', '.join(listed)}: rebuild it")
        for rule in result.rules:
            wanted = kpi.rules.get(rule.rule)
            if rule.rule != "data_status" and wanted is not None and rule.choice != wanted:
                raise ScorecardError(
                    f"{who}: its result applies {rule.rule}={rule.choice}, but the catalog "
                    f"sets {rule.rule}={wanted} (§{rule.section}); a scorecard sums results "
                    f"under the catalog's rules only: rebuild it without that option")
    from .inputs import data_status

    status = data_status(root)
    if status == "sample" and result.data_status != "sample":
        raise ScorecardError(f"{who}: its result says '{result.data_status}' data but the data "
                             f"root is the bundled sample (§G.7)")
    for ev in result.evidence:
        path = root / ev.path
        if not path.is_file():
            raise ScorecardError(f"{who}: input file {ev.path} it was built from is no longer "
                                 f"under the data root: rebuild the KPI")
        if sha256_of(path) != ev.sha256:
            raise ScorecardError(f"{who}: input file {ev.path} has changed since the result "
                                 f"was built (SHA-256 differs): rebuild the KPI")


def score_agency(results: Any, *, data_root: str | Path,
                 agency: str | None = None, fiscal_year: int | None = None,
                 catalog: Catalog | str | Path | None = None) -> AgencyScore:
    """Sum an agency's scorecard KPIs from their results.

    Parameters
    ----------
    results : directory, JSON path, or iterable of KPIResult / dict / path
        The KPI results (see :func:`load_results`).
    data_root : path
        The data root the results were built from; every result is checked against it and
        the catalog (:func:`check_fresh`).
    agency : str, optional
        Thai name or abbreviation; default: the catalog's only scorecard agency.
    fiscal_year : int, optional
        Default: the fiscal year of the agency's scorecard KPIs in the catalog.
    catalog : Catalog or path, optional

    Returns
    -------
    AgencyScore

    Raises
    ------
    ScorecardError
        A scorecard KPI without a result (or with two), a result that fails the schema, is
        stale, or disagrees with the catalog; the message names the KPI.
    """
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    if agency is None:
        agencies = cat.scorecard_agencies()
        if len(agencies) != 1:
            raise ScorecardError(f"give agency=: the catalog has scorecards for "
                                 f"{', '.join(agencies) or 'no agency'}")
        agency = agencies[0]
    full = cat.resolve_agency(agency)
    kpis = cat.scorecard_kpis(full)
    if not kpis:
        raise ScorecardError(f"agency {agency!r} has no scorecard KPIs in {cat.source}")
    fy = int(fiscal_year) if fiscal_year is not None else kpis[0].fiscal_year
    try:
        loaded = load_results(results)
    except ResultSchemaError as exc:
        raise ScorecardError(str(exc)) from None
    by_code: dict[str, KPIResult] = {}
    for r in loaded:
        if r.kpi not in cat:
            raise ScorecardError(f"a result for KPI {r.kpi!r}, which the catalog "
                                 f"({cat.source}) does not list")
        if r.fiscal_year != fy:
            logger.info("result %s of fiscal year %s is not part of the %s scorecard",
                        r.kpi, r.fiscal_year, fy)
            continue
        if r.kpi in by_code:
            raise ScorecardError(f"KPI {r.kpi!r}: two results for fiscal year {fy}")
        by_code[r.kpi] = r
    rows = []
    for k in kpis:
        r = by_code.get(k.code)
        if r is None:
            raise ScorecardError(f"KPI {k.code!r} ({k.name_th}): no result for fiscal year {fy} "
                                 f"(expected {result_stem(k.code, fy)}.json); build it first — "
                                 f"the scorecard never uses an older or a missing result")
        check_fresh(r, data_root, cat)
        if r.points is None or r.weight is None:
            raise ScorecardError(f"KPI {k.code!r}: its result has no points or weight")
        if not math.isclose(r.weight, float(k.weight or 0), rel_tol=1e-12):
            raise ScorecardError(f"KPI {k.code!r}: its result has weight {r.weight:g}, the "
                                 f"catalog gives {k.weight:g}: rebuild it")
        if not 0 <= r.points <= r.weight * (1 + 1e-12):
            raise ScorecardError(f"KPI {k.code!r}: points {r.points:g} outside 0–{r.weight:g}")
        rows.append(ScoreRow(item=int(k.scorecard_item or 0), kpi=k.code, name_th=k.name_th,
                             weight=r.weight, level=r.level, points=r.points,
                             target_met=bool(r.target_met), value_text=r.value_text,
                             report=r.stem, flags=tuple(f.code for f in r.flags),
                             level_range=(tuple(r.details["level_range"])
                                          if "level_range" in r.details else None),
                             missing=r.missing))
    total = math.fsum(row.points for row in rows)
    max_points = math.fsum(row.weight for row in rows)
    statuses = {by_code[k.code].data_status for k in kpis}
    return AgencyScore(
        agency=full, abbreviation=cat.abbreviation(full), fiscal_year=fy, rows=tuple(rows),
        total_points=total, max_points=max_points, percent=total * 100 / max_points,
        missing_target=tuple(row.kpi for row in rows if not row.target_met),
        data_status="sample" if "sample" in statuses else "agency", built_at=now_utc())


def validate_scorecard_dict(data: Any, source: str = "") -> None:
    """Raise :class:`ScorecardError` unless ``data`` follows ``schemas/scorecard.schema.json``."""
    from ._schemas import first_schema_error

    error = first_schema_error("scorecard.schema.json", data)
    if error is not None:
        where = f"{source}: " if source else ""
        raise ScorecardError(f"{where}scorecard fails its schema at {error[0]}: {error[1]}")


def write_scorecard(card: AgencyScore, out_dir: str | Path) -> Path:
    """Write ``<out_dir>/<card.stem>.json`` atomically (schema-checked); return the path."""
    text = card.to_json()
    validate_scorecard_dict(json.loads(text), f"{card.stem}.json")
    return write_text_atomic(Path(out_dir) / f"{card.stem}.json", text)


