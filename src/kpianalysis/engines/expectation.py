"""Engine of satisfaction against expectation (rubric kind ``expectation_match``): the KPI of
seed 004 ส่วนที่ 2 ประเด็นการพัฒนาที่ 1 (004:273, linked to KPI 7.3.5.1; KPI_SPEC §D2)."""

from __future__ import annotations

from typing import Any

from ..catalog import CatalogError
from ..result import Flag, LadderRow
from ..rubric.expectation import read_expectation_ratings, score_expectation
from ..tables import table_ref
from ._context import Context, Outcome, item

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Value = mean satisfaction − mean expectation (0 = "equal"); no verdict, flagged.

    The catalog's ``rubric.params``: optional ``scale`` ``[low, high]``, the agency
    questionnaire's scale when it is known (ratings outside it are refused). The catalog target
    must be 0: "อยู่ในระดับเท่ากับความคาดหวัง" (004:273), a difference of nothing.

    Parameters
    ----------
    ctx : Context
        The KPI (kind ``expectation_match``), its fiscal year and its ``ratings`` input.

    Returns
    -------
    KPIResult
        Value = mean satisfaction − mean expectation; ``target_met`` None; flagged
        ``threshold_not_defined``.

    Raises
    ------
    CatalogError
        A target other than 0 or a malformed ``scale``.
    DataValidationError
        A bad ratings file (:func:`kpianalysis.rubric.expectation.read_expectation_ratings`).
    """
    kpi = ctx.kpi
    scale = kpi.rubric_params.get("scale")
    if scale is not None and (not isinstance(scale, list) or len(scale) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in scale)):
        raise CatalogError(f"KPI {kpi.code!r}: rubric.params.scale must be [low, high], got "
                           f"{scale!r}")
    if kpi.target != 0:
        raise CatalogError(f"KPI {kpi.code!r}: an expectation_match target is 0 (satisfaction "
                           f"equal to expectation, 004:273), got {kpi.target!r}")
    src = ctx.input("ratings")
    ratings = read_expectation_ratings(table_ref(src), ctx.fiscal_year, scale=scale)
    s = score_expectation(ratings)
    shown = round(s.gap, 2)  # the words follow the figure as printed
    side = ("สูงกว่า" if shown > 0 else "ต่ำกว่า") if shown else "เท่ากับ"
    by = f" อยู่ {abs(shown):.2f} คะแนน" if shown else ""
    text = (f"ความพึงพอใจเฉลี่ย {s.mean_satisfaction:.2f} {side}ความคาดหวังเฉลี่ย "
            f"{s.mean_expectation:.2f}{by} (ผู้ตอบ {s.n:,} คน)")
    outcome = Outcome(value=s.gap, value_text=text, level=None, points=None, target_met=None)
    flags = [Flag(
        "threshold_not_defined",
        "เอกสารต้นฉบับ (004:273) กำหนดเพียงว่าความพึงพอใจต้อง “อยู่ในระดับเท่ากับความคาดหวังของ"
        "ผู้รับบริการ” โดยไม่ได้กำหนดมาตรวัด วิธีรวมคำตอบ (ค่าเฉลี่ยหรือรายบุคคล) หรือเกณฑ์ตัดสิน: "
        "รายงานจึงแสดงค่าที่ข้อมูลบันทึกไว้ (ค่าเฉลี่ยทั้งสองและผลต่าง) และไม่ตัดสินว่าบรรลุค่าเป้าหมาย"
        "หรือไม่ (KPI_SPEC §G.6)")]
    ladder = [LadderRow(level=1, text="ความพึงพอใจอยู่ในระดับเท่ากับความคาดหวังของผู้รับบริการ "
                                      "(004:273) — เอกสารไม่ได้กำหนดมาตรวัดและเกณฑ์ตัดสิน",
                        success_percent=None, reached=False, defined=False)]
    first, last = ratings["date"].min(), ratings["date"].max()
    items = [item(f"ผลการประเมินความพึงพอใจและความคาดหวัง: ผู้ตอบ {s.n:,} คน; "
                  f"{s.n_at_or_above:,} คน (ร้อยละ {s.percent_at_or_above:.2f}) "
                  f"พึงพอใจไม่ต่ำกว่าที่ตนคาดหวัง (ข้อมูลประกอบ ไม่ใช่เกณฑ์ของเอกสาร)",
                  last, "มีข้อมูล", src.relpath)]
    return ctx.result(
        outcome, ladder=ladder, items=items, flags=flags,
        evidence=ctx.evidence({src.relpath: (s.n, s.n)}),
        details={"n": s.n, "mean_satisfaction": s.mean_satisfaction,
                 "mean_expectation": s.mean_expectation, "gap": s.gap,
                 "n_at_or_above": s.n_at_or_above,
                 "percent_at_or_above": s.percent_at_or_above, "scale": scale,
                 "first_date": first.date().isoformat(), "last_date": last.date().isoformat()})
