"""Engine of evidence-checklist KPIs: seed 001's efficiency KPI of the PR office (§D3).

The value is the checklist score as a percent of the rubric's total (001:12: 100 คะแนน); the
target is the entry's (001:1: ร้อยละ 100). Optional inputs are analysed beside it and never
change the value: the Line BMA issue log (role ``issue_log``, with the agency list
``agencies``) and the dated monthly status notes (role ``notes``), each note shown with the
checklist score its date supported.
"""

from __future__ import annotations

import unicodedata
from fractions import Fraction
from typing import Any

from ..result import Flag
from ..rubric.checklist import (
    checklist_forms,
    points_at,
    read_checklist,
    read_status_notes,
    score_checklist,
)
from ..tables import table_ref
from ._context import Context, Outcome, item, target_ladder

__all__ = ["evaluate"]

_DONE_TH = {True: "ดำเนินการแล้ว", False: "ยังไม่ดำเนินการ"}


def _shorten(text: str, width: int = 160) -> str:
    """The first ``width`` characters of a note (never cutting a Thai mark from its letter);
    the whole note is in ``details["timeline"]``."""
    if len(text) <= width:
        return text
    cut = width
    while cut < len(text) and unicodedata.category(text[cut]) in ("Mn", "Mc"):
        cut += 1
    return text[:cut].rstrip() + " …"


def evaluate(ctx: Context) -> Any:
    """Score the checklist; analyse the issue log and the status notes when they are given."""
    kpi = ctx.kpi
    p = kpi.rubric_params
    forms = checklist_forms(p, kpi.code)
    out_of = float(p["out_of"])
    src = ctx.input("checklist")
    checklist = read_checklist(table_ref(src), list(forms))
    as_of = ctx.options.get("as_of")
    s = score_checklist(checklist, forms, out_of=out_of, target=kpi.target, as_of=as_of)
    n_complete = sum(f.complete for f in s.forms)

    def score(rules: dict[str, str]) -> tuple[Outcome, list[Flag]]:
        flags = [Flag("form_scored_when_complete",
                      "แบบฟอร์ม/หลักฐานแต่ละรายการได้คะแนนเต็มส่วนของตนเมื่อหลักฐานทุกชิ้นที่ระบุไว้"
                      "ดำเนินการแล้ว และไม่ได้คะแนนหากยังขาดชิ้นใดชิ้นหนึ่ง (สมมติฐาน: เอกสารต้นฉบับ "
                      "001:12–13 ไม่ได้กำหนดคะแนนบางส่วน)")]
        percent = s.percent
        if s.weights_from_file:
            flags.insert(0, Flag("weights_from_agency_file",
                                 "คะแนนของแต่ละแบบฟอร์มใช้ตามน้ำหนักในไฟล์ของหน่วยงาน ("
                                 + ", ".join(f"รายการที่ {f.form} = {f.share:g}"
                                             for f in s.forms)
                                 + f" คะแนน รวม {s.out_of:g}) เพราะเอกสารต้นฉบับไม่ได้กำหนดไว้"))
        elif rules["undefined_rubric_rows"] == "flag":
            flags.insert(0, Flag("assumed_equal_shares",
                                 f"เอกสารต้นฉบับให้คะแนนรวม {s.out_of:g} คะแนนจากหลักฐาน "
                                 f"{len(s.forms)} รายการ (001:12–13) แต่ไม่ได้กำหนดคะแนนของแต่ละ"
                                 f"รายการ: ใช้ส่วนเท่ากัน รายการละ {s.out_of / len(s.forms):g} "
                                 f"คะแนน (สมมติฐาน, KPI_SPEC §D3 และ §G.6)"))
        else:  # cap_at_defined: only the figures the source defines (all evidence = total)
            percent = 100.0 if s.complete else 0.0
            flags.insert(0, Flag("capped_at_defined_row",
                                 "ใช้เฉพาะคะแนนที่เอกสารกำหนดไว้ตามตัวเลือก §G.6: หลักฐานครบทุก"
                                 f"รายการ = {s.out_of:g} คะแนน ไม่ครบ = 0 (ไม่แบ่งคะแนนรายการ)"))
        met = Fraction(repr(percent)) >= Fraction(repr(float(kpi.target)))
        text = (f"ร้อยละ {percent:g} ({percent * s.out_of / 100:g} จาก {s.out_of:g} คะแนน; "
                f"หลักฐานครบ {n_complete} จาก {len(s.forms)} รายการ)")
        return Outcome(value=percent, value_text=text, level=None, points=None,
                       target_met=bool(met)), flags

    outcome, flags = score(ctx.rules)
    alternatives = ctx.alternatives(lambda r: score(dict(r))[0], outcome,
                                    ["undefined_rubric_rows"])
    ladder = target_ladder(f"ร้อยละ {kpi.target:g} ขึ้นไป (ค่าเป้าหมาย)",
                           f"ต่ำกว่าร้อยละ {kpi.target:g}", bool(outcome.target_met))
    items = [item(f"แบบฟอร์ม/หลักฐานรายการที่ {f}: {t}", d, _DONE_TH[bool(ok)], src.relpath)
             for f, t, ok, d in zip(checklist["form"], checklist["item"], checklist["done"],
                                    checklist["date"], strict=True)]
    rows = {src.relpath: (len(checklist), len(checklist))}
    details: dict[str, Any] = {
        "points": s.points, "out_of": s.out_of, "forms_complete": n_complete,
        "weights": "agency_file" if s.weights_from_file else "equal_shares",
        "forms": [f.to_dict() for f in s.forms],
    }

    notes_in = ctx.input("notes")
    if notes_in is not None:
        notes = read_status_notes(table_ref(notes_in), ctx.fiscal_year)
        rows[notes_in.relpath] = (len(notes), len(notes))
        if as_of is not None:
            from ..rubric._inputs import _as_of

            notes = notes[notes["date"] <= _as_of(as_of)]
        at = points_at(checklist, forms, list(notes["date"]), out_of=out_of)
        details["timeline"] = [{"date": d.date().isoformat(), "note": n, "points": pts}
                               for d, n, pts in zip(notes["date"], notes["note"], at,
                                                    strict=True)]
        items += [item(f"บันทึกความก้าวหน้า: {_shorten(n)}", d,
                       f"คะแนนหลักฐาน ณ วันนั้น {pts:g} จาก {out_of:g}", notes_in.relpath)
                  for d, n, pts in zip(notes["date"], notes["note"], at, strict=True)]

    log_in = ctx.input("issue_log")
    if log_in is not None:
        from ..issue_log import read_agencies, read_issue_log, summarise_issue_log

        agencies_in = ctx.input("agencies")
        agencies = None
        if agencies_in is not None:
            agencies = read_agencies(table_ref(agencies_in))
            rows[agencies_in.relpath] = (len(agencies), len(agencies))
        log = read_issue_log(table_ref(log_in), fiscal_year=ctx.fiscal_year, agencies=agencies)
        rows[log_in.relpath] = (len(log), len(log))
        details["issue_log"] = summarise_issue_log(log, ctx.fiscal_year)

    missing = list(s.missing)
    return ctx.result(outcome, ladder=ladder, items=items, missing=missing, flags=flags,
                      alternatives=alternatives, evidence=ctx.evidence(rows), details=details)
