"""Presentation of seed 001's report (``issue_log.ipynb``): the evidence checklist, the monthly
status notes and the Line BMA issue log, as Thai-labelled, HTML-escaped tables, texts and a
figure.

Nothing here computes a statistic: every number comes from the :class:`~kpianalysis.KPIResult`
(``details``) or from :mod:`kpianalysis.issue_log`. The functions choose, label, round and
escape, so a notebook cell is one call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .plotting import new_figure
from .presentation import escape as _e
from .presentation import fmt_pct
from .presentation import html_table as _table
from .report_pages import csv_download, thai_date
from .result import KPIResult

__all__ = [
    "checklist_table",
    "day_type_table",
    "log_rules_text",
    "log_summary_text",
    "monthly_chart",
    "monthly_table",
    "notes_timeline",
    "shares_table",
]

_SHARE_HEADER = ["ประเด็น", "ส่งภายใน 10.30 น.", "ร้อยละส่งภายใน 10.30 น.",
                 "ชี้แจงภายใน 24 ชม.", "ร้อยละชี้แจงภายใน 24 ชม.", "ข่าวชี้แจง (เรื่อง)"]


def _pts(value: float | None) -> str:
    """Points as written: ``25``, ``33.33``; ``–`` when missing."""
    return "–" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def _log(result: KPIResult) -> Mapping[str, Any] | None:
    return result.details.get("issue_log")


def checklist_table(result: KPIResult) -> str:
    """The evidence forms: share, items done, complete or not, points, date completed."""
    forms = result.details.get("forms") or []
    rows = [(f["form"], f["criterion"], _pts(f["share"]), f"{f['done']} / {f['items']}",
             "ครบ" if f["complete"] else "ยังไม่ครบ", _pts(f["points"]),
             thai_date(f["completed_on"])) for f in forms]
    header = ["รายการที่", "หลักฐาน (ตามเอกสารต้นฉบับ 001:13)", "คะแนนเต็ม", "ดำเนินการแล้ว / ทั้งหมด",
              "สถานะ", "คะแนนที่ได้", "ครบเมื่อ"]
    shares = ("ตามน้ำหนักในไฟล์ของหน่วยงาน" if result.details.get("weights") == "agency_file"
              else "ส่วนเท่ากัน (สมมติฐาน ดูข้อสังเกต)")
    total = (f"<p>รวม {_e(_pts(result.details.get('points')))} จาก "
             f"{_e(_pts(result.details.get('out_of')))} คะแนน · คะแนนของแต่ละรายการ: "
             f"{_e(shares)}</p>")
    return (_table(rows, header, align_right_from=2) + total
            + csv_download(rows, header, f"{result.stem}_checklist.csv"))


def notes_timeline(result: KPIResult) -> str:
    """The dated monthly status notes in order, each with the checklist score at its date."""
    notes = result.details.get("timeline")
    if not notes:
        return "<p>ไม่มีบันทึกความก้าวหน้ารายเดือนสำหรับตัวชี้วัดนี้</p>"
    out_of = _pts(result.details.get("out_of"))
    rows = [(thai_date(n["date"]), n["note"], f"{_pts(n['points'])} จาก {out_of}")
            for n in notes]
    header = ["วันที่", "บันทึกความก้าวหน้า (ตามที่หน่วยงานรายงาน)", "คะแนนหลักฐาน ณ วันนั้น"]
    return (_table(rows, header, align_right_from=2)
            + csv_download(rows, header, f"{result.stem}_notes.csv"))


def log_summary_text(result: KPIResult) -> str:
    """Plain Thai sentences: the year's issues, the share sent by 10.30, answered in 24 h."""
    log = _log(result)
    if log is None:
        return "<p>ไม่มีบันทึกประเด็น Line BMA สำหรับตัวชี้วัดนี้</p>"
    o = log["overall"]
    urgent = (f" (ไม่นับประเด็นเร่งด่วนที่ส่งทันทีนอกรอบ 10.30 น. {o['urgent']:,} เรื่อง)"
              if o["urgent"] else "")
    return (f"<div class='kpi-summary'><p>ปีงบประมาณ {result.fiscal_year} ส่งประเด็นทางกลุ่ม "
            f"Line BMA รับประเด็น {o['issues']:,} เรื่อง ถึง {o['agencies']:,} หน่วยงาน "
            f"จัดทำข่าว “กทม.ชี้แจงข่าวร้องเรียน” {o['news_items']:,} เรื่อง</p>"
            f"<p>ส่งภายในเวลา 10.30 น. {o['sent_by_1030']:,} จาก {o['judged_1030']:,} เรื่อง "
            f"({_e(fmt_pct(o['pct_sent_by_1030']))}){_e(urgent)} · หน่วยงานชี้แจงภายใน 24 ชั่วโมง "
            f"{o['answered_24h']:,} จาก {o['issues']:,} เรื่อง "
            f"({_e(fmt_pct(o['pct_answered_24h']))}) · ยังไม่ได้ชี้แจง "
            f"{o['issues'] - o['answered']:,} เรื่อง</p>"
            "<p>ตัวเลขส่วนนี้อธิบายงานเบื้องหลังตัวชี้วัด ไม่ได้ใช้ในการให้คะแนน "
            "(คะแนนมาจากหลักฐาน 4 รายการเท่านั้น)</p></div>")


def log_rules_text() -> str:
    """How an issue is judged (the boundaries, and why)."""
    items = [
        "ส่งภายใน 10.30 น.: เวลาที่ส่งไม่เกิน 10:30 น. — ส่งเวลา 10:30 น. พอดีถือว่าทันเวลา "
        "10:31 น. ถือว่าไม่ทัน (เอกสาร 001:10 “ภายในเวลา 10.30 น. ของทุกวันโดยไม่มีวันหยุด”) "
        "ประเด็นเร่งด่วนที่ต้องแจ้งทันทีไม่นับรวมในการพิจารณารอบ 10.30 น.",
        "ชี้แจงภายใน 24 ชั่วโมง: เวลาชี้แจง − เวลาส่ง ไม่เกิน 24 ชั่วโมง — ครบ 24 ชั่วโมงพอดีถือว่า"
        "ทันเวลา (เอกสาร 001:10 “ภายใน 24 ชั่วโมง นับตั้งแต่การแจ้งประเด็น”) ประเด็นที่ยังไม่ได้ชี้แจง"
        "ถือว่าไม่ทันเวลา",
        "เดือนของประเด็นคือเดือนที่ส่ง · จำนวนหน่วยงานคือหน่วยงานที่ไม่ซ้ำกันในเดือนนั้น · "
        "ข่าวชี้แจงนับจำนวนข่าวที่จัดทำจากประเด็นของเดือน (ประเด็นหนึ่งอาจมีข่าวมากกว่า 1 เรื่อง: "
        "สิงหาคม 2563 มี 42 ประเด็นแต่มีข่าว 43 เรื่อง)",
    ]
    return "<ul>" + "".join(f"<li>{_e(t)}</li>" for t in items) + "</ul>"


def monthly_table(result: KPIResult) -> str:
    """Monthly counts and shares, with the figures the seed reports beside its months."""
    log = _log(result)
    if log is None:
        return ""
    seed = log.get("seed_monthly") or {}
    rows = []
    for m in log["monthly"]:
        s = seed.get(m["month"])
        reported = "" if s is None else f"{s['issues']} / {s['agencies']} / {s['news_items']}"
        if s is not None:
            same = (m["issues"], m["agencies"], m["news_items"]) == (
                s["issues"], s["agencies"], s["news_items"])
            reported += " ✓ ตรงกัน" if same else " ✗ ไม่ตรงกับข้อมูล"
        rows.append((m["month_th"], f"{m['issues']:,}", f"{m['agencies']:,}",
                     f"{m['news_items']:,}", f"{m['days_with_dispatch']} / {m['days']}",
                     fmt_pct(m["pct_sent_by_1030"]), fmt_pct(m["pct_answered_24h"]), reported))
    header = ["เดือน", "ประเด็น (เรื่อง)", "หน่วยงานที่เกี่ยวข้อง", "ข่าวชี้แจง (เรื่อง)",
              "วันที่มีการส่ง / วันในเดือน", "ร้อยละส่งภายใน 10.30 น.", "ร้อยละชี้แจงภายใน 24 ชม.",
              "รายงานในเอกสาร 001:10 (ประเด็น / หน่วยงาน / ข่าว)"]
    return (_table(rows, header, align_right_from=1)
            + csv_download(rows, header, f"{result.stem}_monthly.csv"))


def shares_table(table: pd.DataFrame, label: str, header: str, filename: str) -> str:
    """A table of :func:`kpianalysis.issue_log.issue_shares` rows labelled by column ``label``.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`kpianalysis.issue_log.agency_table` or
        :func:`kpianalysis.issue_log.day_type_table`.
    label : str
        The column naming each row (``agency``, ``day_type``).
    header : str
        Thai header of that column.
    filename : str
        Name of the CSV download.
    """
    rows = [(r[label], f"{int(r['issues']):,}",
             f"{int(r['sent_by_1030']):,} / {int(r['judged_1030']):,}",
             fmt_pct(r["pct_sent_by_1030"]), f"{int(r['answered_24h']):,} / {int(r['issues']):,}",
             fmt_pct(r["pct_answered_24h"]), f"{int(r['news_items']):,}")
            for r in table.to_dict(orient="records")]
    head = [header, *_SHARE_HEADER]
    return _table(rows, head, align_right_from=1) + csv_download(rows, head, filename)


def day_type_table(result: KPIResult) -> str:
    """Weekdays against Saturdays and Sundays (the round runs every day, 001:10)."""
    log = _log(result)
    if log is None:
        return ""
    return (shares_table(pd.DataFrame(log["by_day_type"]), "day_type", "วัน",
                         f"{result.stem}_day_type.csv")
            + "<p>วันหยุดราชการอื่นนอกจากเสาร์–อาทิตย์ไม่ได้แยกไว้ (ไม่มีปฏิทินวันหยุดในข้อมูล)</p>")


def monthly_chart(result: KPIResult) -> Figure | None:
    """Issues per month (bars) and the two shares (lines, right axis), October first."""
    log = _log(result)
    if log is None:
        return None
    monthly = pd.DataFrame(log["monthly"])
    fig, ax = new_figure(9, 3.6)
    x = np.arange(len(monthly))
    ax.bar(x, monthly["issues"], color="#d9d9d9", label="ประเด็น (เรื่อง)")
    ax.set_ylabel("จำนวนประเด็น (เรื่อง)")
    ax.set_xticks(x, list(monthly["month_th"]), rotation=45, ha="right")
    right = ax.twinx()
    sent = monthly["pct_sent_by_1030"].astype(float)
    answered = monthly["pct_answered_24h"].astype(float)
    right.plot(x, sent, marker="o", color="#2166ac", label="ร้อยละส่งภายใน 10.30 น.")
    right.plot(x, answered, marker="s", color="#b2182b", label="ร้อยละชี้แจงภายใน 24 ชม.")
    low = float(np.nanmin(np.concatenate([sent.to_numpy(), answered.to_numpy()])))
    right.set_ylim(max(0.0, min(low, 100.0) - 10), 100.5)
    right.set_ylabel("ร้อยละ")
    handles = [*ax.get_legend_handles_labels()[0], *right.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, ncols=3, loc="outside lower center", frameon=False)
    ax.set_title("ประเด็น Line BMA รายเดือน และร้อยละที่ทันเวลา")
    return fig
