"""Engine of monthly-frequency KPIs (rubric kind ``monthly_reports``): seed 004 KPIs 7.2.2.1
and 7.2.2.2, "เดือนละ 1 ครั้ง" (KPI_SPEC §D2)."""

from __future__ import annotations

from typing import Any

from ..catalog import CatalogError
from ..rubric.monthly import read_monthly_reports, score_monthly_reports
from ..tables import table_ref
from ._context import Context, Outcome, item, target_ladder

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Months of the fiscal year with at least ``per_month`` reports, out of 12.

    The catalog's ``rubric.params``: ``per_month`` (reports a month needs), optional
    ``date_column`` (default ``date``) and ``title_column`` (default ``report``). The catalog
    target is the number of months (12: every month of the fiscal year).

    Parameters
    ----------
    ctx : Context
        The KPI (kind ``monthly_reports``), its fiscal year and its ``reports`` input.

    Returns
    -------
    KPIResult
        Value = months covered; ``target_met`` when all 12 are; the reports (dated) and the
        months without one (undated) as evidence items.

    Raises
    ------
    CatalogError
        ``per_month`` not a positive integer, or a target other than 12.
    DataValidationError
        A bad reports file (:func:`kpianalysis.rubric.monthly.read_monthly_reports`).
    """
    kpi = ctx.kpi
    p = kpi.rubric_params
    per_month = p["per_month"]
    if isinstance(per_month, bool) or not isinstance(per_month, int) or per_month < 1:
        raise CatalogError(f"KPI {kpi.code!r}: rubric.params.per_month must be a positive "
                           f"integer, got {per_month!r}")
    if kpi.target != 12:
        raise CatalogError(f"KPI {kpi.code!r}: a monthly_reports target is the 12 months of the "
                           f"fiscal year, got {kpi.target!r}")
    src = ctx.input("reports")
    reports = read_monthly_reports(table_ref(src), ctx.fiscal_year,
                                   title_column=p.get("title_column", "report"),
                                   date_column=p.get("date_column", "date"))
    s = score_monthly_reports(reports, ctx.fiscal_year, per_month=per_month)
    times = f"เดือนละ {per_month} ครั้ง"
    text = (f"มีรายงานตามเกณฑ์{times} {s.months_covered} จาก {s.months_total} เดือน "
            f"(รายงานทั้งหมด {s.n_reports:,} ครั้ง)")
    outcome = Outcome(value=float(s.months_covered), value_text=text, level=None, points=None,
                      target_met=s.target_met)
    ladder = target_ladder(f"มีรายงานอย่างน้อย{times} ครบทุกเดือนของปีงบประมาณ "
                                      f"(ต.ค. – ก.ย., {s.months_total} เดือน) (ค่าเป้าหมาย)",
                           "ขาดรายงานอย่างน้อย 1 เดือน", s.target_met)
    items = [item(title, date, "ส่งแล้ว", src.relpath)
             for title, date in reports[["report", "date"]].itertuples(index=False)]
    items += [item(f"{month}: ไม่มีรายงานในเดือนนี้", None, "ขาด", src.relpath)
              for month in s.missing_months]
    missing = ([f"เดือนที่ยังไม่มีรายงาน: {', '.join(s.missing_months)}"]
               if s.missing_months else [])
    return ctx.result(
        outcome, ladder=ladder, items=items, missing=missing,
        evidence=ctx.evidence({src.relpath: (len(reports), len(reports))}),
        details={"months_covered": s.months_covered, "months_total": s.months_total,
                 "per_month": per_month, "n_reports": s.n_reports,
                 "missing_months": list(s.missing_months),
                 "months": s.months.to_dict(orient="records")})
