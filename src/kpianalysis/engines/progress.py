"""Engine of quarterly-progress KPIs (seed 003, campaign KPI 0411-2029)."""

from __future__ import annotations

from typing import Any

from .._validation import DataValidationError
from ..result import LadderRow
from ..rubric import read_progress, score_quarterly_progress
from ._context import Context, Outcome, item

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Cumulative result against the agency's plan per quarter of the Thai fiscal year."""
    kpi = ctx.kpi
    src = ctx.input("progress")
    frame = read_progress(src.path)
    s = score_quarterly_progress(frame, target=float(kpi.target))
    if s.fiscal_year is not None and int(s.fiscal_year) != ctx.fiscal_year:
        raise DataValidationError(
            f"the file reports fiscal year {s.fiscal_year} but KPI {kpi.code!r} is evaluated "
            f"for fiscal year {ctx.fiscal_year}", source=src.relpath, column="fiscal_year")
    q = s.quarters
    last = q.iloc[-1]
    text = (f"ร้อยละ {s.percent:.2f} ณ ไตรมาส {int(last['quarter'])} "
            f"(แผน ร้อยละ {float(last['plan_percent']):g})")
    outcome = Outcome(value=s.percent, value_text=text, level=None, points=None,
                      target_met=bool(s.target_met))
    items = []
    for _, r in q.iterrows():  # four quarters
        note = str(r.get("note", "") or "")
        score = r.get("quarter_score")
        status = (f"ผล ร้อยละ {float(r['actual_percent']):g} / แผน ร้อยละ "
                  f"{float(r['plan_percent']):g}")
        if score is not None and score == score:
            status += f"; คะแนนไตรมาส {float(score):g}"
        items.append(item(f"ไตรมาส {int(r['quarter'])}" + (f": {note}" if note else ""),
                          r.get("report_date"), status, src.relpath))
    ladder = [LadderRow(level=1, text=f"ร้อยละ {kpi.target:g} ภายในสิ้นปีงบประมาณ (ค่าเป้าหมาย)",
                        success_percent=None, reached=bool(s.target_met)),
              LadderRow(level=0, text=f"ต่ำกว่าร้อยละ {kpi.target:g}", success_percent=None,
                        reached=True)]
    return ctx.result(outcome, ladder=ladder, items=items,
                      periods=[f"ไตรมาส {int(x)}" for x in q["quarter"]],
                      missing=[f"ไตรมาส {b} ต่ำกว่าแผน" for b in s.behind_plan],
                      evidence=ctx.evidence({src.relpath: (len(frame), len(q))}),
                      details={"quarters": q, "fiscal_year_in_file": s.fiscal_year})
