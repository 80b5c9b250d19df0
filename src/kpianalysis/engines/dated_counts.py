"""Engine of counts of things done inside the fiscal year (rubric kind ``count_in_year``):
seed 004 KPIs 4.1.4.1, 5.1.1.1, 7.2.1.2 and the table ข guideline (KPI_SPEC §D2)."""

from __future__ import annotations

from typing import Any

from ..catalog import CatalogError
from ..rubric.dated_counts import read_dated_items, score_dated_count
from ..tables import table_ref
from ._context import Context, Outcome, item, target_ladder

__all__ = ["evaluate"]


def evaluate(ctx: Context) -> Any:
    """Count the items whose yes/no column is yes (dated inside the year) against the target.

    The catalog's ``rubric.params``: ``column`` (the yes/no column), ``date_column``, optional
    ``item_column`` (default ``item``) and ``items`` (the exact list of items the file must
    hold, e.g. the five service areas of KPI 5.1.1.1; the count is then out of that many).

    Parameters
    ----------
    ctx : Context
        The KPI (kind ``count_in_year``), its fiscal year and its ``items`` input.

    Returns
    -------
    KPIResult
        Value = items counted; ``target_met`` = count ≥ target; one evidence item per row.

    Raises
    ------
    CatalogError
        A target that is not a positive whole number, or malformed parameters.
    DataValidationError
        A bad items file (:func:`kpianalysis.rubric.dated_counts.read_dated_items`).
    """
    kpi = ctx.kpi
    p = kpi.rubric_params
    target = kpi.target
    if not float(target).is_integer() or target < 1:
        raise CatalogError(f"KPI {kpi.code!r}: a count_in_year target must be a positive whole "
                           f"number, got {target!r}")
    expected = p.get("items")
    if expected is not None and (not isinstance(expected, list) or not expected
                                 or not all(isinstance(x, str) and x.strip() for x in expected)):
        raise CatalogError(f"KPI {kpi.code!r}: rubric.params.items must be a non-empty list of "
                           f"item names, got {expected!r}")
    for key in ("column", "date_column", "item_column"):
        if key in p and (not isinstance(p[key], str) or not p[key].strip()):
            raise CatalogError(f"KPI {kpi.code!r}: rubric.params.{key} must be a column name, "
                               f"got {p[key]!r}")
    src = ctx.input("items")
    frame = read_dated_items(table_ref(src), ctx.fiscal_year, column=p["column"],
                             date_column=p["date_column"],
                             item_column=p.get("item_column", "item"), expected_items=expected)
    s = score_dated_count(frame, int(target), out_of=len(expected) if expected else None)
    unit = kpi.unit
    pool = f" จาก {s.out_of:,} {unit}ที่กำหนด" if s.out_of else ""
    text = f"นับได้ {s.count:,} {unit}{pool} ในปีงบประมาณ {ctx.fiscal_year}"
    outcome = Outcome(value=float(s.count), value_text=text, level=None, points=None,
                      target_met=bool(s.target_met))
    ladder = target_ladder(f"อย่างน้อย {int(target):,} {unit} (ค่าเป้าหมาย)",
                           f"น้อยกว่า {int(target):,} {unit}", bool(s.target_met))
    items = [item(name, date, "นับ (ดำเนินการแล้ว)" if counted
                  else "ไม่นับ (ยังไม่ดำเนินการหรือไม่เข้าเกณฑ์)", src.relpath)
             for name, counted, date in frame[["item", "counted", "date"]].itertuples(
                 index=False)]  # one row per listed item: a handful
    missing = []
    if s.shortfall:  # what keeps the KPI below its target: the gap, then the items not counted
        missing.append(f"ขาดอีก {s.shortfall:,} {unit} จึงจะถึงค่าเป้าหมาย {int(target):,} {unit}")
        missing += [f"ยังไม่นับ: {name}" for name in s.missing]
    dated = frame.loc[frame["counted"], "date"]
    return ctx.result(
        outcome, ladder=ladder, items=items, missing=missing,
        evidence=ctx.evidence({src.relpath: (len(frame), s.count)}),
        details={"count": s.count, "target": int(target), "out_of": s.out_of,
                 "listed": len(frame), "shortfall": s.shortfall,
                 "first_date": None if dated.empty else dated.min().date().isoformat(),
                 "last_date": None if dated.empty else dated.max().date().isoformat()})
