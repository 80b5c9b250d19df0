"""The agency scorecard report (seed 004 table ค): gather every KPI's result, score, present.

:func:`gather_scorecard` collects the results of an agency's negotiated KPIs and sums them
with :func:`kpianalysis.catalog.score_agency`:

* satisfaction KPIs (``rubric.kind: satisfaction``) — B and C from the JSON summary the
  satisfaction report wrote (``<summaries_dir>/<kpi>.json``), or, when no summaries folder is
  given, computed from the latest survey round in ``satisfaction_dir``. The level is re-scored
  from the counts so that an extra level-5 condition of the catalog (``top_level_requires``, e.g.
  BMA Q's report to executives) is applied;
* the IT-support composite (``it_support_composite``) — satisfaction points (0–5) from the
  survey plus SLA points (0–5) from ``<rubric_dir>/<kpi>_tickets.csv``;
* count bands (``count_bands``, the livable-city indicators) — issues counted in
  ``<rubric_dir>/<kpi>_issues.csv``.

Extra level-5 conditions are read from ``<rubric_dir>/<kpi>_evidence.csv`` (``criterion``,
``status``[, ``date``]); a condition with no row there counts as not met. Every file read is
recorded with its SHA-256.

The remaining functions turn an :class:`AgencyScorecard` into the report's pieces: escaped
HTML (:func:`scorecard_table`, :func:`missing_target_list`, …) and a matplotlib
:class:`~matplotlib.figure.Figure` (:func:`points_chart`, shown with
:func:`kpianalysis.presentation.figure`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ._results import Result
from ._validation import DataValidationError
from ._version import __version__
from .catalog import KPI, Catalog, Scorecard, load_catalog, score_agency
from .files import sha256_of
from .plotting import shorten_label, use_thai_font
from .presentation import escape as _e
from .readers import survey_round_files
from .rubric import (
    SATISFACTION_BANDS,
    SatisfactionScore,
    count_livable_city_issues,
    read_requirements,
    score_count_bands,
    score_it_support,
    score_satisfaction,
    score_satisfaction_counts,
    sla_compliance,
)

logger = logging.getLogger(__name__)

__all__ = [
    "SCORECARD_KINDS",
    "AgencyScorecard",
    "InputFile",
    "KPIOutcome",
    "gather_scorecard",
    "latest_survey_file",
    "missing_target_list",
    "points_chart",
    "scorecard_check_line",
    "scorecard_headline",
    "scorecard_methods",
    "scorecard_summary",
    "scorecard_table",
    "scorecard_title",
]

#: Rubric kinds a scorecard KPI may have (the kinds of seed 004 table ค).
SCORECARD_KINDS = ("satisfaction", "it_support_composite", "count_bands")

#: Keys a satisfaction JSON summary must have for the scorecard.
_SUMMARY_KEYS = ("kpi", "round", "n_high_or_above", "n_scored", "percent_high_or_above",
                 "level", "weight", "input_path", "input_sha256")

_MET_TH = "✓ บรรลุ"
_MISSED_TH = "✗ ไม่บรรลุ"
_COLOUR_MET, _COLOUR_MISSED, _COLOUR_MAX = "#2166ac", "#ef8a62", "#e6e6e6"


@dataclasses.dataclass(frozen=True)
class InputFile(Result):
    """A file a KPI result rests on.

    Attributes
    ----------
    name : str
        File name (the key used in ``input_sha256``).
    path : str
        Where it was read (as given).
    sha256 : str
        Hex SHA-256 of its bytes.
    role : str
        What it is: ``summary`` (a report's JSON), ``survey``, ``tickets``, ``issues``,
        ``requirements``.
    read : bool
        True if this scorecard read the file itself; False if its checksum comes from a
        summary (the survey behind a report's JSON).
    """

    name: str
    path: str
    sha256: str
    role: str
    read: bool = True


@dataclasses.dataclass(frozen=True)
class KPIOutcome(Result):
    """One KPI of the scorecard with how its level and points were obtained.

    Attributes
    ----------
    item : int
        Item number in table ค.
    kpi, name_th : str
        Catalog code and Thai name.
    kind : str
        Rubric kind.
    weight : float
        Weight (= maximum points).
    level : float
        Level reached (0–5; the IT-support composite moves in steps of 0.5).
    points : float
        Points earned.
    target_met : bool
        Whether the KPI reached its target (level 5).
    value : str
        The measured value in words (``A = 82.78 % (B = 173 / C = 209, round 2)`` …).
    missing : tuple of str
        What keeps the KPI below its target (from the rubric engine).
    evidence : tuple of InputFile
        The files the result rests on.
    """

    item: int
    kpi: str
    name_th: str
    kind: str
    weight: float
    level: float
    points: float
    target_met: bool
    value: str
    missing: tuple[str, ...]
    evidence: tuple[InputFile, ...]

    def as_result(self) -> dict[str, Any]:
        """The per-KPI dict :func:`~kpianalysis.catalog.score_agency` takes."""
        return {"kpi": self.kpi, "level": self.level, "points": self.points,
                "weight": self.weight, "target_met": self.target_met,
                "evidence": "; ".join(f"{f.name} (sha256 {f.sha256[:12]})"
                                      for f in self.evidence)}


@dataclasses.dataclass(frozen=True)
class AgencyScorecard(Result):
    """An agency's scorecard with the per-KPI detail and provenance.

    Attributes
    ----------
    agency : str
        Thai name of the agency.
    abbreviation : str or None
        Its abbreviation (``สยป.``).
    fiscal_year_be : int
        Buddhist-Era fiscal year of the scorecard KPIs.
    outcomes : tuple of KPIOutcome
        One per scorecard KPI, in item order.
    scorecard : Scorecard
        The result of :func:`~kpianalysis.catalog.score_agency`.
    inputs : tuple of InputFile
        Every file the scorecard read, once each.
    satisfaction_source : str
        ``"summaries"`` (JSON summaries of the reports) or ``"surveys"`` (computed from the
        survey files).
    """

    agency: str
    abbreviation: str | None
    fiscal_year_be: int
    outcomes: tuple[KPIOutcome, ...]
    scorecard: Scorecard
    inputs: tuple[InputFile, ...]
    satisfaction_source: str

    @property
    def total_points(self) -> float:
        """Sum of the KPIs' points."""
        return self.scorecard.total_points

    @property
    def max_points(self) -> float:
        """Sum of the weights."""
        return self.scorecard.max_points

    @property
    def percent(self) -> float:
        """``total_points × 100 / max_points``."""
        return self.scorecard.percent

    @property
    def missing_target(self) -> tuple[str, ...]:
        """Codes of the KPIs that missed their target, in item order."""
        return self.scorecard.missing_target


# -- gathering --------------------------------------------------------------------------------

def latest_survey_file(satisfaction_dir: str | Path, kpi: str) -> Path:
    """The survey file of the latest round, ``<satisfaction_dir>/<kpi>_r<N>.csv``.

    Raises
    ------
    FileNotFoundError
        No ``<kpi>_r<N>.csv`` in the folder.
    """
    folder = Path(satisfaction_dir)
    rounds = survey_round_files(folder, kpi)
    if not rounds:
        raise FileNotFoundError(f"no survey file {kpi}_r<round>.csv in {folder}")
    return rounds[max(rounds)]


def _input(path: Path, role: str) -> InputFile:
    return InputFile(name=path.name, path=str(path), sha256=sha256_of(path), role=role)


def _satisfaction_summary(kpi: KPI, summaries_dir: str | Path | None,
                          satisfaction_dir: str | Path | None
                          ) -> tuple[dict[str, Any], list[InputFile]]:
    """A satisfaction summary dict and the files behind it."""
    if summaries_dir:
        path = Path(summaries_dir) / f"{kpi.code}.json"
        if not path.is_file():
            raise FileNotFoundError(
                f"summary {path} not found: build the {kpi.code} report first "
                f"(python -m kpianalysis.build --only {kpi.code}) or leave summaries_dir empty "
                "to compute it from the survey files")
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataValidationError(f"not valid JSON: {exc}", source=str(path)) from exc
        if not isinstance(summary, Mapping):
            raise DataValidationError("expected a JSON object", source=str(path))
        missing = [k for k in _SUMMARY_KEYS if k not in summary]
        if missing:
            raise DataValidationError(f"summary is missing {', '.join(missing)}",
                                      source=str(path))
        if summary["kpi"] != kpi.code:
            raise DataValidationError(f"summary is for KPI {summary['kpi']!r}, expected "
                                      f"{kpi.code!r}", source=str(path))
        survey = Path(str(summary["input_path"]))
        files = [_input(path, "summary"),
                 InputFile(name=survey.name, path=str(survey), sha256=str(summary["input_sha256"]),
                           role="survey", read=False)]
        return dict(summary), files
    if not satisfaction_dir:
        raise ValueError("give summaries_dir (the reports folder) or satisfaction_dir (the "
                         "survey files)")
    from .instruments import get_instrument
    from .readers import read_satisfaction_survey
    from .satisfaction import analyse_satisfaction, satisfaction_summary

    path = latest_survey_file(satisfaction_dir, kpi.code)
    data = read_satisfaction_survey(path, get_instrument(kpi.code))
    summary = satisfaction_summary(data, analyse_satisfaction(data))
    return summary, [InputFile(name=path.name, path=str(path), sha256=data.sha256,
                               role="survey")]


def _satisfaction_score(summary: Mapping[str, Any], source: str, weight: float,
                        requires: Sequence[tuple[str, bool]] = ()
                        ) -> tuple[SatisfactionScore, str]:
    """Re-score a summary (with the catalog's extra conditions) and describe A in words.

    An unweighted summary is scored on its counts (exact comparison); a design-weighted one
    (``design_effect`` present) on its design-based percent, as the satisfaction report did.
    The level without extra conditions must equal the summary's own level.
    """
    b, c = summary["n_high_or_above"], summary["n_scored"]
    for name, v in (("n_high_or_above", b), ("n_scored", c)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise DataValidationError(f"{name} must be an integer count, got {v!r}",
                                      source=source)
    weighted = summary.get("design_effect") is not None
    if weighted:
        pct = summary["percent_high_or_above"]
        score = score_satisfaction(pct, weight=weight, top_level_requires=requires)
        plain = score_satisfaction(pct)
        text = (f"A = {score.percent:.2f} % (ถ่วงน้ำหนักตามแผนการสุ่ม design-based; ผู้ตอบที่นำมา"
                f"คำนวณ C = {c:,}, รอบที่ {summary['round']})")
    else:
        score = score_satisfaction_counts(b, c, weight=weight, top_level_requires=requires)
        plain = score_satisfaction_counts(b, c)
        text = f"A = {score.percent:.2f} % (B = {b:,} / C = {c:,}, รอบที่ {summary['round']})"
    if plain.level != summary["level"]:
        what = "its design-based A" if weighted else f"B = {b}, C = {c}"
        raise DataValidationError(
            f"summary level {summary['level']!r} disagrees with {what} (level {plain.level}): "
            "the summary is stale or was scored with another rubric", source=source)
    return score, text


def _check_standard_bands(kpi: KPI, name: str) -> None:
    if kpi.bands(name).bands != SATISFACTION_BANDS.bands:
        raise NotImplementedError(
            f"KPI {kpi.code!r}: rubric.params.{name} differs from the seed's satisfaction "
            "table (80/75/70/65/60 → 5..1); other satisfaction tables are not supported")


def _requirements(kpi: KPI, rubric_dir: Path) -> tuple[list[tuple[str, bool]], list[InputFile]]:
    """The catalog's ``top_level_requires`` with their status from ``<kpi>_evidence.csv``."""
    wanted = [str(t) for t in kpi.rubric_params.get("top_level_requires") or ()]
    if not wanted:
        return [], []
    path = rubric_dir / f"{kpi.code}_evidence.csv"
    if not path.is_file():
        logger.info("no %s: level-5 conditions of %s count as not met", path, kpi.code)
        return [(t, False) for t in wanted], []

    def norm(text: str) -> str:
        return " ".join(text.split())

    rows = read_requirements(path)
    status = {norm(c): ok for c, ok in rows}
    unknown = [i for i, (c, _) in enumerate(rows, start=1) if norm(c) not in map(norm, wanted)]
    if unknown:
        raise DataValidationError(
            f"criterion is not a level-5 condition of KPI {kpi.code!r}; the catalog lists: "
            f"{'; '.join(wanted)}", source=str(path), column="criterion", rows=unknown)
    return [(t, status.get(norm(t), False)) for t in wanted], [_input(path, "requirements")]


def _requirements_text(req: list[tuple[str, bool]]) -> str:
    return "".join(f"; เงื่อนไขระดับ 5: {t} — {'ดำเนินการแล้ว' if ok else 'ยังไม่ดำเนินการ'}"
                   for t, ok in req)


def _score_satisfaction(kpi: KPI, item: int, summaries_dir: Any, satisfaction_dir: Any,
                        rubric_dir: Path) -> KPIOutcome:
    _check_standard_bands(kpi, "bands")
    summary, files = _satisfaction_summary(kpi, summaries_dir, satisfaction_dir)
    if not math.isclose(float(summary["weight"]), float(kpi.weight or 0)):
        raise DataValidationError(f"summary weight {summary['weight']!r} differs from the "
                                  f"catalog's {kpi.weight:g}", source=files[0].path)
    req, req_files = _requirements(kpi, rubric_dir)
    s, text = _satisfaction_score(summary, files[0].path, float(kpi.weight or 0), req)
    value = text + _requirements_text(req)
    return KPIOutcome(item=item, kpi=kpi.code, name_th=kpi.name_th, kind=kpi.rubric_kind,
                      weight=float(kpi.weight or 0), level=float(s.level), points=s.points,
                      target_met=s.target_met, value=value, missing=s.missing,
                      evidence=tuple(files + req_files))


def _score_it_support(kpi: KPI, item: int, summaries_dir: Any, satisfaction_dir: Any,
                      rubric_dir: Path) -> KPIOutcome:
    _check_standard_bands(kpi, "satisfaction_bands")
    summary, files = _satisfaction_summary(kpi, summaries_dir, satisfaction_dir)
    sat, text = _satisfaction_score(summary, files[0].path, 5.0)
    tickets = rubric_dir / f"{kpi.code}_tickets.csv"
    sla = sla_compliance(tickets, bands=kpi.bands("sla_bands"))
    s = score_it_support(sat, sla, weight=float(kpi.weight or 0))
    value = (f"ความพึงพอใจ {text} → {s.satisfaction_points:g} คะแนน; SLA = {sla.percent:.2f} % "
             f"({sla.n_met:,} / {sla.n_tickets:,} เรื่อง) → {s.sla_points:g} คะแนน")
    return KPIOutcome(item=item, kpi=kpi.code, name_th=kpi.name_th, kind=kpi.rubric_kind,
                      weight=s.weight, level=s.level, points=s.points, target_met=s.target_met,
                      value=value, missing=s.missing,
                      evidence=tuple([*files, _input(tickets, "tickets")]))


def _score_count_bands(kpi: KPI, item: int, rubric_dir: Path) -> KPIOutcome:
    issues = rubric_dir / f"{kpi.code}_issues.csv"
    total = int(kpi.rubric_params["total"])
    count = count_livable_city_issues(issues)
    req, req_files = _requirements(kpi, rubric_dir)
    s = score_count_bands(count, bands=kpi.bands(), total=total, top_level_requires=req,
                          weight=float(kpi.weight or 0), target_level=int(kpi.target))
    value = (f"{count} จาก {total} ประเด็นการพัฒนา"
             + _requirements_text(req))
    return KPIOutcome(item=item, kpi=kpi.code, name_th=kpi.name_th, kind=kpi.rubric_kind,
                      weight=s.weight, level=float(s.level), points=s.points,
                      target_met=s.target_met, value=value, missing=s.missing,
                      evidence=tuple([_input(issues, "issues"), *req_files]))


def gather_scorecard(
    summaries_dir: str | Path | None = None,
    *,
    rubric_dir: str | Path,
    satisfaction_dir: str | Path | None = None,
    agency: str = "สำนักยุทธศาสตร์และประเมินผล",
    catalog: Catalog | None = None,
) -> AgencyScorecard:
    """Score an agency's negotiated KPIs (seed 004 table ค) from their inputs.

    Parameters
    ----------
    summaries_dir : path, optional
        Folder holding the satisfaction reports' ``<kpi>.json`` summaries (the build's
        ``reports/``). Empty or None: compute the satisfaction results from ``satisfaction_dir``.
    rubric_dir : path
        Folder of the rubric inputs (``data/raw/rubric``).
    satisfaction_dir : path, optional
        Folder of the survey files (``data/raw/satisfaction``); used only without
        ``summaries_dir``. The latest round ``<kpi>_r<N>.csv`` of each KPI is scored.
    agency : str
        Agency (Thai name or abbreviation); default สำนักยุทธศาสตร์และประเมินผล.
    catalog : Catalog, optional
        Default :func:`~kpianalysis.catalog.load_catalog`.

    Returns
    -------
    AgencyScorecard

    Raises
    ------
    FileNotFoundError
        A summary or input file is missing (the message says which report to build).
    DataValidationError
        A summary disagrees with the catalog (weight, KPI code) or with its own counts, or an
        evidence file names a condition the catalog does not list.
    ValueError
        The agency has no scorecard KPIs, or they span several fiscal years.
    NotImplementedError
        A scorecard KPI has a rubric kind outside :data:`SCORECARD_KINDS`.
    """
    cat = catalog or load_catalog()
    full = cat.resolve_agency(agency)
    kpis = cat.scorecard_kpis(full)
    if not kpis:
        raise ValueError(f"agency {agency!r} has no scorecard KPIs in {cat.source}")
    years = sorted({k.fiscal_year for k in kpis})
    if len(years) != 1:
        raise ValueError(f"the scorecard KPIs of {full} span fiscal years {years}")
    unsupported = [f"{k.code} ({k.rubric_kind})" for k in kpis
                   if k.rubric_kind not in SCORECARD_KINDS]
    if unsupported:
        raise NotImplementedError(f"scorecard KPIs with unsupported rubric kinds: "
                                  f"{', '.join(unsupported)}; supported: "
                                  f"{', '.join(SCORECARD_KINDS)}")
    rubric = Path(rubric_dir)
    if not rubric.is_dir():
        raise FileNotFoundError(f"rubric folder not found: {rubric}")
    outcomes = []
    for k in kpis:
        item = int(k.scorecard_item or 0)
        if k.rubric_kind == "satisfaction":
            outcomes.append(_score_satisfaction(k, item, summaries_dir, satisfaction_dir, rubric))
        elif k.rubric_kind == "it_support_composite":
            outcomes.append(_score_it_support(k, item, summaries_dir, satisfaction_dir, rubric))
        else:
            outcomes.append(_score_count_bands(k, item, rubric))
    card = score_agency([o.as_result() for o in outcomes], cat, agency=full)
    seen: dict[str, InputFile] = {}
    for o in outcomes:
        for f in o.evidence:
            if f.read:
                if f.name in seen and seen[f.name].sha256 != f.sha256:
                    raise ValueError(f"two different input files named {f.name}: "
                                     f"{seen[f.name].path} and {f.path}")
                seen.setdefault(f.name, f)
    info = cat.agencies.get(full)
    abbreviation = info.get("abbreviation") if isinstance(info, Mapping) else None
    return AgencyScorecard(
        agency=full, abbreviation=abbreviation, fiscal_year_be=years[0],
        outcomes=tuple(outcomes), scorecard=card, inputs=tuple(seen.values()),
        satisfaction_source="summaries" if summaries_dir else "surveys")


# -- machine-readable outputs -----------------------------------------------------------------

def scorecard_summary(card: AgencyScorecard) -> dict[str, Any]:
    """The JSON summary written as ``<output_dir>/scorecard.json``.

    Keys: ``agency``, ``agency_abbreviation``, ``fiscal_year_be``, ``total_points``,
    ``max_points``, ``percent``, ``kpis`` (one row per KPI: ``item``, ``kpi``, ``name_th``,
    ``weight``, ``level``, ``points``, ``target_met``, ``value``, ``missing``, ``evidence``
    [{``name``, ``sha256``, ``role``, ``read``}]), ``kpis_missing_target``,
    ``satisfaction_source``, ``input_sha256`` ({file name: SHA-256} of every file read),
    ``package_version``.
    """
    rows = [{"item": o.item, "kpi": o.kpi, "name_th": o.name_th, "weight": o.weight,
             "level": o.level, "points": o.points, "target_met": o.target_met,
             "value": o.value, "missing": list(o.missing),
             "evidence": [{"name": f.name, "sha256": f.sha256, "role": f.role, "read": f.read}
                          for f in o.evidence]}
            for o in card.outcomes]
    return {
        "agency": card.agency,
        "agency_abbreviation": card.abbreviation,
        "fiscal_year_be": card.fiscal_year_be,
        "total_points": card.total_points,
        "max_points": card.max_points,
        "percent": card.percent,
        "kpis": rows,
        "kpis_missing_target": list(card.missing_target),
        "satisfaction_source": card.satisfaction_source,
        "input_sha256": {f.name: f.sha256 for f in card.inputs},
        "package_version": __version__,
    }


def scorecard_check_line(card: AgencyScorecard) -> str:
    """One stable line of the key values (compared by the notebook regression test)."""
    pts = ",".join(f"{o.kpi}:{o.level:g}/{o.points:g}" for o in card.outcomes)
    return (f"agency={card.abbreviation or card.agency} fiscal_year_be={card.fiscal_year_be} "
            f"total={card.total_points:g}/{card.max_points:g} percent={card.percent:.2f} "
            f"level/points={pts} missing_target={','.join(card.missing_target) or '-'}")


# -- presentation -----------------------------------------------------------------------------

def _n(value: float) -> str:
    return f"{value:g}"


def scorecard_title(card: AgencyScorecard) -> str:
    """Markdown title of the report (agency names are catalog text, escaped)."""
    abbr = f" ({_e(card.abbreviation)})" if card.abbreviation else ""
    return (f"# คะแนนตัวชี้วัดตามการเจรจาตกลงการประเมินผลการปฏิบัติราชการ: "
            f"{_e(card.agency)}{abbr}\n\n"
            f"**Agency scorecard** · ประจำปีงบประมาณ พ.ศ. {card.fiscal_year_be} · ตาราง ค. "
            f"ตัวชี้วัดและภารกิจจากการเจรจาตกลงการประเมินผลการปฏิบัติราชการ "
            f"({len(card.outcomes)} ตัวชี้วัด)")


def scorecard_headline(card: AgencyScorecard) -> str:
    """The boxed headline: total against the maximum, KPIs meeting their target."""
    n_met = sum(o.target_met for o in card.outcomes)
    all_met = n_met == len(card.outcomes)
    return (
        f"<div class='kpi-box {'kpi-met' if all_met else 'kpi-missed'}'>"
        f"<p style='font-size:1.3em'><b>คะแนนรวม {_e(_n(card.total_points))} / "
        f"{_e(_n(card.max_points))}</b> (ร้อยละ {card.percent:.2f} ของคะแนนเต็ม)</p>"
        f"<p>บรรลุค่าเป้าหมาย {n_met} จาก {len(card.outcomes)} ตัวชี้วัด "
        f"(KPIs meeting their target)</p></div>"
    )


def _evidence_html(files: tuple[InputFile, ...]) -> str:
    return "<br>".join(f"<code>{_e(f.name)}</code> ({_e(f.sha256[:12])})" for f in files)


def scorecard_table(card: AgencyScorecard) -> str:
    """Table ค: item, Thai name, weight, measured value, level, points, target met, evidence."""
    header = ["ลำดับ", "ตัวชี้วัด (KPI)", "น้ำหนัก", "ผลการดำเนินงาน", "ระดับ", "คะแนน",
              "บรรลุเป้าหมาย", "หลักฐาน (ไฟล์, SHA-256)"]
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    left, right = "style='text-align:left'", "style='text-align:right'"
    body = []
    for o in card.outcomes:
        body.append(
            "<tr>"
            f"<td {right}>{o.item}</td>"
            f"<td {left}>{_e(o.name_th)}<br><code>{_e(o.kpi)}</code></td>"
            f"<td {right}>{_e(_n(o.weight))}</td>"
            f"<td {left}>{_e(o.value)}</td>"
            f"<td {right}>{_e(_n(o.level))}</td>"
            f"<td {right}>{_e(_n(o.points))}</td>"
            f"<td {left}>{_e(_MET_TH if o.target_met else _MISSED_TH)}</td>"
            f"<td {left}>{_evidence_html(o.evidence)}</td>"
            "</tr>")
    body.append(
        "<tr>"
        f"<td></td><td {left}><b>รวม (total)</b></td>"
        f"<td {right}><b>{_e(_n(card.max_points))}</b></td><td></td><td></td>"
        f"<td {right}><b>{_e(_n(card.total_points))}</b></td>"
        f"<td {left}>ร้อยละ {card.percent:.2f}</td><td></td>"
        "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def missing_target_list(card: AgencyScorecard) -> str:
    """The KPIs that missed their target, with what is missing (or a sentence saying none)."""
    missed = [o for o in card.outcomes if not o.target_met]
    if not missed:
        return "<p>ทุกตัวชี้วัดบรรลุค่าเป้าหมาย (every KPI met its target).</p>"
    items = []
    for o in missed:
        gap = "; ".join(o.missing) or "–"
        items.append(
            f"<li><b>{o.item}. {_e(o.name_th)}</b> (<code>{_e(o.kpi)}</code>): ระดับ "
            f"{_e(_n(o.level))}, {_e(_n(o.points))} จาก {_e(_n(o.weight))} คะแนน "
            f"(เสียไป {_e(_n(o.weight - o.points))} คะแนน) — ยังขาด (missing): {_e(gap)}</li>")
    return f"<ul>{''.join(items)}</ul>"


def scorecard_methods(card: AgencyScorecard) -> str:
    """How the score was computed and from which files (SHA-256 in full)."""
    source = ("สรุปผล JSON ที่รายงานความพึงพอใจแต่ละฉบับบันทึกไว้ (the reports' JSON summaries)"
              if card.satisfaction_source == "summaries"
              else "คำนวณจากไฟล์แบบสำรวจรอบล่าสุดโดยตรง (computed from the latest survey files)")
    files = "".join(f"<li><code>{_e(f.name)}</code> ({_e(f.role)}): SHA-256 "
                    f"<code>{_e(f.sha256)}</code></li>" for f in card.inputs)
    return (
        "<ul>"
        "<li>คะแนนของตัวชี้วัด = น้ำหนัก × ร้อยละความสำเร็จของระดับที่ได้ / 100; "
        "คะแนนรวมของหน่วยงาน = ผลรวมคะแนนทุกตัวชี้วัด เทียบกับผลรวมน้ำหนัก (seed 004 ตาราง ค.)</li>"
        "<li>ตัวชี้วัดความพึงพอใจ: ระดับจาก A = B × 100 / C (≥ 80 → 5, ≥ 75 → 4, ≥ 70 → 3, "
        "≥ 65 → 2, ≥ 60 → 1) เปรียบเทียบด้วยจำนวนเต็ม หรือจากค่าประมาณแบบถ่วงน้ำหนักตามแผนการ"
        "สุ่มเมื่อไฟล์สำรวจมีน้ำหนัก (design weights) ตามรายงานแต่ละฉบับ; ระดับ 5 ที่มีเงื่อนไขเพิ่ม "
        "(เช่น รายงานผู้บริหารกรุงเทพมหานครทราบ) ต้องมีหลักฐานว่าดำเนินการแล้ว มิฉะนั้นได้ระดับ 4</li>"
        "<li>การแก้ไขปัญหาด้านเทคโนโลยีดิจิทัล: คะแนนความพึงพอใจ (0–5) + คะแนนการแก้ไขปัญหา"
        "ภายในเวลามาตรฐาน SLA (≥ 90 → 5, ≥ 85 → 4, ≥ 80 → 3, ≥ 75 → 2, ≥ 70 → 1); "
        "เรื่องที่ยังไม่แก้ไขนับว่าไม่ทันเวลา</li>"
        "<li>ตัวชี้วัดเมืองน่าอยู่: นับประเด็นการพัฒนาที่มีตัวชี้วัดและข้อมูล (และเผยแพร่แล้ว) "
        "จาก 28 ประเด็น: 1–6 → 1, 7–13 → 2, 14–20 → 3, 21–27 → 4, 28 และรายงานผู้บริหาร → 5</li>"
        f"<li>ผลความพึงพอใจ: {_e(source)}</li>"
        f"<li>ไฟล์ที่ใช้ (files read):<ul>{files}</ul></li>"
        f"<li>kpianalysis {_e(__version__)}</li>"
        "</ul>"
    )


def points_chart(card: AgencyScorecard) -> Figure:
    """Bars of points against the maximum: the total on top, then one bar per KPI.

    Blue: target met; orange: target missed; grey: the points not earned.
    """
    use_thai_font()
    n = len(card.outcomes)
    fig = Figure(figsize=(9, 0.7 * n + 2.6), dpi=100, layout="constrained")
    ax_total, ax = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1.3, n]})
    total_colour = _COLOUR_MET if card.total_points >= card.max_points else _COLOUR_MISSED
    ax_total.barh([0], [card.max_points], color=_COLOUR_MAX, height=0.6)
    ax_total.barh([0], [card.total_points], color=total_colour, height=0.6)
    ax_total.text(card.total_points, 0, f"  {_n(card.total_points)} / {_n(card.max_points)} "
                  f"คะแนน ({card.percent:.1f}%)", va="center", fontsize=10)
    ax_total.set_yticks([0], ["คะแนนรวม (total)"])
    ax_total.set_xlim(0, card.max_points * 1.35)
    ax_total.set_ylim(-0.6, 0.6)
    ax_total.set_xlabel("คะแนน")

    y = np.arange(n)[::-1]
    weights = np.array([o.weight for o in card.outcomes], dtype=float)
    points = np.array([o.points for o in card.outcomes], dtype=float)
    colours = [_COLOUR_MET if o.target_met else _COLOUR_MISSED for o in card.outcomes]
    ax.barh(y, weights, color=_COLOUR_MAX, height=0.6)
    ax.barh(y, points, color=colours, height=0.6)
    for yi, o in zip(y, card.outcomes, strict=True):
        ax.text(o.weight, yi, f"  {_n(o.points)} / {_n(o.weight)} (ระดับ {_n(o.level)})",
                va="center", fontsize=9)
    ax.set_yticks(y, [f"{o.item}. {shorten_label(o.name_th, 36)}\n({o.kpi})"
                      for o in card.outcomes], fontsize=9)
    ax.set_xlim(0, float(weights.max()) * 1.6)
    ax.set_xlabel("คะแนน (เต็ม = น้ำหนัก)")
    ax.legend(handles=[Patch(color=_COLOUR_MET, label="บรรลุเป้าหมาย"),
                       Patch(color=_COLOUR_MISSED, label="ไม่บรรลุเป้าหมาย"),
                       Patch(color=_COLOUR_MAX, label="คะแนนที่ยังไม่ได้")],
              loc="lower right", frameon=False, fontsize=9)
    for a in (ax_total, ax):
        a.spines[["top", "right"]].set_visible(False)
    return fig

