"""The agency scorecard report: escaped HTML pieces and a figure from an :class:`AgencyScore`.

The score itself comes from :func:`kpianalysis.scorecard.score_agency`, which only sums the
KPIs' results; this module formats it (nothing here scores a KPI).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .plotting import shorten_label, use_thai_font
from .presentation import escape as _e
from .presentation import figure
from .report_pages import data_status_banner as _banner
from .scorecard import AgencyScore

__all__ = [
    "data_status_banner",
    "figure",
    "plain_summary",
    "missing_target_list",
    "points_chart",
    "scorecard_check_line",
    "scorecard_headline",
    "scorecard_methods",
    "scorecard_table",
    "scorecard_title",
]

#: Short Thai notes for the flags a KPI result carries (the report explains each in full).
FLAG_NOTES_TH = {
    "undefined_rubric_row": "ระดับอาศัยเกณฑ์ที่เอกสารต้นฉบับไม่ได้กำหนด (§G.6)",
    "rubric_table_missing": "ใช้ตารางเกณฑ์ที่สันนิษฐาน เอกสารต้นฉบับไม่มีตาราง (§G.6)",
    "capped_at_defined_row": "ระดับถูกจำกัดที่เกณฑ์ที่เอกสารกำหนด (§G.6)",
    "estimators_disagree": "ค่าทางการและค่าประมาณของประชากรให้ข้อสรุปต่างกัน",
    "boundary_not_in_source": "มีค่าที่ตกช่วงที่เอกสารไม่ได้กำหนด",
}

_MET_TH = "✓ บรรลุ"
_MISSED_TH = "✗ ไม่บรรลุ"
_COLOUR_MET, _COLOUR_MISSED, _COLOUR_MAX = "#2166ac", "#ef8a62", "#e6e6e6"


def data_status_banner(card: AgencyScore) -> str:
    """The data-status banner (§G.7) of the scorecard."""
    return _banner(card)


def plain_summary(card: AgencyScore) -> str:
    """Two or three plain Thai sentences on the agency's score and where it lost points."""
    met = [r for r in card.rows if r.target_met]
    lost = sorted((r for r in card.rows if r.points < r.weight),
                  key=lambda r: r.weight - r.points, reverse=True)
    text = (f"คะแนนรวมตามตาราง ค. ของ{card.agency} ปีงบประมาณ {card.fiscal_year} คือ "
            f"{card.total_points:g} จาก {card.max_points:g} คะแนน (ร้อยละ {card.percent:.2f}) "
            f"บรรลุค่าเป้าหมาย {len(met)} จาก {len(card.rows)} ตัวชี้วัด")
    look = ("ทุกตัวชี้วัดได้คะแนนเต็ม" if not lost else
            f"เสียคะแนนมากที่สุดที่ “{lost[0].name_th}” ({lost[0].points:g} จาก "
            f"{lost[0].weight:g} คะแนน) ดูรายละเอียดในหัวข้อที่ 3")
    status = (" ข้อมูลเป็นข้อมูลตัวอย่าง (สังเคราะห์) ไม่ใช่ผลจริงของหน่วยงาน"
              if card.data_status == "sample" else "")
    return f"<div class='kpi-summary'><p>{_e(text)}</p><p>{_e(look)}{_e(status)}</p></div>"


def scorecard_check_line(card: AgencyScore) -> str:
    """One stable line of the key values (compared by the notebook regression test)."""
    pts = ",".join(f"{r.kpi}:{'-' if r.level is None else f'{r.level:g}'}/{r.points:g}"
                   for r in card.rows)
    return (f"agency={card.abbreviation or card.agency} fiscal_year_be={card.fiscal_year} "
            f"total={card.total_points:g}/{card.max_points:g} percent={card.percent:.2f} "
            f"level/points={pts} missing_target={','.join(card.missing_target) or '-'}")


# -- presentation -----------------------------------------------------------------------------

def _n(value: float) -> str:
    return f"{value:g}"


def scorecard_title(card: AgencyScore) -> str:
    """Markdown title of the report (agency names are catalog text, escaped)."""
    abbr = f" ({_e(card.abbreviation)})" if card.abbreviation else ""
    return (f"# คะแนนตัวชี้วัดตามการเจรจาตกลงการประเมินผลการปฏิบัติราชการ: "
            f"{_e(card.agency)}{abbr}\n\n"
            f"**Agency scorecard** · ประจำปีงบประมาณ พ.ศ. {card.fiscal_year} · ตาราง ค. "
            f"ตัวชี้วัดและภารกิจจากการเจรจาตกลงการประเมินผลการปฏิบัติราชการ "
            f"({len(card.rows)} ตัวชี้วัด)")


def scorecard_headline(card: AgencyScore) -> str:
    """The boxed headline: total against the maximum, KPIs meeting their target."""
    n_met = sum(o.target_met for o in card.rows)
    all_met = n_met == len(card.rows)
    return (
        f"<div class='kpi-box {'kpi-met' if all_met else 'kpi-missed'}'>"
        f"<p style='font-size:1.3em'><b>คะแนนรวม {_e(_n(card.total_points))} / "
        f"{_e(_n(card.max_points))}</b> (ร้อยละ {card.percent:.2f} ของคะแนนเต็ม)</p>"
        f"<p>บรรลุค่าเป้าหมาย {n_met} จาก {len(card.rows)} ตัวชี้วัด "
        f"(KPIs meeting their target)</p></div>"
    )


def _flag_notes(flags: tuple[str, ...]) -> str:
    notes = [FLAG_NOTES_TH.get(f, f) for f in flags if f != "sample_data"]
    return "".join(f"<br>⚠ {_e(n)}" for n in notes)


def _range(level_range: tuple[int, int] | None) -> str:
    if not level_range or level_range[0] == level_range[1]:
        return ""
    return (f"<br><small>ช่วงระดับตามช่วงความเชื่อมั่น {level_range[0]}–{level_range[1]}"
            f"</small>")


def _level(value: float | None) -> str:
    return "–" if value is None else _n(value)


def scorecard_table(card: AgencyScore) -> str:
    """Table ค: item, Thai name (linked to its report), weight, value, level, points, met."""
    header = ["ลำดับ", "ตัวชี้วัด (KPI)", "น้ำหนัก", "ผลการดำเนินงาน", "ระดับ", "คะแนน",
              "บรรลุเป้าหมาย", "รายงาน"]
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    left, right = "style='text-align:left'", "style='text-align:right'"
    body = []
    for o in card.rows:
        body.append(
            "<tr>"
            f"<td {right}>{o.item}</td>"
            f"<td {left}>{_e(o.name_th)}<br><code>{_e(o.kpi)}</code></td>"
            f"<td {right}>{_e(_n(o.weight))}</td>"
            f"<td {left}>{_e(o.value_text)}{_flag_notes(o.flags)}</td>"
            f"<td {right}>{_e(_level(o.level))}{_range(o.level_range)}</td>"
            f"<td {right}>{_e(_n(o.points))}</td>"
            f"<td {left}>{_e(_MET_TH if o.target_met else _MISSED_TH)}</td>"
            f"<td {left}><a href='{_e(o.report)}.html'>{_e(o.report)}.html</a></td>"
            "</tr>")
    body.append(
        "<tr>"
        f"<td></td><td {left}><b>รวม (total)</b></td>"
        f"<td {right}><b>{_e(_n(card.max_points))}</b></td><td></td><td></td>"
        f"<td {right}><b>{_e(_n(card.total_points))}</b></td>"
        f"<td {left}>ร้อยละ {card.percent:.2f}</td><td></td>"
        "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def missing_target_list(card: AgencyScore) -> str:
    """The KPIs that missed their target, with what is missing (or a sentence saying none)."""
    missed = [o for o in card.rows if not o.target_met]
    if not missed:
        return "<p>ทุกตัวชี้วัดบรรลุค่าเป้าหมาย (every KPI met its target).</p>"
    items = []
    for o in missed:
        items.append(
            f"<li><b>{o.item}. {_e(o.name_th)}</b> (<code>{_e(o.kpi)}</code>): ระดับ "
            f"{_e(_level(o.level))}, {_e(_n(o.points))} จาก {_e(_n(o.weight))} คะแนน "
            f"(เสียไป {_e(_n(o.weight - o.points))} คะแนน) — "
            f"{_e('; '.join(o.missing) or 'ดูรายละเอียดในรายงาน')} "
            f"(<a href='{_e(o.report)}.html'>{_e(o.report)}.html</a>)</li>")
    return f"<ul>{''.join(items)}</ul>"


def scorecard_methods(card: AgencyScore) -> str:
    """How the score was obtained: a sum of the KPIs' own results."""
    return (
        "<ul>"
        "<li>คะแนนของแต่ละตัวชี้วัดมาจากผลของตัวชี้วัดนั้น (KPIResult) ที่รายงานของตัวชี้วัดแสดง "
        "ตารางนี้ไม่คำนวณระดับหรือคะแนนใหม่ คะแนนรวมของหน่วยงาน = ผลรวมคะแนนทุกตัวชี้วัด "
        "เทียบกับผลรวมน้ำหนัก (seed 004 ตาราง ค.)</li>"
        "<li>ก่อนรวมคะแนน ผลของทุกตัวชี้วัดถูกตรวจว่าเป็นไปตามโครงสร้างข้อมูล (schema) "
        "สร้างด้วยแพ็กเกจรุ่นเดียวกัน และไฟล์ข้อมูลนำเข้าทุกไฟล์ยังตรงกับค่า SHA-256 ที่บันทึกไว้ "
        "ผลที่ขาดหรือล้าสมัยทำให้การรวมคะแนนหยุดพร้อมระบุตัวชี้วัด</li>"
        "<li>ตัวชี้วัดการแก้ไขปัญหาด้านเทคโนโลยีดิจิทัล: คะแนนความพึงพอใจ (0–5) + คะแนน SLA (0–5) "
        "แสดงเป็นคะแนนจาก 10 เอกสารไม่ได้กำหนดระดับของผลรวม (KPI_SPEC §G.5)</li>"
        f"<li>kpianalysis {_e(card.package_version)} · schema {card.schema_version}</li>"
        "</ul>"
    )


def points_chart(card: AgencyScore) -> Figure:
    """Bars of points against the maximum: the total on top, then one bar per KPI.

    Blue: target met; orange: target missed; grey: the points not earned.
    """
    use_thai_font()
    n = len(card.rows)
    fig = Figure(figsize=(9, 0.7 * n + 2.6), dpi=100, layout="constrained")
    ax_total, ax = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1.3, n]})
    total_colour = _COLOUR_MET if card.total_points >= card.max_points else _COLOUR_MISSED
    ax_total.barh([0], [card.max_points], color=_COLOUR_MAX, height=0.6)
    ax_total.barh([0], [card.total_points], color=total_colour, height=0.6)
    ax_total.text(card.total_points, 0, f"  {_n(card.total_points)} / {_n(card.max_points)} "
                  f"คะแนน ({card.percent:.1f}%)", va="center", fontsize=10)
    ax_total.set_yticks([0], ["คะแนนรวม (total)"])
    ax_total.set_xlim(0, card.max_points * 1.35)
    ax_total.set_ylim(-0.6, 0.6)
    ax_total.set_xlabel("คะแนน")

    y = np.arange(n)[::-1]
    weights = np.array([o.weight for o in card.rows], dtype=float)
    points = np.array([o.points for o in card.rows], dtype=float)
    colours = [_COLOUR_MET if o.target_met else _COLOUR_MISSED for o in card.rows]
    ax.barh(y, weights, color=_COLOUR_MAX, height=0.6)
    ax.barh(y, points, color=colours, height=0.6)
    for yi, o in zip(y, card.rows, strict=True):
        ax.text(o.weight, yi, f"  {_n(o.points)} / {_n(o.weight)} (ระดับ {_level(o.level)})",
                va="center", fontsize=9)
    ax.set_yticks(y, [f"{o.item}. {shorten_label(o.name_th, 36)}\n({o.kpi})"
                      for o in card.rows], fontsize=9)
    ax.set_xlim(0, float(weights.max()) * 1.6)
    ax.set_xlabel("คะแนน (เต็ม = น้ำหนัก)")
    ax.legend(handles=[Patch(color=_COLOUR_MET, label="บรรลุเป้าหมาย"),
                       Patch(color=_COLOUR_MISSED, label="ไม่บรรลุเป้าหมาย"),
                       Patch(color=_COLOUR_MAX, label="คะแนนที่ยังไม่ได้")],
              loc="lower right", frameon=False, fontsize=9)
    for a in (ax_total, ax):
        a.spines[["top", "right"]].set_visible(False)
    return fig

