"""The Thai index of a build: every KPI report with its result, the failures, the scorecards.

:func:`write_index` reads the result JSONs the build wrote (each validated against the schema),
never recomputes anything, and writes ``<out>/index.html``: one offline page (the reports'
embedded Sarabun font, no network request, a few lines of inline script for the filters) that
an evaluator opens first. Rows are grouped by agency; filters show one agency or one status
(met, not met, failed). Every data-derived string is escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._version import __version__
from .files import write_text_atomic
from .result import DATA_STATUS_TH, ResultSchemaError, read_result

__all__ = ["IndexRow", "write_index"]

_STATUS_TH = {"met": "บรรลุค่าเป้าหมาย", "missed": "ไม่บรรลุค่าเป้าหมาย",
              "open": "ยังสรุปไม่ได้", "failed": "สร้างรายงานไม่สำเร็จ"}


class IndexRow(dict):
    """One row of the index (a plain dict: stem, kpi, name_th, agency, status, …)."""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _row_for(out: Path, stem: str, ok: bool, error: str) -> IndexRow:
    if ok:
        try:
            r = read_result(out / f"{stem}.json")
        except (ResultSchemaError, OSError) as exc:
            return IndexRow(stem=stem, kpi=stem, name_th=stem, agency="", status="failed",
                            reason=str(exc).splitlines()[0][:300], fiscal_year="")
        status = {True: "met", False: "missed", None: "open"}[r.target_met]
        chance = (r.uncertainty.p_target_met if r.uncertainty is not None else None)
        return IndexRow(
            stem=stem, kpi=r.kpi, name_th=r.name_th,
            agency=r.agency_abbreviation or r.agency, fiscal_year=r.fiscal_year,
            value=r.value_text,
            level="–" if r.level is None else f"{r.level:g} / {r.level_max}",
            points="–" if r.points is None else f"{r.points:g} / {r.weight:g}",
            status=status, chance=chance, data_status=r.data_status,
            flags=len([f for f in r.flags if f.code != "sample_data"]),
            built=r.built_at[:10], reason="")
    first = (error or "ไม่ทราบสาเหตุ").strip().splitlines()[0][:300]
    return IndexRow(stem=stem, kpi=stem, name_th=stem, agency="", fiscal_year="",
                    status="failed", reason=first)


def write_index(out: str | Path, outcomes: Sequence[Any], *,
                names: dict[str, tuple[str, str, int]] | None = None,
                built_at: str = "") -> Path:
    """Write ``<out>/index.html`` for the reports in ``outcomes``; return its path.

    Parameters
    ----------
    out : path
        The build's output folder (holds ``<stem>.html`` / ``.json`` / ``.error.txt``).
    outcomes : sequence of ReportOutcome
        What the build did (``name``, ``ok``, ``error``); scorecard outcomes are listed in
        their own section.
    names : dict, optional
        ``{stem: (Thai name, agency, fiscal year)}`` from the catalog, so that a KPI whose
        report failed is still shown by its Thai name.
    built_at : str
        Build time shown at the top (ISO 8601).
    """
    out = Path(out)
    names = names or {}
    kpi_rows, card_rows = [], []
    for o in outcomes:
        if o.name.startswith(("scorecard_", "action_plan_")):
            card_rows.append(o)
            continue
        row = _row_for(out, o.name, o.ok, o.error)
        if row["status"] == "failed" and o.name in names:
            row["name_th"], row["agency"], row["fiscal_year"] = names[o.name]
        kpi_rows.append(row)
    kpi_rows.sort(key=lambda r: (str(r["agency"]), str(r["fiscal_year"]), str(r["kpi"])))
    agencies = sorted({str(r["agency"]) for r in kpi_rows if r["agency"]})
    counts = {s: sum(r["status"] == s for r in kpi_rows) for s in _STATUS_TH}
    body = []
    for r in kpi_rows:
        status = _STATUS_TH[r["status"]]
        if r["status"] == "failed":
            body.append(
                f"<tr class='failed' data-agency='{_e(r['agency'])}' data-status='failed'>"
                f"<td>{_e(r['name_th'])}<br><code>{_e(r['kpi'])}</code></td>"
                f"<td>{_e(r['agency'])}</td><td>{_e(r['fiscal_year'])}</td>"
                f"<td colspan='4'>✗ {_e(status)}: {_e(r['reason'])} "
                f"(<code>{_e(r['stem'])}.error.txt</code>)</td><td>–</td></tr>")
            continue
        chance = "" if r["chance"] is None else f"<br><small>โอกาสถึงเป้า ≈ {r['chance']:.0%}</small>"
        mark = {"met": "✓", "missed": "✗", "open": "?"}[r["status"]]
        flags = f"<br><small>⚠ ข้อสังเกต {r['flags']} ข้อ</small>" if r["flags"] else ""
        sample = "ตัวอย่าง" if r["data_status"] == "sample" else "หน่วยงาน"
        body.append(
            f"<tr class='{r['status']}' data-agency='{_e(r['agency'])}' "
            f"data-status='{r['status']}'>"
            f"<td><a href='{_e(r['stem'])}.html'>{_e(r['name_th'])}</a><br>"
            f"<code>{_e(r['kpi'])}</code></td><td>{_e(r['agency'])}</td>"
            f"<td>{_e(r['fiscal_year'])}</td><td>{_e(r['value'])}</td>"
            f"<td>{_e(r['level'])}</td><td>{_e(r['points'])}</td>"
            f"<td>{mark} {_e(status)}{chance}{flags}</td><td>{_e(sample)}<br>"
            f"<small>{_e(r['built'])}</small></td></tr>")
    cards = []
    for o in card_rows:
        path = out / f"{o.name}.json"
        if o.ok and o.name.startswith("action_plan_"):
            cards.append(f"<li><a href='{_e(o.name)}.html'>โครงสร้างแผนปฏิบัติราชการและสถานะ"
                         f"ของแต่ละเป้าหมาย ({_e(o.name)})</a></li>")
        elif o.ok and path.is_file():
            card = json.loads(path.read_text(encoding="utf-8"))
            cards.append(f"<li><a href='{_e(o.name)}.html'>คะแนนตัวชี้วัดของ {_e(card['agency'])} "
                         f"ปีงบประมาณ {card['fiscal_year']}</a>: {card['total_points']:g} / "
                         f"{card['max_points']:g} คะแนน (ร้อยละ {card['percent']:.2f})</li>")
        else:
            reason = (o.error or "").strip().splitlines()[0][:300] if o.error else ""
            cards.append(f"<li>✗ <code>{_e(o.name)}</code> สร้างไม่สำเร็จ: {_e(reason)}</li>")
    statuses = {r.get("data_status") for r in kpi_rows if r.get("data_status")}
    banner = ""
    if "sample" in statuses:
        banner = (f"<div class='kpi-status'><b>สถานะข้อมูล:</b> "
                  f"{_e(DATA_STATUS_TH['sample'])}</div>")
    options = "".join(f"<option value='{_e(a)}'>{_e(a)}</option>" for a in agencies)
    from .html_export import font_css

    page = f"""<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>รายงานตัวชี้วัดทั้งหมด (KPI reports)</title>
<style>
{font_css()}
body {{ font-family: "Sarabun", "Noto Sans Thai", "Tahoma", sans-serif; max-width: 1200px;
       margin: 1em auto; padding: 0 1em; font-size: 15px; line-height: 1.5; color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.35em 0.5em; text-align: left;
          vertical-align: top; }}
th {{ background: #f2f2f2; }}
tr.met td:nth-child(7) {{ color: #2166ac; }} tr.missed td:nth-child(7) {{ color: #b2182b; }}
tr.failed {{ background: #fff3f3; }}
.kpi-status {{ background: #fde2e1; padding: 0.5em 1em; border-radius: 4px; margin: 0.5em 0; }}
.filters {{ margin: 0.8em 0; }} .filters label {{ margin-right: 1.5em; }}
@page {{ size: A4; margin: 15mm; }}
@media print {{ .filters {{ display: none; }} a {{ color: inherit; text-decoration: none; }}
               tr {{ break-inside: avoid; }} }}
</style></head>
<body>
<h1>รายงานตัวชี้วัดทั้งหมด</h1>
<p>สร้างเมื่อ {_e(built_at)} · kpianalysis {_e(__version__)} · ตัวชี้วัด {len(kpi_rows)} ตัว:
บรรลุค่าเป้าหมาย {counts['met']} · ไม่บรรลุ {counts['missed']} · ยังสรุปไม่ได้ {counts['open']}
· สร้างไม่สำเร็จ {counts['failed']}</p>
{banner}
<h2>คะแนนรวมของหน่วยงานและแผนปฏิบัติราชการ (Scorecards and action plan)</h2>
<ul>{''.join(cards) or '<li>ไม่มี</li>'}</ul>
<h2>ตัวชี้วัด (KPIs)</h2>
<div class="filters">
<label>หน่วยงาน <select id="f-agency"><option value="">ทั้งหมด</option>{options}</select></label>
<label>สถานะ <select id="f-status"><option value="">ทั้งหมด</option>
<option value="met">บรรลุค่าเป้าหมาย</option><option value="missed">ไม่บรรลุค่าเป้าหมาย</option>
<option value="open">ยังสรุปไม่ได้</option><option value="failed">สร้างรายงานไม่สำเร็จ</option>
</select></label></div>
<table id="kpis"><thead><tr><th>ตัวชี้วัด</th><th>หน่วยงาน</th><th>ปีงบประมาณ</th>
<th>ผลการดำเนินงาน</th><th>ระดับ</th><th>คะแนน</th><th>ค่าเป้าหมาย</th><th>ข้อมูล / วันที่สร้าง</th>
</tr></thead><tbody>
{''.join(body)}
</tbody></table>
<script>
(function () {{
  var a = document.getElementById("f-agency"), s = document.getElementById("f-status");
  function apply() {{
    document.querySelectorAll("#kpis tbody tr").forEach(function (tr) {{
      var ok = (!a.value || tr.dataset.agency === a.value) &&
               (!s.value || tr.dataset.status === s.value);
      tr.style.display = ok ? "" : "none";
    }});
  }}
  a.addEventListener("change", apply); s.addEventListener("change", apply);
}})();
</script>
</body></html>
"""
    return write_text_atomic(out / "index.html", page)
