"""The awareness-survey KR analysis (seed 000): from the validated files to the report numbers.

The KR is the percent of Bangkok's citizens who received BMA news on the "9 ดี 9 ด้าน"
policy through the PR office's channels, target 80 %. The survey mixes three collection modes
(field interviews, an online survey, focus groups) over three rounds. This module glues the
tested pieces (:mod:`kpianalysis.design`, :mod:`kpianalysis.weighting`,
:mod:`kpianalysis.sample_size`) together so that the report notebook only calls and presents.

Estimator (the choice and why)
------------------------------
* **Headline** — the *field* sample only, because it is the only probability sample: a
  stratified sample by district within each round, with design weights (district population ÷
  interviews). Each round's weights are **raked** to the population margins of the margins
  file *within the round* (joint margins ``round × sex``, ``round × age_group``,
  ``round × district_code``), so every round represents the same population and the pooled
  estimate is the average of the three rounds' estimates. Only the sex margin is official
  (NSO/DOPA 2023); the age and district margins of the sample file are ILLUSTRATIVE and the
  report says so. Standard errors are by Taylor linearisation with strata = round × district
  and the calibration residuals of the raking (as R's ``survey::rake``), sampling with
  replacement (the sampling fractions are below 0.1 %, so a finite-population correction
  changes nothing visible); the interval is the logit interval on the design degrees of
  freedom (R's ``svyciprop(method = "logit")``).
* **Online and focus-group respondents** are not probability samples (self-selected / invited).
  They are shown separately, raked to the margins they cover so that their age and sex mix is
  comparable; their standard errors (focus groups as clusters of 8) describe sampling
  variation only *under the assumption* that the respondents behave like a random sample of
  their population cell — they say nothing about selection bias. When a mode's estimate differs
  from the field estimate by more than sampling error allows (two-sided z test at ``alpha``),
  :attr:`AwarenessAnalysis.modes_disagree` is set and the report warns.
* **Test against the target** — one-sided ``H0: p ≥ 0.80`` against ``H1: p < 0.80`` with
  ``t = (p̂ − 0.80) / SE`` on the design degrees of freedom (:func:`target_test`).
* **Probability that the target is met** — ``P(p ≥ 0.80 | data)`` from the approximation
  ``p ~ p̂ + SE · t_df`` (a flat-prior, plug-in posterior on the proportion scale). It is an
  *approximate* Bayesian statement, and under this approximation it equals the one-sided
  p-value of the test above (Casella & Berger 1987).
* ``target_met`` (the KR verdict) compares the point estimate with 80 %, as the KR formula does;
  the report also gives the verdict at both interval bounds.

References
----------
Casella, G. and Berger, R. L. (1987). Reconciling Bayesian and frequentist evidence in the
one-sided testing problem. *Journal of the American Statistical Association* 82, 106-111.

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. (Ch. 2, 7.)

Baker, R. et al. (2013). Report of the AAPOR task force on non-probability sampling. *Journal
of Survey Statistics and Methodology* 1(2), 90-143.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result
from ._validation import DataValidationError, check_confidence, check_probability, describe_values
from ._version import __version__
from .bangkok import DISTRICTS
from .design import Estimate, SurveyDesign
from .files import sha256_of
from .rubric import score_percent_target
from .sample_size import (
    cochran,
    krejcie_morgan,
    margin_of_error,
    n_one_sided_proportion_test,
    yamane,
)
from .weighting import kish_deff

# The awareness survey's schema (also used by the sample-data generator).
#: Collection modes named in the seed: code → Thai label.
MODES: dict[str, str] = {
    "field": "ลงพื้นที่",
    "online": "สำรวจผ่านช่องทางออนไลน์",
    "focus_group": "Focus Group",
}

#: PR channels named in the seed: column → Thai label (offline: TV, radio, print; online:
#: Facebook, TikTok, Instagram, website, YouTube).
CHANNELS: dict[str, str] = {
    "ch_tv": "โทรทัศน์",
    "ch_radio": "วิทยุ",
    "ch_print": "สื่อสิ่งพิมพ์",
    "ch_facebook": "Facebook",
    "ch_tiktok": "TikTok",
    "ch_instagram": "Instagram",
    "ch_website": "Website",
    "ch_youtube": "YouTube",
}

#: The nine dimensions of the BMA policy "9 ดี 9 ด้าน" (the seed names the policy and the
#: dimension บริหารจัดการดี; the nine names are those of the Governor's policy).
DIMENSIONS: dict[str, str] = {
    "dim_travel": "เดินทางดี",
    "dim_safety": "ปลอดภัยดี",
    "dim_transparency": "โปร่งใสดี",
    "dim_environment": "สิ่งแวดล้อมดี",
    "dim_health": "สุขภาพดี",
    "dim_learning": "เรียนดี",
    "dim_economy": "เศรษฐกิจดี",
    "dim_society": "สังคมดี",
    "dim_management": "บริหารจัดการดี",
}

#: Age groups of respondents (adults 18+).
AGE_GROUPS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-59", "60+")
SEXES: dict[str, str] = {"male": "ชาย", "female": "หญิง"}

__all__ = [
    "AWARENESS_TARGET",
    "AwarenessAnalysis",
    "AwarenessData",
    "SampleSizeReview",
    "TargetTest",
    "analyse_awareness",
    "awareness_summary",
    "processed_table",
    "read_awareness_survey",
    "read_population_margins",
    "target_test",
]

logger = logging.getLogger(__name__)

#: The KR target: 80 % of citizens aware (ร้อยละ ๘๐).
AWARENESS_TARGET = 80.0
KPI_CODE = "awareness-pr"
NAME_TH = "ร้อยละการรับรู้ข่าวสารการดำเนินงานของกรุงเทพมหานครของประชาชนผ่านช่องทางสื่อประชาสัมพันธ์ต่าง ๆ"
OFFLINE_CHANNELS = ("ch_tv", "ch_radio", "ch_print")
ONLINE_CHANNELS = ("ch_facebook", "ch_tiktok", "ch_instagram", "ch_website", "ch_youtube")
DEFAULT_RAKE_VARIABLES = ("sex", "age_group", "district_code")
_FLAG_COLUMNS = ("aware", *CHANNELS, *DIMENSIONS)
_REQUIRED = ("respondent_id", "round", "mode", "interview_date", "district_code", "district_th",
             "sex", "age_group", "focus_group_id", "design_weight", *_FLAG_COLUMNS)
_MARGIN_COLUMNS = ("variable", "category", "population", "status")


# --------------------------------------------------------------------------------------------
# Reading and validation
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class AwarenessData(Result):
    """A validated awareness-survey file and its population margins.

    Attributes
    ----------
    frame : DataFrame
        One row per respondent: ``round``, ``district_code``, flags (``aware``, ``ch_*``,
        ``dim_*``) as int 0/1, ``design_weight`` as float (NaN outside the field sample),
        ``interview_date`` as datetime.
    margins : DataFrame
        The population margins (``variable``, ``category``, ``label_th``, ``population``,
        ``status``, ``source``); ``category`` is text.
    path, margins_path : str
        The files read.
    sha256, margins_sha256 : str
        SHA-256 of their bytes.
    """

    frame: pd.DataFrame
    margins: pd.DataFrame
    path: str
    sha256: str
    margins_path: str
    margins_sha256: str

    @property
    def n(self) -> int:
        """Respondents in the file."""
        return len(self.frame)

    @property
    def rounds(self) -> tuple[int, ...]:
        """Survey rounds present."""
        return tuple(sorted(int(r) for r in self.frame["round"].unique()))

    @property
    def n_by_mode(self) -> dict[str, int]:
        """Respondents per collection mode (in the order of :data:`MODES`)."""
        counts = self.frame["mode"].value_counts()
        return {m: int(counts.get(m, 0)) for m in MODES}

    @property
    def population(self) -> float:
        """The population total of the margins (every variable has the same total)."""
        first = self.margins["variable"].iloc[0]
        return float(self.margins.loc[self.margins["variable"] == first, "population"].sum())


def _rows(mask: Any) -> list[int]:
    """1-based data-row numbers of the True entries."""
    return (np.flatnonzero(np.asarray(mask)) + 1).tolist()


def _fail(message: str, source: str, column: str | None, mask: Any) -> None:
    rows = _rows(mask)
    raise DataValidationError(message, source=source, column=column, rows=rows)


def _check_set(raw: pd.DataFrame, column: str, valid: Sequence[str], source: str) -> None:
    bad = ~raw[column].isin(list(valid))
    if bad.any():
        _fail(f"values must be one of {', '.join(map(str, valid))}; found "
              f"{describe_values(raw.loc[bad, column])}", source, column, bad)


def read_awareness_survey(
    path: str | Path, margins_path: str | Path | None = None
) -> AwarenessData:
    """Read and validate ``awareness_survey.csv`` and its ``population_margins.csv``.

    Parameters
    ----------
    path : str or Path
        The survey file (columns as documented in ``data/raw/README.md``).
    margins_path : str or Path, optional
        The margins file; default ``population_margins.csv`` next to ``path``.

    Returns
    -------
    AwarenessData

    Raises
    ------
    DataValidationError
        A column is missing, or a value is invalid; the message names the file, the column and
        the first offending rows (1 = first data row).
    """
    source = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise DataValidationError(
            f"missing column(s) {', '.join(missing)}; the file has "
            f"{', '.join(raw.columns[:12])}{', ...' if len(raw.columns) > 12 else ''}",
            source=source)
    if raw.empty:
        raise DataValidationError("the file has no data rows", source=source)
    raw = raw.apply(lambda s: s.str.strip())

    ids = raw["respondent_id"]
    blank_id = ids == ""
    if blank_id.any():
        _fail("respondent_id must not be blank", source, "respondent_id", blank_id)
    dup = ids.duplicated(keep=False)
    if dup.any():
        _fail(f"respondent_id values repeat: {describe_values(ids[dup])}", source,
              "respondent_id", dup)

    rnd = pd.to_numeric(raw["round"], errors="coerce")
    bad = rnd.isna() | (rnd < 1) | (rnd % 1 != 0)
    if bad.any():
        _fail("round must be a positive whole number; found "
              f"{describe_values(raw.loc[bad, 'round'])}", source, "round", bad)

    _check_set(raw, "mode", list(MODES), source)
    _check_set(raw, "sex", tuple(SEXES), source)
    _check_set(raw, "age_group", AGE_GROUPS, source)

    code = pd.to_numeric(raw["district_code"], errors="coerce")
    bad = ~code.isin(list(DISTRICTS))
    if bad.any():
        _fail("district_code must be a DOPA Bangkok district code 1001-1050; found "
              f"{describe_values(raw.loc[bad, 'district_code'])}", source, "district_code", bad)
    expected_name = code.map(DISTRICTS)
    bad = raw["district_th"] != expected_name
    if bad.any():
        _fail("district_th does not match district_code (names as kpianalysis.bangkok.DISTRICTS,"
              f" without เขต); found {describe_values(raw.loc[bad, 'district_th'])}", source,
              "district_th", bad)

    dates = pd.to_datetime(raw["interview_date"], format="%Y-%m-%d", errors="coerce")
    bad = dates.isna()
    if bad.any():
        _fail("interview_date must be an ISO date YYYY-MM-DD; found "
              f"{describe_values(raw.loc[bad, 'interview_date'])}", source, "interview_date", bad)

    field = raw["mode"] == "field"
    weight = pd.to_numeric(raw["design_weight"], errors="coerce")
    bad = field & ~(np.isfinite(weight) & (weight > 0))
    if bad.any():
        _fail("field respondents need a positive design weight; found "
              f"{describe_values(raw.loc[bad, 'design_weight'])}", source, "design_weight", bad)
    bad = ~field & (raw["design_weight"] != "")
    if bad.any():
        _fail("online and focus-group respondents are not a probability sample and must have a "
              "blank design weight", source, "design_weight", bad)
    fg = raw["mode"] == "focus_group"
    bad = fg & (raw["focus_group_id"] == "")
    if bad.any():
        _fail("focus-group respondents need a focus_group_id", source, "focus_group_id", bad)

    flags = {}
    for col in _FLAG_COLUMNS:
        bad = ~raw[col].isin(["0", "1"])
        if bad.any():
            _fail(f"must be 0 or 1; found {describe_values(raw.loc[bad, col])}", source, col, bad)
        flags[col] = (raw[col] == "1").astype(np.int64)
    any_channel = np.max([flags[c] for c in CHANNELS], axis=0)
    any_dimension = np.max([flags[c] for c in DIMENSIONS], axis=0)
    bad = (flags["aware"] != any_channel) | (flags["aware"] != any_dimension)
    if bad.any():
        _fail("aware must be 1 exactly when the respondent received news through at least one "
              "channel (ch_*) on at least one dimension (dim_*) (KR definition)", source,
              "aware", bad)

    frame = pd.DataFrame({
        "respondent_id": ids.to_numpy(),
        "round": rnd.astype(np.int64).to_numpy(),
        "mode": raw["mode"].to_numpy(),
        "interview_date": dates.to_numpy(),
        "district_code": code.astype(np.int64).to_numpy(),
        "district_th": raw["district_th"].to_numpy(),
        "sex": raw["sex"].to_numpy(),
        "age_group": raw["age_group"].to_numpy(),
        "focus_group_id": raw["focus_group_id"].replace("", np.nan).to_numpy(),
        "design_weight": weight.where(field).to_numpy(dtype=float),
        **{c: flags[c].to_numpy() for c in _FLAG_COLUMNS},
    })
    margins_path = Path(path).with_name("population_margins.csv") if margins_path is None \
        else Path(margins_path)
    margins = read_population_margins(margins_path)
    return AwarenessData(frame=frame, margins=margins, path=source, sha256=sha256_of(path),
                         margins_path=str(margins_path), margins_sha256=sha256_of(margins_path))


def read_population_margins(path: str | Path) -> pd.DataFrame:
    """Read and validate a population-margins file (long format, one row per category).

    Columns ``variable``, ``category``, ``population`` (persons, > 0) and ``status``
    (``official`` or ``ILLUSTRATIVE``) are required; ``label_th`` and ``source`` are kept when
    present. Every variable must have the same population total (raking needs it).

    Raises
    ------
    DataValidationError
        A column is missing, a population is not a positive number, a category repeats, or the
        totals of the variables differ.
    """
    source = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _MARGIN_COLUMNS if c not in raw.columns]
    if missing:
        raise DataValidationError(f"missing column(s) {', '.join(missing)}", source=source)
    if raw.empty:
        raise DataValidationError("the file has no data rows", source=source)
    raw = raw.apply(lambda s: s.str.strip())
    pop = pd.to_numeric(raw["population"], errors="coerce")
    bad = ~(np.isfinite(pop) & (pop > 0))
    if bad.any():
        _fail(f"population must be a positive number; found "
              f"{describe_values(raw.loc[bad, 'population'])}", source, "population", bad)
    dup = raw.duplicated(["variable", "category"], keep=False)
    if dup.any():
        _fail("a (variable, category) pair repeats", source, "category", dup)
    bad = ~raw["status"].str.lower().isin(["official", "illustrative"])
    if bad.any():
        _fail("status must be 'official' or 'ILLUSTRATIVE'", source, "status", bad)
    out = pd.DataFrame({
        "variable": raw["variable"],
        "category": raw["category"],
        "label_th": raw["label_th"] if "label_th" in raw.columns else raw["category"],
        "population": pop.astype(float),
        "status": raw["status"],
        "source": raw["source"] if "source" in raw.columns else "",
    })
    totals = out.groupby("variable", sort=False)["population"].sum()
    if (totals - totals.iloc[0]).abs().max() > 1e-6 * totals.iloc[0]:
        raise DataValidationError(
            "the variables' population totals differ ("
            + ", ".join(f"{k}: {v:,.0f}" for k, v in totals.items())
            + "); every margin must describe the same population", source=source,
            column="population")
    return out


# --------------------------------------------------------------------------------------------
# Target test
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TargetTest(Result):
    """One-sided test of ``H0: p ≥ target`` against ``H1: p < target``, and ``P(p ≥ target)``.

    Attributes
    ----------
    target : float
        The target proportion (0.80).
    estimate, se : float
        The estimate and its (design-based) standard error.
    df : float
        Degrees of freedom of the reference t distribution (``inf``: normal).
    statistic : float
        ``(estimate − target) / se``.
    p_value : float
        One-sided p-value ``F_t(statistic)``; small values are evidence that the target is
        *not* met.
    reject : bool
        ``p_value < alpha``: the estimate is significantly below the target.
    alpha : float
        Significance level.
    p_target_met : float
        Approximate probability that the true proportion is at least the target:
        ``P(p ≥ target)`` with ``p ~ estimate + se · t_df`` (flat-prior plug-in approximation;
        numerically equal to ``p_value``).
    method : str
        Description.
    """

    target: float
    estimate: float
    se: float
    df: float
    statistic: float
    p_value: float
    reject: bool
    alpha: float
    p_target_met: float
    method: str


def target_test(
    estimate: float, se: float, df: float | None = None, target: float = 0.80, alpha: float = 0.05
) -> TargetTest:
    """Test whether a proportion is below its target, and the probability the target is met.

    ``t = (estimate − target) / se`` referred to Student's t on ``df`` degrees of freedom (the
    design df; ``None`` or ``inf`` for the normal distribution). The one-sided p-value of
    ``H0: p ≥ target`` against ``H1: p < target`` is ``F(t)``. With an SRS standard error
    ``sqrt(p̂(1 − p̂)/n)`` and ``df=None`` this is the one-sample z test of a proportion
    (e.g. ``statsmodels.stats.proportion.proportions_ztest(count, n, value=target,
    alternative="smaller")``).

    ``p_target_met`` is ``P(p ≥ target)`` when the true proportion is taken as distributed
    ``estimate + se · T`` (``T`` ~ t on ``df``): the posterior under a flat prior with the
    normal/t approximation of the estimate's sampling distribution. It equals ``F(t)``, the
    p-value, by the symmetry of ``T`` (Casella & Berger 1987) — an approximate, model-based
    statement, not an exact probability.

    Parameters
    ----------
    estimate : float
        Estimated proportion in [0, 1].
    se : float
        Its standard error (> 0).
    df : float, optional
        Degrees of freedom (values below 1 are treated as 1); ``None``: normal.
    target : float, default 0.80
        Target proportion in (0, 1).
    alpha : float, default 0.05
        One-sided significance level.

    Returns
    -------
    TargetTest

    Examples
    --------
    >>> r = target_test(0.75, 0.01, df=None)
    >>> round(r.statistic, 6), f"{r.p_value:.3g}", r.reject
    (-5.0, '2.87e-07', True)
    """
    p = float(check_probability("estimate", estimate))
    tgt = float(check_probability("target", target, open_interval=True))
    a = float(check_probability("alpha", alpha, open_interval=True))
    if not (math.isfinite(se) and se > 0):
        raise ValueError(f"se must be finite and > 0; got {se!r}")
    t = (p - tgt) / se
    if df is None or not math.isfinite(df):
        dist = stats.norm
        dof = math.inf
        name = "normal"
    else:
        dof = max(float(df), 1.0)
        dist = stats.t(dof)
        name = f"t on {dof:g} df"
    pv = float(dist.cdf(t))
    return TargetTest(
        target=tgt, estimate=p, se=float(se), df=dof, statistic=float(t), p_value=pv,
        reject=pv < a, alpha=a, p_target_met=pv,
        method=f"one-sided test of H0: p >= {tgt:g} vs H1: p < {tgt:g}, {name}; "
               "P(p >= target) by the flat-prior normal/t approximation",
    )


# --------------------------------------------------------------------------------------------
# Designs
# --------------------------------------------------------------------------------------------


def _round_margins(data: AwarenessData, frame: pd.DataFrame, variables: Sequence[str]
                   ) -> tuple[dict[tuple[str, str], dict[tuple[Any, Any], float]], list[str]]:
    """Joint ``round × variable`` margins for raking, restricted to variables whose every
    category appears in every round of ``frame``; returns (margins, variables used)."""
    m = data.margins
    known = list(dict.fromkeys(m["variable"]))
    unknown = [v for v in variables if v not in known]
    if unknown:
        raise ValueError(f"rake variable(s) {', '.join(unknown)} not in the margins file "
                         f"{data.margins_path}; it has {', '.join(known)}")
    rounds = sorted(frame["round"].unique())
    out: dict[tuple[str, str], dict[tuple[Any, Any], float]] = {}
    used = []
    for var in variables:
        rows = m[m["variable"] == var]
        cats: Any = rows["category"]
        if pd.api.types.is_integer_dtype(frame[var]):
            cats = pd.to_numeric(cats, errors="coerce")
            if cats.isna().any():
                raise DataValidationError(
                    f"categories of {var!r} must be whole numbers (as in the survey file)",
                    source=data.margins_path, column="category")
            cats = cats.astype(np.int64)
        pops = dict(zip(cats.tolist(), rows["population"].tolist(), strict=True))
        present = set(zip(frame["round"], frame[var], strict=True))
        if not all((r, c) in present for r in rounds for c in pops):
            continue
        out[("round", var)] = {(r, c): v for r in rounds for c, v in pops.items()}
        used.append(var)
    return out, used


def _field_design(data: AwarenessData, rake_variables: Sequence[str], confidence: float
                  ) -> tuple[SurveyDesign, SurveyDesign, list[str]]:
    field = data.frame[data.frame["mode"] == "field"].reset_index(drop=True)
    if field.empty:
        raise ValueError(f"{data.path}: no field (probability-sample) respondents")
    field = field.assign(stratum=field["round"] * 10_000 + field["district_code"],
                         any_offline=field[list(OFFLINE_CHANNELS)].max(axis=1),
                         any_online=field[list(ONLINE_CHANNELS)].max(axis=1))
    base = SurveyDesign(field, weights="design_weight", strata="stratum", lonely_psu="adjust",
                        confidence=confidence)
    margins, used = _round_margins(data, field, rake_variables)
    missing = [v for v in rake_variables if v not in used]
    if missing:
        raise ValueError(f"{data.path}: the field sample lacks categories of {missing} in some "
                         "round; collapse categories in the margins file or drop the variable")
    raked = base.rake(margins, tol=1e-10, max_iter=500) if margins else base
    return base, raked, used


def _mode_design(data: AwarenessData, mode: str, rake_variables: Sequence[str],
                 confidence: float) -> tuple[SurveyDesign, list[str]]:
    sub = data.frame[data.frame["mode"] == mode].reset_index(drop=True)
    sub = sub.assign(_w=1.0)
    if mode == "focus_group":
        design = SurveyDesign(sub, weights="_w", strata="round", psu="focus_group_id",
                              lonely_psu="adjust", confidence=confidence)
    else:
        design = SurveyDesign(sub, weights="_w", strata="round", lonely_psu="adjust",
                              confidence=confidence)
    margins, used = _round_margins(data, sub, rake_variables)
    if margins:
        design = design.rake(margins, tol=1e-10, max_iter=500)
    return design, used


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SampleSizeReview(Result):
    """The numbers of the report's sample-size section.

    Attributes
    ----------
    population : float
        Bangkok's registered population (the margins' total).
    deff : float
        Design effect of the headline estimate (against SRS, R's ``deff``).
    kish_deff : float
        Kish's weighting effect of the raked field weights, ``1 + cv²`` (pooled rounds).
    achieved : DataFrame
        Margin of error achieved (percentage points, design-based ``t·SE``) by scope:
        ``scope``, ``group``, ``n``, ``moe``, ``moe_srs_p50`` (SRS at p = 0.5 for the same n).
    formulas : DataFrame
        Required n for ``margin`` 5, 3, 2, 1 points at 95 %: ``cochran``, ``yamane``,
        ``krejcie_morgan`` (population N), ``cochran_deff`` (× the headline deff),
        ``cochran_p_hat`` (Cochran at the estimated p instead of 0.5).
    test_power : DataFrame
        n for a one-sided 5 % test of the 80 % target with 80 % power when the true value is
        ``p_expected`` (SRS and with the headline deff).
    district_moe_target : float
        The district margin of error asked for (0.05).
    district_needs : DataFrame
        Per district: ``district_code``, ``population``, ``n`` (field interviews, all rounds),
        ``moe``, ``n_needed`` (Cochran, p = 0.5, ±5 points, district FPC, × deff).
    district_total_needed : int
        Sum of ``n_needed`` over districts (for one round, or for the pooled rounds).
    """

    population: float
    deff: float
    kish_deff: float
    achieved: pd.DataFrame
    formulas: pd.DataFrame
    test_power: pd.DataFrame
    district_moe_target: float
    district_needs: pd.DataFrame
    district_total_needed: int


@dataclasses.dataclass(frozen=True, eq=False)
class AwarenessAnalysis(Result):
    """Everything the awareness report shows.

    Percent columns of the tables are on the 0–100 scale; ``moe`` is the design-based margin of
    error ``t(0.975, df) · SE`` in percentage points. Rows with fewer than ``min_group``
    respondents have every figure blanked (``suppressed`` is True).

    Attributes
    ----------
    overall : Estimate
        The headline proportion (0–1 scale).
    test : TargetTest
        The one-sided test of the target and ``p_target_met``.
    target : float
        The target in percent (80).
    verdict : dict
        ``target_met`` and the verdict at each interval bound (:func:`score_percent_target`).
    raked_to : tuple of str
        Margin variables of the headline raking.
    rounds : DataFrame
        Field estimate by round.
    round_change : dict
        Last round minus first round (percentage points) with its 95 % interval.
    modes : DataFrame
        Estimate by collection mode with the test of the difference from the field estimate.
    modes_disagree : bool
        A non-probability mode differs from the field estimate beyond sampling error.
    districts : DataFrame
        Field estimate by district, sorted from highest to lowest.
    channels, dimensions : DataFrame
        Reach of each channel / recall of each policy dimension (share of the population) and
        the share among the aware.
    estimators : DataFrame
        The headline next to other estimators (design weights only, sex-raked, unweighted,
        the pooled share of every respondent as the KR formula reads literally).
    sample_size : SampleSizeReview
        The sample-size section.
    weights : DataFrame
        ``respondent_id`` and the raked weight of each field respondent.
    confidence, alpha : float
        Confidence level of the intervals; significance level of the tests.
    min_group : int
        Suppression threshold.
    """

    overall: Estimate
    test: TargetTest
    target: float
    verdict: dict
    raked_to: tuple[str, ...]
    rounds: pd.DataFrame
    round_change: dict
    modes: pd.DataFrame
    modes_disagree: bool
    districts: pd.DataFrame
    channels: pd.DataFrame
    dimensions: pd.DataFrame
    estimators: pd.DataFrame
    sample_size: SampleSizeReview
    weights: pd.DataFrame
    confidence: float
    alpha: float
    min_group: int

    @property
    def percent(self) -> float:
        """The headline estimate in percent."""
        return self.overall.estimate * 100

    @property
    def moe(self) -> float:
        """Margin of error of the headline, in percentage points."""
        return _moe(self.overall.se, self.overall.df, self.confidence) * 100


def _moe(se: Any, df: Any, confidence: float) -> Any:
    q = stats.t.ppf(0.5 + confidence / 2, np.maximum(np.asarray(df, dtype=float), 1.0))
    return q * np.asarray(se, dtype=float) if np.ndim(se) else float(q * se)


def _domain_table(design: SurveyDesign, column: str, by: str, confidence: float,
                  ci_method: str) -> pd.DataFrame:
    t = design.proportion(column, by=by, confidence=confidence, ci_method=ci_method).table.copy()
    t["moe"] = _moe(t["se"].to_numpy(), t["df"].to_numpy(), confidence) * 100
    for c in ("estimate", "se", "ci_low", "ci_high"):
        t[c] = t[c] * 100
    return t


def _suppress(table: pd.DataFrame, min_group: int, figures: Sequence[str]) -> pd.DataFrame:
    table = table.copy()
    small = table["n"] < min_group
    table["suppressed"] = small
    for c in figures:
        if c in table.columns:
            table[c] = table[c].astype(float).where(~small)
    table["n"] = table["n"].astype("Int64").where(~small, pd.NA)
    return table


_FIGURES = ("estimate", "se", "ci_low", "ci_high", "deff", "n_eff", "moe", "p_target_met")


def _reach_table(design: SurveyDesign, online: pd.DataFrame, columns: dict[str, str],
                 confidence: float, ci_method: str) -> pd.DataFrame:
    rows = []
    for col, label in columns.items():
        est = design.proportion(col, confidence=confidence, ci_method=ci_method)
        among = design.proportion(col, by="aware", confidence=confidence,
                                  ci_method=ci_method)
        aware_rows = among.table[among.table["aware"] == 1]
        rows.append({
            "column": col, "label_th": label,
            "group": ("offline" if col in OFFLINE_CHANNELS else
                      "online" if col in ONLINE_CHANNELS or col == "any_online" else
                      "any" if col.startswith("any") else "dimension"),
            "n": est.n, "estimate": est.estimate * 100, "ci_low": est.ci.low * 100,
            "ci_high": est.ci.high * 100, "moe": _moe(est.se, est.df, confidence) * 100,
            "among_aware": float(aware_rows["estimate"].iloc[0]) * 100
            if len(aware_rows) else float("nan"),
            "online_sample": float(online[col].mean()) * 100 if len(online) else float("nan"),
        })
    return pd.DataFrame(rows).sort_values("estimate", ascending=False, ignore_index=True)


def analyse_awareness(
    data: AwarenessData,
    *,
    rake_variables: Sequence[str] = DEFAULT_RAKE_VARIABLES,
    target: float = AWARENESS_TARGET,
    confidence: float = 0.95,
    alpha: float = 0.05,
    ci_method: str = "logit",
    min_group: int = 10,
    district_margin: float = 0.05,
) -> AwarenessAnalysis:
    """Analyse the awareness survey (see the module docstring for the estimator).

    Parameters
    ----------
    data : AwarenessData
        From :func:`read_awareness_survey`.
    rake_variables : sequence of str, default ("sex", "age_group", "district_code")
        Margin variables (of the margins file) the field weights are raked to, within each
        round. Non-probability modes are raked to those of them whose categories they cover.
        An empty sequence keeps the design weights.
    target : float, default 80
        The KR target in percent.
    confidence : float, default 0.95
        Confidence level of the intervals.
    alpha : float, default 0.05
        Significance level of the target test and of the mode comparisons.
    ci_method : str, default "logit"
        Interval method for design-based proportions
        (see :func:`kpianalysis.design.proportion_interval`).
    min_group : int, default 10
        Groups with fewer respondents show no figures.
    district_margin : float, default 0.05
        The district margin of error the sample-size section plans for.

    Returns
    -------
    AwarenessAnalysis
    """
    confidence = check_confidence(confidence)
    a = float(check_probability("alpha", alpha, open_interval=True))
    if not 0 < target < 100:
        raise ValueError(f"target must be a percentage in (0, 100); got {target!r}")
    if int(min_group) < 1:
        raise ValueError(f"min_group must be >= 1; got {min_group!r}")
    rake_variables = tuple(rake_variables)
    base, design, used = _field_design(data, rake_variables, confidence)
    overall = design.proportion("aware", confidence=confidence, ci_method=ci_method)
    test = target_test(overall.estimate, overall.se, overall.df, target / 100, a)
    verdict = score_percent_target(overall.estimate * 100, target,
                                   ci_low=overall.ci.low * 100, ci_high=overall.ci.high * 100)

    # ---- rounds ------------------------------------------------------------------------------
    rounds = _domain_table(design, "aware", "round", confidence, ci_method)
    rounds["p_target_met"] = [
        target_test(e / 100, s / 100, d, target / 100, a).p_target_met if s > 0 else float("nan")
        for e, s, d in zip(rounds["estimate"], rounds["se"], rounds["df"], strict=True)]
    z = stats.norm.ppf(0.5 + confidence / 2)
    shown = rounds[rounds["n"] >= min_group]  # no figures of suppressed rounds leak out
    first, last = (shown.iloc[0], shown.iloc[-1]) if len(shown) else (rounds.iloc[0],) * 2
    diff = float(last["estimate"] - first["estimate"])
    diff_se = math.hypot(float(last["se"]), float(first["se"]))
    round_change = {"from_round": int(first["round"]), "to_round": int(last["round"]),
                    "difference": diff, "ci_low": float(diff - z * diff_se),
                    "ci_high": float(diff + z * diff_se),
                    "method": "independent rounds (separate strata): normal interval on "
                              "sqrt(SE1² + SE2²)"}
    rounds = _suppress(rounds, min_group, _FIGURES)

    # ---- modes -------------------------------------------------------------------------------
    mode_rows = []
    for mode, label in MODES.items():
        sub = data.frame[data.frame["mode"] == mode]
        if sub.empty:
            continue
        if mode == "field":
            est, raked_to = overall, used
        else:
            mdesign, raked_to = _mode_design(data, mode, rake_variables, confidence)
            est = mdesign.proportion("aware", confidence=confidence, ci_method=ci_method)
        row = {"mode": mode, "label_th": label, "probability_sample": mode == "field",
               "n": len(sub), "unweighted": float(sub["aware"].mean()) * 100,
               "estimate": est.estimate * 100, "se": est.se * 100, "ci_low": est.ci.low * 100,
               "ci_high": est.ci.high * 100, "deff": est.deff,
               "moe": _moe(est.se, est.df, confidence) * 100,
               "raked_to": ", ".join(raked_to) or "(none)",
               "difference": float("nan"), "z": float("nan"), "p_value": float("nan"),
               "disagrees": False}
        if mode != "field":
            d = (est.estimate - overall.estimate) * 100
            se_d = math.hypot(est.se, overall.se) * 100
            zz = d / se_d if se_d > 0 else float("nan")
            pv = float(2 * stats.norm.sf(abs(zz))) if se_d > 0 else float("nan")
            row.update(difference=d, z=zz, p_value=pv, disagrees=bool(pv < a))
        mode_rows.append(row)
    modes = _suppress(pd.DataFrame(mode_rows), min_group,
                      ("unweighted", *_FIGURES, "difference", "z", "p_value"))
    modes_disagree = bool(modes["disagrees"].any())

    # ---- districts ---------------------------------------------------------------------------
    districts = _domain_table(design, "aware", "district_code", confidence, ci_method)
    districts.insert(1, "district_th", districts["district_code"].map(DISTRICTS))
    pops = data.margins[data.margins["variable"] == "district_code"]
    dpop = dict(zip(pd.to_numeric(pops["category"]).astype(int), pops["population"],
                    strict=True))
    districts["population"] = districts["district_code"].map(dpop)

    # ---- sample size -------------------------------------------------------------------------
    sample_size = _sample_size_review(data, design, overall, rounds, modes, districts,
                                      confidence, district_margin, target / 100, a)
    need = sample_size.district_needs.set_index("district_code")["n_needed"]
    districts["n_needed"] = districts["district_code"].map(need)
    districts = _suppress(districts, min_group, _FIGURES).sort_values(
        ["suppressed", "estimate"], ascending=[True, False], ignore_index=True)

    # ---- channels and dimensions -------------------------------------------------------------
    online = data.frame[data.frame["mode"] == "online"]
    online = online.assign(any_offline=online[list(OFFLINE_CHANNELS)].max(axis=1),
                           any_online=online[list(ONLINE_CHANNELS)].max(axis=1))
    channel_labels = {**CHANNELS, "any_offline": "สื่อออฟไลน์ช่องทางใดก็ได้ (any offline)",
                      "any_online": "สื่อออนไลน์ช่องทางใดก็ได้ (any online)"}
    channels = _reach_table(design, online, channel_labels, confidence, ci_method)
    dimensions = _reach_table(design, online, DIMENSIONS, confidence, ci_method)

    # ---- estimators --------------------------------------------------------------------------
    estimators = _estimators(data, base, design, overall, used, confidence, ci_method)

    weights = pd.DataFrame({"respondent_id": design.data["respondent_id"].to_numpy(),
                            "round": design.data["round"].to_numpy(),
                            "design_weight": design.data["design_weight"].to_numpy(),
                            "raked_weight": design.weights})
    return AwarenessAnalysis(
        overall=overall, test=test, target=float(target), verdict=verdict,
        raked_to=tuple(used), rounds=rounds, round_change=round_change, modes=modes,
        modes_disagree=modes_disagree, districts=districts, channels=channels,
        dimensions=dimensions, estimators=estimators, sample_size=sample_size,
        weights=weights, confidence=confidence, alpha=a, min_group=int(min_group))


def _estimators(data: AwarenessData, base: SurveyDesign, design: SurveyDesign,
                overall: Estimate, used: Sequence[str], confidence: float,
                ci_method: str) -> pd.DataFrame:
    rows = []

    def add(key: str, label: str, est: Estimate | None, n: int, value: float | None = None,
            probability: bool = True) -> None:
        rows.append({
            "key": key, "label": label, "probability_sample": probability, "n": n,
            "estimate": est.estimate * 100 if est is not None else value,
            "ci_low": est.ci.low * 100 if est is not None else float("nan"),
            "ci_high": est.ci.high * 100 if est is not None else float("nan"),
            "moe": _moe(est.se, est.df, confidence) * 100 if est is not None else float("nan"),
            "deff": est.deff if est is not None else float("nan"),
        })

    add("headline", "field, design weights raked to " + " + ".join(used) + " within rounds"
        if used else "field, design weights", overall, overall.n)
    add("design_weights", "field, design weights only (no raking)",
        base.proportion("aware", confidence=confidence, ci_method=ci_method), base.n)
    if "sex" in used:
        margins, _ = _round_margins(data, base.data, ["sex"])
        add("raked_sex", "field, raked to the official sex margin only",
            base.rake(margins, tol=1e-10, max_iter=500).proportion(
                "aware", confidence=confidence, ci_method=ci_method), base.n)
    unweighted = SurveyDesign(base.data.assign(_w=1.0), weights="_w", strata="stratum",
                              lonely_psu="adjust", confidence=confidence)
    add("field_unweighted", "field, unweighted",
        unweighted.proportion("aware", confidence=confidence, ci_method=ci_method), base.n)
    add("all_modes_unweighted", "all respondents pooled, unweighted (the KR formula read "
        "literally: aware × 100 / respondents)", None, data.n,
        value=float(data.frame["aware"].mean()) * 100, probability=False)
    return pd.DataFrame(rows)


def _sample_size_review(data: AwarenessData, design: SurveyDesign, overall: Estimate,
                        rounds: pd.DataFrame, modes: pd.DataFrame, districts: pd.DataFrame,
                        confidence: float, district_margin: float, target: float,
                        alpha: float) -> SampleSizeReview:
    N = data.population
    deff = float(overall.deff) if math.isfinite(overall.deff) else 1.0
    p_hat = overall.estimate

    achieved_rows = [{"scope": "overall", "group": "ทั้งหมด (field, all rounds)", "n": overall.n,
                      "moe": _moe(overall.se, overall.df, confidence) * 100}]
    for r in rounds.itertuples():
        achieved_rows.append({"scope": "round", "group": f"รอบที่ {r.round}", "n": r.n,
                              "moe": r.moe})
    for r in modes.itertuples():
        achieved_rows.append({"scope": "mode", "group": r.label_th, "n": r.n, "moe": r.moe})
    dm = districts["moe"]
    for name, idx in (("smallest", dm.idxmin()), ("median", None), ("largest", dm.idxmax())):
        if idx is None:
            achieved_rows.append({"scope": "district", "group": "มัธยฐาน 50 เขต (median)",
                                  "n": int(districts["n"].median()), "moe": float(dm.median())})
            continue
        r = districts.loc[idx]
        achieved_rows.append({"scope": "district",
                              "group": f"MOE {'ต่ำสุด' if name == 'smallest' else 'สูงสุด'} "
                                       f"({name} MOE): เขต{r['district_th']}",
                              "n": int(r["n"]), "moe": float(r["moe"])})
    achieved = pd.DataFrame(achieved_rows)
    n_vals = pd.to_numeric(achieved["n"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(n_vals) & (n_vals > 0)
    srs = np.full(len(achieved), np.nan)
    srs[ok] = np.asarray(margin_of_error(n_vals[ok], p=0.5, confidence=confidence,
                                         population=N)) * 100
    achieved["moe_srs_p50"] = srs

    margins = np.array([0.05, 0.03, 0.02, 0.01])
    formulas = pd.DataFrame({
        "margin": margins * 100,
        "cochran": cochran(0.5, margins, confidence, population=N),
        "yamane": yamane(N, margins),
        "krejcie_morgan": krejcie_morgan(  # chi2 = 3.841 at 95 %, as published
            N, chi2=round(float(stats.chi2.ppf(confidence, 1)), 3), margin=margins),
        "cochran_deff": cochran(0.5, margins, confidence, population=N, deff=deff),
        "cochran_p_hat": cochran(p_hat, margins, confidence, population=N),
    })
    expected = np.array([0.70, 0.75, 0.77, 0.78])
    test_power = pd.DataFrame({
        "p_expected": expected * 100,
        "n_srs": n_one_sided_proportion_test(target, expected, alpha, 0.8, population=N),
        "n_deff": n_one_sided_proportion_test(target, expected, alpha, 0.8, population=N,
                                              deff=deff),
    })
    pops = districts["population"].to_numpy(dtype=float)
    d_deff = np.where(np.isfinite(districts["deff"]), np.maximum(districts["deff"], 1.0), 1.0)
    needed = np.asarray(cochran(0.5, district_margin, confidence, population=pops,
                                deff=d_deff))
    district_needs = pd.DataFrame({
        "district_code": districts["district_code"].to_numpy(),
        "district_th": districts["district_th"].to_numpy(),
        "population": pops, "n": districts["n"].to_numpy(), "moe": districts["moe"].to_numpy(),
        "n_needed": needed,
    })
    return SampleSizeReview(
        population=N, deff=deff, kish_deff=kish_deff(design.weights), achieved=achieved,
        formulas=formulas, test_power=test_power, district_moe_target=district_margin,
        district_needs=district_needs, district_total_needed=int(needed.sum()))


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is pd.NA:
        return None
    return value


def _records(table: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in table.columns]
    return [_clean(dict(zip(cols, r, strict=True)))
            for r in table[cols].itertuples(index=False, name=None)]


def awareness_summary(data: AwarenessData, analysis: AwarenessAnalysis, kpi: str = KPI_CODE
                      ) -> dict[str, Any]:
    """The machine-readable summary written as ``<output>/<kpi>.json``.

    Percentages (``estimate``, ``ci_low``, ``ci_high``, ``moe_*``) are on the 0–100 scale;
    ``p_target_met`` and ``test.p_value`` are probabilities. ``level``, ``points`` and
    ``weight`` are ``None``: the KR is a plain percent-vs-target indicator with no rubric points
    (catalog entry ``awareness-pr``), and the keys are present so that
    :func:`kpianalysis.score_agency` can read a folder of summaries.
    """
    o = analysis.overall
    ss = analysis.sample_size
    rounds = analysis.rounds
    modes = analysis.modes
    dist = analysis.districts
    out = {
        "kpi": kpi,
        "name_th": NAME_TH,
        "estimate": o.estimate * 100,
        "ci_low": o.ci.low * 100,
        "ci_high": o.ci.high * 100,
        "ci_method": o.ci.method,
        "confidence": analysis.confidence,
        "se": o.se * 100,
        "df": o.df,
        "deff": o.deff,
        "n_eff": o.n_eff,
        "estimator": ("field probability sample (stratified by round × district), design weights "
                      "raked within each round to " + " + ".join(analysis.raked_to)
                      + "; Taylor linearisation"),
        "raked_to": list(analysis.raked_to),
        "margins_status": {v: sorted(set(data.margins.loc[data.margins["variable"] == v,
                                                          "status"]))[0]
                           for v in analysis.raked_to},
        "target": analysis.target,
        "target_met": bool(analysis.verdict["target_met"]),
        "met_at_ci_low": analysis.verdict["met_at_ci_low"],
        "met_at_ci_high": analysis.verdict["met_at_ci_high"],
        "p_target_met": analysis.test.p_target_met,
        "p_target_met_method": "P(p >= target) with p ~ estimate + SE * t(df): flat-prior "
                               "normal/t approximation (equals the one-sided p-value)",
        "test": {"null": f"p >= {analysis.target:g}%", "alternative": f"p < {analysis.target:g}%",
                 "statistic": analysis.test.statistic, "df": analysis.test.df,
                 "p_value": analysis.test.p_value, "alpha": analysis.alpha,
                 "reject": bool(analysis.test.reject)},
        "n_respondents": data.n,
        "n_field": o.n,
        "n_by_mode": data.n_by_mode,
        "n_aware_all_modes": int(data.frame["aware"].sum()),
        "percent_all_modes_unweighted": float(data.frame["aware"].mean()) * 100,
        "moe_overall": analysis.moe,
        "moe_by_round": {str(r): m for r, m in zip(rounds["round"], rounds["moe"], strict=True)},
        "moe_by_mode": {str(r): m for r, m in zip(modes["mode"], modes["moe"], strict=True)},
        "moe_district_min": float(dist["moe"].min()),
        "moe_district_median": float(dist["moe"].median()),
        "moe_district_max": float(dist["moe"].max()),
        "rounds": _records(rounds, ["round", "n", "estimate", "ci_low", "ci_high", "moe",
                                    "p_target_met"]),
        "round_change": analysis.round_change,
        "modes": _records(modes, ["mode", "probability_sample", "n", "unweighted", "estimate",
                                  "ci_low", "ci_high", "moe", "raked_to", "difference",
                                  "p_value", "disagrees"]),
        "modes_disagree": analysis.modes_disagree,
        "districts_below_target": int((dist["estimate"] < analysis.target).sum()),
        "districts_ci_above_target": int((dist["ci_low"] >= analysis.target).sum()),
        "channels": _records(analysis.channels, ["column", "estimate", "ci_low", "ci_high",
                                                 "among_aware"]),
        "sample_size": {
            "population": ss.population,
            "margin_5pt": _records(ss.formulas.iloc[:1], ["cochran", "yamane",
                                                           "krejcie_morgan", "cochran_deff"])[0],
            "deff": ss.deff,
            "kish_deff": ss.kish_deff,
            "district_margin": ss.district_moe_target * 100,
            "n_per_district_needed_max": int(ss.district_needs["n_needed"].max()),
            "n_districts_total_needed": ss.district_total_needed,
        },
        "level": None,
        "points": None,
        "weight": None,
        "input_path": data.path,
        "input_sha256": data.sha256,
        "margins_path": data.margins_path,
        "margins_sha256": data.margins_sha256,
        "package_version": __version__,
    }
    return _clean(out)


def processed_table(data: AwarenessData, analysis: AwarenessAnalysis) -> pd.DataFrame:
    """De-identified analysis table: every respondent with the raked weight (field only)."""
    keep = ["respondent_id", "round", "mode", "district_code", "sex", "age_group",
            "design_weight", *_FLAG_COLUMNS]
    out = data.frame[keep].merge(analysis.weights[["respondent_id", "raked_weight"]],
                                 on="respondent_id", how="left")
    return out
