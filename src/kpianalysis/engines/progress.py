"""Engine of quarterly-progress KPIs (seed 003, campaign KPI 0411-2029)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._validation import DataValidationError
from ..result import Flag
from ..rubric import read_progress, score_quarterly_progress
from ..rubric._inputs import read_csv_checked
from ..tables import table_ref
from ._context import Context, Outcome, item, target_ladder

__all__ = ["evaluate", "read_sources"]


def read_sources(path: Any, source: str) -> pd.DataFrame:
    """Read the evidence-sources file of a campaign KPI (seed 003:73).

    Columns ``source_no`` (1, 2, …, unique), ``source`` (text), ``measure`` (a number or
    blank), ``unit``, ``status`` (done / pending …), ``date`` (BE or CE, Thai digits allowed).

    Raises
    ------
    DataValidationError
        A missing column, a repeated or non-integer ``source_no``, a ``measure`` that is not
        a number, an unreadable ``status`` or ``date`` (file, column and rows named).
    """
    from ..rubric._inputs import _boolean
    from ..thaidate import parse_thai_dates, thai_digits_to_ascii

    frame = read_csv_checked(path, source, "sources")
    nos = pd.to_numeric(frame["source_no"].map(thai_digits_to_ascii), errors="coerce")
    bad = nos.isna() | (nos != nos.round()) | nos.duplicated(keep=False)
    if bad.any():
        raise DataValidationError("source_no must be distinct whole numbers (1, 2, …)",
                                  source=source, column="source_no",
                                  rows=[int(i) + 1 for i in bad[bad].index])
    text = frame["measure"].map(thai_digits_to_ascii).str.replace(",", "").str.strip()
    measure = pd.to_numeric(text.replace("", None), errors="coerce")
    bad = measure.isna() & (text != "")
    if bad.any():
        raise DataValidationError("measure must be a number or blank", source=source,
                                  column="measure", rows=[int(i) + 1 for i in bad[bad].index])
    met = _boolean(frame, "status", source)
    dates = parse_thai_dates(frame["date"], source=source, column="date")
    return pd.DataFrame({"source_no": nos.astype(int), "source": frame["source"],
                         "measure": measure, "unit": frame["unit"], "met": met.to_numpy(),
                         "date": dates}).sort_values("source_no", ignore_index=True)


def evaluate(ctx: Context) -> Any:
    """Cumulative result against the agency's plan per quarter of the Thai fiscal year."""
    kpi = ctx.kpi
    src = ctx.input("progress")
    frame = read_progress(table_ref(src))
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
    flags, source_rows = [], {}
    sources = ctx.input("sources")
    if sources is not None:
        table = read_sources(table_ref(sources), sources.relpath)
        source_rows[sources.relpath] = (len(table), len(table))
        need = int(kpi.rubric_params.get("sources_required", len(table)))
        least = kpi.rubric_params.get("min_participation_activities")
        for r in table.itertuples():
            status = "ดำเนินการแล้ว" if r.met else "ยังไม่ดำเนินการ"
            if not pd.isna(r.measure):
                shown = (f"{r.measure:,.0f}" if float(r.measure).is_integer()
                         else f"{r.measure:,.2f}")
                status += f"; {shown} {r.unit}"
            items.append(item(f"แหล่งข้อมูลที่ {r.source_no}: {r.source}", r.date, status,
                              sources.relpath))
        missing_nos = sorted(set(range(1, need + 1)) - set(table["source_no"]))
        unmet = [int(n) for n in table.loc[~table["met"], "source_no"]]
        if least is not None:
            acts = table.loc[table["source_no"] == 3, "measure"]
            if acts.empty or pd.isna(acts.iloc[0]) or float(acts.iloc[0]) < float(least):
                unmet.append(3)
        if missing_nos or unmet:
            flags.append(Flag("evidence_source_missing",
                              f"แหล่งข้อมูลตามวิธีคำนวณ (003:73) ยังไม่ครบ: แหล่งที่ "
                              f"{', '.join(map(str, sorted(set(missing_nos + unmet))))}"))
    else:
        flags.append(Flag("evidence_source_missing",
                          "ไม่มีไฟล์หลักฐานของแหล่งข้อมูล 4 แหล่งตามวิธีคำนวณ (003:73)"))
    ladder = target_ladder(f"ร้อยละ {kpi.target:g} ภายในสิ้นปีงบประมาณ (ค่าเป้าหมาย)",
                           f"ต่ำกว่าร้อยละ {kpi.target:g}", bool(s.target_met))
    return ctx.result(outcome, ladder=ladder, items=items, flags=flags,
                      periods=[f"ไตรมาส {int(x)}" for x in q["quarter"]],
                      missing=[f"ไตรมาส {b} ต่ำกว่าแผน" for b in s.behind_plan],
                      evidence=ctx.evidence({src.relpath: (len(frame), len(q)), **source_rows}),
                      details={"quarters": q, "fiscal_year_in_file": s.fiscal_year,
                               "sources": table if sources is not None else []})
