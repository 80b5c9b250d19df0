"""Engine of milestone (success-level) KPIs: seed 002 social media, seed 004 GIS open data."""

from __future__ import annotations

from typing import Any

from ..result import LadderRow
from ..rubric import read_evidence, score_milestones
from ..tables import table_ref
from ._context import Context, Outcome, item, undefined_rows

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """The highest level whose criteria, and all lower levels', are met (§C)."""
    kpi = ctx.kpi
    n = int(kpi.rubric_params["n_levels"])
    undefined = [int(v) for v in kpi.rubric_params.get("undefined_levels") or ()]
    defined = [lv for lv in range(0, n + 1) if lv not in undefined]
    ev_in = ctx.input("evidence")
    evidence = read_evidence(table_ref(ev_in))
    s = score_milestones(evidence, as_of=ctx.options.get("as_of"), weight=1.0,
                         target_level=int(kpi.target), n_levels=n)

    def score(rules: dict[str, str]) -> tuple[Outcome, list]:
        level, flags = undefined_rows(ctx, float(s.level), defined, undefined,
                                      rules["undefined_rubric_rows"])
        sp = None if level is None else level * 100 / n
        text = (f"ระดับ {s.level} จาก {n}" if level == s.level
                else f"ระดับ {'—' if level is None else f'{level:g}'} จาก {n} "
                     f"(หลักฐานถึงระดับ {s.level})")
        return Outcome(value=level, value_text=text, level=level,
                       points=ctx.points(sp) if sp is not None else ctx.points(0),
                       target_met=level is not None and level >= kpi.target), flags

    outcome, flags = score(ctx.rules)
    alternatives = ctx.alternatives(lambda r: score(dict(r))[0], outcome,
                                    ["undefined_rubric_rows"])
    levels = {int(x["level"]): x["criterion"] for x in kpi.rubric_params["levels"]}
    ladder = [LadderRow(level=lv, text=levels[lv] or "(เอกสารต้นฉบับไม่ได้กำหนดเกณฑ์ของระดับนี้)",
                        success_percent=lv * 100 / n, reached=s.level >= lv,
                        defined=lv not in undefined)
              for lv in range(n, 0, -1)]
    items = [item(c, d, "ดำเนินการแล้ว" if m else "ยังไม่ดำเนินการ", ev_in.relpath, int(lv))
             for lv, c, m, d in zip(evidence["level"], evidence["criterion"], evidence["met"],
                                    evidence["date"], strict=True)]
    missing = [m.replace("level ", "ระดับ ", 1) for m in s.missing]
    return ctx.result(
        outcome, level_max=n, alternatives=alternatives, flags=flags, ladder=ladder,
        items=items, missing=missing,
        evidence=ctx.evidence({ev_in.relpath: (len(evidence), int(evidence["met"].sum()))}),
        details={"evidence_level": s.level, "n_levels": n})
