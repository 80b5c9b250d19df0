"""Engine of percentage KPIs against a target: step completion and training results."""

from __future__ import annotations

from typing import Any

from ..result import Flag
from ..rubric import score_step_completion, score_training
from ..rubric._inputs import read_csv_checked
from ..tables import table_ref
from ._context import Context, Outcome, item, target_ladder

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Steps done × 100 / planned steps, or trainees at ดี or better × 100 / trainees."""
    kpi = ctx.kpi
    p = kpi.rubric_params
    if kpi.rubric_kind == "step_completion":
        src = ctx.input("steps")
        s = score_step_completion(table_ref(src), target=float(kpi.target))
        what = "ขั้นตอน"
        import pandas as pd

        steps = read_csv_checked(table_ref(src), src.relpath)
        done = set(s.met)
        items = [item(r["step"], _date(r.get("done_date") or r.get("planned_date")),
                      "ดำเนินการแล้ว" if r["step"] in done else "ยังไม่ดำเนินการ", src.relpath)
                 for _, r in steps.iterrows()]  # a handful of plan steps, not respondents
        details: dict[str, Any] = {"done": s.numerator, "planned": s.denominator}
    else:
        src = ctx.input("scores")
        s = score_training(table_ref(src), target=float(kpi.target),
                           pass_label=str(p["pass_label"]), bands=kpi.bands())
        what = "คน"
        items = []
        import pandas as pd

        scores = pd.to_numeric(read_csv_checked(table_ref(src))["score"], errors="coerce")
        at_50 = int(((scores >= 50) & (scores < 51)).sum())
        details = {"passed": s.numerator, "trainees": s.denominator,
                   "bands": s.detail if s.detail is not None else []}
    text = (f"ร้อยละ {s.percent:.2f} ({s.numerator:,} จาก {s.denominator:,} {what})")
    outcome = Outcome(value=s.percent, value_text=text, level=None, points=None,
                      target_met=bool(s.target_met))
    ladder = target_ladder(f"ร้อยละ {s.target:g} ขึ้นไป (ค่าเป้าหมาย)",
                           f"ต่ำกว่าร้อยละ {s.target:g}", bool(s.target_met))
    flags = []
    if kpi.rubric_kind == "training" and at_50:
        flags.append(Flag("boundary_not_in_source",
                          f"ผู้เข้ารับการอบรม {at_50} คนได้คะแนนระหว่าง 50 ถึงต่ำกว่า 51 ซึ่งเอกสาร"
                          f"ไม่ได้กำหนดช่วง (ต่ำกว่า 50 / 51–60): จัดเป็นควรปรับปรุงตาม KPI_SPEC §D"))
    missing = list(s.missing)
    if len(missing) > 20:
        missing = [*missing[:20], f"และอีก {len(missing) - 20} รายการ"]
    return ctx.result(outcome, ladder=ladder, items=items, missing=missing, flags=flags,
                      evidence=ctx.evidence({src.relpath: (s.denominator, s.denominator)}),
                      details=details)


def _date(text: Any) -> Any:
    from ..thaidate import parse_thai_date

    return parse_thai_date(text) if text else None
