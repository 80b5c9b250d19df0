"""Engine of availability from outage hours (rubric kind ``availability``): the Wi-Fi
availability evidence of seed 004 table ค item 6 (004:627, KPI_SPEC §D2)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..catalog import CatalogError
from ..result import Flag
from ..rubric.availability import read_outages, read_sites, score_availability
from ..tables import table_ref
from ._context import Context, Outcome, item, target_ladder

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Overall availability ``(1 − outage hours / (sites × 24 × days of the year)) × 100``.

    The catalog's ``rubric.params``: ``n_sites`` (the sites the list must hold) and
    ``target_defined``: false when the source prints no availability target — the catalog
    target is then only a reference, the verdict is left undecided and the result is flagged;
    true when the target is the source's (met when the availability reaches it).

    Parameters
    ----------
    ctx : Context
        The KPI (kind ``availability``), its fiscal year, its ``sites`` and ``outages`` inputs.

    Returns
    -------
    KPIResult
        Value = overall availability (percent); per-site and monthly tables in ``details``;
        one dated evidence item per month and one per site (worst first).

    Raises
    ------
    CatalogError
        Malformed ``n_sites`` / ``target_defined`` or a target outside (0, 100].
    DataValidationError
        A bad site list or outage log (:mod:`kpianalysis.rubric.availability`).
    """
    kpi = ctx.kpi
    p = kpi.rubric_params
    n_sites, defined = p["n_sites"], p["target_defined"]
    if isinstance(n_sites, bool) or not isinstance(n_sites, int) or n_sites < 1:
        raise CatalogError(f"KPI {kpi.code!r}: rubric.params.n_sites must be a positive "
                           f"integer, got {n_sites!r}")
    if not isinstance(defined, bool):
        raise CatalogError(f"KPI {kpi.code!r}: rubric.params.target_defined must be true or "
                           f"false, got {defined!r}")
    if not 0 < kpi.target <= 100:
        raise CatalogError(f"KPI {kpi.code!r}: an availability target is a percentage in "
                           f"(0, 100], got {kpi.target!r}")
    sites_in, outages_in = ctx.input("sites"), ctx.input("outages")
    sites = read_sites(table_ref(sites_in), n_sites=n_sites)
    outages = read_outages(table_ref(outages_in), ctx.fiscal_year, sites["site_id"])
    s = score_availability(sites, outages, ctx.fiscal_year)
    text = (f"ร้อยละ {s.availability_percent:.2f} (ขัดข้องรวม {s.outage_hours:,.1f} ชั่วโมง "
            f"จาก {s.n_sites} จุด × {s.hours_in_year:,} ชั่วโมงของปีงบประมาณ)")
    met = None if not defined else bool(s.availability_percent >= kpi.target)
    outcome = Outcome(value=s.availability_percent, value_text=text, level=None, points=None,
                      target_met=met)
    flags = []
    if not defined:
        flags.append(Flag(
            "target_not_in_source",
            f"เอกสารต้นฉบับไม่ได้กำหนดค่าเป้าหมายความพร้อมใช้งาน (004:627 กำหนดเพียงให้นับ"
            f"ชั่วโมงขัดข้อง): ร้อยละ {kpi.target:g} เป็นเพียงค่าอ้างอิง (ไม่มีชั่วโมงขัดข้องเลย) "
            f"จึงไม่ตัดสินว่าบรรลุค่าเป้าหมายหรือไม่ (KPI_SPEC §G.6)"))
    flags.append(Flag(
        "evidence_not_level",
        "ความพร้อมใช้งานเป็นหลักฐานประกอบตัวชี้วัดความพึงพอใจต่อฟรีอินเทอร์เน็ต (sat-wifi) "
        "ไม่ใช่ระดับหรือคะแนนของตัวชี้วัดนั้น"))
    reference = "ค่าอ้างอิง — เอกสารต้นฉบับไม่ได้กำหนดค่าเป้าหมาย" if not defined else "ค่าเป้าหมาย"
    ladder = target_ladder(f"ความพร้อมใช้งานร้อยละ {kpi.target:g} ขึ้นไป ({reference})",
                           f"ต่ำกว่าร้อยละ {kpi.target:g}",
                           s.availability_percent >= kpi.target, defined=defined)
    months = s.months.assign(  # each month's line is dated its last day
        end=pd.PeriodIndex(s.months["period"], freq="M").end_time.normalize())
    items = [item(f"{m}: ขัดข้อง {n:,} ครั้ง รวม {h:,.1f} ชั่วโมง (นับตามวันที่เริ่มขัดข้อง)",
                  end, "ขัดข้อง" if n else "ไม่มีการขัดข้อง", outages_in.relpath)
             for m, end, n, h in months[["month", "end", "n_outages",
                                         "outage_hours"]].itertuples(index=False)]
    worst = s.sites.sort_values(["availability_percent", "site_id"], kind="stable")
    items += [item(f"{name} ({sid}): พร้อมใช้งานร้อยละ {a:.2f} ขัดข้อง {h:,.1f} ชั่วโมง",
                   None, "ขัดข้อง" if n else "ไม่มีการขัดข้อง", sites_in.relpath)
              for sid, name, n, h, a in worst[["site_id", "site", "n_outages", "outage_hours",
                                               "availability_percent"]].itertuples(index=False)]
    return ctx.result(
        outcome, ladder=ladder, items=items, flags=flags,
        evidence=ctx.evidence({sites_in.relpath: (len(sites), len(sites)),
                               outages_in.relpath: (len(outages), len(outages))}),
        details={"hours_in_year": s.hours_in_year, "n_sites": s.n_sites,
                 "n_outages": s.n_outages, "outage_hours": s.outage_hours,
                 "availability_percent": s.availability_percent,
                 "target_defined": defined,
                 "rule": "ร้อยละความพร้อมใช้งาน = (1 − ชั่วโมงขัดข้อง / (จำนวนจุด × 24 × จำนวนวันของ"
                         "ปีงบประมาณ)) × 100",
                 "sites": s.sites.to_dict(orient="records"),
                 "months": s.months.to_dict(orient="records")})
