"""The action-plan report: escaped HTML pieces from an :class:`ActionPlanStatus`.

:func:`kpianalysis.action_plan.assess_plan` gives every node of the plan its status from the
KPIs' results and sums the project tables; this module only formats that summary — the tree
with each node's status, the budget totals against the seed's printed ones, the project
tables, the KPIs without a catalog entry and what the transcription noted. Every string that
comes from the plan file, the catalog or a result is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .action_plan import FUNDING, STATUS_TH, ActionPlanStatus
from .report_pages import csv_download
from .result import DATA_STATUS_TH

__all__ = [
    "budget_totals_table",
    "check_line",
    "data_status_banner",
    "methods_text",
    "notes_list",
    "plain_summary",
    "projects_table",
    "target_mismatches_table",
    "title",
    "tree_table",
    "unlinked_kpis_table",
]

_MARK = {"met": "✓", "not_met": "✗", "undetermined": "?"}
_COLOUR = {"met": "#2166ac", "not_met": "#b2182b", "undetermined": "#666"}
_BASIS_TH = {
    "result": "จากผลของตัวชี้วัด",
    "children": "จากรายการย่อย",
    "kpis_only": "มีเพียงตัวชี้วัดเป็นหลักฐาน ไม่มีผลที่วัดค่าเป้าหมายของ KR โดยตรง",
    "no_catalog_entry": "ไม่มีในแคตตาล็อก",
    "no_result": "ไม่มีผล",
    "evaluation_failed": "ประเมินไม่สำเร็จ",
    "no_verdict": "ผลไม่ระบุการบรรลุ",
    "no_evidence": "ไม่มีหลักฐานในแผน",
}
_FLAG_TH = {
    "target_not_printed": "เอกสารไม่ได้พิมพ์ค่าเป้าหมาย",
    "kr_not_printed": "เอกสารไม่ได้ระบุว่ากลยุทธ์นี้อยู่ภายใต้ KR ใด",
    "tactic_not_printed": "เอกสารไม่ได้พิมพ์กลยุทธ์ของตัวชี้วัดนี้",
    "text_masked_in_seed": "ข้อความบางส่วนในเอกสารถูกปิดด้วย x",
    "two_targets_printed": "เอกสารพิมพ์ค่าเป้าหมายสองค่า",
    "no_kpi_printed": "เอกสารไม่ได้พิมพ์กลยุทธ์หรือตัวชี้วัดภายใต้ KR นี้",
    "numbered_differently": "เอกสารพิมพ์หมายเลขของรายการนี้ต่างกันในแต่ละที่",
}


def _e(value: Any) -> str:
    return html.escape(str(value))


def _baht(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _lines(lines: Sequence[int]) -> str:
    return "004:" + "–".join(str(x) for x in lines) if lines else "–"


def _table(rows: Sequence[Sequence[str]], header: Sequence[str], css: str) -> str:
    """A table whose cells are already-escaped HTML."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left;vertical-align:top'>{c}</td>"
                                     for c in r) + "</tr>" for r in rows)
    return f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def title(status: ActionPlanStatus) -> str:
    """Markdown title: the plan, the agency and the fiscal year."""
    abbr = f" ({_e(status.abbreviation)})" if status.abbreviation else ""
    return (f"# {_e(status.title_th)}: {_e(status.agency)}{abbr}\n\n"
            f"**Action-plan tree** · ยุทธศาสตร์ → วัตถุประสงค์ → ตัววัดผลหลัก (KR) → กลยุทธ์ → "
            f"ตัวชี้วัด → โครงการ · ปีงบประมาณ พ.ศ. {status.fiscal_year} · ถอดจาก "
            f"{_e(status.source)}")


def data_status_banner(status: ActionPlanStatus) -> str:
    """Where the tree and the results come from (§G.7): the tree is the seed's; the KPI
    results are the bundled sample, an agency's, or absent."""
    results = {"sample": DATA_STATUS_TH["sample"], "agency": DATA_STATUS_TH["agency"],
               "none": "ไม่มีผลตัวชี้วัด ทุกสถานะจึงยังสรุปไม่ได้"}[status.data_status]
    colour = "#fde2e1" if status.data_status == "sample" else "#e6f2e6"
    return (f"<div class='kpi-status' style='background:{colour};padding:0.5em 1em;"
            f"border-radius:4px'><b>สถานะข้อมูล:</b> โครงสร้างแผน ค่าเป้าหมาย และงบประมาณ "
            f"ถอดจากเอกสารต้นฉบับ ({_e(status.source)}); ผลตัวชี้วัดที่ใช้ตัดสินสถานะ: "
            f"{_e(results)}</div>")


def plain_summary(status: ActionPlanStatus) -> str:
    """Two or three plain Thai sentences: the KRs met, the budgets against the seed, the gaps."""
    kr = status.counts.get("kr", {})
    n_kr = sum(kr.values())
    first = (f"แผนปฏิบัติราชการของ{status.agency} ปีงบประมาณ {status.fiscal_year} มีตัววัดผลหลัก "
             f"(KR) {n_kr} รายการ: บรรลุ {kr.get('met', 0)} ไม่บรรลุ {kr.get('not_met', 0)} "
             f"และยังสรุปไม่ได้ {kr.get('undetermined', 0)} รายการ (KR ที่ไม่มีผลครบจะไม่ถือว่าบรรลุ)")
    ok = [t for t in status.totals if t.matches_printed]
    budgets = (f"งบประมาณรวมของตารางโครงการ {len(ok)} จาก {len(status.totals)} ตาราง "
               f"ตรงกับยอดที่เอกสารพิมพ์ (ไม่นับโครงการที่ไม่ได้รับงบประมาณ)")
    gaps = (f"ตัวชี้วัดในแผน {len(status.unlinked_kpis)} ตัวยังไม่มีในแคตตาล็อก จึงยังไม่มีผล"
            if status.unlinked_kpis else "ตัวชี้วัดทุกตัวในแผนมีในแคตตาล็อก")
    sample = (" ผลตัวชี้วัดมาจากข้อมูลตัวอย่าง (สังเคราะห์) ไม่ใช่ผลจริงของหน่วยงาน"
              if status.data_status == "sample" else "")
    return (f"<div class='kpi-summary'><p>{_e(first)}</p><p>{_e(budgets)} · {_e(gaps)}"
            f"{_e(sample)}</p></div>")


def _target_cell(node: dict[str, Any]) -> str:
    targets = node["targets"]
    if not targets:
        return "–" if node["kind"] not in ("kpi", "kr") else "<i>เอกสารไม่ได้พิมพ์</i>"
    parts = []
    for t in targets:
        fy = f"ปี {t['fiscal_year']}: " if t["fiscal_year"] else ""
        used = " <b>(ใช้ตัดสิน)</b>" if t["used"] and len(targets) > 1 else ""
        style = "" if t["used"] else " style='color:#666'"
        parts.append(f"<span{style}>{_e(fy)}{_e(t['text_th'])}{used}</span>")
    return "<br>".join(parts)


def _agencies_cell(node: dict[str, Any]) -> str:
    if node["kind"] != "kr":
        return ""
    host = ", ".join(node["host"]) or "–"
    support = ", ".join(node["support"]) or "–"
    return f"หลัก: {_e(host)}<br>สนับสนุน: {_e(support)}"


def _result_cell(node: dict[str, Any]) -> str:
    if not node["catalog_code"]:
        return "" if node["kind"] not in ("kpi", "kr") else "<i>ไม่มีในแคตตาล็อก</i>"
    value = f"<br>{_e(node['value_text'])}" if node["value_text"] else ""
    return f"<code>{_e(node['catalog_code'])}</code>{value}"


def tree_table(status: ActionPlanStatus) -> str:
    """The tree as an indented table: each node with its target, agencies, result and status."""
    rows = []
    for n in status.nodes:
        pad = 1.2 * n["depth"]
        mark = _MARK[n["status"]]
        colour = _COLOUR[n["status"]]
        projects = (f"<br><small>โครงการ {len(n['projects'])} รายการ</small>"
                    if n["projects"] else "")
        rows.append([
            _e(n["kind_th"]),
            f"<div style='padding-left:{pad:.1f}em'><b>{_e(n['label'])}</b> "
            f"{_e(n['text_th'])}{projects}</div>",
            _target_cell(n), _agencies_cell(n), _result_cell(n),
            f"<span style='color:{colour}'><b>{mark} {_e(STATUS_TH[n['status']])}</b></span>"
            f"<br><small>{_e(_BASIS_TH.get(n['basis'], n['basis']))}: "
            f"{_e(n['reason_th'])}</small>",
            _e(_lines(n["lines"]))])
    header = ["ระดับ", "รายการ", "ค่าเป้าหมาย", "หน่วยงาน", "ตัวชี้วัดในแคตตาล็อก / ผล",
              "สถานะ", "เอกสาร"]
    csv_rows = [(n["kind_th"], n["label"], n["text_th"],
                 " / ".join(t["text_th"] for t in n["targets"]),
                 n["catalog_code"] or "", n["value_text"], STATUS_TH[n["status"]],
                 n["reason_th"], _lines(n["lines"])) for n in status.nodes]
    return (_table(rows, header, "kpi-plan-tree")
            + csv_download(csv_rows, ["ระดับ", "รหัส", "ข้อความ", "ค่าเป้าหมาย",
                                      "ตัวชี้วัดในแคตตาล็อก", "ผล", "สถานะ", "เหตุผล",
                                      "บรรทัดในเอกสาร"], f"{status.stem}_tree.csv"))


def budget_totals_table(status: ActionPlanStatus) -> str:
    """Each project table's total (not-funded projects left out) against the seed's figure."""
    rows = []
    for t in status.totals:
        match = {True: "✓ ตรงกัน", False: "✗ ไม่ตรงกัน", None: "เอกสารไม่ได้พิมพ์ยอด"}[
            t.matches_printed]
        printed = "–" if t.printed_count is None else t.printed_count
        rows.append([
            _e(t.title_th), _e(f"{t.n_projects} ({printed})"),
            _e(_baht(t.total_baht)), _e(_baht(t.printed_total_baht)), _e(match),
            _e(f"{t.n_not_funded} รายการ, {_baht(t.not_funded_baht)} บาท"),
            _e(f"{t.n_pending} รายการ, {_baht(t.pending_baht)} บาท"),
            _e(f"{t.n_no_budget} รายการ")])
    header = ["ตาราง", "จำนวนโครงการ (ที่เอกสารพิมพ์)", "งบประมาณรวม (บาท)",
              "ยอดที่เอกสารพิมพ์ (บาท)", "ตรวจสอบ", "ไม่ได้รับงบประมาณ (ไม่นับรวม)",
              "อยู่ระหว่างขอจัดสรร (นับรวม)", "ไม่ใช้งบประมาณ"]
    return _table(rows, header, "kpi-plan-budgets")


def projects_table(status: ActionPlanStatus, table: str | None) -> str:
    """The rows of one project table (``table=None``: projects outside every table)."""
    labels = {n["id"]: n["label"] for n in status.nodes}
    chosen = sorted((p for p in status.projects if p["table"] == table),
                    key=lambda p: (p["seq"] or 0, p["id"]))
    if not chosen:
        return "<p>ไม่มีโครงการ</p>"
    rows, csv_rows = [], []
    for p in chosen:
        under = ", ".join(labels.get(x, x) for x in p["listed_under"]) or "–"
        funding = FUNDING[p["funding"]]
        remark = f"<br><small>{_e(p['remark_th'])}</small>" if p["remark_th"] else ""
        style = "" if p["counts_in_total"] else " style='color:#666'"
        rows.append([
            _e("" if p["seq"] is None else p["seq"]),
            f"<span{style}>{_e(p['name_th'])}</span>{remark}",
            _e(_baht(p["budget_baht"])), _e(funding), _e(p["division"] or "–"),
            _e(", ".join(p["policy_codes"]) or "–"), _e(under), _e(_lines(p["lines"]))])
        csv_rows.append(("" if p["seq"] is None else p["seq"], p["name_th"],
                         "" if p["budget_baht"] is None else p["budget_baht"], funding,
                         p["division"] or "", ", ".join(p["policy_codes"]), under,
                         _lines(p["lines"])))
    header = ["ลำดับ", "โครงการ/กิจกรรม", "งบประมาณ (บาท)", "สถานะงบประมาณ", "ส่วนราชการ",
              "รหัสนโยบาย", "อยู่ภายใต้", "เอกสาร"]
    name = table or "other"
    return (_table(rows, header, "kpi-plan-projects")
            + csv_download(csv_rows, header, f"{status.stem}_{name}.csv"))


def unlinked_kpis_table(status: ActionPlanStatus) -> str:
    """The KPIs of the tree that no catalog entry measures, with what the seed prints."""
    if not status.unlinked_kpis:
        return "<p>ตัวชี้วัดทุกตัวในแผนมีในแคตตาล็อก</p>"
    rows = []
    for node_id in status.unlinked_kpis:
        n = status.node(node_id)
        flags = "; ".join(_FLAG_TH.get(f, f) for f in n["flags"]) or "–"
        target = " / ".join(t["text_th"] for t in n["targets"]) or "เอกสารไม่ได้พิมพ์"
        rows.append([_e(n["label"]), _e(n["text_th"]), _e(target), _e(flags),
                     _e(_lines(n["lines"]))])
    return _table(rows, ["ตัวชี้วัด", "ชื่อตามเอกสาร", "ค่าเป้าหมาย", "ข้อสังเกต", "เอกสาร"],
                  "kpi-plan-unlinked")


def target_mismatches_table(status: ActionPlanStatus) -> str:
    """Linked KPIs whose catalog target is written differently from the plan's."""
    if not status.target_mismatches:
        return "<p>ค่าเป้าหมายในแคตตาล็อกตรงกับค่าเป้าหมายในแผนทุกตัวชี้วัด</p>"
    labels = {n["id"]: n["label"] for n in status.nodes}
    intro = ("<p>ตัวชี้วัดที่แคตตาล็อกเขียนค่าเป้าหมายต่างจากแผน (อาจเป็นค่าเดียวกันที่เขียนต่างหน่วย "
             "ผลของตัวชี้วัดตัดสินตามแคตตาล็อก):</p>")
    rows = [[_e(labels.get(m["node"], m["node"])), f"<code>{_e(m['catalog_code'])}</code>",
             _e(m["plan_target_th"]), _e(f"{m['catalog_target']:g} {m['catalog_unit']}")]
            for m in status.target_mismatches]
    return intro + _table(rows, ["ตัวชี้วัด", "แคตตาล็อก", "ค่าเป้าหมายในแผน",
                                 "ค่าเป้าหมายในแคตตาล็อก"], "kpi-plan-mismatch")


def notes_list(status: ActionPlanStatus) -> str:
    """What the source document leaves open: flagged nodes (two targets, a missing target or
    link, masked text …), projects with a remark or differing policy codes, KPIs that could
    not be evaluated; then the transcription notes (English) in a collapsed block."""
    items = []
    for n in status.nodes:
        if n["flags"]:
            flags = "; ".join(_FLAG_TH.get(f, f) for f in n["flags"])
            named = _e(n["label"]) if n["code"] or n["kind"] == "kr" else \
                f"{_e(n['label'])} “{_e(n['text_th'][:60])}”"
            items.append(f"<li><b>{named}</b> ({_e(_lines(n['lines']))}): {_e(flags)}</li>")
    for p in status.projects:
        if p["remark_th"]:
            items.append(f"<li>โครงการ “{_e(p['name_th'])}”: {_e(p['remark_th'])}</li>")
        prints = {tuple(x["codes"]) for x in p["policy_prints"]}
        if len(prints) > 1:
            shown = "; ".join(f"{_lines(x['lines'])} “{', '.join(x['codes']) or '-'}”"
                              for x in p["policy_prints"])
            items.append(f"<li>โครงการ “{_e(p['name_th'])}”: เอกสารพิมพ์รหัสนโยบายต่างกัน "
                         f"({_e(shown)})</li>")
        if p["funding"] in ("not_proposed", "not_printed"):
            printed = f" (ช่องงบประมาณพิมพ์ “{p['budget_printed']}”)" if p["budget_printed"] else ""
            items.append(f"<li>โครงการ “{_e(p['name_th'])}”: {_e(FUNDING[p['funding']])}"
                         f"{_e(printed)} จึงไม่นับในยอดรวม</li>")
    for code, err in sorted(status.evaluation_errors.items()):
        items.append(f"<li>⚠ ประเมิน <code>{_e(code)}</code> ไม่สำเร็จ: {_e(err)}</li>")
    main = ("<ul class='kpi-plan-notes'>" + "".join(items) + "</ul>") if items else \
        "<p>ไม่มีข้อสังเกต</p>"
    notes = [f"<li><b>{_e(n['label'])}</b> ({_e(_lines(n['lines']))}): {_e(n['notes'])}</li>"
             for n in status.nodes if n["notes"]]
    notes += [f"<li>{_e(p['id'])} ({_e(_lines(p['lines']))}): {_e(p['notes'])}</li>"
              for p in status.projects if p["notes"]]
    details = ("<details><summary>บันทึกการถอดความจากเอกสาร (Transcription notes, English)"
               "</summary><ul>" + "".join(notes) + "</ul></details>") if notes else ""
    return main + details


def methods_text(status: ActionPlanStatus) -> str:
    """How the statuses and the totals are obtained, in Thai."""
    return (
        "<ul>"
        "<li>ตัวชี้วัด (KPI): บรรลุหรือไม่บรรลุตามผลของตัวชี้วัดนั้น (KPIResult) ที่คำนวณจาก"
        "แคตตาล็อก รายงานนี้ไม่คำนวณผลเอง ตัวชี้วัดที่ไม่มีในแคตตาล็อกหรือไม่มีผล ถือว่ายังสรุปไม่ได้</li>"
        "<li>ตัววัดผลหลัก (KR): บรรลุเมื่อค่าเป้าหมายของ KR บรรลุ หากมีผลที่วัด KR โดยตรงใช้ผลนั้น "
        "มิฉะนั้นใช้ตัวชี้วัดภายใต้ KR เป็นหลักฐาน: ทุกตัวบรรลุ → บรรลุ; มีตัวใดไม่บรรลุ → ไม่บรรลุ; "
        "ขาดผลหรือไม่มีตัวชี้วัด → ยังสรุปไม่ได้ (ไม่ถือว่าบรรลุ)</li>"
        "<li>ระดับอื่น (กลยุทธ์ วัตถุประสงค์ ยุทธศาสตร์ ประเด็นการพัฒนา) ใช้กฎเดียวกันกับรายการย่อย</li>"
        "<li>ตัวชี้วัดที่เอกสารพิมพ์ค่าเป้าหมายสองค่า (BMA-ERP: ร้อยละ ๑๐๐ ระดับ 5 และ ค่าเป้าหมาย "
        "ร้อยละ 80) แสดงทั้งสองค่า และใช้ค่าที่ทำเครื่องหมาย “ใช้ตัดสิน” (ร้อยละ 80)</li>"
        "<li>งบประมาณรวมของแต่ละตาราง = ผลรวมงบประมาณทุกแถว ยกเว้นโครงการที่ “ไม่ได้รับงบประมาณ” "
        "โครงการที่ “อยู่ระหว่างขอจัดสรรงบประมาณ” นับรวม และ “ไม่ใช้งบประมาณ” นับเป็น 0 "
        "ตามยอดที่เอกสารพิมพ์</li>"
        f"<li>ความเชื่อมโยงกับแคตตาล็อก: ตามรหัสตัวชี้วัด หรือชื่อภาษาไทยที่ตรงกัน (ไม่นับช่องว่าง) · "
        f"kpianalysis {_e(status.package_version)} · schema {status.schema_version} · "
        f"สร้างเมื่อ {_e(status.built_at)}</li></ul>")


def check_line(status: ActionPlanStatus) -> str:
    """One stable line of the key values (budget totals, status counts, unlinked KPIs)."""
    totals = ",".join(f"{t.table}:{t.n_projects}/{t.total_baht}" for t in status.totals)
    counts = ",".join(f"{k}={v['met']}/{v['not_met']}/{v['undetermined']}"
                      for k, v in sorted(status.counts.items()))
    return (f"plan={status.plan} fy={status.fiscal_year} totals={totals} "
            f"status(met/not_met/undetermined)={counts} "
            f"unlinked={','.join(status.unlinked_kpis) or '-'} data_status={status.data_status}")
