"""What every engine receives (:class:`Context`) and the pieces every engine builds with."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._results import to_jsonable
from .._version import __version__
from ..catalog import KPI, Catalog
from ..inputs import ResolvedInput, data_status, resolve_inputs
from ..kinds import KINDS
from ..result import (
    Alternative,
    EvidenceFile,
    EvidenceItem,
    Flag,
    KPIResult,
    LadderRow,
    RuleChoice,
    now_utc,
)
from ..rules import RULES

__all__ = ["ENGINE_OPTIONS", "Context", "Outcome"]

#: Analysis options an engine accepts (besides the §G rules), with their defaults.
ENGINE_OPTIONS: dict[str, Any] = {
    "confidence": 0.95,
    "ci_method": "wilson",
    "min_answered_share": 0.8,
    "design_ci_method": "logit",
    "as_of": None,
}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The scoring of a KPI under one set of rule choices (what an alternative compares)."""

    value: float | None
    value_text: str
    level: float | None
    points: float | None
    target_met: bool | None


@dataclasses.dataclass(frozen=True)
class Context:
    """A KPI, its fiscal year, its resolved inputs and the choices in force."""

    catalog: Catalog
    kpi: KPI
    fiscal_year: int
    data_root: Path
    inputs: tuple[ResolvedInput, ...]
    rules: dict[str, str]
    options: dict[str, Any]
    data_status: str

    @classmethod
    def create(cls, catalog: Catalog, kpi: KPI, fiscal_year: int | None, data_root: Path,
               rules: Mapping[str, str], options: Mapping[str, Any]) -> Context:
        """Resolve the inputs and data status; merge options with their defaults."""
        fy = kpi.fiscal_year if fiscal_year is None else int(fiscal_year)
        inputs = tuple(resolve_inputs(kpi, fy, data_root))
        status = data_status(data_root, rules.get("data_status", "auto"))
        return cls(catalog, kpi, fy, data_root, inputs, dict(rules),
                   {**ENGINE_OPTIONS, **dict(options)}, status)

    # -- inputs -------------------------------------------------------------------------
    def input(self, role: str) -> ResolvedInput | None:
        """The single input of ``role`` (None when the optional role is absent)."""
        found = [i for i in self.inputs if i.role == role]
        return found[0] if found else None

    def rounds(self, role: str = "survey") -> list[ResolvedInput]:
        """The per-round inputs of ``role``, by round."""
        return sorted((i for i in self.inputs if i.role == role and i.round is not None),
                      key=lambda i: i.round or 0)

    @property
    def weight(self) -> float | None:
        """The KPI's scorecard weight (None outside a scorecard)."""
        return self.kpi.weight

    def points(self, success_percent: float | None) -> float | None:
        """``weight × success % / 100``, or None for a KPI without weight."""
        if self.kpi.weight is None or success_percent is None:
            return None
        return self.kpi.weight * float(success_percent) / 100

    # -- rules --------------------------------------------------------------------------
    def applicable_rules(self) -> list[str]:
        """The §G rules that apply to this KPI's kind, plus data status."""
        return [*KINDS[self.kpi.rubric_kind].rules, "data_status"]

    def rule_choices(self) -> tuple[RuleChoice, ...]:
        """The rule choices applied, in §G order."""
        out = []
        for name in sorted(self.applicable_rules(), key=lambda r: RULES[r].section):
            rule = RULES[name]
            choice = self.rules[name]
            out.append(RuleChoice(rule=name, section=rule.section, choice=choice,
                                  official=choice == rule.official,
                                  description_th=rule.choices[choice]))
        return tuple(out)

    def alternatives(self, score: Callable[[Mapping[str, str]], Outcome], applied: Outcome,
                     rules: Sequence[str]) -> tuple[Alternative, ...]:
        """Re-score under each other choice of ``rules``; keep those that change the verdict.

        A change of level, of points or of whether the target is met is kept.
        """
        out = []
        for name in rules:
            for choice in RULES[name].alternatives(self.rules[name]):
                if name == "data_status":
                    continue
                alt = score({**self.rules, name: choice})
                if (alt.level != applied.level or not _same(alt.points, applied.points)
                        or alt.target_met != applied.target_met):
                    out.append(Alternative(rule=name, choice=choice, value=alt.value,
                                           level=alt.level, points=alt.points,
                                           target_met=alt.target_met,
                                           value_text=alt.value_text))
        return tuple(out)

    # -- evidence -----------------------------------------------------------------------
    def evidence(self, rows: Mapping[str, tuple[int, int]]) -> tuple[EvidenceFile, ...]:
        """Evidence files with their rows read and used (``{relpath: (read, used)}``)."""
        return tuple(EvidenceFile(path=i.relpath, sha256=i.sha256, role=i.role, round=i.round,
                                  rows_read=int(rows.get(i.relpath, (0, 0))[0]),
                                  rows_used=int(rows.get(i.relpath, (0, 0))[1]))
                     for i in self.inputs)

    # -- the result ---------------------------------------------------------------------
    def result(self, outcome: Outcome, **fields: Any) -> KPIResult:
        """A :class:`KPIResult` with the common fields filled from the catalog and context."""
        k = self.kpi
        flags = list(fields.pop("flags", ()))
        if self.data_status == "sample":
            flags.insert(0, Flag("sample_data", "ผลนี้คำนวณจากข้อมูลตัวอย่าง (สังเคราะห์) ที่มากับแพ็กเกจ "
                                                "ไม่ใช่ผลการดำเนินงานจริงของหน่วยงาน"))
        return KPIResult(
            kpi=k.code, name_th=k.name_th, name_en=k.name_en, agency=k.host_agency,
            agency_abbreviation=self.catalog.abbreviation(k.host_agency),
            fiscal_year=self.fiscal_year, periods=tuple(fields.pop("periods", ())),
            rubric_kind=k.rubric_kind, report=k.report,
            value=_finite(outcome.value), value_text=outcome.value_text, unit=k.unit,
            level=outcome.level, level_max=fields.pop("level_max", None),
            points=outcome.points, weight=k.weight, target=fields.pop("target", k.target),
            target_unit=fields.pop("target_unit", k.unit), target_met=outcome.target_met,
            uncertainty=fields.pop("uncertainty", None),
            population_estimate=fields.pop("population_estimate", None),
            rules=self.rule_choices(), alternatives=tuple(fields.pop("alternatives", ())),
            evidence=tuple(fields.pop("evidence", ())),
            ladder=tuple(fields.pop("ladder", ())), items=tuple(fields.pop("items", ())),
            rounds=tuple(fields.pop("rounds", ())),
            details=to_jsonable(fields.pop("details", {})), data_status=self.data_status,
            flags=tuple(flags), missing=tuple(str(m) for m in fields.pop("missing", ())),
            package_version=__version__, built_at=now_utc(), **fields)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def band_ladder(bands: Any, reached: float | None, text: Callable[[Any], str],
                undefined: Sequence[int] = ()) -> list[LadderRow]:
    """Ladder rows of a threshold table, from the top level down, plus level 0."""
    rows = [LadderRow(level=int(b.level), text=text(b), success_percent=float(b.success_percent),
                      reached=reached is not None and reached >= b.level,
                      defined=int(b.level) not in undefined)
            for b in bands.bands]
    lowest = bands.bands[-1]
    rows.append(LadderRow(level=int(bands.below_level),
                          text=f"ต่ำกว่า {lowest.at_least:g}", success_percent=0.0,
                          reached=reached is not None and reached >= bands.below_level,
                          defined=int(bands.below_level) not in undefined))
    return rows


def target_ladder(met_text: str, missed_text: str, reached: Any, defined: bool = True
                  ) -> list[LadderRow]:
    """The two-row ladder of a KPI judged only against its target (no levels)."""
    return [LadderRow(level=1, text=met_text, success_percent=None, reached=bool(reached),
                      defined=defined),
            LadderRow(level=0, text=missed_text, success_percent=None, reached=True,
                      defined=defined)]


def undefined_rows(ctx: Context, level: float | None, defined_levels: Sequence[int],
                   undefined: Sequence[int], choice: str) -> tuple[float | None, list[Flag]]:
    """Apply §G.6 to a level: flag it (default) or cap it at the highest defined level.

    Returns the level under ``choice`` and the flags to show.
    """
    if level is None or int(level) not in set(undefined):
        return level, []
    if choice == "flag":
        return level, [Flag("undefined_rubric_row",
                            f"ระดับ {level:g} อาศัยเกณฑ์ที่เอกสารต้นฉบับไม่ได้กำหนดไว้ "
                            f"(KPI_SPEC §G.6): ต้องยืนยันเกณฑ์กับผู้ประเมินก่อนใช้ผลนี้")]
    lower = [lv for lv in defined_levels if lv <= level]
    capped = float(max(lower)) if lower else None
    return capped, [Flag("capped_at_defined_row",
                         f"ระดับถูกจำกัดไว้ที่ระดับสูงสุดที่เอกสารกำหนดเกณฑ์ไว้ "
                         f"({'ไม่มี' if capped is None else f'{capped:g}'}) ตามตัวเลือก §G.6")]


def item(text: str, date: Any, status: str, source: str, level: int | None = None
         ) -> EvidenceItem:
    """An :class:`EvidenceItem` with the date as ``YYYY-MM-DD`` (or None)."""
    iso = None
    if date is not None and not (isinstance(date, float) and math.isnan(date)):
        try:
            import pandas as pd

            ts = pd.Timestamp(date)
            iso = None if pd.isna(ts) else ts.date().isoformat()
        except (TypeError, ValueError):
            iso = str(date)
    return EvidenceItem(item=str(text), date=iso, status=status, source=source, level=level)
