"""The "Line BMA" issue log behind seed 001's efficiency KPI (KPI_SPEC §D3).

The PR office (สำนักงานประชาสัมพันธ์) picks the issues that affect BMA's image and sends them to
the agencies concerned in the group "Line BMA รับประเด็น" **by 10.30 every day, holidays
included** (001:10 item 2: "ภายในเวลา 10.30 น. ของทุกวันโดยไม่มีวันหยุด"); an urgent issue is
sent at once ("หรือหากเป็นกรณีเร่งด่วน ต้องแจ้งหน่วยงานที่เกี่ยวข้องดำเนินการทันที"). The agency
answers in "Line BMA ตอบประเด็น" **within 24 hours of the sending** (001:10 item 5: "ภายใน 24
ชั่วโมง นับตั้งแต่การแจ้งประเด็น"). From the answers the office writes "กทม.ชี้แจงข่าวร้องเรียน"
clarification news items (item 4) and reports monthly to the executives (item 6), e.g. July
2563: 48 issues, 27 agencies, 47 news items; August 2563: 42, 22, 43 (001:10 item 7).

The log (one row per issue) has the columns

``issue_id``
    unique id of the issue;
``sent_at``
    date and time sent to Line BMA รับประเด็น: ``dd/mm/BBBB HH:MM`` (Buddhist Era, day first, as
    the seeds write dates), ``m/d/CCCC HH:MM`` (Common Era, month first) or ISO
    ``YYYY-MM-DD HH:MM``; Thai digits, ``10.30`` and a trailing ``น.`` are accepted;
``agency``
    the agency the issue is sent to (one per issue);
``answered_at``
    date and time of the answer in Line BMA ตอบประเด็น, blank while unanswered;
``news_items``
    number of "กทม.ชี้แจงข่าวร้องเรียน" news items written from the issue (0, 1, 2 …). A count,
    not yes/no: August 2563 has 43 news items from 42 issues (001:10);
``urgent`` (optional)
    yes/no: an urgent issue sent at once outside the 10.30 round.

Rules (the boundaries are the seed's words "ภายใน", i.e. *by* / *within*, read inclusively,
as the SLA of seed 004's IT tickets counts a ticket solved exactly on its deadline as met):

* **sent by 10.30**: the time of day of ``sent_at`` is at most 10:30:00 — an issue sent at
  exactly 10:30 is on time, 10:31 is late. Urgent issues are not judged against the 10.30
  round (they are sent "ทันที") and are counted apart;
* **answered within 24 hours**: ``answered_at − sent_at ≤ 24 h`` — an answer exactly 24 hours
  after the sending is on time. An unanswered issue is not answered within 24 hours (the
  denominator is every issue);
* **month** of an issue: the month it was sent; **agencies**: the distinct agencies of the
  month's issues; **news items**: the sum of ``news_items`` of the month's issues.

Bad input raises :class:`~kpianalysis.DataValidationError` naming the file, the rows and the
column: an answer before its sending, a sending date outside the fiscal year, an agency not in
the agency list (when one is given), a duplicate id, a malformed date or time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validation import DataValidationError, describe_values
from .labels import check_labels, known_agencies
from .privacy import complementary_suppression
from .rubric._inputs import _boolean, _numeric, _read_table, _require_columns
from .thaidate import BE_OFFSET, fiscal_year_bounds, parse_thai_dates, thai_digits_to_ascii

__all__ = [
    "ANSWER_WITHIN",
    "COLUMNS",
    "SEED_MONTHLY",
    "SEND_BY",
    "agency_table",
    "classify",
    "day_type_table",
    "issue_shares",
    "log_of_result",
    "monthly_counts",
    "parse_thai_datetimes",
    "read_agencies",
    "read_issue_log",
    "summarise_issue_log",
]

#: Latest time of day an issue counts as sent on time (001:10 "ภายในเวลา 10.30 น."), inclusive.
SEND_BY = pd.Timedelta(hours=10, minutes=30)
#: Longest time from sending to answer that counts as on time (001:10 "ภายใน 24 ชั่วโมง").
ANSWER_WITHIN = pd.Timedelta(hours=24)
#: Required columns of the log.
COLUMNS = ("issue_id", "sent_at", "agency", "answered_at", "news_items")
#: The monthly figures seed 001 reports (001:10 item 7 of the 31/7/2563 and 31/8/2563 notes):
#: month (CE ``YYYY-MM``) → (issues, agencies, clarification news items).
SEED_MONTHLY: dict[str, tuple[int, int, int]] = {"2020-07": (48, 27, 47),
                                                 "2020-08": (42, 22, 43)}

_MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
              "พ.ย.", "ธ.ค.")
_DATETIME = re.compile(r"^(?P<date>\S+?)(?:[ T]+|\s*,\s*)(?P<h>\d{1,2})[:.](?P<m>\d{2})"
                       r"(?:[:.](?P<s>\d{2}))?\s*(?:น\.?)?$")


def _rows(mask: pd.Series | np.ndarray) -> list[int]:
    return (np.flatnonzero(np.asarray(mask)) + 1).tolist()


def parse_thai_datetimes(values: Any, *, source: str | None = None, column: str | None = None,
                         allow_missing: bool = False) -> pd.Series:
    """Parse date-times written as the seeds write dates, followed by a time of day.

    ``31/7/2563 10:15`` (BE, day first), ``7/31/2020 10:15`` (CE, month first),
    ``2020-07-31 10:15`` or ``2020-07-31T10:15:00`` (ISO), with Thai digits, ``10.15`` and a
    trailing ``น.`` accepted. The date part follows :func:`kpianalysis.thaidate.parse_thai_date`
    (the year decides the form).

    Parameters
    ----------
    values : Series or sequence of str
    source, column : str, optional
        Named in errors.
    allow_missing : bool, default False
        Whether blanks are allowed (they become ``NaT``).

    Returns
    -------
    Series of datetime64[ns]

    Raises
    ------
    DataValidationError
        Listing the 1-based rows that are not a date and time of day (or are blank when not
        allowed) and the first offending values.
    """
    raw = pd.Series(values).reset_index(drop=True)
    text = thai_digits_to_ascii(raw.astype("string").str.strip().fillna(""))
    missing = text == ""
    parts = text.str.extract(_DATETIME)
    matched = parts["date"].notna()
    hour = pd.to_numeric(parts["h"], errors="coerce")
    minute = pd.to_numeric(parts["m"], errors="coerce")
    second = pd.to_numeric(parts["s"], errors="coerce").fillna(0)
    bad_time = matched & ((hour > 23) | (minute > 59) | (second > 59))
    bad = (~matched & ~missing) | bad_time
    if not allow_missing:
        bad |= missing
    if bad.any():
        raise DataValidationError(
            f"expected a date and a time of day such as '31/7/2563 10:15' (dd/mm/BBBB HH:MM, "
            f"Buddhist Era), '7/31/2020 10:15' (m/d/CCCC HH:MM) or '2020-07-31 10:15'; got "
            f"{describe_values(raw[bad])}", source=source, column=column, rows=_rows(bad))
    try:
        day = parse_thai_dates(parts["date"].where(matched), source=source, column=column)
    except DataValidationError as exc:
        raise DataValidationError(
            f"not a valid date (dd/mm/BBBB with a Buddhist-Era year, m/d/CCCC with a "
            f"Common-Era year, or YYYY-MM-DD) before the time of day; got "
            f"{describe_values(raw.iloc[[r - 1 for r in exc.rows]])}", source=source,
            column=column, rows=exc.rows) from None
    return (day + pd.to_timedelta(hour.fillna(0) * 3600 + minute.fillna(0) * 60 + second,
                                  unit="s")).where(matched)


def read_agencies(data: Any) -> list[str]:
    """Read the list of agencies an issue may be sent to (column ``agency``).

    Raises
    ------
    DataValidationError
        A missing column, an empty name or a name listed twice.
    """
    df, source = _read_table(data, "agency list", "agencies")
    df = df.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    _require_columns(df, ["agency"], source, "agency list")
    names = _normalise(df["agency"])
    blank = names == ""
    if blank.any():
        raise DataValidationError("agency name is empty", source=source, column="agency",
                                  rows=_rows(blank))
    check_labels(names, known_agencies(), source=source, column="agency", what="agencies")
    dup = names.duplicated(keep="first")
    if dup.any():
        raise DataValidationError(f"agency listed twice: {describe_values(names[dup])}",
                                  source=source, column="agency", rows=_rows(dup))
    return names.tolist()


def _normalise(names: pd.Series) -> pd.Series:
    """Agency names with outer spaces removed and inner runs of spaces made one."""
    return names.astype("string").fillna("").str.strip().str.replace(r"\s+", " ", regex=True)


def read_issue_log(data: Any, *, fiscal_year: int,
                   agencies: Iterable[str] | None = None) -> pd.DataFrame:
    """Read and validate a Line BMA issue log, and classify every issue.

    Parameters
    ----------
    data : path or DataFrame
        The log (columns in the module docstring).
    fiscal_year : int
        Buddhist-Era fiscal year the log covers (FY2563 = 1 Oct 2019 – 30 Sep 2020); every
        issue must be sent inside it (an answer may come after its end).
    agencies : iterable of str, optional
        The agencies an issue may be sent to (:func:`read_agencies`); any name when None.

    Returns
    -------
    DataFrame
        One row per issue: ``issue_id``, ``sent_at``, ``agency``, ``answered_at`` (NaT when
        unanswered), ``news_items`` (int), ``urgent`` (bool), ``month`` (``YYYY-MM``, CE),
        ``weekend`` (bool, Saturday or Sunday), ``sent_by_1030`` (bool, False for urgent
        issues), ``answered`` (bool), ``response_hours`` (float, NaN when unanswered) and
        ``answered_24h`` (bool).

    Raises
    ------
    DataValidationError
        Naming the file, the column and the rows (see the module docstring).
    """
    df, source = _read_table(data, "issue log", "issue_log")
    df = df.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    _require_columns(df, list(COLUMNS), source, "issue log")
    if df.empty:
        raise DataValidationError("the issue log has no rows", source=source)
    issue_id = df["issue_id"].astype("string").str.strip().fillna("")
    if (issue_id == "").any():
        raise DataValidationError("issue_id is empty", source=source, column="issue_id",
                                  rows=_rows(issue_id == ""))
    dup = issue_id.duplicated(keep="first")
    if dup.any():
        raise DataValidationError(f"issue_id must be unique; repeated: "
                                  f"{describe_values(issue_id[dup])}", source=source,
                                  column="issue_id", rows=_rows(dup))
    sent = parse_thai_datetimes(df["sent_at"], source=source, column="sent_at")
    first, last = fiscal_year_bounds(int(fiscal_year))
    end = last + pd.Timedelta(days=1)
    outside = (sent < first) | (sent >= end)
    if outside.any():
        raise DataValidationError(
            f"sent outside fiscal year {fiscal_year} (1/10/{fiscal_year - 1} – "
            f"30/9/{fiscal_year}, i.e. {first.date()} – {last.date()}); got "
            f"{describe_values(df.loc[outside, 'sent_at'])}", source=source, column="sent_at",
            rows=_rows(outside))
    agency = _normalise(df["agency"])
    if (agency == "").any():
        raise DataValidationError("agency is empty", source=source, column="agency",
                                  rows=_rows(agency == ""))
    check_labels(agency, known_agencies(), source=source, column="agency", what="agencies")
    if agencies is not None:
        known = set(_normalise(pd.Series(list(agencies), dtype="string")))
        unknown = ~agency.isin(known)
        if unknown.any():
            raise DataValidationError(
                f"agency not in the agency list ({len(known)} agencies); got "
                f"{describe_values(agency[unknown])}", source=source, column="agency",
                rows=_rows(unknown))
    answered_at = parse_thai_datetimes(df["answered_at"], source=source, column="answered_at",
                                       allow_missing=True)
    before = answered_at < sent
    if before.any():
        raise DataValidationError(
            f"answered before the issue was sent (sent_at "
            f"{describe_values(df.loc[before, 'sent_at'])}; answered_at "
            f"{describe_values(df.loc[before, 'answered_at'])})", source=source,
            column="answered_at", rows=_rows(before))
    news = _numeric(df, "news_items", source, integer=True, low=0).astype(int)
    urgent = (_boolean(df, "urgent", source).astype(bool) if "urgent" in df.columns
              else pd.Series(False, index=df.index))
    return classify(pd.DataFrame({"issue_id": issue_id.astype(str), "sent_at": sent,
                                  "agency": agency.astype(str), "answered_at": answered_at,
                                  "news_items": news, "urgent": urgent}))


def classify(log: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns of :func:`read_issue_log` to a validated log (vectorised)."""
    out = log.copy()
    sent = out["sent_at"]
    out["month"] = sent.dt.strftime("%Y-%m")
    out["weekend"] = sent.dt.day_of_week >= 5
    time_of_day = sent - sent.dt.normalize()
    out["sent_by_1030"] = (time_of_day <= SEND_BY) & ~out["urgent"]
    out["answered"] = out["answered_at"].notna()
    delay = out["answered_at"] - sent
    out["response_hours"] = delay.dt.total_seconds() / 3600
    out["answered_24h"] = out["answered"] & (delay <= ANSWER_WITHIN)
    return out


def _pct(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator × 100 / denominator``, NaN where the denominator is 0."""
    den = denominator.astype(float)
    return (numerator.astype(float) * 100 / den.where(den > 0)).astype(float)


def issue_shares(log: pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Counts and shares of a classified log, overall or by group(s).

    Parameters
    ----------
    log : DataFrame
        Output of :func:`read_issue_log`.
    by : str or list of str, optional
        Column(s) to group by (``"month"``, ``"agency"``, ``"weekend"``); None for one row.

    Returns
    -------
    DataFrame
        ``issues``, ``agencies`` (distinct), ``news_items``, ``urgent``, ``judged_1030``
        (issues judged against the 10.30 round: the non-urgent ones), ``sent_by_1030``,
        ``pct_sent_by_1030`` (of ``judged_1030``), ``answered``, ``answered_24h``,
        ``pct_answered_24h`` (of ``issues``), ``median_response_hours`` (answered issues).
    """
    frame = log.assign(judged=~log["urgent"], _one=1)
    keys = [by] if isinstance(by, str) else list(by or [])
    if not keys:
        frame = frame.assign(_all="ทั้งหมด")
        keys = ["_all"]
    g = frame.groupby(keys, sort=True, observed=True)
    out = pd.DataFrame({
        "issues": g["_one"].sum(),
        "agencies": g["agency"].nunique(),
        "news_items": g["news_items"].sum(),
        "urgent": g["urgent"].sum(),
        "judged_1030": g["judged"].sum(),
        "sent_by_1030": g["sent_by_1030"].sum(),
        "answered": g["answered"].sum(),
        "answered_24h": g["answered_24h"].sum(),
        "median_response_hours": g["response_hours"].median(),
    }).astype({"issues": int, "agencies": int, "news_items": int, "urgent": int,
               "judged_1030": int, "sent_by_1030": int, "answered": int, "answered_24h": int})
    out["pct_sent_by_1030"] = _pct(out["sent_by_1030"], out["judged_1030"])
    out["pct_answered_24h"] = _pct(out["answered_24h"], out["issues"])
    out = out.reset_index()
    if keys == ["_all"]:
        out = out.drop(columns="_all")
    return out


def monthly_counts(log: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """One row per month of the fiscal year (October first), months without issues included.

    Returns
    -------
    DataFrame
        ``month`` (CE ``YYYY-MM``), ``month_th`` (``ก.ค. 2563``), ``days`` (days in the month),
        ``days_with_dispatch`` (days on which at least one issue was sent), then the columns of
        :func:`issue_shares`.
    """
    first, _ = fiscal_year_bounds(int(fiscal_year))
    months = pd.period_range(first, periods=12, freq="M")
    keys = pd.Index(months.strftime("%Y-%m"), name="month")
    shares = issue_shares(log, "month").set_index("month").reindex(keys)
    counts = ["issues", "agencies", "news_items", "urgent", "judged_1030", "sent_by_1030",
              "answered", "answered_24h"]
    shares[counts] = shares[counts].fillna(0).astype(int)
    days = log.groupby("month")["sent_at"].apply(lambda s: s.dt.normalize().nunique())
    out = shares.reset_index()
    out.insert(1, "month_th", [f"{_MONTHS_TH[p.month - 1]} {p.year + BE_OFFSET}"
                               for p in months])
    out.insert(2, "days", months.days_in_month.to_numpy())
    out.insert(3, "days_with_dispatch",
               days.reindex(keys).fillna(0).astype(int).to_numpy())
    return out


def agency_table(log: pd.DataFrame, min_group: int = 5) -> pd.DataFrame:
    """Shares by agency, largest first; agencies with fewer than ``min_group`` issues pooled.

    The pooled line is labelled ``หน่วยงานอื่น (n หน่วยงาน ที่มีน้อยกว่า k ประเด็น)`` and comes
    last; a share of a handful of issues says little about one agency. When only one agency is
    small, the smallest other one is pooled with it (complementary suppression,
    :func:`kpianalysis.privacy.complementary_suppression`), so the pooled line never gives
    one agency's figures.

    Returns
    -------
    DataFrame
        ``agency``, ``pooled`` (bool) and the columns of :func:`issue_shares`.
    """
    if isinstance(min_group, bool) or not isinstance(min_group, (int, np.integer)) \
            or min_group < 1:
        raise ValueError(f"min_group must be a positive integer, got {min_group!r}")
    per = issue_shares(log, "agency").sort_values(["issues", "agency"],
                                                  ascending=[False, True], ignore_index=True)
    # complementary: a single small agency is pooled with the smallest other one, or the
    # pooled line would be that agency's own figures
    primary, extra = complementary_suppression(per["issues"].to_numpy()[::-1], min_group)
    small = pd.Series((primary | extra)[::-1], index=per.index)
    big = per[~small].assign(pooled=False)
    if not small.any():
        return big.reset_index(drop=True)
    names = set(per.loc[small, "agency"])
    pooled = issue_shares(log[log["agency"].isin(names)])
    pooled.insert(0, "agency", f"หน่วยงานอื่น ({len(names)} หน่วยงาน ที่มีน้อยกว่า "
                               f"{min_group} ประเด็น)" if not extra.any() else
                  f"หน่วยงานอื่น ({len(names)} หน่วยงาน: หน่วยงานที่มีน้อยกว่า {min_group} "
                  f"ประเด็น และหน่วยงานที่เล็กที่สุดถัดไป)")
    pooled["pooled"] = True
    return pd.concat([big, pooled[big.columns]], ignore_index=True)


def day_type_table(log: pd.DataFrame) -> pd.DataFrame:
    """Shares on weekdays and on Saturdays and Sundays (the round runs every day, 001:10).

    Public holidays other than weekends are not identified (no holiday calendar is used).
    """
    out = issue_shares(log, "weekend")
    out.insert(0, "day_type", np.where(out["weekend"], "วันเสาร์–อาทิตย์", "วันจันทร์–ศุกร์"))
    return out.drop(columns="weekend")


def summarise_issue_log(log: pd.DataFrame, fiscal_year: int) -> dict[str, Any]:
    """The log's figures as JSON-ready data (stored in ``KPIResult.details["issue_log"]``).

    Returns
    -------
    dict
        ``overall`` (one row of :func:`issue_shares`), ``monthly`` (:func:`monthly_counts`),
        ``by_agency`` (every agency, unpooled), ``by_day_type``, ``seed_monthly`` (the figures
        the seed reports for the months of this fiscal year) and ``rules`` (the boundaries).
    """
    from ._results import to_jsonable

    monthly = monthly_counts(log, fiscal_year)
    seed = {m: dict(zip(("issues", "agencies", "news_items"), v, strict=True))
            for m, v in SEED_MONTHLY.items() if m in set(monthly["month"])}
    return to_jsonable({
        "overall": issue_shares(log).to_dict(orient="records")[0],
        "monthly": monthly,
        "by_agency": issue_shares(log, "agency").sort_values(
            ["issues", "agency"], ascending=[False, True]),
        "by_day_type": day_type_table(log),
        "seed_monthly": seed,
        "rules": {"send_by": "10:30", "send_by_inclusive": True, "answer_within_hours": 24,
                  "answer_within_inclusive": True, "unanswered_counts_as_late": True,
                  "urgent_not_judged_against_1030": True},
    })


def log_of_result(result: Any, data_root: str | Path) -> pd.DataFrame | None:
    """The classified issue log a :class:`~kpianalysis.KPIResult` was built from, or None.

    Reads the files the result names (roles ``issue_log`` and, when present, ``agencies``)
    under ``data_root`` and validates them as :func:`kpianalysis.evaluate` did.
    """
    files = {e.role: e.path for e in result.evidence}
    if "issue_log" not in files:
        return None
    agencies = (read_agencies(Path(data_root) / files["agencies"]) if "agencies" in files
                else None)
    return read_issue_log(Path(data_root) / files["issue_log"], fiscal_year=result.fiscal_year,
                          agencies=agencies)
