"""Small-area estimates of awareness by district: Fay–Herriot EBLUP from the direct estimates.

The direct estimate of each district is the raked field-sample proportion of
:attr:`AwarenessAnalysis.districts`, with its design-based (Taylor-linearised) variance as the
sampling variance ``ψ_d``; the area-level model regresses it on district covariates
(:func:`kpianalysis.sae.fay_herriot`). Districts suppressed for small samples are left out of
the fit and stay suppressed: no direct estimate, no EBLUP.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._results import Result, format_value
from .._validation import DataValidationError
from ..bangkok import DISTRICTS
from ..sae import FayHerriotResult, fay_herriot
from ._estimate import AwarenessAnalysis

__all__ = ["DistrictSmallArea", "district_small_area", "read_district_covariates"]

#: Covariates of the report's district model (columns of ``district_covariates.csv``).
DEFAULT_SAE_COVARIATES: tuple[str, ...] = ("internet_share", "elderly_share")


def read_district_covariates(path: str | Path,
                             covariates: Sequence[str] = DEFAULT_SAE_COVARIATES
                             ) -> pd.DataFrame:
    """Read and validate a district covariate file (one row per district).

    Parameters
    ----------
    path : str or Path
        CSV with ``district_code`` (DOPA 1001–1050, each once), the ``covariates`` columns
        (finite numbers) and optionally ``status`` (``official``, ``ILLUSTRATIVE`` or
        ``SYNTHETIC``) and ``source``.
    covariates : sequence of str
        The covariate columns the model will use.

    Returns
    -------
    DataFrame
        ``district_code`` (int), the covariates (float), ``status`` (``"unknown"`` when the
        file has no such column), sorted by district code.

    Raises
    ------
    DataValidationError
        A missing column, an unknown, duplicate or missing district, or a covariate that is not
        a finite number (naming the file, column and rows).
    """
    from ..input_schema import parse_numbers
    from ..tables import read_table

    name = Path(path).name
    frame = read_table(path, source=name)  # encodings, Excel, header case and spaces
    missing = [c for c in ("district_code", *covariates) if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"missing column(s) {', '.join(missing)}; expected district_code and "
            f"{', '.join(covariates)}", source=name)
    codes = parse_numbers(frame["district_code"], source=name, column="district_code",
                          integer=True)
    bad = ~codes.isin(list(DISTRICTS))
    if bad.any():
        raise DataValidationError("expected a DOPA district code 1001-1050", source=name,
                                  column="district_code",
                                  rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist())
    dup = codes.duplicated(keep=False)
    if dup.any():
        raise DataValidationError("each district must appear once", source=name,
                                  column="district_code",
                                  rows=(np.flatnonzero(dup.to_numpy()) + 1).tolist())
    absent = sorted(set(DISTRICTS) - set(codes.astype(int)))
    if absent:
        raise DataValidationError(
            f"{len(absent)} district(s) missing: {', '.join(map(str, absent[:10]))}",
            source=name, column="district_code")
    out = pd.DataFrame({"district_code": codes.astype(np.int64).to_numpy()})
    for col in covariates:
        out[col] = parse_numbers(frame[col], source=name, column=col).to_numpy()
    out["status"] = (frame["status"].fillna("").str.strip().to_numpy()
                     if "status" in frame.columns else "unknown")
    return out.sort_values("district_code", ignore_index=True)


@dataclasses.dataclass(frozen=True, eq=False)
class DistrictSmallArea(Result):
    """Direct and Fay–Herriot (EBLUP) estimates of awareness by district, side by side.

    Attributes
    ----------
    table : DataFrame
        One row per district, sorted by EBLUP (suppressed districts last): ``district_code``,
        ``district_th``, ``n``, ``suppressed``, ``direct``, ``se_direct``, ``cv_direct``,
        ``eblup``, ``se_eblup`` (``√MSE``), ``cv_eblup``, ``shrinkage`` (weight of the
        regression, ``ψ / (Â + ψ)``), ``synthetic`` (``x'β̂``). Estimates and SEs in percent,
        CVs in percent of the estimate; every figure is blank for a suppressed district.
    fit : FayHerriotResult
        The fitted model (proportion scale, 0–1).
    covariates : tuple of str
        The district covariates of the model.
    covariate_status : str
        The covariate file's ``status`` (``SYNTHETIC``, ``ILLUSTRATIVE`` or ``official``).
    illustrative : bool
        True unless every covariate row is ``official``: the report then labels the section
        as an illustration.
    """

    table: pd.DataFrame
    fit: FayHerriotResult
    covariates: tuple[str, ...]
    covariate_status: str
    illustrative: bool

    @property
    def shown(self) -> pd.DataFrame:
        """The rows of districts that are not suppressed."""
        return self.table[~self.table["suppressed"]]

    def _summary_lines(self) -> list[str]:
        s = self.shown
        label = " (ILLUSTRATIVE: covariates are not official)" if self.illustrative else ""
        return [
            f"DistrictSmallArea: {len(s)} districts, Fay-Herriot {self.fit.method} on "
            f"{' + '.join(self.covariates)}{label}",
            f"median CV direct {format_value(float(s['cv_direct'].median()))} %, EBLUP "
            f"{format_value(float(s['cv_eblup'].median()))} %; model variance "
            f"{format_value(self.fit.refvar)} (proportion scale)",
        ]


def district_small_area(
    analysis: AwarenessAnalysis,
    covariates: pd.DataFrame,
    *,
    columns: Sequence[str] = DEFAULT_SAE_COVARIATES,
    method: str = "REML",
) -> DistrictSmallArea:
    """Fay–Herriot EBLUPs of district awareness from the analysis' direct estimates.

    Parameters
    ----------
    analysis : AwarenessAnalysis
        From :func:`kpianalysis.awareness.analyse_awareness`; its ``districts`` table gives the
        direct estimates and their design-based standard errors.
    covariates : DataFrame
        From :func:`read_district_covariates`.
    columns : sequence of str, default ("internet_share", "elderly_share")
        Covariates of the model (an intercept is added).
    method : {"REML", "ML", "FH"}, default "REML"
        Estimator of the model variance (:func:`kpianalysis.sae.fay_herriot`).

    Returns
    -------
    DistrictSmallArea

    Raises
    ------
    DataValidationError
        A shown district with no covariate row, a shown district whose direct estimate has a
        zero design variance (every respondent aware, or none), or the model errors of
        :func:`kpianalysis.sae.fay_herriot`.
    """
    columns = tuple(columns)
    d = analysis.districts
    shown = d[~d["suppressed"]]
    frame = shown[["district_code", "district_th", "n", "estimate", "se"]].merge(
        covariates[["district_code", *columns]], on="district_code", how="left")
    lacking = frame[frame[list(columns)].isna().any(axis=1)]["district_code"]
    if len(lacking):
        raise DataValidationError(
            f"no covariates for district(s) {', '.join(map(str, lacking.tolist()[:10]))}",
            source="district covariates", column="district_code")
    zero = frame[~(frame["se"] > 0)]["district_code"]
    if len(zero):
        raise DataValidationError(
            f"district(s) {', '.join(map(str, zero.tolist()[:10]))} have a direct estimate with "
            "no sampling variance (every respondent gave the same answer); the Fay-Herriot "
            "model needs a positive variance for every district", column="se")
    frame = frame.assign(direct=frame["estimate"] / 100, variance=(frame["se"] / 100) ** 2)
    fit = fay_herriot(frame, "direct", "variance", columns, area="district_code",
                      method=method, source="awareness districts")
    a = fit.areas
    shown_table = pd.DataFrame({
        "district_code": frame["district_code"].to_numpy(),
        "district_th": frame["district_th"].to_numpy(),
        "n": frame["n"].to_numpy(),
        "suppressed": False,
        "direct": a["direct"].to_numpy() * 100,
        "se_direct": a["se_direct"].to_numpy() * 100,
        "cv_direct": a["cv_direct"].to_numpy() * 100,
        "eblup": a["eblup"].to_numpy() * 100,
        "se_eblup": a["se_eblup"].to_numpy() * 100,
        "cv_eblup": a["cv_eblup"].to_numpy() * 100,
        "shrinkage": a["shrinkage"].to_numpy(),
        "synthetic": a["synthetic"].to_numpy() * 100,
    }).sort_values("eblup", ascending=False)
    hidden = d[d["suppressed"]]
    hidden_table = pd.DataFrame({"district_code": hidden["district_code"].to_numpy(),
                                 "district_th": hidden["district_th"].to_numpy(),
                                 "n": hidden["n"].to_numpy(), "suppressed": True})
    parts = [shown_table] + ([hidden_table] if len(hidden_table) else [])
    table = pd.concat(parts, ignore_index=True)
    table["n"] = table["n"].astype("Int64")
    statuses = sorted(set(covariates["status"].astype(str))) if "status" in covariates else []
    status = ", ".join(statuses) or "unknown"
    return DistrictSmallArea(table=table, fit=fit, covariates=columns,
                             covariate_status=status,
                             illustrative=statuses != ["official"])
