"""Engine of the district development targets (seed 004:480-504): plan against actual.

The value is the share of (district, target row) pairs with a plan that reached it
(:func:`kpianalysis.district_targets.analyse_district_targets`). The seed prints no overall
target, so the result never says "met" or "not met" (``target_met`` is None) and carries a flag
saying so; the catalog's target of 100 % is the reading "every district reached every plan",
shown as a reference only.
"""

from __future__ import annotations

from typing import Any

from ..district_targets import analyse_district_targets, load_targets
from ..result import Flag
from ..tables import table_ref
from ._context import Context, Outcome

__all__ = ["NO_TARGET_FLAG", "evaluate"]

#: Flag code of a result whose source prints no overall target.
NO_TARGET_FLAG = "no_overall_target"


def evaluate(ctx: Context) -> Any:
    """Score the plan-and-actual file of the KPI's fiscal year."""
    src = ctx.input("district_targets")
    targets = load_targets()
    for host in targets["host"].unique():  # every H abbreviation names a catalog agency
        ctx.catalog.resolve_agency(str(host))
    a = analyse_district_targets(table_ref(src), targets, source=src.relpath)
    n_items = int(targets["number"].nunique())
    if a.percent is None:
        text = "ไม่มีคู่ (เขต × เป้าหมาย) ใดที่มีแผนมากกว่า 0 จึงคำนวณไม่ได้"
    else:
        text = (f"ร้อยละ {a.percent:.2f} ของคู่ (เขต × เป้าหมาย) ที่มีแผน ได้ผลถึงแผน "
                f"({a.n_achieved:,} จาก {a.n_with_target:,} คู่; {n_items} เป้าหมาย "
                f"{len(targets)} แถว × {len(a.districts)} เขต)")
    outcome = Outcome(value=a.percent, value_text=text, level=None, points=None,
                      target_met=None)
    flags = [Flag(NO_TARGET_FLAG,
                  "เอกสารต้นฉบับ (004:480-504) กำหนดเป้าหมายการพัฒนาเป็นรายข้อ แต่ไม่ได้กำหนดค่าเป้าหมาย"
                  "รวม จึงไม่สรุปว่าบรรลุหรือไม่: ร้อยละ 100 ที่แสดงคือกรณีทุกเขตได้ผลถึงแผนทุกข้อ "
                  "ใช้เป็นค่าอ้างอิงเท่านั้น (no overall target in the source)")]
    if a.n_without_target:
        flags.append(Flag("pairs_without_plan",
                          f"{a.n_without_target:,} คู่ (เขต × เป้าหมาย) มีแผนเป็น 0 คือข้อนั้นไม่ได้กำหนด"
                          f"เป้าหมายให้เขตนั้น จึงไม่นับในตัวหารของทุกสัดส่วน"))
    lagging = a.targets.head(5)
    missing = [f"ข้อ {r.item} {r.name_th}: ได้ผลถึงแผน {r.achieved:,} จาก {r.with_target:,} เขต"
               for r in lagging.itertuples() if r.achieved < r.with_target]
    details = {
        "formula": "achieved pairs × 100 / pairs with plan > 0; a pair is achieved when "
                   "actual >= plan (at_least rows) or actual <= plan (at_most rows); "
                   "achievement = min(actual / plan, 1) × 100",
        "pairs": a.n_pairs, "pairs_with_target": a.n_with_target,
        "pairs_achieved": a.n_achieved, "pairs_without_target": a.n_without_target,
        "target_rows": len(targets), "target_items": n_items,
        "districts_ranked": len(a.districts),
        "by_district": a.districts, "by_agency": a.agencies, "by_target": a.targets,
    }
    return ctx.result(outcome, missing=missing, flags=flags, details=details,
                      evidence=ctx.evidence({src.relpath: (a.n_pairs, a.n_with_target)}))
