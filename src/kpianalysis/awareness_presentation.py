"""Presentation of the awareness-survey report: Thai-labelled, HTML-escaped tables, texts, figures.

Nothing here computes a statistic: every number comes from
:class:`kpianalysis.awareness.AwarenessAnalysis` or its JSON summary. The functions choose,
label, round and escape, so a notebook cell is one call. Figures are
:class:`matplotlib.figure.Figure` objects (never pyplot) with the packaged Thai font.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .awareness import AwarenessAnalysis, AwarenessData, DistrictSmallArea
from .plotting import estimate_chart, new_figure
from .presentation import escape as _e
from .presentation import fmt_num, fmt_pct
from .presentation import html_table as _table

__all__ = [
    "awareness_headline",
    "awareness_title",
    "channels_chart",
    "channels_table",
    "associations_check_line",
    "associations_table",
    "check_line",
    "deff_text",
    "dimensions_table",
    "district_needs_text",
    "districts_chart",
    "districts_table",
    "estimator_text",
    "estimators_table",
    "formulas_table",
    "formulas_text",
    "methods_text",
    "modes_chart",
    "modes_table",
    "modes_warning",
    "moe_table",
    "round_change_text",
    "rounds_chart",
    "rounds_table",
    "small_area_chart",
    "small_area_check_line",
    "small_area_table",
    "small_area_text",
    "target_text",
    "test_power_table",
]

MODE_TH = {"field": "ลงพื้นที่ (field)", "online": "ออนไลน์ (online)",
           "focus_group": "Focus Group"}
VARIABLE_TH = {"sex": "เพศ (sex)", "age_group": "กลุ่มอายุ (age group)",
               "district_code": "เขต (district)"}
STATUS_TH = {"official": "ข้อมูลทางการ (official)", "ILLUSTRATIVE": "ตัวอย่างสมมติ (ILLUSTRATIVE)"}
_BLUE, _RED, _GREEN, _GREY = "#2166ac", "#b2182b", "#1b7837", "#777777"



def _ci_head(analysis: AwarenessAnalysis) -> str:
    """Column heading of an interval at the analysis's confidence level."""
    return f"ช่วงความเชื่อมั่น {analysis.confidence:.0%}"

def _p(value: float | None) -> str:
    """A probability: 4 decimals, or ``< 0.0001``."""
    if value is None or not np.isfinite(value):
        return "–"
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


def _ci(low: float | None, high: float | None) -> str:
    return f"{fmt_pct(low)} – {fmt_pct(high)}"


def _n(value: Any) -> str:
    return "–" if value is None or value is pd.NA or (isinstance(value, float) and
                                                       np.isnan(value)) else f"{int(value):,}"


# --------------------------------------------------------------------------------------------
# Title and headline
# --------------------------------------------------------------------------------------------


def awareness_title(summary: Mapping[str, Any]) -> str:
    """Markdown title of the awareness report."""
    return (f"# {summary['name_th']}\n\n"
            "**Percent of citizens aware of BMA news through its PR channels** · "
            "ปีงบประมาณ พ.ศ. 2568 · สำนักงานประชาสัมพันธ์ · ตัวชี้วัดรหัส "
            f"`{summary['kpi']}` · ค่าเป้าหมายร้อยละ {summary['target']:g}")


def awareness_headline(summary: Mapping[str, Any]) -> str:
    """The boxed headline: estimate, interval, target verdict, P(target met), the caveat."""
    met = summary["target_met"]
    verdict = ("บรรลุค่าเป้าหมาย (target met)" if met
               else "ไม่บรรลุค่าเป้าหมาย (target not met)")
    test = summary["test"]
    if test["reject"]:
        test_th = (f"ต่ำกว่าเป้าหมายอย่างมีนัยสำคัญทางสถิติ (significantly below the target; "
                   f"one-sided p {_p(test['p_value'])})")
    else:
        test_th = (f"ไม่มีหลักฐานเพียงพอว่าต่ำกว่าเป้าหมาย (not significantly below the target; "
                   f"one-sided p {_p(test['p_value'])})")
    return (
        f"<div class='kpi-box {'kpi-met' if met else 'kpi-missed'}'>"
        f"<p style='font-size:1.3em'><b>ร้อยละการรับรู้ = {_e(fmt_pct(summary['estimate']))}</b> "
        f"(ช่วงความเชื่อมั่น {summary['confidence'] * 100:g}%: "
        f"{_e(_ci(summary['ci_low'], summary['ci_high']))} · ค่าความคลาดเคลื่อน "
        f"± {_e(fmt_num(summary['moe_overall']))} จุดร้อยละ)</p>"
        f"<p><b>{verdict}</b> (เป้าหมายร้อยละ {summary['target']:g}) · {_e(test_th)}</p>"
        f"<p>ความน่าจะเป็นที่ค่าจริงถึงเป้าหมาย (probability that the target is met, "
        f"approximate): <b>{_e(_p(summary['p_target_met']))}</b></p>"
        f"<p>ค่าประมาณจากการสำรวจแบบลงพื้นที่ซึ่งเป็นตัวอย่างความน่าจะเป็น "
        f"{summary['n_field']:,} คน ถ่วงน้ำหนักให้ตรงกับโครงสร้างประชากร · "
        f"ผู้ตอบทั้งหมด {summary['n_respondents']:,} คน</p>"
        f"<p style='color:#555'>หมายเหตุ: หากคำนวณตามสูตร (ผู้รับรู้ × 100 / ผู้ตอบ) โดยรวมทุกวิธีเก็บ"
        f"ข้อมูลและไม่ถ่วงน้ำหนัก จะได้ {_e(fmt_pct(summary['percent_all_modes_unweighted']))} "
        "ซึ่งสูงเกินจริง เพราะผู้ตอบออนไลน์และ Focus Group ไม่ได้สุ่มจากประชากรและรับรู้ข่าวสารมากกว่า "
        "(the unweighted pooled share is not a population estimate).</p></div>"
    )


# --------------------------------------------------------------------------------------------
# Estimator and target test
# --------------------------------------------------------------------------------------------


def estimator_text(analysis: AwarenessAnalysis, data: AwarenessData) -> str:
    """How the headline is estimated, with the status (official / illustrative) of each margin."""
    m = data.margins
    items = []
    for var in analysis.raked_to:
        status = str(m.loc[m["variable"] == var, "status"].iloc[0])
        items.append(f"<li>{_e(VARIABLE_TH.get(var, var))}: "
                     f"{_e(STATUS_TH.get(status, status))}</li>")
    o = analysis.overall
    return (
        "<p>ค่าประมาณหลักใช้เฉพาะผู้ตอบจาก<b>การลงพื้นที่</b> ซึ่งสุ่มแบบแบ่งชั้นตามเขตในแต่ละรอบ "
        "(stratified probability sample) โดยใช้น้ำหนักการสุ่ม (จำนวนประชากรของเขต ÷ จำนวนผู้ให้สัมภาษณ์) "
        "แล้วปรับน้ำหนักแบบ raking ภายในแต่ละรอบให้ตรงกับจำนวนประชากรตาม:</p>"
        f"<ul>{''.join(items)}</ul>"
        "<p>ค่าความคลาดเคลื่อนมาตรฐานคำนวณแบบ Taylor linearisation ตามแผนการสุ่ม (ชั้น = รอบ × เขต) "
        "และคำนึงถึงการปรับน้ำหนัก (as R's <code>survey::rake</code>); ช่วงความเชื่อมั่นแบบ logit "
        f"บนองศาอิสระของแผนการสุ่ม (df = {o.df:,}). Design effect = {_e(fmt_num(o.deff, 3))}, "
        f"effective n = {_e(fmt_num(o.n_eff, 0))}.</p>"
        "<p>ผู้ตอบออนไลน์และ Focus Group <b>ไม่ใช่ตัวอย่างความน่าจะเป็น</b> (self-selected / invited; "
        "non-probability samples) จึงแสดงแยกในหัวข้อที่ 4 และไม่นำมารวมในค่าประมาณหลัก. "
        "ตารางด้านล่างเทียบค่าประมาณหลักกับวิธีอื่น (sensitivity to the estimator).</p>"
    )


def estimators_table(analysis: AwarenessAnalysis) -> str:
    """The headline next to the other estimators."""
    labels_th = {
        "headline": "ค่าประมาณหลัก: ลงพื้นที่ ถ่วงน้ำหนักและ raking (headline)",
        "design_weights": "ลงพื้นที่ น้ำหนักการสุ่มอย่างเดียว (design weights only)",
        "raked_sex": "ลงพื้นที่ raking ตามเพศอย่างเดียว (official sex margin only)",
        "field_unweighted": "ลงพื้นที่ ไม่ถ่วงน้ำหนัก (unweighted)",
        "all_modes_unweighted": "ทุกวิธีรวมกัน ไม่ถ่วงน้ำหนัก — สูตรตามตัวอักษร "
                                "(all modes pooled; not a population estimate)",
    }
    rows = []
    for r in analysis.estimators.itertuples():
        ci = _ci(r.ci_low, r.ci_high) if np.isfinite(r.ci_low) else "ไม่มี (not a probability sample)"
        rows.append((labels_th.get(r.key, r.label), f"{r.n:,}", fmt_pct(r.estimate), ci))
    return _table(rows, ["วิธีประมาณค่า (estimator)", "n", "ร้อยละการรับรู้", _ci_head(analysis)])


def target_text(analysis: AwarenessAnalysis) -> str:
    """The one-sided test and the probability that the target is met, explained."""
    t = analysis.test
    df = "∞" if not np.isfinite(t.df) else f"{t.df:,.0f}"
    v = analysis.verdict
    bounds = ("ทั้งขอบล่างและขอบบนของช่วงความเชื่อมั่นต่ำกว่าเป้าหมาย (below the target across the "
              "whole interval)" if not v["met_at_ci_high"] else
              "ช่วงความเชื่อมั่นคร่อมค่าเป้าหมาย: ผลอาจเปลี่ยนได้จากความคลาดเคลื่อนจากการสุ่ม "
              "(the interval straddles the target)" if not v["met_at_ci_low"] else
              "ทั้งช่วงความเชื่อมั่นอยู่เหนือเป้าหมาย (above the target across the whole interval)")
    return (
        "<ul>"
        f"<li>สมมติฐาน H<sub>0</sub>: p ≥ {analysis.target:g}% เทียบกับ H<sub>1</sub>: p &lt; "
        f"{analysis.target:g}% (one-sided). สถิติทดสอบ t = (p̂ − {t.target:g}) / SE = "
        f"{t.statistic:.2f} บน df = {df}; p-value (one-sided): {_e(_p(t.p_value))} → "
        + ("<b>ปฏิเสธ H<sub>0</sub></b>: ต่ำกว่าเป้าหมายอย่างมีนัยสำคัญที่ระดับ "
           f"{t.alpha:g}" if t.reject else
           f"ไม่ปฏิเสธ H<sub>0</sub> ที่ระดับ {t.alpha:g}") + "</li>"
        f"<li>ความน่าจะเป็นที่ค่าจริงถึงเป้าหมาย P(p ≥ {analysis.target:g}%) ≈ "
        f"<b>{_e(_p(t.p_target_met))}</b>: คำนวณโดยประมาณว่าค่าจริงกระจายตาม p̂ + SE·t<sub>df</sub> "
        "(flat-prior plug-in approximation of the estimate's sampling distribution). "
        "เป็นค่าโดยประมาณแบบ Bayesian ไม่ใช่ความน่าจะเป็นที่แน่นอน และมีค่าเท่ากับ p-value ด้านเดียวข้างต้น "
        "(Casella &amp; Berger 1987).</li>"
        f"<li>การตัดสินตามตัวชี้วัดใช้ค่าประมาณ ({_e(fmt_pct(v['percent']))}) เทียบกับเป้าหมาย; "
        f"{_e(bounds)}.</li>"
        "</ul>"
    )


# --------------------------------------------------------------------------------------------
# Rounds and modes
# --------------------------------------------------------------------------------------------


def rounds_chart(analysis: AwarenessAnalysis) -> Figure:
    """Field estimate by round and overall, with intervals, against the target."""
    r = analysis.rounds[~analysis.rounds["suppressed"]]
    o = analysis.overall
    labels = [f"รอบที่ {x}" for x in r["round"]] + ["รวม 3 รอบ (overall)"]
    return estimate_chart(
        labels, [*r["estimate"], o.estimate * 100], [*r["ci_low"], o.ci.low * 100],
        [*r["ci_high"], o.ci.high * 100], target=analysis.target,
        xlabel="ร้อยละการรับรู้ (ลงพื้นที่ ถ่วงน้ำหนัก) · awareness, field sample")


def _hidden(row: Any, analysis: AwarenessAnalysis) -> str:
    """The n cell of a suppressed row: small, or hidden only to protect a small one."""
    if getattr(row, "complementary", False):
        return "ไม่แสดง (ป้องกันการคำนวณย้อน)"
    return f"< {analysis.min_group}"


def rounds_table(analysis: AwarenessAnalysis) -> str:
    """Estimate, interval, margin of error and P(target met) by round."""
    rows = []
    for r in analysis.rounds.itertuples():
        if r.suppressed:
            rows.append((f"รอบที่ {r.round}", _hidden(r, analysis), "–", "–", "–", "–"))
            continue
        rows.append((f"รอบที่ {r.round}", _n(r.n), fmt_pct(r.estimate), _ci(r.ci_low, r.ci_high),
                     f"± {fmt_num(r.moe)}", _p(r.p_target_met)))
    return _table(rows, ["รอบ (round)", "n", "ร้อยละการรับรู้", _ci_head(analysis),
                         "MOE (จุดร้อยละ)", "P(ถึงเป้าหมาย)"])


def round_change_text(analysis: AwarenessAnalysis) -> str:
    """Change from the first to the last round, with its interval."""
    c = analysis.round_change
    if c["from_round"] == c["to_round"]:
        return "<p>มีข้อมูลเพียงรอบเดียว (one round only).</p>"
    sig = ("เพิ่มขึ้นอย่างมีนัยสำคัญ (a significant increase)" if c["ci_low"] > 0 else
           "ลดลงอย่างมีนัยสำคัญ (a significant decrease)" if c["ci_high"] < 0 else
           "ไม่แตกต่างอย่างมีนัยสำคัญ (not distinguishable from no change)")
    return (f"<p>รอบที่ {c['to_round']} เทียบกับรอบที่ {c['from_round']}: ผลต่าง "
            f"<b>{c['difference']:+.2f}</b> จุดร้อยละ (ช่วงความเชื่อมั่น {analysis.confidence:.0%}: "
            f"{c['ci_low']:+.2f} ถึง {c['ci_high']:+.2f}) — {sig}</p>")


def modes_chart(analysis: AwarenessAnalysis) -> Figure:
    """Estimate by collection mode (each raked to the margins it covers) against the target."""
    m = analysis.modes[~analysis.modes["suppressed"]]
    labels = [MODE_TH.get(x, x) + ("" if p else " *") for x, p in
              zip(m["mode"], m["probability_sample"], strict=True)]
    return estimate_chart(labels, m["estimate"].tolist(), m["ci_low"].tolist(),
                          m["ci_high"].tolist(), target=analysis.target,
                          xlabel="ร้อยละการรับรู้ (* ไม่ใช่ตัวอย่างความน่าจะเป็น · non-probability)")


def modes_table(analysis: AwarenessAnalysis) -> str:
    """Estimate by mode, the difference from the field estimate and its test."""
    rows = []
    for r in analysis.modes.itertuples():
        kind = "ความน่าจะเป็น (probability)" if r.probability_sample else \
            "ไม่ใช่ความน่าจะเป็น (non-probability)"
        if r.suppressed:
            rows.append((MODE_TH.get(r.mode, r.mode), kind, _hidden(r, analysis), "–", "–",
                         "–", "–", "–"))
            continue
        diff = "–" if r.mode == "field" else f"{r.difference:+.2f}"
        pv = "–" if r.mode == "field" else _p(r.p_value)
        rows.append((MODE_TH.get(r.mode, r.mode), kind, _n(r.n), fmt_pct(r.unweighted),
                     fmt_pct(r.estimate), _ci(r.ci_low, r.ci_high), diff, pv))
    return _table(rows, ["วิธีเก็บข้อมูล (mode)", "ประเภทตัวอย่าง", "n", "ไม่ถ่วงน้ำหนัก",
                         "ถ่วงน้ำหนัก (raked)", _ci_head(analysis),
                         "ผลต่างจากลงพื้นที่", "p-value"], align_right_from=2)


def associations_table(analysis: AwarenessAnalysis) -> str:
    """Design-based tests that awareness differs across rounds, districts and modes."""
    rows = []
    for r in analysis.associations.itertuples():
        if not r.groups >= 2 or not np.isfinite(r.p_value):
            rows.append((r.label_th, str(r.groups), "–", "–", "–", "ทดสอบไม่ได้ (no test)"))
            continue
        verdict = ("แตกต่างอย่างมีนัยสำคัญ (differ)" if r.differs else
                   "ไม่แตกต่างอย่างมีนัยสำคัญ (no significant difference)")
        rows.append((r.label_th, str(r.groups), f"{r.statistic:.2f}",
                     f"{r.ndf:.2f}, {r.ddf:.1f}", _p(r.p_value), verdict))
    note = ("<p class='kpi-caption'>การทดสอบ Rao–Scott (แก้ไขอันดับสอง, F) "
            "ของร้อยละการรับรู้ระหว่างกลุ่มที่แสดงในรายงาน "
            f"ที่ระดับนัยสำคัญ {analysis.alpha:g}; กลุ่มที่ถูกปกปิดไม่รวมในการทดสอบ "
            "(Rao–Scott second-order test, as R svychisq; suppressed groups left out). "
            "การทดสอบระหว่างวิธีเก็บข้อมูลไม่นำการปรับน้ำหนัก (raking) มาคิด จึงเป็นการทดสอบแบบอนุรักษ์ "
            "(the mode test ignores each mode's raking: conservative).</p>")
    return _table(rows, ["เปรียบเทียบระหว่าง (across)", "จำนวนกลุ่ม", "F", "df", "p-value",
                         "ผล (result)"], align_right_from=1) + note


def associations_check_line(analysis: AwarenessAnalysis) -> str:
    """One stable line of the tests of association (compared by the notebook regression
    test)."""
    parts = [f"{r.scope}: groups={r.groups} F={r.statistic:.4f} p={r.p_value:.4g}"
             for r in analysis.associations.itertuples()]
    return "associations " + "; ".join(parts)


def modes_warning(analysis: AwarenessAnalysis) -> str:
    """A warning box when the modes disagree beyond sampling error; always the caveat."""
    caveat = ("ผู้ตอบออนไลน์เลือกตอบเอง และผู้เข้าร่วม Focus Group ได้รับเชิญ จึงไม่ใช่ตัวอย่างความน่าจะเป็น: "
              "ช่วงความเชื่อมั่นของทั้งสองกลุ่มสมมติว่าผู้ตอบเป็นเหมือนตัวอย่างสุ่มภายในกลุ่มเพศ/อายุ/เขต "
              "ซึ่งตรวจสอบไม่ได้ และไม่ได้สะท้อนความเอนเอียงจากการคัดเลือก (selection bias). Focus Group "
              "นับกลุ่มละ 8 คนเป็นหน่วยสุ่ม (cluster).")
    bad = analysis.modes[analysis.modes["disagrees"]]
    if bad.empty:
        return (f"<div class='kpi-box'><p>วิธีเก็บข้อมูลให้ผลไม่แตกต่างกันเกินความคลาดเคลื่อนจากการสุ่ม "
                f"(modes agree within sampling error).</p><p>{_e(caveat)}</p></div>")
    names = ", ".join(MODE_TH.get(m, m) for m in bad["mode"])
    return (
        "<div class='kpi-box kpi-missed'><p><b>⚠ คำเตือน (warning):</b> ผลจาก "
        f"{_e(names)} แตกต่างจากการลงพื้นที่เกินกว่าความคลาดเคลื่อนจากการสุ่ม (two-sided test at "
        f"{analysis.alpha:g}; the modes disagree beyond sampling error). จึงไม่ควรรวมผู้ตอบทุกวิธี"
        "เข้าด้วยกันเพื่อคำนวณร้อยละการรับรู้ของประชากร.</p>"
        f"<p>{_e(caveat)}</p></div>"
    )


# --------------------------------------------------------------------------------------------
# Districts
# --------------------------------------------------------------------------------------------


def districts_chart(analysis: AwarenessAnalysis) -> Figure:
    """Sorted dot plot of the district estimates with their intervals, the target and overall.

    Red: the whole interval is below the target; blue: the interval includes the target;
    green: the whole interval is above it.
    """
    d = analysis.districts[~analysis.districts["suppressed"]].iloc[::-1]
    n = len(d)
    fig, ax = new_figure(8.5, 0.2 * n + 1.6)
    y = np.arange(n)
    est = d["estimate"].to_numpy(float)
    lo = d["ci_low"].to_numpy(float)
    hi = d["ci_high"].to_numpy(float)
    colour = np.where(hi < analysis.target, _RED, np.where(lo >= analysis.target, _GREEN, _BLUE))
    ax.hlines(y, lo, hi, colors=colour, linewidth=1.6)
    ax.scatter(est, y, c=colour, s=22, zorder=3)
    ax.axvline(analysis.target, color=_RED, linestyle="--", linewidth=1)
    ax.axvline(analysis.percent, color=_GREY, linestyle=":", linewidth=1)
    ax.text(analysis.target, n + 0.1, f" เป้าหมาย {analysis.target:g}%", color=_RED, fontsize=9)
    ax.text(analysis.percent, n + 0.1, f"กรุงเทพฯ {analysis.percent:.1f}% ", color=_GREY,
            fontsize=9, ha="right")
    ax.set_yticks(y, [f"{name} (n={int(k)})" for name, k in
                      zip(d["district_th"], d["n"], strict=True)], fontsize=8)
    ax.set_ylim(-0.8, n + 0.8)
    ax.set_xlim(max(0.0, float(np.nanmin(lo)) - 5), 100)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"ร้อยละการรับรู้ และช่วงความเชื่อมั่น {analysis.confidence:.0%} (ลงพื้นที่ รวม 3 รอบ) · "
                  "awareness by district")
    return fig


def districts_table(analysis: AwarenessAnalysis) -> str:
    """All districts, sorted as the chart, in a collapsible block."""
    rows = []
    for r in analysis.districts.itertuples():
        if r.suppressed:
            rows.append((f"{r.district_code} {r.district_th}", _hidden(r, analysis), "–", "–",
                         "–", "–"))
            continue
        rows.append((f"{r.district_code} {r.district_th}", _n(r.n), fmt_pct(r.estimate),
                     _ci(r.ci_low, r.ci_high), f"± {fmt_num(r.moe)}", _n(r.n_needed)))
    below = int((analysis.districts["ci_high"] < analysis.target).sum())
    above = int((analysis.districts["ci_low"] >= analysis.target).sum())
    return (
        f"<p>เขตที่ทั้งช่วงความเชื่อมั่นต่ำกว่าเป้าหมาย: <b>{below}</b> เขต · ทั้งช่วงสูงกว่าเป้าหมาย: "
        f"<b>{above}</b> เขต · ที่เหลือช่วงความเชื่อมั่นคร่อมเป้าหมาย (intervals straddle the target). "
        "ค่าประมาณรายเขตมีความคลาดเคลื่อนสูง (ดูหัวข้อที่ 7) และเมื่อดู 50 ช่วงพร้อมกัน "
        "คาดว่าราว 2–3 ช่วงจะไม่ครอบคลุมค่าจริงโดยบังเอิญ (multiple comparisons).</p>"
        "<details><summary>ตารางรายเขต (district table)</summary>"
        + _table(rows, ["เขต (district)", "n", "ร้อยละการรับรู้", _ci_head(analysis),
                        "MOE (จุดร้อยละ)", "n ที่ต้องการสำหรับ ±5"])
        + "</details>"
    )


# --------------------------------------------------------------------------------------------
# Small-area estimates by district (Fay-Herriot EBLUP)
# --------------------------------------------------------------------------------------------

_ILLUSTRATIVE_TH = ("ตัวอย่างประกอบเท่านั้น (ILLUSTRATIVE): ตัวแปรร่วมระดับเขตเป็นข้อมูลสมมติ "
                    "ไม่ใช่ข้อมูลทางการ (the district covariates are synthetic sample data, "
                    "not official figures)")


_MSE_TH = {"REML": "Prasad–Rao", "ML": "Datta–Lahiri (ML bias-corrected)",
           "FH": "Datta–Rao–Smith"}


def small_area_text(sae: DistrictSmallArea | None) -> str:
    """What the small-area estimates are, the model, and the illustrative label; ``None``
    (the catalog declares no district covariate file) says that the section is not shown."""
    if sae is None:
        return ("<p>ไม่มีไฟล์ตัวแปรร่วมระดับเขต จึงไม่แสดงค่าประมาณสำหรับพื้นที่ขนาดเล็ก "
                "(no district covariate file in the catalog: small-area estimates are not "
                "shown).</p>")
    fit = sae.fit
    s = sae.shown
    hidden = int(sae.table["suppressed"].sum())
    terms = ", ".join(f"{r.term} {r.estimate:+.3f} (SE {r.se:.3f})"
                      for r in fit.coefficients.itertuples())
    label = (f"<p style='border:1px solid #b58900;padding:.4em'><b>{_e(_ILLUSTRATIVE_TH)}</b></p>"
             if sae.illustrative else "")
    suppressed = (f" {hidden} เขตมีผู้ตอบน้อยเกินไปจึงไม่แสดงตัวเลขและไม่ใช้ในแบบจำลอง "
                  f"({hidden} suppressed district(s) are left out of the model and stay "
                  "blank)." if hidden else "")
    return (
        label
        + "<p>ค่าประมาณรายเขตจากตัวอย่างโดยตรง (direct estimate) มีความคลาดเคลื่อนสูงเพราะแต่ละเขต"
        "มีผู้ตอบไม่มาก ค่าประมาณสำหรับพื้นที่ขนาดเล็ก (small-area estimate, Fay–Herriot EBLUP) "
        "ถ่วงค่าประมาณโดยตรงของแต่ละเขตกับค่าที่คาดจากตัวแปรร่วมระดับเขต "
        f"({_e(', '.join(sae.covariates))}): เขตที่ค่าประมาณโดยตรงแม่นยำจะคงค่าเดิมไว้มาก "
        "เขตที่ไม่แม่นยำจะเอนเข้าหาเส้นถดถอย (shrinkage).</p>"
        f"<p>แบบจำลอง (model): Fay–Herriot, ความแปรปรวนของแบบจำลองโดย {_e(fit.method)} "
        f"= {fit.refvar * 1e4:.2f} (ร้อยละ², percent²), {len(s)} เขต; สัมประสิทธิ์ "
        f"(coefficients, proportion scale): {_e(terms)}. "
        f"ความคลาดเคลื่อนกำลังสองเฉลี่ย (MSE) ตาม {_MSE_TH[fit.method]}; SE = √MSE; "
        "CV = SE / ค่าประมาณ × 100. "
        f"CV มัธยฐาน (median CV): ค่าประมาณโดยตรง {fmt_num(float(s['cv_direct'].median()))}% · "
        f"EBLUP {fmt_num(float(s['cv_eblup'].median()))}%.{suppressed}</p>"
    )


def small_area_table(sae: DistrictSmallArea) -> str:
    """Direct and EBLUP estimates of every district side by side with their SE and CV."""
    rows = []
    for r in sae.table.itertuples():
        name = f"{r.district_code} {r.district_th}"
        if r.suppressed:
            rows.append((name, "ไม่แสดง (suppressed)", *("–",) * 7))
            continue
        rows.append((name, _n(r.n), fmt_pct(r.direct), fmt_num(r.se_direct),
                     f"{fmt_num(r.cv_direct, 1)}%", fmt_pct(r.eblup), fmt_num(r.se_eblup),
                     f"{fmt_num(r.cv_eblup, 1)}%", fmt_num(r.shrinkage)))
    head = ["เขต (district)", "n", "ค่าประมาณโดยตรง (direct)", "SE", "CV",
            "EBLUP", "SE (√MSE)", "CV", "น้ำหนักเส้นถดถอย (shrinkage)"]
    return ("<details><summary>ตารางค่าประมาณรายเขต: โดยตรงและ EBLUP (direct and small-area "
            "estimates by district)</summary>" + _table(rows, head) + "</details>")


def small_area_chart(sae: DistrictSmallArea) -> Figure:
    """Direct (hollow) and EBLUP (filled) estimate of each district with ±1 SE bars."""
    s = sae.shown.iloc[::-1]
    n = len(s)
    fig, ax = new_figure(8.5, 0.2 * n + 1.6)
    y = np.arange(n)
    ax.hlines(y + 0.18, s["direct"] - s["se_direct"], s["direct"] + s["se_direct"],
              colors=_GREY, linewidth=1.2)
    ax.scatter(s["direct"], y + 0.18, facecolors="white", edgecolors=_GREY, s=20, zorder=3,
               label="ค่าประมาณโดยตรง (direct) ± SE")
    ax.hlines(y - 0.18, s["eblup"] - s["se_eblup"], s["eblup"] + s["se_eblup"],
              colors=_BLUE, linewidth=1.6)
    ax.scatter(s["eblup"], y - 0.18, c=_BLUE, s=20, zorder=3, label="EBLUP ± √MSE")
    ax.set_yticks(y, [f"{name} (n={int(k)})" for name, k in
                      zip(s["district_th"], s["n"], strict=True)], fontsize=8)
    ax.set_ylim(-0.8, n - 0.2)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", fontsize=8)
    label = " · ตัวอย่างประกอบ (illustrative)" if sae.illustrative else ""
    ax.set_xlabel(f"ร้อยละการรับรู้รายเขต: โดยตรงและ EBLUP (Fay–Herriot){label}")
    return fig


def small_area_check_line(sae: DistrictSmallArea) -> str:
    """One stable line of the small-area fit (compared by the notebook regression test)."""
    s = sae.shown
    return (f"sae method={sae.fit.method} districts={len(s)} "
            f"suppressed={int(sae.table['suppressed'].sum())} "
            f"refvar_pct2={sae.fit.refvar * 1e4:.4f} "
            f"median_cv_direct={float(s['cv_direct'].median()):.3f} "
            f"median_cv_eblup={float(s['cv_eblup'].median()):.3f} "
            f"illustrative={sae.illustrative}")


# --------------------------------------------------------------------------------------------
# Channels and dimensions
# --------------------------------------------------------------------------------------------


def channels_chart(analysis: AwarenessAnalysis) -> Figure:
    """Reach of each medium (share of the population, field sample) with intervals; hollow
    diamonds show the online sample's unweighted share for contrast."""
    c = analysis.channels.iloc[::-1]
    n = len(c)
    fig, ax = new_figure(8.5, 0.42 * n + 1.6)
    y = np.arange(n)
    colours = [_GREY if g == "any" or col.startswith("any") else
               ("#8c510a" if g == "offline" else _BLUE)
               for g, col in zip(c["group"], c["column"], strict=True)]
    est = c["estimate"].to_numpy(float)
    err = np.vstack([est - c["ci_low"].to_numpy(float), c["ci_high"].to_numpy(float) - est])
    ax.barh(y, est, color=colours, alpha=0.85, xerr=err, ecolor="#333333", capsize=3,
            label="ประชากร (field, weighted)")
    ax.scatter(c["online_sample"], y, marker="D", facecolors="none", edgecolors="#000000",
               s=28, zorder=3, label="ตัวอย่างออนไลน์ (online sample, unweighted)")
    for yi, e in zip(y, est, strict=True):
        ax.text(1, yi, f"{e:.1f}%", va="center", fontsize=8, color="white")
    ax.set_yticks(y, c["label_th"].tolist(), fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel("ร้อยละของประชากรที่ได้รับข่าวสาร กทม. ผ่านช่องทาง (reach) · น้ำตาล: ออฟไลน์ · "
                  "น้ำเงิน: ออนไลน์")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def _reach_rows(table: pd.DataFrame) -> list[tuple[str, ...]]:
    group_th = {"offline": "ออฟไลน์", "online": "ออนไลน์", "any": "ออฟไลน์", "dimension": ""}
    rows = []
    for r in table.itertuples():
        group = group_th.get(r.group, r.group)
        label = r.label_th if r.group == "dimension" or r.column.startswith("any") \
            else f"{r.label_th} ({group})"
        rows.append((label, fmt_pct(r.estimate), _ci(r.ci_low, r.ci_high),
                     fmt_pct(r.among_aware), fmt_pct(r.online_sample)))
    return rows


def channels_table(analysis: AwarenessAnalysis) -> str:
    """Reach of each channel: population share, among the aware, and in the online sample."""
    return _table(_reach_rows(analysis.channels),
                  ["ช่องทาง (channel)", "ร้อยละของประชากร (reach)", _ci_head(analysis),
                   "ร้อยละของผู้รับรู้", "ตัวอย่างออนไลน์ (ไม่ถ่วงน้ำหนัก)"])


def dimensions_table(analysis: AwarenessAnalysis) -> str:
    """Recall of each "9 ดี 9 ด้าน" dimension."""
    return _table(_reach_rows(analysis.dimensions),
                  ["ด้าน (dimension)", "ร้อยละของประชากร", _ci_head(analysis),
                   "ร้อยละของผู้รับรู้", "ตัวอย่างออนไลน์ (ไม่ถ่วงน้ำหนัก)"])


# --------------------------------------------------------------------------------------------
# Sample size
# --------------------------------------------------------------------------------------------


def moe_table(analysis: AwarenessAnalysis) -> str:
    """Margin of error achieved overall, per round, per mode and per district."""
    scope_th = {"overall": "ภาพรวม", "round": "รายรอบ", "mode": "วิธีเก็บข้อมูล",
                "district": "รายเขต"}
    rows = [(scope_th.get(r.scope, r.scope), r.group, _n(r.n), f"± {fmt_num(r.moe)}",
             f"± {fmt_num(r.moe_srs_p50)}") for r in analysis.sample_size.achieved.itertuples()]
    return _table(rows, ["ระดับ", "กลุ่ม", "n", "MOE ที่ได้ (design-based)",
                         "MOE ตามสูตร SRS, p = 0.5"], align_right_from=2)


def formulas_table(analysis: AwarenessAnalysis) -> str:
    """n required by Cochran, Yamane and Krejcie–Morgan for Bangkok's population."""
    ss = analysis.sample_size
    rows = [(f"± {r.margin:g}", f"{r.cochran:,}", f"{r.yamane:,}", f"{r.krejcie_morgan:,}",
             f"{r.cochran_p_hat:,}", f"{r.cochran_deff:,}") for r in ss.formulas.itertuples()]
    return (f"<p>ประชากรกรุงเทพมหานคร N = {ss.population:,.0f} คน (ทะเบียนราษฎร พ.ศ. 2566), "
            "ความเชื่อมั่น 95%</p>"
            + _table(rows, ["ความคลาดเคลื่อน (จุดร้อยละ)", "Cochran (p = 0.5)",
                            "Yamane", "Krejcie–Morgan", f"Cochran (p = {analysis.percent:.0f}%)",
                            f"Cochran × deff {ss.deff:.2f}"]))


def formulas_text(analysis: AwarenessAnalysis) -> str:
    """Why the three formulas give different n."""
    f = {k: int(v) for k, v in analysis.sample_size.formulas.iloc[0].items() if k != "margin"}
    return (
        "<ul>"
        f"<li><b>Cochran</b> n₀ = z²p(1−p)/e² กับ z = 1.96 และ p = 0.5 (กรณีที่ต้องการตัวอย่างมากที่สุด) "
        f"ได้ 384.1 แล้วปรับด้วย finite-population correction และปัดขึ้น → {f['cochran']:,} คน</li>"
        f"<li><b>Yamane</b> n = N / (1 + Ne²) คือสูตรเดียวกันแต่ใช้ z = 2 (ความเชื่อมั่นราว 95.4%) "
        f"และ p = 0.5 จึงได้มากกว่าเล็กน้อย → {f['yamane']:,} คน (≈ 1/e² เมื่อ N ใหญ่)</li>"
        f"<li><b>Krejcie–Morgan</b> ใช้ χ² = 3.841 (= 1.96²) และ p = 0.5 เหมือน Cochran แต่ปัดเศษ"
        f"แบบใกล้เคียงที่สุดตามตารางที่ตีพิมพ์ → {f['krejcie_morgan']:,} คน</li>"
        "<li>ทั้งสามสูตรสมมติการสุ่มอย่างง่าย (simple random sampling) และไม่ขึ้นกับ N เมื่อ N มีขนาดใหญ่ "
        "เช่นกรุงเทพฯ: ความต่างมาจากค่า z ที่ใช้และวิธีปัดเศษเท่านั้น. ถ้าใช้ค่าร้อยละการรับรู้ที่ประมาณได้"
        "แทน p = 0.5 จะต้องการตัวอย่างน้อยลง</li>"
        "</ul>"
    )


def deff_text(analysis: AwarenessAnalysis) -> str:
    """The effect of the design effect on precision and required n."""
    ss = analysis.sample_size
    o = analysis.overall
    modes = analysis.modes.set_index("mode")
    fg = modes["deff"].get("focus_group", float("nan"))
    online = modes["deff"].get("online", float("nan"))
    return (
        "<ul>"
        f"<li>Design effect ของค่าประมาณหลัก = <b>{ss.deff:.3f}</b> (Kish weighting effect ของน้ำหนัก"
        f" = {ss.kish_deff:.3f}): การแบ่งชั้นตามเขตแบบสัดส่วนช่วยลดความแปรปรวน ส่วนการถ่วงน้ำหนัก"
        f"เพิ่มเล็กน้อย จึงได้ effective n ≈ {o.n_eff:,.0f} จาก {o.n:,} คน</li>"
        f"<li>ขนาดตัวอย่างที่ต้องการ = n<sub>SRS</sub> × deff: deff 1.5 หรือ 2 (ทั่วไปสำหรับการสุ่มแบบกลุ่ม) "
        "จะต้องการตัวอย่างเพิ่มขึ้น 1.5–2 เท่าสำหรับความคลาดเคลื่อนเท่าเดิม</li>"
        f"<li>ตัวอย่างที่ไม่ใช่ความน่าจะเป็นมี deff สูงกว่า: ออนไลน์หลัง raking ≈ {fmt_num(online)} "
        f"(น้ำหนักแปรปรวนมาก), Focus Group ≈ {fmt_num(fg)} (ผู้ตอบในกลุ่มเดียวกันคล้ายกัน) — "
        "และความคลาดเคลื่อนจากการคัดเลือกไม่ลดลงเมื่อเพิ่มจำนวนผู้ตอบ</li>"
        "</ul>"
    )


def test_power_table(analysis: AwarenessAnalysis) -> str:
    """n for a one-sided 5 % test of the target with 80 % power."""
    ss = analysis.sample_size
    rows = [(f"{r.p_expected:g}%", f"{r.n_srs:,}", f"{r.n_deff:,}")
            for r in ss.test_power.itertuples()]
    return ("<p>ขนาดตัวอย่างสำหรับทดสอบว่าต่ำกว่าเป้าหมาย 80% (one-sided, α = 0.05, power 80%; "
            "Fleiss, Levin &amp; Paik 2003):</p>"
            + _table(rows, ["ค่าจริงที่คาดไว้", "n (SRS)", f"n × deff {ss.deff:.2f}"]))


def district_needs_text(analysis: AwarenessAnalysis) -> str:
    """What a ±5-point district estimate would need."""
    ss = analysis.sample_size
    d = ss.district_needs
    have = pd.to_numeric(d["n"], errors="coerce")
    return (
        f"<p>ค่าประมาณรายเขตที่ความคลาดเคลื่อน ± {ss.district_moe_target * 100:g} จุดร้อยละ "
        "(Cochran, p = 0.5, ความเชื่อมั่น 95%, FPC ตามประชากรของเขต × deff ของเขต) ต้องการ "
        f"<b>{int(d['n_needed'].min()):,}–{int(d['n_needed'].max()):,}</b> คนต่อเขต รวม "
        f"<b>{ss.district_total_needed:,}</b> คนทั้ง 50 เขต "
        f"ขณะที่ปัจจุบันมีผู้ให้สัมภาษณ์ลงพื้นที่ {int(have.min()):,}–{int(have.max()):,} คนต่อเขต "
        f"(รวม 3 รอบ) ความคลาดเคลื่อนรายเขตจึงอยู่ที่ ± {d['moe'].min():.1f} ถึง ± "
        f"{d['moe'].max():.1f} จุดร้อยละ. ถ้าต้องการผลรายเขตรายรอบ ต้องใช้จำนวนนี้ในทุกรอบ. "
        "ประชากรรายเขตในข้อมูลตัวอย่างเป็นค่าสมมติ (ILLUSTRATIVE).</p>"
    )


# --------------------------------------------------------------------------------------------
# Methods and check line
# --------------------------------------------------------------------------------------------


def methods_text(summary: Mapping[str, Any], data: AwarenessData) -> str:
    """Definitions, data sources and provenance."""
    src = data.margins.drop_duplicates("variable")
    margins = "".join(
        f"<li>{_e(VARIABLE_TH.get(r.variable, r.variable))}: "
        f"{_e(STATUS_TH.get(r.status, r.status))} — {_e(r.source)}</li>"
        for r in src.itertuples())
    return (
        "<ul>"
        "<li>นิยาม (KR definition): ผู้รับรู้ = ได้รับข่าวสารการดำเนินงานตามนโยบาย 9 ดี 9 ด้าน อย่างน้อย 1 ด้าน "
        "ผ่านช่องทางสื่อประชาสัมพันธ์อย่างน้อย 1 ช่องทาง; ร้อยละ = ผู้รับรู้ × 100 / ผู้ตอบ "
        "(ประมาณค่าสำหรับประชากรด้วยน้ำหนักการสุ่ม)</li>"
        f"<li>จำนวนประชากรที่ใช้ปรับน้ำหนัก (population margins):<ul>{margins}</ul></li>"
        "<li>ประชากรตามทะเบียนราษฎรเป็นทุกช่วงอายุ ขณะที่ผู้ตอบอายุ 18 ปีขึ้นไป: การ raking ตามเพศ"
        "สมมติว่าสัดส่วนเพศของผู้ใหญ่เท่ากับของประชากรทั้งหมด</li>"
        f"<li>กลุ่มย่อยที่มีผู้ตอบน้อยกว่า {summary.get('min_group', 10)} คนไม่แสดงตัวเลข "
        "และเมื่อมีกลุ่มเล็กเพียงกลุ่มเดียวในตาราง จะไม่แสดงกลุ่มที่เล็กที่สุดถัดไปด้วย "
        "เพื่อไม่ให้คำนวณย้อนจากยอดรวมได้ (small groups and their "
        "complements suppressed)</li>"
        "<li>ข้อมูลในรายงานนี้เป็นข้อมูลสังเคราะห์ (synthetic sample data): ไม่มีแถวใดเป็นบุคคลจริง</li>"
        f"<li>ไฟล์ข้อมูล: <code>{_e(summary['input_path'])}</code>, SHA-256 "
        f"<code>{_e(summary['input_sha256'])}</code></li>"
        f"<li>ไฟล์ประชากร: <code>{_e(summary['margins_path'])}</code>, SHA-256 "
        f"<code>{_e(summary['margins_sha256'])}</code></li>"
        f"<li>kpianalysis {_e(summary['package_version'])}</li>"
        "</ul>"
    )


def check_line(summary: Mapping[str, Any]) -> str:
    """One stable line of the key summary values (compared by the notebook regression test)."""
    n_mode = " ".join(f"n_{k}={v}" for k, v in summary["n_by_mode"].items())
    return (f"kpi={summary['kpi']} n_respondents={summary['n_respondents']} {n_mode} "
            f"estimate={summary['estimate']:.2f} ci=({summary['ci_low']:.2f}, "
            f"{summary['ci_high']:.2f}) moe={summary['moe_overall']:.2f} "
            f"target_met={summary['target_met']} p_target_met={summary['p_target_met']:.4f} "
            f"modes_disagree={summary['modes_disagree']} "
            f"pooled_unweighted={summary['percent_all_modes_unweighted']:.2f}")

