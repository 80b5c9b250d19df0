"""Presentation of the district development-targets report: escaped HTML pieces and figures.

Nothing here computes a statistic: every number comes from a
:class:`kpianalysis.district_targets.DistrictTargetsAnalysis`. The functions choose, label,
round and escape (every data-derived string goes through :func:`presentation.escape`), and
every table comes with a CSV download (:func:`report_pages.csv_download`). Figures are
:class:`matplotlib.figure.Figure` objects with the packaged Thai font
(:func:`kpianalysis.plotting.new_figure`). When the data is the bundled sample, every table and
figure says that it is illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .district_targets import DistrictTargetsAnalysis
from .plotting import new_figure, shorten_label
from .presentation import escape as _e
from .presentation import html_table as _table
from .report_pages import csv_download
from .result import KPIResult

__all__ = [
    "ILLUSTRATIVE_TH",
    "agencies_chart",
    "agencies_table",
    "agency_names",
    "districts_chart",
    "districts_table",
    "illustrative_note",
    "lagging_text",
    "method_text",
    "pairs_download",
    "targets_table",
    "transcription_table",
]

#: The label every table and figure of the bundled sample carries.
ILLUSTRATIVE_TH = "ข้อมูลสมมุติเพื่อการสาธิต (illustrative)"
_ACHIEVED_WHEN_TH = {"at_least": "ผล ≥ แผน", "at_most": "ผล ≤ แผน"}
_BLUE, _RED, _GREY = "#2166ac", "#b2182b", "#555555"


def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.2f}"


def _caption(text: str, illustrative: bool) -> str:
    tag = f" — {ILLUSTRATIVE_TH}" if illustrative else ""
    return f"<p class='kpi-caption'><b>{_e(text)}</b>{_e(tag)}</p>"


def agency_names(agencies: Mapping[str, Any]) -> dict[str, str]:
    """Abbreviation → Thai full name, from a catalog's ``agencies`` mapping."""
    return {str(info["abbreviation"]): str(name) for name, info in agencies.items()
            if isinstance(info, Mapping) and info.get("abbreviation")}


def illustrative_note(result: KPIResult) -> str:
    """A boxed sentence saying the plan and actual values are invented (bundled sample only)."""
    if result.data_status != "sample":
        return ""
    return ("<div class='kpi-illustrative' style='background:#fff4d6;padding:0.5em 1em;"
            "border-radius:4px'><b>ข้อมูลสมมุติ (illustrative):</b> ค่าแผนและผลรายเขตทุกค่าในรายงานนี้"
            "สร้างขึ้นด้วยตัวสร้างข้อมูลตัวอย่างที่กำหนด seed เพื่อสาธิตการวิเคราะห์เท่านั้น เอกสารต้นฉบับ "
            "(ลำดับที่ 004 บรรทัด 480-504) ระบุเพียงรายการเป้าหมาย หน่วยนับ และหน่วยงานเจ้าภาพ "
            "ไม่มีค่าแผนหรือผลของเขตใด อันดับในรายงานนี้จึงไม่ได้บอกอะไรเกี่ยวกับเขตจริง</div>")


def method_text(analysis: DistrictTargetsAnalysis) -> str:
    """The formulas in Thai, with the counts of pairs they use."""
    t = analysis.targets
    at_most = t.loc[t["achieved_when"] == "at_most", "item"].tolist()
    direction = ("ทุกข้อของเอกสารเป็นงานที่ต้องทำให้ได้อย่างน้อยตามแผน รวมถึงข้อแก้ไขจุดเสี่ยงน้ำท่วม "
                 "จราจรฝืด อุบัติเหตุ และอาชญากรรม ซึ่งนับจำนวนจุดที่แก้ไขแล้ว" if not at_most else
                 f"ยกเว้นข้อ {', '.join(at_most)} ซึ่งได้ผลถึงแผนเมื่อผล ≤ แผน")
    return (
        "<ul class='kpi-method'>"
        f"<li>คู่ (เขต × เป้าหมาย) ทั้งหมด {analysis.n_pairs:,} คู่ มีแผนมากกว่า 0 จำนวน "
        f"{analysis.n_with_target:,} คู่ แผนเป็น 0 (ข้อนั้นไม่ได้กำหนดเป้าหมายให้เขตนั้น) "
        f"{analysis.n_without_target:,} คู่ ซึ่งไม่นับในตัวหาร</li>"
        f"<li>คู่หนึ่ง <b>ได้ผลถึงแผน</b> เมื่อผล ≥ แผน ({_e(direction)})</li>"
        "<li>ร้อยละความสำเร็จของคู่ = min(ผล ÷ แผน, 1) × 100 (ข้อที่ผล ≤ แผน: 100 เมื่อผล ≤ แผน "
        "มิฉะนั้น แผน ÷ ผล × 100) จำกัดไม่เกิน 100 เพื่อไม่ให้เขตที่ทำเกินแผนมากกลบเขตที่ทำได้ต่ำกว่าแผน"
        "เมื่อเฉลี่ยรวมกัน</li>"
        "<li>สัดส่วนของเขต = ข้อที่ได้ผลถึงแผน × 100 ÷ ข้อที่มีแผน · สัดส่วนของหน่วยงานเจ้าภาพ = "
        "คู่ (ข้อที่เป็นเจ้าภาพ × เขต) ที่ได้ผลถึงแผน × 100 ÷ คู่ที่มีแผน · ค่ารวม = คู่ที่ได้ผลถึงแผน "
        "× 100 ÷ คู่ที่มีแผนทั้งหมด</li>"
        "<li>การจัดอันดับเรียงตามสัดส่วน แล้วตามร้อยละความสำเร็จเฉลี่ย สัดส่วนเท่ากันได้อันดับเดียวกัน</li>"
        "</ul>")


def _share_bars(labels: Sequence[str], shares: np.ndarray, overall: float | None,
                xlabel: str, title: str) -> Figure:
    """Horizontal bars of shares (first label on top), the overall share as a dotted line."""
    n = len(labels)
    fig, ax = new_figure(8.5, 0.2 * n + 1.8 if n > 12 else 0.4 * n + 1.6)
    y = np.arange(n)[::-1]
    values = np.nan_to_num(np.asarray(shares, dtype=float), nan=0.0)
    below = overall is not None and overall > 0
    colour = np.where(below & (values < (overall or 0.0)), _RED, _BLUE)
    ax.barh(y, values, color=colour, height=0.7)
    for yi, v in zip(y, shares, strict=True):
        ax.text(min(float(np.nan_to_num(v)), 100.0) + 0.8, yi, _pct(v), va="center", fontsize=7)
    if overall is not None:
        ax.axvline(overall, color=_GREY, linestyle=":", linewidth=1)
        ax.text(overall, n - 0.3, f" รวม {overall:.1f}%", color=_GREY, fontsize=8)
    ax.set_yticks(y, [shorten_label(str(x), 40) for x in labels], fontsize=7 if n > 12 else 9)
    ax.set_ylim(-0.8, n + 0.3)
    ax.set_xlim(0, 108)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def districts_chart(analysis: DistrictTargetsAnalysis, illustrative: bool = False) -> Figure:
    """The 50 districts ranked by their share of rows achieved (best on top).

    Red bars: below the share over all districts (dotted line).
    """
    d = analysis.districts
    labels = [f"{r}. {name} ({c})" for r, c, name in
              zip(d["rank"], d["district_code"], d["district_th"], strict=True)]
    title = "อันดับเขตตามสัดส่วนเป้าหมายที่ได้ผลถึงแผน"
    if illustrative:
        title += f" ({ILLUSTRATIVE_TH})"
    return _share_bars(labels, d["share"].to_numpy(float), analysis.percent,
                       "ร้อยละของเป้าหมาย (ที่มีแผน) ที่ได้ผลถึงแผน · share of rows achieved", title)


def districts_table(analysis: DistrictTargetsAnalysis, stem: str,
                    illustrative: bool = False) -> str:
    """The district ranking as a table, with its CSV download."""
    d = analysis.districts
    rows = [(int(r.rank), int(r.district_code), r.district_th, int(r.with_target),
             int(r.achieved), _pct(r.share), _pct(r.mean_achievement))
            for r in d.itertuples(index=False)]
    header = ["อันดับ", "รหัสเขต", "เขต", "ข้อที่มีแผน", "ข้อที่ได้ผลถึงแผน", "ร้อยละ",
              "ร้อยละความสำเร็จเฉลี่ย"]
    return (_caption("อันดับเขต (50 เขต)", illustrative)
            + "<details><summary>ตารางอันดับเขต (district ranking)</summary>"
            + _table(rows, header, align_right_from=3) + "</details>"
            + csv_download(rows, header, f"{stem}_districts.csv"))


def _agency_label(host: str, names: Mapping[str, str]) -> str:
    full = names.get(host)
    return f"{host} {full}" if full else host


def agencies_chart(analysis: DistrictTargetsAnalysis, names: Mapping[str, str] | None = None,
                   illustrative: bool = False) -> Figure:
    """The host agencies ranked by the share of their rows × districts achieved."""
    a = analysis.agencies
    labels = [_agency_label(h, names or {}) for h in a["host"]]
    title = "อันดับหน่วยงานเจ้าภาพ"
    if illustrative:
        title += f" ({ILLUSTRATIVE_TH})"
    return _share_bars(labels, a["share"].to_numpy(float), analysis.percent,
                       "ร้อยละของคู่ (ข้อที่เป็นเจ้าภาพ × เขต) ที่ได้ผลถึงแผน · share of pairs "
                       "achieved", title)


def agencies_table(analysis: DistrictTargetsAnalysis, stem: str,
                   names: Mapping[str, str] | None = None, illustrative: bool = False) -> str:
    """The host-agency ranking as a table, with its CSV download."""
    rows = [(int(r.rank), r.host, (names or {}).get(r.host, ""), int(r.rows),
             int(r.with_target), int(r.achieved), _pct(r.share), _pct(r.mean_achievement))
            for r in analysis.agencies.itertuples(index=False)]
    header = ["อันดับ", "หน่วยงานเจ้าภาพ (H)", "ชื่อหน่วยงาน", "จำนวนข้อ", "คู่ที่มีแผน",
              "คู่ที่ได้ผลถึงแผน", "ร้อยละ", "ร้อยละความสำเร็จเฉลี่ย"]
    return (_caption("อันดับหน่วยงานเจ้าภาพ", illustrative)
            + _table(rows, header, align_right_from=3)
            + csv_download(rows, header, f"{stem}_agencies.csv"))


def lagging_text(analysis: DistrictTargetsAnalysis, n: int = 5) -> str:
    """The ``n`` target rows that lag most, as a Thai list."""
    items = "".join(
        f"<li>ข้อ {_e(r.item)} {_e(r.name_th)} ({_e(r.unit_th)}; เจ้าภาพ {_e(r.host)}): "
        f"ได้ผลถึงแผน {int(r.achieved):,} จาก {int(r.with_target):,} เขตที่มีแผน "
        f"(ร้อยละ {_pct(r.share)}; ความสำเร็จเฉลี่ยร้อยละ {_pct(r.mean_achievement)})</li>"
        for r in analysis.targets.head(n).itertuples(index=False))
    return f"<p>เป้าหมายที่ล่าช้าที่สุด {min(n, len(analysis.targets))} ข้อ:</p><ol>{items}</ol>"


def targets_table(analysis: DistrictTargetsAnalysis, stem: str,
                  illustrative: bool = False) -> str:
    """Every target row, from the one that lags most, with its CSV download."""
    rows = [(int(r.rank), r.item, r.name_th, r.unit_th, r.host, int(r.with_target),
             int(r.achieved), _pct(r.share), _pct(r.mean_achievement))
            for r in analysis.targets.itertuples(index=False)]
    header = ["อันดับความล่าช้า", "ข้อ", "เป้าหมายการพัฒนา", "หน่วยนับ", "เจ้าภาพ (H)",
              "เขตที่มีแผน", "เขตที่ได้ผลถึงแผน", "ร้อยละ", "ร้อยละความสำเร็จเฉลี่ย"]
    return (_caption("เป้าหมายเรียงจากล่าช้าที่สุด (23 แถว)", illustrative)
            + _table(rows, header, align_right_from=5)
            + csv_download(rows, header, f"{stem}_targets.csv"))


def transcription_table(targets: pd.DataFrame, stem: str) -> str:
    """The 23 target rows as transcribed from seed 004, with the seed line of each."""
    rows = [(r.item, r.name_th, r.unit_th, r.host,
             _ACHIEVED_WHEN_TH.get(r.achieved_when, r.achieved_when), f"004:{r.seed_line}")
            for r in targets.itertuples(index=False)]
    header = ["ข้อ", "เป้าหมายการพัฒนา", "หน่วยนับ", "เจ้าภาพ (H)", "ได้ผลถึงแผนเมื่อ",
              "บรรทัดในเอกสาร"]
    return (_caption("รายการเป้าหมายตามเอกสารต้นฉบับ (ลำดับที่ 004 บรรทัด 480-504)", False)
            + "<details><summary>รายการเป้าหมาย 22 ข้อ 23 แถว (transcription)</summary>"
            + _table(rows, header, align_right_from=6) + "</details>"
            + csv_download(rows, header, f"{stem}_target_list.csv"))


def pairs_download(analysis: DistrictTargetsAnalysis, stem: str,
                   illustrative: bool = False) -> str:
    """A CSV download of every (district, row) pair with its plan, actual and score."""
    p = analysis.pairs  # codes only (names are in the ranking tables): the link stays small
    rows = list(zip(p["district_code"].astype(int), p["item"], p["plan"], p["actual"],
                    p["has_target"].astype(int), p["achieved"].astype(int),
                    p["achievement"].round(2).astype(object).where(p["has_target"], ""),
                    strict=True))
    header = ["รหัสเขต", "ข้อ", "แผน", "ผล", "มีแผน (1/0)", "ได้ผลถึงแผน (1/0)",
              "ร้อยละความสำเร็จ"]
    label = "ดาวน์โหลดแผนและผลรายเขตทุกคู่ (CSV)"
    if illustrative:
        label += f" — {ILLUSTRATIVE_TH}"
    return csv_download(rows, header, f"{stem}_pairs.csv", label=label)
