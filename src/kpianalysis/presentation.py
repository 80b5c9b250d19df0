"""Presentation helpers for the report notebooks: Thai-labelled, HTML-escaped tables and texts.

Nothing here computes a statistic: every figure shown comes from the analysis objects. The
functions only choose, label, round and escape, so a notebook cell is one call. All text that
comes from data (group names, file paths) is escaped; free-text answers are never shown.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import Image
from matplotlib.figure import Figure

from .instruments import Instrument
from .likert import LikertResult
from .plotting import estimate_chart, likert_diverging_chart

__all__ = [
    "escape",
    "html_table",
    "breakdown_column",
    "breakdown_table",
    "breakdown_check_line",
    "breakdown_test_text",
    "check_line",
    "comparison_text",
    "figure",
    "fmt_num",
    "fmt_pct",
    "items_chart",
    "items_table",
    "methods_text",
    "respondents_table",
    "round_estimates_chart",
    "satisfaction_headline",
    "score_table",
    "sections_table",
]

ROUND_NAMES_TH = {1: "รอบที่ 1 (มกราคม)", 2: "รอบที่ 2 (กรกฎาคม)"}
EXCLUSION_TH = {
    "no_answers": "ไม่ได้ตอบข้อคำถามใดเลย (no answers)",
    "too_few_answers": "ตอบไม่ครบตามเกณฑ์ (too few answers)",
}
CI_METHOD_TH = {
    "logit": "logit (design-based, R svyciprop)",
    "korn-graubard": "Korn–Graubard (design-based)",
    "wilson": "Wilson score",
    "clopper-pearson": "Clopper–Pearson (exact)",
    "agresti-coull": "Agresti–Coull",
    "jeffreys": "Jeffreys",
    "normal": "Wald (normal)",
}


def escape(value: Any) -> str:
    """HTML-escape any value's text (every data-derived string goes through this)."""
    return html.escape(str(value))


def fmt_num(value: float | None, digits: int = 2) -> str:
    """A number with thousands separators and ``digits`` decimals; ``–`` for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_pct(value: float | None, digits: int = 2) -> str:
    """A percentage (already on the 0–100 scale) such as ``82.78%``; ``–`` for missing."""
    text = fmt_num(value, digits)
    return text if text == "–" else f"{text}%"


def figure(fig: Figure, dpi: int = 100, alt: str | None = None) -> Image:
    """A matplotlib figure as an embedded PNG (independent of the notebook's backend).

    ``alt`` is the image's alternative text for screen readers; by default the axes' titles or
    x-axis labels.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    if alt is None:
        alt = " / ".join(filter(None, (ax.get_title() or ax.get_xlabel() for ax in fig.axes)))
    return Image(data=buf.getvalue(), format="png", alt=alt or "แผนภูมิ (chart)")


def html_table(rows: Sequence[Sequence[Any]], header: Sequence[str],
               align_right_from: int = 1) -> str:
    """A plain HTML table with every cell escaped; columns from ``align_right_from`` on are
    right-aligned (numbers)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f"<td style='text-align:{'right' if i >= align_right_from else 'left'}'>{_e(c)}</td>"
            for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_e = escape  # short internal names
_table = html_table


def satisfaction_headline(summary: Mapping[str, Any]) -> str:
    """The boxed headline: A with its interval, level, points, target met or not."""
    met = summary["target_met"]
    verdict = ("บรรลุค่าเป้าหมาย (target met)" if met
               else "ไม่บรรลุค่าเป้าหมาย (target not met)")
    robust = ""
    lo, hi = summary.get("level_at_ci_low"), summary.get("level_at_ci_high")
    if lo is not None and hi is not None:
        if lo == hi:
            robust = f"ระดับคะแนนไม่เปลี่ยนตลอดช่วงความเชื่อมั่น (level {lo} across the interval)."
        else:
            robust = (f"ช่วงความเชื่อมั่นครอบคลุมระดับ {lo} ถึง {hi}: ระดับที่ได้อาจเปลี่ยนได้จาก"
                      f"ความคลาดเคลื่อนจากการสุ่ม (the interval spans levels {lo}–{hi}).")
    return (
        f"<div class='kpi-box {'kpi-met' if met else 'kpi-missed'}'>"
        f"<p style='font-size:1.3em'><b>A = {_e(fmt_pct(summary['percent_high_or_above']))}</b> "
        f"(ช่วงความเชื่อมั่น {summary['confidence'] * 100:g}%: "
        f"{_e(fmt_pct(summary['ci_low']))} – {_e(fmt_pct(summary['ci_high']))})</p>"
        f"<p>ระดับ <b>{_e(summary['level'])}</b> · ได้ <b>{_e(fmt_num(summary['points']))}</b> "
        f"จาก {_e(fmt_num(summary['max_points']))} คะแนน · {verdict} (เป้าหมายร้อยละ "
        f"{summary['target']:g})</p>"
        f"<p>B = {summary['n_high_or_above']:,} จาก C = {summary['n_scored']:,} คน · "
        f"ผู้ตอบทั้งหมด {summary['n_respondents']:,} คน · ไม่นำมาคำนวณ "
        f"{summary['n_excluded']:,} คน</p><p>{_e(robust)}</p></div>"
    )


def respondents_table(likert: LikertResult, data) -> str:
    """Respondents read, scored and excluded (by reason); free-text count only."""
    rows = [("ผู้ตอบทั้งหมดในไฟล์ (respondents in file)", f"{likert.n_total:,}"),
            ("นำมาคำนวณ C (scored)", f"{likert.n_scored:,}")]
    rows += [(EXCLUSION_TH.get(k, k), f"{v:,}") for k, v in likert.exclusions.items()]
    if likert.policy == "official":
        rows.append(("เกณฑ์ (§G.1): นับทุกฉบับที่ตอบอย่างน้อย 1 ข้อ ข้อที่ไม่ตอบได้ 0 คะแนน",
                     "–"))
    else:
        rows.append(("เกณฑ์: ต้องตอบอย่างน้อย (minimum share of items answered)",
                     f"{likert.min_answered_share:.0%}"))
    rows.append(("ผู้เขียนข้อเสนอแนะ (free-text suggestions; text not shown — PDPA)",
                 f"{data.n_free_text:,}"))
    return _table(rows, ["รายการ", "จำนวน"])


def round_estimates_chart(analysis, previous=None) -> Figure:
    """A (and the previous round's A) with intervals against the 80 % target."""
    rounds = [a for a in (previous, analysis) if a is not None]
    return estimate_chart(
        [ROUND_NAMES_TH.get(a.round, str(a.round)) for a in rounds],
        [a.percent for a in rounds],
        [a.ci_percent[0] for a in rounds],
        [a.ci_percent[1] for a in rounds],
        target=80.0,
        xlabel="ร้อยละผู้มีความพึงพอใจระดับมากขึ้นไป (A)",
    )


def score_table(analysis) -> str:
    """Level and points at the estimate and at each bound of the interval."""
    s = analysis.score
    lo, hi = analysis.ci_percent
    rows = [
        ("ค่าประมาณ A (estimate)", fmt_pct(s.percent), s.level, fmt_num(s.points)),
        ("ขอบล่างของช่วงความเชื่อมั่น (lower bound)", fmt_pct(lo), s.level_at_ci_low,
         fmt_num(s.points_at_ci_low)),
        ("ขอบบนของช่วงความเชื่อมั่น (upper bound)", fmt_pct(hi), s.level_at_ci_high,
         fmt_num(s.points_at_ci_high)),
    ]
    return _table(rows, ["", "ร้อยละ", "ระดับ (level)", f"คะแนน (จาก {s.max_points:g})"])


def items_chart(analysis, instrument: Instrument) -> Figure:
    """Diverging stacked bars of the item answers."""
    labels = {i.code: f"{i.code.removeprefix('q')} {i.text_th}" for i in instrument.items}
    return likert_diverging_chart(analysis.items, labels, dict(instrument.scale_labels))


def items_table(analysis) -> str:
    """Item texts with n, mean, SD and band."""
    d = analysis.items
    rows = [(f"{code} {r['text_th']}", f"{int(r['n']):,}", fmt_num(r["mean"]),
             fmt_num(r["sd"]), r["band_th"]) for code, r in d.iterrows()]
    return _table(rows, ["ข้อคำถาม (item)", "n", "ค่าเฉลี่ย (mean)", "S.D.", "ระดับ"])


def sections_table(analysis) -> str:
    """Section (ด้าน) means."""
    d = analysis.sections
    rows = [(f"{code}. {r['name_th']}", f"{int(r['n_items'])}", f"{int(r['n']):,}",
             fmt_num(r["mean"]), fmt_num(r["sd"]), r["band_th"]) for code, r in d.iterrows()]
    return _table(rows, ["ด้าน (section)", "จำนวนข้อ", "n", "ค่าเฉลี่ย", "S.D.", "ระดับ"])


def bands_table(likert: LikertResult) -> str:
    """Respondents per band."""
    rows = [(f"{r.band_th} ({r.range})", f"{r.n:,}", fmt_pct(r.percent))
            for r in likert.band_counts.itertuples()]
    return _table(rows, ["ระดับ (band)", "จำนวน", "ร้อยละของ C"])


def breakdown_column(instrument: Instrument) -> str:
    """The profile field a report breaks A down by."""
    cols = instrument.profile_columns
    for preferred in ("position_level", "district", "site", "service"):
        if preferred in cols:
            return preferred
    return cols[0]


def breakdown_test_text(test: Any, alpha: float = 0.05) -> str:
    """One paragraph: does A differ across the groups shown (Rao-Scott F, R's svychisq)?"""
    if test is None:
        return ("<p class='kpi-caption'>แสดงน้อยกว่า 2 กลุ่ม จึงไม่ทดสอบความแตกต่างระหว่างกลุ่ม "
                "(fewer than two groups shown: no test).</p>")
    verdict = ("แตกต่างกันอย่างมีนัยสำคัญ (the groups differ)" if test.p_value < alpha else
               "ไม่แตกต่างกันอย่างมีนัยสำคัญ (no significant difference)")
    return (f"<p class='kpi-caption'>ทดสอบความแตกต่างของร้อยละ A ระหว่างกลุ่มที่แสดง "
            f"(Rao–Scott F, as R svychisq): F = {test.statistic:.2f} "
            f"(df {test.ndf:.2f}, {test.ddf:.1f}), p = {test.p_value:.3g} ที่ระดับนัยสำคัญ "
            f"{alpha:g} — {escape(verdict)}</p>")


def breakdown_check_line(test: Any) -> str:
    """One stable line of the breakdown test (compared by the notebook regression test)."""
    if test is None:
        return "breakdown_test none"
    return (f"breakdown_test groups={len(test.table.columns)} F={test.statistic:.4f} "
            f"ndf={test.ndf:.4f} ddf={test.ddf:.2f} p={test.p_value:.4g}")


def breakdown_table(table: pd.DataFrame, instrument: Instrument, column: str,
                    min_group: int) -> str:
    """A by group; suppressed groups (small ones and their complements) pooled in one line
    that shows no figures and no group names."""
    label = next((f.label_th for f in instrument.profile_fields if f.column == column), column)
    rows = [(r.group, f"{int(r.n):,}", fmt_pct(r.percent),
             f"{fmt_pct(r.ci_low)} – {fmt_pct(r.ci_high)}")
            for r in table.itertuples() if not r.suppressed]
    n_hidden = int(table["suppressed"].sum())
    complementary = "complementary" in table.columns and bool(table["complementary"].any())
    if n_hidden:  # one line: neither the groups' names nor any figure of theirs is shown
        why = (f"กลุ่มที่มีผู้ตอบน้อยกว่า {min_group} คน และกลุ่มที่ไม่แสดงเพิ่มเพื่อไม่ให้คำนวณย้อนจากยอดรวมได้"
               if complementary else f"ผู้ตอบน้อยกว่า {min_group} คนต่อกลุ่ม")
        rows.append((f"อีก {n_hidden} กลุ่ม ({why} ไม่แสดงตัวเลข)", "–", "–", "–"))
    conf = table.attrs.get("confidence", 0.95)
    return (f"<p>จำแนกตาม <b>{_e(label)}</b> ({_e(column)})</p>"
            + _table(rows, ["กลุ่ม", "n", "A", f"ช่วงความเชื่อมั่น {conf:.0%}"]))


def comparison_text(summary: Mapping[str, Any]) -> str:
    """Round 2 vs round 1: the difference with its interval, or why there is none."""
    prev = summary.get("previous_round")
    if not prev:
        return "<p>ไม่มีข้อมูลรอบก่อนหน้า (no earlier round in the input).</p>"
    d, lo, hi = prev["difference"], prev["difference_ci_low"], prev["difference_ci_high"]
    if lo > 0:
        verdict = "เพิ่มขึ้นอย่างมีนัยสำคัญ (a significant increase)"
    elif hi < 0:
        verdict = "ลดลงอย่างมีนัยสำคัญ (a significant decrease)"
    else:
        verdict = ("ไม่แตกต่างอย่างมีนัยสำคัญ: ช่วงความเชื่อมั่นครอบคลุม 0 "
                   "(not distinguishable from no change)")
    return (
        f"<p>รอบที่ {prev['round']}: A = {_e(fmt_pct(prev['percent_high_or_above']))} → "
        f"รอบที่ {summary['round']}: A = {_e(fmt_pct(summary['percent_high_or_above']))}</p>"
        f"<p>ผลต่าง <b>{d:+.2f}</b> จุดร้อยละ (ช่วงความเชื่อมั่น {summary['confidence']:.0%}: "
        f"{lo:+.2f} ถึง {hi:+.2f}; "
        f"{_e(prev['difference_method'])}) — {verdict}</p>"
    )


def methods_text(summary: Mapping[str, Any], analysis, data) -> str:
    """How the numbers were computed, and from which file."""
    method = CI_METHOD_TH.get(summary["ci_method"], summary["ci_method"])
    if analysis.likert.policy == "official":
        scoring = [
            "คะแนนรายบุคคล = ผลรวมคะแนน / จำนวนข้อคำถามทั้งหมด (ข้อที่ไม่ตอบได้ 0, 004:422, §G.1); "
            "เปรียบเทียบเกณฑ์ 3.51 ด้วยเลขจำนวนเต็ม (100 × ผลรวม ≥ 351 × จำนวนข้อ)",
            "C นับทุกแบบสอบถามที่ตอบอย่างน้อย 1 ข้อ; ฉบับที่ไม่ตอบเลยแสดงจำนวนไว้",
        ]
    else:
        scoring = [
            "คะแนนรายบุคคล = ผลรวมคะแนนทุกข้อที่ตอบ / จำนวนข้อที่ตอบ; เปรียบเทียบเกณฑ์ 3.51 "
            "ด้วยเลขจำนวนเต็ม (100 × ผลรวม ≥ 351 × จำนวนข้อ) จึงไม่มีความคลาดเคลื่อนจากทศนิยม",
            f"ผู้ตอบต้องตอบอย่างน้อย {analysis.likert.min_answered_share:.0%} ของข้อคำถามจึงนำมา"
            "คำนวณ; ผู้ที่ไม่ผ่านเกณฑ์แสดงจำนวนในหัวข้อที่ 1",
        ]
    items = [
        *scoring,
        f"ช่วงความเชื่อมั่นของ A: วิธี {_e(method)} ที่ระดับ {summary['confidence']:.0%}; "
        f"ตัวประมาณ (estimator): {_e(summary['estimator'])}",
    ]
    if summary.get("design_effect") is not None:
        items.append(
            "ไฟล์นี้มีน้ำหนักการสุ่มตัวอย่าง (design weights): A เป็นค่าประมาณแบบ design-based; "
            f"ค่าไม่ถ่วงน้ำหนัก B × 100 / C = {_e(fmt_pct(summary['percent_unweighted']))}; "
            f"design effect {_e(fmt_num(summary['design_effect'], 3))}; effective n "
            f"{_e(fmt_num(summary['effective_n'], 0))}"
        )
    items += [
        "เกณฑ์ระดับ: A ≥ 80 → 5, ≥ 75 → 4, ≥ 70 → 3, ≥ 65 → 2, ≥ 60 → 1, ต่ำกว่า → 0; "
        "คะแนน = น้ำหนัก × ร้อยละความสำเร็จ / 100",
        "ข้อมูลส่วนบุคคล (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562): ไม่แสดงข้อเสนอแนะที่เป็น"
        "ข้อความอิสระ ชื่อ หรือหมายเลขโทรศัพท์; กลุ่มย่อยขนาดเล็กไม่แสดงตัวเลข",
        f"ไฟล์ข้อมูล: <code>{_e(data.path)}</code>, SHA-256 <code>{_e(data.sha256)}</code>",
        f"kpianalysis {_e(summary['package_version'])}",
    ]
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def check_line(summary: Mapping[str, Any]) -> str:
    """One stable line of the key summary values (compared by the notebook regression test)."""
    keys = ("kpi", "round", "n_respondents", "n_excluded", "n_high_or_above", "level")
    parts = [f"{k}={summary[k]}" for k in keys]
    parts.append(f"percent={summary['percent_high_or_above']:.2f}")
    parts.append(f"ci=({summary['ci_low']:.2f}, {summary['ci_high']:.2f})")
    parts.append(f"points={summary['points']:.1f}")
    return " ".join(parts)
