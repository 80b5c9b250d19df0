"""Engine of count-band KPIs (seed 004 table ค item 3, the livable-city indicators)."""

from __future__ import annotations

from typing import Any

from ..rubric import count_livable_city_issues, score_count_bands
from ..rubric._inputs import read_csv_checked
from ..tables import table_ref
from ._context import Context, Outcome, band_ladder, item, undefined_rows
from .satisfaction import _requirements

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Count the issues with indicators and data; level from the count bands."""
    kpi = ctx.kpi
    bands = kpi.bands()
    total = int(kpi.rubric_params["total"])
    issues = ctx.input("issues")
    count = count_livable_city_issues(table_ref(issues))
    n_rows = len(read_csv_checked(table_ref(issues), issues.relpath))
    requires = [str(t) for t in kpi.rubric_params.get("top_level_requires") or ()]
    req = _requirements(ctx, requires)
    s = score_count_bands(count, bands=bands, total=total,
                          top_level_requires=[(c, ok) for c, ok, _ in req],
                          weight=float(kpi.weight or 1), target_level=int(kpi.target))
    text = f"{count} จาก {total} ประเด็นการพัฒนาที่มีตัวชี้วัดและข้อมูล"
    undefined = [int(v) for v in kpi.rubric_params.get("undefined_levels") or ()]
    defined = [int(b.level) for b in bands.bands if int(b.level) not in undefined]
    top = bands.bands[0]

    def score(rules: dict[str, str]) -> tuple[Outcome, list]:
        level, flags = undefined_rows(ctx, float(s.level), defined, undefined,
                                      rules["undefined_rubric_rows"])
        sp = s.success_percent if level == s.level else next(
            (b.success_percent for b in bands.bands if level is not None and b.level == level),
            0.0)
        return Outcome(value=float(count), value_text=text, level=level,
                       points=ctx.points(sp), target_met=bool(s.target_met)
                       and level == s.level), flags

    outcome, flags = score(ctx.rules)
    alternatives = ctx.alternatives(lambda r: score(dict(r))[0], outcome,
                                    ["undefined_rubric_rows"])

    def rung(b: Any) -> str:
        nxt = next((x for x in reversed(bands.bands) if x.level == b.level + 1), None)
        upper = f"–{nxt.at_least - 1:g}" if nxt is not None else ""
        text = f"{b.at_least:g}{upper} ประเด็น"
        if b is top and requires:
            text += " และ " + " และ ".join(requires)
        return text

    ev = ctx.input("evidence")
    rows = {issues.relpath: (n_rows, count)}
    if ev is not None:
        rows[ev.relpath] = (len(req), len(req))
    return ctx.result(
        outcome, level_max=int(top.level), evidence=ctx.evidence(rows),
        alternatives=alternatives, flags=flags,
        ladder=band_ladder(bands, s.level, rung, undefined), missing=s.missing,
        items=[item(c, d, "ดำเนินการแล้ว" if ok else "ยังไม่ดำเนินการ", ev.relpath if ev else "",
                    int(top.level)) for c, ok, d in req],
        details={"count": count, "total": total, "success_percent": s.success_percent})
