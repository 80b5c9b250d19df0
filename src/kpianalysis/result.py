"""``KPIResult``: the one result of one KPI for one agency and fiscal year.

Every consumer reads this object and nothing else: the KPI's report shows it, the scorecard
sums it, the index lists it. It is produced by :func:`kpianalysis.evaluate` and written as JSON
following the schema shipped in ``kpianalysis/schemas/kpi_result.schema.json``
(``schema_version`` :data:`SCHEMA_VERSION`). :func:`read_result` reads such a JSON back and
refuses one of another schema version or one that fails the schema.

Percentages are on the 0–100 scale; paths are relative to the data root; nothing in a result
depends on the machine that built it except ``built_at``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._results import Result, to_jsonable

__all__ = [
    "SCHEMA_VERSION",
    "Alternative",
    "EvidenceFile",
    "EvidenceItem",
    "Flag",
    "KPIResult",
    "LadderRow",
    "ResultSchemaError",
    "RoundFigure",
    "RuleChoice",
    "Uncertainty",
    "load_schema",
    "read_result",
    "validate_result_dict",
    "write_result",
]

#: Version of the JSON schema a :class:`KPIResult` is written in.
SCHEMA_VERSION = 1

DATA_STATUS_TH = {"sample": "ข้อมูลตัวอย่าง (สังเคราะห์) ที่มากับแพ็กเกจ — ไม่ใช่ผลจริงของหน่วยงาน",
                  "agency": "ข้อมูลจริงของหน่วยงาน"}


class ResultSchemaError(ValueError):
    """A result JSON that is not a valid :class:`KPIResult` of this schema version."""


@dataclasses.dataclass(frozen=True)
class Uncertainty(Result):
    """The uncertainty of an estimated value (percent scale).

    Attributes
    ----------
    estimate : float
        The estimate (percent).
    ci_low, ci_high : float
        Confidence bounds (percent).
    confidence : float
        Nominal coverage (0.95).
    method : str
        How the interval was computed.
    p_target_met : float or None
        Approximate probability that the true value meets the target.
    estimator : str
        What the estimate is (``unweighted B × 100 / C`` …).
    n : int
        Respondents behind the estimate.
    design_effect : float or None
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    method: str
    p_target_met: float | None
    estimator: str
    n: int
    design_effect: float | None = None


@dataclasses.dataclass(frozen=True)
class EvidenceFile(Result):
    """An input file the result rests on.

    Attributes
    ----------
    path : str
        Path relative to the data root (POSIX separators).
    sha256 : str
        Hex SHA-256 of the file's bytes when it was evaluated.
    role : str
        What the file is (``survey``, ``evidence``, ``tickets`` …).
    round : int or None
        Survey round, where the file is one.
    rows_read : int
        Data rows in the file.
    rows_used : int
        Rows that entered the result (e.g. C for a survey).
    """

    path: str
    sha256: str
    role: str
    round: int | None
    rows_read: int
    rows_used: int


@dataclasses.dataclass(frozen=True)
class RuleChoice(Result):
    """A rule of KPI_SPEC §G as it was applied."""

    rule: str
    section: str
    choice: str
    official: bool
    description_th: str


@dataclasses.dataclass(frozen=True)
class Alternative(Result):
    """The result under the other choice of a rule (kept when the level would change)."""

    rule: str
    choice: str
    value: float | None
    level: float | None
    points: float | None
    target_met: bool | None
    value_text: str


@dataclasses.dataclass(frozen=True)
class LadderRow(Result):
    """One row of the KPI's rubric, in the rubric's own words.

    ``defined`` is False when the source document does not define the row (§G.6).
    """

    level: int
    text: str
    success_percent: float | None
    reached: bool
    defined: bool = True


@dataclasses.dataclass(frozen=True)
class EvidenceItem(Result):
    """One item of evidence (a criterion, a step, a quarter's report …)."""

    item: str
    date: str | None
    status: str
    source: str
    level: int | None = None


@dataclasses.dataclass(frozen=True)
class Flag(Result):
    """Something a reader must know about the result (e.g. an undefined rubric row)."""

    code: str
    message_th: str


@dataclasses.dataclass(frozen=True)
class RoundFigure(Result):
    """One survey round reported on its own."""

    round: int
    n_forms: int
    n_counted: int
    n_high_or_above: int
    percent: float | None
    level: float | None


@dataclasses.dataclass(frozen=True)
class KPIResult(Result):
    """The result of one KPI, for one agency and fiscal year, with its provenance.

    Attributes
    ----------
    kpi, name_th, name_en : str
        Catalog code and names (Thai exactly as in the seed).
    agency, agency_abbreviation : str
        Host agency (Thai name) and its abbreviation (may be empty).
    fiscal_year : int
        Buddhist-Era fiscal year.
    periods : tuple of str
        Periods covered (``"รอบที่ 1"``, ``"ไตรมาส 1"`` …; empty for the whole year).
    rubric_kind, report : str
        Rubric kind and report family.
    value : float or None
        The official value in ``unit`` (None when it cannot be computed).
    value_text : str
        The value in words (Thai), as shown in the headline.
    unit : str
        Unit of the value and the target.
    level : float or None
        Level reached (None where the source defines no level, §G.5).
    level_max : int or None
        The top level of the rubric.
    points, weight : float or None
        Points earned and weight in a negotiated scorecard (None outside one).
    target : float
        Target value in ``target_unit``.
    target_unit : str
    target_met : bool or None
    uncertainty : Uncertainty or None
        Of the official value, where it is estimated.
    population_estimate : Uncertainty or None
        The design-based estimate shown beside the official value (§G.3, §G.4).
    rules : tuple of RuleChoice
        Every §G rule that was applied.
    alternatives : tuple of Alternative
        The result under another choice, kept whenever the level would change.
    evidence : tuple of EvidenceFile
    ladder : tuple of LadderRow
    items : tuple of EvidenceItem
    rounds : tuple of RoundFigure
    details : dict
        Kind-specific figures (JSON-ready).
    data_status : str
        ``"sample"`` or ``"agency"`` (§G.7).
    flags : tuple of Flag
    missing : tuple of str
        What keeps the KPI below its target.
    package_version : str
    schema_version : int
    built_at : str
        ISO 8601 UTC time of evaluation (the only field that differs between two builds of
        the same inputs).
    """

    kpi: str
    name_th: str
    name_en: str
    agency: str
    agency_abbreviation: str
    fiscal_year: int
    periods: tuple[str, ...]
    rubric_kind: str
    report: str
    value: float | None
    value_text: str
    unit: str
    level: float | None
    level_max: int | None
    points: float | None
    weight: float | None
    target: float
    target_unit: str
    target_met: bool | None
    uncertainty: Uncertainty | None
    population_estimate: Uncertainty | None
    rules: tuple[RuleChoice, ...]
    alternatives: tuple[Alternative, ...]
    evidence: tuple[EvidenceFile, ...]
    ladder: tuple[LadderRow, ...]
    items: tuple[EvidenceItem, ...]
    rounds: tuple[RoundFigure, ...]
    details: dict[str, Any]
    data_status: str
    flags: tuple[Flag, ...]
    missing: tuple[str, ...]
    package_version: str
    schema_version: int = SCHEMA_VERSION
    built_at: str = ""

    # -- presentation ---------------------------------------------------------------------
    def summary(self) -> str:
        """A short text summary (a few lines), like R's printed estimate."""
        lines = [f"{self.kpi} ({self.agency_abbreviation or self.agency}, FY{self.fiscal_year})"
                 f": {self.value_text}"]
        score = []
        if self.level is not None:
            score.append(f"level {self.level:g}/{self.level_max}")
        if self.points is not None:
            score.append(f"points {self.points:g}/{self.weight:g}")
        met = {True: "met", False: "NOT met", None: "undetermined"}[self.target_met]
        score.append(f"target {self.target:g} {self.target_unit} {met}")
        lines.append("  " + ", ".join(score))
        u = self.uncertainty
        if u is not None:
            p = "" if u.p_target_met is None else f", P(target met) = {u.p_target_met:.3f}"
            lines.append(f"  {u.estimate:.2f} ({u.confidence:.0%} CI {u.ci_low:.2f}–"
                         f"{u.ci_high:.2f}, {u.method}){p}")
        if self.flags:
            lines.append("  flags: " + ", ".join(f.code for f in self.flags))
        lines.append(f"  data: {self.data_status}; rules: "
                     + ", ".join(f"{r.rule}={r.choice}" for r in self.rules))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        e = html.escape
        met = {True: "✓ บรรลุค่าเป้าหมาย", False: "✗ ไม่บรรลุค่าเป้าหมาย",
               None: "ยังไม่สามารถสรุปได้"}[self.target_met]
        rows = [("ค่าที่ได้", self.value_text),
                ("ระดับ", "—" if self.level is None else f"{self.level:g} จาก {self.level_max}"),
                ("คะแนน", "—" if self.points is None else f"{self.points:g} จาก {self.weight:g}"),
                ("ค่าเป้าหมาย", f"{self.target:g} {self.target_unit} — {met}"),
                ("สถานะข้อมูล", DATA_STATUS_TH.get(self.data_status, self.data_status))]
        if self.uncertainty is not None:
            u = self.uncertainty
            rows.append(("ช่วงความเชื่อมั่น", f"{u.ci_low:.2f}–{u.ci_high:.2f} "
                                              f"({u.confidence:.0%}, {u.method})"))
        rows += [("ข้อสังเกต", f.message_th) for f in self.flags]
        body = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:left'>"
                       f"{e(str(v))}</td></tr>" for k, v in rows)
        return (f"<table class='kpianalysis-result'><caption>{e(self.kpi)} "
                f"{e(self.name_th)} (ปีงบประมาณ {self.fiscal_year})</caption>{body}</table>")

    # -- JSON -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict following the shipped schema (NaN → None)."""
        return to_jsonable({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys, UTF-8 characters kept, trailing newline)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> KPIResult:
        """Rebuild a result from :meth:`to_dict` output, validating it against the schema."""
        validate_result_dict(data, source)
        d = dict(data)
        nested = {"uncertainty": Uncertainty, "population_estimate": Uncertainty}
        for key, typ in nested.items():
            d[key] = None if d.get(key) is None else typ(**d[key])
        lists = {"rules": RuleChoice, "alternatives": Alternative, "evidence": EvidenceFile,
                 "ladder": LadderRow, "items": EvidenceItem, "rounds": RoundFigure,
                 "flags": Flag}
        for key, typ in lists.items():
            d[key] = tuple(typ(**x) for x in d[key])
        d["periods"] = tuple(d["periods"])
        d["missing"] = tuple(d["missing"])
        return cls(**d)

    @property
    def stem(self) -> str:
        """File stem of this result's outputs: ``<kpi>_<fiscal year>``."""
        return result_stem(self.kpi, self.fiscal_year)


def result_stem(kpi: str, fiscal_year: int) -> str:
    """``<kpi>_<fiscal year>``: the stem of a KPI's report, JSON and executed notebook."""
    return f"{kpi}_{int(fiscal_year)}"


def now_utc() -> str:
    """The current time as ISO 8601 UTC, seconds precision."""
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def load_schema() -> dict[str, Any]:
    """The JSON Schema of a result (``kpianalysis/schemas/kpi_result.schema.json``)."""
    from ._schemas import load_schema_file

    return load_schema_file("kpi_result.schema.json")


def validate_result_dict(data: Any, source: str = "") -> None:
    """Raise :class:`ResultSchemaError` unless ``data`` is a valid result of this version.

    The message names the source, the KPI (when known) and the first offending field.
    """
    where = f"{source}: " if source else ""
    if not isinstance(data, Mapping):
        raise ResultSchemaError(f"{where}a KPI result must be a JSON object, got "
                                f"{type(data).__name__}")
    kpi = data.get("kpi")
    who = f"result for KPI {kpi!r}" if isinstance(kpi, str) else "result"
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultSchemaError(f"{where}{who} has schema_version {version!r}; this package "
                                f"reads schema_version {SCHEMA_VERSION}: rebuild it")
    from ._schemas import first_schema_error

    error = first_schema_error("kpi_result.schema.json", dict(data))
    if error is not None:
        raise ResultSchemaError(f"{where}{who} fails the schema at {error[0]}: {error[1]}")


def read_result(path: str | Path) -> KPIResult:
    """Read and validate a result JSON written by :func:`write_result`.

    Raises
    ------
    ResultSchemaError
        Not JSON, another schema version, or a field that fails the schema.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultSchemaError(f"{p.name}: not a valid JSON file ({exc})") from None
    return KPIResult.from_dict(data, source=p.name)


def write_result(result: KPIResult, path: str | Path) -> Path:
    """Write ``result`` as canonical JSON, atomically; return the path."""
    from .files import write_text_atomic

    data = result.to_dict()
    validate_result_dict(data, str(Path(path).name))
    return write_text_atomic(path, result.to_json())


def finite_or_none(value: Any) -> float | None:
    """``float(value)``, or None for None / NaN / infinity."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None
