"""Engine of count KPIs: committees with a citizen share (5.2.1.2) and counts against a
target (5.3.1.2, 5.3.1.3, 7.5.4.1)."""

from __future__ import annotations

from typing import Any

from ..rubric import score_committee_share, score_count_target
from ..tables import table_ref
from ._context import Context, Outcome, target_ladder

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Count what the file says and compare with the catalog's target."""
    kpi = ctx.kpi
    p = kpi.rubric_params
    target = int(kpi.target)
    if kpi.rubric_kind == "committee_share":
        src = ctx.input("committees")
        s = score_committee_share(table_ref(src), min_share=float(p["min_share"]), target=target)
        text = (f"{s.count:,} คณะ จาก {s.out_of or 0:,} คณะ มีสัดส่วนภาคประชาชนอย่างน้อย "
                f"ร้อยละ {float(p['min_share']):g}")
    else:
        src = ctx.input("items")
        s = score_count_target(table_ref(src), target, out_of=p.get("out_of"),
                               column=str(p["column"]))
        pool = f" จาก {s.out_of:,}" if s.out_of else ""
        text = f"{s.count:,}{pool} {kpi.unit}"
    outcome = Outcome(value=float(s.count), value_text=text, level=None, points=None,
                      target_met=bool(s.target_met))
    ladder = target_ladder(f"อย่างน้อย {target:,} {kpi.unit} (ค่าเป้าหมาย)",
                           f"น้อยกว่า {target:,} {kpi.unit}", bool(s.target_met))
    n_rows = len(s.detail) if s.detail is not None else int(s.out_of or s.count)
    missing = [f"ขาดอีก {s.shortfall:,} {kpi.unit}"] if s.shortfall else []
    return ctx.result(outcome, ladder=ladder, missing=missing,
                      evidence=ctx.evidence({src.relpath: (n_rows, n_rows)}),
                      details={"count": s.count, "out_of": s.out_of, "shortfall": s.shortfall})
