"""Evidence-checklist KPIs: points out of a total from the evidence forms an agency submits.

Seed 001 (KPI_SPEC §D3) scores การเพิ่มประสิทธิภาพในการปฏิบัติงานของหน่วยงาน "out of 100
points" (001:12) from four pieces of evidence (001:13): form 1 (the SWOT analysis and the memo
to the executives), form 2 (the efficiency project), form 3 (the project summary) and the
evidence of results (minutes, summary report, photos …). The seed does not print the points of
each form. Rules used here, each an assumption the result flags:

* **Shares.** Without weights in the agency's checklist file every form has an equal share of
  the total (4 forms → 25 points each). When the file has a ``weight`` column, the agency's
  weights are used instead; they must be the same on every row of a form, positive, and sum to
  the total.
* **A form scores when complete.** A form earns its whole share when every item the checklist
  lists for it is done (on or before ``as_of`` when given), and nothing otherwise.

Arithmetic is exact (:class:`fractions.Fraction` of the decimals as written), so "all forms
complete" is exactly 100 and never 99.99999999999999.

The dated monthly status notes of a KPI (seed 001:7–10) are read by :func:`read_status_notes`;
:func:`points_at` gives the checklist score each note's date supported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ..privacy import redact_series
from ..thaidate import fiscal_year_bounds, parse_thai_dates, thai_digits_to_ascii
from ._inputs import _as_of, _boolean, _numeric, _read_table, _require_columns

__all__ = [
    "ChecklistForm",
    "ChecklistScore",
    "checklist_forms",
    "points_at",
    "read_checklist",
    "read_status_notes",
    "score_checklist",
]


@dataclasses.dataclass(frozen=True)
class ChecklistForm(Result):
    """One evidence form of the checklist, as scored.

    Attributes
    ----------
    form : int
        Form number (1, 2 …) as in the catalog.
    criterion : str
        The form's text as the seed prints it.
    share : float
        Points the form is worth.
    items, done : int
        Items listed for the form and items done.
    complete : bool
        Every item done (the form earns its share).
    points : float
        ``share`` when complete, else 0.
    completed_on : str or None
        ISO date the last item was done (None when incomplete or an item is undated).
    pending : tuple of str
        Items not yet done.
    """

    form: int
    criterion: str
    share: float
    items: int
    done: int
    complete: bool
    points: float
    completed_on: str | None
    pending: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ChecklistScore(Result):
    """The score of an evidence checklist.

    Attributes
    ----------
    points : float
        Points earned.
    out_of : float
        The total the rubric gives (100 in seed 001).
    percent : float
        ``points × 100 / out_of``.
    target : float
        Target percent.
    target_met : bool
        ``percent >= target``, compared exactly.
    complete : bool
        Every form complete.
    weights_from_file : bool
        True when the agency's file gave the shares, False for equal shares.
    forms : tuple of ChecklistForm
    missing : tuple of str
        The items still pending, by form.
    """

    points: float
    out_of: float
    percent: float
    target: float
    target_met: bool
    complete: bool
    weights_from_file: bool
    forms: tuple[ChecklistForm, ...]
    missing: tuple[str, ...]

    _headline_fields = ("points", "out_of", "target_met", "weights_from_file")


def checklist_forms(params: Mapping[str, Any], code: str = "") -> dict[int, str]:
    """The forms of an ``evidence_checklist`` rubric (``params.forms``) as ``{form: text}``.

    Parameters
    ----------
    params : mapping
        The catalog's ``rubric.params``: ``forms`` (a list of ``{form, criterion}``) and
        ``out_of`` (a positive number).
    code : str
        KPI code, named in errors.

    Raises
    ------
    kpianalysis.CatalogError
        A malformed ``forms`` list or ``out_of``.
    """
    from ..catalog import CatalogError

    where = f"KPI {code!r}: rubric.params" if code else "rubric.params"
    forms = params.get("forms")
    if not isinstance(forms, list) or not forms or not all(
            isinstance(f, Mapping) and {"form", "criterion"} <= set(f) for f in forms):
        raise CatalogError(f"{where}.forms must be a non-empty list of {{form, criterion}}, "
                           f"got {forms!r}")
    out: dict[int, str] = {}
    for f in forms:
        number = f["form"]
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise CatalogError(f"{where}.forms: form must be a positive integer, got {number!r}")
        if number in out:
            raise CatalogError(f"{where}.forms: form {number} is listed twice")
        if not isinstance(f["criterion"], str) or not f["criterion"].strip():
            raise CatalogError(f"{where}.forms: form {number} has no criterion text")
        out[number] = f["criterion"].strip()
    total = params.get("out_of")
    if isinstance(total, bool) or not isinstance(total, (int, float)) or not total > 0:
        raise CatalogError(f"{where}.out_of must be a positive number, got {total!r}")
    return out


def read_checklist(data: Any, forms: Sequence[int]) -> pd.DataFrame:
    """Read and validate an evidence-checklist file.

    Columns: ``form`` (a form number of the rubric), ``item`` (text), ``status`` (done /
    pending, ผ่าน / ไม่ผ่าน, yes / no …), ``date`` (optional; the date the item was done,
    ``dd/mm/BBBB`` or ``m/d/CCCC``, Thai digits allowed) and ``weight`` (optional; the form's
    points, the same on each of its rows). Every form of the rubric needs at least one row: a
    form not yet started is listed with status pending.

    Parameters
    ----------
    data : path or DataFrame
    forms : sequence of int
        The rubric's form numbers.

    Returns
    -------
    DataFrame
        ``form`` (int), ``item``, ``done`` (bool), ``date`` (datetime64, NaT if empty),
        ``weight`` (float, NaN when the file gives no weights).

    Raises
    ------
    DataValidationError
        Naming the file, column and rows: a missing column, a form the rubric does not have,
        a form of the rubric without a row, an empty item, a status that is not yes/no, a bad
        date, or weights that are missing on some rows, differ within a form, are not
        positive, or (checked by :func:`score_checklist`) do not sum to the total.
    """
    df, source = _read_table(data, "checklist", "checklist")
    df = df.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    _require_columns(df, ["form", "item", "status"], source, "checklist")
    form = _numeric(df, "form", source, integer=True, low=1).astype(int)
    known = set(int(f) for f in forms)
    unknown = ~form.isin(known)
    if unknown.any():
        raise DataValidationError(
            f"form must be one of the rubric's forms {sorted(known)}; got "
            f"{describe_values(df.loc[unknown, 'form'])}", source=source, column="form",
            rows=(np.flatnonzero(unknown.to_numpy()) + 1).tolist())
    absent = sorted(known - set(form))
    if absent:
        raise DataValidationError(
            f"form(s) {absent} of the rubric have no row; list every form, with status pending "
            f"when it is not done", source=source, column="form")
    item = df["item"].astype("string").str.strip().fillna("")
    blank = item == ""
    if blank.any():
        raise DataValidationError("item text is empty", source=source, column="item",
                                  rows=(np.flatnonzero(blank.to_numpy()) + 1).tolist())
    done = _boolean(df, "status", source)
    if "date" in df.columns:
        date = parse_thai_dates(df["date"], source=source, column="date")
    else:
        date = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    weight = pd.Series(np.nan, index=df.index, dtype=float)
    if "weight" in df.columns:
        text = thai_digits_to_ascii(df["weight"].astype("string").str.strip().fillna(""))
        if (text != "").any():  # an all-blank column (a template) means no weights
            weight = _numeric(df, "weight", source, low=0)
            zero = weight <= 0
            if zero.any():
                raise DataValidationError(
                    f"weight must be a positive number of points; got "
                    f"{describe_values(df.loc[zero, 'weight'])}", source=source,
                    column="weight", rows=(np.flatnonzero(zero.to_numpy()) + 1).tolist())
            per_form = weight.groupby(form).transform("nunique")
            mixed = per_form > 1
            if mixed.any():
                raise DataValidationError(
                    f"weight must be the same on every row of a form (it is the form's points); "
                    f"form(s) {sorted(set(form[mixed]))} have different weights",
                    source=source, column="weight",
                    rows=(np.flatnonzero(mixed.to_numpy()) + 1).tolist())
    return pd.DataFrame({"form": form, "item": item.astype(str), "done": done.astype(bool),
                         "date": date, "weight": weight})


def _shares(checklist: pd.DataFrame, forms: Sequence[int], out_of: Fraction,
            source: str | None = None) -> tuple[dict[int, Fraction], bool]:
    """Each form's share (exact) and whether the shares come from the file."""
    weights = checklist["weight"]
    if weights.isna().all():
        each = out_of / len(forms)
        return {int(f): each for f in forms}, False
    # the decimals as written (weights are validated equal within a form)
    first = weights.groupby(checklist["form"]).first()
    shares = {int(f): Fraction(repr(float(first[f]))) for f in forms}
    total = sum(shares.values())
    if total != out_of:
        raise DataValidationError(
            f"the forms' weights sum to {float(total):g}, not the rubric's total "
            f"{float(out_of):g} points", source=source, column="weight")
    return shares, True


def score_checklist(checklist: Any, forms: Mapping[int, str], *, out_of: float = 100,
                    target: float = 100, as_of: Any = None) -> ChecklistScore:
    """Score an evidence checklist: the shares of the complete forms.

    Parameters
    ----------
    checklist : path or DataFrame
        A checklist file or the output of :func:`read_checklist`.
    forms : mapping of int → str
        The rubric's forms and their texts (:func:`checklist_forms`).
    out_of : float, default 100
        Total points of the rubric (seed 001:12: 100 คะแนน).
    target : float, default 100
        Target as a percent of ``out_of`` (seed 001:1: ร้อยละ 100).
    as_of : date-like, optional
        Only items done on or before this date count (a done item without a date counts).

    Returns
    -------
    ChecklistScore
    """
    source = str(checklist) if not isinstance(checklist, pd.DataFrame) else None
    cl = (checklist if _is_checklist_frame(checklist)
          else read_checklist(checklist, list(forms)))
    total = Fraction(repr(float(out_of)))
    shares, from_file = _shares(cl, list(forms), total, source)
    done = cl["done"].copy()
    if as_of is not None:
        done &= cl["date"].isna() | (cl["date"] <= _as_of(as_of))
    by_form = pd.DataFrame({"form": cl["form"], "done": done, "date": cl["date"]})
    grouped = by_form.groupby("form")
    n_items = grouped.size()
    n_done = grouped["done"].sum()
    complete_on = _completion_dates(cl.assign(done=done))
    out_forms = []
    missing = []
    earned = Fraction(0)
    for f, text in forms.items():
        is_complete = bool(n_done[f] == n_items[f])
        pending = tuple(cl.loc[(cl["form"] == f) & ~done, "item"])
        if is_complete:
            earned += shares[f]
        missing += [f"แบบฟอร์ม/หลักฐานรายการที่ {f}: {p}" for p in pending]
        when = complete_on.get(f)
        out_forms.append(ChecklistForm(
            form=int(f), criterion=text, share=float(shares[f]), items=int(n_items[f]),
            done=int(n_done[f]), complete=is_complete,
            points=float(shares[f]) if is_complete else 0.0,
            completed_on=None if when is None or pd.isna(when) else when.date().isoformat(),
            pending=pending))
    percent = earned * 100 / total
    tgt = Fraction(repr(float(target)))
    return ChecklistScore(points=float(earned), out_of=float(total), percent=float(percent),
                          target=float(target), target_met=percent >= tgt,
                          complete=all(x.complete for x in out_forms),
                          weights_from_file=from_file, forms=tuple(out_forms),
                          missing=tuple(missing))


def _completion_dates(cl: pd.DataFrame) -> dict[int, pd.Timestamp | None]:
    """The date each complete form became complete (its latest item date; NaT if undated)."""
    g = cl.groupby("form")
    complete = g["done"].all()
    latest = g["date"].max()
    any_undated = cl["date"].isna().groupby(cl["form"]).any()
    out: dict[int, pd.Timestamp | None] = {}
    for f in complete.index:
        if not complete[f]:
            out[int(f)] = None
        elif any_undated[f] and pd.isna(latest[f]):
            out[int(f)] = pd.NaT
        else:
            out[int(f)] = latest[f]
    return out


def points_at(checklist: Any, forms: Mapping[int, str], dates: Sequence[Any], *,
              out_of: float = 100) -> list[float]:
    """The checklist points supported at each of ``dates`` (items done on or before it).

    Equivalent to ``score_checklist(checklist, forms, as_of=d).points`` for every ``d``,
    computed at once: a form counts from the date its last item was done (an undated done item
    counts from the start).

    Parameters
    ----------
    checklist : path or DataFrame
        A checklist file or the output of :func:`read_checklist`.
    forms : mapping of int → str
    dates : sequence of date-like
    out_of : float, default 100

    Returns
    -------
    list of float
        Points at each date, in the order given.
    """
    source = str(checklist) if not isinstance(checklist, pd.DataFrame) else None
    cl = (checklist if _is_checklist_frame(checklist)
          else read_checklist(checklist, list(forms)))
    shares, _ = _shares(cl, list(forms), Fraction(repr(float(out_of))), source)
    when = pd.Series(pd.NaT, index=list(forms), dtype="datetime64[ns]")
    counts = pd.Series(False, index=list(forms))
    for f, d in _completion_dates(cl).items():
        if d is not None:
            counts[f] = True
            when[f] = d
    # a complete form without a date counts from the start
    start = when.fillna(pd.Timestamp.min).to_numpy(dtype="datetime64[ns]")
    at = np.array([_as_of(d) for d in dates], dtype="datetime64[ns]")
    reached = (start[None, :] <= at[:, None]) & counts.to_numpy()[None, :]
    share = [shares[f] for f in forms]
    return [float(sum((s for s, r in zip(share, row, strict=True) if r), Fraction(0)))
            for row in reached]


def read_status_notes(data: Any, fiscal_year: int) -> pd.DataFrame:
    """Read the dated monthly status notes of a KPI (seed 001:7–10: twelve notes).

    Columns: ``date`` (``dd/mm/BBBB`` as the seeds write it, or ``m/d/CCCC``, ISO; Thai digits
    allowed) and ``note`` (the note's text).

    Parameters
    ----------
    data : path or DataFrame
    fiscal_year : int
        Buddhist-Era fiscal year the notes belong to.

    Returns
    -------
    DataFrame
        ``date`` (datetime64) and ``note``, oldest first.

    Raises
    ------
    DataValidationError
        A missing column, an empty note, a missing or bad date, or a date outside the fiscal
        year (file, column and rows named).
    """
    df, source = _read_table(data, "status notes", "notes")
    df = df.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    _require_columns(df, ["date", "note"], source, "status notes")
    date = parse_thai_dates(df["date"], source=source, column="date")
    if date.isna().any():
        raise DataValidationError("every status note needs its date", source=source,
                                  column="date",
                                  rows=(np.flatnonzero(date.isna().to_numpy()) + 1).tolist())
    first, last = fiscal_year_bounds(int(fiscal_year))
    outside = (date < first) | (date > last)
    if outside.any():
        raise DataValidationError(
            f"date outside fiscal year {fiscal_year} ({first.date()} – {last.date()}); got "
            f"{describe_values(df.loc[outside, 'date'])}", source=source, column="date",
            rows=(np.flatnonzero(outside.to_numpy()) + 1).tolist())
    note = df["note"].astype("string").str.strip().fillna("")
    if (note == "").any():
        raise DataValidationError("note text is empty", source=source, column="note",
                                  rows=(np.flatnonzero((note == "").to_numpy()) + 1).tolist())
    # free text: a phone number, e-mail, ID or name typed in a note never reaches the report
    note = redact_series(note)
    return (pd.DataFrame({"date": date, "note": note.astype(str)})
            .sort_values("date", kind="stable").reset_index(drop=True))


def _is_checklist_frame(obj: Any) -> bool:
    return (isinstance(obj, pd.DataFrame)
            and {"form", "item", "done", "date", "weight"} <= set(obj.columns)
            and obj["done"].dtype == bool)
