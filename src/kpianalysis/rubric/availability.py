"""Availability from outage hours (seed 004 table ค item 6, the Wi-Fi evidence, 004:627).

The free-internet KPI lists among its evidence "รายงานผลของระบบอินเทอร์เน็ต (Availability
Report) โดยนับเวลาการขัดข้องเป็นชั่วโมง ตั้งแต่เวลาที่เริ่มขัดข้องจนถึงเวลาที่เริ่มใช้งานได้"
(004:627): outage time is counted in hours, from the start of the outage until service is
usable again, at the 52 sites (50 district offices, City Hall 1 and City Hall 2, 004:623).
The seed prints no formula and no target for availability. Rules used here:

* hours of the year ``H = 24 × days of the fiscal year`` (FY2567: 366 days, 8,784 hours);
* availability of a site = ``(1 − outage hours of the site / H) × 100``;
* overall availability = ``(1 − all outage hours / (sites × H)) × 100`` — the mean of the
  sites' availabilities;
* an outage is attributed to the month of its start date (the monthly table).

Inputs: a site list (the installation report, one row per site) and an outage log (one row per
outage: site, start date, hours). Refused: a site in the log that is not in the list, an
outage that is not a positive number of hours, an outage longer than the hours left in the
fiscal year after its start date, a site whose outages add up to more than ``H``, a date
outside the fiscal year.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result
from .._validation import DataValidationError, describe_values
from ..labels import check_no_personal_data
from ..thaidate import fiscal_year_bounds
from ._fiscal import dates_in_fiscal_year, fiscal_months, hours_in_fiscal_year, month_label_th
from ._inputs import _numeric, _read_table, _require_columns

__all__ = [
    "AvailabilityScore",
    "read_outages",
    "read_sites",
    "score_availability",
]


@dataclasses.dataclass(frozen=True)
class AvailabilityScore(Result):
    """Availability of a set of sites over a fiscal year.

    Attributes
    ----------
    fiscal_year : int
        BE fiscal year.
    hours_in_year : int
        ``24 × days`` of the fiscal year.
    n_sites : int
        Sites in the list.
    n_outages : int
        Outages in the log.
    outage_hours : float
        All outage hours.
    availability_percent : float
        ``(1 − outage_hours / (n_sites × hours_in_year)) × 100``.
    sites : DataFrame
        One row per site, in list order: ``site_id``, ``site``, ``n_outages``,
        ``outage_hours``, ``availability_percent``.
    months : DataFrame
        One row per fiscal month: ``month`` (Thai label), ``period`` (``YYYY-MM``, CE),
        ``n_outages``, ``outage_hours`` (by start date).
    """

    _headline_fields = ("availability_percent", "outage_hours", "n_sites", "hours_in_year")

    fiscal_year: int
    hours_in_year: int
    n_sites: int
    n_outages: int
    outage_hours: float
    availability_percent: float
    sites: pd.DataFrame
    months: pd.DataFrame


def read_sites(data: Any, *, n_sites: int | None = None) -> pd.DataFrame:
    """Read the site list: ``site_id`` (unique) and ``site`` (name).

    Parameters
    ----------
    data : path or DataFrame
    n_sites : int, optional
        The number of sites the list must hold (seed 004: 52).

    Returns
    -------
    DataFrame
        ``site_id``, ``site`` (str), in file order.
    """
    df, source = _read_table(data, "sites", "sites")
    _require_columns(df, ["site_id", "site"], source, "sites")
    out = pd.DataFrame({c: df[c].astype("string").str.strip().fillna("").astype(str)
                        for c in ("site_id", "site")})
    for col in ("site_id", "site"):
        blank = (out[col] == "").to_numpy()
        if blank.any():
            raise DataValidationError(f"{col} is empty", source=source, column=col,
                                      rows=(np.flatnonzero(blank) + 1).tolist())
    check_no_personal_data(out["site"], source=source, column="site")
    check_no_personal_data(out["site_id"], source=source, column="site_id")
    dup = out["site_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataValidationError(f"site id listed more than once: "
                                  f"{describe_values(out['site_id'][dup])}", source=source,
                                  column="site_id", rows=(np.flatnonzero(dup) + 1).tolist())
    if n_sites is not None and len(out) != n_sites:
        raise DataValidationError(f"the site list must hold {n_sites} sites; it holds "
                                  f"{len(out)}", source=source, column="site_id")
    return out


def read_outages(data: Any, fiscal_year: int, site_ids: Any) -> pd.DataFrame:
    """Read the outage log: ``site_id``, ``date`` (start), ``outage_hours``.

    Parameters
    ----------
    data : path or DataFrame
        One row per outage (an empty log, header only, means no outage).
    fiscal_year : int
        BE fiscal year; every start date must lie inside it.
    site_ids : sequence of str
        The ids of the site list (:func:`read_sites`).

    Returns
    -------
    DataFrame
        ``site_id`` (str), ``date`` (datetime64), ``outage_hours`` (float), in file order.

    Raises
    ------
    DataValidationError
        Naming file, column and rows (see the module's rules).
    """
    df, source = _read_table(data, "outages", "outages")
    _require_columns(df, ["site_id", "date", "outage_hours"], source, "outages")
    ids = df["site_id"].astype("string").str.strip().fillna("").astype(str)
    known = set(map(str, site_ids))
    unknown = (~ids.isin(known)).to_numpy()
    if unknown.any():
        raise DataValidationError(f"site not in the site list ({len(known)} sites); got "
                                  f"{describe_values(ids[unknown])}", source=source,
                                  column="site_id", rows=(np.flatnonzero(unknown) + 1).tolist())
    dates = dates_in_fiscal_year(df, "date", source, fiscal_year, allow_missing=False)
    hours = _numeric(df, "outage_hours", source, low=0)
    zero = ((hours <= 0) | ~np.isfinite(hours)).to_numpy()
    if zero.any():
        raise DataValidationError("an outage must last a positive, finite number of hours; got "
                                  f"{describe_values(df['outage_hours'][zero])}", source=source,
                                  column="outage_hours", rows=(np.flatnonzero(zero) + 1).tolist())
    _, end = fiscal_year_bounds(int(fiscal_year))
    left = 24.0 * ((end - dates).dt.days + 1)
    too_long = (hours > left).to_numpy()
    if too_long.any():
        raise DataValidationError(
            f"outage longer than the hours left in fiscal year {fiscal_year} after its start "
            f"date (24 × days to 30 September); got "
            f"{describe_values(df['outage_hours'][too_long])}", source=source,
            column="outage_hours", rows=(np.flatnonzero(too_long) + 1).tolist())
    year = hours_in_fiscal_year(int(fiscal_year))
    per_site = hours.groupby(ids.to_numpy()).transform("sum")
    over = (per_site > year).to_numpy()
    if over.any():
        raise DataValidationError(
            f"a site's outages add up to more than the {year:,} hours of fiscal year "
            f"{fiscal_year} (site {describe_values(ids[over])})", source=source,
            column="outage_hours", rows=(np.flatnonzero(over) + 1).tolist())
    return pd.DataFrame({"site_id": ids.to_numpy(), "date": dates.to_numpy(),
                         "outage_hours": hours.to_numpy(dtype=float)})


def score_availability(sites: pd.DataFrame, outages: pd.DataFrame,
                       fiscal_year: int) -> AvailabilityScore:
    """Availability per site and overall from the outage hours.

    Parameters
    ----------
    sites : DataFrame
        :func:`read_sites`.
    outages : DataFrame
        :func:`read_outages` (validated against ``sites``).
    fiscal_year : int
        BE fiscal year.

    Returns
    -------
    AvailabilityScore

    Examples
    --------
    >>> s = pd.DataFrame({"site_id": ["A", "B"], "site": ["a", "b"]})
    >>> o = pd.DataFrame({"site_id": ["A"], "date": pd.to_datetime(["2024-02-29"]),
    ...                   "outage_hours": [87.84]})
    >>> round(score_availability(s, o, 2567).availability_percent, 6)  # 1 − 87.84 / 17,568
    99.5
    """
    if len(sites) == 0:
        raise ValueError("the site list is empty")
    year = hours_in_fiscal_year(int(fiscal_year))
    by_site = outages.groupby("site_id")["outage_hours"].agg(["sum", "count"])
    by_site = by_site.reindex(sites["site_id"], fill_value=0)
    site_hours = by_site["sum"].to_numpy(dtype=float)
    if (site_hours > year).any():
        raise ValueError(f"a site has more outage hours than the {year} hours of the year "
                         f"(use read_outages)")
    site_table = pd.DataFrame({
        "site_id": sites["site_id"].to_numpy(), "site": sites["site"].to_numpy(),
        "n_outages": by_site["count"].to_numpy(dtype=int), "outage_hours": site_hours,
        "availability_percent": (1 - site_hours / year) * 100})
    months = fiscal_months(int(fiscal_year))
    period = pd.to_datetime(outages["date"]).dt.to_period("M")
    by_month = outages["outage_hours"].groupby(period.to_numpy()).agg(["sum", "count"])
    by_month = by_month.reindex(months, fill_value=0)
    month_table = pd.DataFrame({"month": [month_label_th(m) for m in months],
                                "period": months.strftime("%Y-%m"),
                                "n_outages": by_month["count"].to_numpy(dtype=int),
                                "outage_hours": by_month["sum"].to_numpy(dtype=float)})
    total = float(site_hours.sum())
    return AvailabilityScore(
        fiscal_year=int(fiscal_year), hours_in_year=year, n_sites=len(sites),
        n_outages=len(outages), outage_hours=total,
        availability_percent=(1 - total / (len(sites) * year)) * 100,
        sites=site_table, months=month_table)
