"""Engine of the awareness KR (seed 000): the seed's formula as the official value (§G.4),
the raked design-based estimate of the field probability sample beside it."""

from __future__ import annotations

from typing import Any

from .. import awareness as aw
from ..result import Flag, Uncertainty
from ..tables import table_ref
from ._context import Context, Outcome, target_ladder
from ._survey import count_uncertainty

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Aware respondents × 100 / target-group respondents, and the population estimate."""
    kpi = ctx.kpi
    survey, margins = ctx.input("survey"), ctx.input("margins")
    data = aw.read_awareness_survey(table_ref(survey), table_ref(margins))
    confidence = float(ctx.options["confidence"])
    analysis = aw.analyse_awareness(data, target=float(kpi.target), confidence=confidence,
                                    ci_method=str(ctx.options["design_ci_method"]))
    est = analysis.overall
    aware = data.frame["aware"].astype(bool)
    n, b = len(aware), int(aware.sum())
    target = float(kpi.target)
    population = Uncertainty(
        estimate=est.estimate * 100, ci_low=est.ci.low * 100, ci_high=est.ci.high * 100,
        confidence=confidence, method=est.method, p_target_met=analysis.test.p_target_met,
        estimator="ตัวอย่างลงพื้นที่ (ตัวอย่างความน่าจะเป็น) ถ่วงน้ำหนักให้ตรงกับโครงสร้างประชากร",
        n=int(est.n), design_effect=float(est.deff))

    def score(rules: dict[str, str]) -> Outcome:
        if rules["awareness_formula"] == "all_respondents":
            pct = b * 100 / n
            text = (f"ร้อยละ {pct:.2f} (ผู้รับรู้ {b:,} จากผู้ตอบ {n:,} คน ทุกรอบ "
                    f"ทุกวิธีเก็บข้อมูล)")
        else:
            pct = population.estimate
            text = (f"ร้อยละ {pct:.2f} (ค่าประมาณจากตัวอย่างลงพื้นที่ {est.n:,} คน "
                    f"ถ่วงน้ำหนัก)")
        return Outcome(value=pct, value_text=text, level=None, points=None,
                       target_met=pct >= target)

    outcome = score(ctx.rules)
    alternatives = ctx.alternatives(lambda r: score(dict(r)), outcome, ["awareness_formula"])
    official = ctx.rules["awareness_formula"] == "all_respondents"
    uncertainty = (count_uncertainty(b, n, target, method=str(ctx.options["ci_method"]),
                                     confidence=confidence,
                                     estimator="ผู้รับรู้ × 100 / ผู้ตอบทั้งหมด (สูตรของเอกสาร, §G.4)")
                   if official else population)
    flags = []
    if (population.estimate >= target) != (b * 100 / n >= target):
        flags.append(Flag("estimators_disagree",
                          "สูตรของเอกสาร (ผู้ตอบทุกคน) และค่าประมาณจากตัวอย่างความน่าจะเป็นให้ข้อสรุป"
                          "เรื่องการบรรลุค่าเป้าหมายต่างกัน: ตัวอย่างออนไลน์และกลุ่มสนทนาไม่ได้สุ่มจากประชากร"))
    ladder = target_ladder(f"ร้อยละ {target:g} ขึ้นไป (ค่าเป้าหมาย)",
                           f"ต่ำกว่าร้อยละ {target:g}", bool(outcome.target_met))
    rounds = sorted(int(r) for r in data.frame["round"].unique())
    return ctx.result(
        outcome, ladder=ladder, uncertainty=uncertainty,
        population_estimate=population if official else None,
        alternatives=alternatives, flags=flags,
        periods=[f"รอบที่ {r}" for r in rounds],
        missing=[] if outcome.target_met else [f"ต่ำกว่าค่าเป้าหมายร้อยละ {target:g}"],
        evidence=ctx.evidence({survey.relpath: (n, n),
                               margins.relpath: (len(data.margins), len(data.margins))}),
        details={"n_respondents": n, "n_aware": b, "n_field": int(est.n),
                 "n_by_mode": dict(sorted(aw.shown_mode_counts(data, analysis).items())),
                 "p_value_below_target": analysis.test.p_value})
