"""The generic KPI report, as escaped HTML pieces built from a :class:`KPIResult` only.

Every report (rubric, satisfaction, awareness) starts with these pieces — headline, data
status, level ladder, evidence and timeline, flags and rule choices, provenance — so every
KPI reads the same way; the survey reports add their own sections after them. Nothing here
computes a figure: it formats what the result holds. Every data-derived string is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .result import DATA_STATUS_TH, KPIResult
from .rules import RULES

__all__ = [
    "alternatives_text",
    "csv_download",
    "plain_summary",
    "target_text",
    "refuse_unknown_parameters",
    "check_line",
    "data_status_banner",
    "evidence_table",
    "flags_list",
    "headline",
    "ladder_table",
    "provenance_table",
    "rounds_table",
    "rules_table",
    "thai_date",
    "timeline",
    "trend_table",
    "title",
]

_MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
              "พ.ย.", "ธ.ค.")
_MET = {True: "✓ บรรลุค่าเป้าหมาย", False: "✗ ไม่บรรลุค่าเป้าหมาย", None: "ยังสรุปไม่ได้"}


_SESSION_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


def refuse_unknown_parameters(namespace: dict[str, Any], declared: set[str]) -> None:
    """Fail on a name Papermill injected that the ``parameters`` cell does not declare.

    Papermill only warns about an unknown parameter (``-p ci_methd …``) and the report then
    silently uses the default; a report notebook calls this first to make it an error.
    ``declared`` is ``set(globals())`` taken at the end of the parameters cell.
    """
    unknown = sorted(n for n in set(namespace) - set(declared)
                     if not n.startswith("_") and n not in _SESSION_NAMES)
    if unknown:
        known = sorted(n for n in declared if not n.startswith("_") and n not in _SESSION_NAMES)
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; this notebook declares "
                         f"{', '.join(known)}")


def _e(value: Any) -> str:
    return html.escape(str(value))


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str], css: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{_e(c)}</td>" for c in r)
                   + "</tr>" for r in rows)
    cls = f" class='{css}'" if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def csv_download(rows: Sequence[Sequence[Any]], header: Sequence[str], filename: str,
                 label: str = "ดาวน์โหลดตารางนี้ (CSV)") -> str:
    """A link that saves the table as a UTF-8 CSV (with BOM, so Excel reads the Thai).

    The data travel inside the link (a ``data:`` URL): the report stays one offline file.
    """
    import csv
    import io
    from urllib.parse import quote

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    href = "data:text/csv;charset=utf-8," + quote("\ufeff" + buf.getvalue())
    return (f"<p class='kpi-download'><a download='{_e(filename)}' href='{href}'>"
            f"{_e(label)}</a></p>")


def target_text(result: KPIResult) -> str:
    """The target in words: ``ค่าเป้าหมายระดับ 5``, ``ค่าเป้าหมายร้อยละ 80``, ``ค่าเป้าหมาย 77 คณะ``."""
    if result.target_unit in ("ระดับ", "ร้อยละ"):
        return f"ค่าเป้าหมาย{result.target_unit} {result.target:g}"
    return f"ค่าเป้าหมาย {result.target:g} {result.target_unit}"


def plain_summary(result: KPIResult) -> str:
    """Two or three plain Thai sentences: what was measured, the result against the target,
    and what to look at."""
    what = f"รายงานนี้แสดงผลตัวชี้วัด “{result.name_th}” ของ{result.agency} ปีงบประมาณ " \
           f"{result.fiscal_year}"
    if result.periods:
        what += f" ({' และ '.join(result.periods)})"
    verdict = {True: "บรรลุค่าเป้าหมาย", False: "ยังไม่บรรลุค่าเป้าหมาย",
               None: "ยังสรุปไม่ได้ว่าบรรลุค่าเป้าหมายหรือไม่"}[result.target_met]
    score = ""
    if result.level is not None:
        score = f" ได้ระดับ {result.level:g} จาก {result.level_max}"
    if result.points is not None and result.weight is not None:
        score += f" คิดเป็น {result.points:g} จาก {result.weight:g} คะแนน"
    outcome = f"ผลที่ได้คือ {result.value_text} ซึ่ง{verdict} ({target_text(result)}){score}"
    flags = [f for f in result.flags if f.code != "sample_data"]
    u = result.uncertainty
    if result.alternatives:
        a = result.alternatives[0]
        look = (f"ควรดูหัวข้อข้อสังเกตและกฎที่ใช้: หากใช้กฎ §{RULES[a.rule].section} แบบอื่น "
                f"ผลจะเปลี่ยนเป็น {a.value_text}")
    elif flags:
        look = f"ควรดู: {flags[0].message_th}"
    elif u is not None and u.p_target_met is not None and 0.05 < u.p_target_met < 0.95:
        look = ("ควรดูช่วงความเชื่อมั่น: ค่าจริงอาจอยู่ได้ทั้งสองฝั่งของค่าเป้าหมาย "
                f"(โอกาสถึงค่าเป้าหมาย ≈ {u.p_target_met:.0%})")
    elif result.missing:
        look = f"สิ่งที่ยังขาด: {result.missing[0]}"
    else:
        look = "ดูหลักฐานประกอบในหัวข้อหลักฐานและลำดับเหตุการณ์"
    status = (" ข้อมูลในรายงานนี้เป็นข้อมูลตัวอย่าง (สังเคราะห์) ไม่ใช่ผลจริงของหน่วยงาน"
              if result.data_status == "sample" else "")
    return (f"<div class='kpi-summary'><p>{_e(what)} {_e(outcome)}</p>"
            f"<p>{_e(look)}{_e(status)}</p></div>")


def thai_date(iso: str | None) -> str:
    """``2024-09-27`` → ``27 ก.ย. 2567`` (Buddhist Era); ``–`` when missing."""
    if not iso:
        return "–"
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{d} {_MONTHS_TH[m - 1]} {y + 543}"


def title(result: KPIResult) -> str:
    """Markdown title: the Thai name, then code, agency and fiscal year."""
    abbr = f" ({_e(result.agency_abbreviation)})" if result.agency_abbreviation else ""
    periods = f" · {_e(' '.join(result.periods))}" if result.periods else ""
    return (f"# {_e(result.name_th)}\n\n"
            f"ตัวชี้วัดรหัส <code>{_e(result.kpi)}</code> · {_e(result.agency)}{abbr} · "
            f"ปีงบประมาณ พ.ศ. {result.fiscal_year}{periods}")


def data_status_banner(result: KPIResult) -> str:
    """A coloured banner saying whether the data is the bundled sample (§G.7)."""
    colour = "#fde2e1" if result.data_status == "sample" else "#e6f2e6"
    return (f"<div class='kpi-status' style='background:{colour};padding:0.5em 1em;"
            f"border-radius:4px'><b>สถานะข้อมูล:</b> "
            f"{_e(DATA_STATUS_TH.get(result.data_status, result.data_status))}</div>")


def headline(result: KPIResult) -> str:
    """The headline block: value, level, points, target and whether it is met."""
    rows = [("ผลการดำเนินงาน", result.value_text)]
    if result.level is not None:
        rows.append(("ระดับ", f"{result.level:g} จาก {result.level_max}"))
    if result.points is not None and result.weight is not None:
        rows.append(("คะแนน", f"{_num(result.points)} จาก {_num(result.weight)} (น้ำหนัก)"))
    rows.append(("ค่าเป้าหมาย", f"{target_text(result)} — {_MET[result.target_met]}"))
    if "satisfaction_points" in result.details:  # the IT composite: both halves, out of 10
        d = result.details
        rows.insert(1, ("คะแนนสองส่วน (§G.5)",
                        f"ความพึงพอใจ {d['satisfaction_points']:g} จาก 5 + SLA "
                        f"{d['sla_points']:g} จาก 5 = {d['points_out_of_10']:g} จาก 10"))
    u = result.uncertainty
    if u is not None:
        chance = ("" if u.p_target_met is None
                  else f"; โอกาสที่ค่าจริงถึงเกณฑ์ค่าเป้าหมาย ≈ {u.p_target_met:.1%}")
        rows.append((f"ช่วงความเชื่อมั่น {u.confidence:.0%}",
                     f"{u.ci_low:.2f}–{u.ci_high:.2f} ({u.method}){chance}"))
    p = result.population_estimate
    if p is not None:
        chance = "" if p.p_target_met is None else f"; โอกาสถึงค่าเป้าหมาย ≈ {p.p_target_met:.1%}"
        rows.append(("ค่าประมาณของประชากร (ประกอบ)",
                     f"ร้อยละ {p.estimate:.2f} ({p.ci_low:.2f}–{p.ci_high:.2f}); {p.estimator}"
                     f"{chance}"))
    body = "".join(f"<tr><th style='text-align:left'>{_e(k)}</th><td>{_e(v)}</td></tr>"
                   for k, v in rows)
    colour = {True: "#2166ac", False: "#b2182b", None: "#555"}[result.target_met]
    return (f"<div class='kpi-headline' style='border-left:6px solid {colour};padding-left:"
            f"0.8em'><table>{body}</table></div>")


def ladder_table(result: KPIResult) -> str:
    """The rubric's rows in its own words, marking where the KPI stands."""
    if not result.ladder:
        return "<p>ตัวชี้วัดนี้ไม่มีตารางระดับ</p>"
    rows = []
    current = max((r.level for r in result.ladder if r.reached), default=None)
    for r in result.ladder:
        mark = "◀ ผลที่ได้" if r.level == current and result.level is not None else ""
        if result.level is None and r.reached and r.level == current:
            mark = "◀ ผลที่ได้"
        defined = "" if r.defined or "ไม่ได้กำหนด" in r.text else " (เอกสารไม่ได้กำหนด)"
        sp = "" if r.success_percent is None else f"{r.success_percent:g}"
        rows.append((r.level, r.text + defined, sp, mark))
    return _table(rows, ["ระดับ", "เกณฑ์", "ร้อยละความสำเร็จ", ""], "kpi-ladder")


def evidence_table(result: KPIResult) -> str:
    """Evidence items: item, date (BE), status, source file."""
    if not result.items:
        return "<p>ไม่มีรายการหลักฐานรายข้อสำหรับตัวชี้วัดนี้ (ผลคำนวณจากไฟล์ข้อมูลในหมายเหตุวิธีการ)</p>"
    rows = [("" if i.level is None else i.level, i.item, thai_date(i.date), i.status, i.source)
            for i in result.items]
    header = ["ระดับ", "รายการ", "วันที่", "สถานะ", "ไฟล์"]
    return (_table(rows, header, "kpi-evidence")
            + csv_download(rows, header, f"{result.stem}_evidence.csv"))


def timeline(result: KPIResult) -> str:
    """Dated evidence as a timeline (oldest first); empty text when nothing is dated."""
    dated = sorted((i for i in result.items if i.date), key=lambda i: i.date or "")
    if not dated:
        return ""
    li = "".join(f"<li><b>{_e(thai_date(i.date))}</b> — {_e(i.item)} ({_e(i.status)})</li>"
                 for i in dated)
    return f"<ol class='kpi-timeline'>{li}</ol>"


def flags_list(result: KPIResult) -> str:
    """The result's flags as a list (each a Thai sentence)."""
    if not result.flags:
        return "<p>ไม่มีข้อสังเกต</p>"
    return "<ul class='kpi-flags'>" + "".join(f"<li>⚠ {_e(f.message_th)}</li>"
                                             for f in result.flags) + "</ul>"


def rules_table(result: KPIResult) -> str:
    """The §G rule choices applied, marking the official ones."""
    rows = [(f"§{r.section}", r.rule, r.choice, "ทางการ" if r.official else "ทางเลือก",
             r.description_th) for r in result.rules]
    return _table(rows, ["ข้อ", "กฎ", "ตัวเลือกที่ใช้", "สถานะ", "ความหมาย"], "kpi-rules")


def alternatives_text(result: KPIResult) -> str:
    """Side by side: the result as applied and under each alternative that changes it, with
    one sentence saying which is official and why."""
    if not result.alternatives:
        return ("<p>ตัวเลือกอื่นของกฎที่เกี่ยวข้องไม่เปลี่ยนระดับ คะแนน หรือการบรรลุค่าเป้าหมาย</p>")
    applied = {r.rule: r for r in result.rules}
    rows = [("ตามที่ใช้ในรายงานนี้", "", result.value_text,
             "–" if result.level is None else f"{result.level:g}", _num(result.points),
             _MET[result.target_met])]
    notes = []
    for a in result.alternatives:
        rows.append((f"§{RULES[a.rule].section} {a.rule} = {a.choice}", RULES[a.rule].choices[
            a.choice], a.value_text, "–" if a.level is None else f"{a.level:g}",
            _num(a.points), _MET[a.target_met]))
        rule = RULES[a.rule]
        used = applied.get(a.rule)
        which = "ตัวเลือกที่ใช้ในรายงานนี้" if used and used.official else f"ตัวเลือก {rule.official}"
        notes.append(f"<li>§{rule.section}: {_e(which)} เป็นค่าทางการ เพราะ{_e(rule.why_th)}</li>")
    return (_table(rows, ["ผลภายใต้", "ความหมาย", "ค่าที่ได้", "ระดับ", "คะแนน", "ค่าเป้าหมาย"],
                   "kpi-alternatives") + "<ul>" + "".join(notes) + "</ul>")


def rounds_table(result: KPIResult) -> str:
    """Each survey round on its own (§G.2)."""
    if not result.rounds:
        return ""
    rows = [(f"รอบที่ {r.round}", f"{r.n_forms:,}", f"{r.n_counted:,}",
             f"{r.n_high_or_above:,}", "–" if r.percent is None else f"{r.percent:.2f}",
             "–" if r.level is None else f"{r.level:g}") for r in result.rounds]
    header = ["รอบ", "แบบสอบถาม", "นับใน C", "B", "A (ร้อยละ)", "ระดับ (รอบเดียว)"]
    return (_table(rows, header, "kpi-rounds")
            + csv_download(rows, header, f"{result.stem}_rounds.csv"))


def trend_table(results: Sequence[KPIResult]) -> str:
    """One row per fiscal year (oldest first): value, interval, level, each round's A."""
    if len(results) < 2:
        return ("<p>ยังไม่มีข้อมูลปีงบประมาณก่อนหน้าในแค็ตตาล็อก จึงยังแสดงแนวโน้มไม่ได้</p>")
    rows = []
    for r in sorted(results, key=lambda r: r.fiscal_year):
        u = r.uncertainty
        ci = "–" if u is None else f"{u.ci_low:.2f}–{u.ci_high:.2f}"
        per_round = "; ".join(f"รอบที่ {x.round}: {x.percent:.2f}" for x in r.rounds
                              if x.percent is not None)
        rows.append((r.fiscal_year, "–" if r.value is None else f"{r.value:.2f}", ci,
                     "–" if r.level is None else f"{r.level:g}", per_round,
                     {True: "บรรลุ", False: "ไม่บรรลุ", None: "–"}[r.target_met]))
    header = ["ปีงบประมาณ", "ค่าที่ได้", "ช่วงความเชื่อมั่น", "ระดับ", "รายรอบ", "ค่าเป้าหมาย"]
    return (_table(rows, header, "kpi-trend")
            + csv_download(rows, header, f"{results[-1].stem}_trend.csv"))


def provenance_table(result: KPIResult) -> str:
    """Input files (relative to the data root) with SHA-256 and rows read / used."""
    rows = [(f.path, f.role + ("" if f.round is None else f" รอบ {f.round}"), f.sha256[:12],
             f"{f.rows_read:,}", f"{f.rows_used:,}") for f in result.evidence]
    return (_table(rows, ["ไฟล์", "บทบาท", "SHA-256 (12 หลักแรก)", "แถวที่อ่าน", "แถวที่ใช้"],
                   "kpi-provenance")
            + f"<p>kpianalysis {_e(result.package_version)} · schema {result.schema_version}"
              f" · สร้างเมื่อ {_e(result.built_at)}</p>")


def check_line(result: KPIResult) -> str:
    """One stable line of the key values (compared by the notebook regression tests)."""
    lvl = "-" if result.level is None else f"{result.level:g}"
    pts = "-" if result.points is None else f"{result.points:g}"
    val = "-" if result.value is None else f"{result.value:.4f}"
    return (f"kpi={result.kpi} fy={result.fiscal_year} value={val} level={lvl} points={pts} "
            f"target_met={result.target_met} flags={','.join(f.code for f in result.flags)} "
            f"alternatives={','.join(f'{a.rule}={a.choice}' for a in result.alternatives)}")
